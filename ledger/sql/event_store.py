"""Captured EPCIS events in SQL: one transaction per document (events, lineage index, outbox entries).

A capture is all or nothing. The document is parsed and hashed before anything is written (a bad
document stores nothing); then ONE transaction checks which events are already stored (by the key
derived from their hash IDs), inserts the new ones with their item and edge rows and their outbox
entries, and records the capture. An event already stored, or repeated in the document, is answered
with the stored event (idempotent capture). Should a concurrent capture on PostgreSQL store the same
event between the check and the insert, the unique keys refuse the loser and the whole capture is
redone, now finding the event stored.

An event carrying an ``errorDeclaration`` is an EPCIS error declaration: it has the hash ID of the
event it declares erroneous, so it is not stored as an event (nor dropped as a duplicate) but
recorded in ``epcis_error_declarations`` on that event, once per distinct declaration, with its own
outbox entry (kind ``epcis-error-declaration``), in the same transaction. It is kept even when the
event is not stored yet, and applies when it arrives (declarations join events by ``event_key``).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from sqlalchemy import Select, Table, and_, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from dataledger.ledger.sql.event_tables import (
    EpcisCaptureRow,
    EpcisErrorDeclarationRow,
    EpcisEventIdRow,
    EpcisEventItemRow,
    EpcisEventRow,
    LineageEdgeRow,
)
from dataledger.ledger.sql.outbox import AnchorOutbox, Inclusion, OutboxEntry, add_entries
from dataledger.ledger.sql.row_writer import insert_rows, select_in
from dataledger.ledger.sql.tables import utcnow
from dataledger.registry.epcis import DATALEDGER_ADDED_FIELDS, EpcisDocument
from dataledger.registry.epcis.capture import (
    PARALLEL_FROM_EVENTS,
    CapturedEvent,
    CaptureResult,
    PreparedEvent,
    StoredEvent,
    prepare_events,
)
from dataledger.registry.epcis.error_declaration import (
    EPCIS_ERROR_DECLARATION_KIND,
    StoredDeclaration,
    declaration_id,
    declaration_leaf,
    event_id_key,
    is_event_hash_id,
)
from dataledger.registry.epcis.event_leaf import EPCIS_EVENT_KIND, event_digest, event_row_id
from dataledger.registry.epcis.lineage import short_vocabulary, time_us
from dataledger.registry.errors import EpcisContextConflict, EpcisEventNotFound, LedgerInconsistent

CAPTURES: Table = EpcisCaptureRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
EVENTS: Table = EpcisEventRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
ITEMS: Table = EpcisEventItemRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
EDGES: Table = LineageEdgeRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
DECLARATIONS: Table = EpcisErrorDeclarationRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
EVENT_IDS: Table = EpcisEventIdRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
TABLES = (CAPTURES, EVENTS, ITEMS, EDGES, DECLARATIONS, EVENT_IDS)
_RETRIES = 3
_ANALYZE_AFTER_EVENTS = 10_000


_EVENT_COLUMNS = (
    "event_key",
    "hash_id",
    "capture_id",
    "event_type",
    "event_time_us",
    "record_time_us",
    "action",
    "biz_step",
    "disposition",
    "read_point",
    "biz_location",
    "event_json",
)
_EVENT_READ = (
    "hash_id",
    "event_type",
    "event_time_us",
    "record_time_us",
    "capture_id",
    "biz_step",
    "disposition",
    "event_json",
)
_DECLARATION_COLUMNS = (
    "event_key",
    "hash_id",
    "declaration_hash",
    "declaration_time_us",
    "reason",
    "corrective_event_ids_json",
    "declaration_json",
    "event_json",
    "capture_id",
    "declared_by",
    "record_time_us",
)


class SqlEventStore:
    """EPCIS events and their lineage index, in the store's database, anchored through the outbox."""

    def __init__(
        self,
        outbox: AnchorOutbox,
        *,
        on_stored: Callable[[], None] | None = None,
        hash_workers: int | None = None,
    ) -> None:
        self._outbox = outbox
        self._hash_workers = min(4, os.cpu_count() or 1) if hash_workers is None else hash_workers
        self._pool: ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._since_analyze = 0  # events this process stored since it last analysed the tables
        self._analyzed_events = 0
        self._reader = outbox.engine
        self._writer = outbox.write_engine
        self._on_stored = on_stored
        for table in TABLES:
            table.create(self._writer, checkfirst=True)

    @property
    def outbox(self) -> AnchorOutbox:
        return self._outbox

    # -- capture -----------------------------------------------------------------------------------

    def capture(
        self, document: EpcisDocument, *, captured_by: str, ignore_fields: Sequence[str] = ()
    ) -> CaptureResult:
        """Store the document's new events with their lineage and outbox entries, in one transaction.

        Its error declarations are recorded on their events (stored or not yet), each once, with
        their own outbox entries. Raises :class:`~registry.errors.EpcisDocumentInvalid` (nothing
        stored) if an event cannot be hashed.
        """
        ignored = tuple(dict.fromkeys((*DATALEDGER_ADDED_FIELDS, *ignore_fields)))
        prepared = prepare_events(document, ignored, self._executor(len(document.events)))
        capture_id = uuid.uuid4().hex
        for attempt in range(_RETRIES):
            try:
                with self._writer.begin() as conn:
                    if conn.dialect.name == "sqlite":
                        # the lineage index takes random keys: keep its hot pages in memory (256 MB)
                        conn.exec_driver_sql("PRAGMA cache_size = -262144")
                    declared = [p for p in prepared if p.declaration is not None]
                    results, new, declarations = _classify(
                        prepared,
                        _stored_hash_ids(conn, [p.key for p in prepared]),
                        _stored_declarations(conn, [p.key for p in declared]) if declared else set(),
                    )
                    now = utcnow()
                    conn.execute(
                        CAPTURES.insert().values(
                            capture_id=capture_id,
                            captured_by=captured_by,
                            document_kind=document.kind,
                            context_json=json.dumps(document.context),
                            ignore_fields_json=json.dumps(list(ignored)),
                            event_count=len(results),
                            new_event_count=len(new),
                            created_at=now,
                        )
                    )
                    _insert_new(conn, new, capture_id, time_us(now))
                    _insert_declarations(conn, declarations, capture_id, captured_by, time_us(now))
                    add_entries(
                        conn,
                        [OutboxEntry(EPCIS_EVENT_KIND, p.hash_id, p.leaf) for p in new]
                        + [_declaration_entry(p) for p in declarations],
                        created_at=now,
                    )
                break
            except IntegrityError:
                if attempt == _RETRIES - 1:
                    raise
        if (new or declarations) and self._on_stored is not None:
            self._on_stored()
        self._refresh_statistics(len(new))
        return CaptureResult(capture_id, tuple(results))

    def _refresh_statistics(self, new_events: int) -> None:
        """On PostgreSQL, ANALYZE the lineage tables each time this process has doubled them.

        Autovacuum analyses late during a bulk load; meanwhile the planner, believing the tables small,
        answers a trace's ``IN (...)`` with sequential scans (175 ms instead of 4 ms at 1M events).
        """
        if self._writer.dialect.name != "postgresql" or not new_events:
            return
        self._since_analyze += new_events
        if self._since_analyze < max(_ANALYZE_AFTER_EVENTS, self._analyzed_events):
            return
        self._analyzed_events += self._since_analyze
        self._since_analyze = 0
        with self._writer.begin() as conn:
            conn.exec_driver_sql("ANALYZE epcis_events, epcis_event_items, lineage_edges")

    def _executor(self, event_count: int) -> Executor | None:
        """The process pool that prepares large documents (started on first need), or None."""
        if self._hash_workers < 2 or event_count < PARALLEL_FROM_EVENTS:
            return None
        with self._pool_lock:
            if self._pool is None:
                # spawn, not fork: this process runs threads (server, batcher)
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(self._hash_workers, mp_context=context)
            return self._pool

    def close(self) -> None:
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
                self._pool = None

    # -- reads -------------------------------------------------------------------------------------

    def get(self, hash_id: str) -> StoredEvent:
        """The stored event with its error declarations (``EpcisEventNotFound`` if not stored)."""
        key = event_row_id(event_digest(hash_id))
        query = select(*(EVENTS.c[name] for name in _EVENT_READ)).where(EVENTS.c.event_key == key)
        with self._reader.connect() as conn:
            row = conn.execute(query).first()
            declarations = [
                d for d in declarations_by_key(conn, [key]).get(key, []) if d.event_hash_id == hash_id
            ]
        if row is None or row.hash_id != hash_id:
            if declarations:
                raise EpcisEventNotFound(
                    "no captured event with this hash ID; error declarations on it are recorded and apply "
                    "when it is captured",
                    event_hash_id=hash_id,
                    error_declarations=len(declarations),
                )
            raise EpcisEventNotFound("no captured event with this hash ID", event_hash_id=hash_id)
        return _stored(row, declarations)

    def inclusion(self, hash_id: str) -> Inclusion:
        """The event's anchoring state: pending, sealed, or anchored with root, proof and transaction."""
        return self._outbox.inclusion(EPCIS_EVENT_KIND, hash_id)

    def inclusions(self, hash_ids: Sequence[str]) -> dict[str, Inclusion]:
        """The anchoring state of each stored event of ``hash_ids`` (one query per chunk)."""
        return self._outbox.inclusions(EPCIS_EVENT_KIND, hash_ids)

    def declaration_inclusion(self, declaration_id: str) -> Inclusion:
        """An error declaration's anchoring state (its id: event hash ID, ``#``, declaration hash)."""
        return self._outbox.inclusion(EPCIS_ERROR_DECLARATION_KIND, declaration_id)

    def resolve_event_ids(self, event_ids: Sequence[str]) -> dict[str, list[str]]:
        """For each event ID (a hash ID, or an ``eventID`` an event declared), the stored events it names."""
        with self._reader.connect() as conn:
            resolved = resolve_event_ids(conn, event_ids)
        return {i: [hash_id for _, hash_id in resolved.get(i, ())] for i in event_ids}

    def context_of(self, capture_id: str) -> Any:
        with self._reader.connect() as conn:
            value = conn.execute(
                select(CAPTURES.c.context_json).where(CAPTURES.c.capture_id == capture_id)
            ).scalar_one()
        return json.loads(value)

    def ignored_fields_of(self, capture_id: str) -> list[str]:
        with self._reader.connect() as conn:
            value = conn.execute(
                select(CAPTURES.c.ignore_fields_json).where(CAPTURES.c.capture_id == capture_id)
            ).scalar_one()
        return json.loads(value)

    def query(
        self,
        *,
        epc: str | None = None,
        biz_step: str | None = None,
        from_us: int | None = None,
        to_us: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[StoredEvent]:
        """Events in event-time order, filtered by item, business step and ``[from, to)`` event time."""
        query: Select = select(*(EVENTS.c[name] for name in _EVENT_READ))
        conditions = []
        if epc is not None:
            query = query.join(ITEMS, ITEMS.c.event_id == EVENTS.c.event_key).where(ITEMS.c.item == epc)
            time_column = ITEMS.c.event_time_us
            query = query.distinct()
        else:
            time_column = EVENTS.c.event_time_us
        if biz_step is not None:
            conditions.append(EVENTS.c.biz_step == short_vocabulary(biz_step))
        if from_us is not None:
            conditions.append(time_column >= from_us)
        if to_us is not None:
            conditions.append(time_column < to_us)
        if conditions:
            query = query.where(and_(*conditions))
        query = query.order_by(EVENTS.c.event_time_us, EVENTS.c.hash_id).limit(limit).offset(offset)
        with self._reader.connect() as conn:
            rows = list(conn.execute(query))
            keys = [event_row_id(event_digest(row.hash_id)) for row in rows]
            declarations = declarations_by_key(conn, keys)
        return [_stored(row, declarations.get(key, ())) for row, key in zip(rows, keys, strict=True)]

    def export_context(self, events: Iterable[StoredEvent]) -> Any:
        """One ``@context`` under which every event, and every error declaration on it, keeps its meaning."""
        capture_ids = sorted(
            {c for e in events for c in (e.capture_id, *(d.capture_id for d in e.declarations))}
        )
        if not capture_ids:
            return None
        with self._reader.connect() as conn:
            contexts = [
                json.loads(value)
                for (value,) in select_in(
                    conn,
                    "SELECT DISTINCT context_json FROM epcis_captures WHERE capture_id IN {in}",
                    capture_ids,
                )
            ]
        return merge_contexts(contexts)


def merge_contexts(contexts: Sequence[Any]) -> Any:
    """The union of several documents' ``@context`` (URLs and prefix maps), refused if prefixes clash."""
    distinct = list({json.dumps(c, sort_keys=True): c for c in contexts}.values())
    if len(distinct) == 1:
        return distinct[0]
    urls: list[str] = []
    prefixes: dict[str, Any] = {}
    for context in distinct:
        for entry in context if isinstance(context, list) else [context]:
            if isinstance(entry, str):
                if entry not in urls:
                    urls.append(entry)
                continue
            for prefix, iri in entry.items():
                if prefixes.setdefault(prefix, iri) != iri:
                    raise EpcisContextConflict(
                        f"the prefix {prefix!r} means {prefixes[prefix]!r} in one capture and {iri!r} in "
                        "another; narrow the query",
                        field="@context",
                    )
    return [*urls, *({p: i} for p, i in prefixes.items())]


def _stored_hash_ids(conn: Connection, keys: Sequence[int]) -> dict[int, str]:
    """The stored hash IDs among ``keys`` (on PostgreSQL one ``= ANY(array)`` query, not IN chunks)."""
    distinct = sorted(set(keys))
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql(
            "SELECT event_key, hash_id FROM epcis_events WHERE event_key = ANY(%s)", (distinct,)
        )
        return {int(key): hash_id for key, hash_id in rows}
    query = "SELECT event_key, hash_id FROM epcis_events WHERE event_key IN {in}"
    return {int(key): hash_id for key, hash_id in select_in(conn, query, distinct)}


def _stored_declarations(conn: Connection, keys: Sequence[int]) -> set[tuple[int, bytes]]:
    """(event key, declaration hash) of the declarations recorded on the events ``keys``."""
    query = "SELECT event_key, declaration_hash FROM epcis_error_declarations WHERE event_key IN {in}"
    return {(int(key), _bytes32(digest)) for key, digest in select_in(conn, query, sorted(set(keys)))}


def _classify(
    prepared: Sequence[PreparedEvent], stored: dict[int, str], stored_declarations: set[tuple[int, bytes]]
) -> tuple[list[CapturedEvent], list[PreparedEvent], list[PreparedEvent]]:
    """Each event as new or duplicate (stored before, or earlier in the document), or as an error
    declaration (new or recorded before); the new events, and the new declarations."""
    results, new, declarations, seen = [], [], [], set()
    seen_declarations: set[tuple[int, bytes]] = set()
    arriving = {p.key for p in prepared if p.declaration is None}
    for index, event in enumerate(prepared):
        known = stored.get(event.key)
        if known is not None and known != event.hash_id:
            raise LedgerInconsistent(
                "two event hash IDs share a storage key", stored=known, new=event.hash_id
            )
        if event.declaration is not None:
            ident = (event.key, event.declaration.declaration_hash)
            duplicate = ident in stored_declarations or ident in seen_declarations
            seen_declarations.add(ident)
            results.append(
                CapturedEvent(
                    index,
                    event.hash_id,
                    event.declared_event_id,
                    duplicate,
                    declaration_id(event.hash_id, event.declaration.declaration_hash),
                    event_stored=known is not None or event.key in arriving,
                )
            )
            if not duplicate:
                declarations.append(event)
            continue
        duplicate = known is not None or event.key in seen
        seen.add(event.key)
        results.append(CapturedEvent(index, event.hash_id, event.declared_event_id, duplicate))
        if not duplicate:
            new.append(event)
    return results, new, declarations


def _insert_new(conn: Connection, new: Sequence[PreparedEvent], capture_id: str, record_time_us: int) -> None:
    items: list[tuple[str, int, int, str]]
    edges: list[tuple[str, str, str, int, int]]
    ids: list[tuple[int, int]] = []
    rows, items, edges = [], [], []
    for event in new:
        facts, key = event.facts, event.key
        at = facts.event_time_us
        rows.append(
            (
                key,
                event.hash_id,
                capture_id,
                facts.event_type,
                at,
                record_time_us,
                facts.action,
                facts.biz_step,
                facts.disposition,
                facts.read_point,
                facts.biz_location,
                event.canonical_json,
            )
        )
        items.extend((item, at, key, role) for item, role in facts.items)
        edges.extend((e.source, e.target, e.kind, key, at) for e in facts.edges)
        if event.declared_event_id is not None and event.declared_event_id != event.hash_id:
            ids.append((event_id_key(event.declared_event_id), key))
    insert_rows(conn, EVENTS, _EVENT_COLUMNS, rows)
    insert_rows(conn, ITEMS, ("item", "event_time_us", "event_id", "role"), items)
    insert_rows(conn, EDGES, ("src", "dst", "kind", "event_id", "event_time_us"), edges)
    insert_rows(conn, EVENT_IDS, ("id_key", "event_id"), sorted(set(ids)))


def _insert_declarations(
    conn: Connection,
    declarations: Sequence[PreparedEvent],
    capture_id: str,
    declared_by: str,
    record_time_us: int,
) -> None:
    rows = []
    for event in declarations:
        declaration = event.declaration
        assert declaration is not None
        rows.append(
            (
                event.key,
                event.hash_id,
                "0x" + declaration.declaration_hash.hex(),
                declaration.declaration_time_us,
                declaration.reason,
                json.dumps(list(declaration.corrective_event_ids)),
                declaration.canonical_json,
                event.canonical_json,
                capture_id,
                declared_by,
                record_time_us,
            )
        )
    insert_rows(conn, DECLARATIONS, _DECLARATION_COLUMNS, rows)


def _declaration_entry(event: PreparedEvent) -> OutboxEntry:
    declaration = event.declaration
    assert declaration is not None
    return OutboxEntry(
        EPCIS_ERROR_DECLARATION_KIND,
        declaration_id(event.hash_id, declaration.declaration_hash),
        declaration_leaf(event.hash_id, declaration.declaration_hash),
    )


# -- error declarations, read by this store and by the lineage store ---------------------------------


def declarations_by_key(conn: Connection, keys: Sequence[int]) -> dict[int, list[StoredDeclaration]]:
    """The error declarations recorded on the events ``keys``, each event's in capture order."""
    found: dict[int, list[StoredDeclaration]] = {}
    if not keys:
        return found
    columns = ", ".join(_DECLARATION_COLUMNS)
    query = f"SELECT id, {columns} FROM epcis_error_declarations WHERE event_key IN {{in}}"
    for row in sorted(select_in(conn, query, sorted(set(keys))), key=lambda r: int(r[0])):
        _, key, hash_id, digest, at, reason, corrective, declaration, event, capture_id, by, recorded = row
        found.setdefault(int(key), []).append(
            StoredDeclaration(
                event_hash_id=hash_id,
                declaration_hash=_bytes32(digest),
                declaration_time_us=int(at),
                reason=reason,
                corrective_event_ids=tuple(json.loads(corrective)),
                declaration=json.loads(declaration),
                capture_id=capture_id,
                declared_by=by,
                record_time_us=int(recorded),
                event=json.loads(event),
            )
        )
    return found


def corrective_ids_by_key(conn: Connection, keys: Iterable[int]) -> dict[int, tuple[str, list[str]]]:
    """The events among ``keys`` that are declared erroneous: their hash IDs and corrective event IDs
    (every declaration's, each once; maybe none)."""
    found: dict[int, tuple[str, list[str]]] = {}
    query = (
        "SELECT id, event_key, hash_id, corrective_event_ids_json FROM epcis_error_declarations "
        "WHERE event_key IN {in}"
    )
    for _, key, hash_id, corrective in sorted(
        select_in(conn, query, sorted(set(keys))), key=lambda r: int(r[0])
    ):
        _, ids = found.setdefault(int(key), (hash_id, []))
        ids.extend(i for i in json.loads(corrective) if i not in ids)
    return found


def has_declarations(conn: Connection) -> bool:
    """Whether any error declaration is recorded (reads skip the corrections' work when none is)."""
    return conn.exec_driver_sql("SELECT 1 FROM epcis_error_declarations LIMIT 1").first() is not None


def resolve_event_ids(conn: Connection, event_ids: Iterable[str]) -> dict[str, list[tuple[int, str]]]:
    """For each event ID, the stored events it names, as (key, hash ID): the event whose hash ID it
    is, and the events that declared it as their ``eventID`` (``epcis_event_ids``)."""
    wanted = list(dict.fromkeys(event_ids))
    named_by: dict[int, set[str]] = {}  # event key -> the wanted IDs that may name it
    for event_id in wanted:
        if is_event_hash_id(event_id):
            named_by.setdefault(event_row_id(event_digest(event_id)), set()).add(event_id)
    declared: dict[int, set[str]] = {}
    for event_id in wanted:
        declared.setdefault(event_id_key(event_id), set()).add(event_id)
    declared_by: set[tuple[int, str]] = set()
    query = "SELECT id_key, event_id FROM epcis_event_ids WHERE id_key IN {in}"
    for id_key, key in select_in(conn, query, sorted(declared)):
        for event_id in declared[int(id_key)]:
            named_by.setdefault(int(key), set()).add(event_id)
            declared_by.add((int(key), event_id))
    resolved: dict[str, list[tuple[int, str]]] = {}
    query = "SELECT event_key, hash_id FROM epcis_events WHERE event_key IN {in}"
    for key, hash_id in select_in(conn, query, sorted(named_by)):
        for event_id in sorted(named_by[int(key)]):
            if event_id == hash_id or (int(key), event_id) in declared_by:
                resolved.setdefault(event_id, []).append((int(key), hash_id))
    return resolved


def _bytes32(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def _stored(row: Any, declarations: Iterable[StoredDeclaration] = ()) -> StoredEvent:
    return StoredEvent(
        hash_id=row.hash_id,
        event_type=row.event_type,
        event_time_us=int(row.event_time_us),
        record_time_us=int(row.record_time_us),
        capture_id=row.capture_id,
        biz_step=row.biz_step,
        disposition=row.disposition,
        event=json.loads(row.event_json),
        declarations=tuple(declarations),
    )
