"""The SQL store (SQLModel): SQLite file by default, PostgreSQL through a URL.

Implements ``registry.ports.RegistryStore``. Each method is one transaction; rows are converted to
domain objects at this boundary so nothing above it sees SQL types.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC

from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, SQLModel, create_engine, select

import ledger.index_tables  # registers the event index tables in the schema
import ledger.outbox_tables  # noqa: F401 - registers the outbox tables in the schema
from ledger.tables import (
    AssetRow,
    CertificateRow,
    DeploymentRow,
    HistoryRow,
    ParticipantRow,
    utcnow,
)
from registry.assets import AssetFacts, AssetRecord, AssetState
from registry.chain_types import ChainEvidence, RegistrationEvent
from registry.errors import (
    AlreadyExists,
    AssetNotFound,
    CertificateNotFound,
    LedgerInconsistent,
    ParticipantNotFound,
)
from registry.participants import Participant, Role, api_key_hash


def make_engine(database_url: str) -> Engine:
    """An engine for ``database_url``; SQLite gets WAL and foreign keys, PostgreSQL uses psycopg 3."""
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
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
        query = select(AssetRow).order_by(AssetRow.created_at, AssetRow.asset_id).offset(offset).limit(limit)
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
            nonce=record.nonce,
            deadline=record.deadline,
            signature=record.signature,
            state=AssetState.PENDING.value,
        )
        with self.session() as session:
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                raise AlreadyExists(
                    "the asset is already being registered", asset_id=record.asset_id
                ) from None

    def discard_pending_asset(self, asset_id: str) -> None:
        with self.session() as session:
            row = session.get(AssetRow, asset_id)
            if row is not None and row.state == AssetState.PENDING.value:
                session.delete(row)
                session.commit()

    def mark_registered(self, asset_id: str, event: RegistrationEvent) -> AssetRecord:
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
            session.add(_history(asset_id, "registered", event.holder, ev, {"nonce": row.nonce}))
            session.commit()
            return _asset(row)

    def mark_revoked(self, asset_id: str, reason: str, evidence: ChainEvidence, *, actor: str) -> AssetRecord:
        with self.session() as session:
            row = session.get(AssetRow, asset_id)
            if row is None:
                raise AssetNotFound("no asset with this id", asset_id=asset_id)
            row.state = AssetState.REVOKED.value
            row.revocation_reason = reason
            row.updated_at = utcnow()
            session.add(row)
            for cert in session.exec(select(CertificateRow).where(CertificateRow.asset_id == asset_id)):
                if cert.status == "valid":
                    cert.status = "revoked"
                    session.add(cert)
            session.add(_history(asset_id, "revoked", actor, evidence, {"reason": reason}))
            session.commit()
            return _asset(row)

    def history(self, asset_id: str) -> list[dict[str, object]]:
        with self.session() as session:
            rows = session.exec(
                select(HistoryRow)
                .where(HistoryRow.asset_id == asset_id)
                .order_by(HistoryRow.block_number, HistoryRow.log_index)
            ).all()
        return [
            {
                "act": r.act,
                "actor": r.actor,
                "detail": json.loads(r.detail_json),
                "chainEvidence": ChainEvidence(
                    r.chain_id, r.contract, r.tx_hash, r.block_number, r.log_index
                ).as_json(),
                "recordedAt": r.recorded_at.replace(tzinfo=UTC).isoformat(),
            }
            for r in rows
        ]

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
        self, number: str, asset_id: str, vc: dict, cert_hash: str, anchor: ChainEvidence, *, actor: str
    ) -> None:
        with self.session() as session:
            row = session.exec(select(CertificateRow).where(CertificateRow.number == number)).one()
            row.vc_json = json.dumps(vc, sort_keys=True)
            row.certificate_hash = cert_hash
            row.status = "valid"
            row.record_tx_hash, row.record_block_number = anchor.tx_hash, anchor.block_number
            row.record_log_index = anchor.log_index
            session.add(row)
            session.add(
                _history(
                    asset_id,
                    "certificate-recorded",
                    actor,
                    anchor,
                    {"number": number, "certificateHash": cert_hash},
                )
            )
            session.commit()

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
        nonce=row.nonce,
        deadline=row.deadline,
        signature=row.signature,
        state=AssetState(row.state),
        evidence=evidence,
        revocation_reason=row.revocation_reason,
    )


def _history(asset_id: str, act: str, actor: str, ev: ChainEvidence, detail: dict) -> HistoryRow:
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
    )
