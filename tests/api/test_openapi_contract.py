"""The OpenAPI document is a contract a client can be generated from: every operation complete.

Every operation has a meaningful camelCase operationId, a summary and a description, a typed success
response with an example that validates against its own schema, its problem responses with the codes
it can answer, and its security (an API key, or explicitly public). Every name on the wire is
camelCase. (That the running server's responses match the document is checked on every response of
the suite: tests/contract.py.)
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import jsonschema_rs
import pytest

from dataledger.api.app import create_app
from dataledger.api.openapi import declared_codes
from dataledger.api.operation_errors import OPERATION_ERRORS
from dataledger.api.problems import PROBLEM_MEDIA_TYPE, problem_catalogue
from dataledger.composition.settings import Settings

CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
# Query parameters named by the standards they come from (EPCIS 2.0 query parameters are snake-ish).
STANDARD_NAMES: frozenset[str] = frozenset()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The document; building the routes needs only the settings (read by the body limits)."""
    services = SimpleNamespace(settings=Settings(environment="test"), operational_figures=dict)
    return create_app(services).openapi()  # type: ignore[arg-type]


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for ops in document["paths"].values() for op in ops.values()]


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def success(op: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    statuses = [s for s in op["responses"] if s.startswith("2")]
    assert statuses, f"{op['operationId']}: no success response"
    return statuses[0], op["responses"][statuses[0]]


def test_every_operation_has_a_unique_camel_case_id_a_summary_and_a_description(
    document: dict[str, Any],
) -> None:
    ids = [op["operationId"] for op in operations(document)]
    assert len(ids) == len(set(ids))
    for op in operations(document):
        where = op["operationId"]
        assert CAMEL.match(op["operationId"]), where
        assert op.get("summary"), where
        assert len(op.get("description", "")) >= 20, f"{where}: no description"
        assert op.get("tags"), where


def test_every_operation_declares_a_typed_success_response_with_a_valid_example(
    document: dict[str, Any],
) -> None:
    untyped, unexemplified = [], []
    for op in operations(document):
        status, response = success(op)
        content = response.get("content", {})
        if status == "204":
            continue
        assert content, f"{op['operationId']}: the success response has no content"
        for media_type, body in content.items():
            schema = body.get("schema")
            if not schema or (
                schema.get("type") == "object" and "properties" not in schema and "$ref" not in schema
            ):
                untyped.append(f"{op['operationId']} {media_type}")
                continue
            if not media_type.endswith("json"):
                continue
            resolved = resolve(document, schema)
            examples = resolved.get("examples") or ([body["example"]] if "example" in body else [])
            if not examples:
                unexemplified.append(op["operationId"])
                continue
            validator = jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]})
            for example in examples:
                errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(example)]
                assert not errors, f"{op['operationId']}: its example does not match its schema: {errors}"
    assert not untyped, f"operations without a typed response: {untyped}"
    assert not unexemplified, f"operations without an example: {unexemplified}"


def test_every_operation_declares_its_problems_as_problem_json_with_their_codes(
    document: dict[str, Any],
) -> None:
    catalogue = problem_catalogue()
    for op in operations(document):
        codes = declared_codes(op, document)
        assert codes, op["operationId"]
        for code in codes:
            kind = catalogue[code]
            response = op["responses"].get(str(kind.status))
            assert response is not None, f"{op['operationId']}: {kind.status} for {code} not declared"
            problem = response["content"][PROBLEM_MEDIA_TYPE]
            assert code in problem["examples"], f"{op['operationId']}: no example of {code}"
            assert code in problem["schema"]["allOf"][1]["properties"]["code"]["enum"]
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")):  # readyz's 503 also carries its readiness report
                assert PROBLEM_MEDIA_TYPE in response.get("content", {}), (op["operationId"], status)
                assert "HTTPValidationError" not in str(response), (op["operationId"], status)


def test_the_table_of_operation_errors_names_only_operations_and_codes_that_exist(
    document: dict[str, Any],
) -> None:
    ids = {op["operationId"] for op in operations(document)}
    catalogue = problem_catalogue()
    assert set(OPERATION_ERRORS) <= ids, set(OPERATION_ERRORS) - ids
    for operation_id, codes in OPERATION_ERRORS.items():
        assert set(codes) <= set(catalogue), (operation_id, set(codes) - set(catalogue))


def test_security_is_declared_on_every_operation_and_public_ones_are_marked(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A participant's API key: `Authorization: Bearer <key>`",
    }
    assert schemes["apiKeyHeader"]["in"] == "header" and schemes["apiKeyHeader"]["name"] == "X-API-Key"
    public = []
    for op in operations(document):
        assert "security" in op, op["operationId"]
        if op["security"] == []:
            public.append(op["operationId"])
        else:
            assert {"bearerAuth": []} in op["security"] and {"apiKeyHeader": []} in op["security"]
    # the public surface: health, certificate verification, the public log and what a QR code opens
    for operation_id in ("healthz", "readyz", "verifyCertificate", "getCertificate", "latestCheckpoint"):
        assert operation_id in public, operation_id
    for operation_id in ("registerAsset", "createParticipant", "grantLicence"):
        assert operation_id not in public, operation_id


def _names(document: dict[str, Any], schema: dict[str, Any], seen: set[str]) -> list[str]:
    """Every property name a schema can carry (following refs and combinators, once each)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _names(document, document["components"]["schemas"][name], seen)
    found = list(schema.get("properties", {}))
    for sub in schema.get("properties", {}).values():
        found += _names(document, sub, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            found += _names(document, schema[key], seen)
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            found += _names(document, sub, seen)
    return found


def test_every_name_on_the_wire_is_camel_case(document: dict[str, Any]) -> None:
    bad = set()
    for op in operations(document):
        for parameter in op.get("parameters", []):
            if not CAMEL.match(parameter["name"]) and parameter["name"] not in STANDARD_NAMES:
                bad.add(f"{op['operationId']}: parameter {parameter['name']}")
        schemas = [
            c["schema"] for c in op.get("requestBody", {}).get("content", {}).values() if "schema" in c
        ]
        schemas += [
            c["schema"]
            for r in op["responses"].values()
            for c in r.get("content", {}).values()
            if "schema" in c
        ]
        for schema in schemas:
            for name in _names(document, schema, set()):
                if not CAMEL.match(name) and not name.startswith("@") and ":" not in name:  # JSON-LD terms
                    bad.add(f"{op['operationId']}: {name}")
    assert not bad, sorted(bad)


def test_every_act_the_history_records_is_one_the_history_schema_names() -> None:
    """A new contract event recorded in the history without its name in the response schema would be
    a 500 on the history route (the response would not validate)."""
    import typing

    from dataledger.api.responses.assets import HistoryAct
    from dataledger.registry.chain_records import ACT_OF_EVENT

    assert set(typing.get_args(HistoryAct)) == set(ACT_OF_EVENT.values())
