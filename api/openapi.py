"""The OpenAPI document: FastAPI's, completed with what a client needs to rely on.

FastAPI derives paths, parameters, request bodies and response models from the routes. This module
adds, once for every operation: the problem+json responses with the stable ``code``s the operation can
answer (from :data:`dataledger.api.operation_errors.OPERATION_ERRORS` and the generic rules below),
the shared ``Problem`` schema, and ``security: []`` on public operations (the others carry the two
API-key schemes FastAPI found in their dependencies).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from dataledger.api.operation_errors import OPERATION_ERRORS
from dataledger.api.problems import PROBLEM_BASE, PROBLEM_MEDIA_TYPE, ProblemKind, problem_catalogue
from dataledger.api.responses.common import Wire

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem document. `code` is stable (docs/ERRORS.md lists every code); "
    "extension members (`errors`, `field`, `limit`...) say more where there is more to say.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri", "description": f"{PROBLEM_BASE}<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "The stable problem code"},
        "instance": {"type": "string", "description": "The request's path"},
        "requestId": {"type": "string", "description": "Also in the X-Request-ID header and the log line"},
        "errors": {
            "type": "array",
            "description": "Every invalid parameter (validation-failed)",
            "items": {
                "type": "object",
                "required": ["location", "message"],
                "properties": {"location": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}

# Codes every operation of a kind can answer, whatever it does (anonymous floods are cut everywhere;
# any operation may find the database or the chain unavailable).
EVERY_OPERATION_ERRORS = ("rate-limited", "ledger-unavailable")
AUTHENTICATED_ERRORS = ("not-authenticated", "not-authorised")
PARAMETER_ERRORS = ("validation-failed", "nul-character")
BODY_ERRORS = ("validation-failed", "request-body-too-large", "json-nested-too-deeply", "nul-character")
SIGNED_SUBMISSION_ERRORS = ("invalid-signature", "signature-expired", "nonce-replayed", "ledger-error")
# A path parameter names a record that may not exist (or that the caller may not see).
PATH_ERRORS = {
    "assetId": "asset-not-found",
    "licenceId": "licence-not-found",
    "consentId": "consent-not-found",
    "objectionId": "objection-not-found",
    "number": "certificate-not-found",
    "participantId": "participant-not-found",
    "eventHashId": "epcis-event-not-found",
    "item": "lineage-node-not-found",
    "node": "lineage-node-not-found",
    "listingId": "listing-not-found",
    "templateId": "licence-template-not-found",
    "demandId": "demand-not-found",
    "orderId": "trade-not-found",
    "programmeId": "voucher-programme-not-found",
}


def declared_codes(operation: dict[str, Any], document: dict[str, Any] | None = None) -> tuple[str, ...]:
    """The problem codes ``operation`` (an OpenAPI operation object) declares it can answer: the
    generic ones of its kind (authenticated, with parameters, with a body, a signed submission, a
    record in its path) and those :data:`OPERATION_ERRORS` names for it."""
    codes = list(EVERY_OPERATION_ERRORS)
    if operation.get("security"):
        codes += AUTHENTICATED_ERRORS
    parameters = operation.get("parameters", [])
    if parameters:
        codes += PARAMETER_ERRORS
    codes += [PATH_ERRORS[p["name"]] for p in parameters if p["in"] == "path" and p["name"] in PATH_ERRORS]
    if "requestBody" in operation:
        codes += BODY_ERRORS
        if _signed(operation, document):
            codes += SIGNED_SUBMISSION_ERRORS
    codes += OPERATION_ERRORS.get(operation["operationId"], ())
    return tuple(dict.fromkeys(codes))


def _signed(operation: dict[str, Any], document: dict[str, Any] | None) -> bool:
    """Whether the operation's body carries a signature (a signed act submitted for relay)."""
    schema = operation["requestBody"].get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema and document is not None:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    properties = schema.get("properties", {})
    parties = (p for p in properties.values() if isinstance(p, dict))  # acts two parties sign (a pledge)
    return "signature" in properties or any(p.get("$ref", "").endswith("/PartySignature") for p in parties)


def _problem_responses(codes: Iterable[str], catalogue: dict[str, ProblemKind]) -> dict[str, Any]:
    by_status: dict[int, list[ProblemKind]] = defaultdict(list)
    for code in codes:
        kind = catalogue[code]
        by_status[kind.status].append(kind)
    responses: dict[str, Any] = {}
    for status, kinds in sorted(by_status.items()):
        listed = ", ".join(f"`{k.code}`" for k in kinds)
        responses[str(status)] = {
            "description": f"A problem: {listed}",
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {
                        "allOf": [
                            {"$ref": "#/components/schemas/Problem"},
                            {"properties": {"code": {"enum": [k.code for k in kinds]}}},
                        ]
                    },
                    "examples": {
                        k.code: {
                            "summary": k.title,
                            "value": {
                                "type": PROBLEM_BASE + k.code,
                                "title": k.title,
                                "status": status,
                                "detail": k.meaning,
                                "code": k.code,
                                "requestId": "5f0c6a1e9b7d4c2a8e3f1b0d9c8a7e6f",
                            },
                        }
                        for k in kinds
                    },
                }
            },
        }
    return responses


def _fastapi_validation_error(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return str(schema.get("$ref", "")).endswith("/HTTPValidationError")


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with problem responses, the Problem schema and public operations marked."""
    catalogue = problem_catalogue()
    document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for operations in document["paths"].values():
        for operation in operations.values():
            operation.setdefault("security", [])  # none declared: a public operation
            responses = operation.setdefault("responses", {})
            codes = declared_codes(operation, document)
            for status, response in _problem_responses(codes, catalogue).items():
                existing = responses.get(status)
                if existing is None or _fastapi_validation_error(existing):
                    responses[status] = response  # FastAPI's default 422 shape is not what we answer
                else:  # the route's own answer at this status (readyz's 503 report), and problems
                    existing["content"] = {**existing.get("content", {}), **response["content"]}
                    existing["description"] = (
                        f"{existing.get('description', '')}; or {response['description']}"
                    )
    paths = json.dumps(document["paths"])
    for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422 shape, replaced by problems
        if f"/{unused}" not in paths:
            document["components"]["schemas"].pop(unused, None)
    return document


def _models(base: type[BaseModel]) -> Iterator[type[BaseModel]]:
    for cls in base.__subclasses__():
        yield cls
        yield from _models(cls)


def with_model_examples(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with each response model's examples as written: FastAPI drops every ``null`` of
    the document (``exclude_none``), nulls of examples included, which would make them lie."""
    schemas = document.get("components", {}).get("schemas", {})
    for model in _models(Wire):
        extra = model.model_config.get("json_schema_extra")
        if model.__name__ in schemas and isinstance(extra, dict) and "examples" in extra:
            schemas[model.__name__]["examples"] = extra["examples"]
    return document


def openapi_builder(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The ``app.openapi`` of ``app``: the completed document, built once."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
            )
            app.openapi_schema = complete(with_model_examples(document))
        return app.openapi_schema

    return build
