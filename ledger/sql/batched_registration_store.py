"""SQL storage of batched registrations: each stored with its outbox entry in one transaction.

Implements ``registry.batched_registrations.BatchedRegistrationStore``. A bulk request is written
in ONE transaction (its rows and their outbox entries), after checking in that same transaction,
with a few set queries rather than one per item, that no item is already registered (batched or
direct), binds taken content, or reuses a (holder, batched nonce). Should a concurrent writer win a
race the checks could not see (PostgreSQL), the insert is redone item by item under savepoints, so
the winners of the race stay stored and each loser is reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import BigInteger, Table, UniqueConstraint, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from dataledger.ledger.sql.outbox import AnchorOutbox, Inclusion, OutboxEntry, add_entries
from dataledger.ledger.sql.row_writer import bound, insert_rows, select_in
from dataledger.ledger.sql.tables import ContentClaimRow, utcnow
from dataledger.registry.assets import AssetFacts
from dataledger.registry.batched_registrations import (
    BATCH_NONCE_FLAG,
    REGISTRATION_KIND,
    BatchedRegistration,
    batch_nonce_index,
)
from dataledger.registry.errors import (
    AlreadyExists,
    AssetAlreadyRegistered,
    AssetNotFound,
    ContentAlreadyRegistered,
    DataLedgerError,
    NonceReplayed,
)


class BatchedRegistrationRow(SQLModel, table=True):
    """A holder-signed registration accepted for batch anchoring (its leaf is in ``anchor_outbox``)."""

    __tablename__ = "batched_registrations"
    __table_args__ = (
        UniqueConstraint("holder_address", "batch_nonce", name="uq_batched_registrations_holder_nonce"),
    )

    asset_id: str = Field(primary_key=True, max_length=66)
    holder_id: str = Field(foreign_key="participants.id", max_length=36)
    holder_address: str = Field(max_length=42)
    facts_json: str
    salt: str = Field(max_length=66)
    content_hash: str = Field(max_length=66, unique=True)
    metadata_hash: str = Field(max_length=66)
    batch_nonce: int = Field(sa_type=BigInteger)  # the index k of the signed nonce 2**255 + k
    deadline: int = Field(sa_type=BigInteger)
    signature: str = Field(max_length=140)
    leaf_hash: str = Field(max_length=66, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


TABLE: Table = BatchedRegistrationRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__


class SqlBatchedRegistrationStore:
    """Batched registrations and their outbox entries, in the store's database."""

    def __init__(self, outbox: AnchorOutbox, *, on_stored: Callable[[], None] | None = None) -> None:
        self._outbox = outbox
        self._reader = outbox.engine
        self._writer = outbox.write_engine
        self._on_stored = on_stored
        TABLE.create(self._writer, checkfirst=True)

    def set_on_stored(self, callback: Callable[[], None] | None) -> None:
        """Called after each commit that stored entries (the batcher's ``notify``)."""
        self._on_stored = callback

    # -- writes ------------------------------------------------------------------------------------

    def add_batched(self, records: Sequence[BatchedRegistration]) -> list[DataLedgerError | None]:
        """Store ``records`` with their outbox entries in one transaction; report each refused one."""
        try:
            with self._writer.begin() as conn:
                refusals = self._refusals(conn, records)
                self._insert(
                    conn, [r for r, refusal in zip(records, refusals, strict=True) if refusal is None]
                )
        except IntegrityError:  # a concurrent writer won a race the checks could not see
            refusals = self._add_one_by_one(records)
        if any(refusal is None for refusal in refusals) and self._on_stored is not None:
            self._on_stored()
        return refusals

    def _insert(self, conn: Connection, records: Sequence[BatchedRegistration]) -> None:
        if not records:
            return
        now = utcnow()
        at = bound(conn, TABLE.c.created_at, now)
        insert_rows(conn, TABLE, _COLUMNS, [_row(r, at) for r in records])
        # The same claim the direct path writes: of two paths racing for one content hash, the primary
        # key of content_claims lets exactly one transaction commit.
        claims = [(r.facts.content_hash, r.asset_id, "batched", at) for r in records]
        insert_rows(conn, CLAIMS, _CLAIM_COLUMNS, claims)
        add_entries(
            conn,
            [OutboxEntry(REGISTRATION_KIND, r.asset_id, bytes.fromhex(r.leaf[2:])) for r in records],
            created_at=now,
        )

    def _add_one_by_one(self, records: Sequence[BatchedRegistration]) -> list[DataLedgerError | None]:
        refusals: list[DataLedgerError | None] = []
        with self._writer.begin() as conn:
            for record in records:
                (refusal,) = self._refusals(conn, [record])
                if refusal is None:
                    try:
                        with conn.begin_nested():
                            self._insert(conn, [record])
                    except IntegrityError:
                        refusal = AlreadyExists("the registration conflicts with one stored concurrently")
                refusals.append(refusal)
        return refusals

    def _refusals(
        self, conn: Connection, records: Sequence[BatchedRegistration]
    ) -> list[DataLedgerError | None]:
        keys = [r.asset_id for r in records] + [r.facts.content_hash for r in records]
        taken_assets: set[str] = set()
        taken_contents: dict[str, str] = {}
        for table in ("batched_registrations", "assets"):  # batched, and registered directly
            query = f"SELECT asset_id FROM {table} WHERE asset_id IN {{in}}"
            taken_assets.update(asset_id for (asset_id,) in select_in(conn, query, keys))
        contents = [r.facts.content_hash for r in records]
        # Claimed at registration on either path, or the current version of a direct asset's data.
        for query in (
            "SELECT content_hash, asset_id FROM content_claims WHERE content_hash IN {in}",
            "SELECT content_hash, asset_id FROM assets WHERE content_hash IN {in}",
        ):
            taken_contents.update(select_in(conn, query, contents))
        used_nonces = _used_nonces(conn, records)
        refusals: list[DataLedgerError | None] = []
        for r in records:
            if r.asset_id in taken_assets:
                refusals.append(
                    AssetAlreadyRegistered("the asset is already registered", asset_id=r.asset_id)
                )
            elif r.facts.content_hash in taken_contents:
                refusals.append(
                    ContentAlreadyRegistered(
                        "this content hash is already registered under another asset",
                        existing_asset_id=taken_contents[r.facts.content_hash],
                    )
                )
            elif (r.holder_address, r.batch_nonce_index) in used_nonces:
                refusals.append(
                    NonceReplayed("the holder's batched nonce was already used", nonce=str(r.nonce))
                )
            else:
                refusals.append(None)
        return refusals

    # -- reads -------------------------------------------------------------------------------------

    def get(self, asset_id: str) -> BatchedRegistration:
        with self._reader.connect() as conn:
            row = conn.execute(select(TABLE).where(TABLE.c.asset_id == asset_id.lower())).mappings().first()
        if row is None:
            raise AssetNotFound("no batched registration with this asset id", asset_id=asset_id)
        return BatchedRegistration(
            asset_id=row["asset_id"],
            holder_id=row["holder_id"],
            holder_address=row["holder_address"],
            facts=AssetFacts(**json.loads(row["facts_json"])),
            salt=row["salt"],
            metadata_hash=row["metadata_hash"],
            nonce=BATCH_NONCE_FLAG | int(row["batch_nonce"]),
            deadline=int(row["deadline"]),
            signature=row["signature"],
            leaf=row["leaf_hash"],
            facts_json=row["facts_json"],
        )

    def contains(self, asset_id: str) -> bool:
        """Whether ``asset_id`` is a stored batched registration."""
        with self._reader.connect() as conn:
            found = conn.execute(select(TABLE.c.asset_id).where(TABLE.c.asset_id == asset_id.lower()))
            return found.first() is not None

    def asset_id_by_content(self, content_hash: str) -> str | None:
        """The asset id of the batched registration binding ``content_hash``, or None."""
        with self._reader.connect() as conn:
            return conn.execute(
                select(TABLE.c.asset_id).where(TABLE.c.content_hash == content_hash.lower())
            ).scalar_one_or_none()

    def inclusion(self, asset_id: str) -> Inclusion:
        """The anchoring state of batched registration ``asset_id``: pending, sealed or anchored + proof."""
        return self._outbox.inclusion(REGISTRATION_KIND, asset_id.lower())


CLAIMS: Table = ContentClaimRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
_CLAIM_COLUMNS = ("content_hash", "asset_id", "path", "created_at")
_COLUMNS = (
    "asset_id",
    "holder_id",
    "holder_address",
    "facts_json",
    "salt",
    "content_hash",
    "metadata_hash",
    "batch_nonce",
    "deadline",
    "signature",
    "leaf_hash",
    "created_at",
)


def _row(record: BatchedRegistration, created_at: object) -> tuple[object, ...]:
    return (
        record.asset_id,
        record.holder_id,
        record.holder_address,
        record.facts_json,
        record.salt,
        record.facts.content_hash,
        record.metadata_hash,
        batch_nonce_index(record.nonce),
        record.deadline,
        record.signature,
        record.leaf,
        created_at,
    )


def _used_nonces(conn: Connection, records: Sequence[BatchedRegistration]) -> set[tuple[str, int]]:
    by_holder: dict[str, list[int]] = {}
    for r in records:
        by_holder.setdefault(r.holder_address, []).append(r.batch_nonce_index)
    used: set[tuple[str, int]] = set()
    for holder, nonces in by_holder.items():
        query = (
            "SELECT batch_nonce FROM batched_registrations WHERE holder_address = ? AND batch_nonce IN {in}"
        )
        used.update((holder, int(nonce)) for (nonce,) in select_in(conn, query, nonces, params=(holder,)))
    return used
