"""The journal of signed acts in flight, in SQL: implements ``registry.act_journal.ActJournal``.

An entry is committed before its act is relayed and deleted once the act's result is recorded (or
the act was refused). Recovery (``composition.recovery``) reads the entries no live relay can still be
working on, on the same rule as pending registrations (``ledger.sql.settled_pending``): all of them
when ``everything()`` says no other process can hold one, else those older than ``grace_s``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, exists, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from dataledger.ledger.sql.tables import ActJournalRow, ConsentHistoryRow, HistoryRow
from dataledger.registry.act_journal import JournalEntry
from dataledger.registry.holder_signatures import ActAuthorisation


class SqlActJournal:
    def __init__(
        self,
        engine: Engine,
        *,
        grace_s: float = 0.0,
        everything: Callable[[], bool] = lambda: True,
    ) -> None:
        self._engine = engine
        self._grace = timedelta(seconds=grace_s)
        self._everything = everything

    def open(self, entry: JournalEntry) -> int:
        row = ActJournalRow(
            kind=entry.kind,
            contract=entry.contract,
            primary_type=entry.auth.primary_type,
            signer=entry.auth.signer,
            message_json=json.dumps(dict(entry.auth.message), sort_keys=True),
            signature=entry.signature,
            payload_json=json.dumps(dict(entry.payload), sort_keys=True),
            from_block=entry.from_block,
        )
        with Session(self._engine) as session:
            session.add(row)
            session.commit()
            assert row.id is not None
            return row.id

    def close(self, entry_id: int) -> None:
        with Session(self._engine) as session:
            session.exec(delete(ActJournalRow).where(col(ActJournalRow.id) == entry_id))
            session.commit()

    def open_entries(self) -> list[JournalEntry]:
        query = select(ActJournalRow).order_by(col(ActJournalRow.id))
        with Session(self._engine) as session:
            rows = list(session.exec(query))
            if rows and not self._everything():
                cutoff = datetime.now(UTC) - self._grace
                rows = list(session.exec(query.where(ActJournalRow.created_at <= cutoff)))
        return [_entry(row) for row in rows]

    def recorded(self, tx_hash: str) -> bool:
        tx_hash = tx_hash.lower()
        with Session(self._engine) as session:
            return bool(
                session.exec(
                    select(
                        or_(
                            exists().where(col(HistoryRow.tx_hash) == tx_hash),
                            exists().where(col(ConsentHistoryRow.tx_hash) == tx_hash),
                        )
                    )
                ).one()
            )

    def count(self) -> int:
        """Entries open now (readiness and tests)."""
        with Session(self._engine) as session:
            return len(session.exec(select(ActJournalRow.id)).all())


def _entry(row: ActJournalRow) -> JournalEntry:
    return JournalEntry(
        kind=row.kind,
        contract=row.contract,
        auth=ActAuthorisation(row.primary_type, row.signer, json.loads(row.message_json)),
        signature=row.signature,
        payload=json.loads(row.payload_json),
        from_block=row.from_block,
        entry_id=row.id,
    )
