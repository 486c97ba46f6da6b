"""base58-btc, multibase and Multikey encodings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataledger.registry.errors import ValidationFailed
from dataledger.registry.multibase import (
    P256_PRIV,
    P256_PUB,
    b58decode,
    b58encode,
    multibase_decode,
    multibase_encode,
    multikey_decode,
    multikey_encode,
    varint_decode,
    varint_encode,
)


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        (b"", ""),
        (b"Hello World!", "2NEpo7TZRRrLZSi2U"),
        (
            b"The quick brown fox jumps over the lazy dog.",
            "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z",
        ),
        (bytes.fromhex("0000287fb4cd"), "11233QC4"),
    ],
)
def test_base58btc_known_answers(raw: bytes, encoded: str) -> None:
    assert b58encode(raw) == encoded
    assert b58decode(encoded) == raw


@given(st.binary(max_size=80), st.integers(0, 4))
def test_base58btc_round_trips_with_leading_zeros(data: bytes, zeros: int) -> None:
    raw = b"\0" * zeros + data
    assert b58decode(b58encode(raw)) == raw
    assert multibase_decode(multibase_encode(raw)) == raw


@pytest.mark.parametrize("bad", ["0", "O", "I", "l", "abc+", "zz!", "abcé", "1\x00", "\ud800"])
def test_characters_outside_the_bitcoin_alphabet_are_refused(bad: str) -> None:
    with pytest.raises(ValidationFailed):
        b58decode(bad)


@pytest.mark.parametrize("bad", ["", "u3q2-7", "f0011", "Z123"])
def test_multibase_other_than_base58btc_is_refused(bad: str) -> None:
    with pytest.raises(ValidationFailed):
        multibase_decode(bad)


def test_p256_multicodec_varints() -> None:
    assert varint_encode(P256_PUB) == bytes([0x80, 0x24])
    assert varint_encode(P256_PRIV) == bytes([0x86, 0x26])


@given(st.integers(0, 2**63 - 1))  # multiformats caps varints at 9 bytes
def test_varint_round_trips(value: int) -> None:
    encoded = varint_encode(value)
    assert varint_decode(encoded + b"tail") == (value, len(encoded))


@pytest.mark.parametrize("bad", [b"", b"\x80", b"\x80\x00", b"\xff" * 9])
def test_truncated_or_non_minimal_varints_are_refused(bad: bytes) -> None:
    with pytest.raises(ValidationFailed):
        varint_decode(bad)


def test_multikey_round_trip_and_zdn_prefix() -> None:
    point = bytes([2]) + bytes(range(32))
    multikey = multikey_encode(P256_PUB, point)
    assert multikey.startswith("zDn")
    assert multikey_decode(multikey) == (P256_PUB, point)
