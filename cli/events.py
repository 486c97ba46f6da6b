"""``dataledger events``: hash EPCIS documents offline, capture them through the HTTP API, seed the scenario.

* ``events hash FILE``: each event's CBV 2.0 hash ID, one per line, in document order (offline).
* ``events import FILE... [--api-url URL] [--api-key K] [--wait] [--json]``: capture documents through
  the API (the SDK), with a progress bar over the files; a refused document stops the import and
  exits non-zero with the API's problem (the documents before it stay captured).
* ``events seed`` (also ``dataledger seed``): capture the offshore duty-free scenario's documents.

The API key comes from ``--api-key`` or ``DATALEDGER_API_KEY``; the URL from ``--api-url`` or
``DATALEDGER_API_URL`` (default ``http://127.0.0.1:8000``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

DEFAULT_API_URL = "http://127.0.0.1:8000"
EXIT_ERROR = 1


def add_events_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``events`` (hash, import, seed) and the ``seed`` shortcut on the CLI's subcommands."""
    events = commands.add_parser("events", help="EPCIS events: hash documents offline, import, seed")
    actions = events.add_subparsers(dest="events_command", required=True)
    hash_ = actions.add_parser("hash", help="print each event's CBV 2.0 hash ID, one per line (offline)")
    hash_.add_argument("file", type=Path)
    hash_.add_argument(
        "--ignore-field", action="append", default=[], help="a field another repository added (prefix:name)"
    )
    import_ = actions.add_parser("import", help="capture EPCIS 2.0 documents through the HTTP API")
    import_.add_argument("file", type=Path, nargs="+")
    import_.add_argument("--ignore-field", action="append", default=[], help="left out of the hash IDs")
    _add_client_options(import_)
    _add_client_options(actions.add_parser("seed", help="capture the offshore duty-free scenario"))
    _add_client_options(
        commands.add_parser("seed", help="capture the offshore duty-free scenario (events seed)")
    )


def _add_client_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api-url", default=os.environ.get("DATALEDGER_API_URL", DEFAULT_API_URL))
    parser.add_argument(
        "--api-key", default=os.environ.get("DATALEDGER_API_KEY"), help="env DATALEDGER_API_KEY"
    )
    parser.add_argument("--wait", action="store_true", help="wait until every event is anchored")
    parser.add_argument("--json", action="store_true", help="print each capture's answer as JSON lines")


def run_events(args: argparse.Namespace) -> int:
    """Run ``events hash|import|seed`` or ``seed``; the exit code."""
    action = "seed" if args.command == "seed" else args.events_command
    files = args.file if action == "import" else [args.file] if action == "hash" else []
    for path in files:
        if not path.is_file():
            print(f"dataledger: error: no such file: {path}", file=sys.stderr)
            return EXIT_ERROR
    if action == "hash":
        return _hash(args.file, args.ignore_field)
    if args.api_key is None:
        print("dataledger: error: give an API key (--api-key or DATALEDGER_API_KEY)", file=sys.stderr)
        return EXIT_ERROR
    if action == "import":
        return _import(args, [(str(path), path.read_bytes()) for path in files], args.ignore_field)
    from dataledger.cli.duty_free_scenario import duty_free_documents

    documents = [(name, json.dumps(document).encode()) for name, document in duty_free_documents()]
    return _import(args, documents, [])


def _hash(path: Path, ignore_fields: list[str]) -> int:
    from dataledger.registry.epcis import DATALEDGER_ADDED_FIELDS, document_event_hash_ids, parse_document

    document = parse_document(path.read_bytes())
    for hash_id in document_event_hash_ids(
        document, ignore_fields=(*DATALEDGER_ADDED_FIELDS, *ignore_fields)
    ):
        print(hash_id)
    return 0


def _import(args: argparse.Namespace, documents: list[tuple[str, bytes]], ignore_fields: list[str]) -> int:
    from rich.progress import Progress

    from dataledger.cli.session import exit_code_of, run_client_command, stderr
    from dataledger.client import ApiError, Client

    def capture(args: argparse.Namespace) -> int:
        # The bar is on stderr. rich would send what is printed to stdout through it while the bar is
        # live, when stderr is a terminal: right when stdout is that terminal too, wrong when stdout is
        # piped (``--json | jq`` would read nothing). So only a terminal's stdout is redirected.
        live = Progress(console=stderr, redirect_stdout=sys.stdout.isatty())
        with Client(args.api_url, args.api_key, timeout=120) as client, live as progress:
            task = progress.add_task("capturing", total=len(documents))
            for name, body in documents:
                try:
                    result = client.events.capture(
                        body, wait=args.wait, timeout=60, ignore_fields=ignore_fields
                    )
                except ApiError as error:
                    stderr.print(f"dataledger: error: {name} refused: {error.code}: {error.detail}")
                    return exit_code_of(error)
                progress.advance(task)
                if args.json:
                    print(json.dumps({"file": name, **result}, ensure_ascii=False))
                    continue
                state = "anchored" if result["anchored"] else "queued for anchoring"
                print(f"{name}: {result['new']} new, {result['duplicates']} already stored, {state}")
                for event in result["events"]:
                    print(f"  {event['eventHashId']}  {event['stored']}")
        return 0

    return run_client_command(capture, args)
