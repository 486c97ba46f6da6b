"""Capture and traces on PostgreSQL: the same transaction, idempotency, anchors and lineage as on SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from dataledger.registry.epcis import parse_document
from tests.conftest import make_settings
from tests.epcis.factories import epcis_document
from tests.factories import Actor, ApiDriver
from tests.lineage import graphs
from tests.lineage.conftest import anchor_now, assert_anchor_verifies, capture, captured, event_path
from tests.nodes import fresh_postgres_database, postgres_reachable

pytestmark = pytest.mark.skipif(not postgres_reachable(), reason="PostgreSQL is not reachable")


@pytest.fixture
def pg_services(tmp_path: Path) -> Iterator[Services]:
    with fresh_postgres_database() as url:
        built = build_services(make_settings(tmp_path, database_url=url))
        try:
            yield built
        finally:
            built.close()


@pytest.fixture
def pg_api(pg_services: Services) -> ApiDriver:
    return ApiDriver(
        TestClient(create_app(pg_services)), pg_services.settings.admin_api_key.get_secret_value()
    )


def test_capture_is_idempotent_and_anchored_and_traces_work_on_postgresql(
    pg_api: ApiDriver, pg_services: Services
) -> None:
    party: Actor = pg_api.participant("enterprise")
    for document in reversed(graphs.documents()):
        captured(pg_api, party, document)
    again = captured(pg_api, party, graphs.documents()[0])
    anchor_now(pg_services)

    forward = pg_api.client.get(
        f"/v1/items/{graphs.L}/trace", params={"direction": "forward"}, headers=party.headers
    ).json()
    where = pg_api.client.get(f"/v1/items/{graphs.I3}/location", headers=party.headers).json()
    history = pg_api.client.get(f"/v1/items/{graphs.C1}/history", headers=party.headers).json()

    assert again["new"] == 0 and again["duplicates"] == len(again["events"])
    assert {i["id"] for i in forward["items"]} == {graphs.L, graphs.I1, graphs.I2, graphs.C1, graphs.P}
    assert where["location"] == graphs.X and where["packedIn"] == [graphs.C2, graphs.P2]
    assert [(h["bizStep"], h.get("via")) for h in history["events"]] == [
        ("packing", None),
        ("packing", None),
        ("receiving", graphs.P),
        ("unpacking", None),
    ]
    for event in forward["events"]:
        stored = pg_api.client.get(event_path(event["eventHashId"]), headers=party.headers).json()
        assert_anchor_verifies(pg_services, stored["anchor"])


def test_a_refused_document_stores_nothing_on_postgresql(pg_api: ApiDriver, pg_services: Services) -> None:
    party = pg_api.participant("enterprise")
    events = graphs.production_events()
    events[-1] = {**events[-1], "action": "SHAKE"}

    response = capture(pg_api, party, epcis_document(events))

    assert response.status_code == 422
    assert response.json()["event_index"] == len(events) - 1 and response.json()["field"] == "action"
    with pg_services.store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM epcis_events").scalar_one() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM lineage_edges").scalar_one() == 0


def test_concurrent_captures_of_the_same_events_store_each_event_once_on_postgresql(
    pg_services: Services,
) -> None:
    document = parse_document(json.dumps(graphs.documents()[0]))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: pg_services.events.capture(document, captured_by="t"), range(4)))

    for index in range(len(document.events)):
        assert sum(not r.events[index].duplicate for r in results) == 1
    with pg_services.store.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT count(*) FROM epcis_events").scalar_one()
        entries = conn.exec_driver_sql("SELECT count(*) FROM anchor_outbox").scalar_one()
    assert stored == entries == len(document.events)
