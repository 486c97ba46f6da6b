"""The SQL store (SQLModel): SQLite file by default, PostgreSQL through a URL.

Implements ``registry.ports.RegistryStore``. Each method is one transaction; rows are converted to
domain objects at this boundary so nothing above it sees SQL types.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, SQLModel, create_engine, select

import dataledger.ledger.sql.event_tables  # registers the EPCIS event and lineage tables in the schema
import dataledger.ledger.sql.index_tables  # registers the event index tables in the schema
import dataledger.ledger.sql.outbox_tables  # noqa: F401 - registers the outbox tables in the schema
from dataledger.ledger.sql.asset_store import (
    AssetRecords,
    add_registration_number_column,
    create_query_indexes,
    history_rows,
    nonce_column,
    nonce_of_column,
)
from dataledger.ledger.sql.certificate_store import CertificateRecords
from dataledger.ledger.sql.participant_store import ParticipantRecords
from dataledger.ledger.sql.pledge_store import add_pledge_financing_columns
from dataledger.ledger.sql.tables import (
    DeploymentRow,
)


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


class SqlStore(ParticipantRecords, AssetRecords, CertificateRecords):
    """One database: the schema, and every record through the concept mixins (each its own module)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @classmethod
    def open(cls, database_url: str) -> SqlStore:
        store = cls(make_engine(database_url))
        store.create_schema()
        return store

    def create_schema(self) -> None:
        SQLModel.metadata.create_all(self._engine)
        add_registration_number_column(self._engine)
        add_pledge_financing_columns(self._engine)
        create_query_indexes(self._engine)
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


__all__ = ["SqlStore", "history_rows", "make_engine", "nonce_column", "nonce_of_column"]
