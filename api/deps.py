"""Typed FastAPI dependencies: the services container and the authenticated participant."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Header, Request

from dataledger.api.ports import ApiServices
from dataledger.registry.errors import NotAuthenticated
from dataledger.registry.participants import Participant, Role

ADMIN_PARTICIPANT_ID = "admin"


def get_services(request: Request) -> ApiServices:
    return request.app.state.services


ServicesDep = Annotated[ApiServices, Depends(get_services)]


def current_participant(
    services: ServicesDep,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Participant:
    """The participant whose API key came with the request (``Authorization: Bearer`` or ``X-API-Key``)."""
    key = x_api_key
    if key is None and authorization and authorization.lower().startswith("bearer "):
        key = authorization[7:].strip()
    if not key:
        raise NotAuthenticated("send your API key as 'Authorization: Bearer <key>' or 'X-API-Key'")
    admin_key = services.settings.admin_api_key.get_secret_value()
    if hmac.compare_digest(key.encode(), admin_key.encode()):
        return Participant(
            ADMIN_PARTICIPANT_ID, "administrator", Role.ADMIN, None, datetime(1970, 1, 1, tzinfo=UTC)
        )
    participant = services.store.participant_by_api_key(key)
    if participant is None:
        raise NotAuthenticated("unknown API key")
    return participant


CurrentParticipant = Annotated[Participant, Depends(current_participant)]
