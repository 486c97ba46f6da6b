"""SQL tables (SQLModel) of the off-chain side of the ledger.

The database keeps what the chain holds (mirrored, with the evidence to find it again) and what it
does not (asset facts, salts, certificates, participants). ``ledger.audit`` checks the two agree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class ParticipantRow(SQLModel, table=True):
    __tablename__ = "participants"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20, index=True)
    address: str | None = Field(default=None, max_length=42, unique=True)
    api_key_hash: str = Field(max_length=66, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class AssetRow(SQLModel, table=True):
    __tablename__ = "assets"

    asset_id: str = Field(primary_key=True, max_length=66)
    holder_id: str = Field(foreign_key="participants.id", index=True, max_length=36)
    holder_address: str = Field(max_length=42, index=True)
    facts_json: str
    salt: str = Field(max_length=66)
    content_hash: str = Field(max_length=66, index=True)
    metadata_hash: str = Field(max_length=66)
    nonce: int = Field(sa_type=BigInteger)
    deadline: int = Field(sa_type=BigInteger)
    signature: str = Field(max_length=140)
    state: str = Field(max_length=20, index=True)  # pending | registered | revoked
    chain_id: int | None = Field(default=None, sa_type=BigInteger)
    contract: str | None = Field(default=None, max_length=42)
    tx_hash: str | None = Field(default=None, max_length=66)
    block_number: int | None = Field(default=None, sa_type=BigInteger)
    log_index: int | None = None
    revocation_reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CertificateRow(SQLModel, table=True):
    __tablename__ = "certificates"

    seq: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=40, unique=True)
    asset_id: str = Field(foreign_key="assets.asset_id", index=True, max_length=66)
    certificate_hash: str | None = Field(default=None, max_length=66, unique=True)
    vc_json: str | None = None
    status: str = Field(
        default="issuing", max_length=20
    )  # issuing | valid | revoked | void (reserved, never issued)
    record_tx_hash: str | None = Field(default=None, max_length=66)
    record_block_number: int | None = Field(default=None, sa_type=BigInteger)
    record_log_index: int | None = None
    issued_at: datetime = Field(default_factory=utcnow)


class HistoryRow(SQLModel, table=True):
    """One act on an asset (registered, certificate recorded, revoked...) with its chain evidence."""

    __tablename__ = "asset_history"

    id: int | None = Field(default=None, primary_key=True)
    asset_id: str = Field(foreign_key="assets.asset_id", index=True, max_length=66)
    act: str = Field(max_length=40)
    actor: str = Field(max_length=42)
    detail_json: str = "{}"
    chain_id: int = Field(sa_type=BigInteger)
    contract: str = Field(max_length=42)
    tx_hash: str = Field(max_length=66)
    block_number: int = Field(sa_type=BigInteger)
    log_index: int
    recorded_at: datetime = Field(default_factory=utcnow)


class DeploymentRow(SQLModel, table=True):
    __tablename__ = "deployments"

    chain_id: int = Field(primary_key=True, sa_type=BigInteger)
    name: str = Field(primary_key=True, max_length=60)
    address: str = Field(max_length=42)
    tx_hash: str = Field(max_length=66)
    block_number: int = Field(sa_type=BigInteger)
    deployed_at: datetime = Field(default_factory=utcnow)
