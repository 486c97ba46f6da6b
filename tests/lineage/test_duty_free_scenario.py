"""The offshore duty-free chain end to end: capture, recall, where-is-it-now, SVG and PROV-O outputs."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from dataledger.cli import duty_free_scenario as scenario
from tests.factories import Actor, ApiDriver
from tests.lineage.conftest import captured

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def chain(api: ApiDriver, party: Actor) -> ApiDriver:
    for _, document in reversed(scenario.duty_free_documents()):  # parties report in any order
        captured(api, party, document)
    return api


def get(api: ApiDriver, actor: Actor, path: str, **params: object) -> dict:
    response = api.client.get(path, params=params, headers=actor.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_recall_from_the_bad_essence_lot_reaches_every_bottle_of_it_and_no_other(
    chain: ApiDriver, party: Actor
) -> None:
    recall = get(chain, party, f"/v1/items/{scenario.ESSENCE_LOT}/trace", direction="forward")

    reached = {item["id"] for item in recall["items"]}
    assert set(scenario.BOTTLES_A) <= reached
    assert {scenario.case(11), scenario.case(12), scenario.PALLET} <= reached
    assert not reached & set(scenario.BOTTLES_B) and scenario.case(13) not in reached
    assert scenario.STORE in recall["locations"] and scenario.AIRPORT_PICKUP in recall["locations"]


def test_each_recalled_bottle_is_found_where_it_is_now_and_marked_recalled(
    chain: ApiDriver, party: Actor
) -> None:
    def where(item: str) -> tuple[str, str]:
        state = get(chain, party, f"/v1/items/{item}/location")
        return state["location"], state["disposition"]

    assert where(scenario.SOLD_BOTTLE) == (scenario.AIRPORT_PICKUP, "retail_sold")
    assert where(scenario.BOTTLES_A[1]) == (scenario.STORE, "sellable_accessible")
    assert where(scenario.BOTTLES_A[4]) == (scenario.BONDED_WAREHOUSE, "sellable_not_accessible")

    unsold = scenario.BOTTLES_A[1:]
    captured(chain, party, scenario.recall_document(unsold))

    assert {where(b)[1] for b in unsold} == {"recalled"}
    assert where(scenario.SOLD_BOTTLE)[1] == "retail_sold"


def test_the_sold_bottle_traces_back_to_its_lot_and_essence_and_the_sale_holds_no_personal_data(
    chain: ApiDriver, party: Actor
) -> None:
    back = get(chain, party, f"/v1/items/{scenario.SOLD_BOTTLE}/trace", direction="back")
    history = get(chain, party, f"/v1/items/{scenario.SOLD_BOTTLE}/history")["events"]

    assert {scenario.ESSENCE_LOT, scenario.LOT_A_CLASS} <= {item["id"] for item in back["items"]}
    # Its own events, and those of its case and pallet while it was packed in them.
    assert [(h["bizStep"], h.get("via")) for h in history] == [
        ("commissioning", None),
        ("packing", None),  # into its case
        ("packing", scenario.case(11)),  # the case onto the pallet
        ("shipping", scenario.PALLET),  # to the bonded warehouse
        ("receiving", scenario.PALLET),
        ("inspecting", scenario.PALLET),  # customs
        ("unpacking", scenario.case(11)),  # the case off the pallet
        ("shipping", scenario.case(11)),  # to the duty-free store
        ("receiving", scenario.case(11)),
        ("unpacking", None),  # out of its case
        ("retail_selling", None),
        (scenario.PASSENGER_PICKUP_STEP, None),
    ]
    sale = get(chain, party, "/v1/events", epc=scenario.SOLD_BOTTLE, bizStep="retail_selling")["items"][0]
    assert sale["event"]["dutyfree:quotaRecordHash"] == scenario.quota_record_hash("quota-2025-000123")


def test_lineage_as_svg_is_a_layered_graph_of_items_events_and_places(chain: ApiDriver, party: Actor) -> None:
    response = chain.client.get(
        f"/v1/lineage/{scenario.ESSENCE_LOT}.svg", params={"direction": "forward"}, headers=party.headers
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.text)
    groups = root.iter(f"{SVG}g")
    drawn = [g for g in groups if g.get("class") in ("item", "event", "location")]
    trace = get(chain, party, f"/v1/lineage/{scenario.ESSENCE_LOT}", direction="forward")
    assert {g.get("data-node") for g in drawn if g.get("class") == "item"} == {
        i["id"] for i in trace["items"]
    }
    assert sum(g.get("class") == "location" for g in drawn) == len(trace["locations"])
    assert any(g.get("class") == "event" for g in drawn)
    same = chain.client.get(
        f"/v1/lineage/{scenario.ESSENCE_LOT}",
        params={"direction": "forward", "format": "svg"},
        headers=party.headers,
    )
    assert same.text == response.text


def test_lineage_as_prov_o_links_entities_activities_and_locations(chain: ApiDriver, party: Actor) -> None:
    response = chain.client.get(
        f"/v1/lineage/{scenario.SOLD_BOTTLE}", params={"format": "prov"}, headers=party.headers
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    document = response.json()
    assert document["@context"]["prov"] == "http://www.w3.org/ns/prov#"
    graph = {node["@id"]: node for node in document["@graph"]}
    bottle = graph[scenario.SOLD_BOTTLE]
    assert bottle["@type"] == "prov:Entity"
    generated_by = [ref["@id"] for ref in bottle["prov:wasGeneratedBy"]]
    assert all(graph[a]["@type"] == "prov:Activity" for a in generated_by)
    assert all({"@id": scenario.SOLD_BOTTLE} not in graph[a]["prov:used"] for a in generated_by)
    assert {"@id": scenario.LOT_A_CLASS} in bottle["prov:wasDerivedFrom"]
    sale = next(n for n in graph.values() if n.get("cbv:bizStep") == "retail_selling")
    assert {"@id": scenario.SOLD_BOTTLE} in sale["prov:used"]
    assert {"@id": scenario.STORE} in sale["prov:atLocation"]
    assert graph[scenario.STORE]["@type"] == "prov:Location"
    assert sale["prov:startedAtTime"] == {"@value": "2025-03-18T06:30:00.000Z", "@type": "xsd:dateTime"}
