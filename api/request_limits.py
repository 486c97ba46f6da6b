"""Every request is bounded before the application reads it: body size per route, JSON depth, no NUL.

A pure ASGI middleware in front of routing and authentication, so an anonymous caller cannot make the
server hold a huge body or hand a deeply nested one to the JSON parser (which recurses per level; see
:mod:`registry.json_input`). The body is read once, up to the route's limit, checked, and replayed to
the application unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dataledger.api.asgi import header
from dataledger.api.problems import http_status_of, problem_body
from dataledger.registry.errors import (
    DataLedgerError,
    JsonNestedTooDeeply,
    NulCharacterRefused,
    RequestBodyTooLarge,
)
from dataledger.registry.json_input import nesting_depth_exceeds

# A NUL in a JSON string is written \u0000 (raw control characters are not JSON); an escaped backslash
# before it makes it text instead, so only an odd run of backslashes counts.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
# Bodies that are not JSON text are not scanned for depth; no route parses them as JSON.
_OPAQUE_MEDIA_TYPES = ("multipart/form-data", "application/octet-stream")


@dataclass(frozen=True)
class BodyLimits:
    """How large a body may be (by default, and on routes that take documents) and how deep its JSON."""

    max_bytes: int
    max_document_bytes: int
    document_routes: Sequence[str]
    max_json_depth: int
    # Paths (regular expressions) whose body goes to the route unread: the route streams it, bounds it
    # itself and never parses it as JSON (a deposited file may be far larger than any act).
    streamed_routes: Sequence[str] = ()

    def streamed(self, scope: Scope) -> bool:
        return any(re.match(route, scope["path"]) for route in self.streamed_routes)

    def max_bytes_for(self, path: str) -> int:
        if any(path == route or path.startswith(route.rstrip("/") + "/") for route in self.document_routes):
            return self.max_document_bytes
        return self.max_bytes


class RequestLimitsMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
                raise NulCharacterRefused("the path or query holds a NUL character")
            if scope["method"] in ("GET", "HEAD", "OPTIONS") or self.limits.streamed(scope):
                await self.app(scope, receive, send)
                return
            body = await self._read_body(scope, receive)
            if not _opaque(scope):
                self._check_json(body)
        except DataLedgerError as error:
            await send_problem(scope, send, error)
            return
        await self.app(scope, _replay(body, receive), send)

    def _check_json(self, body: bytes) -> None:
        if nesting_depth_exceeds(body, self.limits.max_json_depth):
            raise JsonNestedTooDeeply(
                f"the JSON is nested deeper than {self.limits.max_json_depth} levels",
                max_depth=self.limits.max_json_depth,
            )
        if b"\x00" in body or _JSON_NUL.search(body):
            raise NulCharacterRefused("a string in the body holds a NUL character")

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


def _content_length(scope: Scope) -> int | None:
    value = header(scope, b"content-length")
    if value is None or not value.strip().isdigit():
        return None  # absent or malformed: the streamed size is what counts
    return int(value)


def _opaque(scope: Scope) -> bool:
    media_type = (header(scope, b"content-type") or "").split(";")[0].strip().lower()
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


async def send_problem(
    scope: Scope, send: Send, error: DataLedgerError, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """Answer with ``error``'s problem document below FastAPI (and close: a body may be left unread)."""
    content = problem_body(error, instance=scope["path"])
    await send(
        {
            "type": "http.response.start",
            "status": http_status_of(error),
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(content)).encode()),
                (b"connection", b"close"),  # the rest of an over-long body is not read
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})
