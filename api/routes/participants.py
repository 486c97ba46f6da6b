from __future__ import annotations

from fastapi import APIRouter, status

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.schemas import ParticipantCreate

router = APIRouter(prefix="/v1/participants", tags=["participants"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a participant (administrator only)")
def create_participant(
    body: ParticipantCreate, me: CurrentParticipant, services: ServicesDep
) -> dict[str, object]:
    participant, api_key = services.participants.create(me, body.name, body.role, body.address)
    return {"participant": participant.as_json(), "apiKey": api_key}


@router.get("/me", summary="The authenticated participant")
def who_am_i(me: CurrentParticipant) -> dict[str, object]:
    return me.as_json()


@router.get("/{participant_id}", summary="A participant's public record")
def get_participant(participant_id: str, _: CurrentParticipant, services: ServicesDep) -> dict[str, object]:
    return services.participants.get(participant_id).as_json()
