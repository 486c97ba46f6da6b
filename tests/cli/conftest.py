"""The installed ``dataledger`` command run as a person types it: a subprocess, options from the
environment (``DATALEDGER_API_URL``, ``DATALEDGER_API_KEY``, ``DATALEDGER_KEYSTORE``,
``DATALEDGER_KEYSTORE_PASSWORD``), against the real ``dataledger serve`` on the embedded chain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.nodes import free_port, start_server

# The console script pip installed next to this interpreter: what a user's shell finds on PATH.
DATALEDGER = Path(sys.executable).parent / "dataledger"
ADMIN_KEY = "dev-admin-key"
PASSWORD = "correct horse battery staple"
# Batches close fast, so captured EPCIS events are anchored within a fraction of a second.
SERVER_ENV = {"DATALEDGER_BATCH_MAX_DELAY_S": "0.1"}


def clean_environment() -> dict[str, str]:
    """The caller's environment without any DATALEDGER_* setting of the machine running the tests."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DATALEDGER_")}
    environment["COLUMNS"] = "200"  # tables and messages as wide as a roomy terminal, never wrapped
    return environment


def dataledger(
    *args: str | Path, env: Mapping[str, str] | None = None, cwd: Path | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """``dataledger ARGS...`` in a shell whose environment is ``env`` (on top of a clean one)."""
    assert DATALEDGER.is_file(), f"the console script is not installed: {DATALEDGER}"
    return subprocess.run(
        [str(DATALEDGER), *map(str, args)],
        env={**clean_environment(), **(env or {})},
        cwd=cwd,
        stdin=subprocess.DEVNULL,  # no terminal: a password is never prompted for
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class User:
    """A person at a terminal: the variables they exported, and the command they type."""

    env: dict[str, str] = field(default_factory=dict)
    address: str = ""

    def run(self, *args: str | Path, **more_env: str) -> subprocess.CompletedProcess[str]:
        return dataledger(*args, env={**self.env, **more_env})

    def with_env(self, **more_env: str) -> User:
        return User({**self.env, **more_env}, self.address)


def fails(result: subprocess.CompletedProcess[str], code: int, *messages: str) -> None:
    """The command exited with ``code``, said each of ``messages`` on stderr, and crashed nowhere."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    for message in messages:
        assert message in result.stderr, (message, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr


def succeeds(result: subprocess.CompletedProcess[str]) -> str:
    """The command exited 0 without a traceback; its stdout."""
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``dataledger serve`` on the embedded chain and SQLite, for the module; its base URL."""
    port = free_port()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SERVER_ENV.items():
            patch.setenv(name, value)
        process = start_server(tmp_path_factory.mktemp("cli-server"), port, [])
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def enterprise(server: str, folder: Path, name: str, keystore: Path | None = None) -> User:
    """An enterprise (``participant create`` with the admin key) signing with ``keystore``, by default a
    new one (``keys new``); the keystore's password is :data:`PASSWORD`."""
    env = {"DATALEDGER_API_URL": server, "DATALEDGER_KEYSTORE_PASSWORD": PASSWORD}
    if keystore is None:
        keystore = folder / f"{name.lower().replace(' ', '-')}.json"
        # a light key derivation: every signing command unlocks it (the default costs a second each)
        address = succeeds(dataledger("keys", "new", keystore, "--light-kdf", env=env)).strip()
    else:
        address = succeeds(dataledger("keys", "show", keystore, env=env)).strip()
    created = succeeds(
        dataledger(
            "participant",
            "create",
            name,
            "--role",
            "enterprise",
            "--keystore",
            keystore,
            "--json",
            env={**env, "DATALEDGER_API_KEY": ADMIN_KEY},
        )
    )
    api_key = json.loads(created)["apiKey"]
    return User({**env, "DATALEDGER_API_KEY": api_key, "DATALEDGER_KEYSTORE": str(keystore)}, address)
