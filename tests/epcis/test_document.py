"""Parsing EPCIS documents: capture and query documents, strict JSON, limits, refused whole."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dataledger.api.problems import http_status_of
from dataledger.registry.epcis import (
    DocumentLimits,
    EpcisDocumentInvalid,
    EpcisDocumentTooLarge,
    parse_document,
)
from dataledger.registry.errors import ValidationFailed
from tests.epcis.factories import epcis_document, object_event


def problems_of(error: pytest.ExceptionInfo[EpcisDocumentInvalid]) -> list[tuple[int | None, str, str]]:
    return [(p[0], p[1], p[2]) for p in error.value.problems]


def test_capture_document_events_are_parsed_in_document_order() -> None:
    events = [object_event(eventTime=f"2024-05-01T09:3{i}:00Z") for i in range(3)]

    document = parse_document(json.dumps(epcis_document(events)).encode())

    assert document.kind == "EPCISDocument"
    assert [e["eventTime"] for e in document.events] == [e["eventTime"] for e in events]


def test_query_document_events_are_read_from_the_results_body() -> None:
    events = [object_event(), object_event(action="ADD")]

    document = parse_document(epcis_document(events, kind="EPCISQueryDocument"))

    assert document.kind == "EPCISQueryDocument"
    assert list(document.events) == events


def test_malformed_json_is_refused_with_line_and_column() -> None:
    text = '{\n  "type": "EPCISDocument",\n  "schemaVersion" "2.0"\n}'

    with pytest.raises(EpcisDocumentInvalid) as error:
        parse_document(text.encode())

    assert problems_of(error) == [(None, "$", "malformed JSON at line 3, column 19: Expecting ':' delimiter")]
    assert (error.value.extra["line"], error.value.extra["column"]) == (3, 19)
    assert isinstance(error.value, ValidationFailed) and isinstance(error.value, ValueError)


def test_a_document_over_the_byte_limit_is_refused_before_it_is_read() -> None:
    data = json.dumps(epcis_document([object_event()])).encode()

    with pytest.raises(EpcisDocumentTooLarge) as error:
        parse_document(data, limits=DocumentLimits(max_bytes=len(data) - 1))

    assert problems_of(error) == [
        (None, "$", f"the document has {len(data)} bytes; at most {len(data) - 1} are accepted")
    ]
    assert http_status_of(error.value) == 413


def test_a_document_over_the_event_limit_is_refused() -> None:
    document = epcis_document([object_event()] * 3)

    with pytest.raises(EpcisDocumentTooLarge) as error:
        parse_document(document, limits=DocumentLimits(max_events=2))

    assert problems_of(error) == [(None, "epcisBody.eventList", "3 events; at most 2 are accepted")]


def test_default_limits_are_ten_megabytes_and_a_hundred_thousand_events() -> None:
    assert (DocumentLimits().max_bytes, DocumentLimits().max_events) == (10 * 1024 * 1024, 100_000)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1, "a": 2}', "not acceptable JSON: duplicate key 'a' in a JSON object"),
        ('{"a": NaN}', "not acceptable JSON: NaN is not valid JSON"),
        ("[1, 2]", "an EPCIS document must be a JSON object"),
    ],
)
def test_json_that_is_not_strict_or_not_an_object_is_refused(text: str, message: str) -> None:
    with pytest.raises(EpcisDocumentInvalid) as error:
        parse_document(text)

    assert problems_of(error) == [(None, "$", message)]


def test_deeply_nested_json_is_refused() -> None:
    event = object_event(**{"example:deep": json.loads("[" * 100 + "]" * 100)})

    with pytest.raises(EpcisDocumentInvalid) as error:
        parse_document(epcis_document([event]))

    assert problems_of(error) == [(None, "$", "the JSON is nested deeper than 64 levels")]


def test_document_level_problems_are_all_reported() -> None:
    document: dict[str, Any] = epcis_document([object_event()])
    document.update(type="EPCISDoc", schemaVersion=2, creationDate="yesterday")
    del document["@context"]

    with pytest.raises(EpcisDocumentInvalid) as error:
        parse_document(document)

    assert [(p[0], p[1]) for p in error.value.problems] == [
        (None, "type"),
        (None, "@context"),
        (None, "schemaVersion"),
        (None, "creationDate"),
    ]


def test_a_context_that_would_have_to_be_fetched_is_refused() -> None:
    document = epcis_document([object_event()], context=["https://example.com/my-context.jsonld"])

    with pytest.raises(EpcisDocumentInvalid) as error:
        parse_document(document)

    assert error.value.problems[0][:2] == (None, "@context")
    assert "not available offline" in error.value.problems[0][2]


def test_a_context_redefining_a_protected_gs1_term_is_refused() -> None:
    context = [
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        {"cbv": "https://example.com/"},
    ]

    with pytest.raises(EpcisDocumentInvalid) as error:
        parse_document(epcis_document([object_event()], context=context))

    assert error.value.problems[0][:3] == (None, "@context", "@context redefines the protected term 'cbv'")


def test_query_document_without_results_body_is_refused() -> None:
    document = epcis_document([object_event()], kind="EPCISQueryDocument")
    del document["epcisBody"]["queryResults"]["resultsBody"]

    with pytest.raises(EpcisDocumentInvalid) as error:
        parse_document(document)

    assert problems_of(error) == [
        (None, "epcisBody.queryResults.resultsBody", "is required and must be an object")
    ]


def test_nothing_is_accepted_when_one_event_of_many_is_invalid() -> None:
    events = [object_event() for _ in range(5)]
    del events[3]["eventTime"]

    with pytest.raises(EpcisDocumentInvalid) as error:
        parse_document(epcis_document(events))

    assert problems_of(error) == [(3, "eventTime", "is required")]
    assert error.value.extra["event_index"] == 3
    assert error.value.extra["field"] == "eventTime"
    assert str(error.value) == "event 3: eventTime: is required"


def test_a_caller_dict_is_copied_not_kept() -> None:
    source = epcis_document([object_event()])

    document = parse_document(source)
    source["epcisBody"]["eventList"][0]["action"] = "DELETE"

    assert document.events[0]["action"] == "OBSERVE"
