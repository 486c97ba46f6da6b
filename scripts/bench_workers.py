"""Benchmark: ``dataledger serve --workers 1`` against ``--workers 2`` over PostgreSQL, side by side.

For each worker count it starts a real server (``python -m dataledger.cli serve --workers N``) on anvil
and a throwaway PostgreSQL database (``CREATE DATABASE bench_…``, dropped afterwards), waits until
every worker answers (with two, until a scrape of ``/metrics`` has come from the lease holder and from
the other one), and measures:

* **reads**: ``GET /v1/assets/{id}`` of a few directly registered assets, with the holder's key, from
  ``--clients`` client threads (httpx) for ``--read-seconds``; each thread opens a new connection every
  ``RECONNECT_EVERY`` requests, since the kernel gives each connection to one worker;
* **bulk registrations**: ``--items`` holder-signed items in ``POST /v1/bulk/assets`` requests of
  ``--items-per-request``, ``--concurrency`` requests in flight (signed before the clock starts, as in
  ``scripts/bench.py``); the acknowledged rate (items over the time to the last answer) and the
  anchored rate (to the moment the database shows every entry in an anchored batch; only the lease
  holder anchors, whatever the worker count).

It prints one table with a column per worker count and their ratio, then a JSON object on the last
line. The load generator runs on the same machine as the server: on a machine with few cores the
client threads take CPU time the workers would use, so the ratio is a floor, not a ceiling.

Usage: ``python scripts/bench_workers.py [--quick] [--workers 1,2] [--postgres ADMIN_URL]``.
``--quick`` takes about two minutes. Not run by CI.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
for _path in (REPO_ROOT, REPO_ROOT / "hardhat-free-devnet"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import httpx  # noqa: E402

from scripts.bench import (  # noqa: E402
    SIGNATURE_LIFETIME_S,
    Plan,
    _chain_time,
    _direct_submissions,
    _free_port,
    _wait_http,
    enterprise,
    generate_bodies,
    percentile,
    run_batched,
    running_anvil,
)
from scripts.bench_lineage import DEFAULT_POSTGRES, throwaway_postgres  # noqa: E402

RECONNECT_EVERY = 50  # requests per connection of a read client
READ_ASSETS = 4  # directly registered assets the readers ask for


@dataclass(frozen=True)
class Load:
    mode: str
    read_seconds: float
    clients: int
    items: int
    items_per_request: int
    concurrency: int


LOADS = {
    "quick": Load("quick", 8.0, 8, 20_000, 500, 4),
    "full": Load("full", 30.0, 8, 200_000, 1_000, 4),
}


@dataclass
class WorkersResult:
    workers: int
    reads_per_s: float = 0.0
    read_p50_ms: float = 0.0
    read_p95_ms: float = 0.0
    read_errors: int = 0
    bulk_ack_per_s: float = 0.0
    bulk_anchored_per_s: float = 0.0
    bulk_items: int = 0
    bulk_request_p95_s: float = 0.0
    batches: int = 0
    requests_by_worker: list[float] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "reads_per_s": round(self.reads_per_s, 1),
            "read_p50_ms": round(self.read_p50_ms, 2),
            "read_p95_ms": round(self.read_p95_ms, 2),
            "read_errors": self.read_errors,
            "bulk_ack_per_s": round(self.bulk_ack_per_s),
            "bulk_anchored_per_s": round(self.bulk_anchored_per_s),
            "bulk_items": self.bulk_items,
            "batches": self.batches,
            "requests_by_worker": self.requests_by_worker,
        }


# -- the server under test -----------------------------------------------------------------------


class WorkersServer:
    """``dataledger serve --workers N`` in its own process group, on anvil and PostgreSQL."""

    def __init__(self, workdir: Path, workers: int, rpc_url: str, database_url: str) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATALEDGER_")}
        env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "hardhat-free-devnet")])
        env["DATALEDGER_CHECKPOINT_INTERVAL_S"] = "0"  # a checkpoint's log append would land mid-run
        command = [sys.executable, "-m", "dataledger.cli", "serve", "--workers", str(workers)]
        command += ["--port", str(self.port), "--data-dir", str(workdir / "data")]
        command += ["--rpc-url", rpc_url, "--database-url", database_url]
        self._log = open(workdir / f"server-{workers}-workers.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        _wait_http(f"{self.base}/healthz", self.process)
        self.wait_for_every_worker()

    def scrape(self) -> tuple[bool, float]:
        """One ``/metrics`` scrape on a new connection: (holds the lease, requests it answered)."""
        text = httpx.get(f"{self.base}/metrics", timeout=30).text
        held = re.search(r"^dataledger_lease_held (\S+)$", text, re.M)
        served = sum(float(n) for n in re.findall(r"^dataledger_requests_total\{.*\} (\S+)$", text, re.M))
        return (held is not None and float(held.group(1)) == 1.0), served

    def wait_for_every_worker(self, timeout_s: float = 120.0) -> None:
        """With several workers, until a scrape came from the holder and one from another worker."""
        if self.workers == 1:
            return
        seen: set[bool] = set()
        deadline = time.monotonic() + timeout_s
        while len(seen) < 2:
            if time.monotonic() > deadline:
                raise RuntimeError("not every worker answered")
            seen.add(self.scrape()[0])
            time.sleep(0.05)

    def requests_by_worker(self, scrapes: int = 40) -> list[float]:
        """Requests answered by the holder and by another worker (as their scrapes say), if seen."""
        seen: dict[bool, float] = {}
        for _ in range(scrapes):
            holds, served = self.scrape()
            seen[holds] = served
            if len(seen) == self.workers or len(seen) == 2:
                break
        return [seen[k] for k in sorted(seen, reverse=True)]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


# -- the two loads -------------------------------------------------------------------------------


def register_direct(client: httpx.Client, count: int) -> tuple[dict[str, str], list[str]]:
    """``count`` direct registrations by a new holder: its headers and the asset ids."""
    headers, submissions = _direct_submissions(client, count)
    ids = []
    for body in submissions:
        response = client.post("/v1/assets", json=body, headers=headers)
        if response.status_code != 201:
            raise RuntimeError(f"registering: {response.status_code} {response.text[:300]}")
        ids.append(response.json()["assetId"])
    return headers, ids


def run_reads(
    base: str, headers: dict[str, str], asset_ids: Sequence[str], clients: int, seconds: float
) -> tuple[int, list[float], int]:
    """GET the assets from ``clients`` threads for ``seconds``: (answers, latencies, errors)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def reader(n: int) -> None:
        own, failed = latencies[n], 0
        start.wait()
        i = n
        while time.perf_counter() < stop_at[0]:
            with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
                for _ in range(RECONNECT_EVERY):
                    sent = time.perf_counter()
                    response = client.get(f"/v1/assets/{asset_ids[i % len(asset_ids)]}")
                    own.append(time.perf_counter() - sent)
                    failed += response.status_code != 200
                    i += 1
                    if time.perf_counter() >= stop_at[0]:
                        break
        errors[n] = failed

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    start.wait()
    for thread in threads:
        thread.join()
    flat = [value for own in latencies for value in own]
    return len(flat), flat, sum(errors)


def wait_until_anchored(database_url: str, expected: int, timeout_s: float) -> tuple[float, int]:
    """Poll the database until every outbox entry is in an anchored batch: (when, batches)."""
    import psycopg

    deadline = time.monotonic() + timeout_s
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            total, unanchored, batches = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE b.status IS DISTINCT FROM 'anchored'),"
                " count(DISTINCT o.batch_id) FROM anchor_outbox o"
                " LEFT JOIN anchor_batches b ON b.id = o.batch_id"
            ).fetchone() or (0, 0, 0)
            if total >= expected and unanchored == 0:
                return time.time(), int(batches)
            time.sleep(0.05)
    raise RuntimeError(f"the entries were not all anchored within {timeout_s}s")


def bench_workers(
    workers: int, rpc_url: str, admin_url: str, load: Load, workdir: Path, log: Any
) -> WorkersResult:
    result = WorkersResult(workers)
    plan = Plan(load.mode, 0, load.items, load.items_per_request, load.concurrency, 1_000, 1.0, 0.0)
    with throwaway_postgres(admin_url) as database_url:
        log(f"--workers {workers}: starting the server")
        server = WorkersServer(workdir, workers, rpc_url, database_url)
        bodies: list[Path] = []
        try:
            with httpx.Client(base_url=server.base, timeout=120) as client:
                read_headers, asset_ids = register_direct(client, READ_ASSETS)
                domain = client.get("/v1/registrar").json()["registry"]["eip712Domain"]
                key, headers = enterprise(client)
                deadline = _chain_time(client, headers) + SIGNATURE_LIFETIME_S
            log(f"--workers {workers}: reads for {load.read_seconds:g} s from {load.clients} threads")
            answered, latencies, result.read_errors = run_reads(
                server.base, read_headers, asset_ids, load.clients, load.read_seconds
            )
            result.reads_per_s = answered / load.read_seconds
            result.read_p50_ms = statistics.median(latencies) * 1000 if latencies else 0.0
            result.read_p95_ms = percentile(latencies, 0.95) * 1000
            log(f"--workers {workers}: signing {load.items:,} bulk items")
            bodies, _ = generate_bodies(domain, key, load.items, plan, deadline, workdir)
            log(f"--workers {workers}: bulk registrations")
            run = run_batched(server.base, headers, bodies, load.concurrency)
            anchored_at, result.batches = wait_until_anchored(
                database_url, run.accepted, timeout_s=max(120.0, load.items / 100)
            )
            result.bulk_items = run.accepted
            result.bulk_ack_per_s = run.accepted / (run.acked_at - run.started_at)
            result.bulk_anchored_per_s = run.accepted / (anchored_at - run.started_at)
            result.bulk_request_p95_s = percentile(run.request_latencies, 0.95)
            result.requests_by_worker = server.requests_by_worker()
        finally:
            server.stop()
            for path in bodies:
                path.unlink(missing_ok=True)
    return result


# -- the command ---------------------------------------------------------------------------------


def report(load: Load, results: list[WorkersResult]) -> dict[str, Any]:
    def ratio(values: list[float]) -> str:
        return f"{values[-1] / values[0]:.2f}x" if len(values) > 1 and values[0] else ""

    rows: list[tuple[str, list[float], str]] = [
        (f"reads/s, GET /v1/assets/{{id}}, {load.clients} threads", [r.reads_per_s for r in results], ",.0f"),
        ("read latency p50 (ms)", [r.read_p50_ms for r in results], ".2f"),
        ("read latency p95 (ms)", [r.read_p95_ms for r in results], ".2f"),
        ("bulk registrations/s, acknowledged", [r.bulk_ack_per_s for r in results], ",.0f"),
        ("bulk registrations/s, to the last anchor", [r.bulk_anchored_per_s for r in results], ",.0f"),
        ("bulk request p95 (s)", [r.bulk_request_p95_s for r in results], ".2f"),
        ("batches anchored", [float(r.batches) for r in results], ",.0f"),
    ]
    width = 46
    print(
        f"\nWorkers benchmark ({load.mode}): PostgreSQL and anvil, {os.cpu_count()} cores shared with the "
        f"load generator; {load.items:,} bulk items in requests of {load.items_per_request:,}, "
        f"{load.concurrency} in flight"
    )
    print("".ljust(width) + "".join(f"--workers {r.workers}".rjust(14) for r in results) + "ratio".rjust(10))
    for label, values, style in rows:
        print(
            label.ljust(width) + "".join(format(v, style).rjust(14) for v in values) + ratio(values).rjust(10)
        )
    for r in results:
        served = " / ".join(f"{n:,.0f}" for n in r.requests_by_worker)
        print(f"requests answered per worker, --workers {r.workers} (lease holder first): {served}")
    errors = sum(r.read_errors for r in results)
    if errors:
        print(f"read errors: {errors}")
    summary: dict[str, Any] = {"mode": load.mode, **{f"workers_{r.workers}": r.as_json() for r in results}}
    if len(results) > 1 and results[0].reads_per_s and results[0].bulk_ack_per_s:
        summary["read_ratio"] = round(results[-1].reads_per_s / results[0].reads_per_s, 2)
        summary["bulk_ack_ratio"] = round(results[-1].bulk_ack_per_s / results[0].bulk_ack_per_s, 2)
        summary["bulk_anchored_ratio"] = round(
            results[-1].bulk_anchored_per_s / results[0].bulk_anchored_per_s, 2
        )
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table, then the JSON summary as the last line. Returns 0."""
    parser = argparse.ArgumentParser(prog="bench_workers", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about two minutes")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare, comma-separated")
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help="admin URL; throwaway databases are made"
    )
    parser.add_argument("--read-seconds", type=float)
    parser.add_argument("--clients", type=int, help="read client threads")
    parser.add_argument("--items", type=int, help="bulk items per worker count")
    args = parser.parse_args(argv)
    base = LOADS["quick" if args.quick else "full"]
    load = Load(
        base.mode,
        args.read_seconds or base.read_seconds,
        args.clients or base.clients,
        args.items or base.items,
        base.items_per_request,
        base.concurrency,
    )
    counts = [int(n) for n in args.workers.split(",") if n.strip()]

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results = []
    with running_anvil() as rpc_url, tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
        for workers in counts:
            workdir = Path(tmp) / f"workers-{workers}"
            workdir.mkdir()
            results.append(bench_workers(workers, rpc_url, args.postgres, load, workdir, log))
    summary = report(load, results)
    print(json.dumps(summary, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
