"""Everything a capture computes from a valid document before it writes: hash IDs, index facts, leaves.

:func:`prepare_events` does it for a whole document, in chunks that an ``Executor`` may run in other
processes (hashing is CPU-bound: a process pool multiplies a large document's capture rate by the
cores). A chunk never raises across a process boundary: it returns its problems, and the document is
refused whole with every problem, indexed in the document, as :func:`registry.epcis.hash_events`
would refuse it.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, NamedTuple

from dataledger.registry.canonical_fast import canonical_json_fast
from dataledger.registry.epcis.document import EpcisDocument
from dataledger.registry.epcis.event_hash import hash_events
from dataledger.registry.epcis.event_leaf import event_digest, event_leaf, event_row_id
from dataledger.registry.epcis.lineage import EventFacts, event_facts, iso_time
from dataledger.registry.epcis.problems import Problem, refuse_if_any
from dataledger.registry.errors import EpcisDocumentInvalid

PARALLEL_FROM_EVENTS = 2_000  # smaller documents are prepared inline: a process round trip costs more
CHUNK_EVENTS = 1_000


class PreparedEvent(NamedTuple):
    """One event ready to store: its hash ID, storage key, declared ``eventID``, facts, JSON and leaf."""

    hash_id: str
    key: int
    declared_event_id: str | None
    facts: EventFacts
    canonical_json: str
    leaf: bytes


def prepare_chunk(
    kind: Any, context: Any, events: Sequence[dict[str, Any]], ignore_fields: Sequence[str], offset: int
) -> list[PreparedEvent] | list[Problem]:
    """Prepare ``events`` (document positions from ``offset``), or return why some cannot be hashed."""
    try:
        hashed = hash_events(EpcisDocument(kind, context, tuple(events)), ignore_fields=ignore_fields)
    except EpcisDocumentInvalid as refusal:
        return [Problem(None if i is None else i + offset, f, m) for i, f, m in refusal.problems]
    prepared = []
    for event, result in zip(events, hashed, strict=True):
        prepared.append(
            PreparedEvent(
                result.hash_id,
                event_row_id(event_digest(result.hash_id)),
                result.declared_event_id,
                event_facts(event),
                canonical_json_fast(event).decode("utf-8"),
                event_leaf(result.hash_id),
            )
        )
    return prepared


def prepare_events(
    document: EpcisDocument, ignore_fields: Sequence[str], executor: Executor | None = None
) -> list[PreparedEvent]:
    """Every event of ``document`` prepared, in document order; raises ``EpcisDocumentInvalid``."""
    events = document.events
    if executor is None or len(events) < PARALLEL_FROM_EVENTS:
        chunks = [prepare_chunk(document.kind, document.context, events, ignore_fields, 0)]
    else:
        futures = [
            executor.submit(
                prepare_chunk,
                document.kind,
                document.context,
                events[start : start + CHUNK_EVENTS],
                tuple(ignore_fields),
                start,
            )
            for start in range(0, len(events), CHUNK_EVENTS)
        ]
        chunks = [future.result() for future in futures]
    problems = [p for chunk in chunks for p in chunk if isinstance(p, Problem)]
    refuse_if_any(problems)
    return [p for chunk in chunks for p in chunk if isinstance(p, PreparedEvent)]


# What a capture stored, and a stored event, as the store returns them.


@dataclass(frozen=True, slots=True)
class CapturedEvent:
    """One event of a capture: its position in the document, hash ID, and whether it was stored before."""

    index: int
    hash_id: str
    declared_event_id: str | None
    duplicate: bool

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "index": self.index,
            "eventHashId": self.hash_id,
            "stored": "duplicate" if self.duplicate else "new",
        }
        if self.declared_event_id is not None:
            body["declaredEventId"] = self.declared_event_id
        return body


@dataclass(frozen=True)
class CaptureResult:
    capture_id: str
    events: tuple[CapturedEvent, ...]

    @property
    def new_count(self) -> int:
        return sum(not e.duplicate for e in self.events)

    @property
    def hash_ids(self) -> list[str]:
        return list(dict.fromkeys(e.hash_id for e in self.events))


@dataclass(frozen=True)
class StoredEvent:
    hash_id: str
    event_type: str
    event_time_us: int
    record_time_us: int
    capture_id: str
    biz_step: str | None
    disposition: str | None
    event: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        return {
            "eventHashId": self.hash_id,
            "type": self.event_type,
            "eventTime": iso_time(self.event_time_us),
            "recordTime": iso_time(self.record_time_us),
            "bizStep": self.biz_step,
            "disposition": self.disposition,
            "captureId": self.capture_id,
        }
