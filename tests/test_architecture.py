"""The dependency rules of the layout, checked on the source: registry/ is a pure domain core."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_CORE = {
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
    "api",
    "ledger",
    "scripts",
    "dataledger_devnet",
}


def imported_top_level_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "module", sorted(p.relative_to(REPO).as_posix() for p in (REPO / "registry").rglob("*.py"))
)
def test_domain_core_imports_no_web_database_or_chain_code(module: str) -> None:
    leaked = imported_top_level_modules(REPO / module) & FORBIDDEN_IN_CORE
    assert not leaked, f"{module} imports {sorted(leaked)}"


@pytest.mark.parametrize(
    "module", sorted(p.relative_to(REPO).as_posix() for p in (REPO / "ledger").rglob("*.py"))
)
def test_ledger_does_not_import_the_web_edge(module: str) -> None:
    leaked = imported_top_level_modules(REPO / module) & {"api", "fastapi", "uvicorn"}
    assert not leaked, f"{module} imports {sorted(leaked)}"
