"""What a verification report means to a reader: the outcome for each standing, the checks that did
not run, and the warnings kept apart from failures (pledged, about to expire)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from dataledger.portal.verification import EXPIRY_WARNING, verdict_of
from dataledger.registry.certificate import parse_certificate
from dataledger.registry.certificate_verifier import OFFLINE_CHECKS, Check, CheckResult, VerificationReport
from tests.portal.conftest import Portal

PASSED_OFFLINE = tuple(CheckResult(check.value, True, "ok") for check in OFFLINE_CHECKS)


def report(failed: Check | None, status: str | None, **standing: Any) -> VerificationReport:
    if failed is None:
        return VerificationReport(tuple(CheckResult(c.value, True, "ok") for c in Check), status, **standing)
    ran = [CheckResult(c.value, True, "ok") for c in list(Check)[: list(Check).index(failed)]]
    return VerificationReport((*ran, CheckResult(failed.value, False, "why")), status, **standing)


@pytest.mark.parametrize(
    ("failed", "status", "outcome"),
    [
        (None, "valid", "valid"),
        (Check.ASSET_NOT_REVOKED, "revoked", "revoked"),
        (Check.ASSET_NOT_REVOKED, "cancelled", "revoked"),
        (Check.CERTIFICATE_CURRENT, "superseded", "superseded"),
        (Check.VALIDITY_PERIOD, "expired", "expired"),
        (Check.PROOF_SIGNATURE, None, "tampered"),
        (Check.ISSUER_TRUSTED, None, "tampered"),
        (Check.CHAIN_EVENT_MATCHES, None, "tampered"),
        (Check.CERTIFICATE_CURRENT, "not-anchored", "tampered"),
        (Check.FORMAT, None, "tampered"),
        (Check.STRUCTURE, None, "tampered"),
    ],
)
def test_each_standing_has_its_outcome_and_the_checks_after_a_failure_did_not_run(
    portal: Portal, failed: Check | None, status: str | None, outcome: str
) -> None:
    verdict = verdict_of(report(failed, status), portal.story.valid)
    assert verdict.outcome == outcome
    results = [line.result for line in verdict.checks]
    assert [line.name for line in verdict.checks] == [check.value for check in Check]
    if failed is None:
        assert results == ["passed"] * len(Check)
    else:
        at = list(Check).index(failed)
        assert results == ["passed"] * at + ["failed"] + ["not-run"] * (len(Check) - 1 - at)


def test_an_offline_report_leaves_the_chain_checks_not_run(portal: Portal) -> None:
    verdict = verdict_of(VerificationReport(PASSED_OFFLINE, "valid"), portal.story.valid)
    assert verdict.outcome == "offline"
    assert [line.result for line in verdict.checks] == ["passed"] * len(OFFLINE_CHECKS) + ["not-run"] * 4


def test_a_pledged_asset_is_a_warning_not_a_failure(portal: Portal) -> None:
    pledgee = "0x" + "42" * 20
    verdict = verdict_of(report(None, "valid", pledged_to=pledgee), portal.story.valid)
    assert verdict.outcome == "valid"
    assert [(w.key, dict(w.params)) for w in verdict.warnings] == [("warning.pledged", {"pledgee": pledgee})]


def test_a_certificate_about_to_expire_is_valid_with_a_warning(portal: Portal) -> None:
    until = parse_certificate(portal.story.valid).valid_until
    assert until is not None
    soon = verdict_of(
        report(None, "valid"), portal.story.valid, now=until - EXPIRY_WARNING + timedelta(days=1)
    )
    assert [w.key for w in soon.warnings] == ["warning.expires_soon"]
    assert soon.warnings[0].params == {"date": until.date().isoformat()}
    later = verdict_of(
        report(None, "valid"), portal.story.valid, now=until - EXPIRY_WARNING - timedelta(days=1)
    )
    assert later.warnings == ()


def test_a_document_that_is_no_certificate_has_no_facts_to_show() -> None:
    verdict = verdict_of(report(Check.STRUCTURE, None), {"type": ["VerifiableCredential"]})
    assert (verdict.outcome, verdict.certificate) == ("tampered", None)
