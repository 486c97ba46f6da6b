"""SQL tables of data vouchers: programmes, their issues and redemptions (one row per movement), and the
registration fees registrars recorded (which vouchers pay part of)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from dataledger.ledger.sql.tables import utcnow


class VoucherProgrammeRow(SQLModel, table=True):
    """A programme and its rules (its totals are the chain's)."""

    __tablename__ = "voucher_programmes"

    programme_id: str = Field(primary_key=True, max_length=66)
    name: str = Field(max_length=120)
    authority_id: str = Field(max_length=36, index=True)
    authority_address: str = Field(max_length=42)
    currency: str = Field(max_length=3)
    budget: int = Field(sa_type=BigInteger)
    share_cap_bps: int
    enterprise_cap: int = Field(sa_type=BigInteger)
    period_seconds: int = Field(sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow)
    evidence_json: str


class VoucherMovementRow(SQLModel, table=True):
    """An issue to an enterprise, or its redemption against a trade or a registration fee."""

    __tablename__ = "voucher_movements"
    __table_args__ = (
        Index("ix_voucher_movements_programme_enterprise", "programme_id", "enterprise_address"),
    )

    seq: int | None = Field(default=None, primary_key=True)
    programme_id: str = Field(max_length=66)
    kind: str = Field(max_length=12)  # issue | redemption
    enterprise_address: str = Field(max_length=42)
    enterprise_id: str | None = Field(default=None, max_length=36)
    value: int = Field(sa_type=BigInteger)
    purpose: str | None = Field(default=None, max_length=20)
    reference_id: str | None = Field(default=None, max_length=66)
    base_amount: int | None = Field(default=None, sa_type=BigInteger)
    at: datetime = Field(default_factory=utcnow)
    tx_hash: str = Field(max_length=66, unique=True)  # one movement per transaction
    evidence_json: str


class RegistrationFeeRow(SQLModel, table=True):
    """The registration fee a registrar recorded for an asset (one per asset, as on chain)."""

    __tablename__ = "registration_fees"

    asset_id: str = Field(primary_key=True, max_length=66)
    registrar_id: str | None = Field(default=None, max_length=36)
    registrar_address: str = Field(max_length=42)
    payer_id: str | None = Field(default=None, max_length=36, index=True)
    payer_address: str = Field(max_length=42, index=True)
    amount: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    recorded_at: datetime = Field(default_factory=utcnow)
    evidence_json: str
    redeemed_in: str | None = Field(default=None, max_length=66)  # the programme that paid part of it


PROGRAMMES = VoucherProgrammeRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
MOVEMENTS = VoucherMovementRow.__table__  # type: ignore[attr-defined]
FEES = RegistrationFeeRow.__table__  # type: ignore[attr-defined]
