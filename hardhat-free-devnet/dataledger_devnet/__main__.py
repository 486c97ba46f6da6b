"""``python -m dataledger_devnet`` / ``dataledger-devnet``: serve a persistent devnet over JSON-RPC."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from dataledger_devnet.chain import open_chain
from dataledger_devnet.errors import DevnetError
from dataledger_devnet.server import DevnetServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dataledger-devnet", description="A persistent local EVM chain (py-evm) served over JSON-RPC."
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="chain directory (created if missing)")
    parser.add_argument("--port", type=int, default=8545, help="TCP port; 0 picks a free one (default 8545)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default loopback)")
    parser.add_argument("--chain-id", type=int, default=None, help="chain id of a new chain (default 31337)")
    parser.add_argument(
        "--block-time",
        type=float,
        default=None,
        help="mine every N seconds instead of one block per transaction",
    )
    parser.add_argument(
        "--no-fsync", action="store_true", help="skip fsync per block (survives kill -9, not a power cut)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, stream=sys.stderr)
    try:
        chain = open_chain(args.data_dir, chain_id=args.chain_id, sync=not args.no_fsync)
    except DevnetError as exc:
        print(f"dataledger-devnet: {exc.message}", file=sys.stderr)
        return 2
    try:
        server = DevnetServer(chain, args.host, args.port, block_time=args.block_time)
    except OSError as exc:
        chain.close()
        print(f"dataledger-devnet: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    server.start()
    head = chain.head().block_number
    print(f"devnet listening on {server.url} (chain id {chain.chain_id}, head block {head})", flush=True)
    stop.wait()
    server.shutdown()
    chain.close()
    print("devnet stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
