"""Large documents are prepared in a process pool: same IDs, same refusals, one transaction."""

from __future__ import annotations

import json

import pytest

from dataledger.composition import Services
from dataledger.registry.epcis import document_event_hash_ids, parse_document
from dataledger.registry.epcis.capture import CHUNK_EVENTS, PARALLEL_FROM_EVENTS
from dataledger.registry.errors import EpcisDocumentInvalid
from tests.epcis.factories import epcis_document, object_event


def many_events(count: int) -> list[dict]:
    return [object_event(epcList=[f"urn:epc:id:sgtin:0614141.107346.{i}"]) for i in range(count)]


def test_a_large_document_is_hashed_in_parallel_to_the_same_ids_and_stored_in_one_transaction(
    services: Services,
) -> None:
    document = parse_document(json.dumps(epcis_document(many_events(PARALLEL_FROM_EVENTS + 10))))

    result = services.events.capture(document, captured_by="test")

    assert services.events._pool is not None  # the process pool did the hashing
    assert [e.hash_id for e in result.events] == document_event_hash_ids(document)
    assert result.new_count == len(document.events)


def test_a_refusal_from_a_worker_names_the_event_by_its_place_in_the_whole_document(
    services: Services,
) -> None:
    events = many_events(PARALLEL_FROM_EVENTS + 10)
    bad = CHUNK_EVENTS + 3  # in the second chunk
    events[bad]["example:thing"] = {"type": "bizStep"}  # valid, but the hash algorithm cannot process it
    document = parse_document(json.dumps(epcis_document(events)))
    with pytest.raises(EpcisDocumentInvalid) as inline:
        document_event_hash_ids(document)

    with pytest.raises(EpcisDocumentInvalid) as refused:
        services.events.capture(document, captured_by="test")

    assert refused.value.problems == inline.value.problems
    assert refused.value.problems[0][0] == bad
    with services.store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM epcis_events").scalar_one() == 0
