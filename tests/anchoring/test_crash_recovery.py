"""A crash between acknowledgement and anchoring loses nothing and anchors nothing twice (on anvil).

Each test acknowledges registrations with the batcher stopped, "crashes" at a chosen point (the
services are dropped), then builds new services on the same database and chain, as a restart does.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from dataledger.registry.batched_registrations import REGISTRATION_KIND, kind_hash
from dataledger.registry.merkle import verify_proof
from tests.anchoring.conftest import signed_items
from tests.conftest import make_settings
from tests.factories import ApiDriver


def acknowledged_then_crashed(
    tmp_path: Path, anvil_url: str, count: int, crash_point: str
) -> tuple[list[str], dict]:
    """Acknowledge ``count`` registrations, go as far as ``crash_point``, then drop the services."""
    services = build_services(make_settings(tmp_path, rpc_url=anvil_url))
    assert services.anchoring is not None
    services.anchoring.batcher.stop()  # nothing gets anchored behind our back
    api = ApiDriver(TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value())
    holder = api.participant("enterprise")
    response = api.client.post(
        "/v1/bulk/assets", json={"items": signed_items(services, holder, count)}, headers=holder.headers
    )
    assert response.status_code == 202, response.text
    asset_ids = [item["assetId"] for item in response.json()["items"]]
    seen: dict = {"batches_before": services.anchoring.client.batch_count()}
    if crash_point in ("sealed", "anchor-sent"):
        sealed = services.anchoring.outbox.seal(REGISTRATION_KIND, 1000)
        assert sealed is not None
        seen["root"] = sealed.root
        if crash_point == "anchor-sent":
            seen["evidence"] = services.anchoring.client.anchor(
                sealed.root, sealed.leaf_count, kind_hash("registration")
            )
    services.close()  # the crash: nothing after this point ran
    return asset_ids, seen


def restarted(tmp_path: Path, anvil_url: str, asset_ids: list[str]) -> Services:
    services = build_services(make_settings(tmp_path, rpc_url=anvil_url))
    assert services.anchoring is not None
    assert services.anchoring.batcher.wait_anchored(REGISTRATION_KIND, asset_ids, timeout_s=30)
    return services


def assert_all_anchored_and_proven(services: Services, asset_ids: list[str]) -> set[bytes]:
    assert services.anchoring is not None
    roots = set()
    for asset_id in asset_ids:
        inclusion = services.anchoring.registrations.inclusion(asset_id)
        assert inclusion.status == "anchored" and inclusion.root is not None
        assert verify_proof(inclusion.root, inclusion.leaf, inclusion.proof)
        assert services.anchoring.client.verify_leaf(inclusion.root, inclusion.proof, inclusion.leaf)
        roots.add(inclusion.root)
    return roots


def test_entries_acknowledged_but_never_batched_are_anchored_after_a_restart(
    tmp_path: Path, anvil_url: str
) -> None:
    asset_ids, seen = acknowledged_then_crashed(tmp_path, anvil_url, 6, "acknowledged")
    services = restarted(tmp_path, anvil_url, asset_ids)
    try:
        assert len(assert_all_anchored_and_proven(services, asset_ids)) == 1
        assert services.anchoring.client.batch_count() == seen["batches_before"] + 1  # type: ignore[union-attr]
    finally:
        services.close()


def test_a_batch_sealed_but_not_anchored_is_anchored_after_a_restart(tmp_path: Path, anvil_url: str) -> None:
    asset_ids, seen = acknowledged_then_crashed(tmp_path, anvil_url, 5, "sealed")
    services = restarted(tmp_path, anvil_url, asset_ids)
    try:
        assert assert_all_anchored_and_proven(services, asset_ids) == {seen["root"]}
        assert services.anchoring.client.batch_count() == seen["batches_before"] + 1  # type: ignore[union-attr]
    finally:
        services.close()


def test_a_batch_anchored_but_not_stamped_is_stamped_without_anchoring_twice(
    tmp_path: Path, anvil_url: str
) -> None:
    asset_ids, seen = acknowledged_then_crashed(tmp_path, anvil_url, 4, "anchor-sent")
    services = restarted(tmp_path, anvil_url, asset_ids)
    try:
        assert services.anchoring is not None
        assert assert_all_anchored_and_proven(services, asset_ids) == {seen["root"]}
        assert services.anchoring.client.batch_count() == seen["batches_before"] + 1  # no second anchor
        inclusion = services.anchoring.registrations.inclusion(asset_ids[0])
        assert inclusion.evidence is not None
        sent = seen["evidence"]
        assert (inclusion.evidence.tx_hash, inclusion.evidence.batch_id) == (sent.tx_hash, sent.batch_id)
    finally:
        services.close()
