"""EPCIS error declarations over HTTP, on SQLite and PostgreSQL: captured (not dropped as duplicates),
linked to the event they declare erroneous, anchored as their own leaves, and shown in event reads,
histories, traces and where-is-it-now.

::

    ITEM ── commissioned (FACTORY, active)
    ITEM ── packed into W  (wrong: declared incorrect_data; corrective event: ITEM packed into C)
    W ── shipped to ELSEWHERE             C ── shipped to X (in transit)
    ITEM ── destroyed      (wrong: declared did_not_occur, no corrective event)
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from dataledger.registry.epcis import document_event_hash_ids, event_hash_id, parse_document
from dataledger.registry.epcis.error_declaration import declaration_hash_of, declaration_id, declaration_leaf
from tests.conftest import make_settings
from tests.epcis.factories import EXAMPLE_CONTEXT, epcis_document
from tests.factories import Actor, ApiDriver
from tests.lineage.conftest import anchor_now, assert_anchor_verifies, b32, captured, event_path
from tests.nodes import fresh_postgres_database, postgres_reachable

ITEM = "urn:epc:id:sgtin:4012345.011111.1"
C, W = "urn:epc:id:sscc:4012345.0000000001", "urn:epc:id:sscc:4012345.0000000009"
FACTORY, X = "urn:epc:id:sgln:4012345.00001.0", "urn:epc:id:sgln:4012345.00003.0"
ELSEWHERE = "urn:epc:id:sgln:4012345.00009.0"
CORRECTIVE_ID = "urn:uuid:5e0f3c52-7a71-4a0e-9f39-2d7f4c9b0c02"


def _at(day: int, hour: int = 9) -> dict[str, str]:
    return {"eventTime": f"2024-06-{day:02d}T{hour:02d}:00:00.000+08:00", "eventTimeZoneOffset": "+08:00"}


def _where(place: str) -> dict[str, Any]:
    return {"readPoint": {"id": place}, "bizLocation": {"id": place}}


def packing(parent: str, event_id: str) -> dict[str, Any]:
    return {
        "type": "AggregationEvent",
        "eventID": event_id,
        **_at(2),
        "parentID": parent,
        "childEPCs": [ITEM],
        "action": "ADD",
        "bizStep": "packing",
        **_where(FACTORY),
    }


def shipping(epc: str, day: int, place: str) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        **_at(day),
        "epcList": [epc],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": FACTORY},
        "bizLocation": {"id": place},
    }


COMMISSIONED = {
    "type": "ObjectEvent",
    **_at(1),
    "epcList": [ITEM],
    "action": "ADD",
    "bizStep": "commissioning",
    "disposition": "active",
    **_where(FACTORY),
}
PACKED_WRONG = packing(W, "urn:uuid:5e0f3c52-7a71-4a0e-9f39-2d7f4c9b0c01")
PACKED_RIGHT = packing(C, CORRECTIVE_ID)
DESTROYED_WRONG = {
    "type": "ObjectEvent",
    "eventID": "urn:uuid:5e0f3c52-7a71-4a0e-9f39-2d7f4c9b0c03",
    **_at(4),
    "epcList": [ITEM],
    "action": "OBSERVE",
    "bizStep": "destroying",
    "disposition": "destroyed",
    **_where(FACTORY),
}
WRONG_PACKING = {
    "declarationTime": "2024-06-05T09:00:00.000+08:00",
    "reason": "incorrect_data",
    "correctiveEventIDs": [CORRECTIVE_ID],
}
NOT_DESTROYED = {"declarationTime": "2024-06-05T09:30:00.000+08:00", "reason": "did_not_occur"}


def declared(event: dict[str, Any], declaration: dict[str, Any]) -> dict[str, Any]:
    return {**copy.deepcopy(event), "errorDeclaration": declaration}


def production() -> dict[str, Any]:
    return epcis_document(
        [COMMISSIONED, PACKED_WRONG, shipping(W, 3, ELSEWHERE), shipping(C, 3, X), DESTROYED_WRONG]
    )


def corrections() -> dict[str, Any]:
    """The error declarations, and the corrective event, in one document."""
    return epcis_document(
        [declared(PACKED_WRONG, WRONG_PACKING), PACKED_RIGHT, declared(DESTROYED_WRONG, NOT_DESTROYED)]
    )


def hid(event: dict[str, Any]) -> str:
    return event_hash_id(event, EXAMPLE_CONTEXT)


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ApiDriver, Services]]:
    """The API and its services on SQLite, then on a fresh PostgreSQL database."""
    if request.param == "postgresql" and not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable")

    def driver(built: Services) -> ApiDriver:
        return ApiDriver(TestClient(create_app(built)), built.settings.admin_api_key.get_secret_value())

    if request.param == "sqlite":
        built = build_services(make_settings(tmp_path))
        try:
            yield driver(built), built
        finally:
            built.close()
        return
    with fresh_postgres_database() as url:
        built = build_services(make_settings(tmp_path, database_url=url))
        try:
            yield driver(built), built
        finally:
            built.close()


def get(api: ApiDriver, actor: Actor, path: str, **params: Any) -> Any:
    response = api.client.get(path, params=params, headers=actor.headers)
    assert response.status_code == 200, response.text
    return response.json()


def item(api: ApiDriver, actor: Actor, node: str, what: str, **params: Any) -> Any:
    return get(api, actor, f"/v1/items/{quote(node, safe=':')}/{what}", **params)


def declaration_rows(services: Services) -> tuple[int, int]:
    with services.store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT count(*) FROM epcis_error_declarations").scalar_one()
        entries = conn.exec_driver_sql(
            "SELECT count(*) FROM anchor_outbox WHERE kind = 'epcis-error-declaration'"
        ).scalar_one()
    return int(rows), int(entries)


def test_an_error_declaration_is_recorded_on_its_event_once_and_anchored_not_dropped_as_a_duplicate(
    stack: tuple[ApiDriver, Services],
) -> None:
    api, services = stack
    party = api.participant("enterprise", "Packer")
    captured(api, party, production())

    response = api.client.post(
        "/v1/events",
        content=json.dumps(corrections()).encode(),
        params={"wait": "true", "timeout": 30},
        headers={**party.headers, "Content-Type": "application/ld+json"},
    )
    again = captured(api, party, corrections())

    assert response.status_code == 200, response.text
    first = response.json()
    assert (first["new"], first["duplicates"], first["errorDeclarations"]) == (1, 0, 2)
    assert first["anchored"] is True
    wrong_packing, right_packing, not_destroyed = first["events"]
    assert wrong_packing["eventHashId"] == hid(PACKED_WRONG)
    assert wrong_packing["stored"] == "error-declaration" and not_destroyed["stored"] == "error-declaration"
    expected_id = declaration_id(hid(PACKED_WRONG), declaration_hash_of(WRONG_PACKING))
    assert wrong_packing["errorDeclaration"] == {
        "declarationId": expected_id,
        "status": "new",
        "event": "stored",
    }
    assert right_packing["stored"] == "new" and right_packing["eventHashId"] == hid(PACKED_RIGHT)
    # Each declaration is its own leaf, anchored, with a proof that verifies offline and on chain.
    for answer, declaration in ((wrong_packing, WRONG_PACKING), (not_destroyed, NOT_DESTROYED)):
        leaf = declaration_leaf(answer["eventHashId"], declaration_hash_of(declaration))
        assert answer["anchor"]["kind"] == "epcis-error-declaration"
        assert b32(answer["anchor"]["leaf"]) == leaf
        assert_anchor_verifies(services, answer["anchor"])
    # The same declarations again: recorded before, nothing new stored or queued for anchoring.
    assert (again["new"], again["duplicates"], again["errorDeclarations"]) == (0, 1, 2)
    assert [e["stored"] for e in again["events"]] == ["error-declaration", "duplicate", "error-declaration"]
    assert [e["errorDeclaration"]["status"] for e in again["events"] if "errorDeclaration" in e] == [
        "duplicate",
        "duplicate",
    ]
    assert declaration_rows(services) == (2, 2)


def test_the_event_shows_its_declaration_corrective_events_and_anchor_and_lists_mark_it_erroneous(
    stack: tuple[ApiDriver, Services],
) -> None:
    api, services = stack
    party = api.participant("enterprise", "Packer")
    production_capture = captured(api, party, production())["captureId"]
    correction_capture = captured(api, party, corrections())["captureId"]
    anchor_now(services)

    wrong = get(api, party, event_path(hid(PACKED_WRONG)))
    right = get(api, party, event_path(hid(PACKED_RIGHT)))
    listed = get(api, party, "/v1/events", epc=ITEM)["items"]

    assert wrong["erroneous"] is True and wrong["captureId"] == production_capture
    assert wrong["correctiveEventIds"] == [CORRECTIVE_ID]
    assert wrong["correctiveEvents"] == [{"eventId": CORRECTIVE_ID, "eventHashIds": [hid(PACKED_RIGHT)]}]
    (declaration,) = wrong["errorDeclarations"]
    assert declaration["declarationTime"] == "2024-06-05T01:00:00.000Z"
    assert declaration["reason"] == "incorrect_data"
    assert declaration["correctiveEventIds"] == [CORRECTIVE_ID]
    assert declaration["declaredBy"] == party.id and declaration["captureId"] == correction_capture
    assert declaration["errorDeclaration"] == WRONG_PACKING
    assert declaration["declarationHash"] == "0x" + declaration_hash_of(WRONG_PACKING).hex()
    assert_anchor_verifies(services, declaration["anchor"])
    assert_anchor_verifies(services, wrong["anchor"])  # the event's own anchor is untouched
    assert right["erroneous"] is False and right["errorDeclarations"] == []
    assert {e["eventHashId"]: e["erroneous"] for e in listed} == {
        hid(COMMISSIONED): False,
        hid(PACKED_WRONG): True,
        hid(PACKED_RIGHT): False,
        hid(DESTROYED_WRONG): True,
    }
    # An EPCIS export carries each declaration after the event it declares, for other repositories.
    exported = get(api, party, "/v1/events", epc=ITEM, format="epcis")
    ids = document_event_hash_ids(parse_document(json.dumps(exported)))
    bodies = exported["epcisBody"]["eventList"]
    position = ids.index(hid(PACKED_WRONG))
    assert ids[position + 1] == hid(PACKED_WRONG)
    assert "errorDeclaration" not in bodies[position]
    assert bodies[position + 1]["errorDeclaration"] == WRONG_PACKING


def test_history_trace_and_location_mark_erroneous_events_and_follow_the_corrective_event(
    stack: tuple[ApiDriver, Services],
) -> None:
    api, _ = stack
    party = api.participant("enterprise", "Packer")
    captured(api, party, production())
    before = item(api, party, ITEM, "location")
    history_before = item(api, party, ITEM, "history")["events"]
    captured(api, party, corrections())

    where = item(api, party, ITEM, "location")
    history = item(api, party, ITEM, "history")["events"]
    back_from_w = item(api, party, W, "trace", direction="back")
    forward = item(api, party, ITEM, "trace", direction="forward")

    # Before: the wrong events decide (destroyed, in W).
    assert (before["disposition"], before["packedIn"]) == ("destroyed", [W])
    assert before["ignoredErroneousEvents"] == []
    assert hid(shipping(W, 3, ELSEWHERE)) in {e["eventHashId"] for e in history_before}
    # After: they are ignored; the item is where the corrective packing put it, in C, shipped to X.
    assert (where["disposition"], where["location"], where["packedIn"]) == ("in_transit", X, [C])
    assert where["locationEvent"] == hid(shipping(C, 3, X))
    assert set(where["ignoredErroneousEvents"]) == {hid(PACKED_WRONG), hid(DESTROYED_WRONG)}
    assert where["lastEvent"] == hid(PACKED_RIGHT)  # its latest own event that is not erroneous
    flags = {e["eventHashId"]: (e["erroneous"], e.get("correctiveEventIds"), e.get("via")) for e in history}
    assert flags == {
        hid(COMMISSIONED): (False, None, None),
        hid(PACKED_WRONG): (True, [CORRECTIVE_ID], None),
        hid(PACKED_RIGHT): (False, None, None),
        hid(shipping(C, 3, X)): (False, None, C),  # moved with C; W's shipment no longer counts
        hid(DESTROYED_WRONG): (True, [], None),
    }
    # Tracing back from W meets the wrong packing, flagged, and follows its corrective event to C.
    assert {i["id"] for i in back_from_w["items"]} == {W, ITEM, C}
    edges = {(e["from"], e["to"]): e.get("erroneous", False) for e in back_from_w["edges"]}
    assert edges == {(ITEM, W): True, (ITEM, C): False}
    events = {e["eventHashId"]: e for e in back_from_w["events"]}
    assert events[hid(PACKED_WRONG)]["erroneous"] is True
    assert events[hid(PACKED_WRONG)]["correctiveEventIds"] == [CORRECTIVE_ID]
    assert events[hid(PACKED_RIGHT)]["erroneous"] is False
    assert events[hid(PACKED_RIGHT)]["corrects"] == [hid(PACKED_WRONG)]
    assert events[hid(DESTROYED_WRONG)]["erroneous"] is True
    assert ELSEWHERE in back_from_w["locations"]  # W's own shipment is not declared erroneous
    assert {i["id"] for i in forward["items"]} == {ITEM, W, C}
    # The trace drawn and exported says the same.
    svg = api.client.get(f"/v1/lineage/{quote(W, safe=':')}.svg", headers=party.headers)
    prov = get(api, party, f"/v1/lineage/{quote(W, safe=':')}", format="prov")
    assert svg.status_code == 200 and "(erroneous)" in svg.text and "(corrective)" in svg.text
    activities = {n["@id"]: n for n in prov["@graph"] if n["@type"] == "prov:Activity"}
    assert activities[hid(PACKED_WRONG)]["dl:erroneous"] is True
    assert activities[hid(PACKED_RIGHT)]["dl:corrects"] == [{"@id": hid(PACKED_WRONG)}]


def test_a_declaration_captured_before_its_event_is_kept_and_applies_when_the_event_arrives(
    stack: tuple[ApiDriver, Services],
) -> None:
    api, services = stack
    party = api.participant("enterprise", "Packer")

    early = captured(api, party, corrections())
    missing = api.client.get(event_path(hid(PACKED_WRONG)), headers=party.headers)
    captured(api, party, production())
    anchor_now(services)
    wrong = get(api, party, event_path(hid(PACKED_WRONG)))

    assert [e["stored"] for e in early["events"]] == ["error-declaration", "new", "error-declaration"]
    assert early["events"][0]["errorDeclaration"]["event"] == "pending"
    assert missing.status_code == 404 and missing.json()["error_declarations"] == 1
    assert wrong["erroneous"] is True and len(wrong["errorDeclarations"]) == 1
    assert_anchor_verifies(services, wrong["errorDeclarations"][0]["anchor"])
    where = item(api, party, ITEM, "location")
    assert (where["location"], where["packedIn"]) == (X, [C])
    assert declaration_rows(services) == (2, 2)


def test_a_second_different_declaration_is_recorded_beside_the_first(
    stack: tuple[ApiDriver, Services],
) -> None:
    api, services = stack
    party, other = api.participant("enterprise", "Packer"), api.participant("enterprise", "Auditor firm")
    captured(api, party, production())
    captured(api, party, corrections())
    later = {  # names the corrective event by its hash ID this time
        "declarationTime": "2024-06-06T09:00:00.000+08:00",
        "reason": "https://ref.gs1.org/cbv/ER-incorrect_data",
        "correctiveEventIDs": [hid(PACKED_RIGHT)],
    }

    answer = captured(api, other, epcis_document([declared(PACKED_WRONG, later)]))
    wrong = get(api, party, event_path(hid(PACKED_WRONG)))

    assert answer["events"][0]["errorDeclaration"]["status"] == "new"
    assert [d["declarationTime"][:10] for d in wrong["errorDeclarations"]] == ["2024-06-05", "2024-06-06"]
    assert [d["reason"] for d in wrong["errorDeclarations"]] == ["incorrect_data", "incorrect_data"]
    assert [d["declaredBy"] for d in wrong["errorDeclarations"]] == [party.id, other.id]
    assert wrong["correctiveEventIds"] == [CORRECTIVE_ID, hid(PACKED_RIGHT)]
    assert wrong["correctiveEvents"] == [
        {"eventId": CORRECTIVE_ID, "eventHashIds": [hid(PACKED_RIGHT)]},
        {"eventId": hid(PACKED_RIGHT), "eventHashIds": [hid(PACKED_RIGHT)]},
    ]
    assert declaration_rows(services) == (3, 3)


def test_an_event_and_its_declaration_in_one_document_store_the_event_and_record_the_declaration(
    stack: tuple[ApiDriver, Services],
) -> None:
    api, _ = stack
    party = api.participant("enterprise", "Packer")

    answer = captured(api, party, epcis_document([declared(DESTROYED_WRONG, NOT_DESTROYED), DESTROYED_WRONG]))

    assert [e["stored"] for e in answer["events"]] == ["error-declaration", "new"]
    assert answer["events"][0]["errorDeclaration"]["event"] == "stored"
    assert get(api, party, event_path(hid(DESTROYED_WRONG)))["erroneous"] is True
