"""Authentication and participant creation, against an in-memory directory."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from dataledger.registry.errors import NotAuthenticated, NotAuthorised, ParticipantNotFound, ValidationFailed
from dataledger.registry.participant_service import ADMIN_PARTICIPANT_ID, ParticipantService
from dataledger.registry.participants import Participant, Role, api_key_hash

ADDRESS = "0x" + "ab" * 20


class MemoryDirectory:
    def __init__(self) -> None:
        self.by_id: dict[str, Participant] = {}
        self.by_key_hash: dict[str, str] = {}

    def add_participant(self, participant: Participant, api_key: str) -> None:
        self.by_id[participant.id] = participant
        self.by_key_hash[api_key_hash(api_key)] = participant.id

    def get_participant(self, participant_id: str) -> Participant:
        if participant_id not in self.by_id:
            raise ParticipantNotFound("no participant with this id", participant_id=participant_id)
        return self.by_id[participant_id]

    def participant_names(self, participant_ids: Sequence[str]) -> dict[str, str]:
        return {i: self.by_id[i].name for i in participant_ids if i in self.by_id}

    def participant_by_api_key(self, api_key: str) -> Participant | None:
        found = self.by_key_hash.get(api_key_hash(api_key))
        return self.by_id[found] if found else None


class MemoryRegistrarRoles:
    """The registry contract's registrar role, as the administrator grants and revokes it."""

    def __init__(self) -> None:
        self.registrars: set[str] = set()

    def is_registrar(self, address: str) -> bool:
        return address.lower() in self.registrars

    def grant_registrar(self, registrar: str) -> tuple[()]:
        self.registrars.add(registrar.lower())
        return ()

    def revoke_registrar(self, registrar: str) -> tuple[()]:
        self.registrars.discard(registrar.lower())
        return ()


@pytest.fixture
def roles() -> MemoryRegistrarRoles:
    return MemoryRegistrarRoles()


@pytest.fixture
def service(roles: MemoryRegistrarRoles) -> ParticipantService:
    return ParticipantService(MemoryDirectory(), "the-admin-key", registrar_roles=roles)


def admin(service: ParticipantService) -> Participant:
    return service.authenticate("the-admin-key")


def test_the_configured_key_is_the_administrator(service: ParticipantService) -> None:
    assert (admin(service).id, admin(service).role) == (ADMIN_PARTICIPANT_ID, Role.ADMIN)


def test_a_created_participant_authenticates_with_the_key_shown_once_and_only_its_hash_is_kept(
    service: ParticipantService,
) -> None:
    participant, key = service.create(admin(service), "Haikou Duty Free", Role.ENTERPRISE, ADDRESS)
    assert service.authenticate(key) == participant
    assert service.get(participant.id) == participant
    directory = service._directory
    assert isinstance(directory, MemoryDirectory) and key not in directory.by_key_hash


@pytest.mark.parametrize("key", [None, "", "dlk_unknown", "the-admin-key "])
def test_a_missing_or_unknown_key_is_not_authenticated(service: ParticipantService, key: str | None) -> None:
    with pytest.raises(NotAuthenticated):
        service.authenticate(key)


def test_only_the_administrator_creates_participants_and_never_another_administrator(
    service: ParticipantService,
) -> None:
    registrar, _ = service.create(admin(service), "Registrar", Role.REGISTRAR, ADDRESS)
    with pytest.raises(NotAuthorised):
        service.create(registrar, "Someone", Role.AUDITOR, None)
    with pytest.raises(ValidationFailed) as refused:
        service.create(admin(service), "Root", Role.ADMIN, None)
    assert refused.value.extra == {"field": "role"}
    with pytest.raises(ValidationFailed) as keyless:
        service.create(admin(service), "Enterprise", Role.ENTERPRISE, None)
    assert keyless.value.extra == {"field": "address"}


def test_an_unknown_participant_is_not_found(service: ParticipantService) -> None:
    with pytest.raises(ParticipantNotFound):
        service.get("nobody")
    assert datetime.now(UTC) > admin(service).created_at


def test_a_registrar_is_created_with_its_own_key_granted_the_registrar_role_on_chain(
    service: ParticipantService, roles: MemoryRegistrarRoles
) -> None:
    registrar, _ = service.create(admin(service), "Haikou Registration Centre", Role.REGISTRAR, ADDRESS)

    assert roles.is_registrar(ADDRESS)
    assert service.registrar_status(registrar.id) == {
        "participantId": registrar.id,
        "address": ADDRESS,
        "active": True,
    }
    with pytest.raises(ValidationFailed) as keyless:
        service.create(admin(service), "A registrar without a key", Role.REGISTRAR, None)
    assert keyless.value.extra == {"field": "address"}


def test_only_the_administrator_revokes_a_registrars_role(
    service: ParticipantService, roles: MemoryRegistrarRoles
) -> None:
    registrar, _ = service.create(admin(service), "Sanya Registration Centre", Role.REGISTRAR, ADDRESS)
    with pytest.raises(NotAuthorised):
        service.revoke_registrar(registrar, registrar.id)
    assert roles.is_registrar(ADDRESS)

    assert service.revoke_registrar(admin(service), registrar.id)["active"] is False
    assert not roles.is_registrar(ADDRESS)
    enterprise, _ = service.create(admin(service), "Haikou Duty Free", Role.ENTERPRISE, "0x" + "cd" * 20)
    with pytest.raises(ValidationFailed):
        service.revoke_registrar(admin(service), enterprise.id)
