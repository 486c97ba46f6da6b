"""Typed exceptions: every problem+json answer becomes an :class:`ApiError` carrying its stable ``code``."""

from __future__ import annotations

import contextlib
from typing import Any


class ApiError(Exception):
    """The API answered a problem (RFC 9457); ``code`` is stable (docs/ERRORS.md lists every code)."""

    def __init__(self, status: int, code: str, title: str, detail: str, problem: dict[str, Any]) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.problem = problem
        self.request_id: str | None = problem.get("requestId")


class ValidationError(ApiError):
    """422: the request is not valid (``problem["errors"]`` names every invalid field)."""


class AuthenticationError(ApiError):
    """401: no API key, or an unknown one."""


class PermissionDeniedError(ApiError):
    """403: the participant may not do this."""


class NotFoundError(ApiError):
    """404: no such record (or none this participant may see)."""


class ConflictError(ApiError):
    """409: the request is well formed but the current state does not allow it."""


class RateLimitedError(ApiError):
    """429: too many anonymous requests; ``retry_after`` says how long to wait (seconds)."""

    retry_after: float | None = None


class ServerError(ApiError):
    """5xx: the server or the chain it relays to failed (``ledger-unavailable``: retry later)."""


class UnexpectedMessage(Exception):
    """The server prepared a message that is not what the caller asked to sign: nothing was signed."""


_BY_STATUS: dict[int, type[ApiError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitedError,
}


def error_for(status: int, body: Any, headers: dict[str, str] | None = None) -> ApiError:
    """The typed exception of a non-2xx answer (a problem document, or anything else a proxy sent)."""
    problem = body if isinstance(body, dict) else {}
    code = str(problem.get("code") or f"http-{status}")
    title = str(problem.get("title") or "HTTP error")
    detail = str(problem.get("detail") or (body if isinstance(body, str) else title))
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else ApiError)
    error = cls(status, code, title, detail, problem)
    if isinstance(error, RateLimitedError) and headers and "retry-after" in headers:
        with contextlib.suppress(ValueError):
            error.retry_after = float(headers["retry-after"])
    return error
