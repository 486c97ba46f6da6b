"""The delivery gateway: the holder's data served only against a licence use, redeemed exactly once.

The holder deposits what is delivered (a file, streamed and hash-checked; or its API's base URL). The
licensee redeems a use (one signed off chain, or one consumed on chain by ``useLicence``), then
fetches the object within the use's window (byte ranges resume), or calls the holder's API once; a
signed use may also be redeemed and the object received in one request (``POST /content``). An API
serving personal data is called only against a data subject's consent the enterprise consumed on chain
for exactly that call (``POST /consent-uses``). Every delivery leaves a receipt signed by the gateway
and anchored on chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import anyio.from_thread
from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from dataledger.api.delivery_schemas import (
    ApiDeposit,
    ChainUseRedemption,
    ConsentUseRedemption,
    DeliveryUseRequest,
    SignedDeliveryUse,
    UseIdPath,
)
from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.responses.delivery import (
    DeliveryReceipt,
    Deposit,
    DepositList,
    GatewayKeyView,
    PreparedDeliveryUse,
    RedeemedUse,
    RedeemedUseList,
)
from dataledger.api.schemas import AssetIdPath, Hex32, Offset
from dataledger.registry.delivery.gateway import ContentDelivery

router = APIRouter(prefix="/v1/deliveries", tags=["delivery"])

OCTET_STREAM = "application/octet-stream"
_BINARY = {"schema": {"type": "string", "format": "binary"}}
CONTENT_HASH_HEADER = "X-Content-SHA256"
USE_HEADER = "X-Delivery-Use"


def _chunks_from(stream: AsyncIterator[bytes]) -> Iterator[bytes]:
    """The request body's chunks, pulled from a worker thread (the gateway writes them as they come)."""

    async def next_chunk() -> bytes:
        return await stream.__anext__()

    while True:
        try:
            chunk = anyio.from_thread.run(next_chunk)
        except StopAsyncIteration:
            return
        if chunk:
            yield chunk


# -- deposits (the holder) ---------------------------------------------------------------------------


@router.put(
    "/assets/{assetId}/file",
    status_code=status.HTTP_201_CREATED,
    response_model=Deposit,
    openapi_extra={"requestBody": {"required": True, "content": {OCTET_STREAM: _BINARY}}},
    summary="Deposit the file delivered for an asset (holder): streamed, hashed, checked",
)
async def deposit_file(
    asset_id: AssetIdPath,
    request: Request,
    me: CurrentParticipant,
    services: ServicesDep,
    declared_hash: Annotated[
        Hex32 | None,
        Query(
            alias="declaredHash", description="The SHA-256 of a derivative delivered instead of the content"
        ),
    ] = None,
) -> dict[str, Any]:
    """The asset's holder streams the file (any size; never held in memory). It is kept only if its
    SHA-256 is the asset's registered content hash, or ``declaredHash`` (a derivative the holder
    declares); else 422 content-hash-mismatch and nothing is kept. The newest deposit is delivered."""
    media_type = request.headers.get("content-type", OCTET_STREAM).split(";")[0].strip() or OCTET_STREAM
    deposit = await run_in_threadpool(
        services.delivery.deposit_file,
        me,
        asset_id,
        _chunks_from(request.stream().__aiter__()),
        declared_hash=declared_hash,
        media_type=media_type,
    )
    return deposit.as_json()


@router.post(
    "/deposits",
    status_code=status.HTTP_201_CREATED,
    response_model=Deposit,
    response_model_exclude_none=False,
    summary="Deposit the holder's API as what is delivered for an asset (holder)",
)
def deposit_api(body: ApiDeposit, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """The asset's holder names its API's base URL: each redeemed use then allows one GET through the
    gateway, whose answer is hashed into the delivery's receipt. With ``personalData`` the API serves
    data subjects' records: a call is then allowed only by a subject's consent the enterprise consumed
    for exactly that call (``/consent-uses``), never by a licence use (409 personal-data-needs-consent),
    and the gateway names the subject to the API in the ``X-Data-Subject`` header."""
    return services.delivery.deposit_api(
        me, body.asset_id, body.base_url, personal_data=body.personal_data
    ).as_json()


@router.get("/deposits", response_model=DepositList, summary="An asset's deposits (holder, oversight)")
def list_deposits(
    me: CurrentParticipant,
    services: ServicesDep,
    asset_id: Annotated[Hex32, Query(alias="assetId", description="The asset")],
) -> dict[str, Any]:
    """The asset's holder and oversight: the asset's deposits, newest first."""
    return {"items": [d.as_json() for d in services.delivery.deposits(me, asset_id)]}


# -- uses (the licensee) -------------------------------------------------------------------------------


@router.post(
    "/use-requests", response_model=PreparedDeliveryUse, summary="Prepare the DeliveryUse the licensee signs"
)
def prepare_delivery_use(
    body: DeliveryUseRequest, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """For the licensee: one use of the licence to sign off chain (EIP-712, the licence registry's
    domain). Refused when the licence is revoked, not yet valid or expired."""
    return services.delivery.prepare_use(me, body.licence_id, body.request_hash)


@router.post(
    "/uses",
    status_code=status.HTTP_201_CREATED,
    response_model=RedeemedUse,
    summary="Redeem a signed use (licensee): the licence's next use is reserved, exactly once",
)
def redeem_use(body: SignedDeliveryUse, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """The licensee presents the signed ``DeliveryUse``. The gateway checks the signature and the
    licence on chain, reserves its next use (409 licence-used-up once every use is taken), and
    records the uses on chain in batches. A replay gets 409 use-already-redeemed; a use signed for
    someone else, 403 use-not-yours."""
    return services.delivery.redeem(me, body.use.to_domain(), body.signature).as_json()


@router.post(
    "/content",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {OCTET_STREAM: _BINARY},
            "description": "The whole object; X-Delivery-Use names the use redeemed",
        }
    },
    summary="Redeem a signed use and receive the object in the same response (licensee)",
)
def redeem_and_fetch_content(
    body: SignedDeliveryUse, me: CurrentParticipant, services: ServicesDep
) -> StreamingResponse:
    """One request for one delivery: the gateway redeems the signed ``DeliveryUse`` exactly as ``POST
    /uses`` does (same checks, same refusals) and streams the whole object in the answer, its use's id
    in ``X-Delivery-Use``. Should the download break off, it resumes within the use's window with byte
    ranges on ``GET /uses/{useId}/content``. An asset delivered through the holder's API is refused
    (422) before the use is redeemed."""
    return _content_response(services.delivery.redeem_and_deliver(me, body.use.to_domain(), body.signature))


@router.post(
    "/chain-uses",
    status_code=status.HTTP_201_CREATED,
    response_model=RedeemedUse,
    summary="Redeem a use consumed on chain by useLicence (licensee)",
)
def redeem_chain_use(
    body: ChainUseRedemption, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The licensee names its ``useLicence`` transaction. The gateway reads it at once: an unknown or
    unmined transaction is 404 licence-use-not-found (no waiting); a use of another licence or asset
    is 409 licence-use-mismatch, of another licensee 403 use-not-yours."""
    return services.delivery.redeem_chain_use(me, body.licence_id, body.tx_hash, body.log_index).as_json()


@router.post(
    "/consent-uses",
    status_code=status.HTTP_201_CREATED,
    response_model=RedeemedUse,
    summary="Redeem a data subject's consent consumed on chain, for one call of a personal-data API",
)
def redeem_consent_use(
    body: ConsentUseRedemption, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The enterprise names its ``consumeConsent`` transaction and its licence of the asset. The gateway
    reads it at once: an unknown or unmined transaction, or one consuming no consent of this registry,
    is 404 consent-use-not-found (no waiting); a consent given to another enterprise is 403
    use-not-yours; withdrawn 409 consent-withdrawn, expired at the next block's time 409 consent-expired;
    the licence must be live. Redeemed once (409 use-already-redeemed). The one GET it then allows must
    be the request the consent was consumed for: ``requestHash`` = keccak256 of the RFC 8785 JSON of
    ``{type: "ConsentDeliveryRequest", assetId, subject, path, query}`` (else 409
    consent-request-mismatch)."""
    return services.delivery.redeem_consent_use(me, body.licence_id, body.tx_hash, body.log_index).as_json()


@router.get(
    "/uses/{useId}", response_model=RedeemedUse, summary="A redeemed use, with its proof against the chain"
)
def get_delivery_use(use_id: UseIdPath, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """Its consumer, the holder and oversight: the use, and where it stands on chain (a batched use's
    leaf, root, inclusion proof and ``recordUses`` transaction)."""
    return services.delivery.use(me, use_id)


@router.get("", response_model=RedeemedUseList, summary="The uses of a licence redeemed at the gateway")
def list_delivery_uses(
    me: CurrentParticipant,
    services: ServicesDep,
    licence_id: Annotated[int, Query(alias="licenceId", ge=1, le=2**63 - 1)],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The licence's parties and oversight: its redeemed uses, oldest first."""
    items = services.delivery.uses(me, licence_id, limit=limit, offset=offset)
    return {"items": items, "limit": limit, "offset": offset}


# -- delivery --------------------------------------------------------------------------------------------


@router.get(
    "/uses/{useId}/content",
    response_class=StreamingResponse,
    responses={
        200: {"content": {OCTET_STREAM: _BINARY}, "description": "The whole object"},
        206: {"content": {OCTET_STREAM: _BINARY}, "description": "The range asked (Content-Range)"},
    },
    summary="Fetch the object of a redeemed use (byte ranges resume within the use's window)",
)
def fetch_delivery_content(
    use_id: UseIdPath,
    me: CurrentParticipant,
    services: ServicesDep,
    range_header: Annotated[
        str | None, Header(alias="range", description="One byte range (bytes=start-end) to resume a download")
    ] = None,
) -> StreamingResponse:
    """The use's consumer: the object (200) or one byte range of it (206), streamed. ``X-Content-SHA256``
    carries the object's hash to check. The use allows requests until the object was sent whole or its
    window ends (409 delivery-window-closed); the first response leaves the signed receipt."""
    return _content_response(services.delivery.content(me, use_id, range_header))


def _content_response(delivery: ContentDelivery) -> StreamingResponse:
    served = delivery.range
    use_id = delivery.use.use_id
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Length": str(served.length),
        CONTENT_HASH_HEADER: delivery.content_hash,
        "ETag": f'"{delivery.content_hash}"',
        USE_HEADER: use_id,
        "X-Delivery-Receipt": f"{router.prefix}/uses/{use_id}/receipt",
    }
    if delivery.partial:
        headers["Content-Range"] = served.content_range()
    return StreamingResponse(
        delivery.body,
        status_code=status.HTTP_206_PARTIAL_CONTENT if delivery.partial else status.HTTP_200_OK,
        media_type=OCTET_STREAM,
        headers=headers,
    )


@router.get(
    "/uses/{useId}/api/{path:path}",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/json": {
                    "schema": {"description": "The holder's API's answer, as it gave it"},
                    "example": {"month": "2026-01", "sales": 1200},
                },
                "text/plain": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
                OCTET_STREAM: _BINARY,
            },
            "description": "The holder's API's answer, delivered once",
        }
    },
    summary="GET the holder's API through the gateway for a redeemed use (one call per use)",
)
def proxy_delivery_api(
    use_id: UseIdPath,
    path: str,
    request: Request,
    me: CurrentParticipant,
    services: ServicesDep,
) -> Response:
    """The use's consumer: one GET of ``path`` (with the query) on the holder's API; an answer below
    300 consumes the delivery and is hashed into its receipt (``X-Content-SHA256``). The API refusing,
    failing or not answering is 502 upstream-failed, and the use stays open within its window."""
    answer = services.delivery.proxy(me, use_id, path, request.url.query, request.headers.get("accept"))
    headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-type"}
    headers[CONTENT_HASH_HEADER] = "0x" + hashlib.sha256(answer.body).hexdigest()
    return Response(answer.body, status_code=answer.status, media_type=answer.media_type, headers=headers)


@router.get(
    "/uses/{useId}/receipt",
    response_model=DeliveryReceipt,
    summary="The signed receipt of a delivery, with its anchoring proof",
)
def get_delivery_receipt(use_id: UseIdPath, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """The consumer, the holder and oversight: the receipt (use, licence, consumer, time, hash of what
    was delivered), the gateway's signature and key, and the receipt's Merkle batch and anchor."""
    return services.delivery.receipt(me, use_id)


@router.get("/gateway-key", response_model=GatewayKeyView, summary="The gateway's receipt-signing key")
def delivery_gateway_key(services: ServicesDep) -> dict[str, Any]:
    """Anyone: the Ed25519 public key that signs every delivery receipt."""
    return {"algorithm": "Ed25519", "publicKey": services.delivery.public_key}
