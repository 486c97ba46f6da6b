"""Licences on certified assets: granted by the holder, consumed one use at a time by the licensee."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.schemas import (
    LicenceId,
    LicencePrepare,
    LicenceSubmit,
    Offset,
    ReasonPrepare,
    ReasonSubmit,
    RequestHashBody,
    RequestHashSubmit,
)
from dataledger.registry.licences import LicenceOffer

router = APIRouter(prefix="/v1/licences", tags=["licences"])


def _offer(body: LicencePrepare | LicenceSubmit, valid_from: int) -> LicenceOffer:
    return LicenceOffer(
        asset_id=body.asset_id,
        licensee=body.licensee,
        scope=body.scope,
        purpose=body.purpose,
        valid_from=valid_from,
        valid_until=body.valid_until,
        max_uses=body.max_uses,
        derivatives_allowed=body.derivatives_allowed,
        commercial=body.commercial,
        territory=body.territory,
        asset_version=body.asset_version,
    )


@router.post("/requests", summary="Prepare the EIP-712 licence the holder signs")
def prepare_licence(body: LicencePrepare, me: CurrentParticipant, services: ServicesDep) -> dict:
    valid_from = body.valid_from if body.valid_from is not None else services.registry.next_block_timestamp()
    return services.licensing.prepare_grant(me, _offer(body, valid_from), body.salt)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Grant a licence (holder-signed)")
def grant_licence(body: LicenceSubmit, me: CurrentParticipant, services: ServicesDep) -> dict:
    offer = _offer(body, body.valid_from)
    return services.licensing.grant(me, offer, body.salt, body.nonce, body.deadline, body.signature)


@router.get("", summary="Licences, by asset or licensee (an enterprise sees those it granted or holds)")
def list_licences(
    me: CurrentParticipant,
    services: ServicesDep,
    asset_id: Annotated[str | None, Query(alias="assetId")] = None,
    licensee: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> dict:
    items = services.licensing.licences(me, asset_id=asset_id, licensee=licensee, limit=limit, offset=offset)
    return {"items": items, "limit": limit, "offset": offset}


@router.get("/{licence_id}", summary="A licence, with the chain's count of uses")
def get_licence(licence_id: LicenceId, me: CurrentParticipant, services: ServicesDep) -> dict:
    return services.licensing.get(me, licence_id)


@router.post("/{licence_id}/use-requests", summary="Prepare the EIP-712 use the licensee signs")
def prepare_use(
    licence_id: LicenceId, body: RequestHashBody, me: CurrentParticipant, services: ServicesDep
) -> dict:
    return services.licensing.prepare_use(me, licence_id, body.request_hash)


@router.post(
    "/{licence_id}/uses",
    status_code=status.HTTP_201_CREATED,
    summary="Consume one use of the licence (licensee-signed); refused when used up, expired or revoked",
)
def use(
    licence_id: LicenceId, body: RequestHashSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict:
    return services.licensing.use(
        me, licence_id, body.request_hash, body.nonce, body.deadline, body.signature
    )


@router.post("/{licence_id}/revocation-requests", summary="Prepare the revocation of a licence (holder)")
def prepare_revocation(
    licence_id: LicenceId, body: ReasonPrepare, me: CurrentParticipant, services: ServicesDep
) -> dict:
    return services.licensing.prepare_revocation(me, licence_id, body.reason)


@router.post("/{licence_id}/revocation", summary="Revoke a licence (holder-signed)")
def revoke(licence_id: LicenceId, body: ReasonSubmit, me: CurrentParticipant, services: ServicesDep) -> dict:
    return services.licensing.revoke(me, licence_id, body.reason, body.nonce, body.deadline, body.signature)
