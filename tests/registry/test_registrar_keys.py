"""The registrar's P-256 key: did:key names, PEM, deterministic signatures, two verification paths."""

from __future__ import annotations

import hashlib

import ecdsa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataledger.registry.errors import ValidationFailed
from dataledger.registry.multibase import multikey_encode
from dataledger.registry.registrar_keys import RegistrarKey, RegistrarPublicKey
from tests.registry.certificate_factories import registrar_key

ORDER = ecdsa.NIST256p.order
KEY = registrar_key()
PUBLIC = KEY.public_key


def test_did_key_names_the_compressed_p256_point() -> None:
    assert PUBLIC.multikey.startswith("zDn")
    assert KEY.did == "did:key:" + PUBLIC.multikey
    assert KEY.verification_method_id == f"{KEY.did}#{PUBLIC.multikey}"
    assert PUBLIC.compressed == KEY.signing_key.get_verifying_key().to_string("compressed")


@pytest.mark.parametrize(
    "name", [PUBLIC.did, PUBLIC.verification_method_id, PUBLIC.multikey, PUBLIC.to_pem()], ids=str
)
def test_public_key_round_trips_through_every_name(name: str) -> None:
    if name.startswith("did:"):
        parsed = RegistrarPublicKey.from_did(name)
    elif name.startswith("z"):
        parsed = RegistrarPublicKey.from_multikey(name)
    else:
        parsed = RegistrarPublicKey.from_pem(name)
    assert parsed == PUBLIC


@given(st.binary(min_size=32, max_size=32))
@settings(max_examples=25)
def test_did_key_round_trips_for_any_key(secret: bytes) -> None:
    scalar = int.from_bytes(secret, "big")
    if not 0 < scalar < ORDER:
        return
    key = RegistrarKey.from_secret_bytes(secret)
    assert RegistrarPublicKey.from_did(key.did) == key.public_key
    assert RegistrarKey.from_secret_multikey(key.to_secret_multikey()).did == key.did


@pytest.mark.parametrize(
    "bad",
    [
        "did:web:example.org",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",  # Ed25519, not P-256
        f"{PUBLIC.did}#{registrar_key('other').public_key.multikey}",  # fragment names another key
        "did:key:" + multikey_encode(0x1200, bytes([2]) + b"\xff" * 32),  # not on the curve
        "did:key:" + multikey_encode(0x1200, bytes([4]) + b"\x01" * 32),  # not a compressed point
        "did:key:zDn0",  # not base58
    ],
)
def test_malformed_or_foreign_did_keys_are_refused(bad: str) -> None:
    with pytest.raises(ValidationFailed):
        RegistrarPublicKey.from_did(bad)


def test_private_key_pem_round_trip() -> None:
    pem = KEY.to_pem()
    assert "PRIVATE KEY" in pem
    assert RegistrarKey.from_pem(pem).did == KEY.did
    assert RegistrarKey.from_pem(pem.encode()).did == KEY.did


def test_keys_on_other_curves_are_refused() -> None:
    secp256k1 = ecdsa.SigningKey.generate(curve=ecdsa.SECP256k1)
    with pytest.raises(ValidationFailed):
        RegistrarKey.from_pem(secp256k1.to_pem())
    with pytest.raises(ValidationFailed):
        RegistrarPublicKey.from_pem(secp256k1.get_verifying_key().to_pem())


def test_private_key_is_never_printed() -> None:
    assert repr(KEY) == f"RegistrarKey({KEY.did})"
    assert KEY.to_pem() not in repr(KEY)


def test_signature_is_deterministic_64_byte_r_s() -> None:
    first = KEY.sign(b"the same message")
    assert first == KEY.sign(b"the same message")
    assert len(first) == 64
    assert first != KEY.sign(b"another message")


def test_signature_is_rfc6979_with_sha256() -> None:
    expected = KEY.signing_key.sign_digest_deterministic(
        hashlib.sha256(b"abc").digest(), hashfunc=hashlib.sha256, sigencode=ecdsa.util.sigencode_string
    )
    assert KEY.sign(b"abc") == expected


def test_default_verify_accepts_own_signature() -> None:
    assert PUBLIC.verify(b"msg", KEY.sign(b"msg"))
    assert not registrar_key("other").public_key.verify(b"msg", KEY.sign(b"msg"))


def _both(message: bytes, signature: bytes) -> tuple[bool, bool]:
    return PUBLIC.verify_with_openssl(message, signature), PUBLIC.verify_with_ecdsa(message, signature)


@given(st.binary(max_size=200), st.data())
@settings(max_examples=60, deadline=None)
def test_openssl_and_ecdsa_paths_agree_on_valid_and_bit_flipped_signatures(message: bytes, data) -> None:
    signature = KEY.sign(message)
    assert _both(message, signature) == (True, True)

    bit = data.draw(st.integers(0, 64 * 8 - 1), label="signature bit")
    flipped = bytearray(signature)
    flipped[bit // 8] ^= 1 << (bit % 8)
    assert _both(message, bytes(flipped)) == (False, False)

    if message:
        bit = data.draw(st.integers(0, len(message) * 8 - 1), label="message bit")
        tampered = bytearray(message)
        tampered[bit // 8] ^= 1 << (bit % 8)
        assert _both(bytes(tampered), signature) == (False, False)


def _rs(r: int, s: int) -> bytes:
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def test_both_paths_accept_the_high_s_twin() -> None:
    # ECDSA is malleable: (r, n - s) verifies too. Both backends must say the same thing about it.
    signature = KEY.sign(b"m")
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    assert _both(b"m", _rs(r, ORDER - s)) == (True, True)


@pytest.mark.parametrize(
    "signature",
    [
        b"",
        b"\x01" * 63,
        b"\x01" * 65,
        _rs(0, 1),
        _rs(1, 0),
        _rs(ORDER, 1),
        _rs(1, ORDER),
        b"\xff" * 64,
    ],
    ids=["empty", "63-bytes", "65-bytes", "r-zero", "s-zero", "r-order", "s-order", "all-ones"],
)
def test_both_paths_refuse_malformed_signatures(signature: bytes) -> None:
    assert _both(b"m", signature) == (False, False)


@pytest.mark.parametrize(
    "secret",
    [bytes(32), ORDER.to_bytes(32, "big"), b"\xff" * 32, b"\x01" * 31],
    ids=["zero", "order", "max", "short"],
)
def test_private_scalars_outside_the_group_are_refused(secret: bytes) -> None:
    with pytest.raises(ValidationFailed):
        RegistrarKey.from_secret_bytes(secret)


def test_secret_multikey_of_another_type_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        RegistrarKey.from_secret_multikey(PUBLIC.multikey)
