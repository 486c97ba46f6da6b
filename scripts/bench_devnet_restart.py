"""Benchmark: devnet restart time against history length, and log queries on that history.

Builds two chains from raw signed transactions (half of them emit an event, one transaction per
block, as automine does), then measures on each:

* **process restart**: start ``python -m dataledger_devnet --data-dir DIR --port 0`` (a new
  interpreter: imports, opening the store, binding the port) until it answers ``eth_blockNumber``
  over JSON-RPC with the chain's head; the median of a few starts, each process stopped after;
* **in-process reopen**: in this process (modules already imported), open the data directory, read
  the head and a balance; the median of several reopens.

Neither must grow with history, since the state is on disk and nothing is replayed. Also prints the
build throughput and an ``eth_getLogs`` timing.

Usage: ``python scripts/bench_devnet_restart.py [--quick | --smoke]``. The last line is a JSON object
with ``process_restart_s_1k``, ``process_restart_s_10k`` and ``process_restart_ratio`` (the process
restart), ``reopen_in_process_s_1k``, ``reopen_in_process_s_10k`` and ``ratio`` (the in-process
reopen; ``restart_s_1k`` and ``restart_s_10k`` are the same figures under their earlier names).
``--quick`` builds 100 and 1,000 transactions instead, ``--smoke`` 10 and 50 with one process start
each; the keys keep their names and ``txs`` says what was built.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from eth_account import Account
from eth_utils import keccak, to_checksum_address

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "hardhat-free-devnet"))

from dataledger_devnet import Dispatcher, dev_accounts, open_chain  # noqa: E402

PROBE = json.loads((REPO_ROOT / "tests" / "devnet" / "assets" / "DevnetProbe.json").read_text())
PROBE_ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3"  # the first contract of dev account 0
REOPENS = 7
PROCESS_STARTS = 3


def _store_data(value: int) -> bytes:
    """Calldata of the probe's ``store(value, 0)``: one ``ValueStored`` event."""
    return keccak(text="store(uint256,bytes32)")[:4] + value.to_bytes(32, "big") + b"\0" * 32


def build_chain(data_dir: Path, transactions: int) -> tuple[float, int]:
    """Mine ``transactions`` raw transactions into a fresh chain; returns (tx/s, disk bytes)."""
    key = dev_accounts()[0].private_key.to_bytes()
    chain = open_chain(data_dir, sync=False)
    try:
        deploy = Account.sign_transaction(
            {"data": PROBE["bytecode"], "gas": 500_000, "gasPrice": 10**10, "nonce": 0, "chainId": 31337}, key
        )
        chain.send_raw_transaction(bytes(deploy.raw_transaction))
        elapsed = 0.0
        for nonce in range(1, transactions + 1):
            if nonce % 2:
                fields = {"to": PROBE_ADDRESS, "data": _store_data(nonce + 100), "gas": 100_000}
            else:
                fields = {"to": to_checksum_address("0x" + "11" * 20), "value": 1, "gas": 21_000}
            fields |= {
                "maxFeePerGas": 10**10,
                "maxPriorityFeePerGas": 10**9,
                "nonce": nonce,
                "chainId": 31337,
            }
            raw = bytes(Account.sign_transaction(fields, key).raw_transaction)
            started = time.perf_counter()
            chain.send_raw_transaction(raw)
            elapsed += time.perf_counter() - started
        return transactions / elapsed, chain.store.disk_bytes()
    finally:
        chain.close()


def restart_seconds(data_dir: Path) -> float:
    """Median time to open the chain and answer from it."""
    samples = []
    for _ in range(REOPENS):
        started = time.perf_counter()
        chain = open_chain(data_dir)
        chain.head()
        chain.state().get_balance(dev_accounts()[0].address)
        samples.append(time.perf_counter() - started)
        chain.close()
    return statistics.median(samples)


def _rpc(url: str, method: str) -> object:
    request = urllib.request.Request(
        url,
        data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": []}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["result"]


def process_restart_seconds(data_dir: Path, starts: int, expected_head: int) -> float:
    """Median time from starting ``python -m dataledger_devnet`` on ``data_dir`` to its first answer
    to ``eth_blockNumber`` (checked to be the chain's head)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT / "hardhat-free-devnet"), *filter(None, [env.get("PYTHONPATH")])]
    )
    command = [sys.executable, "-m", "dataledger_devnet", "--data-dir", str(data_dir), "--port", "0"]
    samples = []
    for _ in range(starts):
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()  # "devnet listening on http://127.0.0.1:PORT (...)"
            if not line.startswith("devnet listening on "):
                process.kill()
                raise RuntimeError(f"the devnet did not start: {line!r} {process.communicate()[1][-2000:]}")
            url = line.split()[3]
            head = int(str(_rpc(url, "eth_blockNumber")), 16)
            samples.append(time.perf_counter() - started)
            if head != expected_head:
                raise RuntimeError(f"the restarted devnet is at block {head}, expected {expected_head}")
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    return statistics.median(samples)


def get_logs_seconds(data_dir: Path) -> tuple[float, int]:
    """Time of one ``eth_getLogs`` over the whole chain for the probe's events."""
    chain = open_chain(data_dir)
    try:
        dispatcher = Dispatcher(chain)
        request = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "eth_getLogs",
            "params": [{"fromBlock": "earliest", "toBlock": "latest", "address": PROBE_ADDRESS}],
        }
        started = time.perf_counter()
        logs = dispatcher.handle(request)["result"]
        return time.perf_counter() - started, len(logs)
    finally:
        chain.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="100 and 1,000 transactions instead of 1k and 10k")
    mode.add_argument("--smoke", action="store_true", help="10 and 50 transactions, one process start each")
    args = parser.parse_args(argv)
    sizes = (10, 50) if args.smoke else (100, 1_000) if args.quick else (1_000, 10_000)
    starts = 1 if args.smoke else PROCESS_STARTS

    results = []
    with tempfile.TemporaryDirectory(prefix="devnet-bench-") as root:
        for size in sizes:
            data_dir = Path(root) / f"chain-{size}"
            throughput, disk = build_chain(data_dir, size)
            process_restart = process_restart_seconds(data_dir, starts, expected_head=size + 1)
            restart = restart_seconds(data_dir)
            logs_s, log_count = get_logs_seconds(data_dir)
            results.append((size, throughput, disk, process_restart, restart, logs_s, log_count))

    columns = (
        "history (txs)",
        "build tx/s",
        "disk MiB",
        "process restart ms",
        "in-process reopen ms",
        "getLogs ms",
        "logs",
    )
    widths = (14, 11, 9, 19, 21, 11, 6)
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, widths, strict=True)))
    for size, throughput, disk, process_restart, restart, logs_s, log_count in results:
        print(
            f"{size:>14,} {throughput:>11.0f} {disk / 2**20:>9.1f} {process_restart * 1e3:>19.0f} "
            f"{restart * 1e3:>21.2f} {logs_s * 1e3:>11.1f} {log_count:>6}"
        )
    print(
        f"process restart: python -m dataledger_devnet until it answers eth_blockNumber, median of {starts}; "
        f"in-process reopen: open the store in this process, median of {REOPENS}"
    )
    small, large = results[0][4], results[1][4]
    ratio = large / small
    process_small, process_large = results[0][3], results[1][3]
    process_ratio = process_large / process_small
    growth = sizes[1] // sizes[0]
    print(
        f"{sizes[1]:,} vs {sizes[0]:,} transactions (history grew {growth}x): process restart "
        f"{process_ratio:.2f}x, in-process reopen {ratio:.2f}x"
    )
    print(
        json.dumps(
            {
                "process_restart_s_1k": round(process_small, 4),
                "process_restart_s_10k": round(process_large, 4),
                "process_restart_ratio": round(process_ratio, 3),
                "reopen_in_process_s_1k": round(small, 6),
                "reopen_in_process_s_10k": round(large, 6),
                "restart_s_1k": round(small, 6),
                "restart_s_10k": round(large, 6),
                "ratio": round(ratio, 3),
                "txs": sizes,
                "process_starts": starts,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
