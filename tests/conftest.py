"""Shared fixtures: services on a chosen chain and database, and an API driver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from dataledger.composition.settings import Settings
from tests.factories import ApiDriver
from tests.nodes import ANVIL, fresh_postgres_database, postgres_reachable, running_anvil, running_devnet


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


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = build_services(make_settings(tmp_path))
    yield built
    built.close()


@pytest.fixture
def api(services: Services) -> ApiDriver:
    return ApiDriver(TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value())
