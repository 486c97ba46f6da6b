"""Participants: created by the administrator; each can read itself and others' public records."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.responses.participants import Participant, ParticipantCreated, RegistrarRole
from dataledger.api.schemas import ParticipantCreate, ParticipantIdPath

router = APIRouter(prefix="/v1/participants", tags=["participants"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ParticipantCreated,
    summary="Create a participant (administrator only)",
)
def create_participant(
    body: ParticipantCreate, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The administrator creates a participant and gets its API key, shown this once. A registrar's
    chain address is granted the registrar role on the registry contract. 403 for anyone else; 422 for
    an enterprise or a registrar without a chain address."""
    participant, api_key = services.participants.create(me, body.name, body.role, body.address)
    return {"participant": participant.as_json(), "apiKey": api_key}


@router.get("/me", response_model=Participant, summary="The authenticated participant")
def who_am_i(me: CurrentParticipant) -> dict[str, Any]:
    """Any participant: its own record (the administrator's is ``admin``)."""
    return me.as_json()


@router.get("/{participantId}", response_model=Participant, summary="A participant's public record")
def get_participant(
    participant_id: ParticipantIdPath, _: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """Any participant: another participant's name, role and chain address. 404 for an unknown id."""
    return services.participants.get(participant_id).as_json()


@router.delete(
    "/{participantId}/registrar-role",
    response_model=RegistrarRole,
    summary="Revoke a registrar's role on chain (administrator only)",
)
def revoke_registrar_role(
    participant_id: ParticipantIdPath, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The administrator revokes the registration institution's registrar role on the registry
    contract: every act its key signs is refused from now on. 403 for anyone else; 404 for an unknown
    participant; 422 when it is not a registrar."""
    return services.participants.revoke_registrar(me, participant_id)
