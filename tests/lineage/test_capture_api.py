"""EPCIS capture over HTTP: one transaction per document, idempotent, every event anchored with a proof."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dataledger.composition import Services
from dataledger.registry.epcis import document_event_hash_ids, parse_document
from dataledger.registry.epcis.event_leaf import event_leaf
from tests.epcis.conformance import REPOSITORY_X_ADDED_FIELDS, conformance_documents, expected_hash_ids
from tests.epcis.factories import epcis_document, object_event
from tests.factories import Actor, ApiDriver
from tests.lineage.conftest import (
    anchor_now,
    assert_anchor_verifies,
    b32,
    capture,
    captured,
    event_path,
)

PROBLEM = "application/problem+json"
CONFORMANCE = conformance_documents()


def shipped(serial: int, **overrides: object) -> dict:
    return object_event(epcList=[f"urn:epc:id:sgtin:0614141.107346.{serial}"], **overrides)


def stored_counts(services: Services) -> tuple[int, int]:
    with services.store.engine.connect() as conn:
        events = conn.exec_driver_sql("SELECT count(*) FROM epcis_events").scalar_one()
        entries = conn.exec_driver_sql(
            "SELECT count(*) FROM anchor_outbox WHERE kind = 'epcis-event'"
        ).scalar_one()
    return events, entries


def test_captured_events_are_anchored_with_proofs_that_verify_offline_and_on_chain(
    api: ApiDriver, party: Actor, services: Services
) -> None:
    document = epcis_document([shipped(1), shipped(2), shipped(3)])

    response = capture(api, party, document, wait="true", timeout=30)

    assert response.status_code == 200, response.text
    body = response.json()
    expected = document_event_hash_ids(parse_document(document))
    assert [e["eventHashId"] for e in body["events"]] == expected
    assert body["new"] == 3 and body["duplicates"] == 0 and body["anchored"] is True
    for event in body["events"]:
        assert event["stored"] == "new"
        assert b32(event["anchor"]["leaf"]) == event_leaf(event["eventHashId"])
        assert_anchor_verifies(services, event["anchor"])


def test_an_event_is_read_back_by_its_url_encoded_hash_id_or_digest_with_its_anchor(
    api: ApiDriver, party: Actor, services: Services
) -> None:
    event = shipped(7, bizStep="https://ref.gs1.org/cbv/BizStep-shipping")
    (hash_id,) = [e["eventHashId"] for e in captured(api, party, epcis_document([event]))["events"]]
    assert api.client.get(event_path(hash_id), headers=party.headers).json()["anchor"]["status"] == "pending"
    anchor_now(services)

    by_id = api.client.get(event_path(hash_id), headers=party.headers)
    digest = hash_id.split(";")[1].split("?")[0]
    by_digest = api.client.get(f"/v1/events/{digest}", headers=party.headers)

    assert by_id.status_code == 200, by_id.text
    body = by_id.json()
    assert body == by_digest.json()
    assert body["eventHashId"] == hash_id and body["type"] == "ObjectEvent"
    assert body["bizStep"] == "shipping" and body["eventTime"] == "2024-05-01T01:30:00.250Z"
    assert body["event"] == event
    assert_anchor_verifies(services, body["anchor"])


def test_a_document_with_one_bad_event_is_refused_whole_naming_the_event_and_field(
    api: ApiDriver, party: Actor, services: Services
) -> None:
    document = epcis_document([shipped(1), shipped(2, eventTime="yesterday")])

    response = capture(api, party, document)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["code"] == "epcis-document-invalid"
    assert problem["type"].endswith("/epcis-document-invalid")
    assert problem["event_index"] == 1 and problem["field"] == "eventTime"
    assert stored_counts(services) == (0, 0)


def test_malformed_json_is_refused_with_its_position(api: ApiDriver, party: Actor) -> None:
    response = capture(api, party, b'{"type": "EPCISDocument",')

    assert response.status_code == 422
    assert response.json()["code"] == "epcis-document-invalid"
    assert "line 1" in response.json()["detail"]


def test_capturing_the_same_events_again_answers_with_the_stored_events(
    api: ApiDriver, party: Actor, services: Services
) -> None:
    first = captured(api, party, epcis_document([shipped(1), shipped(2)]))
    again = captured(api, party, epcis_document([shipped(2), shipped(3), shipped(3)]))

    ids = {e["eventHashId"] for e in first["events"]}
    assert [e["stored"] for e in again["events"]] == ["duplicate", "new", "duplicate"]
    assert again["events"][0]["eventHashId"] in ids
    assert again["events"][1]["eventHashId"] == again["events"][2]["eventHashId"]
    assert (again["new"], again["duplicates"]) == (1, 2)
    assert stored_counts(services) == (3, 3)


def test_only_supply_chain_parties_capture(api: ApiDriver) -> None:
    auditor = api.participant("auditor")

    response = capture(api, auditor, epcis_document([shipped(1)]))

    assert response.status_code == 403
    assert response.json()["code"] == "not-authorised"


def test_unknown_and_malformed_hash_ids_are_problems(api: ApiDriver, party: Actor) -> None:
    unknown = api.client.get(event_path("ni:///sha-256;" + "ab" * 32 + "?ver=CBV2.0"), headers=party.headers)
    malformed = api.client.get("/v1/events/not-a-hash", headers=party.headers)

    assert unknown.status_code == 404 and unknown.json()["code"] == "epcis-event-not-found"
    assert malformed.status_code == 422 and malformed.json()["field"] == "eventHashId"


def test_events_are_queried_by_item_business_step_and_time_in_event_time_order(
    api: ApiDriver, party: Actor
) -> None:
    epc = "urn:epc:id:sgtin:0614141.107346.1"
    late = shipped(1, eventTime="2024-05-03T09:00:00.000+08:00", bizStep="receiving")
    early = shipped(1, eventTime="2024-05-01T09:00:00.000+08:00")
    other = shipped(2, eventTime="2024-05-02T09:00:00.000+08:00")
    captured(api, party, epcis_document([late, other, early]))  # out of order on purpose

    def query(**params: object) -> list[str]:
        response = api.client.get("/v1/events", params=params, headers=party.headers)
        assert response.status_code == 200, response.text
        return [e["eventTime"] for e in response.json()["items"]]

    assert query() == ["2024-05-01T01:00:00.000Z", "2024-05-02T01:00:00.000Z", "2024-05-03T01:00:00.000Z"]
    assert query(epc=epc) == ["2024-05-01T01:00:00.000Z", "2024-05-03T01:00:00.000Z"]
    assert query(bizStep="receiving") == query(bizStep="https://ref.gs1.org/cbv/BizStep-receiving")
    assert query(bizStep="receiving") == ["2024-05-03T01:00:00.000Z"]
    assert query(**{"from": "2024-05-02T01:00:00Z", "to": "2024-05-03T01:00:00Z"}) == [
        "2024-05-02T01:00:00.000Z"
    ]
    assert query(limit=2, offset=2) == ["2024-05-03T01:00:00.000Z"]
    bad = api.client.get("/v1/events", params={"from": "monday"}, headers=party.headers)
    assert bad.status_code == 422 and bad.json()["field"] == "from"


def test_exported_epcis_document_reproduces_the_captured_hash_ids(api: ApiDriver, party: Actor) -> None:
    document = epcis_document([shipped(1), shipped(2, bizStep="receiving")])
    ids = [e["eventHashId"] for e in captured(api, party, document)["events"]]

    response = api.client.get("/v1/events", params={"format": "epcis"}, headers=party.headers)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    exported = response.json()
    assert exported["type"] == "EPCISDocument" and exported["@context"] == document["@context"]
    assert document_event_hash_ids(parse_document(json.dumps(exported))) == ids


@pytest.mark.skipif(not CONFORMANCE, reason="GS1 conformance vectors are not available")
def test_all_gs1_conformance_documents_import_through_the_api_with_their_expected_ids(
    api: ApiDriver, party: Actor, services: Services
) -> None:
    assert len(CONFORMANCE) == 22
    for path in CONFORMANCE:
        response = capture(api, party, Path(path).read_bytes(), ignoreField=list(REPOSITORY_X_ADDED_FIELDS))
        assert response.status_code in (200, 202), f"{path.name}: {response.text}"
        assert [e["eventHashId"] for e in response.json()["events"]] == expected_hash_ids(path), path.name
    anchor_now(services)
    some = expected_hash_ids(CONFORMANCE[0])[0]
    stored = api.client.get(event_path(some), headers=party.headers).json()
    assert_anchor_verifies(services, stored["anchor"])
