"""What an operator relies on: readiness with its reason, Prometheus metrics, request ids, CORS, JSON logs."""

from __future__ import annotations

import json
import logging
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.api.observability import REQUEST_ID, JsonFormatter
from dataledger.composition import Services, build_services
from tests.anchoring.conftest import signed_item
from tests.conftest import make_settings
from tests.factories import ApiDriver
from tests.nodes import (
    free_port,
    live_enterprise,
    live_registry_domain,
    postgres_reachable,
    private_postgres,
    running_anvil,
    start_server,
)


def test_readyz_names_every_check_and_metrics_are_scraped(api: ApiDriver) -> None:
    (holder,) = api.participants("enterprise")
    api.register(holder)

    ready = api.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ready"
    assert {"database", "chain", "batcher"} <= set(ready.json()["checks"])

    scraped = api.client.get("/metrics")
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text
    assert 'dataledger_requests_total{method="POST",route="/v1/assets",status="201"} 1.0' in text
    assert 'dataledger_request_seconds_bucket{le="0.005",method="GET",route="/readyz"}' in text
    assert "dataledger_outbox_depth " in text


def test_every_response_and_problem_carries_a_request_id(api: ApiDriver) -> None:
    answered = api.client.get("/healthz", headers={"X-Request-ID": "trace-42"})
    assert answered.headers["x-request-id"] == "trace-42"
    refused = api.client.get("/v1/participants/me")
    assert refused.status_code == 401
    assert refused.json()["requestId"] == refused.headers["x-request-id"]
    assert len(refused.headers["x-request-id"]) == 32
    insane = api.client.get("/healthz", headers={"X-Request-ID": "a b\\nc" * 30})
    assert insane.headers["x-request-id"] != "a b\\nc" * 30


@pytest.fixture
def cors_services(tmp_path: Path) -> Iterator[Services]:
    built = build_services(make_settings(tmp_path, cors_origins=["https://portal.example"]))
    yield built
    built.close()


def test_cors_allows_the_configured_origin_only(cors_services: Services) -> None:
    client = TestClient(create_app(cors_services))
    preflight = {"Origin": "https://portal.example", "Access-Control-Request-Method": "POST"}
    allowed = client.options("/v1/certificates/verify", headers=preflight)
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example"
    other = client.options("/v1/certificates/verify", headers={**preflight, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_json_log_lines_carry_the_request_id() -> None:
    token = REQUEST_ID.set("req-7")
    try:
        record = logging.LogRecord("dataledger.access", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
        record.status = 200
        line = json.loads(JsonFormatter().format(record))
    finally:
        REQUEST_ID.reset(token)
    assert (line["requestId"], line["message"], line["status"], line["level"]) == (
        "req-7",
        "GET /x",
        200,
        "info",
    )


@pytest.mark.slow
@pytest.mark.anvil
def test_readyz_turns_503_when_the_node_stops_and_200_when_it_returns(tmp_path: Path) -> None:
    with running_anvil() as rpc_url:
        port = free_port()
        server = start_server(tmp_path, port, ["--rpc-url", rpc_url])
        base = f"http://127.0.0.1:{port}"
        try:
            assert httpx.get(f"{base}/readyz").status_code == 200
            anvil_port = rpc_url.rsplit(":", 1)[1]
            anvil = subprocess.run(
                ["pgrep", "-f", f"anvil --port {anvil_port}"], capture_output=True, text=True
            )
            pid = int(anvil.stdout.split()[0])
            subprocess.run(["kill", "-STOP", str(pid)], check=True)  # the node stops answering
            try:
                down = httpx.get(f"{base}/readyz", timeout=60)
                assert down.status_code == 503
                assert "chain" in down.json()["reason"]
            finally:
                subprocess.run(["kill", "-CONT", str(pid)], check=True)
            deadline = time.monotonic() + 30
            while httpx.get(f"{base}/readyz", timeout=60).status_code != 200:
                assert time.monotonic() < deadline, "not ready again after the node returned"
                time.sleep(0.5)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)


@pytest.mark.slow
@pytest.mark.postgres
def test_readyz_turns_503_when_postgresql_stops_and_200_when_it_returns(tmp_path: Path) -> None:
    """A PostgreSQL server of the test's own is stopped under a running server and started again."""
    if not postgres_reachable():
        pytest.skip("PostgreSQL programs are needed")
    with private_postgres() as (database_url, stop, start):
        port = free_port()
        server = start_server(tmp_path, port, ["--database-url", database_url])
        base = f"http://127.0.0.1:{port}"
        try:
            assert httpx.get(f"{base}/readyz").status_code == 200
            stop()
            down = httpx.get(f"{base}/readyz", timeout=60)
            assert down.status_code == 503
            assert "database" in down.json()["reason"]
            assert httpx.get(f"{base}/healthz", timeout=60).json()["database"] is False
            start()
            deadline = time.monotonic() + 60
            while httpx.get(f"{base}/readyz", timeout=60).status_code != 200:
                assert time.monotonic() < deadline, "not ready again after PostgreSQL returned"
                time.sleep(0.5)
            _, headers = live_enterprise(base, "after the outage")  # and it writes again
            assert httpx.get(f"{base}/v1/participants/me", headers=headers).status_code == 200
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)


@pytest.mark.slow
def test_a_graceful_shutdown_anchors_everything_acknowledged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With batches that would never close by themselves, SIGTERM still leaves nothing unanchored."""
    monkeypatch.setenv("DATALEDGER_BATCH_MAX_DELAY_S", "3600")
    monkeypatch.setenv("DATALEDGER_BATCH_MAX_LEAVES", "100000")
    port = free_port()
    server = start_server(tmp_path, port, [])
    base = f"http://127.0.0.1:{port}"
    try:
        account, headers = live_enterprise(base, "holder")
        domain = live_registry_domain(base)
        deadline = int(time.time()) + 3600
        items = [signed_item(domain, account, nonce_index=i, deadline=deadline) for i in range(10)]
        accepted = httpx.post(f"{base}/v1/bulk/assets", json={"items": items}, headers=headers)
        assert accepted.status_code == 202, accepted.text
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

    with sqlite3.connect(tmp_path / "dataledger.db") as db:
        (unanchored,) = db.execute(
            "SELECT COUNT(*) FROM anchor_outbox o LEFT JOIN anchor_batches b ON o.batch_id = b.id"
            " WHERE b.status IS NULL OR b.status != 'anchored'"
        ).fetchone()
        (entries,) = db.execute("SELECT COUNT(*) FROM anchor_outbox").fetchone()
    assert entries >= 10 and unanchored == 0
