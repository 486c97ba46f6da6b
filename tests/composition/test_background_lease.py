"""Two processes' services over one PostgreSQL and one chain: the lease holder anchors what the other
acknowledged, exactly once; the other answers ready (on standby) and takes the work over when the
holder goes. Both relay direct registrations from the one operator account without a nonce clash."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from dataledger.registry.batched_registrations import REGISTRATION_KIND
from tests.anchoring.conftest import signed_items
from tests.conftest import make_settings
from tests.factories import ApiDriver
from tests.nodes import fresh_postgres_database, postgres_reachable

pytestmark = [pytest.mark.postgres, pytest.mark.anvil]


@pytest.fixture
def shared_database() -> Iterator[str]:
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    with fresh_postgres_database() as url:
        yield url


def process(tmp_path: Path, name: str, rpc_url: str, database_url: str) -> Services:
    """One process's services; the lease is asked for by the test (``leadership.check()``), not a timer."""
    settings = make_settings(
        tmp_path / name,
        rpc_url=rpc_url,
        database_url=database_url,
        lease_retry_s=3600,
        batch_max_delay_s=0.0,
        checkpoint_interval_s=0,
        registrar_key_file=tmp_path / "registrar-key.pem",  # one registry: one registrar key
    )
    return build_services(settings)


def anchored_once(services: Services) -> tuple[int, int]:
    """(entries, batches), after checking every entry is in one anchored batch and no root or
    transaction is there twice, and the chain holds exactly these batches."""
    with services.store.engine.connect() as conn:
        unanchored = conn.execute(
            text(
                "SELECT count(*) FROM anchor_outbox o LEFT JOIN anchor_batches b ON b.id = o.batch_id"
                " WHERE b.status IS DISTINCT FROM 'anchored'"
            )
        ).scalar_one()
        entries = conn.execute(text("SELECT count(*) FROM anchor_outbox")).scalar_one()
        batches, roots, txs, onchain = conn.execute(
            text(
                "SELECT count(*), count(DISTINCT root), count(DISTINCT tx_hash),"
                " count(DISTINCT onchain_batch_id) FROM anchor_batches"
            )
        ).one()
    assert unanchored == 0
    assert batches == roots == txs == onchain
    assert services.anchoring is not None and services.anchoring.client.batch_count() == batches
    return int(entries), int(batches)


def test_the_lease_holder_anchors_what_a_standby_process_acknowledged_once_and_is_taken_over(
    tmp_path: Path, anvil_url: str, shared_database: str
) -> None:
    first = process(tmp_path, "first", anvil_url, shared_database)
    second = process(tmp_path, "second", anvil_url, shared_database)
    try:
        assert first.anchoring is not None and second.anchoring is not None
        assert (first.leading, second.leading) == (True, False)
        assert first.anchoring.batcher.running and not second.anchoring.batcher.running
        standby = ApiDriver(TestClient(create_app(second)), "dev-admin-key")
        leader = ApiDriver(TestClient(create_app(first)), "dev-admin-key")

        ready = standby.client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["lease"]["detail"].startswith("standby: held by dataledger pid")
        assert ready.json()["checks"]["batcher"]["detail"].startswith("standby")
        assert "dataledger_lease_held 0.0" in standby.client.get("/metrics").text
        assert "dataledger_lease_held 1.0" in leader.client.get("/metrics").text

        holder = standby.participant("enterprise")
        items = signed_items(second, holder, 30)
        accepted = standby.client.post("/v1/bulk/assets", json={"items": items}, headers=holder.headers)
        assert accepted.status_code == 202, accepted.text
        ids = [item["assetId"] for item in accepted.json()["items"]]
        assert second.anchoring.batcher.wait_anchored(REGISTRATION_KIND, ids, timeout_s=30)  # by `first`
        # Both relay direct registrations from the one operator account while `first` also anchors.
        assert standby.register(holder)["state"] == "registered"
        assert leader.register(leader.participant("enterprise"))["state"] == "registered"

        first.close()  # the holder goes: its lease connection closes
        assert second.leadership.check() is True
        assert second.anchoring.batcher.running
        assert standby.client.get("/readyz").json()["checks"]["lease"]["detail"].startswith("held by this")
        more = signed_items(second, holder, 20, first_index=30)
        accepted = standby.client.post("/v1/bulk/assets", json={"items": more}, headers=holder.headers)
        assert accepted.status_code == 202, accepted.text
        more_ids = [item["assetId"] for item in accepted.json()["items"]]
        assert second.anchoring.batcher.wait_anchored(REGISTRATION_KIND, more_ids, timeout_s=30)
        entries, batches = anchored_once(second)
        assert entries == 50 and batches >= 2
    finally:
        second.close()
        first.close()
