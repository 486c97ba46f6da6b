"""The flat depth scan that guards every JSON parse of outside input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataledger.registry.errors import JsonNestedTooDeeply
from dataledger.registry.json_input import check_nesting, loads, nesting_depth_exceeds


def depth_of(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    return 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.sampled_from('ab[]{}"\\,:'), max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=30,
)


@given(json_values, st.integers(min_value=0, max_value=12))
def test_scan_agrees_with_the_depth_of_the_parsed_value(value: Any, limit: int) -> None:
    text = json.dumps(value)
    assert nesting_depth_exceeds(text, limit) is (depth_of(value) > limit)
    assert nesting_depth_exceeds(text.encode(), limit) is (depth_of(value) > limit)


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"a": "[[[[[[[[[[{{{{{{{{", "b": ['\\"[[[[[[[']})
    assert not nesting_depth_exceeds(text, 2)


def test_a_hundred_thousand_levels_are_refused_without_parsing() -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(JsonNestedTooDeeply) as refused:
        loads(body)
    assert refused.value.code == "json-nested-too-deeply"
    assert refused.value.extra == {"max_depth": 64}


def test_an_unclosed_deep_prefix_is_refused() -> None:
    with pytest.raises(JsonNestedTooDeeply):
        check_nesting('{"facts": ' + '{"x": ' * 20_000, max_depth=64)


def test_json_at_the_limit_is_parsed() -> None:
    text = "[" * 64 + "1" + "]" * 64
    assert depth_of(loads(text, max_depth=64)) == 64
