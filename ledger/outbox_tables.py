"""The anchoring outbox: entries accepted and stored durably, waiting to be anchored in a Merkle batch.

Acknowledged means stored: a producer (bulk registration, EPCIS capture) inserts its domain rows and
an ``AnchorOutboxRow`` in the SAME database transaction. The batcher later closes a batch (by size
or by time), computes the Merkle root over the leaf hashes in ``leaf_index`` order, records the root
on chain in one transaction, and stamps every entry with its batch. Proofs are derived from the
batch's leaves, so nothing but the leaves needs storing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from ledger.tables import utcnow


class AnchorBatchRow(SQLModel, table=True):
    __tablename__ = "anchor_batches"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigInteger)
    root: str | None = Field(default=None, max_length=66, index=True)
    leaf_count: int = 0
    status: str = Field(default="open", max_length=20, index=True)  # open | sealed | anchored
    chain_id: int | None = Field(default=None, sa_type=BigInteger)
    contract: str | None = Field(default=None, max_length=42)
    tx_hash: str | None = Field(default=None, max_length=66)
    block_number: int | None = Field(default=None, sa_type=BigInteger)
    log_index: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    sealed_at: datetime | None = None
    anchored_at: datetime | None = None


class AnchorOutboxRow(SQLModel, table=True):
    __tablename__ = "anchor_outbox"

    id: int | None = Field(default=None, primary_key=True, sa_type=BigInteger)
    kind: str = Field(max_length=30, index=True)  # e.g. "registration", "epcis-event"
    ref: str = Field(max_length=200, index=True)  # the producer's id of the entry (asset id, event hash id)
    leaf_hash: str = Field(max_length=66, unique=True)
    batch_id: int | None = Field(
        default=None, foreign_key="anchor_batches.id", index=True, sa_type=BigInteger
    )
    leaf_index: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
