"""``GET /certificates/{number}.pdf``: the registration certificate as a PDF (``?lang=zh|en``);
``GET /certificates/{number}/qr.svg``: its QR code as the PDF prints it, for the verification page."""

from __future__ import annotations

import io
import json
from functools import lru_cache

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from dataledger.portal.certificate_pdf import render_certificate_pdf
from dataledger.portal.cjk_font import CjkFontMissing
from dataledger.portal.deps import PortalServicesDep
from dataledger.portal.digital_link import qr_code, qr_url
from dataledger.portal.rendering import PageError, PageRoute, language_of, public_base_url
from dataledger.registry.canonical_fast import canonical_json_fast
from dataledger.registry.certificate import CERTIFICATE_NUMBER

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# Rendering embeds and subsets a CJK font (about a second); the PDF is a function of the certificate,
# the base URL and the language, so the last ones rendered are kept (a few MB at most).
RENDERED_KEPT = 64


@lru_cache(maxsize=RENDERED_KEPT)
def _rendered(canonical_vc: bytes, base_url: str, lang: str) -> bytes:
    return render_certificate_pdf(json.loads(canonical_vc), base_url=base_url, lang=lang)


# A certificate's QR code takes a few hundred milliseconds to encode (a large version, its mask chosen
# by scoring all eight): it is an image of its own, kept once drawn, so the page that shows it is not
# held up; the browser keeps it too (it changes only with the public URL).
QR_MAX_AGE_S = 3600


@lru_cache(maxsize=RENDERED_KEPT)
def _qr_svg(content: str) -> bytes:
    svg = io.BytesIO()
    qr_code(content).save(svg, kind="svg", scale=3, border=2, dark="#000", light="#fff", xmldecl=False)
    return svg.getvalue()


@router.get("/certificates/{number}/qr.svg")
async def certificate_qr(number: str, request: Request, services: PortalServicesDep) -> Response:
    if not CERTIFICATE_NUMBER.match(number):
        raise PageError(422, "verify.error.number_format", {"number": number[:40]})
    vc = await run_in_threadpool(services.registration.get_certificate, number)
    svg = await run_in_threadpool(_qr_svg, qr_url(public_base_url(request), vc))
    return Response(
        svg, media_type="image/svg+xml", headers={"Cache-Control": f"public, max-age={QR_MAX_AGE_S}"}
    )


@router.get("/certificates/{number}.pdf")
async def certificate_pdf(number: str, request: Request, services: PortalServicesDep) -> Response:
    if not CERTIFICATE_NUMBER.match(number):
        raise PageError(422, "verify.error.number_format", {"number": number[:40]})
    vc = await run_in_threadpool(services.registration.get_certificate, number)
    lang = language_of(request)
    try:
        pdf = await run_in_threadpool(_rendered, canonical_json_fast(vc), public_base_url(request), lang)
    except CjkFontMissing:
        raise PageError(503, "error.font_missing") from None
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{number}.pdf"'},
    )
