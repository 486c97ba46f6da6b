"""The delivery gateway's tables: deposits, per-licence use counters, redeemed uses, use batches, receipts.

Plain SQLAlchemy Core tables in a metadata of their own (created by ``DeliveryStore``, which also adds
the columns of :data:`ADDED_COLUMNS` to a database made before them): the gateway's
records are its own working state, checked against the chain by their proofs, not part of the
registry's audited schema.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

# SQLite auto-increments only a column declared exactly INTEGER PRIMARY KEY; elsewhere use BIGINT.
_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")

DELIVERY_METADATA = MetaData()

DEPOSITS = Table(
    "delivery_deposits",
    DELIVERY_METADATA,
    Column("deposit_id", String(36), primary_key=True),
    Column("asset_id", String(66), nullable=False, index=True),
    Column("kind", String(10), nullable=False),  # file | api
    Column("holder", String(42), nullable=False),
    Column("content_hash", String(66)),
    Column("size", BigInteger),
    Column("media_type", String(200), nullable=False),
    Column("location", Text, nullable=False),
    Column("derivative", Boolean, nullable=False, default=False),
    # an API serving data subjects' records: delivered only against a consumed consent
    Column("personal_data", Boolean, nullable=False, default=False, server_default=false()),
    Column("created_at", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),  # per asset, 1, 2, ...: the newest is the one delivered
)

# One row per licence the gateway serves: its maximum, the chain's count as last seen, and the batched
# uses reserved here and not yet recorded on chain. A use is reserved only while
# chain_uses + pending < max_uses, in one UPDATE, so the count never passes the maximum.
COUNTERS = Table(
    "delivery_counters",
    DELIVERY_METADATA,
    Column("licence_id", BigInteger, primary_key=True, autoincrement=False),
    Column("max_uses", BigInteger, nullable=False),
    Column("chain_uses", BigInteger, nullable=False),
    Column("pending", BigInteger, nullable=False),
    Column("next_seq", BigInteger, nullable=False),
)

USE_BATCHES = Table(
    "delivery_use_batches",
    DELIVERY_METADATA,
    Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    Column("licence_id", BigInteger, nullable=False, index=True),
    Column("root", String(66), nullable=False),
    Column("use_count", Integer, nullable=False),
    Column("status", String(10), nullable=False, index=True),  # sealed | recorded | refused
    Column("first_use", BigInteger),
    Column("chain_id", BigInteger),
    Column("contract", String(42)),
    Column("tx_hash", String(66)),
    Column("block_number", BigInteger),
    Column("log_index", Integer),
    Column("block_timestamp", BigInteger),
    Column("refusal", Text),
)

USES = Table(
    "delivery_uses",
    DELIVERY_METADATA,
    # batched: the EIP-712 digest; chain and consent: txHash-logIndex
    Column("use_id", String(80), primary_key=True),
    Column("source", String(10), nullable=False),  # batched | chain | consent
    Column("licence_id", BigInteger, nullable=False),
    Column("asset_id", String(66), nullable=False),
    Column("consumer", String(42), nullable=False),
    Column("request_hash", String(66), nullable=False),
    Column("deposit_id", String(36), ForeignKey("delivery_deposits.deposit_id"), nullable=False),
    Column("redeemed_at", BigInteger, nullable=False),
    Column("window_ends_at", BigInteger, nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("leaf", String(66)),  # batched: the use's Merkle leaf
    Column("batch_id", BigInteger, ForeignKey("delivery_use_batches.id"), index=True),
    Column("leaf_index", Integer),
    Column("chain_use", BigInteger),
    Column("tx_hash", String(66)),
    Column("log_index", Integer),
    Column("completed", Boolean, nullable=False, default=False),
    # consent uses: the consent consumed (redeemed once: unique) and its data subject
    Column("consent_id", BigInteger),
    Column("subject", String(42)),
    UniqueConstraint("licence_id", "source", "sequence", name="uq_delivery_use_sequence"),
)
Index("ix_delivery_uses_unbatched", USES.c.source, USES.c.batch_id, USES.c.licence_id)
Index("ix_delivery_uses_licence", USES.c.licence_id, USES.c.redeemed_at)
Index("uq_delivery_uses_consent", USES.c.consent_id, unique=True)

RECEIPTS = Table(
    "delivery_receipts",
    DELIVERY_METADATA,
    Column("use_id", String(80), ForeignKey("delivery_uses.use_id"), primary_key=True),
    Column("payload", Text, nullable=False),  # the receipt's canonical JSON (RFC 8785)
    Column("signature", String(100), nullable=False),
    Column("leaf", String(66), nullable=False),
)

# Columns added after the tables first shipped: (table, column, DDL type), added if missing.
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("delivery_deposits", "personal_data", "BOOLEAN NOT NULL DEFAULT FALSE"),
    ("delivery_uses", "consent_id", "BIGINT"),
    ("delivery_uses", "subject", "VARCHAR(42)"),
)
ADDED_INDEXES = ("CREATE UNIQUE INDEX IF NOT EXISTS uq_delivery_uses_consent ON delivery_uses (consent_id)",)
