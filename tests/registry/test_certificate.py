"""Certificate facts, issuing the Verifiable Credential, parsing it back, and its anchored hash."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest

from dataledger.registry.canonical import json_hash
from dataledger.registry.certificate import (
    CRYPTOSUITE,
    VC_V2_CONTEXT,
    Certificate,
    certificate_hash,
    issue_certificate,
    parse_certificate,
    verify_proof,
)
from dataledger.registry.errors import ValidationFailed
from tests.registry.certificate_factories import (
    ASSETS,
    HOLDER,
    ISSUED_AT,
    VALID_UNTIL,
    asset_facts,
    certificate_facts,
    evidence,
    registrar_key,
    signed_certificate,
)

GOLDEN = ASSETS / "certificate_DLC-2026-000001.json"


# -- facts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"certificate_number": "2026-000001"},
        {"certificate_number": "DLC-2026-1"},
        {"holder_address": "0x1234"},
        {"holder_name": " "},
        {"registrar_name": ""},
        {"evidence": {"chainId": 1}},
        {"issued_at": datetime(2026, 3, 1)},  # naive
        {"valid_until": datetime(2030, 1, 1)},  # naive
        {"valid_until": ISSUED_AT},
        {"valid_until": ISSUED_AT - timedelta(days=1)},
        {"asset": asset_facts(asset_id="0x1234")},
        {"asset": asset_facts(content_hash="not a hash")},
        {"asset": asset_facts(metadata_hash=None)},
        {"asset": asset_facts(name="")},
        {"asset": asset_facts(scale=-1)},
        {"asset": asset_facts(scale=2**60)},
        {"asset": asset_facts(industry=3)},
        {"asset": asset_facts(colour="blue")},
        {"asset": {"asset_id": asset_facts()["asset_id"], "name": "x"}},
        {"asset": "not a mapping"},
    ],
    ids=repr,
)
def test_invalid_facts_are_refused_at_construction(changes: dict) -> None:
    with pytest.raises(ValidationFailed):
        certificate_facts(**changes)


def test_empty_optional_asset_facts_are_left_out() -> None:
    facts = certificate_facts(asset=asset_facts(description="", source=None))
    assert "description" not in facts.asset
    assert "source" not in facts.asset
    vc = issue_certificate(facts, registrar_key())
    assert "description" not in vc["credentialSubject"]["asset"]


def test_facts_are_frozen_and_times_normalised_to_utc() -> None:
    china = timezone(timedelta(hours=8))
    facts = certificate_facts(issued_at=ISSUED_AT.astimezone(china), valid_until=None)
    assert facts.issued_at.tzinfo == UTC
    assert facts.issued_at == ISSUED_AT
    with pytest.raises(AttributeError):
        facts.holder_name = "someone else"  # type: ignore[misc]
    with pytest.raises(TypeError):
        facts.asset["name"] = "changed"  # type: ignore[index]


# -- issuing ---------------------------------------------------------------------------------------


def test_issued_certificate_has_the_vc_2_0_shape() -> None:
    vc = signed_certificate()
    assert vc["@context"] == [VC_V2_CONTEXT]
    assert vc["id"] == "urn:dataledger:certificate:DLC-2026-000001"
    assert vc["type"] == ["VerifiableCredential", "DataRightsRegistrationCertificate"]
    assert vc["issuer"] == {"id": registrar_key().did, "name": "Shandong Data Registration Centre"}
    assert vc["validFrom"] == "2026-03-01T08:30:00Z"
    assert vc["validUntil"] == "2029-03-01T08:30:00Z"
    subject = vc["credentialSubject"]
    assert subject["id"] == f"did:pkh:eip155:31337:{HOLDER}"
    assert subject["holder"] == {"address": HOLDER, "name": "Qingdao Port Data Co., Ltd."}
    assert subject["asset"]["collectionMethod"] == asset_facts()["collection_method"]
    assert subject["chainEvidence"] == evidence().as_json()
    proof = vc["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == CRYPTOSUITE
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == registrar_key().verification_method_id
    assert proof["@context"] == vc["@context"]
    assert proof["proofValue"].startswith("z")
    verify_proof(vc, registrar_key().public_key)


def test_certificate_without_expiry_omits_valid_until() -> None:
    vc = signed_certificate(valid_until=None)
    assert "validUntil" not in vc
    assert parse_certificate(vc).valid_until is None


def test_issuing_is_deterministic() -> None:
    assert signed_certificate() == signed_certificate()
    assert certificate_hash(signed_certificate()) == certificate_hash(signed_certificate())


def test_issued_certificate_matches_the_golden_file() -> None:
    # Any change here changes every certificate hash already anchored: update the file deliberately.
    assert signed_certificate() == json.loads(GOLDEN.read_text())


def test_certificate_hash_is_the_json_hash_of_the_signed_credential() -> None:
    vc = signed_certificate()
    assert certificate_hash(vc) == json_hash(vc)
    assert certificate_hash(vc) == certificate_hash(json.loads(json.dumps(vc, indent=3)))
    other = copy.deepcopy(vc)
    other["credentialSubject"]["holder"]["name"] += "."
    assert certificate_hash(other) != certificate_hash(vc)


def test_explicit_proof_created_is_used() -> None:
    created = ISSUED_AT + timedelta(minutes=5)
    vc = issue_certificate(certificate_facts(), registrar_key(), created=created)
    assert vc["proof"]["created"] == "2026-03-01T08:35:00Z"
    assert parse_certificate(vc).proof_created == created


# -- parsing ---------------------------------------------------------------------------------------


def test_parse_round_trips_the_facts() -> None:
    facts = certificate_facts()
    certificate = parse_certificate(issue_certificate(facts, registrar_key()))
    assert isinstance(certificate, Certificate)
    assert certificate.facts == facts
    assert certificate.number == "DLC-2026-000001"
    assert certificate.asset_id == facts.asset_id
    assert certificate.holder_address == HOLDER
    assert certificate.evidence == evidence()
    assert certificate.content_hash == facts.content_hash
    assert certificate.metadata_hash == facts.metadata_hash
    assert certificate.valid_from == ISSUED_AT
    assert certificate.valid_until == VALID_UNTIL
    assert certificate.issuer_did == registrar_key().did
    assert certificate.verification_method == registrar_key().verification_method_id


@pytest.mark.parametrize("vc", [None, [], "vc", 42], ids=repr)
def test_non_objects_are_not_certificates(vc: object) -> None:
    with pytest.raises(ValidationFailed):
        parse_certificate(vc)


def test_parse_accepts_a_non_utc_offset_and_normalises_it() -> None:
    vc = signed_certificate()
    vc["validFrom"] = "2026-03-01T16:30:00+08:00"
    assert parse_certificate(vc).valid_from == ISSUED_AT


@pytest.mark.parametrize(
    "value", ["2026-03-01", "2026-03-01T08:30:00", "20260301T083000Z", "2026-13-01T08:30:00Z", 1772353800]
)
def test_dates_must_be_xml_schema_date_times_with_a_zone(value: object) -> None:
    vc = signed_certificate()
    vc["validFrom"] = value
    with pytest.raises(ValidationFailed):
        parse_certificate(vc)


@pytest.mark.parametrize("value", [True, 42.0, "42", -1, 2**53])
def test_chain_numbers_must_be_json_safe_integers(value: object) -> None:
    vc = signed_certificate()
    vc["credentialSubject"]["chainEvidence"]["blockNumber"] = value
    with pytest.raises(ValidationFailed):
        parse_certificate(vc)


def test_registry_core_modules_import_no_adapter_library() -> None:
    forbidden = ["web3", "fastapi", "sqlmodel", "sqlalchemy", "eth_tester", "httpx", "uvicorn"]
    code = (
        "import sys\n"
        "import dataledger.registry.canonical, dataledger.registry.multibase\n"
        "import dataledger.registry.registrar_keys, dataledger.registry.certificate\n"
        "import dataledger.registry.certificate_verifier\n"
        f"print([m for m in {forbidden!r} if m in sys.modules])\n"
    )
    repo = ASSETS.parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
