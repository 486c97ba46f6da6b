"""Acts on a certified asset signed by its holder or pledgee: change, transfer, pledge, release,
enforcement, cancellation; and renewal of the certificate by the registrar.

Each signed act has a ``…-requests`` route answering the EIP-712 message to sign, and a route taking
the signature, which relays the act to the chain.
"""

from __future__ import annotations

from fastapi import APIRouter, status

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.schemas import (
    ChangePrepare,
    ChangeSubmit,
    PledgePrepare,
    PledgeSubmit,
    Signed,
    TransferPrepare,
    TransferSubmit,
)
from dataledger.registry.visibility import pledge_view

router = APIRouter(prefix="/v1/assets", tags=["holder acts"])


@router.post(
    "/{asset_id}/change-requests", summary="Prepare the change to a new version of the data (holder)"
)
def prepare_change(asset_id: str, body: ChangePrepare, me: CurrentParticipant, services: ServicesDep) -> dict:
    return services.holder_acts.prepare_change(me, asset_id, body.facts.to_domain(), body.salt)


@router.post(
    "/{asset_id}/changes",
    status_code=status.HTTP_201_CREATED,
    summary="Record a new version of the data; the certificate is reissued for it (holder-signed)",
)
def change(asset_id: str, body: ChangeSubmit, me: CurrentParticipant, services: ServicesDep) -> dict:
    return services.holder_acts.change(
        me, asset_id, body.facts.to_domain(), body.salt, body.nonce, body.deadline, body.signature
    )


@router.get("/{asset_id}/versions", summary="Every version of the asset's data (the version chain)")
def versions(asset_id: str, _: CurrentParticipant, services: ServicesDep) -> dict:
    record = services.registration.get_asset(asset_id)
    return {"assetId": record.asset_id, "items": services.store.versions(record.asset_id)}


@router.post("/{asset_id}/transfer-requests", summary="Prepare the transfer of the rights (holder)")
def prepare_transfer(
    asset_id: str, body: TransferPrepare, me: CurrentParticipant, services: ServicesDep
) -> dict:
    return services.holder_acts.prepare_transfer(me, asset_id, body.to)


@router.post(
    "/{asset_id}/transfers",
    status_code=status.HTTP_201_CREATED,
    summary="Transfer the rights; the new holder receives a new certificate (holder-signed)",
)
def transfer(asset_id: str, body: TransferSubmit, me: CurrentParticipant, services: ServicesDep) -> dict:
    return services.holder_acts.transfer(me, asset_id, body.to, body.nonce, body.deadline, body.signature)


@router.post("/{asset_id}/pledge-requests", summary="Prepare the pledge of the asset to a pledgee (holder)")
def prepare_pledge(asset_id: str, body: PledgePrepare, me: CurrentParticipant, services: ServicesDep) -> dict:
    return services.holder_acts.prepare_pledge(me, asset_id, body.pledgee, body.terms, body.salt)


@router.post(
    "/{asset_id}/pledges", status_code=status.HTTP_201_CREATED, summary="Pledge the asset (holder-signed)"
)
def pledge(asset_id: str, body: PledgeSubmit, me: CurrentParticipant, services: ServicesDep) -> dict:
    return services.holder_acts.pledge(
        me, asset_id, body.pledgee, body.terms, body.salt, body.nonce, body.deadline, body.signature
    )


@router.get("/{asset_id}/pledges", summary="The pledges of the asset, active and ended")
def pledges(asset_id: str, me: CurrentParticipant, services: ServicesDep) -> dict:
    record = services.registration.get_asset(asset_id)
    return {"items": [pledge_view(me, p) for p in services.lifecycle_store.pledges_of(record.asset_id)]}


@router.post("/{asset_id}/pledge-release-requests", summary="Prepare the release of the pledge (pledgee)")
def prepare_release(asset_id: str, me: CurrentParticipant, services: ServicesDep) -> dict:
    return services.holder_acts.prepare_pledgee_act(me, asset_id, "PledgeRelease")


@router.post("/{asset_id}/pledge-release", summary="Release the pledge (pledgee-signed)")
def release(asset_id: str, body: Signed, me: CurrentParticipant, services: ServicesDep) -> dict:
    return services.holder_acts.release(me, asset_id, body.nonce, body.deadline, body.signature)


@router.post(
    "/{asset_id}/pledge-enforcement-requests", summary="Prepare the enforcement of the pledge (pledgee)"
)
def prepare_enforcement(asset_id: str, me: CurrentParticipant, services: ServicesDep) -> dict:
    return services.holder_acts.prepare_pledgee_act(me, asset_id, "PledgeEnforcement")


@router.post(
    "/{asset_id}/pledge-enforcement",
    summary="Enforce the pledge: the rights pass to the pledgee with a new certificate (pledgee-signed)",
)
def enforce(asset_id: str, body: Signed, me: CurrentParticipant, services: ServicesDep) -> dict:
    return services.holder_acts.enforce(me, asset_id, body.nonce, body.deadline, body.signature)


@router.post(
    "/{asset_id}/cancellation-requests", summary="Prepare the cancellation of the registration (holder)"
)
def prepare_cancellation(asset_id: str, me: CurrentParticipant, services: ServicesDep) -> dict:
    return services.holder_acts.prepare_cancellation(me, asset_id)


@router.post("/{asset_id}/cancellation", summary="Cancel the registration (holder-signed; not while pledged)")
def cancel(asset_id: str, body: Signed, me: CurrentParticipant, services: ServicesDep) -> dict:
    return services.holder_acts.cancel(me, asset_id, body.nonce, body.deadline, body.signature).as_json()


@router.post(
    "/{asset_id}/renewal",
    status_code=status.HTTP_201_CREATED,
    summary="Renew the registration before its certificate expires (registrar only)",
)
def renew(asset_id: str, me: CurrentParticipant, services: ServicesDep) -> dict:
    return services.registration.renew_certificate(me, asset_id)
