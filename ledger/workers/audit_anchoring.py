"""The audit of what is anchored in Merkle batches, of the registry's log, and of the deployments.

* A batch (``anchor_batches``): the root of its stored leaves is its stored root, which the anchor
  contract holds with the same leaf count, batch id, kind and time; its transaction is the one that
  anchored it (``find_anchor``). A batch still sealed in the database but anchored on chain is named.
* An entry (``anchor_outbox``): its leaf is the leaf of the record it names (a batched registration's,
  an EPCIS event's hash ID, an error declaration's). Entries of a batch whose root fails are named
  through their batch: which of them was edited the root cannot tell.
* An EPCIS event (``epcis_events``): its stored JSON hashes (CBV 2.0, under its capture's ``@context``
  and ignored fields) to its hash ID, whose leaf is the anchored one; its indexed facts, items,
  lineage edges and declared ``eventID`` are those of its JSON. An error declaration likewise.
* The log (``log_entries``, ``log_checkpoints``): each entry hashes to its leaf and states its source
  row; each checkpoint's root is the root of its entries, stated by its signed note and anchored on
  chain in the transaction it names.
* A deployment (``deployments``): its transaction created the contract at its address.
"""

from __future__ import annotations

import base64
import json
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlmodel import Session, col, select

from dataledger.ledger.sql.batched_registration_store import BatchedRegistrationRow
from dataledger.ledger.sql.event_tables import (
    EpcisCaptureRow,
    EpcisErrorDeclarationRow,
    EpcisEventIdRow,
    EpcisEventItemRow,
    EpcisEventRow,
    LineageEdgeRow,
)
from dataledger.ledger.sql.outbox_tables import AnchorBatchRow, AnchorOutboxRow
from dataledger.ledger.sql.tables import DeploymentRow
from dataledger.ledger.sql.transparency_log import (
    LOG_SOURCES,
    LogCheckpointRow,
    LogEntryRow,
)
from dataledger.ledger.sql.transparency_log import log_entry as log_entry_of
from dataledger.ledger.workers.audit_context import UNREADABLE, AuditContext, AuditedAnchors
from dataledger.ledger.workers.audit_findings import FindingKind, Subject, lower
from dataledger.registry.batched_registrations import REGISTRATION_KIND, kind_hash
from dataledger.registry.canonical import canonical_json
from dataledger.registry.checkpoints import CHECKPOINT_KIND
from dataledger.registry.epcis import EpcisDocument
from dataledger.registry.epcis.error_declaration import (
    EPCIS_ERROR_DECLARATION_KIND,
    declaration_id,
    declaration_leaf,
    event_id_key,
    prepare_declaration,
)
from dataledger.registry.epcis.event_hash import event_hash_id, hash_events
from dataledger.registry.epcis.event_leaf import EPCIS_EVENT_KIND, event_digest, event_leaf, event_row_id
from dataledger.registry.epcis.lineage import EventFacts, event_facts
from dataledger.registry.errors import DataLedgerError
from dataledger.registry.merkle import merkle_root
from dataledger.registry.transparency_log import entry_leaf_hash, root_of

_CHUNK = 500  # events checked per round trip for their items, edges and declared ids


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


# -- batches and their entries ----------------------------------------------------------------------


def check_anchor_batches(ctx: AuditContext, anchors: AuditedAnchors) -> tuple[int, int]:
    """Each batch against the anchor contract; returns (anchored batches, their entries)."""
    leaves: dict[int, list[AnchorOutboxRow]] = defaultdict(list)
    for entry in ctx.rows(AnchorOutboxRow, AnchorOutboxRow.id):
        if entry.batch_id is not None:
            leaves[int(entry.batch_id)].append(entry)
    anchored = entries = 0
    for batch in ctx.rows(AnchorBatchRow, AnchorBatchRow.id):
        subject = ctx.findings.subject("anchor-batch", batch.id)
        batch_id = int(batch.id or 0)
        if batch.status != "anchored":
            record = anchors.anchor_of(bytes.fromhex(str(batch.root)[2:])) if _is_root(batch.root) else None
            if record is not None:
                subject.add(FindingKind.STATUS_MISMATCH, "status", batch.status, "anchored", "contract")
                ctx.failed_batches.add(batch_id)
            continue
        anchored += 1
        ordered = sorted(leaves[batch_id], key=lambda e: (e.leaf_index is None, e.leaf_index or 0))
        entries += len(ordered)
        if not _check_batch(ctx, anchors, subject, batch, ordered):
            ctx.failed_batches.add(batch_id)
    return anchored, entries


def _check_batch(
    ctx: AuditContext,
    anchors: AuditedAnchors,
    subject: Subject,
    batch: AnchorBatchRow,
    entries: list[AnchorOutboxRow],
) -> bool:
    try:
        leaves = [bytes.fromhex(e.leaf_hash[2:]) for e in entries]
        recomputed = _hex(merkle_root(leaves)) if leaves else None
    except ValueError:
        recomputed = None
    indexes_ok = [e.leaf_index for e in entries] == list(range(len(entries)))
    stored_root = str(batch.root)
    agree = subject.compare(
        "contract",
        ("contract", batch.contract, anchors.address),
        ("chain_id", batch.chain_id, ctx.chain_id),
        ("leaf_count", batch.leaf_count, len(entries)),
        ("root", recomputed, stored_root),
    )
    if agree and not indexes_ok:  # the leaves in order, but numbered otherwise: the proofs would fail
        numbered = [e.leaf_index for e in entries]
        subject.add(
            FindingKind.FIELD_MISMATCH, "leaf_index", numbered, list(range(len(entries))), "commitment"
        )
        agree = False
    if not _is_root(stored_root):
        return False
    record = anchors.anchor_of(bytes.fromhex(stored_root[2:]))
    if record is None:
        subject.add(FindingKind.MISSING_ON_CHAIN, "root", stored_root, None, "contract")
        return False
    agree &= subject.compare(
        "contract",
        ("leaf_count", batch.leaf_count, record.leaf_count),
        ("onchain_batch_id", batch.onchain_batch_id, record.batch_id),
        ("block_timestamp", batch.block_timestamp, record.anchored_at),
        ("kind", _hex(kind_hash(batch.kind)), _hex(record.kind)),
    )
    evidence = anchors.find_anchor(bytes.fromhex(stored_root[2:]))
    if evidence is None:
        subject.add(FindingKind.MISSING_ON_CHAIN, "tx_hash", batch.tx_hash, None, "event")
        return False
    subject.compare(
        "event",
        ("tx_hash", lower(batch.tx_hash), evidence.tx_hash.lower()),
        ("block_number", batch.block_number, evidence.block_number),
        ("log_index", batch.log_index, evidence.log_index),
    )
    return agree


def _is_root(value: str | None) -> bool:
    try:
        return isinstance(value, str) and len(bytes.fromhex(value.removeprefix("0x"))) == 32
    except ValueError:
        return False


def check_outbox(ctx: AuditContext) -> int:
    """Each entry's leaf is the leaf of the record it names."""
    batches = {int(b.id or 0): b for b in ctx.rows(AnchorBatchRow, AnchorBatchRow.id)}
    batched = {
        r.asset_id: r.leaf_hash for r in ctx.rows(BatchedRegistrationRow, BatchedRegistrationRow.asset_id)
    }
    stored = _stored_refs(ctx)
    rows = ctx.rows(AnchorOutboxRow, AnchorOutboxRow.id)
    for entry in rows:
        if entry.batch_id is not None and int(entry.batch_id) in ctx.failed_batches:
            continue  # named through its batch
        subject = ctx.findings.subject("anchor-entry", entry.id)
        if entry.kind in stored and entry.ref not in stored[entry.kind]:  # its record was deleted
            subject.add(FindingKind.MISSING_IN_DATABASE, "ref", entry.ref, entry.leaf_hash, "commitment")
        batch = batches.get(int(entry.batch_id)) if entry.batch_id is not None else None
        if entry.batch_id is not None and batch is None:
            subject.add(FindingKind.FIELD_MISMATCH, "batch_id", entry.batch_id, None, "commitment")
        if batch is not None:
            subject.compare("contract", ("kind", entry.kind, batch.kind))
        subject.commitment("ref", _leaf_of(entry.kind, entry.ref, batched), entry.leaf_hash)
    return len(rows)


def _stored_refs(ctx: AuditContext) -> dict[str, set[str]]:
    """The ids of the stored EPCIS events and error declarations, as their outbox entries name them."""
    with ctx.engine.connect() as conn:
        events = {hash_id for (hash_id,) in conn.execute(select(col(EpcisEventRow.hash_id)))}
        declared = conn.execute(
            select(col(EpcisErrorDeclarationRow.hash_id), col(EpcisErrorDeclarationRow.declaration_hash))
        )
        declarations = {f"{hash_id}#{str(digest).removeprefix('0x')}" for hash_id, digest in declared}
    return {EPCIS_EVENT_KIND: events, EPCIS_ERROR_DECLARATION_KIND: declarations}


def _leaf_of(kind: str, ref: str, batched: dict[str, str]) -> str | None:
    """The leaf of the record ``ref`` of ``kind`` names (None: no such record)."""
    try:
        if kind == REGISTRATION_KIND:
            return batched.get(ref)
        if kind == EPCIS_EVENT_KIND:
            return _hex(event_leaf(ref))
        if kind == EPCIS_ERROR_DECLARATION_KIND:
            hash_id, _, declared = ref.partition("#")
            return _hex(declaration_leaf(hash_id, bytes.fromhex(declared)))
    except (DataLedgerError, ValueError):
        return None
    return None


# -- EPCIS events -----------------------------------------------------------------------------------


class _Captures:
    """The ``@context`` and ignored fields of each capture: what an event's hash ID is computed under."""

    def __init__(self, ctx: AuditContext) -> None:
        self.rows = {c.capture_id: c for c in ctx.rows(EpcisCaptureRow, EpcisCaptureRow.capture_id)}

    def hash_ids(self, capture_id: str, events: Sequence[dict[str, Any]]) -> list[str | None] | None:
        capture = self.rows.get(capture_id)
        if capture is None:
            return None
        try:
            context = json.loads(capture.context_json)
            ignored = tuple(json.loads(capture.ignore_fields_json))
        except ValueError:
            return [None] * len(events)
        kind: Any = capture.document_kind
        try:
            hashed = hash_events(EpcisDocument(kind, context, tuple(events)), ignore_fields=ignored)
            return [h.hash_id for h in hashed]
        except DataLedgerError:  # some event cannot be hashed: hash them one by one
            ids: list[str | None] = []
            for event in events:
                try:
                    ids.append(event_hash_id(event, context, ignore_fields=ignored))
                except DataLedgerError:
                    ids.append(None)
            return ids


def check_epcis_events(ctx: AuditContext) -> int:
    captures = _Captures(ctx)
    entries = {e.ref: e for e in ctx.rows(AnchorOutboxRow, AnchorOutboxRow.id) if e.kind == EPCIS_EVENT_KIND}
    checked = 0
    for chunk in _event_chunks(ctx):
        checked += len(chunk)
        index = _IndexRows(ctx, [int(row.event_key) for row in chunk])
        by_capture: dict[str, list[tuple[EpcisEventRow, dict[str, Any]]]] = defaultdict(list)
        for row in chunk:
            subject = ctx.findings.subject("epcis-event", row.hash_id)
            event = _json_object(row.event_json)
            if event is None:
                subject.add(FindingKind.COMMITMENT_MISMATCH, "event_json", row.event_json, None, "commitment")
                continue
            by_capture[row.capture_id].append((row, event))
        for capture_id, stored in by_capture.items():
            hash_ids = captures.hash_ids(capture_id, [event for _, event in stored])
            for i, (row, event) in enumerate(stored):
                subject = ctx.findings.subject("epcis-event", row.hash_id)
                if hash_ids is None:
                    subject.add(FindingKind.FIELD_MISMATCH, "capture_id", capture_id, None, "commitment")
                    continue
                _check_event(ctx, subject, row, event, hash_ids[i], entries.get(row.hash_id), index)
    return checked


def _event_chunks(ctx: AuditContext) -> Iterator[list[EpcisEventRow]]:
    """The stored events in id order, a chunk at a time (a large store is not read into memory)."""
    after = -1
    while True:
        with Session(ctx.engine) as session:
            chunk = list(
                session.exec(
                    select(EpcisEventRow)
                    .where(col(EpcisEventRow.id) > after)
                    .order_by(col(EpcisEventRow.id))
                    .limit(_CHUNK)
                )
            )
        if not chunk:
            return
        yield chunk
        after = int(chunk[-1].id or 0)


class _IndexRows:
    """The items, lineage edges and declared ids stored for some events, by event key."""

    def __init__(self, ctx: AuditContext, keys: list[int]) -> None:
        self.items: dict[int, Counter[tuple[Any, ...]]] = defaultdict(Counter)
        self.edges: dict[int, Counter[tuple[Any, ...]]] = defaultdict(Counter)
        self.ids: dict[int, set[int]] = defaultdict(set)
        with Session(ctx.engine) as session:
            for item in session.exec(
                select(EpcisEventItemRow).where(col(EpcisEventItemRow.event_id).in_(keys))
            ):
                self.items[int(item.event_id)][(item.item, item.role, int(item.event_time_us))] += 1
            for edge in session.exec(select(LineageEdgeRow).where(col(LineageEdgeRow.event_id).in_(keys))):
                key = (edge.src, edge.dst, edge.kind, edge.event_time_us)
                self.edges[int(edge.event_id or 0)][key] += 1
            for ident in session.exec(select(EpcisEventIdRow).where(col(EpcisEventIdRow.event_id).in_(keys))):
                self.ids[int(ident.event_id)].add(int(ident.id_key))


def _check_event(
    ctx: AuditContext,
    subject: Subject,
    row: EpcisEventRow,
    event: dict[str, Any],
    recomputed: str | None,
    entry: AnchorOutboxRow | None,
    index: _IndexRows,
) -> None:
    try:
        stored_leaf: str | None = _hex(event_leaf(row.hash_id))
        key = event_row_id(event_digest(row.hash_id))
    except DataLedgerError:
        stored_leaf, key = None, None
    subject.commitment("event_key", key, int(row.event_key))
    if entry is None:
        subject.add(FindingKind.MISSING_ON_CHAIN, "hash_id", row.hash_id, None, "commitment")
        anchored_leaf = None
    else:
        anchored_leaf = entry.leaf_hash
        if entry.batch_id is None or int(entry.batch_id) not in ctx.failed_batches:
            subject.commitment("hash_id", stored_leaf, anchored_leaf)
    if recomputed != row.hash_id:
        # The stored hash ID is the anchored one: the JSON changed. Else the hash ID itself did.
        name = "event_json" if stored_leaf is not None and stored_leaf == anchored_leaf else "hash_id"
        subject.add(FindingKind.COMMITMENT_MISMATCH, name, row.hash_id, recomputed, "commitment")
    facts = _facts(event)
    if facts is None:
        subject.add(FindingKind.COMMITMENT_MISMATCH, "event_json", row.event_json, None, "commitment")
        return
    subject.compare(
        "commitment",
        ("event_type", row.event_type, facts.event_type),
        ("event_time_us", row.event_time_us, facts.event_time_us),
        ("action", row.action, facts.action),
        ("biz_step", row.biz_step, facts.biz_step),
        ("disposition", row.disposition, facts.disposition),
        ("read_point", row.read_point, facts.read_point),
        ("biz_location", row.biz_location, facts.biz_location),
    )
    stored_key = int(row.event_key)
    at = facts.event_time_us
    items = Counter((item, role, at) for item, role in facts.items)
    edges = Counter((e.source, e.target, e.kind, at) for e in facts.edges)
    declared = event.get("eventID")
    ids = {event_id_key(declared)} if isinstance(declared, str) and declared != row.hash_id else set()
    subject.compare(
        "commitment",
        ("items", _listed(index.items.get(stored_key)), _listed(items)),
        ("lineage_edges", _listed(index.edges.get(stored_key)), _listed(edges)),
        ("event_ids", sorted(index.ids.get(stored_key, set())), sorted(ids)),
    )


def _listed(counter: Counter[tuple[Any, ...]] | None) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for key, times in (counter or Counter()).items():
        rows.extend([list(key)] * times)
    return sorted(rows, key=repr)


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _facts(event: dict[str, Any]) -> EventFacts | None:
    try:
        return event_facts(event)
    except (DataLedgerError, KeyError, TypeError, ValueError, AttributeError):
        return None


def check_error_declarations(ctx: AuditContext) -> int:
    captures = _Captures(ctx)
    entries = {
        e.ref: e
        for e in ctx.rows(AnchorOutboxRow, AnchorOutboxRow.id)
        if e.kind == EPCIS_ERROR_DECLARATION_KIND
    }
    rows = ctx.rows(EpcisErrorDeclarationRow, EpcisErrorDeclarationRow.id)
    for row in rows:
        subject = ctx.findings.subject("epcis-error-declaration", row.id)
        event = _json_object(row.event_json)
        declaration = prepare_declaration(event) if event is not None else None
        if event is None or declaration is None:
            subject.add(FindingKind.COMMITMENT_MISMATCH, "event_json", row.event_json, None, "commitment")
            continue
        recomputed = captures.hash_ids(row.capture_id, [event])
        if recomputed is None:
            subject.add(FindingKind.FIELD_MISMATCH, "capture_id", row.capture_id, None, "commitment")
        else:
            subject.commitment("hash_id", recomputed[0], row.hash_id)
        digest = _hex(declaration.declaration_hash)
        subject.commitment("declaration_hash", digest, lower(row.declaration_hash))
        try:
            key: int | None = event_row_id(event_digest(row.hash_id))
            leaf: str | None = _hex(declaration_leaf(row.hash_id, declaration.declaration_hash))
            ref = declaration_id(row.hash_id, declaration.declaration_hash)
        except (DataLedgerError, ValueError):
            key, leaf, ref = None, None, ""
        subject.commitment("event_key", key, int(row.event_key))
        entry = entries.get(ref)
        if entry is None:
            subject.add(FindingKind.MISSING_ON_CHAIN, "declaration_hash", digest, None, "commitment")
        elif entry.batch_id is None or int(entry.batch_id) not in ctx.failed_batches:
            subject.commitment("declaration_hash", leaf, entry.leaf_hash)
        stored_declaration = _json_object(row.declaration_json)
        subject.compare(
            "commitment",
            ("declaration_json", stored_declaration, json.loads(declaration.canonical_json)),
            ("declaration_time_us", row.declaration_time_us, declaration.declaration_time_us),
            ("reason", row.reason, declaration.reason),
            (
                "corrective_event_ids_json",
                _json_list(row.corrective_event_ids_json),
                list(declaration.corrective_event_ids),
            ),
        )
    return len(rows)


def _json_list(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


# -- the log ----------------------------------------------------------------------------------------


def check_log(ctx: AuditContext) -> tuple[int, int]:
    """Entries against their leaves and sources; checkpoints against the entries and the chain."""
    with Session(ctx.engine) as session:
        entries = session.exec(select(LogEntryRow).order_by(col(LogEntryRow.seq))).all()
        checkpoints = session.exec(select(LogCheckpointRow).order_by(col(LogCheckpointRow.size))).all()
    sources = _log_sources(ctx)
    leaves: dict[int, bytes] = {}
    for entry in entries:
        subject = ctx.findings.subject("log-entry", entry.seq)
        if not 0 <= int(entry.seq) < len(entries):  # positions run 0, 1, ... without a gap
            subject.add(FindingKind.FIELD_MISMATCH, "seq", entry.seq, f"0..{len(entries) - 1}", "commitment")
        subject.commitment("leaf_hash", entry_leaf_hash(entry.entry_json.encode()).hex(), entry.leaf_hash)
        source = sources.get((entry.source, int(entry.source_id)))
        subject.compare("commitment", ("entry_json", entry.entry_json, source))
        try:
            leaves[int(entry.seq)] = bytes.fromhex(entry.leaf_hash)
        except ValueError:
            leaves[int(entry.seq)] = b""
    for seq in range(len(entries)):
        if seq not in leaves:
            missing = ctx.findings.subject("log-entry", seq)
            missing.add(FindingKind.MISSING_IN_DATABASE, "seq", None, seq, "commitment")
    for checkpoint in checkpoints:
        _check_checkpoint(ctx, checkpoint, leaves)
    return len(entries), len(checkpoints)


def _log_sources(ctx: AuditContext) -> dict[tuple[str, int], str]:
    """The entry each source row makes today (canonical JSON), by (source, id)."""
    found: dict[tuple[str, int], str] = {}
    with ctx.engine.connect() as conn:
        for source, query in LOG_SOURCES.items():
            for row in conn.exec_driver_sql(query.format(low=-1)):
                try:
                    found[(source, int(row[0]))] = canonical_json(log_entry_of(source, tuple(row))).decode()
                except UNREADABLE:
                    continue  # the row is named by its own check; its log entry matches nothing now
    return found


def _check_checkpoint(ctx: AuditContext, checkpoint: LogCheckpointRow, leaves: dict[int, bytes]) -> None:
    subject = ctx.findings.subject("log-checkpoint", checkpoint.size)
    size = int(checkpoint.size)
    first = [leaves.get(seq, b"") for seq in range(size)]
    root = root_of(first).hex() if size > 0 and all(first) else None
    subject.compare("commitment", ("root", checkpoint.root, root))
    lines = checkpoint.note.split("\n")
    stated = (lines[1], _b64_hex(lines[2])) if len(lines) > 2 else None
    subject.compare("commitment", ("note", (str(size), checkpoint.root), stated))
    if ctx.anchors is None or checkpoint.anchor_tx_hash is None or not _is_root(checkpoint.root):
        return
    record = ctx.anchors.anchor_of(bytes.fromhex(checkpoint.root))
    if record is None:
        subject.add(FindingKind.MISSING_ON_CHAIN, "root", checkpoint.root, None, "contract")
        return
    subject.compare(
        "contract",
        ("size", size, record.leaf_count),
        ("kind", _hex(kind_hash(CHECKPOINT_KIND)), _hex(record.kind)),
    )
    evidence = ctx.anchors.find_anchor(bytes.fromhex(checkpoint.root))
    if evidence is None:
        subject.add(FindingKind.MISSING_ON_CHAIN, "anchor_tx_hash", checkpoint.anchor_tx_hash, None, "event")
        return
    subject.compare(
        "event",
        ("anchor_tx_hash", checkpoint.anchor_tx_hash.lower(), evidence.tx_hash.lower()),
        ("anchor_block_number", checkpoint.anchor_block_number, evidence.block_number),
    )


def _b64_hex(text: str) -> str | None:
    try:
        return base64.b64decode(text, validate=True).hex()
    except ValueError:
        return None


# -- deployments ------------------------------------------------------------------------------------


def check_deployments(ctx: AuditContext) -> int:
    reader = ctx.reader
    if reader is None:
        return 0
    rows = ctx.rows(DeploymentRow, DeploymentRow.name)
    for row in rows:
        subject = ctx.findings.subject("deployment", row.name)
        if not subject.compare("receipt", ("chain_id", row.chain_id, ctx.chain_id)):
            continue
        receipt = reader.receipt(row.tx_hash)
        if receipt is None:
            subject.add(FindingKind.MISSING_ON_CHAIN, "tx_hash", row.tx_hash, None, "receipt")
            continue
        subject.compare(
            "receipt",
            ("address", row.address.lower(), str(receipt.get("contractAddress") or "").lower()),
            ("block_number", row.block_number, int(receipt["blockNumber"])),
        )
    return len(rows)
