"""What every SQL record class shares: the engine and a session per transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from dataledger.ledger.sql.tables import AssetRow
from dataledger.registry.errors import AssetNotFound


class SqlRecords:
    _engine: Engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self._engine, expire_on_commit=False) as session:
            yield session

    @staticmethod
    def _asset_row(session: Session, asset_id: str) -> AssetRow:
        row = session.get(AssetRow, asset_id)
        if row is None:
            raise AssetNotFound("no asset with this id", asset_id=asset_id)
        return row
