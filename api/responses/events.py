"""Response shapes of EPCIS 2.0 capture and event queries.

The events themselves are open documents (GS1 EPCIS 2.0: extensions, user vocabularies, JSON-LD), so
they stay ``dict[str, Any]``; what the registry adds around them is typed: the CBV 2.0 event hash ID,
the indexed facts, the anchor and inclusion proof (:data:`api.responses.bulk.Inclusion`), and the
error declarations on the event.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from dataledger.api.responses.assets import IsoDateTime
from dataledger.api.responses.bulk import ANCHORED_INCLUSION_EXAMPLE, Inclusion
from dataledger.api.responses.common import HexHash, Page, Wire, example

HASH_ID_EXAMPLE = "ni:///sha-256;" + "2f" * 32 + "?ver=CBV2.0"
CORRECTIVE_HASH_ID_EXAMPLE = "ni:///sha-256;" + "a4" * 32 + "?ver=CBV2.0"
CAPTURE_ID_EXAMPLE = "0b9e6a4c1f2d4e7a8c3b5d6e7f8a9b0c"
EventHashId = Annotated[
    str,
    Field(
        pattern=r"^ni:///sha-256;[0-9a-f]{64}\?ver=CBV2\.0$",
        description="The event's GS1 CBV 2.0 event hash ID",
        examples=[HASH_ID_EXAMPLE],
    ),
]
EventType = Literal[
    "ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent"
]
EVENT_EXAMPLE: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2024-05-01T01:30:00.250Z",
    "eventTimeZoneOffset": "+02:00",
    "epcList": ["urn:epc:id:sgtin:4012345.011111.1001"],
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "readPoint": {"id": "urn:epc:id:sgln:4012345.00001.0"},
}
EVENT_ANCHOR_EXAMPLE: dict[str, Any] = {
    **ANCHORED_INCLUSION_EXAMPLE,
    "kind": "epcis-event",
    "ref": HASH_ID_EXAMPLE,
}

# -- capture ---------------------------------------------------------------------------------------


class DeclarationReceipt(Wire):
    """The error declaration an event of the document carries, recorded on the event it declares."""

    model_config = example(
        {"declarationId": f"{HASH_ID_EXAMPLE}#{'d1' * 32}", "status": "new", "event": "stored"}
    )

    declaration_id: str = Field(description="The event hash ID, '#', and the declaration's hash in hex")
    status: Literal["new", "duplicate"] = Field(
        description="duplicate: the same declaration was recorded before"
    )
    event: Literal["stored", "pending"] = Field(
        description="Whether the declared event is stored yet (else the declaration applies when it arrives)"
    )


class CapturedEvent(Wire):
    """An event of the document, stored now (``new``) or before (``duplicate``)."""

    model_config = example(
        {"index": 0, "eventHashId": HASH_ID_EXAMPLE, "stored": "new", "anchor": EVENT_ANCHOR_EXAMPLE}
    )

    index: int = Field(description="The event's position in the document")
    event_hash_id: EventHashId
    stored: Literal["new", "duplicate"]
    declared_event_id: str | SkipJsonSchema[None] = Field(
        default=None, description="The eventID the event declares, when it declares one"
    )
    anchor: Inclusion | SkipJsonSchema[None] = Field(default=None, description="With wait=true only")


class CapturedDeclaration(Wire):
    """An event of the document that carries an ``errorDeclaration``: recorded on the event with that
    hash ID, and anchored as its own leaf."""

    model_config = example(
        {
            "index": 1,
            "eventHashId": HASH_ID_EXAMPLE,
            "stored": "error-declaration",
            "errorDeclaration": {
                "declarationId": f"{HASH_ID_EXAMPLE}#{'d1' * 32}",
                "status": "new",
                "event": "stored",
            },
        }
    )

    index: int = Field(description="The event's position in the document")
    event_hash_id: EventHashId = Field(description="The hash ID of the event it declares erroneous")
    stored: Literal["error-declaration"]
    error_declaration: DeclarationReceipt
    declared_event_id: str | SkipJsonSchema[None] = Field(
        default=None, description="The eventID the event declares, when it declares one"
    )
    anchor: Inclusion | SkipJsonSchema[None] = Field(
        default=None, description="The declaration's anchor, with wait=true only"
    )


CapturedItem = Annotated[CapturedEvent | CapturedDeclaration, Field(discriminator="stored")]


class CaptureReceipt(Wire):
    """What a capture stored, event by event in document order."""

    model_config = example(
        {
            "captureId": CAPTURE_ID_EXAMPLE,
            "eventCount": 1,
            "new": 1,
            "duplicates": 0,
            "errorDeclarations": 0,
            "anchored": True,
            "events": [
                {"index": 0, "eventHashId": HASH_ID_EXAMPLE, "stored": "new", "anchor": EVENT_ANCHOR_EXAMPLE}
            ],
        }
    )

    capture_id: str = Field(description="The capture's id")
    event_count: int = Field(description="Events in the document, error declarations included")
    new: int = Field(description="Events stored by this capture")
    duplicates: int = Field(description="Events stored before, or earlier in the document")
    error_declarations: int = Field(description="How many events of the document carry an error declaration")
    anchored: bool = Field(description="Whether every event and declaration is anchored (wait=true)")
    events: list[CapturedItem]


# -- stored events ---------------------------------------------------------------------------------

EVENT_SUMMARY_EXAMPLE: dict[str, Any] = {
    "eventHashId": HASH_ID_EXAMPLE,
    "type": "ObjectEvent",
    "eventTime": "2024-05-01T01:30:00.250Z",
    "recordTime": "2024-05-02T08:12:45.031Z",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "captureId": CAPTURE_ID_EXAMPLE,
    "erroneous": False,
    "event": EVENT_EXAMPLE,
}


class StoredEvent(Wire):
    """A stored event, with the facts the registry indexed from it."""

    model_config = example(EVENT_SUMMARY_EXAMPLE)

    event_hash_id: EventHashId
    type: EventType
    event_time: IsoDateTime
    record_time: IsoDateTime = Field(description="When the registry captured it")
    biz_step: str | None = Field(description="The CBV business step, as its bare word when it is CBV's")
    disposition: str | None = Field(description="The CBV disposition, as its bare word when it is CBV's")
    capture_id: str = Field(description="The capture that stored it")
    erroneous: bool = Field(description="Whether an error declaration says the event is wrong")
    corrective_event_ids: list[str] | SkipJsonSchema[None] = Field(
        default=None, description="The events its error declarations name instead (erroneous events only)"
    )
    event: dict[str, Any] = Field(description="The EPCIS 2.0 event as captured (an open document)")


class EventPage(Page):
    """A page of events in event-time order; ``nextOffset`` when the page is full."""

    model_config = example({"items": [EVENT_SUMMARY_EXAMPLE], "limit": 1, "offset": 0, "nextOffset": 1})

    items: list[StoredEvent]
    next_offset: int | SkipJsonSchema[None] = Field(
        default=None, description="The offset of the next page, when this one is full"
    )


DECLARATION_EXAMPLE: dict[str, Any] = {
    "declarationId": f"{HASH_ID_EXAMPLE}#{'d1' * 32}",
    "declarationHash": "0x" + "d1" * 32,
    "declarationTime": "2024-05-03T10:00:00.000Z",
    "reason": "incorrect_data",
    "correctiveEventIds": [CORRECTIVE_HASH_ID_EXAMPLE],
    "declaredBy": "5b0f3f8e-2c1d-4c55-9d8e-6a1f0b7c2e41",
    "captureId": "7c2d9e4f0a1b4c3d8e5f6a7b8c9d0e1f",
    "recordTime": "2024-05-03T10:02:11.517Z",
    "errorDeclaration": {
        "declarationTime": "2024-05-03T10:00:00.000Z",
        "reason": "incorrect_data",
        "correctiveEventIDs": [CORRECTIVE_HASH_ID_EXAMPLE],
    },
    "anchor": {
        **ANCHORED_INCLUSION_EXAMPLE,
        "kind": "epcis-error-declaration",
        "ref": f"{HASH_ID_EXAMPLE}#{'d1' * 32}",
    },
}


class ErrorDeclaration(Wire):
    """An EPCIS error declaration recorded on the event: when, why, its corrective events, who, and its
    own anchor."""

    model_config = example(DECLARATION_EXAMPLE)

    declaration_id: str = Field(description="The event hash ID, '#', and the declaration's hash in hex")
    declaration_hash: HexHash
    declaration_time: IsoDateTime
    reason: str | None = Field(description="The CBV error reason, if given")
    corrective_event_ids: list[str] = Field(description="The events that correct the declared one")
    declared_by: str = Field(description="The participant that captured the declaration")
    capture_id: str = Field(description="The declaring capture")
    record_time: IsoDateTime = Field(description="When the registry captured it")
    error_declaration: dict[str, Any] = Field(description="The errorDeclaration as captured (EPCIS 2.0)")
    anchor: Inclusion


class CorrectiveEvent(Wire):
    """A corrective event an error declaration names, and the stored events it resolves to."""

    model_config = example(
        {"eventId": CORRECTIVE_HASH_ID_EXAMPLE, "eventHashIds": [CORRECTIVE_HASH_ID_EXAMPLE]}
    )

    event_id: str = Field(description="An event hash ID, or an eventID an event declared")
    event_hash_ids: list[EventHashId] = Field(description="The stored events it names (empty: none yet)")


class EventDetail(StoredEvent):
    """One event with its anchor and inclusion proof, and its error declarations with theirs."""

    model_config = example(
        {
            **EVENT_SUMMARY_EXAMPLE,
            "erroneous": True,
            "correctiveEventIds": [CORRECTIVE_HASH_ID_EXAMPLE],
            "ignoredFields": [],
            "anchor": EVENT_ANCHOR_EXAMPLE,
            "errorDeclarations": [DECLARATION_EXAMPLE],
            "correctiveEvents": [
                {"eventId": CORRECTIVE_HASH_ID_EXAMPLE, "eventHashIds": [CORRECTIVE_HASH_ID_EXAMPLE]}
            ],
        }
    )

    ignored_fields: list[str] = Field(
        description="Fields another repository added (prefix:name), left out of the hash ID at capture"
    )
    anchor: Inclusion
    error_declarations: list[ErrorDeclaration]
    corrective_events: list[CorrectiveEvent] | SkipJsonSchema[None] = Field(
        default=None, description="Where the corrective events are (erroneous events only)"
    )


#: The ``format=epcis`` answer of the event query: an EPCIS 2.0 capture document (JSON-LD).
EPCIS_DOCUMENT_SCHEMA: dict[str, Any] = {
    "title": "EPCISDocument",
    "description": "An EPCIS 2.0 capture document holding the page's events in event-time order, each error "
    "declaration after the event it declares (GS1 EPCIS 2.0 JSON-LD binding).",
    "type": "object",
    "required": ["@context", "type", "schemaVersion", "creationDate", "epcisBody"],
    "properties": {
        "@context": {"description": "The JSON-LD context the events were captured with"},
        "type": {"const": "EPCISDocument"},
        "schemaVersion": {"type": "string", "examples": ["2.0"]},
        "creationDate": {"type": "string", "format": "date-time"},
        "epcisBody": {
            "type": "object",
            "required": ["eventList"],
            "properties": {"eventList": {"type": "array", "items": {"type": "object"}}},
        },
    },
    "examples": [
        {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2024-05-04T09:00:00.000Z",
            "epcisBody": {"eventList": [EVENT_EXAMPLE]},
        }
    ],
}
