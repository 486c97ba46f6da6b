"""SIGKILL ``dataledger serve`` in the middle of a stream of registrations, start it again: every
registration the API acknowledged is on the chain and in the database, nothing twice. On the embedded
default (chain and SQLite in the data directory), and on an external node (anvil, ``--rpc-url``) with
PostgreSQL (``--database-url``)."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from eth_account import Account

from dataledger.registry.holder_signatures import sign_registration_typed_data
from tests.factories import asset_facts
from tests.nodes import free_port, fresh_postgres_database, postgres_reachable, start_server

ADMIN = {"Authorization": "Bearer dev-admin-key"}


def register_stream(base: str, key: str, holder, acknowledged: list[str], stop: threading.Event) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            facts = asset_facts()
            try:
                prepared = client.post(
                    "/v1/assets/registration-requests", json={"facts": facts}, headers=headers
                )
                prepared.raise_for_status()
                p = prepared.json()
                body = {
                    "facts": facts,
                    "salt": p["salt"],
                    "nonce": p["nonce"],
                    "deadline": p["deadline"],
                    "signature": sign_registration_typed_data(holder.key, p["typedData"]),
                }
                response = client.post("/v1/assets", json=body, headers=headers)
            except httpx.HTTPError:
                return  # the server died under us: whatever was not acknowledged may or may not exist
            if response.status_code == 201:
                acknowledged.append(response.json()["assetId"])


@pytest.fixture(params=["embedded", "anvil+postgresql"])
def external(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """The server's chain and database options: none (the embedded default), or anvil and PostgreSQL."""
    if request.param == "embedded":
        yield []
        return
    anvil_url = request.getfixturevalue("anvil_url")
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    with fresh_postgres_database() as database_url:  # its own: deployments are per database
        yield ["--rpc-url", anvil_url, "--database-url", database_url]


@pytest.mark.slow
def test_sigkill_mid_stream_loses_no_acknowledged_registration(tmp_path: Path, external: list[str]) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(tmp_path, port, external)
    try:
        holders = []
        for i in range(2):
            account = Account.create()
            created = httpx.post(
                f"{base}/v1/participants",
                headers=ADMIN,
                json={"name": f"holder {i}", "role": "enterprise", "address": account.address},
            ).json()
            holders.append((account, created["apiKey"]))
        auditor_key = httpx.post(
            f"{base}/v1/participants", headers=ADMIN, json={"name": "auditor", "role": "auditor"}
        ).json()["apiKey"]
        acknowledged: list[str] = []
        stop = threading.Event()
        threads = [
            threading.Thread(target=register_stream, args=(base, key, account, acknowledged, stop))
            for account, key in holders
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)  # in the middle of the stream: requests are in flight
        server.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert len(acknowledged) >= 8
    finally:
        if server.poll() is None:
            server.kill()

    server = start_server(tmp_path, port, external)
    try:
        headers = {"Authorization": f"Bearer {auditor_key}"}
        for asset_id in acknowledged:
            check = httpx.get(f"{base}/v1/audit/assets/{asset_id}", headers=headers, timeout=30)
            assert check.status_code == 200, check.text
            assert check.json()["consistent"] is True, check.json()
        listed = httpx.get(f"{base}/v1/assets", params={"limit": 500}, headers=headers, timeout=30).json()[
            "items"
        ]
        ids = [a["assetId"] for a in listed]
        assert len(ids) == len(set(ids)), "an asset is stored twice"
        assert set(acknowledged) <= set(ids)
        assert all(a["state"] == "registered" for a in listed), "a pending registration was left behind"
    finally:
        server.terminate()
        server.wait(timeout=20)
