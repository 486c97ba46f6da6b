"""The SQL store (SQLModel): SQLite file by default, PostgreSQL through a URL.

Implements ``registry.ports.RegistryStore``. Each method is one transaction; rows are converted to
domain objects at this boundary so nothing above it sees SQL types.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, event, func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, SQLModel, col, create_engine, select

import dataledger.ledger.sql.event_tables  # registers the EPCIS event and lineage tables in the schema
import dataledger.ledger.sql.index_tables  # registers the event index tables in the schema
import dataledger.ledger.sql.outbox_tables  # noqa: F401 - registers the outbox tables in the schema
from dataledger.ledger.sql.tables import (
    AssetRow,
    AssetVersionRow,
    CertificateRow,
    ContentClaimRow,
    DeploymentRow,
    HistoryRow,
    ParticipantRow,
    utcnow,
)
from dataledger.registry.assets import AssetFacts, AssetRecord, AssetState
from dataledger.registry.batched_registrations import BATCH_NONCE_FLAG
from dataledger.registry.chain_records import ACT_OF_EVENT, ChainAct
from dataledger.registry.chain_types import ChainEvidence, RegistrationEvent
from dataledger.registry.errors import (
    AlreadyExists,
    AssetNotFound,
    CertificateNotFound,
    ContentAlreadyBatched,
    ContentAlreadyRegistered,
    LedgerInconsistent,
    ParticipantNotFound,
)
from dataledger.registry.participants import Participant, Role, api_key_hash


def make_engine(database_url: str) -> Engine:
    """An engine for ``database_url``; SQLite gets WAL and foreign keys, PostgreSQL uses psycopg 3."""
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(database_url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class SqlStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @classmethod
    def open(cls, database_url: str) -> SqlStore:
        store = cls(make_engine(database_url))
        store.create_schema()
        return store

    def create_schema(self) -> None:
        SQLModel.metadata.create_all(self._engine)
        self._claim_registered_contents()

    def _claim_registered_contents(self) -> None:
        """A database from before ``content_claims``: claim the content hashes already registered.

        Runs while the table is empty, so once; on a new database both statements find nothing."""
        with self._engine.begin() as conn:
            if conn.exec_driver_sql("SELECT 1 FROM content_claims LIMIT 1").first() is not None:
                return
            conn.exec_driver_sql(
                "INSERT INTO content_claims (content_hash, asset_id, path, created_at)"
                " SELECT content_hash, MIN(asset_id), 'batched', MIN(created_at)"
                " FROM batched_registrations GROUP BY content_hash"
            )
            conn.exec_driver_sql(
                "INSERT INTO content_claims (content_hash, asset_id, path, created_at)"
                " SELECT a.content_hash, MIN(a.asset_id), 'direct', MIN(a.created_at) FROM assets a"
                " WHERE NOT EXISTS (SELECT 1 FROM content_claims c WHERE c.content_hash = a.content_hash)"
                " GROUP BY a.content_hash"
            )

    def drop_schema(self) -> None:
        SQLModel.metadata.drop_all(self._engine)

    @property
    def engine(self) -> Engine:
        return self._engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self._engine, expire_on_commit=False) as session:
            yield session

    def ping(self) -> bool:
        try:
            with self.session() as session:
                session.exec(select(func.count()).select_from(DeploymentRow)).one()
            return True
        except OperationalError:
            return False

    # -- participants -----------------------------------------------------------------------------

    def add_participant(self, participant: Participant, api_key: str) -> None:
        row = ParticipantRow(
            id=participant.id,
            name=participant.name,
            role=participant.role.value,
            address=participant.address,
            api_key_hash=api_key_hash(api_key),
            created_at=participant.created_at,
        )
        with self.session() as session:
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                raise AlreadyExists(
                    "a participant with this address already exists", address=participant.address
                ) from None

    def get_participant(self, participant_id: str) -> Participant:
        with self.session() as session:
            row = session.get(ParticipantRow, participant_id)
        if row is None:
            raise ParticipantNotFound("no participant with this id", participant_id=participant_id)
        return _participant(row)

    def participant_by_api_key(self, api_key: str) -> Participant | None:
        with self.session() as session:
            row = session.exec(
                select(ParticipantRow).where(ParticipantRow.api_key_hash == api_key_hash(api_key))
            ).first()
        return _participant(row) if row else None

    def participant_by_address(self, address: str) -> Participant | None:
        """The participant whose chain address is ``address`` (compared case-insensitively)."""
        with self.session() as session:
            row = session.exec(
                select(ParticipantRow).where(func.lower(ParticipantRow.address) == address.lower())
            ).first()
        return _participant(row) if row else None

    # -- assets -----------------------------------------------------------------------------------

    def get_asset(self, asset_id: str) -> AssetRecord | None:
        with self.session() as session:
            row = session.get(AssetRow, asset_id)
        return _asset(row) if row else None

    def asset_by_content(self, content_hash: str) -> AssetRecord | None:
        with self.session() as session:
            row = session.exec(select(AssetRow).where(AssetRow.content_hash == content_hash)).first()
        return _asset(row) if row else None

    def list_assets(
        self, *, holder_id: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[AssetRecord]:
        query = (
            select(AssetRow)
            .order_by(col(AssetRow.created_at), col(AssetRow.asset_id))
            .offset(offset)
            .limit(limit)
        )
        if holder_id is not None:
            query = query.where(AssetRow.holder_id == holder_id)
        with self.session() as session:
            return [_asset(row) for row in session.exec(query)]

    def pending_assets(self) -> list[AssetRecord]:
        with self.session() as session:
            rows = session.exec(select(AssetRow).where(AssetRow.state == AssetState.PENDING.value)).all()
        return [_asset(row) for row in rows]

    def add_pending_asset(self, record: AssetRecord) -> None:
        row = AssetRow(
            asset_id=record.asset_id,
            holder_id=record.holder_id,
            holder_address=record.holder_address,
            facts_json=json.dumps(record.facts.as_json(), sort_keys=True),
            salt=record.salt,
            content_hash=record.facts.content_hash,
            metadata_hash=record.metadata_hash,
            nonce=nonce_column(record.nonce),
            deadline=record.deadline,
            signature=record.signature,
            state=AssetState.PENDING.value,
        )
        content_hash = record.facts.content_hash
        with self.session() as session:
            claim = session.get(ContentClaimRow, content_hash)
            if claim is None:
                claim = ContentClaimRow(content_hash=content_hash, asset_id=record.asset_id, path="direct")
                session.add(claim)
            elif claim.asset_id != record.asset_id:  # the asset's own batched claim lets it materialise
                raise _content_taken(claim)
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                claim = session.get(ContentClaimRow, content_hash)
                if claim is not None and claim.asset_id != record.asset_id:
                    raise _content_taken(claim) from None  # claimed concurrently, on either path
                raise AlreadyExists(
                    "the asset is already being registered", asset_id=record.asset_id
                ) from None

    def discard_pending_asset(self, asset_id: str) -> None:
        with self.session() as session:
            row = session.get(AssetRow, asset_id)
            if row is not None and row.state == AssetState.PENDING.value:
                claim = session.get(ContentClaimRow, row.content_hash)
                if claim is not None and claim.asset_id == asset_id and claim.path == "direct":
                    session.delete(claim)  # the relay failed: the content hash is free again
                session.delete(row)
                session.commit()

    def mark_registered(
        self,
        asset_id: str,
        event: RegistrationEvent,
        *,
        block_timestamp: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> AssetRecord:
        with self.session() as session:
            row = session.get(AssetRow, asset_id)
            if row is None:
                raise AssetNotFound("no pending asset with this id", asset_id=asset_id)
            if (row.content_hash, row.metadata_hash, row.holder_address) != (
                event.content_hash,
                event.metadata_hash,
                event.holder,
            ):
                raise LedgerInconsistent(
                    "the chain recorded other facts than the database holds", asset_id=asset_id
                )
            ev = event.evidence
            row.state = AssetState.REGISTERED.value
            row.chain_id, row.contract, row.tx_hash = ev.chain_id, ev.contract, ev.tx_hash
            row.block_number, row.log_index = ev.block_number, ev.log_index
            row.updated_at = utcnow()
            session.add(row)
            session.add(
                AssetVersionRow(
                    asset_id=asset_id,
                    version=1,
                    facts_json=row.facts_json,
                    salt=row.salt,
                    content_hash=row.content_hash,
                    metadata_hash=row.metadata_hash,
                    tx_hash=ev.tx_hash,
                    block_number=ev.block_number,
                    log_index=ev.log_index,
                )
            )
            session.add(
                _history(
                    asset_id,
                    "registered",
                    event.holder,
                    ev,
                    {"nonce": _nonce_json(nonce_of_column(row.nonce)), **(detail or {})},
                    block_timestamp,
                )
            )
            session.commit()
            return _asset(row)

    def mark_revoked(
        self, asset_id: str, reason: str, acts: tuple[ChainAct, ...], *, actor: str
    ) -> AssetRecord:
        return self.record_acts(
            asset_id, acts, actor=actor, detail={"reason": reason}, state=AssetState.REVOKED, reason=reason
        )

    def record_acts(
        self,
        asset_id: str,
        acts: tuple[ChainAct, ...],
        *,
        actor: str,
        detail: dict[str, Any] | None = None,
        state: AssetState | None = None,
        reason: str | None = None,
    ) -> AssetRecord:
        """Append the history of an act (one row per event) and move the asset to ``state``.

        A revoked or cancelled asset's valid certificates take that status too.
        """
        with self.session() as session:
            row = self._asset_row(session, asset_id)
            if state is not None:
                row.state = state.value
                row.updated_at = utcnow()
                if state is AssetState.REVOKED:
                    row.revocation_reason = reason
                if state in (AssetState.REVOKED, AssetState.CANCELLED):
                    for cert in session.exec(
                        select(CertificateRow).where(CertificateRow.asset_id == asset_id)
                    ):
                        if cert.status == "valid":
                            cert.status = state.value
                            session.add(cert)
                session.add(row)
            session.add_all(history_rows(asset_id, acts, actor, detail))
            session.commit()
            return _asset(row)

    def set_holder(
        self,
        asset_id: str,
        holder_id: str,
        holder_address: str,
        acts: tuple[ChainAct, ...],
        *,
        actor: str,
        detail: dict[str, Any] | None = None,
    ) -> AssetRecord:
        """The rights passed to another participant (transfer, or enforcement of a pledge)."""
        with self.session() as session:
            row = self._asset_row(session, asset_id)
            row.holder_id, row.holder_address = holder_id, holder_address
            row.updated_at = utcnow()
            session.add(row)
            session.add_all(history_rows(asset_id, acts, actor, detail))
            session.commit()
            return _asset(row)

    def record_new_version(
        self,
        asset_id: str,
        facts: AssetFacts,
        salt: str,
        metadata_hash: str,
        acts: tuple[ChainAct, ...],
        *,
        actor: str,
    ) -> AssetRecord:
        """A change of the registered data: the asset now states the new version; the old ones are kept."""
        (changed,) = [act for act in acts if act.event == "AssetChanged"]
        version = int(changed.args["version"])
        with self.session() as session:
            row = self._asset_row(session, asset_id)
            row.facts_json = json.dumps(facts.as_json(), sort_keys=True)
            row.salt, row.content_hash, row.metadata_hash = salt, facts.content_hash, metadata_hash
            row.version = version
            row.updated_at = utcnow()
            session.add(row)
            session.add(
                AssetVersionRow(
                    asset_id=asset_id,
                    version=version,
                    facts_json=row.facts_json,
                    salt=salt,
                    content_hash=facts.content_hash,
                    metadata_hash=metadata_hash,
                    tx_hash=changed.evidence.tx_hash,
                    block_number=changed.evidence.block_number,
                    log_index=changed.evidence.log_index,
                )
            )
            session.add_all(history_rows(asset_id, acts, actor, {"version": version}))
            session.commit()
            return _asset(row)

    def versions(self, asset_id: str) -> list[dict[str, Any]]:
        """Every version of the asset's data, oldest first, with where each was recorded."""
        with self.session() as session:
            rows = session.exec(
                select(AssetVersionRow)
                .where(AssetVersionRow.asset_id == asset_id)
                .order_by(col(AssetVersionRow.version))
            ).all()
        return [
            {
                "version": r.version,
                "contentHash": r.content_hash,
                "metadataHash": r.metadata_hash,
                "facts": json.loads(r.facts_json),
                "txHash": r.tx_hash,
                "blockNumber": r.block_number,
                "logIndex": r.log_index,
            }
            for r in rows
        ]

    @staticmethod
    def _asset_row(session: Session, asset_id: str) -> AssetRow:
        row = session.get(AssetRow, asset_id)
        if row is None:
            raise AssetNotFound("no asset with this id", asset_id=asset_id)
        return row

    def history(self, asset_id: str) -> list[dict[str, object]]:
        """Every recorded act on the asset, in chain order."""
        return self.history_page(asset_id, limit=None)[0]

    def history_page(
        self,
        asset_id: str,
        *,
        act: str | None = None,
        actor: str | None = None,
        from_block: int | None = None,
        to_block: int | None = None,
        limit: int | None = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, object]], int]:
        """A page of the asset's acts in chain order, filtered, and how many match in all."""
        conditions: list[ColumnElement[bool] | bool] = [HistoryRow.asset_id == asset_id]
        if act is not None:
            conditions.append(HistoryRow.act == act)
        if actor is not None:
            conditions.append(func.lower(HistoryRow.actor) == actor.lower())
        if from_block is not None:
            conditions.append(HistoryRow.block_number >= from_block)
        if to_block is not None:
            conditions.append(HistoryRow.block_number <= to_block)
        query = (
            select(HistoryRow)
            .where(*conditions)
            .order_by(col(HistoryRow.block_number), col(HistoryRow.log_index), col(HistoryRow.id))
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        with self.session() as session:
            rows = session.exec(query).all()
            total = session.exec(select(func.count()).select_from(HistoryRow).where(*conditions)).one()
        return [_history_json(r) for r in rows], int(total)

    # -- certificates -----------------------------------------------------------------------------

    def reserve_certificate_number(self, asset_id: str, year: int) -> str:
        with self.session() as session:
            row = CertificateRow(asset_id=asset_id)
            session.add(row)
            session.flush()
            row.number = f"DLC-{year}-{row.seq:06d}"
            session.add(row)
            session.commit()
            return row.number

    def release_certificate_number(self, number: str) -> None:
        with self.session() as session:
            row = session.exec(select(CertificateRow).where(CertificateRow.number == number)).first()
            if row is not None and row.status == "issuing":
                row.status = "void"  # numbers are never reused, on any database
                session.add(row)
                session.commit()

    def store_certificate(
        self,
        number: str,
        asset_id: str,
        vc: dict,
        cert_hash: str,
        acts: tuple[ChainAct, ...],
        *,
        actor: str,
        valid_until: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """The certificate is issued and anchored: store it, supersede the previous one, certify the asset."""
        (anchor,) = [act for act in acts if act.event == "CertificateRecorded"]
        with self.session() as session:
            row = session.exec(select(CertificateRow).where(CertificateRow.number == number)).one()
            row.vc_json = json.dumps(vc, sort_keys=True)
            row.certificate_hash = cert_hash
            row.status = "valid"
            row.valid_until = valid_until
            ev = anchor.evidence
            row.record_tx_hash, row.record_block_number = ev.tx_hash, ev.block_number
            row.record_log_index = ev.log_index
            session.add(row)
            for act in acts:
                if act.event == "CertificateSuperseded":
                    old = session.exec(
                        select(CertificateRow).where(
                            CertificateRow.certificate_hash == act.args["certificateHash"]
                        )
                    ).first()
                    if old is not None:
                        old.status, old.superseded_by = "superseded", number
                        session.add(old)
            asset = self._asset_row(session, asset_id)
            asset.state = AssetState.CERTIFIED.value
            asset.updated_at = utcnow()
            session.add(asset)
            session.add_all(history_rows(asset_id, acts, actor, {"number": number, **(detail or {})}))
            session.commit()

    def certificate_record(self, number: str) -> dict[str, Any]:
        """The stored record of certificate ``number``: status, hash, asset, successor, expiry."""
        with self.session() as session:
            row = session.exec(select(CertificateRow).where(CertificateRow.number == number)).first()
        if row is None or row.vc_json is None:
            raise CertificateNotFound("no certificate with this number", number=number)
        return _certificate_json(row)

    def certificate_number_of(self, cert_hash: str) -> str | None:
        with self.session() as session:
            row = session.exec(
                select(CertificateRow).where(CertificateRow.certificate_hash == cert_hash.lower())
            ).first()
        return row.number if row else None

    def certificates_of(self, asset_id: str) -> list[dict[str, Any]]:
        """The asset's issued certificates, oldest first."""
        with self.session() as session:
            rows = session.exec(
                select(CertificateRow)
                .where(CertificateRow.asset_id == asset_id, CertificateRow.vc_json.is_not(None))  # type: ignore[union-attr]
                .order_by(col(CertificateRow.seq))
            ).all()
        return [_certificate_json(r) for r in rows]

    def get_certificate(self, number: str) -> dict:
        with self.session() as session:
            row = session.exec(select(CertificateRow).where(CertificateRow.number == number)).first()
        if row is None or row.vc_json is None:
            raise CertificateNotFound("no certificate with this number", number=number)
        return json.loads(row.vc_json)

    def certificate_status(self, number: str) -> str:
        with self.session() as session:
            row = session.exec(select(CertificateRow).where(CertificateRow.number == number)).first()
        if row is None:
            raise CertificateNotFound("no certificate with this number", number=number)
        return row.status

    # -- deployments ------------------------------------------------------------------------------

    def deployment(self, chain_id: int, name: str) -> DeploymentRow | None:
        with self.session() as session:
            return session.get(DeploymentRow, (chain_id, name))

    def any_deployment(self) -> DeploymentRow | None:
        with self.session() as session:
            return session.exec(select(DeploymentRow)).first()

    def save_deployment(
        self, chain_id: int, name: str, address: str, tx_hash: str, block_number: int
    ) -> None:
        with self.session() as session:
            session.add(
                DeploymentRow(
                    chain_id=chain_id, name=name, address=address, tx_hash=tx_hash, block_number=block_number
                )
            )
            session.commit()


def _participant(row: ParticipantRow) -> Participant:
    return Participant(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        address=row.address,
        created_at=row.created_at.replace(tzinfo=row.created_at.tzinfo or UTC),
    )


def nonce_column(nonce: int) -> int:
    """The ``assets.nonce`` value (a signed 64-bit integer) of a registration's signed nonce.

    Direct registrations use the contract's sequential nonces (0, 1, ...); a materialised batched
    registration has the nonce ``2**255 + k`` with ``0 <= k < 2**63``, stored as ``-1 - k``: the two
    spaces map one-to-one onto the non-negative and the negative halves of BIGINT.
    """
    return nonce if nonce < BATCH_NONCE_FLAG else -1 - (nonce - BATCH_NONCE_FLAG)


def nonce_of_column(value: int) -> int:
    """The signed nonce stored as ``value`` by :func:`nonce_column`."""
    return value if value >= 0 else BATCH_NONCE_FLAG + (-1 - value)


def _nonce_json(nonce: int) -> int | str:
    # Beyond 2**53 a JSON number loses precision in most clients: batched nonces go as decimal text.
    return nonce if nonce < 2**53 else str(nonce)


def _asset(row: AssetRow) -> AssetRecord:
    evidence = None
    if row.tx_hash is not None and row.chain_id is not None and row.contract is not None:
        evidence = ChainEvidence(
            chain_id=row.chain_id,
            contract=row.contract,
            tx_hash=row.tx_hash,
            block_number=int(row.block_number or 0),
            log_index=int(row.log_index or 0),
        )
    return AssetRecord(
        asset_id=row.asset_id,
        holder_id=row.holder_id,
        holder_address=row.holder_address,
        facts=AssetFacts(**json.loads(row.facts_json)),
        salt=row.salt,
        metadata_hash=row.metadata_hash,
        nonce=nonce_of_column(row.nonce),
        deadline=row.deadline,
        signature=row.signature,
        state=AssetState(row.state),
        evidence=evidence,
        revocation_reason=row.revocation_reason,
    )


def _history(
    asset_id: str, act: str, actor: str, ev: ChainEvidence, detail: dict, block_timestamp: int | None = None
) -> HistoryRow:
    return HistoryRow(
        asset_id=asset_id,
        act=act,
        actor=actor,
        detail_json=json.dumps(detail, sort_keys=True),
        chain_id=ev.chain_id,
        contract=ev.contract,
        tx_hash=ev.tx_hash,
        block_number=ev.block_number,
        log_index=ev.log_index,
        block_timestamp=block_timestamp,
    )


def history_rows(
    asset_id: str, acts: tuple[ChainAct, ...], actor: str, detail: dict[str, Any] | None = None
) -> list[HistoryRow]:
    """One history row per event of an act, its arguments (but the asset id) as the row's detail."""
    rows = []
    for act in acts:
        name = ACT_OF_EVENT.get(act.event)
        if name is None:
            continue
        args = {key: value for key, value in act.args.items() if key != "assetId"}
        rows.append(
            _history(asset_id, name, actor, act.evidence, {**args, **(detail or {})}, act.block_timestamp)
        )
    return rows


def _history_json(r: HistoryRow) -> dict[str, object]:
    at = datetime.fromtimestamp(r.block_timestamp, UTC).isoformat() if r.block_timestamp is not None else None
    return {
        "act": r.act,
        "actor": r.actor,
        "at": at,
        "detail": json.loads(r.detail_json),
        "chainEvidence": ChainEvidence(
            r.chain_id, r.contract, r.tx_hash, r.block_number, r.log_index
        ).as_json(),
        "recordedAt": r.recorded_at.replace(tzinfo=UTC).isoformat(),
    }


def _certificate_json(row: CertificateRow) -> dict[str, Any]:
    subject = json.loads(row.vc_json).get("credentialSubject", {}) if row.vc_json else {}
    holder = subject.get("holder", {}) if isinstance(subject, dict) else {}
    recorded = (
        {
            "txHash": row.record_tx_hash,
            "blockNumber": row.record_block_number,
            "logIndex": row.record_log_index,
        }
        if row.record_tx_hash
        else None
    )
    return {
        "number": row.number,
        "assetId": row.asset_id,
        "certificateHash": row.certificate_hash,
        "status": row.status,
        "validUntil": row.valid_until,
        "supersededBy": row.superseded_by,
        "issuedAt": row.issued_at.replace(tzinfo=UTC).isoformat(),
        "holder": holder.get("address") if isinstance(holder, dict) else None,
        "recordedIn": recorded,
    }


def _content_taken(claim: ContentClaimRow) -> ContentAlreadyRegistered:
    if claim.path == "batched":
        return ContentAlreadyBatched(
            "this content hash is already registered in a batch (anchored or queued for anchoring)",
            existing_asset_id=claim.asset_id,
        )
    return ContentAlreadyRegistered(
        "this content hash is already registered under another asset", existing_asset_id=claim.asset_id
    )
