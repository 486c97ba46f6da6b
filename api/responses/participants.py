"""Response shapes of participants: their public record, and a new participant with its API key."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from dataledger.api.responses.assets import IsoDateTime
from dataledger.api.responses.common import ADDRESS_EXAMPLE, ChainAddress, Wire, example
from dataledger.registry.participants import Role

PARTICIPANT_EXAMPLE: dict[str, Any] = {
    "id": "5b0f3f8e-2c1d-4c55-9d8e-6a1f0b7c2e41",
    "name": "Metro Data Co.",
    "role": "enterprise",
    "address": ADDRESS_EXAMPLE,
    "createdAt": "2026-03-01T08:12:45.118204+00:00",
}


class Participant(Wire):
    """A participant: an enterprise, exchange, auditor or registrar (or the configured administrator)."""

    model_config = example(PARTICIPANT_EXAMPLE)

    id: str = Field(description="The participant id (a UUID; ``admin`` for the administrator)")
    name: str
    role: Role
    address: ChainAddress | None = Field(description="The chain address it signs with (EIP-712), if any")
    created_at: IsoDateTime


class ParticipantCreated(Wire):
    """The new participant and its API key: the key is shown once, only its hash is stored."""

    model_config = example(
        {"participant": PARTICIPANT_EXAMPLE, "apiKey": "dlk_q3Vw0Zr6hJ2mXk8bT1yLcN5sPe9aGf4uDi7oRjHnK2E"}
    )

    participant: Participant
    api_key: str = Field(description="The participant's API key (Bearer token or X-API-Key)")


class RegistrarRole(Wire):
    """Whether a registrar participant's key holds the registrar role on the registry contract now."""

    model_config = example(
        {"participantId": "5b0f3f8e-2c1d-4c55-9d8e-6a1f0b7c2e41", "address": ADDRESS_EXAMPLE, "active": False}
    )

    participant_id: str
    address: ChainAddress = Field(description="The registration institution's signing key")
    active: bool = Field(description="Whether the contract accepts the acts this key signs")
