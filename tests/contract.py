"""Every response a test receives from the app is checked against the app's own OpenAPI document.

``install()`` (called by tests/conftest.py) hooks every ``TestClient``: a response whose status the
operation does not declare, whose media type or body does not match the declared schema, or whose
problem ``code`` the operation does not declare fails the test that received it. So the whole suite
is the response-validation test, and ``DATALEDGER_RECORD_PROBLEMS=FILE`` writes down every
(operationId, code) it saw, to review what each operation answers.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import jsonschema_rs
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dataledger.api.openapi import declared_codes

RECORD = os.environ.get("DATALEDGER_RECORD_PROBLEMS")
SEEN_PROBLEMS: set[tuple[str, int, str]] = set()


class ContractViolation(AssertionError):
    """A response the OpenAPI document does not describe."""


@dataclass
class Contract:
    """The document of one app, with its path templates compiled and validators built on demand."""

    document: dict[str, Any]
    templates: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    validators: dict[tuple[str, str, str, str], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for template in self.document["paths"]:
            pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
            self.templates.append((re.compile(f"^{pattern}$"), template))
        # the fewest parameters first: /v1/assets/registration-requests before /v1/assets/{assetId}
        self.templates.sort(key=lambda t: t[1].count("{"))

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        for pattern, template in self.templates:
            if pattern.match(path) and method in self.document["paths"][template]:
                return template, self.document["paths"][template][method]
        for template, operations in self.document["paths"].items():  # {eventHashId:path} spans slashes
            if "{" in template and method in operations:
                prefix = template.split("{", 1)[0]
                if path.startswith(prefix) and template.count("{") == 1 and template.endswith("}"):
                    return template, operations[method]
        return None

    def check(self, response: httpx.Response) -> None:
        request = response.request
        method = request.method.lower()
        found = self.operation(method, request.url.path)
        if found is None:
            return  # no such route: the app answers 404/405 as the document's paths imply
        template, operation = found
        where = f"{request.method} {template} -> {response.status_code}"
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        if media_type == "application/problem+json":
            response.read()
            code = str(response.json().get("code"))
            _record((operation["operationId"], response.status_code, code))
            if RECORD:
                return  # recording what operations answer, not judging it yet
        responses = operation.get("responses", {})
        status = str(response.status_code)
        declared = responses.get(status) or responses.get(f"{status[0]}XX") or responses.get("default")
        if declared is None:
            raise ContractViolation(f"{where}: status not declared (declared: {sorted(responses)})")
        content = declared.get("content")
        if not content:
            return
        if media_type not in content:
            raise ContractViolation(f"{where}: media type {media_type!r} not declared ({sorted(content)})")
        if not media_type.endswith("json"):
            return
        response.read()
        body = response.json()
        if media_type == "application/problem+json":
            code = body.get("code")
            if response.status_code < 500 and code not in declared_codes(operation, self.document):
                raise ContractViolation(f"{where}: problem code {code!r} not declared for this operation")
        schema = content[media_type].get("schema")
        if schema is None:
            return
        key = (template, method, status, media_type)
        if key not in self.validators:
            self.validators[key] = jsonschema_rs.Draft202012Validator(
                {**schema, "components": self.document.get("components", {})}
            )
        errors = [f"{e.instance_path}: {e.message}" for e in self.validators[key].iter_errors(body)]
        if errors:
            raise ContractViolation(f"{where}: body does not match the schema: {errors[:5]}")


_CONTRACT: list[Contract] = []


def contract_of(app: FastAPI) -> Contract:
    """The contract, built once: every app of the suite comes from ``create_app`` with the same routes,
    and building the document takes about a second (per test, that would double the suite's time)."""
    if not _CONTRACT:
        _CONTRACT.append(Contract(app.openapi()))
    return _CONTRACT[0]


def install() -> None:
    """Hook every TestClient made from now on (idempotent)."""
    if getattr(TestClient, "_contract_checked", False):
        return
    original = TestClient.__init__

    def init(self: TestClient, app: Any, *args: Any, **kwargs: Any) -> None:
        original(self, app, *args, **kwargs)
        if isinstance(app, FastAPI):
            contract = contract_of(app)
            self.event_hooks["response"].append(contract.check)

    TestClient.__init__ = init  # type: ignore[method-assign]
    TestClient._contract_checked = True  # type: ignore[attr-defined]


def _record(seen: tuple[str, int, str]) -> None:
    if seen in SEEN_PROBLEMS:
        return
    SEEN_PROBLEMS.add(seen)
    if RECORD:  # appended at once: a run cut short still leaves what it saw
        operation_id, status, code = seen
        with open(RECORD, "a") as out:
            out.write(json.dumps({"operationId": operation_id, "status": status, "code": code}) + "\n")
