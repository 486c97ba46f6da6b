"""Start real chain nodes and databases for tests: anvil (npm), the devnet (subprocess), PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from eth_account import Account
from eth_account.signers.local import LocalAccount

from dataledger.registry.holder_signatures import Eip712Domain

REPO = Path(__file__).resolve().parents[1]
ANVIL = REPO / "node_modules" / ".bin" / "anvil"
POSTGRES_ADMIN_URL = os.environ.get("DATALEDGER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rpc(url: str, method: str, params: list | None = None) -> object:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())["result"]


def _wait_for_rpc(url: str, process: subprocess.Popen, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"node exited early with {process.returncode}")
        try:
            rpc(url, "eth_chainId")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"node at {url} did not answer within {timeout_s}s")


@contextmanager
def running_anvil(*extra: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [str(ANVIL), "--port", str(port), "--host", "127.0.0.1", "--silent", *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_rpc(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def start_devnet(data_dir: Path, port: int | None = None) -> tuple[subprocess.Popen, str]:
    port = port or free_port()
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{REPO / 'hardhat-free-devnet'}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "dataledger_devnet", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=REPO,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_for_rpc(url, process)
    return process, url


@contextmanager
def running_devnet(data_dir: Path) -> Iterator[str]:
    process, url = start_devnet(data_dir)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def start_server(data_dir: Path, port: int, external: list[str]) -> subprocess.Popen:
    """``dataledger serve`` in its own process (the real CLI), once it answers /healthz."""
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{REPO / 'hardhat-free-devnet'}"}
    env.pop("DATALEDGER_RPC_URL", None)
    env.pop("DATALEDGER_DATABASE_URL", None)
    command = ["serve", "--port", str(port), "--data-dir", str(data_dir), *external]
    process = subprocess.Popen(
        [sys.executable, "-m", "dataledger.cli", *command],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited during start-up"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("the server did not become ready")


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def fresh_postgres_database(ctype: str | None = None) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test session; dropped afterwards. ``ctype``: its
    LC_CTYPE (and LC_COLLATE), where the server's default would not do."""
    import psycopg

    name = f"dataledger_test_{uuid.uuid4().hex[:12]}"
    locale = f" LC_CTYPE '{ctype}' LC_COLLATE '{ctype}' TEMPLATE template0 ENCODING 'UTF8'" if ctype else ""
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{locale}')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_program(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else name


@contextmanager
def private_postgres() -> Iterator[tuple[str, Callable[[], None], Callable[[], None]]]:
    """A PostgreSQL server of this test's own (a new cluster, a free port, trust auth), so a test may
    stop and start it: yields its URL, ``stop`` and ``start``. Run as the ``postgres`` user when the
    tests run as root (PostgreSQL refuses root), in a folder that user can reach."""
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    cluster = Path(tempfile.mkdtemp(prefix="dataledger-postgres-"))
    if as_owner:
        shutil.chown(cluster, "postgres")
    subprocess.run(
        [*as_owner, _postgres_program("initdb"), "-D", str(cluster), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    options = f"-p {port} -k {cluster} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [*as_owner, _postgres_program("pg_ctl"), "-D", str(cluster), "-w", "-l", str(cluster / "log")]

    def start() -> None:
        subprocess.run([*pg_ctl, "-o", options, "start"], check=True, capture_output=True)

    def stop() -> None:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], check=True, capture_output=True)

    start()
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres", stop, start
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(cluster, ignore_errors=True)


def live_enterprise(base: str, name: str) -> tuple[LocalAccount, dict[str, str]]:
    """An enterprise created on a live server by the development administrator: its key and headers."""
    account = Account.create()
    created = httpx.post(
        f"{base}/v1/participants",
        headers={"Authorization": "Bearer dev-admin-key"},
        json={"name": name, "role": "enterprise", "address": account.address},
    ).json()
    return account, {"Authorization": f"Bearer {created['apiKey']}"}


def live_registry_domain(base: str) -> Eip712Domain:
    """The EIP-712 domain of a live server's registry contract, as its registrar endpoint states it."""
    domain = httpx.get(f"{base}/v1/registrar").json()["registry"]["eip712Domain"]
    return Eip712Domain(domain["chainId"], domain["verifyingContract"])
