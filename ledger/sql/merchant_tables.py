"""SQL tables of data merchants (exchanges' enrolments by kind) and of buyer verification (holders'
policies per listing, buyers' applications with the holder's signed decision)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from dataledger.ledger.sql.tables import utcnow


class MerchantRow(SQLModel, table=True):
    """An exchange's enrolment of a participant as a data merchant. ``kinds`` is space separated with a
    space at each end (`` buyer supplier ``), so a kind is found by ``LIKE '% buyer %'``."""

    __tablename__ = "market_merchants"
    __table_args__ = (UniqueConstraint("exchange_id", "participant_id"),)

    seq: int | None = Field(default=None, primary_key=True)
    exchange_id: str = Field(max_length=36, index=True)
    exchange_name: str = Field(max_length=200)
    participant_id: str = Field(max_length=36, index=True)
    participant_name: str = Field(max_length=200)
    kinds: str = Field(max_length=120)
    note: str = ""
    enrolled_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    withdrawn_at: datetime | None = None


class BuyerPolicyRow(SQLModel, table=True):
    """Whether a listing's holder requires its buyers to be verified (the last setting)."""

    __tablename__ = "market_buyer_policies"

    listing_id: str = Field(primary_key=True, max_length=66)
    verification_required: bool
    set_by: str = Field(max_length=36)
    set_at: datetime = Field(default_factory=utcnow)


class BuyerApplicationRow(SQLModel, table=True):
    """A buyer's application to be verified for a listing; the holder's signed decision once made."""

    __tablename__ = "market_buyer_applications"
    __table_args__ = (Index("ix_market_buyer_applications_listing_buyer", "listing_id", "buyer_address"),)

    seq: int | None = Field(default=None, primary_key=True)
    application_id: str = Field(max_length=66, unique=True)
    listing_id: str = Field(max_length=66)
    exchange_id: str = Field(max_length=36)
    holder: str = Field(max_length=42, index=True)
    buyer_id: str = Field(max_length=36, index=True)
    buyer_name: str = Field(max_length=200)
    buyer_address: str = Field(max_length=42)
    purpose: str
    status: str = Field(max_length=10)  # pending | approved | declined
    applied_at: datetime = Field(default_factory=utcnow)
    reason: str | None = None
    decision_deadline: int | None = Field(default=None, sa_type=BigInteger)
    decision_signature: str | None = Field(default=None, max_length=132)
    decided_at: datetime | None = None


MERCHANTS = MerchantRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
POLICIES = BuyerPolicyRow.__table__  # type: ignore[attr-defined]
APPLICATIONS = BuyerApplicationRow.__table__  # type: ignore[attr-defined]
MERCHANT_TABLES = (MERCHANTS, POLICIES, APPLICATIONS)
