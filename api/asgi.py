"""What the edge's ASGI middlewares share: reading a request header from the ASGI scope."""

from __future__ import annotations

from starlette.types import Scope


def header(scope: Scope, name: bytes) -> str | None:
    """The request header ``name`` (lower case), or None; several values are not joined: the first wins."""
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None
