"""Certificates are hashed over the fast canonical JSON, which must stay the reference RFC 8785 bytes."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataledger.registry.canonical import canonical_json
from dataledger.registry.certificate import certificate_hash, proof_hash_data
from dataledger.registry.certificate_verifier import CertificateVerifier
from dataledger.registry.errors import ValidationFailed
from tests.registry.certificate_factories import during_validity, registrar_key, signed_certificate

# What a tampered or foreign certificate may carry beyond the issued fields: the signature covers them.
extra_members = st.dictionaries(
    st.text(max_size=8),
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.floats(allow_nan=False) | st.text(),
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
        ),
        max_leaves=8,
    ),
    max_size=3,
)


def _reference_hash_data(vc: dict[str, Any]) -> bytes:
    options = {k: v for k, v in vc["proof"].items() if k != "proofValue"}
    unsecured = {k: v for k, v in vc.items() if k != "proof"}
    unsecured["@context"] = options["@context"]
    return (
        hashlib.sha256(canonical_json(options)).digest() + hashlib.sha256(canonical_json(unsecured)).digest()
    )


@given(extra_members, st.text(min_size=1, max_size=30).filter(str.strip))
def test_proof_hash_data_and_certificate_hash_are_the_reference_rfc_8785_ones(
    extra: dict[str, Any], holder_name: str
) -> None:
    vc = signed_certificate(holder_name=holder_name)
    vc["credentialSubject"] = {**vc["credentialSubject"], "note": extra}
    vc.update({f"x-{key}": value for key, value in extra.items()})
    options = {k: v for k, v in vc["proof"].items() if k != "proofValue"}
    unsecured = {k: v for k, v in vc.items() if k != "proof"}
    try:
        expected = _reference_hash_data(vc), "0x" + hashlib.sha256(canonical_json(vc)).hexdigest()
    except ValidationFailed:  # not JSON RFC 8785 can carry (an integer beyond 2**53): refused alike
        with pytest.raises(ValidationFailed):
            proof_hash_data(options, unsecured)
        with pytest.raises(ValidationFailed):
            certificate_hash(vc)
        return

    assert (proof_hash_data(options, unsecured), certificate_hash(vc)) == expected


def test_verifying_many_times_gives_the_same_report() -> None:
    key = registrar_key()
    vc = signed_certificate()
    verifier = CertificateVerifier([key.public_key], clock=during_validity)

    reports = {str(verifier.verify(vc).as_json()) for _ in range(3)}

    assert len(reports) == 1 and verifier.verify(vc).valid
