"""Typed FastAPI dependencies: the services container and the authenticated participant."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from dataledger.api.ports import ApiServices
from dataledger.registry.participants import Participant


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
    return services.participants.authenticate(key)


CurrentParticipant = Annotated[Participant, Depends(current_participant)]
