"""Auditor endpoints: check stored records against the chain."""

from __future__ import annotations

from fastapi import APIRouter

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.registry.participants import Role

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("/assets/{asset_id}", summary="Compare one asset's stored record with the chain, field by field")
def check_asset_against_chain(asset_id: str, me: CurrentParticipant, services: ServicesDep) -> dict:
    me.require_role(Role.AUDITOR, Role.REGISTRAR)
    return services.registration.check_against_chain(asset_id)
