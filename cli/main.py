"""The ``dataledger`` command: serve the API, run the demo, audit, capture events, run the devnet.

Every deliberate error is a ``DataLedgerError``; it is caught once here and printed with its
diagnostics, and the command exits non-zero.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dataledger.registry.errors import DataLedgerError, ValidationFailed

if TYPE_CHECKING:
    from dataledger.composition.settings import Settings

EXIT_ERROR = 1
EXIT_USAGE = 2


def _add_runtime_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="where all state lives (env DATALEDGER_DATA_DIR)")
    parser.add_argument(
        "--rpc-url", help="an external JSON-RPC node; default: the embedded chain (DATALEDGER_RPC_URL)"
    )
    parser.add_argument(
        "--database-url",
        help="e.g. postgresql://host/db; default: SQLite in the data dir (DATALEDGER_DATABASE_URL)",
    )


def _settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    from dataledger.composition.settings import Settings

    values = {
        k: v
        for k, v in {
            "data_dir": getattr(args, "data_dir", None),
            "rpc_url": getattr(args, "rpc_url", None),
            "database_url": getattr(args, "database_url", None),
            **overrides,
        }.items()
        if v is not None
    }
    return Settings(**values)


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dataledger", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP API")
    _add_runtime_options(serve)
    serve.add_argument("--host", default=os.environ.get("DATALEDGER_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("DATALEDGER_PORT", "8000")))
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=int(os.environ.get("DATALEDGER_WORKERS", "1")),
        help="worker processes (env DATALEDGER_WORKERS); more than 1 needs PostgreSQL and --rpc-url",
    )

    demo = commands.add_parser("demo", help="run the end-to-end story on the embedded chain")
    _add_runtime_options(demo)

    audit = commands.add_parser("audit", help="check every stored record against the chain")
    _add_runtime_options(audit)
    audit.add_argument("--json", action="store_true", help="print the report as JSON")
    audit.add_argument(
        "--since",
        type=Path,
        metavar="CHECKPOINT_FILE",
        help="a signed checkpoint of this registry's log kept from earlier: prove today's log extends it",
    )

    log = commands.add_parser("checkpoint", help="issue a signed checkpoint of the log now and print it")
    _add_runtime_options(log)
    log.add_argument("--out", type=Path, help="also write the signed checkpoint to this file")

    devnet = commands.add_parser("devnet", help="run the persistent local EVM chain over JSON-RPC")
    devnet.add_argument("--port", type=int, default=8545)
    devnet.add_argument("--host", default="127.0.0.1")
    devnet.add_argument("--data-dir", type=Path, default=Path(".devnet"))
    devnet.add_argument("--chain-id", type=int, default=31337)

    from dataledger.cli.events import add_events_parser

    add_events_parser(commands)  # events hash|import|seed, and seed
    from dataledger.cli.commands import add_client_commands

    add_client_commands(commands)  # keys, participant, asset, certificate, licence, trace: on the SDK
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(arguments)
    try:
        return _dispatch(args)
    except DataLedgerError as exc:
        print(f"dataledger: error: {exc.diagnostics()}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if hasattr(args, "run"):  # the commands of cli/commands.py, each with its own runner
        from dataledger.cli.commands import run

        return run(args)
    if args.command == "serve":
        from dataledger.cli.serve import serve

        return serve(_settings(args), args.host, args.port, args.workers)
    if args.command == "demo":
        import warnings

        # The demo drives the API in-process through Starlette's test client; its notice is noise here.
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from dataledger.cli.demo import run_demo

        return run_demo(_settings(args) if args.data_dir else None)
    if args.command == "audit":
        import json

        from dataledger.cli.session import step_progress
        from dataledger.composition import build_services
        from dataledger.ledger.workers.audit import audit

        services = build_services(_settings(args))
        try:
            anchors = services.anchoring.client if services.anchoring is not None else None
            with step_progress("audit") as progress:  # on stderr: --json output stays clean
                report = audit(
                    services.store,
                    services.registry,
                    services.indexer,
                    anchors=anchors,
                    licences=services.licences,
                    chain=services.w3,  # every act re-read from its transaction's receipt
                    progress=progress,
                    market=services.market_contract,
                    trades=services.trades_contract,
                    vouchers=services.vouchers_contract,
                )
            since = services.checkpoints.verify_since(_read_text(args.since)) if args.since else None
        finally:
            services.close()
        if args.json:
            print(json.dumps({**report.as_json(), "since": since.as_json() if since else None}, indent=2))
        else:
            print(report.format())
            if since is not None:
                verdict = "consistent" if since.consistent else "HISTORY DIVERGED"
                print(f"log since checkpoint: {verdict}: {since.detail}")
        return 0 if report.ok and (since is None or since.consistent) else EXIT_ERROR
    if args.command == "checkpoint":
        from dataledger.composition import build_services

        services = build_services(_settings(args))
        try:
            issued = services.checkpoints.issue()
        finally:
            services.close()
        if args.out:
            args.out.write_text(issued.note)
        print(issued.note, end="")
        return 0
    if args.command in ("events", "seed"):
        from dataledger.cli.events import run_events

        return run_events(args)
    if args.command == "devnet":
        from dataledger_devnet.__main__ import main as devnet_main

        return devnet_main(
            [
                "--port",
                str(args.port),
                "--host",
                args.host,
                "--data-dir",
                str(args.data_dir),
                "--chain-id",
                str(args.chain_id),
            ]
        )
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())


def _read_text(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as error:
        raise ValidationFailed(f"cannot read {path}: {error.strerror}", field="since") from None
