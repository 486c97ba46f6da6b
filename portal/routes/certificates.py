"""``GET /certificates/{number}.pdf``: the registration certificate as a PDF (``?lang=zh|en``)."""

from __future__ import annotations

import json
from functools import lru_cache

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from dataledger.portal.certificate_pdf import render_certificate_pdf
from dataledger.portal.cjk_font import CjkFontMissing
from dataledger.portal.deps import PortalServicesDep
from dataledger.portal.rendering import PageError, PageRoute, language_of
from dataledger.registry.canonical_fast import canonical_json_fast
from dataledger.registry.certificate import CERTIFICATE_NUMBER

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# Rendering embeds and subsets a CJK font (about a second); the PDF is a function of the certificate,
# the base URL and the language, so the last ones rendered are kept (a few MB at most).
RENDERED_KEPT = 64


@lru_cache(maxsize=RENDERED_KEPT)
def _rendered(canonical_vc: bytes, base_url: str, lang: str) -> bytes:
    return render_certificate_pdf(json.loads(canonical_vc), base_url=base_url, lang=lang)


@router.get("/certificates/{number}.pdf")
async def certificate_pdf(number: str, request: Request, services: PortalServicesDep) -> Response:
    if not CERTIFICATE_NUMBER.match(number):
        raise PageError(422, "verify.error.number_format", {"number": number[:40]})
    vc = await run_in_threadpool(services.registration.get_certificate, number)
    lang = language_of(request)
    try:
        pdf = await run_in_threadpool(_rendered, canonical_json_fast(vc), str(request.base_url), lang)
    except CjkFontMissing:
        raise PageError(503, "error.font_missing") from None
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{number}.pdf"'},
    )
