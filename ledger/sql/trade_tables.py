"""SQL tables of the market's orders and trades (one row per order, updated as it is accepted, settled or
cancelled, and when its licence is linked) and of the holders' mandates to their exchanges (one row per
grant, updated when it is revoked or superseded). Addresses are lower case; amounts in the smallest
unit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from dataledger.ledger.sql.tables import utcnow


class MarketTradeRow(SQLModel, table=True):
    """An order and the trade it became; ``*_evidence`` columns hold ``ChainEvidence`` as JSON."""

    __tablename__ = "market_trades"
    # The statistics count and sum a period's trades from these indexes alone (they cover status,
    # currency and amount), per exchange or for the whole market.
    __table_args__ = (
        Index("ix_market_trades_exchange_ordered", "exchange_id", "ordered_at"),
        Index("ix_market_trades_ordered", "ordered_at", "exchange_id"),
        Index(
            "ix_market_trades_exchange_accepted", "exchange_id", "accepted_at", "status", "currency", "amount"
        ),
        Index("ix_market_trades_accepted", "accepted_at", "exchange_id", "status", "currency", "amount"),
        Index("ix_market_trades_exchange_closed", "exchange_id", "closed_at", "status", "currency", "amount"),
        Index("ix_market_trades_closed", "closed_at", "exchange_id", "status", "currency", "amount"),
    )

    seq: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(max_length=66, unique=True)
    listing_id: str = Field(max_length=66, index=True)
    asset_id: str = Field(max_length=66)
    exchange_id: str = Field(max_length=36)
    exchange_name: str = Field(max_length=200)
    buyer_id: str = Field(max_length=36, index=True)
    buyer_address: str = Field(max_length=42)
    seller_address: str = Field(max_length=42, index=True)
    amount: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    terms_hash: str = Field(max_length=66)
    licence_template_id: str = Field(max_length=36)
    licence_template_version: int
    status: str = Field(max_length=12)  # ordered | accepted | settled | cancelled
    ordered_at: datetime = Field(default_factory=utcnow)
    order_evidence: str
    accepted_by: str | None = Field(default=None, max_length=42)
    accepted_at: datetime | None = None
    acceptance_evidence: str | None = None
    settlement_reference: str | None = None
    settlement_hash: str | None = Field(default=None, max_length=66)
    cancellation_reason: str | None = None
    closed_at: datetime | None = None
    closing_evidence: str | None = None
    licence_id: int | None = Field(default=None, sa_type=BigInteger)
    licence_evidence: str | None = None


class MarketMandateRow(SQLModel, table=True):
    """One grant of a holder's mandate to an agent for a listing: its history is the rows of the same
    (holder, agent, listing), newest last; the one with ``ended`` unset or ``revoked`` is the chain's."""

    __tablename__ = "market_mandates"
    __table_args__ = (Index("ix_market_mandates_holder_agent_listing", "holder", "agent", "listing_id"),)

    seq: int | None = Field(default=None, primary_key=True)
    listing_id: str = Field(max_length=66, index=True)
    holder: str = Field(max_length=42)
    agent: str = Field(max_length=42)
    valid_until: int = Field(sa_type=BigInteger)
    granted_at: datetime = Field(default_factory=utcnow)
    grant_tx_hash: str = Field(max_length=66, unique=True)  # one grant per transaction
    grant_evidence: str
    ended: str | None = Field(default=None, max_length=12)  # None | revoked | superseded
    revoked_at: datetime | None = None
    revocation_evidence: str | None = None


TRADES = MarketTradeRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
MANDATES = MarketMandateRow.__table__  # type: ignore[attr-defined]
