"""``dataledger serve --workers N``: refused without a database and a chain several processes can share;
over PostgreSQL and anvil, bulk registrations sent to both workers are anchored exactly once, and when
the worker holding the lease is killed the other one takes the anchoring over."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from dataledger.cli.main import main
from dataledger.ledger.chain.anchor_registry import ANCHOR_CONTRACT
from dataledger.ledger.sql.lease import BACKGROUND_WORK, LEASE_NAMESPACE
from dataledger.registry.keccak import keccak256
from tests.anchoring.conftest import signed_item
from tests.nodes import (
    REPO,
    free_port,
    fresh_postgres_database,
    live_enterprise,
    live_registry_domain,
    postgres_reachable,
    rpc,
)

BULK_ACCEPTED = 'dataledger_requests_total{method="POST",route="/v1/bulk/assets",status="202"}'
BATCH_COUNT_SELECTOR = "0x" + keccak256(b"batchCount()")[:4].hex()
PUBLIC_BURST, PUBLIC_RATE_PER_S = 20, 0.5  # the anonymous limit of the whole server


def test_several_workers_on_sqlite_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--workers", "2", "--data-dir", str(tmp_path)]) == 1
    assert "needs a PostgreSQL database" in capsys.readouterr().err


def test_several_workers_on_the_embedded_chain_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://postgres@127.0.0.1:5432/unused"  # refused before anything connects
    assert main(["serve", "--workers", "2", "--data-dir", str(tmp_path), "--database-url", url]) == 1
    assert "needs an external chain node (--rpc-url)" in capsys.readouterr().err


def test_fewer_than_one_worker_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--workers", "0"])
    assert exited.value.code == 2
    assert "--workers: must be at least 1" in capsys.readouterr().err


# -- two workers over PostgreSQL and anvil ---------------------------------------------------------


@pytest.fixture
def shared_database() -> Iterator[str]:
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    with fresh_postgres_database() as url:
        yield url


def start_workers(tmp_path: Path, port: int, options: list[str]) -> subprocess.Popen[bytes]:
    """``dataledger serve --workers 2`` (the real CLI), once every worker answers: a scrape of
    /metrics has come from the lease holder and one from the other worker."""
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{REPO / 'hardhat-free-devnet'}"}
    command = [sys.executable, "-m", "dataledger.cli", "serve", "--workers", "2", "--port", str(port)]
    log = tmp_path / "server.log"
    with log.open("wb") as out:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [*command, "--data-dir", str(tmp_path / "data"), *options],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=out,
        )
    seen: set[bool] = set()
    deadline = time.monotonic() + 180  # three interpreters start: slow on a busy machine
    while len(seen) < 2:
        assert process.poll() is None, f"the server exited: {log.read_text()[-2000:]}"
        assert time.monotonic() < deadline, f"not every worker answered: {log.read_text()[-2000:]}"
        try:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            held = re.search(r"^dataledger_lease_held (\S+)$", text, re.M)
            if held is not None:
                seen.add(float(held.group(1)) == 1.0)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return process


def lease_holder_pid(database_url: str) -> int | None:
    """The process holding the lease, from the application name its lease connection carries."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND l.classid = %s AND l.objid = %s",
            (LEASE_NAMESPACE, BACKGROUND_WORK),
        ).fetchone()
    found = re.match(r"dataledger pid (\d+) ", row[0]) if row else None
    return int(found.group(1)) if found else None


def accepted_per_worker(base: str) -> dict[bool, float]:
    """Bulk requests each worker accepted, keyed by whether it holds the lease (one scrape each)."""
    seen: dict[bool, float] = {}
    for _ in range(60):  # a new connection each time: any worker may answer
        text = httpx.get(f"{base}/metrics", timeout=10).text
        holds = re.search(r"^dataledger_lease_held (\S+)$", text, re.M)
        count = re.search(rf"^{re.escape(BULK_ACCEPTED)} (\S+)$", text, re.M)
        assert holds is not None
        seen[float(holds.group(1)) == 1.0] = float(count.group(1)) if count else 0.0
        if len(seen) == 2:
            break
    return seen


def send_bulk(base: str, headers: dict[str, str], bodies: list[dict[str, Any]]) -> list[str]:
    """POST each body on a connection of its own, four at a time; the asset ids accepted."""

    def post(body: dict[str, Any]) -> list[str]:
        response = httpx.post(f"{base}/v1/bulk/assets", json=body, headers=headers, timeout=60)
        assert response.status_code == 202, response.text
        return [item["assetId"] for item in response.json()["items"]]

    with ThreadPoolExecutor(4) as pool:
        return [asset_id for ids in pool.map(post, bodies) for asset_id in ids]


def wait_all_anchored(database_url: str, expected: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        with psycopg.connect(database_url) as conn:
            entries, unanchored = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE b.status IS DISTINCT FROM 'anchored')"
                " FROM anchor_outbox o LEFT JOIN anchor_batches b ON b.id = o.batch_id"
            ).fetchone() or (0, 0)
        if entries == expected and unanchored == 0:
            return
        assert time.monotonic() < deadline, f"{unanchored} of {entries} entries not anchored"
        time.sleep(0.2)


def assert_each_batch_anchored_once(database_url: str, rpc_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        batches, roots, txs, onchain = conn.execute(
            "SELECT count(*), count(DISTINCT root), count(DISTINCT tx_hash), count(DISTINCT onchain_batch_id)"
            " FROM anchor_batches WHERE status = 'anchored'"
        ).fetchone() or (0, 0, 0, 0)
        (anchor_address,) = conn.execute(
            "SELECT address FROM deployments WHERE name = %s", (ANCHOR_CONTRACT,)
        ).fetchone() or (None,)
    assert batches == roots == txs == onchain > 0
    on_chain = rpc(rpc_url, "eth_call", [{"to": anchor_address, "data": BATCH_COUNT_SELECTOR}, "latest"])
    assert isinstance(on_chain, str) and int(on_chain, 16) == batches, "the chain holds other anchors"
    return int(batches)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.anvil
def test_two_workers_anchor_every_bulk_registration_once_and_survive_the_lease_holders_death(
    tmp_path: Path, anvil_url: str, shared_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATALEDGER_BATCH_MAX_DELAY_S", "0.2")
    monkeypatch.setenv("DATALEDGER_LEASE_RETRY_S", "0.5")
    monkeypatch.setenv("DATALEDGER_CHECKPOINT_INTERVAL_S", "0")  # only batches in the anchor registry
    monkeypatch.setenv("DATALEDGER_PUBLIC_BURST", str(PUBLIC_BURST))
    monkeypatch.setenv("DATALEDGER_PUBLIC_RATE_PER_S", str(PUBLIC_RATE_PER_S))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_workers(tmp_path, port, ["--rpc-url", anvil_url, "--database-url", shared_database])
    try:
        account, headers = live_enterprise(base, "holder")
        domain = live_registry_domain(base)
        deadline = int(time.time()) + 3600
        next_index = 0

        def bodies(requests: int, per_request: int = 20) -> list[dict[str, Any]]:
            nonlocal next_index
            made = []
            for _ in range(requests):
                indexes = range(next_index, next_index + per_request)
                made.append(
                    {
                        "items": [
                            signed_item(domain, account, nonce_index=i, deadline=deadline) for i in indexes
                        ]
                    }
                )
                next_index += per_request
            return made

        accepted = send_bulk(base, headers, bodies(12))
        counts = accepted_per_worker(base)
        for _ in range(10):  # the kernel picks the worker of each connection: until both got some
            if len(counts) == 2 and min(counts.values()) > 0:
                break
            accepted += send_bulk(base, headers, bodies(4))
            counts = accepted_per_worker(base)
        assert len(counts) == 2 and min(counts.values()) > 0, f"one worker served everything: {counts}"
        wait_all_anchored(shared_database, len(accepted))
        assert len(set(accepted)) == len(accepted)

        leader = lease_holder_pid(shared_database)
        assert leader is not None and leader != server.pid
        os.kill(leader, signal.SIGKILL)
        taken_by = None
        give_up = time.monotonic() + 60
        while taken_by in (None, leader):
            assert time.monotonic() < give_up, "nobody took the lease over"
            time.sleep(0.1)
            taken_by = lease_holder_pid(shared_database)

        accepted += send_bulk(base, headers, bodies(4))
        wait_all_anchored(shared_database, len(accepted))
        assert assert_each_batch_anchored_once(shared_database, anvil_url) >= 2
        give_up = time.monotonic() + 60
        while (ready := httpx.get(f"{base}/readyz", timeout=10)).status_code != 200:
            assert time.monotonic() < give_up, ready.text
            time.sleep(0.2)

        # An anonymous client meets the configured burst (20), not 20 per worker, on new connections.
        flood_started = time.monotonic()
        answers = [httpx.get(f"{base}/v1/log", timeout=10).status_code for _ in range(60)]
        refilled = PUBLIC_RATE_PER_S * (time.monotonic() - flood_started)
        assert set(answers) == {200, 429}
        assert PUBLIC_BURST // 2 - 2 <= answers.count(200) <= PUBLIC_BURST + refilled + 1, answers
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except Exception:
            server.kill()
            raise
    assert server.returncode == 0
