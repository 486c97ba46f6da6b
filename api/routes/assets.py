from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.responses.assets import (
    REVOKED_ASSET_PUBLIC_EXAMPLE,
    Asset,
    AssetHistory,
    AssetList,
    AssetPublic,
    PreparedRegistration,
)
from dataledger.api.responses.certificates import AssetCertificates
from dataledger.api.schemas import (
    MAX_INT64,
    AssetIdPath,
    Offset,
    RegistrationPrepare,
    RegistrationSubmit,
)
from dataledger.registry.asset_queries import HistoryQuery
from dataledger.registry.registration_service import RegistrationRequest
from dataledger.registry.visibility import asset_view

router = APIRouter(prefix="/v1/assets", tags=["assets"])


@router.post(
    "/registration-requests",
    response_model=PreparedRegistration,
    summary="Prepare the EIP-712 message a holder signs to register an asset",
)
def prepare_registration(
    body: RegistrationPrepare, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """An enterprise with a chain address gets the registration to sign, with a fresh salt (unless it
    gives one), its next nonce and a deadline. Nothing is stored; 403 for other roles, 422 without an
    address."""
    return services.registration.prepare_registration(me, body.facts.to_domain(), body.salt, body.deadline)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Asset,
    summary="Register an asset (holder-signed, relayed on chain)",
)
def register_asset(body: RegistrationSubmit, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """The enterprise submits the signed registration; the registry checks the signature, nonce and
    content hash, relays it to the chain and answers the asset with its chain evidence. 409 when the
    asset or its content is already registered or the nonce was used; 422 for a bad signature."""
    request = RegistrationRequest(
        body.facts.to_domain(), body.salt, body.nonce, body.deadline, body.signature
    )
    return services.registration.register(me, request).as_json()


@router.get(
    "",
    response_model=AssetList,
    summary="List assets (enterprises see their own; others see public views unless oversight)",
)
def list_assets(
    me: CurrentParticipant,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Any participant: an enterprise lists the assets it holds; the other roles list every asset, each
    whole for oversight (registrar, auditor, administrator) and public for exchanges."""
    items = services.asset_queries.list_for(me, limit=limit, offset=offset)
    return {"items": items, "limit": limit, "offset": offset}


@router.get(
    "/{assetId}",
    response_model=Asset | AssetPublic,
    responses={
        status.HTTP_200_OK: {
            "description": "The asset whole, or its public view (``view: public``)",
            "content": {"application/json": {"example": REVOKED_ASSET_PUBLIC_EXAMPLE}},
        }
    },
    summary="An asset with its chain evidence: whole for its holder, the registrar and auditors, "
    "else its public view (no facts beyond the name, no salt)",
)
def get_asset(asset_id: AssetIdPath, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """Any participant. The public view is marked ``view: public``; 404 when no asset has this id
    (a batched registration not yet on chain is under ``/v1/bulk/assets``)."""
    return asset_view(me, services.registration.get_asset(asset_id))


@router.get(
    "/{assetId}/history",
    response_model=AssetHistory,
    response_model_exclude_unset=True,
    summary="The asset's acts (who, when, tx hash, block, log index), filterable, paginated, checkable",
)
def asset_history(
    asset_id: AssetIdPath,
    me: CurrentParticipant,
    services: ServicesDep,
    act: Annotated[str | None, Query(description="Only this act, e.g. transferred")] = None,
    actor: Annotated[str | None, Query(description="Only acts by this address")] = None,
    from_block: Annotated[int | None, Query(alias="fromBlock", ge=0, le=MAX_INT64)] = None,
    to_block: Annotated[int | None, Query(alias="toBlock", ge=0, le=MAX_INT64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
    check: Annotated[bool, Query(description="Check each entry against the chain")] = False,
) -> dict[str, Any]:
    """Any participant; each act's detail (reasons, terms, purposes) only for those who see the asset
    whole. With ``check=true`` each entry says whether the chain confirms it. 404 for an unknown asset."""
    query = HistoryQuery(act, actor, from_block, to_block, limit, offset, check)
    return services.asset_queries.history(me, asset_id, query)


@router.get(
    "/{assetId}/certificates",
    response_model=AssetCertificates,
    summary="The asset's certificates, oldest first, with their status",
)
def asset_certificates(asset_id: AssetIdPath, _: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """Any participant: every certificate issued for the asset (valid, superseded, revoked or
    cancelled), with where it was recorded. 404 for an unknown asset."""
    return services.registration.certificates(asset_id)
