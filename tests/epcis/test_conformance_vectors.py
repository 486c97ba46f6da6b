"""GS1's conformance vectors: every document's event hash IDs equal its .hashes file, line by line."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest

from dataledger.registry.epcis import (
    DATALEDGER_ADDED_FIELDS,
    document_event_hash_ids,
    hash_events,
    parse_document,
)
from tests.epcis.conformance import (
    CONFORMANCE_DIR,
    REPOSITORY_X_ADDED_FIELDS,
    conformance_documents,
    expected_hash_ids,
)

DOCUMENTS = conformance_documents()
needs_vectors = pytest.mark.skipif(not DOCUMENTS, reason=f"no GS1 conformance vectors in {CONFORMANCE_DIR}")


@needs_vectors
def test_all_twenty_two_vectors_are_present() -> None:
    assert len(DOCUMENTS) == 22


@needs_vectors
@pytest.mark.parametrize("document", DOCUMENTS, ids=[d.stem for d in DOCUMENTS])
def test_event_hash_ids_equal_the_vector(document: Path) -> None:
    parsed = parse_document(document.read_bytes())

    ids = document_event_hash_ids(parsed, ignore_fields=DATALEDGER_ADDED_FIELDS + REPOSITORY_X_ADDED_FIELDS)

    assert ids == expected_hash_ids(document)


@needs_vectors
def test_hashing_a_file_is_parse_then_document_event_hash_ids(conformance_dir: Path) -> None:
    """What ``dataledger events hash FILE`` does, end to end."""
    path = conformance_dir / "epcisDocWithVariousEventTypes.jsonld"

    ids = document_event_hash_ids(parse_document(path.read_bytes()))

    assert ids == expected_hash_ids(path)
    assert all(i.startswith("ni:///sha-256;") and i.endswith("?ver=CBV2.0") for i in ids)


@needs_vectors
def test_fields_a_repository_added_change_the_id_unless_configured(conformance_dir: Path) -> None:
    parsed = parse_document((conformance_dir / "epcisDocHavingEventWithIgnoreFields.jsonld").read_bytes())
    expected = expected_hash_ids(conformance_dir / "epcisDocHavingEventWithIgnoreFields.jsonld")

    unconfigured = hash_events(parsed)
    configured = hash_events(parsed, ignore_fields=REPOSITORY_X_ADDED_FIELDS)

    assert unconfigured[0].hash_id != expected[0]
    assert unconfigured[0].declared_matches is False
    assert [r.hash_id for r in configured] == expected
    assert [r.declared_matches for r in configured] == [True, True]


@needs_vectors
def test_declared_event_ids_of_a_query_document_are_reported(conformance_dir: Path) -> None:
    path = conformance_dir / "epcisQueryDocument.jsonld"
    parsed = parse_document(path.read_bytes())

    results = hash_events(parsed)

    assert parsed.kind == "EPCISQueryDocument"
    assert [r.hash_id for r in results] == expected_hash_ids(path)
    assert [r.declared_event_id for r in results] == [e["eventID"] for e in parsed.events]
    assert [r.declared_matches for r in results] == [
        e["eventID"] == h for e, h in zip(parsed.events, expected_hash_ids(path), strict=True)
    ]


def test_the_reference_package_is_the_pinned_release() -> None:
    """The normaliser and contexts are read from this release; another one may hash differently."""
    assert version("epcis-event-hash-generator") == "1.9.3"
