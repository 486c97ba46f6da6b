"""Requests without credentials are limited per client address; participants are not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.api.rate_limit import RateLimit, TokenBuckets
from dataledger.composition import Services, build_services
from tests.conftest import make_settings
from tests.factories import ApiDriver


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = build_services(make_settings(tmp_path, public_rate_per_s=0.5, public_burst=5))
    yield built
    built.close()


def test_a_client_without_credentials_is_refused_past_its_burst_and_told_when_to_retry(
    api: ApiDriver,
) -> None:
    answers = [api.client.get("/v1/registrar") for _ in range(7)]

    assert [a.status_code for a in answers] == [200] * 5 + [429] * 2
    assert answers[-1].json()["code"] == "rate-limited"
    assert answers[-1].headers["content-type"] == "application/problem+json"
    assert int(answers[-1].headers["retry-after"]) >= 1


def test_participants_are_not_limited_and_another_address_has_its_own_bucket(
    api: ApiDriver, services: Services
) -> None:
    (auditor,) = api.participants("auditor")
    for _ in range(6):
        assert api.client.get("/v1/registrar").status_code in (200, 429)
    assert [api.client.get("/v1/registrar", headers=auditor.headers).status_code for _ in range(10)] == [
        200
    ] * 10
    other = TestClient(create_app(services), client=("192.0.2.7", 4000))
    assert other.get("/v1/registrar").status_code == 200


def test_the_operators_probes_and_scrapers_are_never_throttled(api: ApiDriver) -> None:
    for _ in range(6):
        api.client.get("/v1/registrar")  # the bucket is empty now
    assert api.client.get("/v1/registrar").status_code == 429
    for path in ("/healthz", "/readyz", "/metrics"):
        assert [api.client.get(path).status_code for _ in range(3)] == [200] * 3, path


def test_workers_share_the_limit_so_a_client_meets_it_whichever_worker_answers() -> None:
    limit = RateLimit(rate_per_s=50.0, burst=201)
    assert limit.share(1) == limit
    assert limit.share(4) == RateLimit(rate_per_s=12.5, burst=51)
    assert RateLimit(rate_per_s=1.0, burst=1).share(3).burst == 1


def test_buckets_refill_at_the_rate_and_forget_the_least_recent_client() -> None:
    now = [0.0]
    buckets = TokenBuckets(RateLimit(rate_per_s=2, burst=2, max_clients=2), clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(3)] == [0, 0, 0.5]
    now[0] = 0.5
    assert buckets.take("a") == 0
    buckets.take("b")
    buckets.take("c")  # three clients: "a" is forgotten, and starts again with a full bucket
    assert buckets.take("a") == 0
