"""Verifying certificates: offline checks, the validity period, and the online checks against the chain."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dataledger.registry.certificate import certificate_hash, issue_certificate
from dataledger.registry.certificate_verifier import (
    OFFLINE_CHECKS,
    ONLINE_CHECKS,
    CertificateVerifier,
    Check,
    CheckResult,
    VerificationReport,
)
from dataledger.registry.chain_types import OnChainAssetStatus
from dataledger.registry.errors import LedgerUnavailable, ValidationFailed, VerificationFailed
from tests.registry.certificate_factories import (
    ASSET_ID,
    CHAIN_ID,
    ISSUED_AT,
    OTHER_HOLDER,
    TX_HASH,
    VALID_UNTIL,
    FakeChain,
    certificate_facts,
    during_validity,
    registrar_key,
    signed_certificate,
)


def offline_verifier(**kwargs) -> CertificateVerifier:
    kwargs.setdefault("clock", during_validity)
    return CertificateVerifier([registrar_key().public_key], **kwargs)


def online_verifier(chain: FakeChain) -> CertificateVerifier:
    return offline_verifier(chain=chain)


def names(report: VerificationReport) -> list[str]:
    return [check.name for check in report.checks]


# -- offline ---------------------------------------------------------------------------------------


def test_issued_certificate_verifies_offline() -> None:
    report = offline_verifier().verify(signed_certificate())
    assert report.valid
    assert report.failed_check is None
    assert names(report) == [check.value for check in OFFLINE_CHECKS]
    assert all(check.passed for check in report.checks)


def test_trusted_issuers_may_be_given_as_did_strings() -> None:
    verifier = CertificateVerifier([registrar_key().did], clock=during_validity)
    assert verifier.verify(signed_certificate()).valid


def test_malformed_trusted_issuer_is_refused_at_construction() -> None:
    with pytest.raises(ValidationFailed):
        CertificateVerifier(["did:key:zDn-not-a-key"])


def test_certificate_from_an_untrusted_registrar_fails_issuer_trusted() -> None:
    vc = issue_certificate(certificate_facts(), registrar_key("rogue"))
    report = offline_verifier().verify(vc)
    assert not report.valid
    assert report.failed_check == "issuer-trusted"
    assert names(report) == ["structure", "format", "issuer-trusted"]


def test_issuer_swapped_to_a_trusted_did_keeping_the_signers_method_fails_issuer_trusted() -> None:
    vc = issue_certificate(certificate_facts(), registrar_key("rogue"))
    vc["issuer"]["id"] = registrar_key().did
    assert offline_verifier().verify(vc).failed_check == "issuer-trusted"


def test_issuer_and_method_swapped_to_a_trusted_key_fails_proof_signature() -> None:
    vc = issue_certificate(certificate_facts(), registrar_key("rogue"))
    vc["issuer"]["id"] = registrar_key().did
    vc["proof"]["verificationMethod"] = registrar_key().verification_method_id
    assert offline_verifier().verify(vc).failed_check == "proof-signature"


def test_signature_by_another_key_under_the_trusted_name_fails_proof_signature() -> None:
    vc = signed_certificate()
    forged = issue_certificate(certificate_facts(), registrar_key("rogue"))
    vc["proof"]["proofValue"] = forged["proof"]["proofValue"]
    assert offline_verifier().verify(vc).failed_check == "proof-signature"


def test_verifier_trusting_several_registrars_accepts_each() -> None:
    verifier = CertificateVerifier(
        [registrar_key().public_key, registrar_key("second").did], clock=during_validity
    )
    assert verifier.verify(signed_certificate()).valid
    assert verifier.verify(issue_certificate(certificate_facts(), registrar_key("second"))).valid


# -- validity period -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "valid"),
    [
        (ISSUED_AT - timedelta(seconds=1), False),
        (ISSUED_AT, True),
        (VALID_UNTIL, True),
        (VALID_UNTIL + timedelta(seconds=1), False),
        (VALID_UNTIL + timedelta(days=3650), False),
    ],
    ids=["before-valid-from", "at-valid-from", "at-valid-until", "just-expired", "long-expired"],
)
def test_validity_period_with_an_injected_clock(now: datetime, valid: bool) -> None:
    report = offline_verifier(clock=lambda: now).verify(signed_certificate())
    assert report.valid is valid
    assert report.failed_check == (None if valid else "validity-period")


def test_certificate_without_valid_until_never_expires() -> None:
    far_future = datetime(2099, 1, 1, tzinfo=UTC)
    report = offline_verifier(clock=lambda: far_future).verify(signed_certificate(valid_until=None))
    assert report.valid


def test_expired_certificate_raises_with_the_check_name() -> None:
    verifier = offline_verifier(clock=lambda: VALID_UNTIL + timedelta(days=1))
    with pytest.raises(VerificationFailed) as failure:
        verifier.verify_or_raise(signed_certificate())
    assert failure.value.check == "validity-period"
    assert "expired" in failure.value.detail
    assert failure.value.reason == "validity.expired"


def test_verify_or_raise_returns_the_parsed_certificate() -> None:
    certificate = offline_verifier().verify_or_raise(signed_certificate())
    assert certificate.facts == certificate_facts()


def test_verify_or_raise_names_the_structure_check() -> None:
    with pytest.raises(VerificationFailed) as failure:
        offline_verifier().verify_or_raise({"not": "a certificate"})
    assert failure.value.check == "structure"


def test_report_as_json() -> None:
    report = offline_verifier(clock=lambda: VALID_UNTIL + timedelta(days=1)).verify(signed_certificate())
    as_json = report.as_json()
    assert as_json["valid"] is False
    assert as_json["failedCheck"] == "validity-period"
    assert [check["name"] for check in as_json["checks"]] == [check.value for check in OFFLINE_CHECKS]
    assert as_json["checks"][-1]["passed"] is False
    assert as_json["checks"][-1]["detail"] == f"expired at {VALID_UNTIL.isoformat()}"
    assert as_json["checks"][-1]["reason"] == "validity.expired"
    assert as_json["checks"][-1]["values"] == {"moment": VALID_UNTIL.isoformat()}


def test_empty_report_is_not_valid() -> None:
    assert not VerificationReport(()).valid
    assert VerificationReport((CheckResult("structure", True),)).valid


# -- online ----------------------------------------------------------------------------------------


def test_registered_certificate_verifies_online() -> None:
    chain = FakeChain.matching()
    report = online_verifier(chain).verify(signed_certificate())
    assert report.valid, report.as_json()
    assert names(report) == [check.value for check in (*OFFLINE_CHECKS, *ONLINE_CHECKS)]
    cert_hash = certificate_hash(signed_certificate())
    assert chain.calls == [
        f"registration_event:{TX_HASH}",
        f"certificate_record:{cert_hash}",
        f"asset:{ASSET_ID}",
        f"procedure:{ASSET_ID}",
    ]
    assert report.status == "valid" and report.pledged_to is None


def test_offline_verifier_never_reads_the_chain_and_online_checks_run_only_after_offline_ones() -> None:
    chain = FakeChain.matching()
    vc = signed_certificate()
    vc["credentialSubject"]["holder"]["name"] = "Someone Else"
    report = online_verifier(chain).verify(vc)
    assert report.failed_check == "proof-signature"
    assert chain.calls == []


def test_missing_event_fails_chain_transaction() -> None:
    chain = FakeChain.matching()
    chain.events.clear()
    report = online_verifier(chain).verify(signed_certificate())
    assert report.failed_check == "chain-transaction"
    assert TX_HASH in report.checks[-1].detail
    assert (report.checks[-1].reason, report.checks[-1].values) == ("transaction.none", {"tx": TX_HASH})


def test_wrong_chain_id_fails_chain_transaction() -> None:
    chain = replace(FakeChain.matching(), chain_id=CHAIN_ID + 1)
    report = online_verifier(chain).verify(signed_certificate())
    assert report.failed_check == "chain-transaction"
    assert chain.calls == []
    assert report.checks[-1].reason == "transaction.chain"
    assert report.checks[-1].values == {"stated": str(CHAIN_ID), "actual": str(CHAIN_ID + 1)}


def test_wrong_registry_contract_fails_chain_transaction() -> None:
    chain = replace(FakeChain.matching(), registry_address="0x" + "12" * 20)
    assert online_verifier(chain).verify(signed_certificate()).failed_check == "chain-transaction"


def test_registry_address_compares_case_insensitively() -> None:
    chain = FakeChain.matching()
    chain.registry_address = chain.registry_address.lower()
    assert online_verifier(chain).verify(signed_certificate()).valid


@pytest.mark.parametrize(
    ("label", "change"),
    [
        ("asset id", {"asset_id": "0x" + "aa" * 32}),
        ("holder", {"holder": OTHER_HOLDER}),
        ("content hash", {"content_hash": "0x" + "bb" * 32}),
        ("metadata hash", {"metadata_hash": "0x" + "cc" * 32}),
        ("block number", {"block_number": 43}),
        ("log index", {"log_index": 4}),
        ("transaction", {"tx_hash": "0x" + "dd" * 32}),
    ],
)
def test_event_mismatch_fails_chain_event_matches(label: str, change: dict) -> None:
    chain = FakeChain.matching()
    event = chain.events[TX_HASH]
    evidence_fields = {"block_number", "log_index", "tx_hash"}
    if evidence_fields & change.keys():
        event = replace(event, evidence=replace(event.evidence, **change))
    else:
        event = replace(event, **change)
    chain.events[TX_HASH] = event
    report = online_verifier(chain).verify(signed_certificate())
    assert report.failed_check == "chain-event-matches"
    assert report.checks[-1].detail.endswith(label)
    assert report.checks[-1].reason == "event.differs"
    assert report.checks[-1].values == {"fields": label.replace(" ", "_")}


def test_event_holder_in_lower_case_still_matches() -> None:
    chain = FakeChain.matching()
    chain.events[TX_HASH] = replace(chain.events[TX_HASH], holder=chain.events[TX_HASH].holder.lower())
    assert online_verifier(chain).verify(signed_certificate()).valid


def test_revoked_asset_fails_asset_not_revoked() -> None:
    chain = FakeChain.matching()
    chain.assets[ASSET_ID] = replace(chain.assets[ASSET_ID], status=OnChainAssetStatus.REVOKED)
    report = online_verifier(chain).verify(signed_certificate())
    assert report.failed_check == "asset-not-revoked"
    assert "revoked" in report.checks[-1].detail
    assert report.checks[-1].reason == "asset.revoked"


def test_holder_changed_on_chain_fails_asset_not_revoked() -> None:
    chain = FakeChain.matching()
    chain.assets[ASSET_ID] = replace(chain.assets[ASSET_ID], holder=OTHER_HOLDER)
    report = online_verifier(chain).verify(signed_certificate())
    assert report.failed_check == "asset-not-revoked"
    assert OTHER_HOLDER in report.checks[-1].detail
    assert (report.checks[-1].reason, report.checks[-1].values) == ("asset.holder", {"holder": OTHER_HOLDER})


def test_asset_unknown_to_the_registry_fails_asset_not_revoked() -> None:
    chain = FakeChain.matching()
    chain.assets.clear()
    assert online_verifier(chain).verify(signed_certificate()).failed_check == "asset-not-revoked"


def test_online_failure_raises_with_the_check_name() -> None:
    chain = FakeChain.matching()
    chain.assets[ASSET_ID] = replace(chain.assets[ASSET_ID], status=OnChainAssetStatus.REVOKED)
    with pytest.raises(VerificationFailed) as failure:
        online_verifier(chain).verify_or_raise(signed_certificate())
    assert failure.value.check == "asset-not-revoked"


def test_an_unreachable_chain_is_an_error_not_a_verdict() -> None:
    class DownChain(FakeChain):
        def registration_event(self, tx_hash: str):
            raise LedgerUnavailable("node down")

    with pytest.raises(LedgerUnavailable):
        online_verifier(DownChain()).verify(signed_certificate())


def test_check_names_are_stable() -> None:
    assert [check.value for check in Check] == [
        "structure",
        "format",
        "issuer-trusted",
        "proof-signature",
        "validity-period",
        "chain-transaction",
        "chain-event-matches",
        "certificate-current",
        "asset-not-revoked",
    ]


def test_verification_does_not_mutate_the_certificate() -> None:
    vc = signed_certificate()
    before = copy.deepcopy(vc)
    online_verifier(FakeChain.matching()).verify(vc)
    assert vc == before


def test_superseded_certificate_fails_certificate_current_and_names_its_successor() -> None:
    chain = FakeChain.matching()
    cert_hash = certificate_hash(signed_certificate())
    successor = "0x" + "ee" * 32
    chain.certificates[cert_hash] = replace(chain.certificates[cert_hash], superseded_by=successor)
    report = online_verifier(chain).verify(signed_certificate())
    assert report.failed_check == "certificate-current"
    assert report.status == "superseded" and report.superseded_by == successor
    assert successor in report.checks[-1].detail
    assert report.as_json()["supersededBy"] == successor


def test_certificate_never_anchored_fails_certificate_current() -> None:
    chain = FakeChain.matching()
    chain.certificates.clear()
    report = online_verifier(chain).verify(signed_certificate())
    assert report.failed_check == "certificate-current"
    assert report.status == "not-anchored"


def test_cancelled_registration_fails_asset_not_revoked_saying_cancelled() -> None:
    chain = FakeChain.matching()
    chain.assets[ASSET_ID] = replace(chain.assets[ASSET_ID], status=OnChainAssetStatus.CANCELLED)
    report = online_verifier(chain).verify(signed_certificate())
    assert report.failed_check == "asset-not-revoked"
    assert report.status == "cancelled"
    assert "cancelled" in report.checks[-1].detail


def test_pledged_asset_still_verifies_and_the_report_names_the_pledgee() -> None:
    chain = FakeChain.matching()
    chain.procedures[ASSET_ID] = replace(chain.procedures[ASSET_ID], pledgee=OTHER_HOLDER)
    report = online_verifier(chain).verify(signed_certificate())
    assert report.valid and report.pledged_to == OTHER_HOLDER


# -- the numbers a reader types in -----------------------------------------------------------------

NUMBERED = {"certificate_number": "DIP-202603-460100-000042", "registration_number": "460100-2026-00000042-3"}


def test_a_certificate_states_its_registration_number_and_the_format_check_verifies_it() -> None:
    vc = signed_certificate(**NUMBERED)
    report = offline_verifier().verify(vc)
    assert vc["credentialSubject"]["registrationNumber"] == "460100-2026-00000042-3"
    assert report.valid, report
    assert report.checks[1] == CheckResult(
        "format",
        True,
        "registration number 460100-2026-00000042-3: check character verified",
        "format.passed",
        {"number": "460100-2026-00000042-3"},
    )


def test_a_certificate_from_before_registration_numbers_still_verifies() -> None:
    vc = signed_certificate()  # DLC-2026-000001, no registrationNumber
    report = offline_verifier().verify(vc)
    assert "registrationNumber" not in vc["credentialSubject"]
    assert report.valid, report
    assert report.checks[1].name == "format" and report.checks[1].passed


def test_a_registration_number_with_a_tampered_check_character_fails_the_format_check() -> None:
    vc = signed_certificate(**NUMBERED)
    vc["credentialSubject"]["registrationNumber"] = "460100-2026-00000042-4"
    report = offline_verifier().verify(vc)
    assert not report.valid
    assert report.failed_check == "format"
    assert "check character" in (report.failure_detail or "")
    assert report.checks[-1].reason == "format.check_char"
    with pytest.raises(VerificationFailed) as caught:
        offline_verifier().verify_or_raise(vc)
    assert (caught.value.check, caught.value.reason) == ("format", "format.check_char")


def test_a_registration_number_signed_with_a_wrong_check_character_fails_the_format_check() -> None:
    # Signed as is: the signature holds, but the number a reader would type in cannot be right.
    report = offline_verifier().verify(
        signed_certificate(**{**NUMBERED, "registration_number": "460100-2026-00000042-X"})
    )
    assert names(report) == ["structure", "format"]
    assert report.failed_check == "format"


def test_a_certificate_number_with_a_month_out_of_range_fails_the_format_check() -> None:
    report = offline_verifier().verify(
        signed_certificate(**{**NUMBERED, "certificate_number": "DIP-202613-460100-000042"})
    )
    assert report.failed_check == "format"
    assert report.checks[-1].reason == "format.certificate_number"


def test_a_malformed_registration_number_is_refused_as_structure() -> None:
    vc = signed_certificate(**NUMBERED)
    vc["credentialSubject"]["registrationNumber"] = "460100-2026-42"
    report = offline_verifier().verify(vc)
    assert names(report) == ["structure"] and report.failed_check == "structure"
