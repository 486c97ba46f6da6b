"""Typed FastAPI dependencies: the services container and the authenticated participant."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from dataledger.api.ports import ApiServices
from dataledger.registry.participants import Participant


def get_services(request: Request) -> ApiServices:
    return request.app.state.services


ServicesDep = Annotated[ApiServices, Depends(get_services)]


# The two ways to present a participant's API key; the OpenAPI document declares both as security schemes.
BEARER = HTTPBearer(
    scheme_name="bearerAuth",
    description="A participant's API key: `Authorization: Bearer <key>`",
    auto_error=False,
)
API_KEY_HEADER = APIKeyHeader(
    name="X-API-Key",
    scheme_name="apiKeyHeader",
    description="A participant's API key in the `X-API-Key` header (the same key as the bearer token)",
    auto_error=False,
)


def current_participant(
    services: ServicesDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
    x_api_key: Annotated[str | None, Depends(API_KEY_HEADER)],
) -> Participant:
    """The participant whose API key came with the request (``Authorization: Bearer`` or ``X-API-Key``)."""
    key = x_api_key
    if key is None and bearer is not None:
        key = bearer.credentials.strip()
    return services.participants.authenticate(key)


CurrentParticipant = Annotated[Participant, Depends(current_participant)]
