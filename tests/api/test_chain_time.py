"""Rules the contracts judge against ``block.timestamp`` are judged by the services against the time of
the next block, never the last mined one: these chains mine on demand, so after a quiet spell the last
block is old while the next act is stamped now. On each of the three chains, with real waiting."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dataledger.composition import Services, build_services
from tests.anchoring.conftest import signed_item
from tests.conftest import make_settings
from tests.factories import ApiDriver, asset_facts


@pytest.fixture
def services(tmp_path: Path, chain_rpc_url: str | None) -> Iterator[Services]:
    built = build_services(make_settings(tmp_path, rpc_url=chain_rpc_url))
    yield built
    built.close()


def test_an_unopposed_asset_is_certified_as_soon_as_its_notice_ends_on_a_quiet_chain(
    api: ApiDriver, services: Services
) -> None:
    registrar, holder = api.participants("registrar", "enterprise")
    asset_id = api.register(holder)["assetId"]
    api.set_notice_period(2)
    api.review(registrar, asset_id, "formal")
    api.review(registrar, asset_id, "substantive")
    status = api.client.get(f"/v1/assets/{asset_id}/procedure", headers=registrar.headers).json()
    notice_ends_at = status["procedure"]["noticeEndsAt"]
    last_block = services.registry.latest_timestamp()
    deadline = time.monotonic() + 30
    # Real waiting on the chain's own clock (anvil's may be offset by other tests); nothing is mined.
    while services.registry.next_block_timestamp() < notice_ends_at and time.monotonic() < deadline:
        time.sleep(0.2)
    assert services.registry.latest_timestamp() == last_block < notice_ends_at

    response = api.issue_certificate(registrar, asset_id)

    assert response.status_code == 201, response.text


def test_the_next_block_time_follows_the_clock_while_the_chain_is_quiet(services: Services) -> None:
    before = services.registry.next_block_timestamp()
    last_block = services.registry.latest_timestamp()
    time.sleep(2.1)
    assert services.registry.latest_timestamp() == last_block
    assert services.registry.next_block_timestamp() >= before
    assert services.registry.next_block_timestamp() > last_block


def test_a_batched_registration_whose_deadline_is_judged_by_the_next_block_is_refused(
    api: ApiDriver, services: Services
) -> None:
    """Its deadline leaves the margin an anchor needs counted from the last block, not from now."""
    (holder,) = api.participants("enterprise")
    assert holder.account is not None
    time.sleep(1.1)  # quiet: the next block will be stamped later than the last one
    deadline = services.registry.latest_timestamp() + 60  # the bulk path's minimum margin
    item = signed_item(services.registry.domain, holder.account, facts=asset_facts(), deadline=deadline)

    response = api.client.post("/v1/bulk/assets", json={"items": [item]}, headers=holder.headers)

    assert response.status_code == 200, response.text
    [result] = response.json()["items"]
    assert result["status"] == "rejected"
    assert result["problem"]["code"] == "signature-expired"
