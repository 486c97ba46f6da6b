"""SQL tables (SQLModel) of the event index: contract events copied from the chain into SQL.

``ledger.workers.indexer`` fills them; queries and ``ledger.workers.audit`` read them, so nothing
ever answers a user by scanning logs on the chain. They share ``SQLModel.metadata`` with
``ledger.sql.tables``, so ``SqlStore.create_schema()`` creates them too.

Block numbers and chain ids are ``BIGINT``: chain ids such as 2**32 + 1 exist and PostgreSQL's int4
would overflow.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Integer, Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from dataledger.ledger.sql.tables import utcnow

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY; elsewhere use BIGINT.
_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class ChainEventRow(SQLModel, table=True):
    """One log emitted by an indexed contract, decoded with its ABI (``event`` is None if unknown)."""

    __tablename__ = "chain_events"
    __table_args__ = (
        UniqueConstraint("chain_id", "block_hash", "log_index", name="uq_chain_events_position"),
        Index("ix_chain_events_contract_position", "chain_id", "contract", "block_number", "log_index"),
        Index("ix_chain_events_tx", "chain_id", "tx_hash", "log_index"),
    )

    id: int | None = Field(default=None, sa_column=Column(_BIG_ID, primary_key=True, autoincrement=True))
    chain_id: int = Field(sa_type=BigInteger)
    contract: str = Field(max_length=42)
    block_number: int = Field(sa_type=BigInteger, index=True)
    block_hash: str = Field(max_length=66)
    tx_hash: str = Field(max_length=66)
    tx_index: int
    log_index: int
    topic0: str | None = Field(default=None, max_length=66)
    event: str | None = Field(default=None, max_length=100, index=True)  # None: not in the ABI
    args_json: str  # RFC 8785 canonical JSON of the decoded arguments (raw topics/data if unknown)
    asset_id: str | None = Field(default=None, max_length=66, index=True)
    indexed_at: datetime = Field(default_factory=utcnow)


class IndexedBlockRow(SQLModel, table=True):
    """A recent block the indexer has seen: compared with the chain to detect reorganisations."""

    __tablename__ = "indexed_blocks"

    chain_id: int = Field(sa_type=BigInteger, primary_key=True)
    number: int = Field(sa_type=BigInteger, primary_key=True)
    hash: str = Field(max_length=66)
    parent_hash: str = Field(max_length=66)


class IndexerCursorRow(SQLModel, table=True):
    """How far the events of one contract are indexed: every log up to this block is stored."""

    __tablename__ = "indexer_cursors"

    chain_id: int = Field(sa_type=BigInteger, primary_key=True)
    contract: str = Field(max_length=42, primary_key=True)
    block_number: int = Field(sa_type=BigInteger)
    block_hash: str | None = Field(default=None, max_length=66)
    updated_at: datetime = Field(default_factory=utcnow)


INDEX_TABLES: tuple[Table, Table, Table] = (
    ChainEventRow.__table__,  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
    IndexedBlockRow.__table__,  # type: ignore[attr-defined]
    IndexerCursorRow.__table__,  # type: ignore[attr-defined]
)
