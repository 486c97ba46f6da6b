"""Fixtures for the lifecycle tests: services on the session's anvil, each test on a chain snapshot.

Every test runs between ``evm_snapshot`` and ``evm_revert``: its contracts, its transactions and its
time travel (``evm_increaseTime``) vanish afterwards, so notice periods and expiries are tested with
a controllable clock and no test sees another's chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from tests.conftest import make_settings
from tests.lifecycle.driver import ChainClock, LifecycleDriver
from tests.nodes import rpc


@pytest.fixture
def clock(anvil_url: str) -> Iterator[ChainClock]:
    """The chain's clock, restored (with everything else on the chain) when the test ends."""
    snapshot = rpc(anvil_url, "evm_snapshot")
    yield ChainClock(anvil_url)
    rpc(anvil_url, "evm_revert", [snapshot])


@pytest.fixture
def services(clock: ChainClock, tmp_path: Path) -> Iterator[Services]:
    built = build_services(make_settings(tmp_path, rpc_url=clock.url))
    yield built
    built.close()


@pytest.fixture
def api(services: Services, clock: ChainClock) -> LifecycleDriver:
    return LifecycleDriver(
        TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value(), clock
    )
