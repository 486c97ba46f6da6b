from __future__ import annotations

from fastapi import APIRouter

from dataledger.api.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Ready when the database and the chain answer")
def healthz(services: ServicesDep) -> dict[str, object]:
    database_ok = services.store.ping()
    block = services.registry.latest_block_number()
    return {
        "status": "ok" if database_ok else "degraded",
        "database": database_ok,
        "chainId": services.registry.chain_id,
        "blockNumber": block,
        "registry": services.registry.registry_address,
    }
