"""``dataledger events``: hash EPCIS documents offline, capture them through the HTTP API, seed the scenario.

* ``events hash FILE``: each event's CBV 2.0 hash ID, one per line, in document order (offline).
* ``events import FILE [--api-url URL] [--api-key K] [--wait]``: capture a document through the API;
  a refused document exits non-zero with the API's problem.
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
from typing import Any

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
    import_ = actions.add_parser("import", help="capture an EPCIS 2.0 document through the HTTP API")
    import_.add_argument("file", type=Path)
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


def run_events(args: argparse.Namespace) -> int:
    """Run ``events hash|import|seed`` or ``seed``; the exit code."""
    action = "seed" if args.command == "seed" else args.events_command
    if action in ("hash", "import") and not args.file.is_file():
        print(f"dataledger: error: no such file: {args.file}", file=sys.stderr)
        return EXIT_ERROR
    if action == "hash":
        return _hash(args.file, args.ignore_field)
    if args.api_key is None:
        print("dataledger: error: give an API key (--api-key or DATALEDGER_API_KEY)", file=sys.stderr)
        return EXIT_ERROR
    if action == "import":
        return _import(args, [(str(args.file), args.file.read_bytes())], args.ignore_field)
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
    import httpx

    params: dict[str, Any] = {"ignoreField": ignore_fields}
    if args.wait:
        params.update(wait="true", timeout=60)
    headers = {"Authorization": f"Bearer {args.api_key}", "Content-Type": "application/ld+json"}
    try:
        with httpx.Client(base_url=args.api_url, timeout=120) as client:
            for name, body in documents:
                response = client.post("/v1/events", content=body, params=params, headers=headers)
                if response.status_code not in (200, 202):
                    print(f"dataledger: error: {name} refused: {_problem(response)}", file=sys.stderr)
                    return EXIT_ERROR
                result = response.json()
                state = "anchored" if result["anchored"] else "queued for anchoring"
                print(f"{name}: {result['new']} new, {result['duplicates']} already stored, {state}")
                for event in result["events"]:
                    print(f"  {event['eventHashId']}  {event['stored']}")
    except httpx.HTTPError as error:
        print(f"dataledger: error: cannot reach the API at {args.api_url}: {error}", file=sys.stderr)
        return EXIT_ERROR
    return 0


def _problem(response: Any) -> str:
    try:
        problem = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    return f"{problem.get('code', response.status_code)}: {problem.get('detail', '')}"
