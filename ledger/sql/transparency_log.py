"""The append-only log in SQL: entries appended from what the registry recorded, signed checkpoints.

Entries come from three places, each appended once (``source``, ``source_id`` is unique): the acts of
asset histories (``asset_history``) and of consents (``consent_history``), each with its transaction,
and the anchoring outbox (batched registrations and EPCIS events, each by its Merkle leaf, which
commits to the stored content). :meth:`SqlTransparencyLog.append_new` appends what is not in the log
yet, in one transaction, after the entries already there: an entry's position never changes.
Checkpoints are kept with their signed note and the transaction that anchored their root.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, UniqueConstraint, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from dataledger.ledger.sql.row_writer import insert_rows
from dataledger.ledger.sql.tables import utcnow
from dataledger.registry.canonical import canonical_json
from dataledger.registry.errors import NotFound
from dataledger.registry.transparency_log import CheckpointRecord, entry_leaf_hash

# Rows committed out of id order (concurrent writers on PostgreSQL) are found within this window
# below the highest id already logged; the rest of a large table is never scanned again.
_LATE_COMMIT_WINDOW = 10_000
_APPEND_CHUNK = 5_000
_APPEND_ATTEMPTS = 5


class LogEntryRow(SQLModel, table=True):
    __tablename__ = "log_entries"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    seq: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    source: str = Field(max_length=20)
    source_id: int = Field(sa_type=BigInteger)
    entry_json: str
    leaf_hash: str = Field(max_length=64)


class LogCheckpointRow(SQLModel, table=True):
    __tablename__ = "log_checkpoints"

    size: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    root: str = Field(max_length=64)
    note: str
    anchor_tx_hash: str | None = Field(default=None, max_length=66)
    anchor_block_number: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow)


ENTRIES = LogEntryRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
CHECKPOINTS = LogCheckpointRow.__table__  # type: ignore[attr-defined]
_ENTRY_COLUMNS = ("seq", "source", "source_id", "entry_json", "leaf_hash")

# What each source contributes, as canonical JSON: every field the chain or a commitment vouches for.
LOG_SOURCES: dict[str, str] = {
    "history": "SELECT id, asset_id, act, actor, detail_json, chain_id, contract, tx_hash, block_number,"
    " log_index FROM asset_history WHERE id > {low} ORDER BY id",
    "consent": "SELECT id, consent_id, act, actor, detail_json, chain_id, contract, tx_hash, block_number,"
    " log_index FROM consent_history WHERE id > {low} ORDER BY id",
    "outbox": "SELECT id, kind, ref, leaf_hash FROM anchor_outbox WHERE id > {low} ORDER BY id",
}


def log_entry(source: str, row: Sequence[Any]) -> dict[str, Any]:
    if source == "outbox":
        _, kind, ref, leaf = row
        return {"v": 1, "source": source, "kind": kind, "ref": ref, "leaf": leaf}
    _, subject, act, actor, detail, chain_id, contract, tx_hash, block, log_index = row
    return {
        "v": 1,
        "source": source,
        "subject": subject if isinstance(subject, str) else int(subject),
        "act": act,
        "actor": actor,
        "detail": json.loads(detail or "{}"),
        "chainId": int(chain_id),
        "contract": contract.lower(),
        "txHash": tx_hash,
        "blockNumber": int(block),
        "logIndex": int(log_index),
    }


class SqlTransparencyLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        SQLModel.metadata.create_all(engine, tables=[ENTRIES, CHECKPOINTS])

    # -- appending --------------------------------------------------------------------------------

    def append_new(self) -> int:
        """Append every recorded act and outbox entry not in the log yet; return the log's size."""
        for attempt in range(_APPEND_ATTEMPTS):
            try:
                with self._engine.begin() as conn:
                    size = self._size(conn)
                    rows = self._unlogged(conn)
                    for start in range(0, len(rows), _APPEND_CHUNK):
                        chunk = rows[start : start + _APPEND_CHUNK]
                        numbered = [(size + start + i, *row) for i, row in enumerate(chunk)]
                        insert_rows(conn, ENTRIES, _ENTRY_COLUMNS, numbered)
                    return size + len(rows)
            except IntegrityError:  # another process appended at the same positions: start again
                if attempt == _APPEND_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _unlogged(self, conn: Connection) -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = []
        for source, query in LOG_SOURCES.items():
            highest = conn.exec_driver_sql(
                f"SELECT MAX(source_id) FROM log_entries WHERE source = '{source}'"
            ).scalar()
            low = -1 if highest is None else max(-1, int(highest) - _LATE_COMMIT_WINDOW)
            logged = {
                int(i)
                for (i,) in conn.exec_driver_sql(
                    f"SELECT source_id FROM log_entries WHERE source = '{source}' AND source_id > {low}"
                )
            }
            for row in conn.exec_driver_sql(query.format(low=low)):
                if int(row[0]) in logged:
                    continue
                body = canonical_json(log_entry(source, tuple(row)))
                found.append((source, int(row[0]), body.decode(), entry_leaf_hash(body).hex()))
        return found

    @staticmethod
    def _size(conn: Connection) -> int:
        top = conn.exec_driver_sql("SELECT MAX(seq) FROM log_entries").scalar()
        return 0 if top is None else int(top) + 1

    # -- reading ----------------------------------------------------------------------------------

    def size(self) -> int:
        with self._engine.connect() as conn:
            return self._size(conn)

    def leaf_hashes(self, start: int, end: int) -> list[bytes]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(ENTRIES.c.seq, ENTRIES.c.leaf_hash)
                .where(ENTRIES.c.seq >= start, ENTRIES.c.seq < end)
                .order_by(ENTRIES.c.seq)
            ).all()
        if len(rows) != end - start:
            raise NotFound(f"the log has no entries {start} to {end - 1}", start=start, end=end)
        return [bytes.fromhex(leaf) for _, leaf in rows]

    def entry(self, seq: int) -> dict[str, Any]:
        with self._engine.connect() as conn:
            row = conn.execute(select(ENTRIES).where(ENTRIES.c.seq == seq)).mappings().first()
        if row is None:
            raise NotFound("the log has no entry at this position", index=seq)
        return {
            "index": row["seq"],
            "entry": json.loads(row["entry_json"]),
            "leafHash": "0x" + row["leaf_hash"],
        }

    # -- checkpoints ------------------------------------------------------------------------------

    def add_checkpoint(
        self, size: int, root: bytes, note: str, anchor_tx_hash: str | None, anchor_block: int | None
    ) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                CHECKPOINTS.insert().values(
                    size=size,
                    root=root.hex(),
                    note=note,
                    anchor_tx_hash=anchor_tx_hash,
                    anchor_block_number=anchor_block,
                    created_at=utcnow(),
                )
            )

    def checkpoint(self, size: int | None = None) -> CheckpointRecord | None:
        """The checkpoint of ``size`` entries, or the latest."""
        query = select(CHECKPOINTS)
        query = (
            query.where(CHECKPOINTS.c.size == size)
            if size is not None
            else query.order_by(CHECKPOINTS.c.size.desc())
        )
        with self._engine.connect() as conn:
            row = conn.execute(query.limit(1)).mappings().first()
        if row is None:
            return None
        return CheckpointRecord(
            int(row["size"]),
            bytes.fromhex(row["root"]),
            row["note"],
            row["anchor_tx_hash"],
            row["anchor_block_number"],
        )

    def checkpoints(self) -> list[CheckpointRecord]:
        with self._engine.connect() as conn:
            sizes = [int(s) for (s,) in conn.execute(select(CHECKPOINTS.c.size).order_by(CHECKPOINTS.c.size))]
        return [c for c in (self.checkpoint(s) for s in sizes) if c is not None]
