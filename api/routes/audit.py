"""Auditor endpoints: check stored records against the chain."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.responses.audit import AssetAudit
from dataledger.api.schemas import AssetIdPath
from dataledger.registry.participants import Role

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get(
    "/assets/{assetId}",
    response_model=AssetAudit,
    summary="Compare one asset's stored record with the chain, field by field",
)
def check_asset_against_chain(
    asset_id: AssetIdPath, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """Auditors and the registrar: each field of the stored record checked against the registry contract
    and the registration's event; a mismatch is a failed check, not an error. 403 for other roles."""
    me.require_role(Role.AUDITOR, Role.REGISTRAR)
    return services.registration.check_against_chain(asset_id)
