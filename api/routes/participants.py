from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, status

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.schemas import ParticipantCreate
from dataledger.registry.errors import ValidationFailed
from dataledger.registry.participants import Participant, Role, new_api_key

router = APIRouter(prefix="/v1/participants", tags=["participants"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a participant (administrator only)")
def create_participant(
    body: ParticipantCreate, me: CurrentParticipant, services: ServicesDep
) -> dict[str, object]:
    me.require_role(Role.ADMIN)
    if body.role is Role.ADMIN:
        raise ValidationFailed("administrators are configured, not created", field="role")
    if body.role is Role.ENTERPRISE and body.address is None:
        raise ValidationFailed("an enterprise needs a chain address to sign its acts", field="address")
    participant = Participant(
        id=str(uuid.uuid4()),
        name=body.name,
        role=body.role,
        address=body.address,
        created_at=datetime.now(UTC),
    )
    api_key = new_api_key()
    services.store.add_participant(participant, api_key)
    return {"participant": participant.as_json(), "apiKey": api_key}


@router.get("/me", summary="The authenticated participant")
def who_am_i(me: CurrentParticipant) -> dict[str, object]:
    return me.as_json()


@router.get("/{participant_id}", summary="A participant's public record")
def get_participant(participant_id: str, _: CurrentParticipant, services: ServicesDep) -> dict[str, object]:
    return services.store.get_participant(participant_id).as_json()
