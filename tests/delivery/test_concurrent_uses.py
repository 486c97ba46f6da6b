"""Sixteen consumers of one licence at once never get more uses than the licence allows, on SQLite and
on PostgreSQL; the uses reserved are then recorded on chain and the chain's count is exact."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import coincurve
import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from dataledger.registry.delivery.uses import DeliveryUse, new_use_nonce
from dataledger.registry.errors import LicenceUsedUp
from tests.conftest import make_settings
from tests.delivery.driver import DeliveryDriver
from tests.lifecycle.driver import ChainClock

CONSUMERS = 16
ATTEMPTS_EACH = 5


@pytest.fixture
def services(clock: ChainClock, tmp_path: Path, database_url: str | None) -> Iterator[Services]:
    overrides = {"rpc_url": clock.url} | ({"database_url": database_url} if database_url else {})
    built = build_services(make_settings(tmp_path, delivery_cache_s=2.0, **overrides))
    yield built
    built.close()


@pytest.fixture
def api(services: Services, clock: ChainClock) -> DeliveryDriver:
    return DeliveryDriver(
        TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value(), clock
    )


def signed_use(key: bytes, use: DeliveryUse, services: Services) -> str:
    recoverable = coincurve.PrivateKey(key).sign_recoverable(
        use.digest(services.licences.domain), hasher=None
    )
    return "0x" + (recoverable[:64] + bytes((recoverable[64] + 27,))).hex()


def test_sixteen_concurrent_consumers_never_over_use_a_licence(
    api: DeliveryDriver, services: Services
) -> None:
    max_uses = 20
    licensed = api.licensed(max_uses=max_uses, size=256)
    licensee = services.participants.authenticate(licensed.licensee.api_key)
    account = licensed.licensee.account
    assert account is not None
    deadline = api.clock.now() + 3600
    uses = [
        DeliveryUse(licensed.licence_id, account.address, new_use_nonce(), new_use_nonce(), deadline)
        for _ in range(CONSUMERS * ATTEMPTS_EACH)
    ]
    signatures = [signed_use(account.key, use, services) for use in uses]
    gateway = services.delivery

    def consume(index: int) -> tuple[int, int]:
        served = refused = 0
        for attempt in range(ATTEMPTS_EACH):
            k = index * ATTEMPTS_EACH + attempt
            try:
                redeemed = gateway.redeem(licensee, uses[k], signatures[k])
            except LicenceUsedUp:
                refused += 1
                continue
            delivery = gateway.content(licensee, redeemed.use_id, None)
            assert b"".join(delivery.body) == licensed.content
            served += 1
        return served, refused

    with ThreadPoolExecutor(CONSUMERS) as pool:
        results = list(pool.map(consume, range(CONSUMERS)))

    assert sum(s for s, _ in results) == max_uses
    assert sum(r for _, r in results) == CONSUMERS * ATTEMPTS_EACH - max_uses
    store = services.delivery_services.store
    sequences = sorted(u.sequence for u in store.uses_of(licensed.licence_id, limit=500, offset=0))
    assert sequences == list(range(1, max_uses + 1))
    services.delivery_services.recorder.run_once()
    assert services.licences.licence(licensed.licence_id).uses == max_uses  # type: ignore[union-attr]
    assert store.counter(licensed.licence_id) == {
        "licence_id": licensed.licence_id,
        "max_uses": max_uses,
        "chain_uses": max_uses,
        "pending": 0,
        "next_seq": max_uses,
    }
