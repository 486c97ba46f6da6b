"""RFC 3339 date-times as EPCIS uses them, and their CBV 2.0 canonical form.

EPCIS 2.0 requires every time (``eventTime``, sensor times, ...) to be an RFC 3339 ``date-time`` with
an explicit offset. The CBV 2.0 event hash writes each one in UTC at millisecond precision; GS1's
reference implementation does so with ``dateutil`` (fraction truncated to microseconds, then rounded
to milliseconds half-to-even) and this module reproduces that result without dateutil's guessing.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_DATE_TIME = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})[Tt]"
    r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.(?P<fraction>\d+))?"
    r"(?:(?P<utc>[Zz])|(?P<sign>[+-])(?P<offset_hour>\d{2}):(?P<offset_minute>\d{2}))",
    re.ASCII,
)


def _parts(text: str) -> tuple[datetime, timedelta]:
    """The local (naive) date-time of ``text`` and its offset from UTC."""
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        raise ValueError("not an RFC 3339 date-time with offset (e.g. 2024-05-01T12:00:00.000+08:00)")
    year, month, day, hour, minute, second, fraction, utc, sign, offset_hour, offset_minute = match.groups()
    if second == "60":
        raise ValueError("leap seconds are not supported")
    # like dateutil, keep microseconds and drop further digits
    microsecond = int(fraction.ljust(6, "0")[:6]) if fraction else 0
    local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), microsecond)
    if utc:
        return local, timedelta(0)
    hours, minutes = int(offset_hour), int(offset_minute)
    if hours > 23 or minutes > 59:
        raise ValueError("offset out of range")
    offset = timedelta(hours=hours, minutes=minutes)
    return local, -offset if sign == "-" else offset


def parse_date_time(text: str) -> datetime:
    """The aware datetime of an RFC 3339 ``date-time``, to the microsecond (further digits dropped).

    Raises ``ValueError`` with a reason for anything else, including a missing offset, a leap second,
    an impossible date and year 0000 (none of which Python's datetime represents).
    """
    local, offset = _parts(text)
    return local.replace(tzinfo=UTC if not offset else timezone(offset))


def cbv_timestamp(text: str) -> str:
    """The CBV 2.0 hash form of an RFC 3339 date-time: UTC, milliseconds, ``Z`` (``ValueError`` if invalid).

    Microseconds are rounded to milliseconds half-to-even, like the reference implementation. Where the
    reference fails (a fraction that rounds up to a full second), the second is carried over.
    """
    local, offset = _parts(text)
    try:
        utc = local - offset
        milliseconds = round(utc.microsecond, -3)
        utc = utc.replace(microsecond=0) + timedelta(microseconds=milliseconds)
    except OverflowError:
        raise ValueError("out of range once converted to UTC and rounded to milliseconds") from None
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}."
        f"{utc.microsecond // 1000:03d}Z"
    )
