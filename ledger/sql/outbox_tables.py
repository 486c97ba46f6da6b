"""The anchoring outbox: entries accepted and stored durably, waiting to be anchored in a Merkle batch.

Acknowledged means stored: a producer (bulk registration, EPCIS capture) inserts its domain rows and
an ``AnchorOutboxRow`` in the SAME database transaction (``ledger.sql.outbox.add_entries``). The batcher
(``ledger.workers.batcher``) later closes a batch (by size or by time), computes the Merkle root over the leaf
hashes in ``leaf_index`` order, records the root on chain in one transaction, and stamps the batch
with the transaction. Proofs are derived from the batch's leaves, so nothing but the leaves needs
storing.

A batch holds entries of one ``kind`` and is created ``sealed``: its entries, their leaf indexes and
its root are written in one transaction, so a crash never leaves a half-formed batch and the same
root is recomputed after a restart. ``anchored`` batches carry the chain evidence of
``AnchorRegistry.BatchAnchored``. (``open`` is not used by the batcher.)

Leaf hashes (``registry.merkle.leaf_hash``) are double keccak256 of the entry's canonical bytes, as
0x-hex; they are unique, so an entry can be in one batch only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Integer
from sqlmodel import Field, SQLModel

from dataledger.ledger.sql.tables import utcnow

# SQLite auto-increments only a column declared exactly INTEGER PRIMARY KEY; elsewhere use BIGINT.
_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class AnchorBatchRow(SQLModel, table=True):
    __tablename__ = "anchor_batches"

    id: int | None = Field(default=None, sa_column=Column(_BIG_ID, primary_key=True, autoincrement=True))
    kind: str = Field(default="", max_length=30, index=True)
    root: str | None = Field(default=None, max_length=66, index=True)
    leaf_count: int = 0
    status: str = Field(default="open", max_length=20, index=True)  # open | sealed | anchored
    chain_id: int | None = Field(default=None, sa_type=BigInteger)
    contract: str | None = Field(default=None, max_length=42)
    onchain_batch_id: int | None = Field(default=None, sa_type=BigInteger)  # AnchorRegistry's batch id
    tx_hash: str | None = Field(default=None, max_length=66)
    block_number: int | None = Field(default=None, sa_type=BigInteger)
    block_timestamp: int | None = Field(default=None, sa_type=BigInteger)
    log_index: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    sealed_at: datetime | None = None
    anchored_at: datetime | None = None


class AnchorOutboxRow(SQLModel, table=True):
    __tablename__ = "anchor_outbox"

    id: int | None = Field(default=None, sa_column=Column(_BIG_ID, primary_key=True, autoincrement=True))
    kind: str = Field(max_length=30, index=True)  # e.g. "registration", "epcis-event"
    ref: str = Field(max_length=200, index=True)  # the producer's id of the entry (asset id, event hash id)
    leaf_hash: str = Field(max_length=66, unique=True)
    batch_id: int | None = Field(
        default=None, foreign_key="anchor_batches.id", index=True, sa_type=BigInteger
    )
    leaf_index: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
