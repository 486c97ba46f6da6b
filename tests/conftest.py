"""Shared fixtures: services on a chosen chain and database, and an API driver."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from dataledger.composition.settings import Settings
from tests import contract
from tests.epcis.conformance import CONFORMANCE_DIR
from tests.factories import ApiDriver
from tests.nodes import ANVIL, fresh_postgres_database, postgres_reachable, running_anvil, running_devnet

# Skips that mean a piece of the test machine is missing. CI has every piece, so under CI=true such a
# skip fails the run instead of shrinking it silently.
IN_CI = os.environ.get("CI") == "true"
MISSING_INFRASTRUCTURE = ("PostgreSQL", "anvil", "conformance vectors", "cannot compile the contracts")


def pytest_sessionstart(session: pytest.Session) -> None:
    contract.install()  # every TestClient's responses are checked against the app's OpenAPI document
    if IN_CI and not any(CONFORMANCE_DIR.glob("*.json*")):
        pytest.exit(f"CI=true needs the GS1 conformance vectors in {CONFORMANCE_DIR}", returncode=1)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome: Any = yield
    report = outcome.get_result()
    if IN_CI and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if any(missing in reason for missing in MISSING_INFRASTRUCTURE):
            report.outcome = "failed"
            report.longrepr = f"CI=true needs this, but it is missing: {reason}"


@pytest.fixture(scope="session")
def anvil_url() -> Iterator[str]:
    if not ANVIL.exists():
        pytest.skip("anvil is not installed (npm install)")
    with running_anvil() as url:
        yield url


@pytest.fixture(scope="session")
def devnet_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_devnet(tmp_path_factory.mktemp("devnet")) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    with fresh_postgres_database() as url:
        yield url


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    return Settings(data_dir=data_dir, environment="test", **overrides)


@pytest.fixture(params=["embedded", "devnet", "anvil"])
def chain_rpc_url(request: pytest.FixtureRequest) -> str | None:
    """The three chains every ledger test runs on: embedded (None), the devnet over HTTP, anvil."""
    if request.param == "embedded":
        return None
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The two databases: SQLite in the data directory (None), and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = build_services(make_settings(tmp_path))
    yield built
    built.close()


@pytest.fixture
def api(services: Services) -> ApiDriver:
    return ApiDriver(TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value())
