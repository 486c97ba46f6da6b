"""Auditor endpoints: check stored records against the chain."""

from __future__ import annotations

from fastapi import APIRouter

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.registry.participants import Role

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("/assets/{asset_id}", summary="Compare one asset's stored record with the chain, field by field")
def check_asset_against_chain(asset_id: str, me: CurrentParticipant, services: ServicesDep) -> dict:
    me.require_role(Role.AUDITOR, Role.REGISTRAR)
    record = services.registration.get_asset(asset_id)
    on_chain = services.registry.asset(record.asset_id)
    event = services.registry.registration_event(record.evidence.tx_hash) if record.evidence else None
    checks = [
        _check("on-chain-record", on_chain is not None, "the registry contract holds the asset"),
        _check(
            "registration-event",
            event is not None and event.asset_id == record.asset_id,
            "the recorded transaction emitted AssetRegistered for this asset",
        ),
    ]
    if on_chain is not None:
        checks += [
            _check("holder", on_chain.holder == record.holder_address, on_chain.holder),
            _check("content-hash", on_chain.content_hash == record.facts.content_hash, on_chain.content_hash),
            _check("metadata-hash", on_chain.metadata_hash == record.metadata_hash, on_chain.metadata_hash),
            _check(
                "status", on_chain.status.name.lower() == record.state.value, on_chain.status.name.lower()
            ),
        ]
    if event is not None and record.evidence is not None:
        checks.append(_check("evidence", event.evidence == record.evidence, "tx hash, block and log index"))
    return {
        "assetId": record.asset_id,
        "consistent": all(c["passed"] for c in checks),
        "checks": checks,
        "record": record.as_json(),
    }


def _check(name: str, passed: bool, detail: str) -> dict:
    return {"name": name, "passed": bool(passed), "detail": detail}
