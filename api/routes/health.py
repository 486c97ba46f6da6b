"""Operations: liveness, readiness (with the reason when not ready) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import PlainTextResponse

from dataledger.api.deps import ServicesDep
from dataledger.api.observability import Metrics
from dataledger.api.responses.operations import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Ready when the database and the chain answer")
def healthz(services: ServicesDep) -> dict[str, Any]:
    """Anyone: whether the database answers, and the chain's id, latest block and registry contract.
    Answers 200 while the chain answers (``degraded`` when the database does not)."""
    return services.health().as_json()


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={
        status.HTTP_503_SERVICE_UNAVAILABLE: {
            "model": Readiness,
            "description": "Not ready: the same body, with the failing checks and the reason",
        }
    },
    summary="Ready to serve: the database, the chain and the background workers (503 with the reason)",
)
def readyz(services: ServicesDep, response: Response) -> dict[str, Any]:
    """Anyone (a load balancer's probe): each dependency checked, 200 when all pass, else 503 with the
    same body naming the failing checks."""
    readiness = services.readiness()
    response.status_code = status.HTTP_200_OK if readiness.ready else status.HTTP_503_SERVICE_UNAVAILABLE
    return readiness.as_json()


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    response_model=None,
    responses={
        status.HTTP_200_OK: {
            "content": {"text/plain": {"schema": {"type": "string"}}},
            "description": f"Prometheus text exposition ({Metrics.content_type}): requests, latency, "
            "outbox depth, indexer lag, lease",
        }
    },
    summary="Prometheus metrics: requests, latency, outbox depth, indexer lag",
)
def metrics(request: Request) -> Response:
    """Anyone (a Prometheus scraper): the process's metrics in the Prometheus text format."""
    exposition: Metrics = request.app.state.metrics
    return Response(exposition.exposition(), media_type=exposition.content_type)
