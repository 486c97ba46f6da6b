"""Exporting stored events as an EPCIS 2.0 capture document keeps every event's hash ID."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from dataledger.registry.epcis import (
    EpcisDocumentInvalid,
    document_event_hash_ids,
    parse_document,
    to_epcis_document,
)
from tests.epcis.conformance import REPOSITORY_X_ADDED_FIELDS, conformance_documents
from tests.epcis.factories import EXAMPLE_CONTEXT, object_event

CREATED = datetime(2024, 5, 1, 18, 0, 0, 123456, tzinfo=timezone(timedelta(hours=8)))
DOCUMENTS = conformance_documents()


def test_exported_document_is_a_valid_epcis_2_capture_document() -> None:
    document = to_epcis_document([object_event()], creation_date=CREATED, context=EXAMPLE_CONTEXT)

    assert document["@context"] == EXAMPLE_CONTEXT
    assert (document["type"], document["schemaVersion"], document["creationDate"]) == (
        "EPCISDocument",
        "2.0",
        "2024-05-01T10:00:00.123Z",
    )
    assert parse_document(json.dumps(document).encode()).events == (object_event(),)


@pytest.mark.skipif(not DOCUMENTS, reason="no GS1 conformance vectors")
@pytest.mark.parametrize("path", DOCUMENTS, ids=[d.stem for d in DOCUMENTS])
def test_parse_export_parse_keeps_hash_ids(path: Path) -> None:
    original = parse_document(path.read_bytes())
    stored = [{**event, "dataledger:anchor": {"dataledger:block": 7}} for event in original.events]

    exported = to_epcis_document(stored, creation_date=datetime.now(UTC), context=original.context)
    reparsed = parse_document(json.dumps(exported).encode())

    assert document_event_hash_ids(
        reparsed, ignore_fields=("dataledger:anchor", *REPOSITORY_X_ADDED_FIELDS)
    ) == document_event_hash_ids(original, ignore_fields=REPOSITORY_X_ADDED_FIELDS)


def test_fields_can_be_dropped_from_the_exported_copies() -> None:
    stored = [object_event(**{"dataledger:anchor": "0xabc"})]

    document = to_epcis_document(stored, creation_date=CREATED, drop_fields=["dataledger:anchor"])

    assert "dataledger:anchor" not in document["epcisBody"]["eventList"][0]
    assert "dataledger:anchor" in stored[0]


def test_invalid_events_are_not_exported() -> None:
    with pytest.raises(EpcisDocumentInvalid) as error:
        to_epcis_document([object_event(), object_event(action="MOVE")], creation_date=CREATED)

    assert error.value.problems[0][:2] == (1, "action")


def test_a_naive_creation_date_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        to_epcis_document([object_event()], creation_date=datetime(2024, 5, 1))
