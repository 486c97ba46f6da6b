"""Conformance with the test vectors of W3C "Data Integrity ECDSA Cryptosuites v1.0" (ecdsa-jcs-2019, P-256).

Two published forms exist: the earlier one signs a proof configuration without ``@context`` (its
signature is RFC 6979 deterministic, so we reproduce it byte for byte); the current one copies the
document's ``@context`` into the proof (randomised signature: we verify it).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from dataledger.registry.canonical import canonical_json
from dataledger.registry.certificate import add_proof, parse_datetime, proof_hash_data, verify_proof
from dataledger.registry.errors import ValidationFailed, VerificationFailed
from dataledger.registry.multibase import multibase_encode
from dataledger.registry.registrar_keys import RegistrarKey, RegistrarPublicKey
from tests.registry.certificate_factories import ASSETS

VECTORS: dict[str, Any] = json.loads((ASSETS / "vc_di_ecdsa_jcs_2019_p256.json").read_text())
SPEC_KEY = RegistrarKey.from_secret_multikey(VECTORS["keyPair"]["secretKeyMultibase"])


def _spec_public_key(document: dict[str, Any]) -> RegistrarPublicKey:
    return RegistrarPublicKey.from_did(document["proof"]["verificationMethod"])


def test_spec_secret_key_derives_the_spec_public_key() -> None:
    assert SPEC_KEY.public_key.multikey == VECTORS["keyPair"]["publicKeyMultibase"]


def test_canonical_proof_configuration_matches_the_spec() -> None:
    canonical = canonical_json(VECTORS["proofOptionsWithoutContext"])
    assert canonical.decode() == VECTORS["canonicalProofConfigWithoutContext"]


def test_hash_data_matches_the_spec() -> None:
    hash_data = proof_hash_data(VECTORS["proofOptionsWithoutContext"], VECTORS["unsecuredDocument"])
    assert hash_data.hex() == VECTORS["combinedHashWithoutContext"]


def test_deterministic_signature_reproduces_the_spec_proof_value() -> None:
    hash_data = proof_hash_data(VECTORS["proofOptionsWithoutContext"], VECTORS["unsecuredDocument"])
    assert multibase_encode(SPEC_KEY.sign(hash_data)) == VECTORS["proofValueWithoutContext"]


def test_spec_document_without_proof_context_verifies() -> None:
    signed = {
        **VECTORS["unsecuredDocument"],
        "proof": {**VECTORS["proofOptionsWithoutContext"], "proofValue": VECTORS["proofValueWithoutContext"]},
    }
    verify_proof(signed, _spec_public_key(signed))


def test_current_spec_document_with_proof_context_verifies() -> None:
    signed = VECTORS["signedDocumentWithContext"]
    verify_proof(signed, _spec_public_key(signed))


def test_our_proof_has_the_shape_of_the_current_spec_vector() -> None:
    created = parse_datetime(VECTORS["proofOptionsWithoutContext"]["created"], "created")
    ours = add_proof(VECTORS["unsecuredDocument"], SPEC_KEY, created=created)
    theirs = VECTORS["signedDocumentWithContext"]
    assert {k: v for k, v in ours["proof"].items() if k != "proofValue"} == {
        k: v for k, v in theirs["proof"].items() if k != "proofValue"
    }
    assert {k: v for k, v in ours.items() if k != "proof"} == {
        k: v for k, v in theirs.items() if k != "proof"
    }
    verify_proof(ours, SPEC_KEY.public_key)


def test_a_context_appended_after_signing_still_verifies_as_the_spec_allows() -> None:
    signed = copy.deepcopy(VECTORS["signedDocumentWithContext"])
    signed["@context"].append("https://example.org/extra/v1")
    verify_proof(signed, _spec_public_key(signed))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("credentialSubject", "alumniOf"), "The School of Counterfeits"),
        (("validFrom",), "2023-01-01T00:00:01Z"),
        (("proof", "created"), "2023-02-24T23:36:39Z"),
        (("proof", "@context"), ["https://www.w3.org/ns/credentials/v2"]),
        (("@context",), ["https://www.w3.org/ns/credentials/v2"]),
    ],
    ids=lambda part: ".".join(part) if isinstance(part, tuple) else None,
)
def test_tampered_spec_document_fails(path: tuple[str, ...], value: object) -> None:
    signed = copy.deepcopy(VECTORS["signedDocumentWithContext"])
    target = signed
    for name in path[:-1]:
        target = target[name]
    target[path[-1]] = value
    with pytest.raises(VerificationFailed) as failure:
        verify_proof(signed, _spec_public_key(VECTORS["signedDocumentWithContext"]))
    assert failure.value.check == "proof-signature"


@pytest.mark.parametrize("document", [{}, {"proof": "z123"}, {"proof": [{}]}, "not a document"], ids=repr)
def test_documents_without_a_single_proof_object_fail(document: Any) -> None:
    with pytest.raises(VerificationFailed) as failure:
        verify_proof(document, SPEC_KEY.public_key)
    assert failure.value.check == "proof-signature"


def test_adding_a_second_proof_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        add_proof(VECTORS["signedDocumentWithContext"], SPEC_KEY, created=datetime.now(UTC))
