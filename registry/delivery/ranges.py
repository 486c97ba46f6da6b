"""Byte ranges of a delivered object (RFC 9110 section 14): one range per request, as downloads resume."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dataledger.registry.errors import RangeNotSatisfiable

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Bytes ``start`` to ``end`` inclusive of an object of ``total`` bytes."""

    start: int
    end: int
    total: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1 if self.total else 0

    @property
    def whole(self) -> bool:
        return self.start == 0 and self.end == self.total - 1

    @property
    def reaches_end(self) -> bool:
        return self.end >= self.total - 1

    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end}/{self.total}"


def byte_range(header: str | None, total: int) -> tuple[ByteRange, bool]:
    """The range a ``Range`` header asks of an object of ``total`` bytes, and whether it asked one.

    No header (or one that is not a single ``bytes=`` range, which RFC 9110 lets a server ignore): the
    whole object. A range past the end is refused (416)."""
    whole = ByteRange(0, max(total - 1, 0), total)
    if header is None:
        return whole, False
    match = _RANGE.match(header)
    if match is None:
        return whole, False
    first, last = match.group(1), match.group(2)
    if first == "" and last == "":
        return whole, False
    if first == "":  # a suffix: the last N bytes
        suffix = int(last)
        if suffix == 0 or total == 0:
            raise _unsatisfiable(header, total)
        return ByteRange(max(total - suffix, 0), total - 1, total), True
    start = int(first)
    end = total - 1 if last == "" else min(int(last), total - 1)
    if start >= total or (last != "" and int(last) < start):
        raise _unsatisfiable(header, total)
    return ByteRange(start, end, total), True


def _unsatisfiable(header: str, total: int) -> RangeNotSatisfiable:
    return RangeNotSatisfiable(
        f"the range {header.strip()!r} is outside the object of {total} bytes", size=total
    )
