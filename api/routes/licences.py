"""Licences on certified assets: granted by the holder, consumed one use at a time by the licensee."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.responses.assets import PreparedAct
from dataledger.api.responses.licences import Licence, LicenceList, LicenceUsed, PreparedLicence
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
from dataledger.registry.market.licence_templates import Exclusivity

router = APIRouter(prefix="/v1/licences", tags=["licences"])


def _offer(body: LicencePrepare | LicenceSubmit) -> LicenceOffer:
    return LicenceOffer(
        asset_id=body.asset_id,
        licensee=body.licensee,
        scope=body.scope,
        purpose=body.purpose,
        valid_from=body.valid_from,  # on a preparation, None: from the next block
        valid_until=body.valid_until,
        max_uses=body.max_uses,
        derivatives_allowed=body.derivatives_allowed,
        commercial=body.commercial,
        territory=body.territory,
        asset_version=body.asset_version,
        exclusivity=Exclusivity(body.exclusivity),
    )


@router.post(
    "/requests", response_model=PreparedLicence, summary="Prepare the EIP-712 licence the holder signs"
)
def prepare_licence(body: LicencePrepare, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """For the holder of a certified asset: the licence to sign, its salted commitments and terms.

    Refused (409) unless the asset is certified, and (403) to anyone but its holder; the licensee must be
    the chain address of a participant.
    """
    return services.licensing.prepare_grant(me, _offer(body), body.salt)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Licence,
    summary="Grant a licence (holder-signed)",
)
def grant_licence(body: LicenceSubmit, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """The holder submits the signed licence; the licence registry records it and the licence is returned.

    The same checks as the preparation, and the signature's (invalid, expired, nonce replayed).
    """
    offer = _offer(body)
    return services.licensing.grant(me, offer, body.salt, body.nonce, body.deadline, body.signature)


@router.get(
    "",
    response_model=LicenceList,
    summary="Licences, by asset or licensee (an enterprise sees those it granted or holds)",
)
def list_licences(
    me: CurrentParticipant,
    services: ServicesDep,
    asset_id: Annotated[str | None, Query(alias="assetId")] = None,
    licensee: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Any participant: licences in id order; oversight (registrar, auditor, administrator) sees them all,
    anyone else only the licences it granted or holds."""
    items = services.licensing.licences(me, asset_id=asset_id, licensee=licensee, limit=limit, offset=offset)
    return {"items": items, "limit": limit, "offset": offset}


@router.get("/{licenceId}", response_model=Licence, summary="A licence, with the chain's count of uses")
def get_licence(licence_id: LicenceId, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """The licence's parties and oversight: the licence with the chain's count of uses and revocation.

    To anyone else it does not exist (404 licence-not-found).
    """
    return services.licensing.get(me, licence_id)


@router.post(
    "/{licenceId}/use-requests",
    response_model=PreparedAct,
    summary="Prepare the EIP-712 use the licensee signs",
)
def prepare_licence_use(
    licence_id: LicenceId, body: RequestHashBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """For the licensee: the ``LicenceUse`` of one request (by its hash) to sign.

    Refused when the licence is revoked, not yet valid, expired, used up or voided by an enforcement,
    or when its asset is no longer certified.
    """
    return services.licensing.prepare_use(me, licence_id, body.request_hash)


@router.post(
    "/{licenceId}/uses",
    status_code=status.HTTP_201_CREATED,
    response_model=LicenceUsed,
    summary="Consume one use of the licence (licensee-signed); refused when used up, expired or revoked",
)
def use_licence(
    licence_id: LicenceId, body: RequestHashSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The licensee submits the signed use: the licence registry consumes one use and records the
    request's hash; the licence and the use are returned. The same refusals as the preparation."""
    return services.licensing.use(
        me, licence_id, body.request_hash, body.nonce, body.deadline, body.signature
    )


@router.post(
    "/{licenceId}/revocation-requests",
    response_model=PreparedAct,
    summary="Prepare the revocation of a licence (holder)",
)
def prepare_licence_revocation(
    licence_id: LicenceId, body: ReasonPrepare, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """For the asset's holder: the ``LicenceRevocation`` to sign, committing to the reason.

    Refused (403) to anyone but the holder, and (409) when the licence is already revoked.
    """
    return services.licensing.prepare_revocation(me, licence_id, body.reason)


@router.post("/{licenceId}/revocation", response_model=Licence, summary="Revoke a licence (holder-signed)")
def revoke_licence(
    licence_id: LicenceId, body: ReasonSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The holder submits the signed revocation; the licence, now revoked with its reason, is returned.

    The same refusals as the preparation, and the signature's.
    """
    return services.licensing.revoke(me, licence_id, body.reason, body.nonce, body.deadline, body.signature)
