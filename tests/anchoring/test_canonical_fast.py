"""The bulk path's fast canonical JSON and facts conversion give exactly the reference bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataledger.registry.assets import AssetFacts, RightClaimed
from dataledger.registry.batched_registrations import facts_as_json
from dataledger.registry.canonical import canonical_json
from dataledger.registry.canonical_fast import canonical_json_fast
from dataledger.registry.errors import ValidationFailed

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@given(json_values)
def test_fast_canonical_json_is_byte_for_byte_rfc_8785(value: object) -> None:
    try:
        expected = canonical_json(value)
    except ValidationFailed:
        with pytest.raises(ValidationFailed):
            canonical_json_fast(value)
        return
    assert canonical_json_fast(value) == expected


@pytest.mark.parametrize("text", ["\x00\x1f\x7f", 'quote " and \\ backslash', "\b\f\n\r\t", "é 中 \u2028 😀"])
def test_escapes_match_rfc_8785(text: str) -> None:
    assert canonical_json_fast({"k": text}) == canonical_json({"k": text})


def test_a_lone_surrogate_is_refused_like_the_reference() -> None:
    with pytest.raises(ValidationFailed):
        canonical_json_fast({"k": "\ud800"})


@given(
    st.builds(
        AssetFacts,
        name=st.text(min_size=1, max_size=20).filter(str.strip),
        content_hash=st.binary(min_size=32, max_size=32).filter(any).map(lambda b: "0x" + b.hex()),
        description=st.text(max_size=20),
        right_claimed=st.sampled_from(list(RightClaimed)),
        extra=st.dictionaries(st.text(max_size=5), json_values, max_size=3),
    )
)
def test_facts_as_json_equals_the_dataclass_conversion(facts: AssetFacts) -> None:
    assert facts_as_json(facts) == facts.as_json()
