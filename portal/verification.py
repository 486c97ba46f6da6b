"""A verification report as a reader needs it: one outcome, every check, warnings apart from failures.

The checks themselves are the registry's (:class:`~dataledger.registry.certificate_verifier.
CertificateVerifier`, the same one ``POST /v1/certificates/verify`` runs); this module only says what
the report means for the person holding the certificate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from dataledger.registry.certificate import Certificate, parse_certificate
from dataledger.registry.certificate_verifier import Check, VerificationReport
from dataledger.registry.errors import ValidationFailed

# A certificate this close to its end date is valid, with a warning.
EXPIRY_WARNING = timedelta(days=90)

# Which failed check makes a certificate "not authentic" rather than revoked, superseded or expired.
_STATUS_OUTCOMES = {
    "valid": "valid",
    "superseded": "superseded",
    "revoked": "revoked",
    "cancelled": "revoked",
    "expired": "expired",
}


@dataclass(frozen=True, slots=True)
class CheckLine:
    """One check: ``passed``, ``failed`` or ``not-run`` (the verifier stops at the first failure); the
    verifier's detail in English, and its reason and values (see
    :class:`~dataledger.registry.certificate_verifier.CheckResult`)."""

    name: str
    result: str
    detail: str
    reason: str | None = None
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class VerdictWarning:
    """Something a reader should know about a certificate that passed (a catalogue key and its values)."""

    key: str
    params: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a report means: the outcome (valid, offline, revoked, superseded, expired, tampered), the
    checks in order, the status on chain, the successor of a superseded certificate and the warnings."""

    outcome: str
    status: str
    checks: tuple[CheckLine, ...]
    warnings: tuple[VerdictWarning, ...]
    superseded_by_number: str | None
    certificate: Certificate | None


def verdict_of(
    report: VerificationReport,
    vc: Mapping[str, Any],
    *,
    superseded_by_number: str | None = None,
    now: datetime | None = None,
) -> Verdict:
    """The reader's view of ``report`` on ``vc``."""
    ran = {check.name: check for check in report.checks}
    lines = tuple(
        CheckLine(
            check.value,
            "passed" if result.passed else "failed",
            result.detail,
            result.reason,
            result.values,
        )
        if (result := ran.get(check.value)) is not None
        else CheckLine(check.value, "not-run", "")
        for check in Check
    )
    status = report.status or ("valid" if report.valid else "invalid")
    outcome = _STATUS_OUTCOMES.get(status, "tampered")
    if outcome == "valid" and len(report.checks) < len(Check):
        outcome = "offline"  # valid as far as it was checked: the chain was not read
    certificate = _parsed(vc)
    warnings: list[VerdictWarning] = []
    if report.valid and report.pledged_to:
        warnings.append(VerdictWarning("warning.pledged", {"pledgee": report.pledged_to}))
    moment = now or datetime.now(UTC)
    until = certificate.valid_until if certificate else None
    if report.valid and until is not None and until - moment < EXPIRY_WARNING:
        warnings.append(VerdictWarning("warning.expires_soon", {"date": until.date().isoformat()}))
    return Verdict(outcome, status, lines, tuple(warnings), superseded_by_number, certificate)


def _parsed(vc: Mapping[str, Any]) -> Certificate | None:
    """The certificate's facts when it is well formed (a tampered one may still be), for display."""
    try:
        return parse_certificate(vc)
    except ValidationFailed:
        return None
