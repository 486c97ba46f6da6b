"""EPCIS 2.0 event rules: each refused input names the event index and the exact field path."""

from __future__ import annotations

from typing import Any

import pytest

from dataledger.registry.epcis import EpcisDocumentInvalid, Problem, parse_document, validate_event
from tests.epcis.factories import epcis_document, object_event


def refused(*events: dict[str, Any]) -> list[Problem]:
    """The problems of a document holding a valid event followed by ``events``."""
    with pytest.raises(EpcisDocumentInvalid) as error:
        parse_document(epcis_document([object_event(), *events]))
    return [Problem(*p) for p in error.value.problems]


def without(event: dict[str, Any], field: str) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != field}


def test_missing_event_time_is_refused() -> None:
    assert refused(without(object_event(), "eventTime")) == [Problem(1, "eventTime", "is required")]


def test_epc_list_of_the_wrong_type_is_refused() -> None:
    assert refused(object_event(epcList="urn:epc:id:sgtin:0614141.107346.2017")) == [
        Problem(1, "epcList", "must be an array"),
    ]


def test_an_epc_that_is_not_a_uri_is_refused_at_its_index() -> None:
    problems = refused(object_event(epcList=["urn:epc:id:sgtin:0614141.107346.2017", 42]))

    assert [(p.event_index, p.field) for p in problems] == [(1, "epcList[1]")]


def test_unknown_event_type_is_refused() -> None:
    assert refused(object_event(type="ShippingEvent")) == [
        Problem(
            1,
            "type",
            "unknown event type 'ShippingEvent' (expected one of ObjectEvent, AggregationEvent, "
            "TransactionEvent, TransformationEvent, AssociationEvent)",
        ),
    ]


def test_unparseable_event_time_is_refused() -> None:
    problems = refused(object_event(eventTime="2024-05-01 09:30"))

    assert [(p.event_index, p.field) for p in problems] == [(1, "eventTime")]
    assert "not a valid date-time" in problems[0].message


@pytest.mark.parametrize(
    "event_time",
    [
        "2024-05-01T09:30:00",  # no offset
        "2024-02-30T09:30:00Z",  # no such day
        "2024-05-01T09:30:60Z",  # leap second
        "2024-05-01T24:00:00Z",
        "2024-05-01T09:30:00+24:00",
    ],
)
def test_event_times_that_are_not_rfc_3339_date_times_are_refused(event_time: str) -> None:
    assert [(p.event_index, p.field) for p in refused(object_event(eventTime=event_time))] == [
        (1, "eventTime")
    ]


@pytest.mark.parametrize("offset", ["+8:00", "+08", "08:00", "+14:30", "-15:00", "+08:60", "Z"])
def test_bad_time_zone_offset_is_refused(offset: str) -> None:
    assert refused(object_event(eventTimeZoneOffset=offset)) == [
        Problem(1, "eventTimeZoneOffset", "must be a time zone offset ±HH:MM between -14:00 and +14:00"),
    ]


def test_missing_action_on_an_object_event_is_refused() -> None:
    assert refused(without(object_event(), "action")) == [Problem(1, "action", "is required for ObjectEvent")]


def test_an_action_outside_add_observe_delete_is_refused() -> None:
    assert refused(object_event(action="UPDATE")) == [
        Problem(1, "action", "must be one of ADD, OBSERVE, DELETE")
    ]


def test_all_problems_of_all_events_are_reported_in_document_order() -> None:
    problems = refused(
        without(object_event(eventTimeZoneOffset="8"), "eventTime"),
        object_event(
            quantityList=[{"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": "10"}]
        ),
    )

    assert [(p.event_index, p.field) for p in problems] == [
        (1, "eventTime"),
        (1, "eventTimeZoneOffset"),
        (2, "quantityList[0].quantity"),
    ]


def test_quantity_elements_need_an_epc_class_and_a_numeric_quantity() -> None:
    problems = validate_event(object_event(quantityList=[{"quantity": True, "uom": "kg"}]), 0)

    assert problems == [
        Problem(0, "quantityList[0].epcClass", "is required"),
        Problem(0, "quantityList[0].quantity", "must be a number"),
        Problem(0, "quantityList[0].uom", "must be a UN/ECE unit code such as KGM"),
    ]


def test_read_point_needs_an_id() -> None:
    assert validate_event(object_event(readPoint={"example:gate": "3"}), 7) == [
        Problem(7, "readPoint.id", "is required"),
    ]


def test_business_transactions_sources_and_destinations_need_their_fields() -> None:
    event = object_event(
        bizTransactionList=[{"type": "po"}],
        sourceList=[{"source": "urn:epc:id:pgln:0614141.00001"}],
        destinationList=[{"type": "owning_party", "destination": "urn:epc:id:pgln:0614141.00002", "x": 1}],
    )

    assert validate_event(event, 0) == [
        Problem(0, "bizTransactionList[0].bizTransaction", "is required"),
        Problem(0, "sourceList[0].type", "is required"),
        Problem(0, "destinationList[0].x", "is not a field here"),
    ]


def test_cbv_words_are_checked_and_uris_accepted() -> None:
    assert validate_event(object_event(bizStep="shiping"), 0) == [
        Problem(0, "bizStep", "must be a CBV bizStep word or a URI, not 'shiping'"),
    ]
    assert validate_event(object_event(bizStep="urn:epcglobal:cbv:bizstep:shipping"), 0) == []
    assert validate_event(object_event(bizStep="https://ref.gs1.org/cbv/BizStep-shipping"), 0) == []


@pytest.mark.parametrize(
    ("event_type", "fields", "problem"),
    [
        (
            "AggregationEvent",
            {"action": "ADD", "childEPCs": ["urn:epc:id:sgtin:0614141.107346.2017"]},
            Problem(0, "parentID", "is required for AggregationEvent unless action is OBSERVE"),
        ),
        (
            "AssociationEvent",
            {"action": "OBSERVE", "childEPCs": ["urn:epc:id:sgtin:0614141.107346.2017"]},
            Problem(0, "parentID", "is required for AssociationEvent"),
        ),
        (
            "TransactionEvent",
            {"action": "ADD", "epcList": []},
            Problem(0, "bizTransactionList", "is required for TransactionEvent and must not be empty"),
        ),
        (
            "TransformationEvent",
            {"inputEPCList": []},
            Problem(0, "inputEPCList", "TransformationEvent needs a non-empty input or output list"),
        ),
        (
            "AggregationEvent",
            {"action": "ADD", "parentID": "urn:epc:id:sscc:0614141.1234567890"},
            Problem(
                0, "childEPCs", "AggregationEvent needs childEPCs or childQuantityList (or action DELETE)"
            ),
        ),
    ],
)
def test_per_type_requirements(event_type: str, fields: dict[str, Any], problem: Problem) -> None:
    event = {
        "type": event_type,
        "eventTime": "2024-05-01T09:30:00Z",
        "eventTimeZoneOffset": "+00:00",
        **fields,
    }

    assert validate_event(event, 0) == [problem]


def test_a_transformation_event_has_no_action() -> None:
    event = {
        "type": "TransformationEvent",
        "eventTime": "2024-05-01T09:30:00Z",
        "eventTimeZoneOffset": "+00:00",
        "inputEPCList": ["urn:epc:id:sgtin:0614141.107346.2017"],
        "action": "ADD",
    }

    assert validate_event(event, 0) == [
        Problem(0, "action", "is not a field of TransformationEvent (extensions need prefix:name)")
    ]


def test_extensions_must_be_namespaced_at_every_level() -> None:
    event = object_event(note="x", **{"example:batch": {"lot": "A1", "example:size": 3}})

    assert validate_event(event, 0) == [
        Problem(0, "note", "is not a field of ObjectEvent (extensions need prefix:name)"),
        Problem(0, "example:batch.lot", "extension field names need a namespace prefix (prefix:name)"),
    ]


def test_event_level_json_ld_keywords_are_refused() -> None:
    assert validate_event(object_event(**{"@context": {"x": "https://x.example/"}}), 0) == [
        Problem(
            0, "@context", "JSON-LD keywords are not supported in events (declare prefixes in the @context)"
        ),
    ]


def test_ilmd_only_when_objects_are_added() -> None:
    assert validate_event(object_event(ilmd={"example:lot": "A1"}), 0) == [
        Problem(0, "ilmd", "is only allowed when action is ADD"),
    ]
    assert validate_event(object_event(action="ADD", ilmd={"example:lot": "A1"}), 0) == []


def test_sensor_times_must_be_date_times() -> None:
    event = object_event(
        sensorElementList=[
            {
                "sensorMetadata": {"time": "noon"},
                "sensorReport": [
                    {"type": "Temperature", "value": 4.5, "uom": "CEL", "time": "2024-05-01T09:00:00Z"}
                ],
            }
        ]
    )

    problems = validate_event(event, 0)

    assert [p.field for p in problems] == ["sensorElementList[0].sensorMetadata.time"]


def test_an_event_that_is_not_an_object_is_refused() -> None:
    assert validate_event(["ObjectEvent"], 2) == [Problem(2, "", "an event must be a JSON object")]


def test_extension_objects_take_a_single_type() -> None:
    """An array of types inside a list makes the CBV 2.0 hash compare a list with a string."""
    event = object_event(**{"example:parts": [{"type": ["example:A", "example:B"]}, "shipping"]})

    assert validate_event(event, 0) == [Problem(0, "example:parts[0].type", "must be a string")]
