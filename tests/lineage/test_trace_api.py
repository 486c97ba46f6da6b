"""Traces, histories and where-is-it-now over HTTP, on hand-built chains (see tests/lineage/graphs.py)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from tests.conftest import make_settings
from tests.factories import Actor, ApiDriver
from tests.lineage import graphs
from tests.lineage.conftest import anchor_now, assert_anchor_verifies, captured, event_path
from tests.lineage.graphs import B1, B2, C1, C2, HUB, I1, I2, I3, P2, R1, T9, E, L, P, X


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """One ledger for the module: the graphs are captured once and only read; the one test that
    captures more does so on items the graphs never name."""
    built = build_services(make_settings(tmp_path_factory.mktemp("trace-api")))
    yield built
    built.close()


@pytest.fixture(scope="module")
def api(services: Services) -> ApiDriver:
    return ApiDriver(TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value())


@pytest.fixture(scope="module")
def party(api: ApiDriver) -> Actor:
    return api.participant("enterprise", "Brand owner")


@pytest.fixture(scope="module")
def chain(api: ApiDriver, party: Actor) -> ApiDriver:
    for document in reversed(graphs.documents()):  # captured out of order on purpose
        captured(api, party, document)
    return api


def trace(api: ApiDriver, actor: Actor, node: str, direction: str, depth: int = 20) -> dict:
    response = api.client.get(
        f"/v1/items/{quote(node, safe=':')}/trace",
        params={"direction": direction, "depth": depth},
        headers=actor.headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


def items(result: dict) -> set[str]:
    return {item["id"] for item in result["items"]}


def test_a_recall_traces_forward_from_a_lot_to_every_item_and_container_that_held_it(
    chain: ApiDriver, party: Actor
) -> None:
    result = trace(chain, party, L, "forward")

    assert items(result) == {L, I1, I2, C1, P}
    assert {(e["from"], e["to"], e["kind"]) for e in result["edges"]} == {
        (L, I1, "transformed"),
        (L, I2, "transformed"),
        (I1, C1, "packed"),
        (I2, C1, "packed"),
        (C1, P, "packed"),
    }
    levels = {item["id"]: item["level"] for item in result["items"]}
    assert levels == {L: 0, I1: 1, I2: 1, C1: 2, P: 3}
    assert result["truncated"] is False


def test_tracing_back_from_a_pallet_finds_everything_packed_into_it_and_its_origins(
    chain: ApiDriver, party: Actor
) -> None:
    result = trace(chain, party, P, "back")

    assert items(result) == {P, C1, C2, I1, I2, I3, L, R1}
    times = [e["eventTime"] for e in result["events"]]
    assert times == sorted(times)
    assert {"urn:epc:id:sgln:4012345.00001.0", HUB} <= set(result["locations"])


def test_unpacking_ends_containment_without_linking_a_containers_other_contents(
    chain: ApiDriver, party: Actor
) -> None:
    assert items(trace(chain, party, P2, "back")) == {P2, C2, I3}
    assert items(trace(chain, party, I3, "forward")) == {I3, C2, P, P2}
    assert C2 not in items(trace(chain, party, I1, "forward"))


def test_a_transformation_split_over_events_captured_out_of_order_links_inputs_to_outputs(
    chain: ApiDriver, party: Actor
) -> None:
    forward = trace(chain, party, E, "forward")
    back = trace(chain, party, B2, "back")

    assert items(forward) == {E, T9, B1, B2}
    assert items(back) == {B2, T9, E}
    assert [e["eventTime"] for e in back["events"]] == [
        "2024-06-08T01:00:00.000Z",
        "2024-06-09T01:00:00.000Z",
    ]


def test_the_depth_limit_stops_the_walk_and_says_so(chain: ApiDriver, party: Actor) -> None:
    result = trace(chain, party, P, "back", depth=1)

    assert items(result) == {P, C1, C2}
    assert result["truncated"] is True
    too_deep = chain.client.get(f"/v1/items/{P}/trace", params={"depth": 0}, headers=party.headers)
    assert too_deep.status_code == 422


def test_every_event_of_a_trace_is_anchored_and_its_anchor_verifies_on_chain(
    chain: ApiDriver, party: Actor, services: Services
) -> None:
    anchor_now(services)
    result = trace(chain, party, P, "back")

    assert len(result["events"]) == 8  # every event naming P, C1, C2, I1, I2, I3 (P2 packs C2 later)
    for event in result["events"]:
        stored = chain.client.get(event_path(event["eventHashId"]), headers=party.headers)
        assert stored.status_code == 200, stored.text
        assert_anchor_verifies(services, stored.json()["anchor"])


def test_history_lists_an_items_events_in_event_time_order_with_its_roles(
    chain: ApiDriver, party: Actor
) -> None:
    own = chain.client.get(f"/v1/items/{C1}/history?viaContainers=false", headers=party.headers)
    full = chain.client.get(f"/v1/items/{C1}/history", headers=party.headers)

    assert own.status_code == full.status_code == 200, own.text
    assert [(h["bizStep"], h["action"], h["roles"]) for h in own.json()["events"]] == [
        ("packing", "ADD", ["parent"]),
        ("packing", "ADD", ["child"]),
        ("unpacking", "DELETE", ["child"]),
    ]
    # While packed on its pallet, the pallet's receipt at the hub moved the case too.
    assert [(h["bizStep"], h["roles"], h.get("via")) for h in full.json()["events"]] == [
        ("packing", ["parent"], None),
        ("packing", ["child"], None),
        ("receiving", ["in-container"], P),
        ("unpacking", ["child"], None),
    ]


def test_where_is_it_now_follows_the_containers_an_item_is_still_packed_in(
    chain: ApiDriver, party: Actor
) -> None:
    packed = chain.client.get(f"/v1/items/{I3}/location", headers=party.headers).json()
    unpacked = chain.client.get(f"/v1/items/{C1}/location", headers=party.headers).json()

    assert packed["location"] == X and packed["disposition"] == "in_transit"
    assert packed["packedIn"] == [C2, P2]
    assert unpacked["location"] == HUB and unpacked["packedIn"] == []


def test_an_item_no_event_names_is_not_found(chain: ApiDriver, party: Actor) -> None:
    unknown = "urn:epc:id:sgtin:4012345.011111.999"
    for path in ("trace", "history", "location"):
        response = chain.client.get(f"/v1/items/{unknown}/{path}", headers=party.headers)
        assert response.status_code == 404, path
        assert response.json()["code"] == "lineage-node-not-found"


def test_persistent_dispositions_hold_until_a_later_event_unsets_them(api: ApiDriver, party: Actor) -> None:
    from tests.epcis.factories import epcis_document, object_event

    item = "urn:epc:id:sgtin:0614141.107346.2017"
    checked = object_event(
        eventTime="2024-05-01T09:00:00.000+08:00",
        persistentDisposition={"set": ["completeness_verified", "needs_replacement"]},
    )
    shipped = object_event(eventTime="2024-05-01T10:00:00.000+08:00")  # sets nothing, unsets nothing
    replaced = object_event(
        eventTime="2024-05-01T11:00:00.000+08:00",
        persistentDisposition={"unset": ["urn:epcglobal:cbv:disp:needs_replacement"]},
    )
    # captured out of time order: the fold follows event time, not capture order
    for event in (replaced, checked, shipped):
        captured(api, party, epcis_document([event]))

    where = api.client.get(f"/v1/items/{item}/location", headers=party.headers).json()

    assert where["persistentDispositions"] == ["completeness_verified"]
    assert where["disposition"] == "in_transit"
