"""``/c/{number}``: a certificate's resolver, as a GS1 Digital Link resolver answers.

Without ``linkType`` (or with ``gs1:defaultLink``) it redirects (307) to the certificate's
verification page; ``?linkType=all`` answers the linkset of every related page
(``application/linkset+json``); ``?linkType=gs1:pip`` and the others redirect to that link.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from dataledger.portal.deps import PortalServicesDep
from dataledger.portal.digital_link import link_of, linkset
from dataledger.portal.rendering import PageError, PageRoute, public_base_url
from dataledger.registry.certificate import CERTIFICATE_NUMBER, parse_certificate
from dataledger.registry.errors import ValidationFailed

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LINKSET_MEDIA_TYPE = "application/linkset+json"


@router.get("/c/{number}")
def resolve_certificate(
    number: str,
    request: Request,
    services: PortalServicesDep,
    link_type: Annotated[str | None, Query(alias="linkType", max_length=200)] = None,
) -> Response:
    if not CERTIFICATE_NUMBER.match(number):
        raise PageError(422, "verify.error.number_format", {"number": number[:40]})
    vc = services.registration.get_certificate(number)  # NotFound: the page says so, 404
    try:
        asset_id: str | None = parse_certificate(vc).asset_id
    except ValidationFailed:
        asset_id = None
    links = linkset(public_base_url(request), number, asset_id)
    if link_type == "all":
        return JSONResponse(links, media_type=LINKSET_MEDIA_TYPE, headers={"Link": _link_header(request)})
    target = link_of(links, link_type or "gs1:defaultLink")
    if target is None:
        raise PageError(404, "error.bad_parameter", {"name": "linkType"})
    return RedirectResponse(target, status_code=307, headers={"Link": _link_header(request)})


def _link_header(request: Request) -> str:
    """Where the linkset is, as a resolver advertises it (RFC 9264 ``linkset`` relation)."""
    return f'<{request.url.path}?linkType=all>; rel="linkset"; type="{LINKSET_MEDIA_TYPE}"'
