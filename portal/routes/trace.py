"""``/trace/{item}``: an item's or a data product's trace (its journey, its lineage drawn back and forward,
each event with its anchor); ``/01/{gtin}/21/{serial}``: a product's QR code, resolved as GS1 Digital
Link resolvers do, 307 to the passenger's view of its journey; ``/01/{gtin}/10/{lot}``: a lot's QR code,
307 to the lot's trace (its items and where they went)."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import unquote

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from dataledger.portal.deps import PortalServicesDep
from dataledger.portal.digital_link import (
    gtin_is_valid,
    lgtin_candidates,
    link_of,
    lot_is_valid,
    lot_linkset,
    product_linkset,
    sgtin_candidates,
    trace_path,
)
from dataledger.portal.ports import PortalServices
from dataledger.portal.rendering import PageError, PageRoute, public_base_url, render
from dataledger.portal.routes.resolver import LINKSET_MEDIA_TYPE
from dataledger.portal.trace_page import trace_page
from dataledger.registry.errors import NotFound
from dataledger.registry.lineage import Direction

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_NODE = 300
MAX_SERIAL = 20  # GS1 AI (21): up to 20 characters
_RAW_KEY = re.compile(r"/01/[^/]+/(?:10|21)/(?P<key>.*)\Z", re.S)


@router.get("/trace/{node:path}", response_class=HTMLResponse)
async def trace(
    node: str,
    request: Request,
    services: PortalServicesDep,
    view: Annotated[Literal["full", "journey"], Query()] = "full",
) -> HTMLResponse:
    node = node.strip()
    if not node or len(node) > MAX_NODE:
        raise PageError(422, "error.bad_parameter", {"name": "item"})
    page = await run_in_threadpool(trace_page, services, node, journey_only=view == "journey")
    return render(
        request,
        "trace.html",
        {"trace": page, "view": view, "trace_url": trace_path(node)},
    )


@router.get("/01/{gtin}/21/{serial:path}")
async def resolve_product(
    gtin: str,
    serial: str,
    request: Request,
    services: PortalServicesDep,
    link_type: Annotated[str | None, Query(alias="linkType", max_length=200)] = None,
) -> Response:
    serial = key_segment(request, serial)
    if not gtin_is_valid(gtin):
        raise PageError(422, "error.gtin", {"gtin": gtin[:20]})
    if not serial or len(serial) > MAX_SERIAL:
        raise PageError(422, "error.bad_parameter", {"name": "serial"})
    item = await run_in_threadpool(_known_item, services, sgtin_candidates(gtin, serial))
    if item is None:
        raise PageError(404, "error.product_unknown")
    base = public_base_url(request)
    links = product_linkset(base, gtin, serial, item)
    if link_type == "all":
        return JSONResponse(links, media_type=LINKSET_MEDIA_TYPE)
    target = link_of(links, link_type or "gs1:defaultLink")
    if target is None:
        raise PageError(404, "error.bad_parameter", {"name": "linkType"})
    return RedirectResponse(target.removeprefix(base.rstrip("/")), status_code=307)


@router.get("/01/{gtin}/10/{lot:path}")
async def resolve_lot(
    gtin: str,
    lot: str,
    request: Request,
    services: PortalServicesDep,
    link_type: Annotated[str | None, Query(alias="linkType", max_length=200)] = None,
) -> Response:
    """A product lot's QR code (GS1 Digital Link with a batch/lot key): 307 to the lot's trace, where
    every item commissioned in the lot is drawn with where it went; ``?linkType=all``: the linkset."""
    lot = key_segment(request, lot)
    if not gtin_is_valid(gtin):
        raise PageError(422, "error.gtin", {"gtin": gtin[:20]})
    if not lot_is_valid(lot):
        raise PageError(422, "error.lot", {"lot": lot[:20]})
    lot_node = await run_in_threadpool(_known_lot, services, lgtin_candidates(gtin, lot))
    if lot_node is None:
        raise PageError(404, "error.lot_unknown", {"lot": lot})
    base = public_base_url(request)
    links = lot_linkset(base, gtin, lot, lot_node)
    if link_type == "all":
        return JSONResponse(links, media_type=LINKSET_MEDIA_TYPE)
    target = link_of(links, link_type or "gs1:defaultLink")
    if target is None:
        raise PageError(404, "error.bad_parameter", {"name": "linkType"})
    return RedirectResponse(target.removeprefix(base.rstrip("/")), status_code=307)


def key_segment(request: Request, decoded: str) -> str:
    """The lot or serial of a Digital Link as its last path segment wrote it, percent-decoded.

    GS1 Digital Link writes a ``/`` inside a lot or serial (both in the AI encodable set 82) as ``%2F``;
    the server decodes the path before routing, so the route takes the rest of the path and this reads
    the raw one back: an escaped ``/`` belongs to the key, a literal one starts a path segment this
    resolver does not serve (a clear page, not a bare 404)."""
    raw_path = request.scope.get("raw_path")
    # the key after the GS1 key and its qualifier's code, wherever the app is mounted (a root path)
    found = _RAW_KEY.search(raw_path.decode("latin-1")) if isinstance(raw_path, bytes) else None
    if found is None:  # a server that keeps no raw path: the decoded one is all there is
        return decoded
    raw_key = found["key"]
    if "/" in raw_key:
        extra = unquote(raw_key.split("/", 1)[1])
        raise PageError(404, "error.link_path", {"segment": extra[:40]})
    return unquote(raw_key, errors="replace")  # a byte that is not UTF-8: an invalid key, refused after


def _known_lot(services: PortalServices, candidates: list[str]) -> str | None:
    """The first candidate lot class the lineage knows (its items were commissioned in it)."""
    for candidate in candidates:
        try:
            services.lineage.trace(candidate, Direction.FORWARD, 1)
        except NotFound:
            continue
        return candidate
    return None


def _known_item(services: PortalServices, candidates: list[str]) -> str | None:
    """The first candidate EPC that a captured event names."""
    for candidate in candidates:
        try:
            services.lineage.history(candidate, limit=1, via_containers=False)
        except NotFound:
            continue
        return candidate
    return None
