"""CBV 2.0 event hash IDs: properties, repository-added fields, declared eventIDs, refusals."""

from __future__ import annotations

import copy
import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataledger.registry.epcis import (
    DATALEDGER_ADDED_FIELDS,
    EPCIS_CONTEXT_URL,
    EpcisDocumentInvalid,
    event_hash_id,
    event_prehash,
    hash_events,
    parse_document,
    validate_event,
)
from dataledger.registry.epcis.rfc3339 import cbv_timestamp
from tests.epcis.factories import EXAMPLE_CONTEXT, epcis_document, object_event
from tests.epcis.strategies import events, reordered

# derandomized: the same examples on every run, so a failure is never a flake
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def test_hash_id_is_an_ni_uri_of_sha_256_marked_cbv_2() -> None:
    hash_id = event_hash_id(object_event(), EXAMPLE_CONTEXT)

    assert hash_id.startswith("ni:///sha-256;") and hash_id.endswith("?ver=CBV2.0")
    assert len(hash_id.split(";")[1].split("?")[0]) == 64


@PROPERTY_SETTINGS
@given(event=events())
def test_generated_events_are_valid(event: dict[str, Any]) -> None:
    assert validate_event(event, 0) == []


@PROPERTY_SETTINGS
@given(event=events(), seed=st.integers())
def test_hash_id_ignores_json_key_order_and_epc_list_order(event: dict[str, Any], seed: int) -> None:
    shuffled = reordered(event, random.Random(seed))
    for field in ("epcList", "childEPCs", "inputEPCList"):
        if field in shuffled:
            random.Random(seed).shuffle(shuffled[field])

    assert event_hash_id(shuffled, EXAMPLE_CONTEXT) == event_hash_id(event, EXAMPLE_CONTEXT)


@PROPERTY_SETTINGS
@given(
    event=events(), shift=st.integers(min_value=1, max_value=10**9).map(lambda ms: timedelta(milliseconds=ms))
)
def test_hash_id_changes_when_event_time_changes(event: dict[str, Any], shift: timedelta) -> None:
    later = copy.deepcopy(event)
    # hash IDs see milliseconds: move the millisecond-precise instant by whole milliseconds
    moment = datetime.fromisoformat(cbv_timestamp(event["eventTime"]).replace("Z", "+00:00"))
    later["eventTime"] = (moment + shift).isoformat(timespec="milliseconds")

    assert event_hash_id(later, EXAMPLE_CONTEXT) != event_hash_id(event, EXAMPLE_CONTEXT)


def test_the_same_instant_in_another_time_zone_has_the_same_hash_id() -> None:
    in_shanghai = object_event(eventTime="2024-05-01T09:30:00.250+08:00")
    in_utc = object_event(eventTime="2024-05-01T01:30:00.25Z")

    assert event_hash_id(in_shanghai) == event_hash_id(in_utc)


def test_fields_dataledger_adds_are_not_part_of_the_hash_id() -> None:
    stored = object_event(**{"dataledger:anchor": {"dataledger:tx": "0xabc", "dataledger:block": 7}})

    assert event_hash_id(stored) == event_hash_id(object_event())
    assert event_hash_id(stored, ignore_fields=()) != event_hash_id(object_event())
    assert "dataledger:anchor" in DATALEDGER_ADDED_FIELDS


def test_ignored_fields_are_matched_by_expanded_name() -> None:
    context = [
        EPCIS_CONTEXT_URL,
        {"rx": "https://repository-x.example.com/", "example": "https://ns.example.com/"},
    ]
    stored = object_event(**{"rx:hash": "ni:///sha-256;00?ver=CBV2.0"})

    by_other_prefix = event_hash_id(stored, context, ignore_fields=["https://repository-x.example.com/hash"])

    assert by_other_prefix == event_hash_id(object_event(), context)


def test_user_extension_fields_are_part_of_the_hash_id() -> None:
    assert event_hash_id(object_event(**{"example:lot": "A1"}), EXAMPLE_CONTEXT) != event_hash_id(
        object_event(**{"example:lot": "A2"}), EXAMPLE_CONTEXT
    )


def test_record_time_event_id_and_comments_are_not_part_of_the_hash_id() -> None:
    decorated = object_event(
        recordTime="2024-05-02T00:00:00Z", eventID="urn:uuid:1", **{"rdfs:comment": "hi"}
    )

    assert event_hash_id(decorated) == event_hash_id(object_event())


def test_declared_event_ids_are_compared_with_computed_ones() -> None:
    right = object_event()
    right["eventID"] = event_hash_id(object_event(), EXAMPLE_CONTEXT)
    wrong = object_event(eventID="ni:///sha-256;" + "0" * 64 + "?ver=CBV2.0")
    plain = object_event(action="ADD")

    results = hash_events(parse_document(epcis_document([right, wrong, plain])))

    assert [r.declared_matches for r in results] == [True, False, None]
    assert results[1].declared_event_id == wrong["eventID"]


def test_a_business_transaction_without_type_is_hashed_as_the_cbv_writes_it() -> None:
    """The reference fails on it (IndexError); the CBV order simply has no type to write."""
    event = object_event(bizTransactionList=[{"bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:PO-1"}])

    assert "bizTransactionListbizTransaction=urn:epcglobal:cbv:bt:0614141073467:PO-1" in event_prehash(event)


def test_value_first_business_transactions_hash_as_type_first_ones() -> None:
    """The reference takes the first two keys in document order; the CBV writes the type first."""
    value_first = object_event(bizTransactionList=[{"bizTransaction": "urn:x:1", "type": "po"}])
    type_first = object_event(bizTransactionList=[{"type": "po", "bizTransaction": "urn:x:1"}])

    assert event_hash_id(value_first) == event_hash_id(type_first)
    assert "bizTransactionListtype=https://ref.gs1.org/cbv/BTT-pobizTransaction=urn:x:1" in event_prehash(
        value_first
    )


def test_a_fraction_that_rounds_up_to_the_next_second_carries_over() -> None:
    """The reference fails on it (ValueError) and silently drops the event."""
    prehash = event_prehash(object_event(eventTime="2024-05-01T09:30:59.9996+08:00"))

    assert prehash.startswith("eventType=ObjectEventeventTime=2024-05-01T01:31:00.000Z")


def test_events_the_algorithm_cannot_hash_refuse_the_document_whole() -> None:
    bad = object_event(**{"example:thing": {"type": "bizStep"}})  # a type carrying a type-scoped context
    document = parse_document(epcis_document([object_event(), bad, bad]))

    with pytest.raises(EpcisDocumentInvalid) as error:
        hash_events(document)

    assert [(p[0], p[1]) for p in error.value.problems] == [(1, "$"), (2, "$")]
    assert "type-scoped context" in error.value.problems[0][2]


def test_a_context_outside_the_supported_subset_is_refused() -> None:
    with pytest.raises(EpcisDocumentInvalid) as error:
        event_hash_id(object_event(), [EPCIS_CONTEXT_URL, {"@vocab": "https://example.com/"}])

    assert error.value.problems[0][:2] == (None, "@context")
