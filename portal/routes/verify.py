"""``/verify``: a certificate checked by its number, by its pasted or uploaded JSON, or from a QR code.

The server runs the registry's verifier (the one ``POST /v1/certificates/verify`` runs) and shows
every check; the page's script reads a certificate carried in a QR code's URL fragment, which the
server never sees.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from dataledger.portal.check_details import check_detail
from dataledger.portal.deps import PortalServicesDep
from dataledger.portal.digital_link import qr_url
from dataledger.portal.ports import PortalServices
from dataledger.portal.rendering import PageError, PageRoute, language_of, public_base_url, render
from dataledger.portal.verification import verdict_of
from dataledger.registry.asset_queries import HistoryQuery
from dataledger.registry.certificate import CERTIFICATE_NUMBER
from dataledger.registry.errors import JsonNestedTooDeeply, LedgerUnavailable, NotFound
from dataledger.registry.json_input import loads

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_CERTIFICATE_BYTES = 256 * 1024
HISTORY_LIMIT = 100


@router.get("/verify", response_class=HTMLResponse)
def verify_by_number(
    request: Request, services: PortalServicesDep, number: str | None = None
) -> HTMLResponse:
    """The form; with ``?number=`` the certificate on record, verified."""
    if number is None or not number.strip():
        return _page(request, services, {"number": ""})
    number = number.strip()
    if not CERTIFICATE_NUMBER.match(number):
        raise PageError(422, "verify.error.number_format", {"number": number[:40]})
    try:
        vc = services.registration.get_certificate(number)
    except NotFound:
        return _page(request, services, {"number": number, "unknown": True}, status_code=404)
    return _verified(request, services, vc, number)


@router.post("/verify", response_class=HTMLResponse)
def verify_document(
    request: Request,
    services: PortalServicesDep,
    certificate: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    """A certificate pasted into the form or uploaded as a file, verified."""
    raw: bytes = certificate.encode("utf-8")
    if file is not None and file.filename:
        raw = file.file.read(MAX_CERTIFICATE_BYTES + 1)
    if not raw.strip():
        raise PageError(422, "verify.error.empty")
    if len(raw) > MAX_CERTIFICATE_BYTES:
        raise PageError(413, "verify.error.too_large", {"limit": MAX_CERTIFICATE_BYTES // 1024})
    try:
        vc = loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, JsonNestedTooDeeply):
        raise PageError(422, "verify.error.not_json") from None
    if not isinstance(vc, dict):
        raise PageError(422, "verify.error.not_object")
    return _verified(request, services, vc, None)


def _verified(
    request: Request, services: PortalServices, vc: dict[str, Any], number: str | None
) -> HTMLResponse:
    warnings_before: list[tuple[str, dict[str, object]]] = []
    try:
        report = services.verifier.verify(vc)
    except LedgerUnavailable:
        # Not a verdict on the certificate: say what could be checked without the chain.
        report = services.offline_verifier.verify(vc)
        warnings_before.append(("warning.offline", {}))
    successor = (
        services.registration.certificate_number_of(report.superseded_by) if report.superseded_by else None
    )
    verdict = verdict_of(report, vc, superseded_by_number=successor)
    certificate = verdict.certificate
    # The PDF is the registry's copy: offered for an authentic certificate the registry holds.
    on_record = verdict.outcome != "tampered" and (
        number is not None or (certificate is not None and _on_record(services, certificate.number))
    )
    return _page(
        request,
        services,
        {
            "number": number or (certificate.number if certificate else ""),
            "verdict": verdict,
            "details": [check_detail(line, language_of(request)) for line in verdict.checks],
            "notes": warnings_before + [(w.key, dict(w.params)) for w in verdict.warnings],
            "certificate": certificate,
            "subject": vc.get("credentialSubject") if isinstance(vc.get("credentialSubject"), dict) else {},
            "history": _history(services, certificate.asset_id) if certificate else [],
            "on_record": on_record,
            "qr": _qr(request, vc, certificate.number) if on_record and certificate else None,
        },
        # a document that is not a certificate at all is bad input; any other verdict is an answer
        status_code=422 if verdict.checks[0].result == "failed" else 200,
    )


def _page(
    request: Request, services: PortalServices, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """The page, with the registrar key the browser checks a QR code's certificate against."""
    return render(
        request,
        "verify.html",
        {**context, "registrar_did": services.registrar_key.did},
        status_code=status_code,
    )


def _qr(request: Request, vc: dict[str, Any], number: str) -> dict[str, str]:
    """The certificate's QR code, as its PDF prints it: what it holds (the resolver URL on the public
    base URL, the signed certificate in its fragment) and its image (drawn apart: it is slow to draw)."""
    return {
        "url": qr_url(public_base_url(request), vc),
        "image": f"/certificates/{quote(number, safe='')}/qr.svg",
    }


def _on_record(services: PortalServices, number: str) -> bool:
    try:
        services.registration.get_certificate(number)
    except NotFound:
        return False
    return True


def _history(services: PortalServices, asset_id: str) -> list[dict[str, Any]]:
    """The asset's acts as anyone may see them: what, when and where on chain, never their detail."""
    try:
        record = services.registration.get_asset(asset_id)
    except NotFound:
        return []
    items = services.asset_queries.history(None, record.asset_id, HistoryQuery(limit=HISTORY_LIMIT))["items"]
    return [
        {
            "act": item["act"],
            "at": datetime.fromisoformat(str(item["at"])) if item.get("at") else None,
            "evidence": item["chainEvidence"],
        }
        for item in items
    ]
