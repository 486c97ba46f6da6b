"""``/assets/{assetId}``: an asset's public page, its certificates, licences, pledges, derivations and
the timeline of its acts with their transactions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from dataledger.portal.asset_page import asset_page
from dataledger.portal.deps import PortalServicesDep
from dataledger.portal.rendering import PageError, PageRoute, language_of, render
from dataledger.portal.signing import signing_data
from dataledger.registry.chain_types import require_hex32
from dataledger.registry.errors import ValidationFailed

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/assets/{asset_id}", response_class=HTMLResponse)
async def asset(asset_id: str, request: Request, services: PortalServicesDep) -> HTMLResponse:
    try:
        asset_id = require_hex32(asset_id, "assetId")
    except ValidationFailed:
        raise PageError(404, "problem.asset-not-found") from None
    page = await run_in_threadpool(asset_page, services, asset_id)
    # the signed-in view (facts for the holder and oversight, each act checked for oversight) is read
    # by the page's script with the reader's own API key
    signing = signing_data(services, language_of(request), frozenset(), "asset.")
    return render(request, "asset.html", {"asset": page, "signing": signing})
