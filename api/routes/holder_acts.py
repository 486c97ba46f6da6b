"""Acts on a certified asset signed by its holder: change, transfer, cancellation (pledges are in
``pledges``, a registrar's renewal in ``procedure``).

Each signed act has a ``…-requests`` route answering the EIP-712 message to sign, and a route taking
the signature, which relays the act to the chain.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.responses.assets import Asset, AssetVersions, PreparedAct
from dataledger.api.responses.holder_acts import (
    FactsChanged,
    PreparedChange,
)
from dataledger.api.schemas import (
    AssetIdPath,
    ChangePrepare,
    ChangeSubmit,
    Signed,
    TransferPrepare,
    TransferSubmit,
)

router = APIRouter(prefix="/v1/assets", tags=["holder acts"])


@router.post(
    "/{assetId}/change-requests",
    response_model=PreparedChange,
    summary="Prepare the change to a new version of the data (holder)",
)
def prepare_change(
    asset_id: AssetIdPath, body: ChangePrepare, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The holder gets the change to sign, with the salt and the new metadata commitment. 403 for anyone
    but the holder; 422 when the change alters the right claimed."""
    return services.holder_acts.prepare_change(me, asset_id, body.facts.to_domain(), body.salt)


@router.post(
    "/{assetId}/changes",
    status_code=status.HTTP_201_CREATED,
    response_model=FactsChanged,
    response_model_exclude_unset=True,
    summary="Record a new version of the data; a registrar then reissues the certificate (holder-signed)",
)
def change_asset(
    asset_id: AssetIdPath, body: ChangeSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The holder submits the signed change; the chain records the new version, and a registrar issues
    the certificate that supersedes the current one. 409 unless the asset is certified; 422 for a bad
    signature."""
    return services.holder_acts.change(
        me, asset_id, body.facts.to_domain(), body.salt, body.nonce, body.deadline, body.signature
    )


@router.get(
    "/{assetId}/versions",
    response_model=AssetVersions,
    summary="Every version of the asset's data (the version chain)",
)
def asset_versions(asset_id: AssetIdPath, _: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """Any participant: each version's facts and commitments, oldest first, with where it was recorded.
    404 for an unknown asset."""
    return services.asset_queries.versions(asset_id)


@router.post(
    "/{assetId}/transfer-requests",
    response_model=PreparedAct,
    summary="Prepare the transfer of the rights (holder)",
)
def prepare_transfer(
    asset_id: AssetIdPath, body: TransferPrepare, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The holder gets the transfer to sign. 403 for anyone but the holder; 422 when ``to`` is not a
    participant's chain address."""
    return services.holder_acts.prepare_transfer(me, asset_id, body.to)


@router.post(
    "/{assetId}/transfers",
    status_code=status.HTTP_201_CREATED,
    response_model=FactsChanged,
    response_model_exclude_unset=True,
    summary="Transfer the rights; a registrar then issues the new holder's certificate (holder-signed)",
)
def transfer_asset(
    asset_id: AssetIdPath, body: TransferSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The holder submits the signed transfer; the chain records it, and a registrar issues the
    certificate in the new holder's name. 409 while pledged or unless certified."""
    return services.holder_acts.transfer(me, asset_id, body.to, body.nonce, body.deadline, body.signature)


@router.post(
    "/{assetId}/cancellation-requests",
    response_model=PreparedAct,
    summary="Prepare the cancellation of the registration (holder)",
)
def prepare_cancellation(
    asset_id: AssetIdPath, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The holder gets the cancellation to sign. 403 for anyone but the holder."""
    return services.holder_acts.prepare_cancellation(me, asset_id)


@router.post(
    "/{assetId}/cancellation",
    response_model=Asset,
    summary="Cancel the registration (holder-signed; not while pledged)",
)
def cancel_registration(
    asset_id: AssetIdPath, body: Signed, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The holder submits the signed cancellation (or withdraws the application); the asset and its
    valid certificates end as ``cancelled``. 409 while pledged."""
    return services.holder_acts.cancel(me, asset_id, body.nonce, body.deadline, body.signature).as_json()
