"""The signed-in pages beside the workspace: a participant's orders and trades (``/workspace/trades``:
an enterprise's as buyer or seller, an exchange's as the listing exchange), an enterprise's data vouchers
(``/workspace/vouchers``), and a programme authority's voucher programmes (``/programmes``).

Each page is a shell, as the workspace is: its script signs in with the participant's API key (kept in
the tab's ``sessionStorage``, sent as a bearer header, never in a URL) and reads the participant's own
data, from the API (``/v1/trades``) or from the page's data route, which answers only the participant
whose key it was sent, as the API's problems. The holder accepts an order by signing the
``TradeAcceptance`` in the browser (``trades.js`` through ``signing.js``); so does the listing exchange,
in the holder's name, while the holder's mandate for the listing is in force (the page shows the mandate's
state to both); the holder grants that mandate, or revokes it, from the same page, signing the
``TradeMandate`` or ``TradeMandateRevocation`` there too; neither key leaves its owner's browser. The
orders are read a page at a time (the API's ``limit`` and ``offset``), those awaiting acceptance with its
``status`` and ``role`` filters."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from dataledger.portal.deps import PortalServicesDep
from dataledger.portal.rendering import PageRoute, language_of, render
from dataledger.portal.routes.workbench import bearer_key
from dataledger.portal.signing import signing_data
from dataledger.portal.voucher_pages import authority_data, enterprise_data

router = APIRouter(route_class=PageRoute, include_in_schema=False)
data_router = APIRouter(include_in_schema=False)  # JSON: its errors are the API's problems
NO_STORE = {"Cache-Control": "no-store"}
# The acts the trades page signs: an order's acceptance (the holder, or the exchange under its mandate),
# and the holder's mandate to the listing exchange and its revocation.
TRADES_PAGE_ACT_TYPES = frozenset({"TradeAcceptance", "TradeMandate", "TradeMandateRevocation"})


@router.get("/workspace/trades", response_class=HTMLResponse)
def workspace_trades(request: Request, services: PortalServicesDep) -> HTMLResponse:
    signing = signing_data(services, language_of(request), TRADES_PAGE_ACT_TYPES, "tr.", "trade.")
    return render(request, "workspace_trades.html", {"signing": signing})


@router.get("/workspace/vouchers", response_class=HTMLResponse)
def workspace_vouchers(request: Request, services: PortalServicesDep) -> HTMLResponse:
    signing = signing_data(services, language_of(request), frozenset(), "vo.", "purpose.")
    return render(request, "workspace_vouchers.html", {"signing": signing})


@router.get("/programmes", response_class=HTMLResponse)
def programmes(request: Request, services: PortalServicesDep) -> HTMLResponse:
    signing = signing_data(services, language_of(request), frozenset(), "vo.", "pg.", "purpose.")
    return render(request, "programmes.html", {"signing": signing})


@data_router.get("/workspace/vouchers/data")
async def workspace_vouchers_json(request: Request, services: PortalServicesDep) -> JSONResponse:
    """The vouchers of the enterprise whose API key is the bearer token (403 for other roles)."""
    enterprise = await run_in_threadpool(services.participants.authenticate, bearer_key(request))
    data = await run_in_threadpool(enterprise_data, services, enterprise)
    return JSONResponse(data, headers=NO_STORE)


@data_router.get("/programmes/data")
async def programmes_json(request: Request, services: PortalServicesDep) -> JSONResponse:
    """The programmes of the authority whose API key is the bearer token (403 for other roles)."""
    authority = await run_in_threadpool(services.participants.authenticate, bearer_key(request))
    data = await run_in_threadpool(authority_data, services, authority)
    return JSONResponse(data, headers=NO_STORE)
