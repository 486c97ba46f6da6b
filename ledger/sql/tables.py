"""SQL tables (SQLModel) of the off-chain side of the ledger.

The database keeps what the chain holds (mirrored, with the evidence to find it again) and what it
does not (asset facts, salts, certificates, participants). ``ledger.workers.audit`` checks the two agree.
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


class ContentClaimRow(SQLModel, table=True):
    """Who registered a content hash, directly or in a batch: the one decision per content hash.

    Both registration paths write their claim in the transaction that stores their entry, so of two
    registrations of one content hash racing on the two paths exactly one is acknowledged (the primary
    key decides). A direct claim is withdrawn when its relay fails; a batched one never is.
    """

    __tablename__ = "content_claims"

    content_hash: str = Field(primary_key=True, max_length=66)
    asset_id: str = Field(max_length=66, index=True)
    path: str = Field(max_length=8)  # direct | batched
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
    # pending | registered | under_review | in_notice | certified | rejected | revoked | cancelled
    state: str = Field(max_length=20, index=True)
    chain_id: int | None = Field(default=None, sa_type=BigInteger)
    contract: str | None = Field(default=None, max_length=42)
    tx_hash: str | None = Field(default=None, max_length=66)
    block_number: int | None = Field(default=None, sa_type=BigInteger)
    log_index: int | None = None
    revocation_reason: str | None = None
    version: int = 1  # the current version of the data (1 at registration, +1 per change)
    # IIIIII-YYYY-NNNNNNNN-C, given when the application is registered (registry.numbering); unique
    # through ix_assets_registration_number (ledger.sql.asset_store), added to older databases.
    registration_number: str | None = Field(default=None, max_length=24)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CertificateRow(SQLModel, table=True):
    __tablename__ = "certificates"

    seq: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=40, unique=True)
    asset_id: str = Field(foreign_key="assets.asset_id", index=True, max_length=66)
    certificate_hash: str | None = Field(default=None, max_length=66, unique=True)
    vc_json: str | None = None
    # issuing | valid | superseded | revoked | cancelled | void (reserved, never issued)
    status: str = Field(default="issuing", max_length=20)
    valid_until: int | None = Field(default=None, sa_type=BigInteger)  # Unix seconds, as anchored
    superseded_by: str | None = Field(default=None, max_length=40)  # number of the next certificate
    record_tx_hash: str | None = Field(default=None, max_length=66)
    record_block_number: int | None = Field(default=None, sa_type=BigInteger)
    record_log_index: int | None = None
    issued_at: datetime = Field(default_factory=utcnow)


class NumberCounterRow(SQLModel, table=True):
    """The last serial drawn in one numbering scope: an institution's certificates of a month, or its
    registrations of a year (``registry.numbering.certificate_scope``, ``registration_scope``).

    Drawn with one upsert in the transaction that stores the numbered row, so concurrent draws on either
    database wait on the scope's row and each gets the next serial; a rolled-back draw leaves no gap."""

    __tablename__ = "number_counters"

    scope: str = Field(primary_key=True, max_length=40)
    last_serial: int = Field(default=0, sa_type=BigInteger)


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
    block_timestamp: int | None = Field(default=None, sa_type=BigInteger)
    recorded_at: datetime = Field(default_factory=utcnow)


class DeploymentRow(SQLModel, table=True):
    __tablename__ = "deployments"

    chain_id: int = Field(primary_key=True, sa_type=BigInteger)
    name: str = Field(primary_key=True, max_length=60)
    address: str = Field(max_length=42)
    tx_hash: str = Field(max_length=66)
    block_number: int = Field(sa_type=BigInteger)
    deployed_at: datetime = Field(default_factory=utcnow)


class AssetVersionRow(SQLModel, table=True):
    """One version of an asset's data: the facts and commitments it was registered or changed with.

    A log kept beside the asset (no foreign key): the version chain outlives edits to ``assets``.
    """

    __tablename__ = "asset_versions"

    asset_id: str = Field(primary_key=True, max_length=66)
    version: int = Field(primary_key=True)
    facts_json: str
    salt: str = Field(max_length=66)
    content_hash: str = Field(max_length=66, index=True)
    metadata_hash: str = Field(max_length=66)
    tx_hash: str = Field(max_length=66)
    block_number: int = Field(sa_type=BigInteger)
    log_index: int
    recorded_at: datetime = Field(default_factory=utcnow)


class ObjectionRow(SQLModel, table=True):
    """An objection filed during a public notice; ``objection_id`` is the registry contract's id."""

    __tablename__ = "objections"

    objection_id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    asset_id: str = Field(foreign_key="assets.asset_id", index=True, max_length=66)
    objector_id: str | None = Field(default=None, max_length=36)
    objector_address: str = Field(max_length=42)
    reason: str
    evidence_hash: str = Field(max_length=66)
    status: str = Field(default="open", max_length=20)  # open | upheld | dismissed
    resolution: str | None = None
    tx_hash: str = Field(max_length=66)
    block_number: int = Field(sa_type=BigInteger)
    log_index: int
    created_at: datetime = Field(default_factory=utcnow)


class PledgeRow(SQLModel, table=True):
    """A pledge of an asset to a pledgee (data-IP pledge financing) and how it ended."""

    __tablename__ = "pledges"

    id: int | None = Field(default=None, primary_key=True)
    asset_id: str = Field(foreign_key="assets.asset_id", index=True, max_length=66)
    pledgor_address: str = Field(max_length=42)
    pledgee_address: str = Field(max_length=42, index=True)
    pledgee_id: str | None = Field(default=None, max_length=36)
    terms: str
    salt: str = Field(max_length=66)
    terms_hash: str = Field(max_length=66)
    status: str = Field(default="active", max_length=20, index=True)  # active | released | enforced
    tx_hash: str = Field(max_length=66)
    block_number: int = Field(sa_type=BigInteger)
    log_index: int
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    # Pledge financing (both parties signed): what the pledge secures, as on chain, and the texts and
    # salt behind its valuation's hash; the pledge registration certificate once a registrar issued it.
    # Nullable: pledges recorded before both parties signed have none (PLEDGE_FINANCING_COLUMNS).
    secured_amount: int | None = Field(default=None, sa_type=BigInteger)
    currency: str | None = Field(default=None, max_length=3)
    maturity: int | None = Field(default=None, sa_type=BigInteger)
    valuation: str | None = None
    valuation_salt: str | None = Field(default=None, max_length=66)
    valuation_hash: str | None = Field(default=None, max_length=66)
    serial: int | None = None
    certificate_number: str | None = Field(default=None, max_length=40)
    certificate_json: str | None = None


class PledgeValuationRow(SQLModel, table=True):
    """A valuation of a pledged asset the pledgee stated (the first with the pledge, later ones on
    their own), with the text and salt behind the hash the chain holds."""

    __tablename__ = "pledge_valuations"

    id: int | None = Field(default=None, primary_key=True)
    pledge_id: int = Field(foreign_key="pledges.id", index=True)
    valuation: str
    salt: str = Field(max_length=66)
    valuation_hash: str = Field(max_length=66)
    tx_hash: str = Field(max_length=66)
    block_number: int = Field(sa_type=BigInteger)
    log_index: int
    recorded_at: datetime = Field(default_factory=utcnow)


class LicenceRow(SQLModel, table=True):
    """A licence on an asset; ``licence_id`` is the licence registry's id. Texts stay off chain."""

    __tablename__ = "licences"

    licence_id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    asset_id: str = Field(foreign_key="assets.asset_id", index=True, max_length=66)
    licensor_address: str = Field(max_length=42)
    licensee_address: str = Field(max_length=42, index=True)
    licensee_id: str | None = Field(default=None, max_length=36)
    asset_version: int
    max_uses: int
    uses: int = 0
    valid_from: int = Field(sa_type=BigInteger)
    valid_until: int = Field(sa_type=BigInteger)
    derivatives_allowed: bool
    commercial: bool
    exclusivity: str = Field(default="non-exclusive", max_length=14)  # non-exclusive | sole | exclusive
    scope: str
    purpose: str
    territory: str = ""
    salt: str = Field(max_length=66)
    revoked: bool = False
    revocation_reason: str | None = None
    tx_hash: str = Field(max_length=66)
    block_number: int = Field(sa_type=BigInteger)
    log_index: int
    created_at: datetime = Field(default_factory=utcnow)


class ConsentRow(SQLModel, table=True):
    """A data subject's consent to one query by an enterprise; ``consent_id`` is the contract's id."""

    __tablename__ = "consents"

    consent_id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    subject_address: str = Field(max_length=42, index=True)
    enterprise_address: str = Field(max_length=42, index=True)
    enterprise_id: str | None = Field(default=None, max_length=36)
    purpose: str
    salt: str = Field(max_length=66)
    purpose_hash: str = Field(max_length=66)
    valid_until: int = Field(sa_type=BigInteger)
    status: str = Field(default="active", max_length=20)  # active | consumed | withdrawn
    request_hash: str | None = Field(default=None, max_length=66)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ConsentHistoryRow(SQLModel, table=True):
    """One act on a consent (granted, consumed, withdrawn) with its chain evidence."""

    __tablename__ = "consent_history"

    id: int | None = Field(default=None, primary_key=True)
    consent_id: int = Field(foreign_key="consents.consent_id", index=True, sa_type=BigInteger)
    act: str = Field(max_length=40)
    actor: str = Field(max_length=42)
    detail_json: str = "{}"
    chain_id: int = Field(sa_type=BigInteger)
    contract: str = Field(max_length=42)
    tx_hash: str = Field(max_length=66)
    block_number: int = Field(sa_type=BigInteger)
    log_index: int
    block_timestamp: int | None = Field(default=None, sa_type=BigInteger)
    recorded_at: datetime = Field(default_factory=utcnow)


class ActJournalRow(SQLModel, table=True):
    """A signed act relayed (or about to be) whose result is not recorded yet (``registry.act_journal``)."""

    __tablename__ = "act_journal"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=60)
    contract: str = Field(max_length=42)
    primary_type: str = Field(max_length=40)
    signer: str = Field(max_length=42)
    message_json: str
    signature: str = Field(max_length=200)
    payload_json: str
    from_block: int = Field(sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow, index=True)
