"""One decision per content hash: a direct registration and a batched one of the same content, sent at
the same moment, are never both acknowledged. Raced many times, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from tests.anchoring.conftest import signed_item
from tests.conftest import make_settings
from tests.factories import Actor, ApiDriver, asset_facts

RACES = 12


@pytest.fixture
def services(tmp_path: Path, database_url: str | None) -> Iterator[Services]:
    built = build_services(make_settings(tmp_path, database_url=database_url))
    yield built
    built.close()


def race(*calls: Any) -> list[Any]:
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def direct_and_batched(
    api: ApiDriver, services: Services, holder: Actor, other: Actor, nonce_index: int
) -> tuple[Any, Any]:
    assert other.account is not None
    facts = asset_facts()
    prepared = api.prepare(holder, facts)
    assert holder.account is not None
    direct_body = api.submission(prepared, facts, holder.account)
    deadline = services.registry.next_block_timestamp() + 3600
    item = signed_item(
        services.registry.domain, other.account, facts=dict(facts), nonce_index=nonce_index, deadline=deadline
    )
    client = TestClient(create_app(services))
    direct, bulk = race(
        lambda: api.client.post("/v1/assets", json=direct_body, headers=holder.headers),
        lambda: client.post("/v1/bulk/assets", json={"items": [item]}, headers=other.headers),
    )
    return direct, bulk


def test_direct_and_batched_registration_of_one_content_hash_are_acknowledged_once(
    api: ApiDriver, services: Services
) -> None:
    holder, other = api.participants("enterprise", "enterprise")
    outcomes = []
    for index in range(RACES):
        direct, bulk = direct_and_batched(api, services, holder, other, index)
        [item] = bulk.json()["items"]
        direct_won = direct.status_code == 201
        batched_won = item["status"] in ("queued", "anchored")
        assert direct_won != batched_won, (direct.text, item)
        loser_code = item["problem"]["code"] if direct_won else direct.json()["code"]
        assert loser_code in ("content-already-registered", "content-already-batched")
        outcomes.append("direct" if direct_won else "batched")
    assert len(outcomes) == RACES


def test_a_content_hash_whose_direct_relay_failed_can_be_registered_again(
    api: ApiDriver, services: Services
) -> None:
    (holder,) = api.participants("enterprise")
    assert holder.account is not None
    facts = asset_facts()
    prepared = api.prepare(holder, facts)
    stale = api.submission(prepared, facts, holder.account)
    stale["nonce"] = prepared["nonce"] + 1  # the contract refuses it: the relay fails after the claim
    refused = api.client.post("/v1/assets", json=stale, headers=holder.headers)
    assert refused.status_code >= 400

    registered = api.register(holder, facts)

    assert registered["facts"]["contentHash"] == facts["contentHash"]
