"""Fixtures of the delivery gateway's tests: services on the session's anvil, each test on a chain
snapshot (as the lifecycle tests run), the licence terms and the clock never cached (``delivery_cache_s``
0), so a revocation or a move of the clock is seen at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from tests.conftest import make_settings
from tests.delivery.driver import DeliveryDriver
from tests.lifecycle.conftest import clock  # noqa: F401 - the chain's clock, restored after each test
from tests.lifecycle.driver import ChainClock


@pytest.fixture
def services(clock: ChainClock, tmp_path: Path) -> Iterator[Services]:  # noqa: F811
    built = build_services(
        make_settings(
            tmp_path,
            rpc_url=clock.url,
            delivery_cache_s=0,
            delivery_window_s=300,
            delivery_private_upstreams=True,  # the holder's test API listens on 127.0.0.1
        )
    )
    yield built
    built.close()


@pytest.fixture
def api(services: Services, clock: ChainClock) -> DeliveryDriver:  # noqa: F811
    return DeliveryDriver(
        TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value(), clock
    )
