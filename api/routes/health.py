from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

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


@router.get(
    "/readyz",
    summary="Ready to serve: the database, the chain and the background workers (503 with the reason)",
)
def readyz(services: ServicesDep) -> JSONResponse:
    readiness = services.readiness()
    return JSONResponse(readiness.as_json(), status_code=200 if readiness.ready else 503)


@router.get("/metrics", summary="Prometheus metrics: requests, latency, outbox depth, indexer lag")
def metrics(request: Request) -> Response:
    exposition = request.app.state.metrics
    return Response(exposition.exposition(), media_type=exposition.content_type)
