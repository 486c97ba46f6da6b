"""Fixtures of the market's API tests: services on the session's anvil (each test on a chain snapshot,
as the lifecycle tests run), on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from tests.conftest import make_settings
from tests.lifecycle.conftest import clock  # noqa: F401 - the chain's clock, restored after each test
from tests.lifecycle.driver import ChainClock, LifecycleDriver


@pytest.fixture
def services(clock: ChainClock, tmp_path: Path, database_url: str | None) -> Iterator[Services]:  # noqa: F811
    overrides = {"rpc_url": clock.url} | ({"database_url": database_url} if database_url else {})
    built = build_services(make_settings(tmp_path, **overrides))
    yield built
    built.close()


@pytest.fixture
def api(services: Services, clock: ChainClock) -> LifecycleDriver:  # noqa: F811
    return LifecycleDriver(
        TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value(), clock
    )
