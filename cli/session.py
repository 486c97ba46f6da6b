"""What every command that talks to a server shares: its options, its client, its signer, its output.

* ``--api-url`` (``DATALEDGER_API_URL``, default http://127.0.0.1:8000) and ``--api-key``
  (``DATALEDGER_API_KEY``); commands whose caller signs take ``--keystore`` (``DATALEDGER_KEYSTORE``)
  whose password comes from ``DATALEDGER_KEYSTORE_PASSWORD`` or a prompt.
* ``--json`` prints the API's answer as JSON on stdout (for scripts); otherwise a short human
  summary. Progress and messages go to stderr, so stdout stays parseable.
* Exit codes say what went wrong (see :data:`EXIT_CODES`); the problem's ``code`` is printed.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from eth_utils import to_checksum_address
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from dataledger.client import Client, KeystoreSigner
from dataledger.client.errors import (
    ApiError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    UnexpectedMessage,
    ValidationError,
)

DEFAULT_API_URL = "http://127.0.0.1:8000"
DEV_ADMIN_KEY_HINT = (
    "in development the server's administrator key is 'dev-admin-key' (set DATALEDGER_ADMIN_API_KEY on "
    "the server to change it); create participants with 'dataledger participant create' and pass their "
    "key as --api-key or DATALEDGER_API_KEY"
)

EXIT_OK = 0
EXIT_ERROR = 1  # any other failure
EXIT_USAGE = 2  # bad arguments or input (argparse's own code), or the API refused the input (422)
EXIT_AUTH = 3  # no key, an unknown key, not allowed (401, 403), or a keystore that will not open
EXIT_NOT_FOUND = 4  # no such record (404)
EXIT_CONFLICT = 5  # the state does not allow it (409)
EXIT_UNAVAILABLE = 6  # the server or its chain cannot be reached (5xx, connection refused)
EXIT_INVALID = 7  # a verification ran and failed (certificate invalid, audit found differences)
EXIT_CODES = {
    ValidationError: EXIT_USAGE,
    AuthenticationError: EXIT_AUTH,
    PermissionDeniedError: EXIT_AUTH,
    NotFoundError: EXIT_NOT_FOUND,
    ConflictError: EXIT_CONFLICT,
    ServerError: EXIT_UNAVAILABLE,
}

# What is printed is data (names, hashes, did:key:… identifiers, file names), never rich markup or emoji
# codes: "[/x]" in an asset's name must not raise, ":key:" in a DID must not become a picture.
stderr = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)
stdout = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)


def add_server_options(parser: argparse.ArgumentParser, *, signs: bool = False) -> None:
    parser.add_argument("--api-url", default=os.environ.get("DATALEDGER_API_URL", DEFAULT_API_URL))
    parser.add_argument(
        "--api-key", default=os.environ.get("DATALEDGER_API_KEY"), help="env DATALEDGER_API_KEY"
    )
    parser.add_argument("--json", action="store_true", help="print the API's answer as JSON")
    if signs:
        parser.add_argument(
            "--keystore",
            type=Path,
            default=os.environ.get("DATALEDGER_KEYSTORE"),
            help="the signer's keystore (DATALEDGER_KEYSTORE; password: DATALEDGER_KEYSTORE_PASSWORD)",
        )


def client_of(args: argparse.Namespace) -> Client:
    return Client(args.api_url, args.api_key)


def signer_of(args: argparse.Namespace) -> KeystoreSigner:
    if args.keystore is None:
        raise CommandError("give the signer's keystore: --keystore FILE (dataledger keys new makes one)")
    path = keystore_path(args.keystore)
    given = password("keystore password: ")
    try:
        return KeystoreSigner(path, given)
    except (ValueError, KeyError, TypeError) as error:
        # eth-keyfile says "MAC mismatch" for a wrong password; anything else: not a keystore we read
        if "MAC mismatch" in str(error):
            raise CommandError(
                f"wrong password for the keystore {path} (DATALEDGER_KEYSTORE_PASSWORD or the prompt)",
                EXIT_AUTH,
            ) from None
        raise CommandError(f"{path} is not a keystore this program can open: {error}") from None


def keystore_path(given: str | Path) -> Path:
    path = Path(given)
    if not path.is_file():
        raise CommandError(f"no such keystore: {path}")
    return path


def keystore_address(given: str | Path) -> str:
    """The keystore's address (checksummed: geth writes it in lower case), read without its password."""
    path = keystore_path(given)
    try:
        return to_checksum_address(KeystoreSigner.address_of(path))
    except (ValueError, KeyError, TypeError) as error:
        raise CommandError(f"{path} is not a keystore: {error}") from None


def password(prompt: str, *, confirm: bool = False) -> str:
    given = os.environ.get("DATALEDGER_KEYSTORE_PASSWORD")
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise CommandError("set DATALEDGER_KEYSTORE_PASSWORD (no terminal to ask for the password)")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("again: ") != first:
        raise CommandError("the passwords differ")
    return first


class CommandError(Exception):
    """A mistake of the caller's the command explains (exit code ``exit_code``)."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def emit(args: argparse.Namespace, answer: Any, human: Callable[[], None]) -> None:
    """The answer as JSON with ``--json``, else its human summary."""
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(answer, indent=2, ensure_ascii=False) + "\n")
    else:
        human()


@contextmanager
def byte_progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar over ``total`` bytes on stderr; yields the callback that advances it."""
    columns = (
        TextColumn("{task.description}", markup=False),  # a file name, not markup
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=stderr, transient=False, redirect_stdout=False) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


@contextmanager
def step_progress(description: str) -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar over named steps on stderr; yields ``(step, done, total)`` to advance it."""
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=stderr, transient=False, redirect_stdout=False) as progress:
        task = progress.add_task(description, total=None)

        def advance(step: str, done: int, total: int) -> None:
            label = description if step == "done" else f"{description}: {step.replace('_', ' ')}"
            progress.update(task, description=label, completed=done, total=total, refresh=True)

        yield advance


def exit_code_of(error: ApiError) -> int:
    return next((code for cls, code in EXIT_CODES.items() if isinstance(error, cls)), EXIT_ERROR)


def run_client_command(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run ``command``; an API problem, a refused connection or a caller's mistake becomes an exit code."""
    try:
        return command(args)
    except CommandError as error:
        stderr.print(f"dataledger: error: {error}")
        return error.exit_code
    except UnexpectedMessage as error:
        stderr.print(f"dataledger: refused to sign: {error}")
        return EXIT_ERROR
    except ApiError as error:
        stderr.print(f"dataledger: error: {error.code}: {error.detail}")
        for item in error.problem.get("errors", [])[:10]:
            line = f"{item.get('location')}: {item.get('message')}"
            if line not in error.detail:  # a single invalid field is usually the detail itself
                stderr.print(f"  {line}")
        if isinstance(error, AuthenticationError):
            stderr.print(f"hint: {DEV_ADMIN_KEY_HINT}")
        return exit_code_of(error)
    except httpx.TransportError as error:
        stderr.print(f"dataledger: error: cannot reach the API at {args.api_url}: {error}")
        stderr.print("hint: start one with 'dataledger serve' (or set --api-url / DATALEDGER_API_URL)")
        return EXIT_UNAVAILABLE
    except httpx.InvalidURL as error:
        stderr.print(f"dataledger: error: --api-url {args.api_url!r} is not a URL: {error}")
        return EXIT_USAGE
    except OSError as error:  # a file to read or write (the data, --out, --svg): say which and why
        stderr.print(f"dataledger: error: {error}")
        return EXIT_ERROR
