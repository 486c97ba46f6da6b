"""Every request body is bounded before the application reads it: its size, per route, and its JSON depth.

A pure ASGI middleware in front of routing and authentication, so an anonymous caller cannot make the
server hold a huge body or hand a deeply nested one to the JSON parser (which recurses per level; see
:mod:`registry.json_input`). The body is read once, up to the route's limit, checked, and replayed to
the application unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dataledger.api.problems import problem_body
from dataledger.registry.errors import DataLedgerError, JsonNestedTooDeeply, RequestBodyTooLarge
from dataledger.registry.json_input import nesting_depth_exceeds

# Bodies that are not JSON text are not scanned for depth; no route parses them as JSON.
_OPAQUE_MEDIA_TYPES = ("multipart/form-data", "application/octet-stream")


@dataclass(frozen=True)
class BodyLimits:
    """How large a body may be (by default, and on routes that take documents) and how deep its JSON."""

    max_bytes: int
    max_document_bytes: int
    document_routes: Sequence[str]
    max_json_depth: int

    def max_bytes_for(self, path: str) -> int:
        if any(path == route or path.startswith(route.rstrip("/") + "/") for route in self.document_routes):
            return self.max_document_bytes
        return self.max_bytes


class RequestLimitsMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read_body(scope, receive)
            if not _opaque(scope) and nesting_depth_exceeds(body, self.limits.max_json_depth):
                raise JsonNestedTooDeeply(
                    f"the JSON is nested deeper than {self.limits.max_json_depth} levels",
                    max_depth=self.limits.max_json_depth,
                )
        except DataLedgerError as error:
            await _send_problem(scope, send, error)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self.limits.max_bytes_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            raise _too_large(declared, limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _too_large(size, limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _too_large(size: int, limit: int) -> RequestBodyTooLarge:
    return RequestBodyTooLarge(
        f"this route accepts bodies of at most {limit} bytes; this one has {size} or more",
        max_bytes=limit,
    )


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", ())}


def _content_length(scope: Scope) -> int | None:
    value = _headers(scope).get(b"content-length")
    if value is None or not value.strip().isdigit():
        return None  # absent or malformed: the streamed size is what counts
    return int(value)


def _opaque(scope: Scope) -> bool:
    media_type = _headers(scope).get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
    return media_type in _OPAQUE_MEDIA_TYPES


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the client to disconnect, as Starlette expects

    return replay


async def _send_problem(scope: Scope, send: Send, error: DataLedgerError) -> None:
    content = problem_body(error, instance=scope["path"])
    await send(
        {
            "type": "http.response.start",
            "status": error.http_status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(content)).encode()),
                (b"connection", b"close"),  # the rest of an over-long body is not read
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})
