"""RFC 8785 canonical JSON and the hashes taken over it."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataledger.registry.canonical import MAX_SAFE_INTEGER, canonical_json, json_hash, sha256_hex
from dataledger.registry.errors import ValidationFailed

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


def test_members_are_sorted_and_whitespace_removed() -> None:
    assert canonical_json({"b": 1, "a": [True, None, "é"]}) == '{"a":[true,null,"é"],"b":1}'.encode()


def test_numbers_use_the_ecmascript_form() -> None:
    assert canonical_json([1.0, 1e21, 0.000001, -0.0]) == b"[1,1e+21,0.000001,0]"


def test_sha256_hex_is_0x_prefixed_lower_hex() -> None:
    assert sha256_hex(b"") == "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_json_hash_is_the_sha256_of_the_canonical_bytes() -> None:
    value = {"z": [1, 2], "a": {"y": "x"}}
    assert json_hash(value) == "0x" + hashlib.sha256(b'{"a":{"y":"x"},"z":[1,2]}').hexdigest()


@given(json_values)
def test_member_order_does_not_change_the_hash(value: object) -> None:
    if isinstance(value, dict):
        reordered = dict(reversed(list(value.items())))
        assert json_hash(reordered) == json_hash(value)


@pytest.mark.parametrize("value", [float("nan"), 2**53, {1: "non-string key"}, b"bytes", object()])
def test_values_json_cannot_carry_exactly_are_refused(value: object) -> None:
    with pytest.raises(ValidationFailed):
        canonical_json(value)
