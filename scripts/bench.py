"""Benchmark: direct registrations (one transaction each) against batched ones (Merkle anchors), over HTTP.

For each chain (the embedded chain, when ``dataledger_devnet`` imports, and anvil on a free port) it
starts a real server (``uvicorn`` on loopback, in its own process, with its batcher) and measures:

* **direct path**: ``POST /v1/assets``, each registration relayed in its own transaction and
  confirmed before the answer (the existing single-registration service path), from ``--concurrency``
  client threads (one holder each, so each thread's holder nonces stay in order; the server's
  transaction sender serialises the relayer's nonces); ``--direct-concurrency 1`` runs it
  single-threaded, ``--direct-single-too`` adds a single-threaded run beside it;
* **batched path**: ``POST /v1/bulk/assets`` with ``--items-per-request`` holder-signed items per
  request, ``--concurrency`` requests in flight, until every item is anchored; the rate is items
  over the time from the first request to the last anchor (the acknowledgement rate is also shown);
* the batch sizes the batcher sealed (count, min/median/max leaves per anchored batch, read from the
  server's database): a batch is started when ``max_leaves`` entries wait or the oldest entry is
  ``max_delay_s`` old, and then takes every waiting entry up to 50,000;
* gas per registration both ways (receipts): direct, the batched anchor share per entry, and, since
  a batched asset is only written to the registry contract by its materialisation (on request or by
  its first rights act), the gas an asset costs through its first rights act when batched (anchor
  share + materialising it: a few batched assets are materialised by their holder over the API);
* anchor lag (acknowledgement to anchor) p50/p95, and the server's peak RSS (VmHWM).

Requests are signed before the clock starts (in parallel worker processes, written to a file), so the
figures measure the server, not the load generator. It also measures on one core of this process:
offline certificate verification, P-256 signature verification (OpenSSL and pure Python), EIP-712
signer recovery (eth_account and coincurve) and Merkle proof verification.

Usage: ``python scripts/bench.py [--quick | --smoke] [--chains embedded,anvil] [--profile DIR]``.
``--quick`` runs in under two minutes, ``--smoke`` in seconds (for tests); the default, full mode
registers 1,000,000 assets in batches per chain. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
for _path in (REPO_ROOT, REPO_ROOT / "hardhat-free-devnet"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import httpx  # noqa: E402

ANVIL = REPO_ROOT / "node_modules" / ".bin" / "anvil"
ADMIN_KEY = "dev-admin-key"
SIGNATURE_LIFETIME_S = 4 * 3600
JSON_KEYS = (
    "direct_regs_per_s",
    "batched_regs_per_s",
    "speedup",
    "gas_per_reg_direct",
    "gas_per_reg_batched",
    "anchor_lag_p95_s",
    "cert_verify_per_s",
    "peak_rss_mb",
    "direct_concurrency",
    "batched_concurrency",
    "batches",
    "batch_leaves_min",
    "batch_leaves_median",
    "batch_leaves_max",
    "gas_materialise",
    "gas_per_asset_first_act_batched",
)


@dataclass(frozen=True)
class Plan:
    mode: str
    direct: int
    batched: int
    items_per_request: int
    concurrency: int
    max_leaves: int
    max_delay_s: float
    verify_seconds: float
    materialise: int = 5  # batched assets materialised to measure its gas
    direct_concurrency: int | None = None  # client threads on the direct path; None: ``concurrency``


PLANS = {
    "smoke": Plan("smoke", 4, 1_000, 500, 2, 1_000, 1.0, 0.2, materialise=2),
    "quick": Plan("quick", 60, 30_000, 1_000, 2, 1_000, 1.0, 1.5, materialise=5),
    "full": Plan("full", 500, 1_000_000, 1_000, 2, 1_000, 1.0, 3.0, materialise=10),
}


@dataclass
class ChainResult:
    chain: str
    skipped: str | None = None
    direct_regs_per_s: float = 0.0
    direct_concurrency: int = 0
    direct_single_regs_per_s: float | None = None  # with --direct-single-too
    batched_regs_per_s: float = 0.0
    batched_concurrency: int = 0
    batched_ack_per_s: float = 0.0
    speedup: float = 0.0
    gas_per_reg_direct: float = 0.0
    gas_per_reg_batched: float = 0.0
    gas_materialise: float = 0.0
    gas_per_asset_first_act_batched: float = 0.0
    materialised: int = 0
    anchor_lag_p50_s: float = 0.0
    anchor_lag_p95_s: float = 0.0
    batches: int = 0
    batch_leaves_min: int = 0
    batch_leaves_median: float = 0.0
    batch_leaves_max: int = 0
    registrations: int = 0
    request_p95_s: float = 0.0
    peak_rss_mb: float = 0.0
    profile_top: list[str] = field(default_factory=list)


# -- the server under test -----------------------------------------------------------------------


def serve(argv: Sequence[str]) -> int:
    """Run the API with its batcher (the server side of the benchmark, in its own process)."""
    parser = argparse.ArgumentParser(prog="bench --serve")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--rpc-url")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--max-leaves", type=int, default=1_000)
    parser.add_argument("--max-delay", type=float, default=1.0)
    args = parser.parse_args(argv)

    import uvicorn

    from dataledger.api.app import create_app
    from dataledger.composition import build_services
    from dataledger.composition.settings import Settings

    services = build_services(
        Settings(
            data_dir=args.data_dir,
            rpc_url=args.rpc_url,
            environment="development",
            batch_max_leaves=args.max_leaves,
            batch_max_delay_s=args.max_delay,
        )
    )
    try:
        uvicorn.run(
            create_app(services), host="127.0.0.1", port=args.port, log_level="warning", access_log=False
        )
    finally:
        services.close()
    return 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, process: subprocess.Popen, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited early with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout_s}s")


@contextlib.contextmanager
def running_anvil() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [str(ANVIL), "--port", str(port), "--host", "127.0.0.1", "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("anvil did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


class Server:
    """The server process: started, asked for its peak memory, stopped."""

    def __init__(self, data_dir: Path, rpc_url: str | None, plan: Plan) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, str(Path(__file__).resolve()), "--serve", "--data-dir", str(data_dir)]
        command += [
            "--port",
            str(self.port),
            "--max-leaves",
            str(plan.max_leaves),
            "--max-delay",
            str(plan.max_delay_s),
        ]
        if rpc_url:
            command += ["--rpc-url", rpc_url]
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATALEDGER_")}
        self._log = open(data_dir.parent / f"server-{self.port}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        _wait_http(f"{self.base}/healthz", self.process)

    def peak_rss_mb(self) -> float:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


# -- load generation (before the clock starts) ---------------------------------------------------


def _sign_chunk(job: tuple[dict[str, Any], bytes, int, int, int, int, str, Path]) -> tuple[Path, list[str]]:
    """Worker: write ``count`` signed items as request bodies (one JSON line per request)."""
    from dataledger.api.schemas import AssetFactsBody
    from dataledger.registry.assets import metadata_commitment
    from dataledger.registry.batched_registrations import asset_id_bytes, authorisation_for, batched_nonce
    from dataledger.registry.fast_holder_signatures import RegistrationDigester, sign_registration_fast
    from dataledger.registry.holder_signatures import Eip712Domain

    domain_json, key, start, count, per_request, deadline, run_id, path = job
    domain = Eip712Domain(
        domain_json["chainId"], domain_json["verifyingContract"], domain_json["name"], domain_json["version"]
    )
    digester = RegistrationDigester(domain)
    holder = _address_of_key(key)
    last_ids: list[str] = []
    with path.open("wb") as out:
        for first in range(start, start + count, per_request):
            items = []
            for i in range(first, min(first + per_request, start + count)):
                facts = {
                    "name": f"bench dataset {i}",
                    "contentHash": "0x" + hashlib.sha256(f"{run_id}/{i}".encode()).hexdigest(),
                    "description": "synthetic benchmark dataset",
                    "source": "load generator",
                    "collectionMethod": "generated",
                    "scale": "1 row",
                    "updateFrequency": "once",
                    "industry": "benchmarking",
                    "rightClaimed": "data-resource-holding",
                }
                salt = "0x" + os.urandom(16).hex()
                domain_facts = AssetFactsBody.model_validate(facts).to_domain()
                metadata_hash = metadata_commitment(domain_facts, holder, salt)
                auth = authorisation_for(holder, domain_facts, metadata_hash, batched_nonce(i), deadline)
                signature = sign_registration_fast(key, auth, digester)
                items.append(
                    {
                        "facts": facts,
                        "salt": salt,
                        "nonce": str(auth.nonce),
                        "deadline": deadline,
                        "signature": signature,
                    }
                )
            last_ids.append(
                "0x" + asset_id_bytes(holder, items[-1]["facts"]["contentHash"], metadata_hash).hex()
            )
            out.write(json.dumps({"items": items}, separators=(",", ":")).encode() + b"\n")
    return path, last_ids


def _address_of_key(key: bytes) -> str:
    from eth_account import Account

    return Account.from_key(key).address


def generate_bodies(
    domain: dict[str, Any], key: bytes, count: int, plan: Plan, deadline: int, workdir: Path
) -> tuple[list[Path], list[str]]:
    """Sign ``count`` items into request-body files, using every core.

    Returns the files in order and the asset id of the last item of each request body.
    """
    workers = max(1, min(os.cpu_count() or 1, 4))
    per_worker = -(-count // workers)
    per_worker = -(-per_worker // plan.items_per_request) * plan.items_per_request
    run_id = os.urandom(8).hex()
    jobs = []
    for w, start in enumerate(range(0, count, per_worker)):
        jobs.append(
            (
                domain,
                key,
                start,
                min(per_worker, count - start),
                plan.items_per_request,
                deadline,
                run_id,
                workdir / f"bodies-{w}.jsonl",
            )
        )
    with ProcessPoolExecutor(workers) as pool:
        signed = list(pool.map(_sign_chunk, jobs))
    return [path for path, _ in signed], [asset_id for _, ids in signed for asset_id in ids]


# -- the two paths -------------------------------------------------------------------------------


def enterprise(client: httpx.Client) -> tuple[bytes, dict[str, str]]:
    """A new enterprise with a fresh key; returns (key, auth headers)."""
    key = os.urandom(32)
    response = client.post(
        "/v1/participants",
        json={"name": f"bench holder {key[:4].hex()}", "role": "enterprise", "address": _address_of_key(key)},
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
    )
    response.raise_for_status()
    return key, {"Authorization": f"Bearer {response.json()['apiKey']}"}


def _direct_submissions(client: httpx.Client, count: int) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """A new holder and ``count`` registrations it signed, in its nonce order (before the clock)."""
    from dataledger.registry.holder_signatures import sign_typed_data

    key, headers = enterprise(client)
    submissions: list[dict[str, Any]] = []
    first_nonce = None
    for i in range(count):
        facts = {"name": f"direct dataset {i}", "contentHash": "0x" + os.urandom(32).hex()}
        prepared = client.post("/v1/assets/registration-requests", json={"facts": facts}, headers=headers)
        prepared.raise_for_status()
        p = prepared.json()
        first_nonce = p["nonce"] if first_nonce is None else first_nonce
        typed = p["typedData"]
        typed["message"]["nonce"] = first_nonce + i  # the holder's next nonces, in order
        submissions.append(
            {
                "facts": facts,
                "salt": p["salt"],
                "nonce": first_nonce + i,
                "deadline": p["deadline"],
                "signature": sign_typed_data(key, typed),
            }
        )
    return headers, submissions


def run_direct(client: httpx.Client, count: int, concurrency: int) -> tuple[float, list[str]]:
    """Direct registrations from ``concurrency`` client threads, one holder each (its nonces in order),
    one registration per request and per transaction; returns (registrations/s, tx hashes)."""
    threads = max(1, min(concurrency, count))
    shares = [count // threads + (1 if t < count % threads else 0) for t in range(threads)]
    work = [_direct_submissions(client, share) for share in shares]
    tx_hashes: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)

    def sender(headers: dict[str, str], submissions: list[dict[str, Any]]) -> None:
        with httpx.Client(base_url=client.base_url, timeout=120) as own:
            start.wait()
            for body in submissions:
                response = own.post("/v1/assets", json=body, headers=headers)
                with lock:
                    if response.status_code >= 400:
                        errors.append(response.text[:300])
                        return
                    evidence = response.json().get("chainEvidence") or {}
                    if evidence.get("txHash"):
                        tx_hashes.append(evidence["txHash"])

    workers = [threading.Thread(target=sender, args=job) for job in work]
    for worker in workers:
        worker.start()
    start.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} direct registrations failed, first: {errors[0]}")
    return count / elapsed, tx_hashes


def materialise_some(
    client: httpx.Client, headers: dict[str, str], asset_ids: Sequence[str], count: int
) -> list[str]:
    """Materialise ``count`` anchored batched assets, spread over the run, by their holder; tx hashes."""
    if count <= 0 or not asset_ids:
        return []
    step = max(1, len(asset_ids) // count)
    tx_hashes = []
    for asset_id in list(asset_ids)[::step][:count]:
        response = client.post(f"/v1/bulk/assets/{asset_id}/materialise", headers=headers, timeout=120)
        if response.status_code != 201:
            raise RuntimeError(f"materialising {asset_id}: {response.status_code} {response.text[:300]}")
        tx_hashes.append(response.json()["asset"]["chainEvidence"]["txHash"])
    return tx_hashes


@dataclass
class BatchedRun:
    started_at: float
    acked_at: float
    accepted: int
    request_latencies: list[float]


def run_batched(base: str, headers: dict[str, str], bodies: list[Path], concurrency: int) -> BatchedRun:
    """Send every body, ``concurrency`` requests in flight; returns when all are acknowledged."""

    def lines() -> Iterator[bytes]:
        for path in bodies:
            with path.open("rb") as source:
                yield from source

    source = lines()
    lock = threading.Lock()
    latencies: list[float] = []
    accepted = [0]
    errors: list[str] = []

    def sender() -> None:
        with httpx.Client(base_url=base, timeout=300) as client:
            while True:
                with lock:
                    body = next(source, None)
                if body is None:
                    return
                sent = time.perf_counter()
                response = client.post(
                    "/v1/bulk/assets", content=body, headers={**headers, "Content-Type": "application/json"}
                )
                took = time.perf_counter() - sent
                with lock:
                    latencies.append(took)
                    if response.status_code >= 400:
                        errors.append(response.text[:300])
                    else:
                        accepted[0] += response.json()["accepted"]

    started_at = time.time()
    threads = [threading.Thread(target=sender) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} bulk requests failed, first: {errors[0]}")
    return BatchedRun(started_at, time.time(), accepted[0], latencies)


def wait_until_anchored(database: Path, expected: int, timeout_s: float) -> None:
    """Poll the server's database (read-only) until every outbox entry is in an anchored batch."""
    deadline = time.monotonic() + timeout_s
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)) as db:
        while time.monotonic() < deadline:
            total = db.execute("SELECT count(*) FROM anchor_outbox").fetchone()[0]
            unbatched = db.execute("SELECT count(*) FROM anchor_outbox WHERE batch_id IS NULL").fetchone()[0]
            unanchored = db.execute(
                "SELECT count(*) FROM anchor_batches WHERE status != 'anchored'"
            ).fetchone()[0]
            if total >= expected and unbatched == 0 and unanchored == 0:
                return
            time.sleep(0.1)
    raise RuntimeError(f"the entries were not all anchored within {timeout_s}s")


def anchoring_figures(database: Path) -> tuple[float, list[tuple[float, int]], list[str]]:
    """(time of the last anchor, (lag acknowledgement -> anchor in s, entries) pairs, anchor tx hashes).

    The entries of one request share their acknowledgement time and those of one batch their anchor
    time, so lags are counted per (request, batch) pair: a few thousand rows for a million entries.
    """
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        last = db.execute("SELECT max(anchored_at) FROM anchor_batches").fetchone()[0]
        lags = [
            (float(lag), int(count))
            for lag, count in db.execute(
                "SELECT (julianday(b.anchored_at) - julianday(o.created_at)) * 86400.0, count(*) "
                "FROM anchor_outbox o JOIN anchor_batches b ON o.batch_id = b.id "
                "GROUP BY o.batch_id, o.created_at"
            )
        ]
        tx_hashes = [row[0] for row in db.execute("SELECT tx_hash FROM anchor_batches ORDER BY id")]
    last_at = datetime.fromisoformat(last).replace(tzinfo=UTC).timestamp()
    return last_at, lags, tx_hashes


def batch_sizes(database: Path) -> list[int]:
    """The leaf count of every anchored batch, in the order they were sealed."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return [
            int(row[0])
            for row in db.execute(
                "SELECT leaf_count FROM anchor_batches WHERE status = 'anchored' ORDER BY id"
            )
        ]


def gas_used(data_dir: Path, rpc_url: str | None, tx_hashes: Sequence[str]) -> int:
    from dataledger.ledger.chain.connection import connect

    w3 = connect(rpc_url, data_dir / "chain")
    try:
        return sum(int(w3.eth.get_transaction_receipt(tx)["gasUsed"]) for tx in tx_hashes)
    finally:
        if hasattr(w3.provider, "close"):
            w3.provider.close()


def percentile(values: Sequence[float], q: float) -> float:
    return weighted_percentile([(v, 1) for v in values], q)


def weighted_percentile(pairs: Sequence[tuple[float, int]], q: float) -> float:
    """The ``q`` quantile of values given as (value, how many times) pairs."""
    total = sum(count for _, count in pairs)
    if total == 0:
        return 0.0
    rank, seen = q * total, 0
    for value, count in sorted(pairs):
        seen += count
        if seen > rank:
            return value
    return max(value for value, _ in pairs)


# -- profiling -----------------------------------------------------------------------------------


@contextlib.contextmanager
def profiled(pid: int, out: Path | None) -> Iterator[list[str]]:
    """Sample the server with py-spy while the block runs; yields the top frames by own time, filled after."""
    top: list[str] = []
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if out is None or not Path(spy).exists():
        yield top
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--rate",
            "50",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # let it attach
    try:
        yield top
    finally:
        process.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        top.extend(_top_frames(out))


def _top_frames(raw: Path, limit: int = 12) -> list[str]:
    own: Counter[str] = Counter()
    total = 0
    with contextlib.suppress(OSError):
        for line in raw.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            frame = stack.rsplit(";", 1)[-1]
            own[frame] += int(count)
            total += int(count)
    return [f"{100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(limit)] if total else []


# -- one chain -----------------------------------------------------------------------------------


def bench_chain(
    chain: str,
    rpc_url: str | None,
    plan: Plan,
    workdir: Path,
    profile_dir: Path | None,
    direct_single: bool = False,
) -> ChainResult:
    result = ChainResult(chain)
    data_dir = workdir / chain / "data"
    data_dir.mkdir(parents=True)
    server = Server(data_dir, rpc_url, plan)
    bodies: list[Path] = []
    direct_concurrency = plan.direct_concurrency or plan.concurrency
    try:
        with httpx.Client(base_url=server.base, timeout=120) as client:
            direct_rate, direct_txs = run_direct(client, plan.direct, direct_concurrency)
            if direct_single:
                result.direct_single_regs_per_s = run_direct(client, plan.direct, 1)[0]
            domain = client.get("/v1/registrar").json()["registry"]["eip712Domain"]
            key, headers = enterprise(client)
            deadline = _chain_time(client, headers) + SIGNATURE_LIFETIME_S
            bodies, batched_ids = generate_bodies(domain, key, plan.batched, plan, deadline, workdir / chain)
        profile_out = profile_dir / f"server-{chain}.raw" if profile_dir else None
        with profiled(server.process.pid, profile_out) as top:
            run = run_batched(server.base, headers, bodies, plan.concurrency)
            wait_until_anchored(
                data_dir / "dataledger.db", run.accepted, timeout_s=max(60.0, plan.batched / 200)
            )
        result.profile_top = top
        result.peak_rss_mb = server.peak_rss_mb()
        with httpx.Client(base_url=server.base, timeout=120) as client:
            materialise_txs = materialise_some(client, headers, batched_ids, plan.materialise)
    finally:
        server.stop()
    for path in bodies:
        path.unlink(missing_ok=True)

    last_anchor_at, lags, anchor_txs = anchoring_figures(data_dir / "dataledger.db")
    sizes = batch_sizes(data_dir / "dataledger.db")
    result.registrations = run.accepted
    result.batches = len(anchor_txs)
    if sizes:
        result.batch_leaves_min, result.batch_leaves_max = min(sizes), max(sizes)
        result.batch_leaves_median = float(statistics.median(sizes))
    result.direct_regs_per_s = direct_rate
    result.direct_concurrency = direct_concurrency
    result.batched_concurrency = plan.concurrency
    result.batched_ack_per_s = run.accepted / (run.acked_at - run.started_at)
    result.batched_regs_per_s = run.accepted / max(last_anchor_at - run.started_at, 1e-9)
    result.speedup = result.batched_regs_per_s / direct_rate if direct_rate else 0.0
    result.anchor_lag_p50_s = weighted_percentile(lags, 0.50)
    result.anchor_lag_p95_s = weighted_percentile(lags, 0.95)
    result.request_p95_s = percentile(run.request_latencies, 0.95)
    result.gas_per_reg_direct = gas_used(data_dir, rpc_url, direct_txs) / max(len(direct_txs), 1)
    result.gas_per_reg_batched = gas_used(data_dir, rpc_url, anchor_txs) / max(run.accepted, 1)
    result.materialised = len(materialise_txs)
    if materialise_txs:
        result.gas_materialise = gas_used(data_dir, rpc_url, materialise_txs) / len(materialise_txs)
        result.gas_per_asset_first_act_batched = result.gas_per_reg_batched + result.gas_materialise
    return result


def _chain_time(client: httpx.Client, headers: dict[str, str]) -> int:
    """The chain's clock (latest block timestamp), read from the deadline the API proposes."""
    from dataledger.registry.batched_registrations import DEFAULT_SIGNATURE_LIFETIME_S

    prepared = client.post(
        "/v1/bulk/assets/registration-requests",
        json={"items": [{"facts": {"name": "clock", "contentHash": "0x" + "01" * 32}}]},
        headers=headers,
    )
    prepared.raise_for_status()
    return int(prepared.json()["items"][0]["deadline"]) - DEFAULT_SIGNATURE_LIFETIME_S


# -- verification rates (one core, this process) --------------------------------------------------


def rate(fn: Any, seconds: float) -> float:
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while True:
        for _ in range(50):
            fn()
        count += 50
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - started)


def verification_rates(seconds: float) -> dict[str, float]:
    from datetime import timedelta

    from eth_account import Account

    from dataledger.registry.certificate import CertificateFacts, issue_certificate
    from dataledger.registry.certificate_verifier import CertificateVerifier
    from dataledger.registry.chain_types import ChainEvidence
    from dataledger.registry.fast_holder_signatures import (
        RegistrationDigester,
        recover_signer,
        sign_registration_fast,
    )
    from dataledger.registry.holder_signatures import (
        Eip712Domain,
        RegistrationAuthorisation,
        recover_registration_signer,
    )
    from dataledger.registry.merkle import MerkleTree, verify_proof
    from dataledger.registry.registrar_keys import RegistrarKey

    rates: dict[str, float] = {}
    key = RegistrarKey.generate()
    issued = datetime.now(UTC).replace(microsecond=0)
    facts = CertificateFacts(
        certificate_number="DIP-202611-460100-000001",
        registration_number="460100-2026-00000042-3",
        asset={
            "asset_id": "0x" + "11" * 32,
            "name": "Qingdao port container throughput 2025",
            "content_hash": "0x" + "22" * 32,
            "metadata_hash": "0x" + "33" * 32,
            "industry": "logistics",
            "right_claimed": "data-resource-holding",
        },
        holder_address=Account.create().address,
        holder_name="Bench Holder Ltd",
        evidence=ChainEvidence(31337, "0x" + "44" * 20, "0x" + "55" * 32, 42, 0),
        issued_at=issued,
        registrar_name="Bench Registrar",
        valid_until=issued + timedelta(days=365),
    )
    vc = issue_certificate(facts, key)
    verifier = CertificateVerifier([key.public_key])
    assert verifier.verify(vc).valid
    rates["cert_verify_per_s"] = rate(lambda: verifier.verify(vc), seconds)
    message, signature = b"x" * 200, key.sign(b"x" * 200)
    public = key.public_key
    rates["p256_verify_openssl_per_s"] = rate(lambda: public.verify_with_openssl(message, signature), seconds)
    rates["p256_verify_ecdsa_per_s"] = rate(lambda: public.verify_with_ecdsa(message, signature), seconds / 3)

    holder = Account.create()
    domain = Eip712Domain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
    auth = RegistrationAuthorisation(holder.address, "0x" + "11" * 32, "0x" + "22" * 32, 2**255 + 1, 10**10)
    digester = RegistrationDigester(domain)
    holder_signature = sign_registration_fast(bytes(holder.key), auth, digester)
    raw = bytes.fromhex(holder_signature[2:])
    rates["eip712_recover_eth_account_per_s"] = rate(
        lambda: recover_registration_signer(auth, domain, holder_signature), seconds / 3
    )
    rates["eip712_recover_coincurve_per_s"] = rate(
        lambda: recover_signer(digester.digest(auth), raw), seconds
    )

    tree = MerkleTree([hashlib.sha256(str(i).encode()).digest() for i in range(1000)])
    leaf, proof, root = tree.leaf(500), tree.proof(500), tree.root
    rates["merkle_verify_per_s"] = rate(lambda: verify_proof(root, leaf, proof), seconds)
    return rates


# -- report --------------------------------------------------------------------------------------


def report(plan: Plan, chains: list[ChainResult], rates: dict[str, float]) -> dict[str, Any]:
    ran = [c for c in chains if c.skipped is None]
    primary = next((c for c in ran if c.chain == "embedded"), ran[0] if ran else ChainResult("none"))
    concurrency = f"{plan.direct_concurrency or plan.concurrency}"
    rows = [
        (f"direct registrations/s ({concurrency} client threads)", "direct_regs_per_s", "{:,.1f}"),
        *(
            [("direct registrations/s (1 client thread)", "direct_single_regs_per_s", "{:,.1f}")]
            if any(c.direct_single_regs_per_s is not None for c in ran)
            else []
        ),
        (
            f"batched registrations/s, to last anchor ({plan.concurrency} client threads)",
            "batched_regs_per_s",
            "{:,.0f}",
        ),
        ("batched acknowledgements/s", "batched_ack_per_s", "{:,.0f}"),
        ("speedup (batched / direct registrations/s)", "speedup", "{:,.0f}x"),
        ("gas per registration, direct (own transaction)", "gas_per_reg_direct", "{:,.0f}"),
        ("gas per registration, batched: anchor share only", "gas_per_reg_batched", "{:,.1f}"),
        ("gas to materialise one batched asset", "gas_materialise", "{:,.0f}"),
        (
            "gas per asset through first rights act, batched (anchor share + materialise)",
            "gas_per_asset_first_act_batched",
            "{:,.0f}",
        ),
        ("anchor lag p50 (s)", "anchor_lag_p50_s", "{:.2f}"),
        ("anchor lag p95 (s)", "anchor_lag_p95_s", "{:.2f}"),
        ("bulk request p95 (s)", "request_p95_s", "{:.2f}"),
        ("batches anchored", "batches", "{:,}"),
        ("leaves per batch, min", "batch_leaves_min", "{:,}"),
        ("leaves per batch, median", "batch_leaves_median", "{:,.0f}"),
        ("leaves per batch, max", "batch_leaves_max", "{:,}"),
        ("registrations batched", "registrations", "{:,}"),
        ("batched assets materialised (for their gas)", "materialised", "{:,}"),
        ("server peak RSS (MB)", "peak_rss_mb", "{:,.0f}"),
    ]
    width = max(len(r[0]) for r in rows) + 2
    print(
        f"\ndataledger bench ({plan.mode}), per chain: "
        f"{plan.batched:,} batched and {plan.direct} direct registrations; "
        f"a batch is started at {plan.max_leaves:,} waiting entries or when the oldest is "
        f"{plan.max_delay_s:g} s old, and takes every waiting entry up to 50,000"
    )
    print("".ljust(width) + "".join(c.chain.rjust(14) for c in chains))
    for label, attr, fmt in rows:
        cells = [
            "skipped".rjust(14)
            if c.skipped
            else "-".rjust(14)
            if getattr(c, attr) is None
            else fmt.format(getattr(c, attr)).rjust(14)
            for c in chains
        ]
        print(label.ljust(width) + "".join(cells))
    for c in chains:
        if c.skipped:
            print(f"{c.chain}: skipped ({c.skipped})")
    print(
        "a batched asset is written to the registry contract only when materialised (on request or by "
        "its first rights act):\ncompare a direct registration's gas with the batched gas through the "
        "first rights act, not with the anchor share alone"
    )
    print("\none core of this process:")
    for name, value in rates.items():
        print(f"  {name.ljust(36)}{value:>14,.0f}")
    for c in ran:
        if c.profile_top:
            print(f"\nserver profile on {c.chain} (py-spy, own time):")
            for line in c.profile_top:
                print("  " + line)
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary: dict[str, Any] = {
        "mode": plan.mode,
        "chain": primary.chain,
        "direct_regs_per_s": round(primary.direct_regs_per_s, 2),
        "direct_concurrency": primary.direct_concurrency,
        "batched_regs_per_s": round(primary.batched_regs_per_s, 1),
        "batched_concurrency": primary.batched_concurrency,
        "speedup": round(primary.speedup, 1),
        "gas_per_reg_direct": round(primary.gas_per_reg_direct, 1),
        "gas_per_reg_batched": round(primary.gas_per_reg_batched, 2),
        "gas_materialise": round(primary.gas_materialise, 1),
        "gas_per_asset_first_act_batched": round(primary.gas_per_asset_first_act_batched, 1),
        "batches": primary.batches,
        "batch_leaves_min": primary.batch_leaves_min,
        "batch_leaves_median": primary.batch_leaves_median,
        "batch_leaves_max": primary.batch_leaves_max,
        "batch_max_leaves_setting": plan.max_leaves,
        "batch_max_delay_s_setting": plan.max_delay_s,
        "anchor_lag_p95_s": round(primary.anchor_lag_p95_s, 3),
        "cert_verify_per_s": round(rates.get("cert_verify_per_s", 0.0), 1),
        "peak_rss_mb": round(max((c.peak_rss_mb for c in ran), default=0.0), 1),
        "bench_process_peak_rss_mb": round(self_rss, 1),
        "registrations_batched": primary.registrations,
        "chains": {
            c.chain: (
                {"skipped": c.skipped}
                if c.skipped
                else {
                    k: round(v, 3) if isinstance(v, float) else v
                    for k, v in vars(c).items()
                    if k not in ("chain", "skipped", "profile_top")
                }
            )
            for c in chains
        },
        **{k: round(v, 1) for k, v in rates.items() if k != "cert_verify_per_s"},
    }
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; print the table, then the JSON summary as the last line. Returns 0."""
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="under two minutes")
    parser.add_argument(
        "--smoke", action="store_true", help="seconds: the smallest run that shows every figure"
    )
    parser.add_argument("--chains", default="embedded,anvil", help="comma-separated: embedded, anvil")
    parser.add_argument("--batched", type=int, help="registrations to batch per chain (overrides the mode)")
    parser.add_argument("--direct", type=int, help="direct registrations per chain (overrides the mode)")
    parser.add_argument(
        "--concurrency", type=int, help="client threads: bulk requests in flight, and direct senders"
    )
    parser.add_argument(
        "--direct-concurrency", type=int, help="client threads on the direct path (default: --concurrency)"
    )
    parser.add_argument(
        "--direct-single-too",
        action="store_true",
        help="also run the direct path single-threaded, shown on its own row",
    )
    parser.add_argument("--profile", type=Path, help="sample the server with py-spy, write raw stacks here")
    parser.add_argument("--workdir", type=Path, help="keep data here (default: a temporary directory)")
    if argv is None:
        argv = sys.argv[1:]
    if argv and argv[0] == "--serve":
        return serve(argv[1:])
    args = parser.parse_args(argv)
    plan = PLANS["smoke" if args.smoke else "quick" if args.quick else "full"]
    overrides = {
        "direct": args.direct,
        "batched": args.batched,
        "concurrency": args.concurrency,
        "direct_concurrency": args.direct_concurrency,
    }
    plan = Plan(**{**vars(plan), **{k: v for k, v in overrides.items() if v is not None}})

    workdir_context = (
        contextlib.nullcontext(args.workdir)
        if args.workdir
        else tempfile.TemporaryDirectory(prefix="dataledger-bench-")
    )
    chains: list[ChainResult] = []
    with workdir_context as workdir_name:
        workdir = Path(workdir_name)
        workdir.mkdir(parents=True, exist_ok=True)
        for chain in [c.strip() for c in args.chains.split(",") if c.strip()]:
            if chain == "embedded":
                try:
                    import dataledger_devnet.provider  # noqa: F401
                except Exception as exc:  # the embedded chain may not be buildable here
                    chains.append(
                        ChainResult(chain, skipped=f"dataledger_devnet.provider does not import: {exc}")
                    )
                    continue
                chains.append(bench_chain(chain, None, plan, workdir, args.profile, args.direct_single_too))
            elif chain == "anvil":
                if not ANVIL.exists():
                    chains.append(ChainResult(chain, skipped=f"{ANVIL} is missing (npm ci)"))
                    continue
                with running_anvil() as url:
                    chains.append(
                        bench_chain(chain, url, plan, workdir, args.profile, args.direct_single_too)
                    )
            else:
                parser.error(f"unknown chain {chain!r}")
    rates = verification_rates(plan.verify_seconds)
    summary = report(plan, chains, rates)
    print(json.dumps(summary, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
