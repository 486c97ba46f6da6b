"""``/workbench``: the registrar's workbench. The page is a shell; its script signs in with the registrar's
API key (kept in the tab's ``sessionStorage``, sent as a bearer header, never in a URL), reads
``/workbench/data``, and performs each act through the API: prepare (``…-requests``), show the EIP-712
domain and message in plain words, sign in the browser (a keystore file unlocked locally, or an
injected wallet), submit the signature. The registrar's key never reaches the server."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from dataledger.portal.deps import PortalServicesDep
from dataledger.portal.rendering import PageRoute, language_of, render
from dataledger.portal.signing import signing_data
from dataledger.portal.workbench import workbench_data
from dataledger.registry.holder_signatures import REGISTRAR_ACT_TYPES

router = APIRouter(route_class=PageRoute, include_in_schema=False)
QUEUE_NAMES = ("registered", "under_review", "in_notice", "certified", "pledges")
MAX_OFFSET_DIGITS = 7
data_router = APIRouter(include_in_schema=False)  # JSON: its errors are the API's problems


@router.get("/workbench", response_class=HTMLResponse)
def workbench(request: Request, services: PortalServicesDep) -> HTMLResponse:
    signing = signing_data(services, language_of(request), REGISTRAR_ACT_TYPES, "wb.")
    return render(request, "workbench.html", {"signing": signing})


@data_router.get("/workbench/data")
async def workbench_json(request: Request, services: PortalServicesDep) -> JSONResponse:
    """The queue and the registry's state for the registrar whose API key is the bearer token."""
    registrar = await run_in_threadpool(services.participants.authenticate, bearer_key(request))
    data = await run_in_threadpool(workbench_data, services, registrar, queue_offsets(request))
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


def queue_offsets(request: Request) -> dict[str, int]:
    """Where each queue's page starts (``?registered=20&in_notice=40``); anything else is ignored."""
    offsets: dict[str, int] = {}
    for state in QUEUE_NAMES:
        value = request.query_params.get(state, "")
        if value.isdigit() and len(value) <= MAX_OFFSET_DIGITS:
            offsets[state] = int(value)
    return offsets


def bearer_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None
