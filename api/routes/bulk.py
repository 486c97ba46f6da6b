"""Bulk registration: many holder-signed assets per request, stored durably and anchored in batches.

* ``POST /v1/bulk/assets/registration-requests``: the EIP-712 messages to sign, with batched nonces.
* ``POST /v1/bulk/assets[?wait=true]``: submit signed items. A malformed body is refused whole
  (problem+json 422). A well-formed body is answered item by item, in request order: valid items
  are stored and queued for anchoring (``queued``, or ``anchored`` when ``wait=true`` and the anchor
  came within ``timeout``), each refused item carries its problem (code, title, detail) and does not
  refuse the others. 202 while anything accepted is still queued, else 200.
* ``GET /v1/bulk/assets/{assetId}``: the batched registration and its anchoring state.
* ``GET /v1/bulk/assets/{assetId}/anchor``: 200 with batch id, root, transaction, leaf index and
  inclusion proof once anchored; 202 ``{"status": "pending" | "sealed"}`` before.
* ``POST /v1/bulk/assets/{assetId}/materialise``: bring an anchored batched registration into the
  registry contract's storage (by its holder, a registrar or an administrator); 201 with the asset,
  now ``registered`` and awaiting the formal review like any other. The first act asked on a batched
  asset (a review, a holder's act) materialises it by itself.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import Field

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.ports import AnchoringServices, ApiServices
from dataledger.api.problems import PROBLEM_BASE, http_status_of
from dataledger.api.responses.bulk import (
    ANCHORED_REGISTRATION_ANCHOR_EXAMPLE,
    BATCHED_REGISTRATION_EXAMPLE,
    PENDING_REGISTRATION_ANCHOR_EXAMPLE,
    BatchedRegistration,
    BatchedRegistrationPublic,
    BulkResult,
    MaterialisedRegistration,
    PreparedBulk,
    RegistrationAnchor,
    RegistrationAnchorPending,
)
from dataledger.api.schemas import MAX_INT64, AssetFactsBody, AssetIdPath, Body
from dataledger.registry.batched_registrations import (
    MAX_BATCH_NONCE_INDEX,
    MAX_ITEMS_PER_REQUEST,
    REGISTRATION_KIND,
    BatchedRegistrationRequest,
    BulkItemResult,
    BulkPreparation,
)
from dataledger.registry.errors import ConfigurationError
from dataledger.registry.visibility import oversees

router = APIRouter(prefix="/v1/bulk", tags=["bulk"])

MAX_WAIT_S = 60.0

Salt = Annotated[str, Field(pattern=r"^0x[0-9a-f]{32,64}$")]
# Any uint256 is well formed; one outside the batched nonce space is refused item by item.
BatchedNonce = Annotated[
    int,
    Field(ge=0, lt=2**256, description="2**255 + k (0 <= k < 2**63), as a JSON number or a decimal string"),
]


class BulkPrepareItem(Body):
    facts: AssetFactsBody
    salt: Salt | None = None
    nonce_index: int | None = Field(
        default=None, ge=0, le=MAX_BATCH_NONCE_INDEX, description="k of the nonce 2**255 + k; default random"
    )


class BulkPrepare(Body):
    items: Annotated[list[BulkPrepareItem], Field(min_length=1, max_length=MAX_ITEMS_PER_REQUEST)]
    deadline: int | None = Field(default=None, ge=0, le=MAX_INT64, description="default: one hour from now")


class BulkItem(Body):
    facts: AssetFactsBody
    salt: Salt
    nonce: BatchedNonce
    deadline: Annotated[int, Field(ge=0, le=MAX_INT64)]
    signature: Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{130}$")]


class BulkSubmit(Body):
    items: Annotated[list[BulkItem], Field(min_length=1, max_length=MAX_ITEMS_PER_REQUEST)]


def _anchoring(services: ApiServices) -> AnchoringServices:
    anchoring = services.anchoring
    if anchoring is None:
        raise ConfigurationError("batch anchoring is not configured in this server")
    return anchoring


@router.post(
    "/assets/registration-requests",
    response_model=PreparedBulk,
    summary="Prepare the EIP-712 messages a holder signs to register assets in batches",
)
def prepare_bulk_registration(
    body: BulkPrepare, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """For an enterprise with a chain address: one ``Registration`` to sign per item, each with a batched
    nonce (2**255 + k, as a string) and the asset id it will have."""
    items = [BulkPreparation(i.facts.to_domain(), i.salt, i.nonce_index) for i in body.items]
    return {"items": _anchoring(services).bulk.prepare_many(me, items, body.deadline)}


@router.post(
    "/assets",
    summary="Register many holder-signed assets; anchored in Merkle batches",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=BulkResult,
    responses={
        202: {"description": "some accepted item is still queued for its anchor"},
        200: {"model": BulkResult, "description": "every accepted item is anchored (or none was accepted)"},
    },
)
def register_bulk(
    body: BulkSubmit,
    me: CurrentParticipant,
    services: ServicesDep,
    response: Response,
    wait: Annotated[bool, Query(description="wait until the accepted items are anchored")] = False,
    timeout: Annotated[float, Query(gt=0, le=MAX_WAIT_S, description="seconds to wait at most")] = 10.0,
) -> dict[str, Any]:
    """For an enterprise: every item is checked like a direct registration and answered in request order;
    a refused item carries its problem and does not refuse the others (a malformed body is refused
    whole, 422). 202 while an accepted item waits for its anchor, else 200."""
    anchoring = _anchoring(services)
    requests = [
        BatchedRegistrationRequest(
            item.facts.to_domain(), item.salt, item.nonce, item.deadline, item.signature
        )
        for item in body.items
    ]
    results = anchoring.bulk.register_many(me, requests)
    accepted = [r.asset_id for r in results if r.accepted and r.asset_id is not None]
    anchored = (
        bool(accepted) and wait and anchoring.batcher.wait_anchored(REGISTRATION_KIND, accepted, timeout)
    )
    item_status = "anchored" if anchored else "queued"
    items = [_item_json(result, item_status) for result in results]
    pending = bool(accepted) and not anchored
    response.status_code = status.HTTP_202_ACCEPTED if pending else status.HTTP_200_OK
    return {"accepted": len(accepted), "rejected": len(results) - len(accepted), "items": items}


@router.get(
    "/assets/{assetId}",
    response_model=BatchedRegistration | BatchedRegistrationPublic,
    responses={200: {"content": {"application/json": {"example": BATCHED_REGISTRATION_EXAMPLE}}}},
    summary="A batched registration and its anchoring state",
)
def get_batched_registration(
    asset_id: AssetIdPath, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """Any participant: the registration and where its anchoring stands. Its holder and oversight see it
    whole (facts, salt, leaf fields); anyone else the public view."""
    anchoring = _anchoring(services)
    record = anchoring.registrations.get(asset_id)
    inclusion = anchoring.registrations.inclusion(record.asset_id)
    body: dict[str, Any] = {
        "assetId": record.asset_id,
        "holderId": record.holder_id,
        "holderAddress": record.holder_address,
        "contentHash": record.facts.content_hash,
        "metadataHash": record.metadata_hash,
        "leaf": record.leaf,
        "status": inclusion.status,
    }
    if oversees(me) or me.id == record.holder_id:
        body.update(facts=record.facts.wire_json(), salt=record.salt, leafFields=record.leaf_fields())
    else:  # the public view: nothing the leaf holds only as a salted commitment
        body.update(name=record.facts.name, rightClaimed=record.facts.right_claimed.value, view="public")
    return body


@router.get(
    "/assets/{assetId}/anchor",
    summary="The anchor and inclusion proof of a batched registration (202 while pending)",
    response_model=RegistrationAnchor,
    responses={
        200: {
            "description": "anchored: the leaf, the proof and the anchor transaction",
            "content": {"application/json": {"example": ANCHORED_REGISTRATION_ANCHOR_EXAMPLE}},
        },
        202: {
            "model": RegistrationAnchorPending,
            "description": "accepted but not anchored yet",
            "content": {"application/json": {"example": PENDING_REGISTRATION_ANCHOR_EXAMPLE}},
        },
    },
)
def get_batch_anchor(
    asset_id: AssetIdPath, _: CurrentParticipant, services: ServicesDep, response: Response
) -> dict[str, Any]:
    """Any participant: the registration's leaf fields and inclusion proof, verifiable offline and, once
    anchored (200), against the anchor registry on chain; 202 while pending or sealed."""
    anchoring = _anchoring(services)
    record = anchoring.registrations.get(asset_id)
    inclusion = anchoring.registrations.inclusion(record.asset_id)
    body = {"assetId": record.asset_id, "leafFields": record.leaf_fields(), **inclusion.as_json()}
    anchored = inclusion.status == "anchored"
    response.status_code = status.HTTP_200_OK if anchored else status.HTTP_202_ACCEPTED
    return body


@router.post(
    "/assets/{assetId}/materialise",
    summary="Materialise an anchored batched registration in the registry contract",
    status_code=status.HTTP_201_CREATED,
    response_model=MaterialisedRegistration,
)
def materialise_registration(
    asset_id: AssetIdPath, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """Its holder, a registrar or an administrator: present the anchored registration to the registry
    contract. Refused while its batch is not anchored (batch-not-anchored) and once done
    (already-materialised)."""
    anchoring = _anchoring(services)
    record = anchoring.materialisation.materialise_for(me, asset_id)
    inclusion = anchoring.registrations.inclusion(record.asset_id)
    return {"asset": record.as_json(), "anchor": inclusion.as_json()}


def _item_json(result: BulkItemResult, accepted_status: str) -> dict[str, Any]:
    if result.error is None:
        return {"index": result.index, "status": accepted_status, "assetId": result.asset_id}
    error = result.error
    return {
        "index": result.index,
        "status": "rejected",
        "assetId": result.asset_id,
        "problem": {
            "type": PROBLEM_BASE + error.code,
            "code": error.code,
            "title": error.title,
            "status": http_status_of(error),
            "detail": error.detail,
            **{k: v if isinstance(v, str | int | bool | None) else str(v) for k, v in error.extra.items()},
        },
    }
