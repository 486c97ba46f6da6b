"""The dependency rules of the layout, checked on the source.

The project's folders are one import namespace (``dataledger.<folder>``, see pyproject.toml). The
house has floors: the domain core (``registry``) at the bottom, the adapters (``ledger``: chain
clients, SQL stores, background workers) above it, the HTTP edge (``api``) beside them with the
portal (``portal``: the pages people use, over the same services, which ``api.app`` mounts), the
composition root (``composition``) that wires them, the SDK (``client``: HTTP only, beside them) and
the command line (``cli``) on top. An import may only run down the house, never up.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("registry", "ledger", "api", "portal", "composition", "client", "cli")
SOURCE_FOLDERS = (*PACKAGES, "scripts", "tests", "hardhat-free-devnet")

WEB_DATABASE_OR_CHAIN = {
    "web3",
    "eth_tester",
    "fastapi",
    "starlette",
    "uvicorn",
    "httpx",
    "requests",
    "sqlmodel",
    "sqlalchemy",
    "psycopg",
    "lmdb",
    "solcx",
    "dataledger_devnet",
}

# What each floor may import of the others (besides itself).
MAY_IMPORT = {
    "registry": set(),
    "ledger": {"registry"},
    "api": {"registry", "portal"},  # create_app mounts the portal's pages beside the routes
    "portal": {"registry"},  # declares the services it reads in portal.ports, never imports the api
    "composition": {"registry", "ledger"},
    "client": {"registry"},  # the SDK: the domain's hashing and EIP-712 types, nothing of the server
    "cli": {"registry", "ledger", "api", "portal", "composition", "client"},
}

# Rooms of the adapters: the SQL side and the chain side do not know each other; workers use both.
ROOMS_MAY_IMPORT = {"chain": set(), "sql": set(), "workers": {"chain", "sql"}}


def python_files(*folders: str) -> list[str]:
    return sorted(p.relative_to(REPO).as_posix() for folder in folders for p in (REPO / folder).rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def floor_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "dataledger" and len(parts) > 1 else None


@pytest.mark.parametrize("module", python_files(*SOURCE_FOLDERS))
def test_project_code_is_imported_only_through_the_namespace(module: str) -> None:
    """``import registry`` in a checkout would load a second copy beside ``dataledger.registry``."""
    bare = {name for name in imported_modules(REPO / module) if name.split(".")[0] in PACKAGES}
    assert not bare, f"{module} imports {sorted(bare)}: import them as dataledger.<package>"


@pytest.mark.parametrize("module", python_files("registry"))
def test_domain_core_imports_no_web_database_or_chain_code(module: str) -> None:
    leaked = {name.split(".")[0] for name in imported_modules(REPO / module)} & WEB_DATABASE_OR_CHAIN
    assert not leaked, f"{module} imports {sorted(leaked)}"


@pytest.mark.parametrize("module", python_files(*PACKAGES))
def test_imports_run_down_the_house_never_up(module: str) -> None:
    floor = module.split("/")[0]
    allowed = MAY_IMPORT[floor] | {floor}
    upward = {name for name in imported_modules(REPO / module) if (floor_of(name) or floor) not in allowed}
    assert not upward, f"{module} ({floor}) imports {sorted(upward)}"


@pytest.mark.parametrize("module", python_files("ledger/chain", "ledger/sql", "ledger/workers"))
def test_adapter_rooms_keep_to_themselves(module: str) -> None:
    room = module.split("/")[1]
    allowed = ROOMS_MAY_IMPORT[room] | {room}
    crossing = {
        name
        for name in imported_modules(REPO / module)
        if name.startswith("dataledger.ledger.") and name.split(".")[2] not in allowed
    }
    assert not crossing, f"{module} ({room}) imports {sorted(crossing)}"


@pytest.mark.parametrize("module", python_files("api", "portal"))
def test_the_http_edge_imports_no_web3_or_sql(module: str) -> None:
    leaked = {name.split(".")[0] for name in imported_modules(REPO / module)} & {
        "web3",
        "sqlmodel",
        "sqlalchemy",
        "psycopg",
    }
    assert not leaked, f"{module} imports {sorted(leaked)}"
