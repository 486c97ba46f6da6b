"""Schemathesis fuzzes every operation of the OpenAPI document against a live ``dataledger serve``,
as an authenticated enterprise: no input produces a 5xx, and every response matches its schema.

The default suite sends a bounded number of examples per operation; ``-m long`` sends many more.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from eth_account import Account
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.nodes import free_port, start_server

EXAMPLES = int(os.environ.get("DATALEDGER_FUZZ_EXAMPLES", "4"))


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    port = free_port()
    server = start_server(tmp_path_factory.mktemp("fuzzed"), port, [])
    base = f"http://127.0.0.1:{port}"
    try:
        created = httpx.post(
            f"{base}/v1/participants",
            headers={"Authorization": "Bearer dev-admin-key"},
            json={"name": "fuzzing enterprise", "role": "enterprise", "address": Account.create().address},
        ).json()
        yield base, created["apiKey"]
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("examples", [EXAMPLES, pytest.param(60, marks=pytest.mark.long)])
def test_no_input_produces_a_server_error_and_responses_match_their_schema(
    live_server: tuple[str, str], examples: int
) -> None:
    base, api_key = live_server
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    sent: dict[str, int] = {}
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: schemathesis.Case) -> None:
            sent[case.operation.label] = sent.get(case.operation.label, 0) + 1
            case.call_and_validate(
                headers={"Authorization": f"Bearer {api_key}"},
                checks=[not_a_server_error, response_schema_conformance],
                timeout=30,
            )

        try:
            fuzz()
        except Exception as failure:  # every operation is fuzzed; all failures are reported together
            failures.append(f"{operation.label}: {str(failure)[:2000]}")
    assert not failures, "\n\n".join(failures)
    assert len(sent) >= 70 and sum(sent.values()) >= 70 * min(examples, 2)
