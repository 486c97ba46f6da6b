"""What is wrong with an EPCIS document, one finding at a time, and how the findings are refused."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from dataledger.registry.errors import EpcisDocumentInvalid


class Problem(NamedTuple):
    """One finding: the event's index (None for the document), a field path and what is wrong.

    Paths use dots and indices relative to the event (``quantityList[0].quantity``), or to the
    document when ``event_index`` is None (``epcisBody.eventList``).
    """

    event_index: int | None
    field: str
    message: str


def refuse_if_any(problems: Iterable[Problem]) -> None:
    """Raise one :class:`EpcisDocumentInvalid` carrying every problem, if there is any."""
    found = list(problems)
    if found:
        raise EpcisDocumentInvalid(found)
