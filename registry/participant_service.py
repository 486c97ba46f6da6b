"""Who is calling, and who takes part: authentication by API key, participants created by the administrator.

The administrator is configured (its key is a setting), not stored; every other participant is created
here with a fresh API key, of which only the hash is kept. A registrar participant is a registration
institution: it needs its own chain address, which the administrator grants the registrar role on the
registry contract when creating it (and may revoke later), so that its signed acts count on chain.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from dataledger.registry.errors import NotAuthenticated, ValidationFailed
from dataledger.registry.participants import Participant, Role, new_api_key
from dataledger.registry.ports import RegistrarRoles

ADMIN_PARTICIPANT_ID = "admin"


class ParticipantDirectory(Protocol):
    """Where participants are kept (``ledger.sql.participant_store``)."""

    def add_participant(self, participant: Participant, api_key: str) -> None: ...
    def get_participant(self, participant_id: str) -> Participant: ...
    def participant_names(self, participant_ids: Sequence[str]) -> dict[str, str]: ...
    def participant_by_api_key(self, api_key: str) -> Participant | None: ...


class ParticipantService:
    def __init__(
        self,
        directory: ParticipantDirectory,
        admin_api_key: str,
        registrar_roles: RegistrarRoles | None = None,
    ) -> None:
        self._directory = directory
        self._admin_key = admin_api_key.encode()
        self._registrar_roles = registrar_roles

    def authenticate(self, api_key: str | None) -> Participant:
        """The participant whose API key this is; raises ``NotAuthenticated``."""
        if not api_key:
            raise NotAuthenticated("send your API key as 'Authorization: Bearer <key>' or 'X-API-Key'")
        if hmac.compare_digest(api_key.encode(), self._admin_key):
            return Participant(
                ADMIN_PARTICIPANT_ID, "administrator", Role.ADMIN, None, datetime(1970, 1, 1, tzinfo=UTC)
            )
        participant = self._directory.participant_by_api_key(api_key)
        if participant is None:
            raise NotAuthenticated("unknown API key")
        return participant

    def create(
        self, admin: Participant, name: str, role: Role, address: str | None
    ) -> tuple[Participant, str]:
        """A new participant and its API key (shown once, then only its hash is kept)."""
        admin.require_role(Role.ADMIN)
        if role is Role.ADMIN:
            raise ValidationFailed("administrators are configured, not created", field="role")
        if role in (Role.ENTERPRISE, Role.REGISTRAR) and address is None:
            raise ValidationFailed(f"a {role.value} needs a chain address to sign its acts", field="address")
        participant = Participant(
            id=str(uuid.uuid4()), name=name, role=role, address=address, created_at=datetime.now(UTC)
        )
        if role is Role.REGISTRAR and address is not None:
            self._roles().grant_registrar(address)  # before the participant exists: a refusal leaves none
        api_key = new_api_key()
        self._directory.add_participant(participant, api_key)
        return participant, api_key

    def registrar_status(self, participant_id: str) -> dict[str, object]:
        """Whether the registrar participant's key holds the registrar role on chain now."""
        registrar = self._registrar(participant_id)
        address = registrar.address or ""
        return {
            "participantId": registrar.id,
            "address": address,
            "active": self._roles().is_registrar(address),
        }

    def revoke_registrar(self, admin: Participant, participant_id: str) -> dict[str, object]:
        """The administrator revokes a registration institution's registrar role on chain: the contract
        refuses every act it signs from now on, including those it signed before."""
        admin.require_role(Role.ADMIN)
        registrar = self._registrar(participant_id)
        self._roles().revoke_registrar(registrar.address or "")
        return self.registrar_status(participant_id)

    def _registrar(self, participant_id: str) -> Participant:
        participant = self._directory.get_participant(participant_id)
        if participant.role is not Role.REGISTRAR or participant.address is None:
            raise ValidationFailed("the participant is not a registrar", field="participantId")
        return participant

    def _roles(self) -> RegistrarRoles:
        if self._registrar_roles is None:
            raise ValidationFailed("this registry manages no registrar roles", field="role")
        return self._registrar_roles

    def get(self, participant_id: str) -> Participant:
        return self._directory.get_participant(participant_id)

    def names(self, participant_ids: Sequence[str]) -> dict[str, str]:
        """The names of ``participant_ids``, read at once (a page of applications names its holders);
        an unknown id is left out."""
        return self._directory.participant_names(participant_ids)
