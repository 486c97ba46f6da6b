"""``/pledge-certificates``: a pledge registration certificate checked by its number or by its pasted JSON.

The server runs the registry's check (the one ``POST /v1/pledge-certificates/verify`` runs): the proof by
the registry's key, the certificate's record on chain, and whether the pledge it certifies still stands.
The page says which of four answers it is (``active``, ``ended``, ``unknown``, ``tampered``) and shows
every check.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from dataledger.portal.deps import PortalServicesDep
from dataledger.portal.money import format_money
from dataledger.portal.ports import PortalServices
from dataledger.portal.rendering import PageError, PageRoute, language_of, render
from dataledger.registry.errors import CertificateNotFound, JsonNestedTooDeeply
from dataledger.registry.json_input import loads
from dataledger.registry.pledge_certificate import PledgeStanding

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PLEDGE_CERTIFICATE_NUMBER = re.compile(r"^DPL-\d{6}-\d{6}-\d{6}$")
MAX_CERTIFICATE_BYTES = 256 * 1024
# The checks the registry runs, in its order; a check it did not reach is shown as not run.
CHECKS = ("proof-signature", "on-chain-record", "pledge-standing")


@router.get("/pledge-certificates", response_class=HTMLResponse)
async def pledge_certificate_by_number(
    request: Request, services: PortalServicesDep, number: str | None = None
) -> HTMLResponse:
    """The form; with ``?number=`` the certificate on record, checked."""
    if number is None or not number.strip():
        return render(request, "pledge_certificate.html", {"number": "", "result": None})
    number = number.strip()
    if not PLEDGE_CERTIFICATE_NUMBER.match(number):
        raise PageError(422, "pcert.error.number_format", {"number": number[:40]})
    try:
        vc = await run_in_threadpool(services.pledges.certificate, number)
    except CertificateNotFound:
        result: dict[str, Any] = {"standing": PledgeStanding.UNKNOWN.value, "checks": [], "subject": None}
        return render(
            request, "pledge_certificate.html", {"number": number, "result": result}, status_code=404
        )
    result = await run_in_threadpool(checked, services, vc, language_of(request))
    return render(request, "pledge_certificate.html", {"number": number, "result": result})


@router.post("/pledge-certificates", response_class=HTMLResponse)
async def pledge_certificate_document(
    request: Request, services: PortalServicesDep, certificate: Annotated[str, Form()] = ""
) -> HTMLResponse:
    """A pledge certificate pasted into the form, checked."""
    raw = certificate.encode("utf-8")
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
    if not isinstance(vc.get("type", []), list):  # a credential's type is a list (VC data model 2.0)
        raise PageError(422, "pcert.error.not_pledge_certificate")
    result = await run_in_threadpool(checked, services, vc, language_of(request))
    number = result["subject"]["number"] if result["subject"] else ""
    return render(request, "pledge_certificate.html", {"number": number, "result": result})


def checked(services: PortalServices, vc: dict[str, Any], lang: str) -> dict[str, Any]:
    """The registry's report on ``vc`` as the page shows it: the standing, each check's result, and
    what the certificate states (marked unverified unless its proof holds)."""
    report = services.pledges.check_certificate(vc)
    ran = {name: passed for name, passed, _ in report.checks}
    checks = []
    for name in (*CHECKS, *(n for n in ran if n not in CHECKS)):
        result = "not-run" if name not in ran else ("passed" if ran[name] else "failed")
        checks.append({"name": name, "result": result})
    return {"standing": report.standing.value, "checks": checks, "subject": _subject(vc, lang)}


def _subject(vc: dict[str, Any], lang: str) -> dict[str, Any] | None:
    """What a pledge certificate states, read defensively (a tampered one may state anything)."""
    subject = vc.get("credentialSubject")
    if not isinstance(subject, dict):
        return None

    def text(value: object) -> str:
        return value if isinstance(value, str) else ""

    def party(name: str) -> dict[str, str]:
        value = _object(subject.get(name))
        return {"name": text(value.get("name")), "address": text(value.get("address"))}

    asset = _object(subject.get("asset"))
    amount, currency = subject.get("securedAmount"), text(subject.get("currency"))
    secured = ""
    if isinstance(amount, int) and not isinstance(amount, bool) and re.fullmatch(r"[A-Z]{3}", currency):
        secured = format_money(amount, currency, lang)
    issuer = _object(vc.get("issuer"))
    return {
        "number": text(subject.get("pledgeCertificateNumber")),
        "assetId": text(asset.get("assetId")),
        "assetName": text(asset.get("name")),
        "registrationNumber": text(asset.get("registrationNumber")),
        "certificateNumber": text(asset.get("certificateNumber")),
        "pledgor": party("pledgor"),
        "pledgee": party("pledgee"),
        "secured": secured,
        "maturity": _moment(subject.get("maturity")),
        "issuedAt": _moment(vc.get("validFrom")),
        "issuer": text(issuer.get("name")),
    }


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
