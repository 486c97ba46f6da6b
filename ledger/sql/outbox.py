"""The anchoring outbox in SQL: add entries with a producer's rows, seal batches, stamp anchors, prove.

Producers call :func:`add_entries` inside their own transaction, so an entry exists exactly when the
producer's rows do. The batcher calls :meth:`AnchorOutbox.seal` (one transaction: pick the oldest
unbatched entries of a kind, compute the root, create the batch, number the leaves) and
:meth:`AnchorOutbox.mark_anchored` once the root is on chain. Readers ask :meth:`AnchorOutbox.inclusion`
for an entry's batch, anchor and proof.

On SQLite, writes use their own engine whose transactions start with ``BEGIN IMMEDIATE``: a
transaction that reads and then writes (the seal, the bulk insert's duplicate checks) takes the write
lock up front, instead of failing with "database is locked" when another writer commits between its
read and its write. Reads use the store's engine and never wait for writers (WAL).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, create_engine, event, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import ConnectionPoolEntry

from dataledger.ledger.sql.outbox_tables import AnchorBatchRow, AnchorOutboxRow
from dataledger.ledger.sql.row_writer import bound, execute_many, insert_rows
from dataledger.ledger.sql.tables import utcnow
from dataledger.registry.chain_records import AnchorEvidence
from dataledger.registry.errors import NotFound
from dataledger.registry.merkle import MerkleTree, merkle_root

OUTBOX: Table = AnchorOutboxRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
BATCHES: Table = AnchorBatchRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
_IN_CHUNK = 500  # bound on the parameters of one IN (...) list, for every database


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One entry to anchor: its kind, the producer's id for it, and its 32-byte Merkle leaf."""

    kind: str
    ref: str
    leaf: bytes


@dataclass(frozen=True, slots=True)
class PendingKind:
    """Unbatched entries of one kind: how many, and when the oldest was acknowledged."""

    kind: str
    count: int
    oldest: datetime


@dataclass(frozen=True, slots=True)
class SealedBatch:
    """A batch whose entries and root are fixed, waiting for (or past) its anchor transaction."""

    id: int
    kind: str
    root: bytes
    leaf_count: int


@dataclass(frozen=True, slots=True)
class Inclusion:
    """Where an entry stands: pending (no batch yet), sealed (root known) or anchored (with evidence)."""

    kind: str
    ref: str
    leaf: bytes
    status: str  # pending | sealed | anchored
    batch_id: int | None = None
    leaf_index: int | None = None
    root: bytes | None = None
    leaf_count: int | None = None
    proof: tuple[bytes, ...] = ()
    evidence: AnchorEvidence | None = None

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "status": self.status,
            "kind": self.kind,
            "ref": self.ref,
            "leaf": _hex(self.leaf),
        }
        if self.root is not None:
            body.update(
                root=_hex(self.root),
                leafIndex=self.leaf_index,
                leafCount=self.leaf_count,
                proof=[_hex(p) for p in self.proof],
            )
        if self.evidence is not None:
            ev = self.evidence
            body["anchor"] = {
                "chainId": ev.chain_id,
                "contract": ev.contract,
                "batchId": ev.batch_id,
                "txHash": ev.tx_hash,
                "blockNumber": ev.block_number,
                "blockTimestamp": ev.block_timestamp,
                "logIndex": ev.log_index,
            }
        return body


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _leaf_bytes(value: str) -> bytes:
    return bytes.fromhex(value[2:])


def _chunks(values: Sequence[str], size: int = _IN_CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def add_entries(connection: Connection, entries: Sequence[OutboxEntry], *, created_at: datetime) -> None:
    """Insert outbox entries in the caller's transaction (the producer's rows go in the same one)."""
    at = bound(connection, OUTBOX.c.created_at, created_at)
    insert_rows(
        connection,
        OUTBOX,
        ("kind", "ref", "leaf_hash", "created_at"),
        [(e.kind, e.ref, _hex(e.leaf), at) for e in entries],
    )


def _number_entries(conn: Connection, batch_id: int, entry_ids: Sequence[int]) -> None:
    """Put the entries ``entry_ids`` in batch ``batch_id``, with leaf indexes in that order."""
    if conn.dialect.name == "postgresql":  # one set-based statement instead of an UPDATE per entry
        conn.exec_driver_sql(  # ORDINALITY counts from 1, leaf indexes from 0
            "UPDATE anchor_outbox AS o SET batch_id = %s, leaf_index = n.ord - 1 "
            "FROM unnest(%s::bigint[]) WITH ORDINALITY AS n(id, ord) WHERE o.id = n.id",
            (batch_id, list(entry_ids)),
        )
        return
    execute_many(
        conn,
        "UPDATE anchor_outbox SET batch_id = ?, leaf_index = ? WHERE id = ?",
        [(batch_id, i, entry_id) for i, entry_id in enumerate(entry_ids)],
    )


def writer_engine(engine: Engine) -> Engine:
    """An engine for read-then-write transactions: on SQLite, one whose transactions ``BEGIN IMMEDIATE``."""
    if engine.dialect.name != "sqlite":
        return engine
    writer = create_engine(engine.url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(writer, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(writer, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return writer


class AnchorOutbox:
    """The outbox and batch tables, for the batcher and for readers of inclusion proofs."""

    def __init__(self, engine: Engine, *, tree_cache_size: int = 16) -> None:
        self._engine = engine
        self._writer = writer_engine(engine)
        self._trees: OrderedDict[int, MerkleTree] = OrderedDict()
        self._tree_cache_size = tree_cache_size
        self._trees_lock = threading.Lock()
        self._skip_locked = engine.dialect.name == "postgresql"
        for table in (BATCHES, OUTBOX):
            table.create(self._writer, checkfirst=True)

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def write_engine(self) -> Engine:
        return self._writer

    def close(self) -> None:
        if self._writer is not self._engine:
            self._writer.dispose()

    def checkpoint(self, *, truncate: bool = True) -> None:
        """On SQLite, copy the write-ahead log into the database.

        ``truncate`` also empties the log file, but holds the write lock while it copies: the batcher
        does that when idle, and under load checkpoints passively (no lock, no wait for writers).
        """
        if self._engine.dialect.name != "sqlite":
            return
        mode = "TRUNCATE" if truncate else "PASSIVE"
        raw = self._writer.raw_connection()
        try:
            assert raw.driver_connection is not None
            raw.driver_connection.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()
        finally:
            raw.close()

    # -- the batcher's side ------------------------------------------------------------------------

    def pending(self) -> list[PendingKind]:
        """Per kind, the unbatched entries: count and oldest acknowledgement."""
        query = (
            select(OUTBOX.c.kind, func.count(), func.min(OUTBOX.c.created_at))
            .where(OUTBOX.c.batch_id.is_(None))
            .group_by(OUTBOX.c.kind)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [PendingKind(kind, int(count), _aware(oldest)) for kind, count, oldest in rows]

    def seal(self, kind: str, max_leaves: int) -> SealedBatch | None:
        """Close a batch over the oldest unbatched entries of ``kind`` (at most ``max_leaves``).

        One transaction: the batch row with its root, and every entry's batch id and leaf index.
        """
        with self._writer.begin() as conn:
            sealed = self._seal_in(conn, kind, max_leaves)
        return self._remembered(sealed)

    def _remembered(self, sealed: tuple[SealedBatch, MerkleTree] | None) -> SealedBatch | None:
        """Cache a committed batch's tree (only once committed: SQLite may reuse a rolled-back id)."""
        if sealed is None:
            return None
        batch, tree = sealed
        self._remember(batch.id, tree)
        return batch

    def _seal_in(self, conn: Connection, kind: str, max_leaves: int) -> tuple[SealedBatch, MerkleTree] | None:
        query = (
            select(OUTBOX.c.id, OUTBOX.c.leaf_hash)
            .where(OUTBOX.c.batch_id.is_(None), OUTBOX.c.kind == kind)
            .order_by(OUTBOX.c.id)
            .limit(max_leaves)
        )
        if self._skip_locked:  # several batchers on one PostgreSQL database never share an entry
            query = query.with_for_update(skip_locked=True)
        rows = conn.execute(query).all()
        if not rows:
            return None
        leaves = [_leaf_bytes(leaf) for _, leaf in rows]
        root = merkle_root(leaves)
        now = utcnow()
        inserted = conn.execute(
            insert(BATCHES).values(
                kind=kind,
                root=_hex(root),
                leaf_count=len(rows),
                status="sealed",
                created_at=now,
                sealed_at=now,
            )
        ).inserted_primary_key
        assert inserted is not None
        batch_id = inserted[0]
        _number_entries(conn, int(batch_id), [int(entry_id) for entry_id, _ in rows])
        return SealedBatch(int(batch_id), kind, root, len(rows)), MerkleTree(leaves)

    def sealed(self) -> list[SealedBatch]:
        """Batches sealed but not stamped as anchored, oldest first (what a restart must finish)."""
        query = (
            select(BATCHES.c.id, BATCHES.c.kind, BATCHES.c.root, BATCHES.c.leaf_count)
            .where(BATCHES.c.status == "sealed")
            .order_by(BATCHES.c.id)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [SealedBatch(int(i), kind, _leaf_bytes(root), int(n)) for i, kind, root, n in rows]

    def recent_batches(self, limit: int = 10) -> list[dict[str, object]]:
        """The last ``limit`` batches anchored, the newest first: kind, root, size and transaction."""
        query = (
            select(
                BATCHES.c.id,
                BATCHES.c.kind,
                BATCHES.c.root,
                BATCHES.c.leaf_count,
                BATCHES.c.tx_hash,
                BATCHES.c.block_number,
                BATCHES.c.block_timestamp,
            )
            .where(BATCHES.c.status == "anchored")
            .order_by(BATCHES.c.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            {
                "batchId": int(i),
                "kind": kind,
                "root": root,
                "leafCount": int(n),
                "txHash": tx,
                "blockNumber": block,
                "blockTimestamp": at,
            }
            for i, kind, root, n, tx, block, at in rows
        ]

    def mark_anchored(
        self, batch_id: int, evidence: AnchorEvidence, *, seal_next: tuple[str, int] | None = None
    ) -> SealedBatch | None:
        """Stamp the batch with the chain evidence of its root.

        With ``seal_next=(kind, max_leaves)``, the next batch of that kind is sealed in the same
        transaction (and returned): one write transaction per batch instead of two, which matters
        when every write waits for SQLite's single write lock behind the producers' inserts.
        """
        with self._writer.begin() as conn:
            conn.execute(
                update(BATCHES)
                .where(BATCHES.c.id == batch_id)
                .values(
                    status="anchored",
                    chain_id=evidence.chain_id,
                    contract=evidence.contract,
                    onchain_batch_id=evidence.batch_id,
                    tx_hash=evidence.tx_hash,
                    block_number=evidence.block_number,
                    block_timestamp=evidence.block_timestamp,
                    log_index=evidence.log_index,
                    anchored_at=utcnow(),
                )
            )
            sealed = None if seal_next is None else self._seal_in(conn, *seal_next)
        return self._remembered(sealed)

    # -- the readers' side -------------------------------------------------------------------------

    def leaves(self, batch_id: int) -> list[bytes]:
        query = select(OUTBOX.c.leaf_hash).where(OUTBOX.c.batch_id == batch_id).order_by(OUTBOX.c.leaf_index)
        with self._engine.connect() as conn:
            return [_leaf_bytes(leaf) for (leaf,) in conn.execute(query)]

    def tree(self, batch_id: int) -> MerkleTree:
        """The batch's tree (cached: a sealed batch never changes)."""
        with self._trees_lock:
            tree = self._trees.get(batch_id)
            if tree is not None:
                self._trees.move_to_end(batch_id)
                return tree
        tree = MerkleTree(self.leaves(batch_id))
        self._remember(batch_id, tree)
        return tree

    def inclusion(self, kind: str, ref: str) -> Inclusion:
        """The entry ``ref`` of ``kind``: pending, or its batch, root, proof and (once anchored) evidence."""
        query = (
            select(OUTBOX, BATCHES)
            .select_from(OUTBOX.outerjoin(BATCHES, OUTBOX.c.batch_id == BATCHES.c.id))
            .where(OUTBOX.c.kind == kind, OUTBOX.c.ref == ref)
            .order_by(OUTBOX.c.id)
            .limit(1)
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            raise NotFound("no outbox entry of this kind with this reference", kind=kind, ref=ref)
        return self._inclusion_of(kind, ref, row)

    def inclusions(self, kind: str, refs: Sequence[str]) -> dict[str, Inclusion]:
        """The inclusions of the entries ``refs`` of ``kind`` that exist (see :meth:`inclusion`), read in
        one query per chunk of references: a page listing many events' anchors asks once."""
        found: dict[str, Inclusion] = {}
        with self._engine.connect() as conn:
            for chunk in _chunks(list(dict.fromkeys(refs))):
                query = (
                    select(OUTBOX, BATCHES)
                    .select_from(OUTBOX.outerjoin(BATCHES, OUTBOX.c.batch_id == BATCHES.c.id))
                    .where(OUTBOX.c.kind == kind, OUTBOX.c.ref.in_(chunk))
                    .order_by(OUTBOX.c.id)
                )
                for row in conn.execute(query).mappings():
                    ref = row[OUTBOX.c.ref]
                    if ref not in found:  # the first entry of a reference, as inclusion() reads it
                        found[ref] = self._inclusion_of(kind, ref, row)
        return found

    def _inclusion_of(self, kind: str, ref: str, row: Any) -> Inclusion:
        entry_leaf = _leaf_bytes(row[OUTBOX.c.leaf_hash])
        batch_id = row[OUTBOX.c.batch_id]
        if batch_id is None:
            return Inclusion(kind, ref, entry_leaf, "pending")
        tree = self.tree(int(batch_id))
        index = int(row[OUTBOX.c.leaf_index])
        status = row[BATCHES.c.status]
        evidence = None
        if status == "anchored":
            evidence = AnchorEvidence(
                chain_id=int(row[BATCHES.c.chain_id]),
                contract=row[BATCHES.c.contract],
                batch_id=int(row[BATCHES.c.onchain_batch_id]),
                root=tree.root,
                tx_hash=row[BATCHES.c.tx_hash],
                block_number=int(row[BATCHES.c.block_number]),
                block_timestamp=int(row[BATCHES.c.block_timestamp]),
                log_index=int(row[BATCHES.c.log_index]),
            )
        return Inclusion(
            kind,
            ref,
            entry_leaf,
            status,
            batch_id=int(batch_id),
            leaf_index=index,
            root=tree.root,
            leaf_count=tree.leaf_count,
            proof=tree.proof(index),
            evidence=evidence,
        )

    def count_anchored(self, kind: str, refs: Sequence[str]) -> int:
        """How many of the entries ``refs`` of ``kind`` are in anchored batches."""
        total = 0
        with self._engine.connect() as conn:
            for chunk in _chunks(refs):
                total += conn.execute(
                    select(func.count())
                    .select_from(OUTBOX.join(BATCHES, OUTBOX.c.batch_id == BATCHES.c.id))
                    .where(OUTBOX.c.kind == kind, OUTBOX.c.ref.in_(chunk), BATCHES.c.status == "anchored")
                ).scalar_one()
        return total

    def _remember(self, batch_id: int, tree: MerkleTree) -> None:
        with self._trees_lock:
            self._trees[batch_id] = tree
            self._trees.move_to_end(batch_id)
            while len(self._trees) > self._tree_cache_size:
                self._trees.popitem(last=False)


def _aware(moment: datetime | str) -> datetime:
    if isinstance(moment, str):  # aggregates over DateTime come back as text on SQLite
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
