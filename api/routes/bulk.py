"""Bulk registration: many holder-signed assets per request, stored durably and anchored in batches.

* ``POST /v1/bulk/assets/registration-requests``: the EIP-712 messages to sign, with batched nonces.
* ``POST /v1/bulk/assets[?wait=true]``: submit signed items. A malformed body is refused whole
  (problem+json 422). A well-formed body is answered item by item, in request order: valid items
  are stored and queued for anchoring (``queued``, or ``anchored`` when ``wait=true`` and the anchor
  came within ``timeout``), each refused item carries its problem (code, title, detail) and does not
  refuse the others. 202 while anything accepted is still queued, else 200.
* ``GET /v1/bulk/assets/{asset_id}``: the batched registration and its anchoring state.
* ``GET /v1/bulk/assets/{asset_id}/anchor``: 200 with batch id, root, transaction, leaf index and
  inclusion proof once anchored; 202 ``{"status": "pending" | "sealed"}`` before.
* ``POST /v1/bulk/assets/{asset_id}/materialise``: bring an anchored batched registration into the
  registry contract's storage (by its holder, a registrar or an administrator); 201 with the asset,
  now ``registered`` and awaiting the formal review like any other. The first act asked on a batched
  asset (a review, a holder's act) materialises it by itself.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse
from pydantic import Field

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.ports import AnchoringServices, ApiServices
from dataledger.api.problems import PROBLEM_BASE, http_status_of
from dataledger.api.schemas import MAX_INT64, AssetFactsBody, Body
from dataledger.registry.assets import metadata_commitment, new_salt
from dataledger.registry.batched_registrations import (
    MAX_BATCH_NONCE_INDEX,
    MAX_ITEMS_PER_REQUEST,
    REGISTRATION_KIND,
    BatchedRegistrationRequest,
    BulkItemResult,
    asset_id_bytes,
    batched_nonce,
)
from dataledger.registry.errors import ConfigurationError, ValidationFailed
from dataledger.registry.holder_signatures import RegistrationAuthorisation
from dataledger.registry.participants import Participant, Role
from dataledger.registry.visibility import oversees

router = APIRouter(prefix="/v1/bulk", tags=["bulk"])

DEFAULT_SIGNATURE_LIFETIME_S = 3600
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
    summary="Prepare the EIP-712 messages a holder signs to register assets in batches",
)
def prepare_bulk(body: BulkPrepare, me: CurrentParticipant, services: ServicesDep) -> dict:
    me.require_role(Role.ENTERPRISE)
    holder = _address_of(me)
    bulk = _anchoring(services).bulk
    deadline = body.deadline or services.registry.next_block_timestamp() + DEFAULT_SIGNATURE_LIFETIME_S
    prepared = []
    for item in body.items:
        facts = item.facts.to_domain()
        salt = item.salt or new_salt()
        index = item.nonce_index if item.nonce_index is not None else secrets.randbits(63)
        metadata_hash = metadata_commitment(facts, holder, salt)
        auth = RegistrationAuthorisation(
            holder, facts.content_hash, metadata_hash, batched_nonce(index), deadline
        )
        typed = auth.typed_data(bulk.domain)
        typed["message"]["nonce"] = str(auth.nonce)  # beyond 2**53: JSON clients need it as a string
        prepared.append(
            {
                "assetId": "0x" + asset_id_bytes(holder, facts.content_hash, metadata_hash).hex(),
                "salt": salt,
                "nonce": str(auth.nonce),
                "deadline": deadline,
                "metadataHash": metadata_hash,
                "typedData": typed,
            }
        )
    return {"items": prepared}


@router.post(
    "/assets",
    summary="Register many holder-signed assets; anchored in Merkle batches",
    status_code=status.HTTP_202_ACCEPTED,
    responses={200: {"description": "every accepted item is anchored (or none was accepted)"}},
)
def register_bulk(
    body: BulkSubmit,
    me: CurrentParticipant,
    services: ServicesDep,
    wait: Annotated[bool, Query(description="wait until the accepted items are anchored")] = False,
    timeout: Annotated[float, Query(gt=0, le=MAX_WAIT_S, description="seconds to wait at most")] = 10.0,
) -> JSONResponse:
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
    return JSONResponse(
        {"accepted": len(accepted), "rejected": len(results) - len(accepted), "items": items},
        status_code=status.HTTP_202_ACCEPTED if pending else status.HTTP_200_OK,
    )


@router.get("/assets/{asset_id}", summary="A batched registration and its anchoring state")
def get_batched(asset_id: str, me: CurrentParticipant, services: ServicesDep) -> dict:
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
        body.update(facts=record.facts.as_json(), salt=record.salt, leafFields=record.leaf_fields())
    else:  # the public view: nothing the leaf holds only as a salted commitment
        body.update(name=record.facts.name, rightClaimed=record.facts.right_claimed.value, view="public")
    return body


@router.get(
    "/assets/{asset_id}/anchor",
    summary="The anchor and inclusion proof of a batched registration (202 while pending)",
    responses={202: {"description": "accepted but not anchored yet"}},
)
def get_anchor(asset_id: str, _: CurrentParticipant, services: ServicesDep) -> JSONResponse:
    anchoring = _anchoring(services)
    record = anchoring.registrations.get(asset_id)
    inclusion = anchoring.registrations.inclusion(record.asset_id)
    body = {"assetId": record.asset_id, "leafFields": record.leaf_fields(), **inclusion.as_json()}
    anchored = inclusion.status == "anchored"
    return JSONResponse(body, status_code=status.HTTP_200_OK if anchored else status.HTTP_202_ACCEPTED)


@router.post(
    "/assets/{asset_id}/materialise",
    summary="Materialise an anchored batched registration in the registry contract",
    status_code=status.HTTP_201_CREATED,
)
def materialise(asset_id: str, me: CurrentParticipant, services: ServicesDep) -> dict:
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


def _address_of(participant: Participant) -> str:
    if participant.address is None:
        raise ValidationFailed("this participant has no chain address", field="address")
    return participant.address
