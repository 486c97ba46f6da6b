"""EPCIS error declarations in the domain core: same hash ID as the event, own identity and leaf."""

from __future__ import annotations

import hashlib

from dataledger.registry.canonical import canonical_json
from dataledger.registry.epcis import event_hash_id, parse_document
from dataledger.registry.epcis.capture import prepare_events
from dataledger.registry.epcis.error_declaration import (
    EPCIS_ERROR_DECLARATION_LEAF_TYPEHASH,
    declaration_hash_of,
    declaration_id,
    declaration_leaf,
    prepare_declaration,
    short_reason,
)
from dataledger.registry.epcis.event_leaf import event_digest, event_leaf
from dataledger.registry.epcis.lineage import time_us
from dataledger.registry.epcis.rfc3339 import parse_date_time
from dataledger.registry.keccak import keccak256
from tests.epcis.factories import epcis_document, object_event

DECLARATION = {
    "declarationTime": "2024-05-02T09:00:00.000+08:00",
    "reason": "incorrect_data",
    "correctiveEventIDs": [
        "urn:uuid:9d1c7f80-0a7c-4b52-9d1b-7c3d3f6c2a11",
        "urn:uuid:9d1c7f80-0a7c-4b52-9d1b-7c3d3f6c2a12",
    ],
}


def test_a_declaration_has_the_hash_id_of_the_event_it_declares_erroneous() -> None:
    original = object_event(eventID="urn:uuid:0b5f1c1e-2f0b-4c11-8a57-0c1d1e2f3a4b")
    declared = {**original, "errorDeclaration": DECLARATION}

    assert event_hash_id(declared) == event_hash_id(original)
    assert prepare_declaration(original) is None


def test_a_prepared_declaration_carries_time_reason_corrective_ids_and_a_key_order_free_hash() -> None:
    declared = object_event(errorDeclaration=DECLARATION)
    reordered = object_event(errorDeclaration=dict(reversed(list(DECLARATION.items()))))

    prepared = prepare_declaration(declared)

    assert prepared is not None
    assert prepared.declaration_time_us == time_us(parse_date_time(DECLARATION["declarationTime"]))
    assert prepared.reason == "incorrect_data"
    assert prepared.corrective_event_ids == tuple(DECLARATION["correctiveEventIDs"])
    assert prepared.declaration_hash == hashlib.sha256(canonical_json(DECLARATION)).digest()
    assert prepared.declaration_hash == declaration_hash_of(DECLARATION)
    assert prepare_declaration(reordered) == prepared


def test_reasons_in_any_cbv_form_read_as_their_bare_word() -> None:
    assert short_reason("https://ref.gs1.org/cbv/ER-did_not_occur") == "did_not_occur"
    assert short_reason("urn:epcglobal:cbv:er:incorrect_data") == "incorrect_data"
    assert short_reason("https://example.com/reasons/typo") == "https://example.com/reasons/typo"
    assert short_reason(None) is None


def test_the_declaration_leaf_binds_event_and_declaration_and_differs_from_the_event_leaf() -> None:
    hash_id = event_hash_id(object_event())
    digest = declaration_hash_of(DECLARATION)
    other = declaration_hash_of({**DECLARATION, "reason": "did_not_occur"})

    leaf = declaration_leaf(hash_id, digest)

    assert leaf == keccak256(
        keccak256(EPCIS_ERROR_DECLARATION_LEAF_TYPEHASH + event_digest(hash_id) + digest)
    )
    assert leaf != event_leaf(hash_id)
    assert leaf != declaration_leaf(hash_id, other)
    assert declaration_id(hash_id, digest) == f"{hash_id}#{digest.hex()}"


def test_capture_preparation_keeps_the_declaration_beside_the_event() -> None:
    original = object_event()
    document = parse_document(epcis_document([original, {**original, "errorDeclaration": DECLARATION}]))

    plain, declared = prepare_events(document, ())

    assert plain.hash_id == declared.hash_id and plain.declaration is None
    assert declared.declaration is not None and declared.declaration.reason == "incorrect_data"
