"""Byte ranges of a delivered object: whole, from an offset, a suffix; past the end refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataledger.registry.delivery.ranges import ByteRange, byte_range
from dataledger.registry.errors import RangeNotSatisfiable


def test_no_header_or_another_unit_is_the_whole_object() -> None:
    assert byte_range(None, 100) == (ByteRange(0, 99, 100), False)
    assert byte_range("items=0-3", 100) == (ByteRange(0, 99, 100), False)
    assert byte_range("bytes=0-1,5-6", 100) == (ByteRange(0, 99, 100), False)


def test_ranges_from_an_offset_to_an_end_and_a_suffix() -> None:
    assert byte_range("bytes=10-19", 100)[0] == ByteRange(10, 19, 100)
    assert byte_range("bytes=90-", 100)[0] == ByteRange(90, 99, 100)
    assert byte_range("bytes=-5", 100)[0] == ByteRange(95, 99, 100)
    assert byte_range("bytes=50-500", 100)[0] == ByteRange(50, 99, 100)
    assert byte_range("bytes=50-500", 100)[0].reaches_end


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=20-10", "bytes=-0"])
def test_a_range_outside_the_object_is_refused(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        byte_range(header, 100)


@given(total=st.integers(1, 10**9), data=st.data())
def test_every_satisfiable_range_lies_within_the_object(total: int, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, total - 1))
    end = data.draw(st.integers(start, total + 10))
    served, partial = byte_range(f"bytes={start}-{end}", total)
    assert partial and 0 <= served.start <= served.end < total
    assert served.length == min(end, total - 1) - start + 1
