"""Participants in SQL: created with a hashed API key, found by id, key or chain address."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

import dataledger.ledger.sql.event_tables  # registers the EPCIS event and lineage tables in the schema
import dataledger.ledger.sql.index_tables  # registers the event index tables in the schema
import dataledger.ledger.sql.outbox_tables  # noqa: F401 - registers the outbox tables in the schema
from dataledger.ledger.sql.records import SqlRecords
from dataledger.ledger.sql.tables import (
    ParticipantRow,
)
from dataledger.registry.errors import (
    AlreadyExists,
    ParticipantNotFound,
)
from dataledger.registry.participants import Participant, Role, api_key_hash


class ParticipantRecords(SqlRecords):
    """The participants of ``registry.ports.RegistryStore``."""

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

    def participant_names(self, participant_ids: Sequence[str]) -> dict[str, str]:
        """Each of ``participant_ids``'s name, in one query (unknown ids left out)."""
        if not participant_ids:
            return {}
        wanted = list(dict.fromkeys(participant_ids))
        with self.session() as session:
            rows = session.exec(
                select(ParticipantRow.id, ParticipantRow.name).where(col(ParticipantRow.id).in_(wanted))
            ).all()
        return {participant_id: name for participant_id, name in rows}

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


def _participant(row: ParticipantRow) -> Participant:
    return Participant(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        address=row.address,
        created_at=row.created_at.replace(tzinfo=row.created_at.tzinfo or UTC),
    )
