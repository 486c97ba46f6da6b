"""Benchmark: devnet restart (open) time against history length, and log queries on that history.

Builds two chains from raw signed transactions (half of them emit an event, one transaction per
block, as automine does), then reopens each several times and reports the median open time (open the
data directory, read the head and a balance). Restart must not grow with history, since the state is
on disk and nothing is replayed. Also prints the build throughput and an ``eth_getLogs`` timing.

Usage: ``python scripts/bench_devnet_restart.py [--quick]``. The last line is a JSON object with
``restart_s_1k``, ``restart_s_10k`` and ``ratio`` (``--quick`` builds 100 and 1,000 transactions
instead; the keys keep their names and ``txs`` says what was built).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
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
    parser.add_argument(
        "--quick", action="store_true", help="100 and 1,000 transactions instead of 1k and 10k"
    )
    args = parser.parse_args(argv)
    sizes = (100, 1_000) if args.quick else (1_000, 10_000)

    results = []
    with tempfile.TemporaryDirectory(prefix="devnet-bench-") as root:
        for size in sizes:
            data_dir = Path(root) / f"chain-{size}"
            throughput, disk = build_chain(data_dir, size)
            restart = restart_seconds(data_dir)
            logs_s, log_count = get_logs_seconds(data_dir)
            results.append((size, throughput, disk, restart, logs_s, log_count))

    columns = ("history (txs)", "build tx/s", "disk MiB", "restart ms", "getLogs ms", "logs")
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, (14, 11, 9, 11, 11, 6), strict=True)))
    for size, throughput, disk, restart, logs_s, log_count in results:
        print(
            f"{size:>14,} {throughput:>11.0f} {disk / 2**20:>9.1f} {restart * 1e3:>11.2f} "
            f"{logs_s * 1e3:>11.1f} {log_count:>6}"
        )
    small, large = results[0][3], results[1][3]
    ratio = large / small
    growth = sizes[1] // sizes[0]
    print(f"restart ratio {sizes[1]:,} vs {sizes[0]:,} transactions: {ratio:.2f}x (history grew {growth}x)")
    print(
        json.dumps(
            {
                "restart_s_1k": round(small, 6),
                "restart_s_10k": round(large, 6),
                "ratio": round(ratio, 3),
                "txs": sizes,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
