"""RFC 9457 problem details: the one table that turns exceptions into HTTP responses."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from dataledger.api.observability import REQUEST_ID
from dataledger.registry.errors import (
    AlreadyExists,
    ConfigurationError,
    Conflict,
    DataLedgerError,
    EpcisDocumentTooLarge,
    InvalidSignature,
    LedgerError,
    LedgerInconsistent,
    LedgerUnavailable,
    NonceReplayed,
    NotAuthenticated,
    NotAuthorised,
    NotFound,
    RangeNotSatisfiable,
    RateLimited,
    RequestBodyTooLarge,
    UpstreamFailed,
    ValidationFailed,
    VerificationFailed,
)

# The one table from domain errors to HTTP statuses; an error takes the status of its nearest class here.
HTTP_STATUS: Mapping[type[DataLedgerError], int] = MappingProxyType(
    {
        DataLedgerError: 500,
        ValidationFailed: 422,
        InvalidSignature: 422,
        VerificationFailed: 422,
        NotAuthenticated: 401,
        NotAuthorised: 403,
        NotFound: 404,
        AlreadyExists: 409,
        Conflict: 409,
        NonceReplayed: 409,
        RequestBodyTooLarge: 413,
        EpcisDocumentTooLarge: 413,
        RangeNotSatisfiable: 416,
        RateLimited: 429,
        LedgerInconsistent: 500,
        ConfigurationError: 500,
        LedgerError: 502,
        UpstreamFailed: 502,
        LedgerUnavailable: 503,
    }
)


def http_status_of(error: DataLedgerError) -> int:
    """The status of ``error``: that of the nearest of its classes in :data:`HTTP_STATUS`."""
    for cls in type(error).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 500


PROBLEM_BASE = "https://dataledger.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True, slots=True)
class ProblemKind:
    """One stable problem ``code``: its HTTP status, title and meaning (for the document and the docs)."""

    code: str
    status: int
    title: str
    meaning: str


# Problems the edge answers itself, outside the domain's hierarchy.
EDGE_PROBLEMS = (
    ProblemKind(
        "validation-failed",
        422,
        "The request is not valid",
        "The request is not valid (a body, path or query parameter fails its schema)",
    ),
    ProblemKind("not-found", 404, "Not Found", "Not Found (no route at this path)"),
    ProblemKind(
        "method-not-allowed",
        405,
        "Method Not Allowed",
        "Method Not Allowed (the route exists, not with this method)",
    ),
    ProblemKind(
        "internal-error",
        500,
        "Internal error",
        "Internal error (an unexpected error; the log line carries the request id)",
    ),
)


def error_classes() -> list[type[DataLedgerError]]:
    """Every class of the one error hierarchy, the root first."""
    found: list[type[DataLedgerError]] = []
    pending: list[type[DataLedgerError]] = [DataLedgerError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def problem_catalogue() -> dict[str, ProblemKind]:
    """Every problem code the API can answer, by code: the edge's own, then the domain's hierarchy."""
    kinds = {kind.code: kind for kind in EDGE_PROBLEMS}
    for cls in error_classes():
        if cls is DataLedgerError:
            continue
        doc = (cls.__doc__ or "").strip()  # a class's docstring is its own, never inherited
        meaning = " ".join(doc.split("\n\n")[0].split()) if doc else cls.title
        kinds.setdefault(
            cls.code, ProblemKind(cls.code, http_status_of(cls.__new__(cls)), cls.title, meaning)
        )
    return kinds


log = logging.getLogger("api")


def _problem(
    status: int, code: str, title: str, detail: str, extensions: Mapping[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """An RFC 9457 problem; extension members never override the standard ones (type, status...)."""
    body = {"type": PROBLEM_BASE + code, "title": title, "status": status, "detail": detail, "code": code}
    request_id = REQUEST_ID.get()
    if request_id is not None:
        body["requestId"] = request_id
    for members in (extra, extensions or {}):
        body.update({k: v for k, v in members.items() if k not in body})
    return body


def problem_response(
    status: int, code: str, title: str, detail: str, extensions: Mapping[str, Any] | None = None, **extra: Any
) -> JSONResponse:
    body = _problem(status, code, title, detail, extensions, **extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def _domain_problem(error: DataLedgerError, instance: str) -> dict[str, Any]:
    return _problem(
        http_status_of(error),
        error.code,
        error.title,
        error.detail,
        {"instance": instance, **_jsonable(error.extra)},
    )


def problem_body(error: DataLedgerError, instance: str) -> bytes:
    """The problem document of a domain error, encoded, for edges that answer below FastAPI."""
    return json.dumps(_domain_problem(error, instance), ensure_ascii=False).encode()


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DataLedgerError)
    async def _domain_error(request: Request, exc: DataLedgerError) -> JSONResponse:
        status = http_status_of(exc)
        if status >= 500:
            log.error("%s on %s: %s", exc.code, request.url.path, exc.detail)
        return JSONResponse(
            _domain_problem(exc, request.url.path), status_code=status, media_type=PROBLEM_MEDIA_TYPE
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"location": "", "message": "invalid request"}
        return problem_response(
            422,
            "validation-failed",
            "The request is not valid",
            f"{first['location']}: {first['message']}",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem_response(
            exc.status_code, code, str(exc.detail), str(exc.detail), instance=request.url.path
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return problem_response(
            500, "internal-error", "Internal error", "an unexpected error occurred", instance=request.url.path
        )


def _jsonable(extra: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in extra.items():
        out[key] = (
            value if isinstance(value, str | int | float | bool | type(None) | list | dict) else str(value)
        )
    return out
