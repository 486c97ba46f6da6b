"""Everything a capture computes from a valid document before it writes: hash IDs, index facts, leaves.

:func:`prepare_events` does it for a whole document, in chunks that an ``Executor`` may run in other
processes (hashing is CPU-bound: a process pool multiplies a large document's capture rate by the
cores). A chunk never raises across a process boundary: it returns its problems, and the document is
refused whole with every problem, indexed in the document, as :func:`registry.epcis.hash_events`
would refuse it.

An event that carries an ``errorDeclaration`` is prepared with its declaration
(:mod:`registry.epcis.error_declaration`): the store records the declaration on the event with the
same hash ID instead of storing the event again.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, NamedTuple

from dataledger.registry.canonical_fast import canonical_json_fast
from dataledger.registry.epcis.document import EpcisDocument
from dataledger.registry.epcis.error_declaration import (
    PreparedDeclaration,
    StoredDeclaration,
    corrective_ids,
    prepare_declaration,
)
from dataledger.registry.epcis.event_hash import hash_events
from dataledger.registry.epcis.event_leaf import event_digest, event_leaf, event_row_id
from dataledger.registry.epcis.lineage import EventFacts, event_facts, iso_time
from dataledger.registry.epcis.problems import Problem, refuse_if_any
from dataledger.registry.errors import EpcisDocumentInvalid

PARALLEL_FROM_EVENTS = 2_000  # smaller documents are prepared inline: a process round trip costs more
CHUNK_EVENTS = 1_000


class PreparedEvent(NamedTuple):
    """One event ready to store: its hash ID, storage key, declared ``eventID``, facts, JSON and leaf.

    ``declaration`` is set when the event carries an ``errorDeclaration``: it declares the stored
    event with the same hash ID erroneous, and is not stored as an event itself.
    """

    hash_id: str
    key: int
    declared_event_id: str | None
    facts: EventFacts
    canonical_json: str
    leaf: bytes
    declaration: PreparedDeclaration | None = None


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
                prepare_declaration(event) if "errorDeclaration" in event else None,
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
    """One event of a capture: its position in the document, hash ID, and whether it was stored before.

    An error declaration (``declaration_id`` set) is recorded on the event with its hash ID, not
    stored as an event: ``duplicate`` then says the same declaration was recorded before, and
    ``event_stored`` whether the event it declares is stored yet (else it applies when it arrives).
    """

    index: int
    hash_id: str
    declared_event_id: str | None
    duplicate: bool
    declaration_id: str | None = None
    event_stored: bool = True

    @property
    def is_declaration(self) -> bool:
        return self.declaration_id is not None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"index": self.index, "eventHashId": self.hash_id}
        if self.declaration_id is not None:
            body["stored"] = "error-declaration"
            body["errorDeclaration"] = {
                "declarationId": self.declaration_id,
                "status": "duplicate" if self.duplicate else "new",
                "event": "stored" if self.event_stored else "pending",
            }
        else:
            body["stored"] = "duplicate" if self.duplicate else "new"
        if self.declared_event_id is not None:
            body["declaredEventId"] = self.declared_event_id
        return body


@dataclass(frozen=True)
class CaptureResult:
    capture_id: str
    events: tuple[CapturedEvent, ...]

    @property
    def new_count(self) -> int:
        """Events stored by this capture (error declarations not counted)."""
        return sum(not e.duplicate and not e.is_declaration for e in self.events)

    @property
    def duplicate_count(self) -> int:
        """Events already stored (before, or earlier in the document)."""
        return sum(e.duplicate and not e.is_declaration for e in self.events)

    @property
    def declaration_count(self) -> int:
        """Error declarations in the document, recorded now or before."""
        return sum(e.is_declaration for e in self.events)

    @property
    def hash_ids(self) -> list[str]:
        """The hash IDs of the document's events (not of its error declarations), each once."""
        return list(dict.fromkeys(e.hash_id for e in self.events if not e.is_declaration))

    @property
    def declaration_ids(self) -> list[str]:
        """The ids of the document's error declarations, each once (their anchoring references)."""
        return list(dict.fromkeys(e.declaration_id for e in self.events if e.declaration_id is not None))


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
    declarations: tuple[StoredDeclaration, ...] = ()  # error declarations on it, in capture order

    @property
    def erroneous(self) -> bool:
        """Whether an error declaration says the event is wrong."""
        return bool(self.declarations)

    def summary(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "eventHashId": self.hash_id,
            "type": self.event_type,
            "eventTime": iso_time(self.event_time_us),
            "recordTime": iso_time(self.record_time_us),
            "bizStep": self.biz_step,
            "disposition": self.disposition,
            "captureId": self.capture_id,
            "erroneous": self.erroneous,
        }
        if self.declarations:
            body["correctiveEventIds"] = corrective_ids(self.declarations)
        return body
