"""Response shapes of lineage: traces back and forward, an item's history and where it is now, and the
recorded derivations of data products. Nodes are EPC instances and classes as the events write them,
transformations, business transactions, and data assets (``asset:0x…``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from dataledger.api.responses.assets import CONTENT_HASH_EXAMPLE, HOLDER_ID_EXAMPLE, IsoDateTime
from dataledger.api.responses.common import ASSET_ID_EXAMPLE, HexHash, Page, Wire, example
from dataledger.api.responses.events import (
    CORRECTIVE_HASH_ID_EXAMPLE,
    HASH_ID_EXAMPLE,
    EventHashId,
    EventType,
)
from dataledger.registry.assets import RightClaimed
from dataledger.registry.lineage import Direction

ITEM_EXAMPLE = "urn:epc:id:sgtin:4012345.011111.1001"
LOT_EXAMPLE = "urn:epc:class:lgtin:4012345.011111.L42"
PALLET_EXAMPLE = "urn:epc:id:sscc:4012345.0000000042"
PLACE_EXAMPLE = "urn:epc:id:sgln:4012345.00001.0"

NodeKind = Literal["asset", "transformation", "transaction", "class", "instance"]
EdgeKind = Literal["lot", "transacted", "packed", "associated", "transformed", "derived"]
Action = Literal["ADD", "OBSERVE", "DELETE"]
ItemRole = Literal[
    "epc",
    "class",
    "parent",
    "child",
    "child-class",
    "input",
    "input-class",
    "output",
    "output-class",
    "in-container",
]


class Place(Wire):
    """Where an event happened or where things went."""

    model_config = example({"role": "readPoint", "id": PLACE_EXAMPLE})

    role: str = Field(description="readPoint, bizLocation, or source:<type> / destination:<type>")
    id: str = Field(description="The place's identifier (an SGLN, a GS1 Digital Link URI...)")


# -- traces ----------------------------------------------------------------------------------------


class TraceNode(Wire):
    """A node the trace reached, and how many edges from its start."""

    model_config = example({"id": LOT_EXAMPLE, "kind": "class", "level": 1})

    id: str
    kind: NodeKind
    level: int = Field(description="Edges from the start of the trace")


TRACE_EDGE_EXAMPLE: dict[str, Any] = {
    "from": LOT_EXAMPLE,
    "to": ITEM_EXAMPLE,
    "kind": "lot",
    "eventHashId": HASH_ID_EXAMPLE,
    "time": "2024-04-28T06:00:00.000Z",
}


class TraceEdge(Wire):
    """``from`` is upstream of ``to``: by an event, or by a recorded derivation (``derived``)."""

    model_config = example(TRACE_EDGE_EXAMPLE)

    from_: str = Field(alias="from", description="The upstream node")
    to: str = Field(description="The downstream node")
    kind: EdgeKind
    event_hash_id: EventHashId | SkipJsonSchema[None] = Field(
        default=None, description="The event that made the edge (not for derivations)"
    )
    time: IsoDateTime | SkipJsonSchema[None] = Field(default=None, description="When the edge was made")
    licence_id: int | SkipJsonSchema[None] = Field(
        default=None, description="The licence a derivation's parent was used under"
    )
    erroneous: Literal[True] | SkipJsonSchema[None] = Field(
        default=None, description="Present when an error declaration says its event is wrong"
    )


TRACE_EVENT_EXAMPLE: dict[str, Any] = {
    "eventHashId": HASH_ID_EXAMPLE,
    "type": "ObjectEvent",
    "eventTime": "2024-04-28T06:00:00.000Z",
    "action": "ADD",
    "bizStep": "commissioning",
    "disposition": "active",
    "places": [{"role": "readPoint", "id": PLACE_EXAMPLE}],
    "items": [ITEM_EXAMPLE, LOT_EXAMPLE],
    "erroneous": False,
}


class TraceEvent(Wire):
    """An event of the trace: on an edge, in the history of an item it reached, or correcting one."""

    model_config = example(TRACE_EVENT_EXAMPLE)

    event_hash_id: EventHashId
    type: EventType
    event_time: IsoDateTime
    action: Action | None
    biz_step: str | None
    disposition: str | None
    places: list[Place]
    items: list[str] = Field(description="The trace's nodes this event names")
    erroneous: bool = Field(description="Whether an error declaration says the event is wrong")
    corrective_event_ids: list[str] | SkipJsonSchema[None] = Field(
        default=None, description="The events its declarations name instead (erroneous events only)"
    )
    corrects: list[EventHashId] | SkipJsonSchema[None] = Field(
        default=None, description="The trace's erroneous events this event corrects"
    )


TRACED_ASSET_EXAMPLE: dict[str, Any] = {
    "name": "Urban rail passenger flows 2025",
    "contentHash": CONTENT_HASH_EXAMPLE,
    "rightClaimed": "data-resource-holding",
}


class TracedAsset(Wire):
    """The public facts of a data asset the trace reached (never its salt or other facts)."""

    model_config = example(TRACED_ASSET_EXAMPLE)

    name: str | None
    content_hash: HexHash | None
    right_claimed: RightClaimed | None


TRACE_EXAMPLE: dict[str, Any] = {
    "start": ITEM_EXAMPLE,
    "direction": "back",
    "depth": 20,
    "truncated": False,
    "items": [
        {"id": ITEM_EXAMPLE, "kind": "instance", "level": 0},
        {"id": LOT_EXAMPLE, "kind": "class", "level": 1},
    ],
    "edges": [TRACE_EDGE_EXAMPLE],
    "events": [TRACE_EVENT_EXAMPLE],
    "locations": [PLACE_EXAMPLE],
    "assets": {},
}


class Trace(Wire):
    """What a trace back (origins) or forward (a recall) found, up to ``depth`` edges."""

    model_config = example(TRACE_EXAMPLE)

    start: str = Field(description="The node the trace started from")
    direction: Direction
    depth: int = Field(description="Edges followed at most")
    truncated: bool = Field(description="Whether the depth limit stopped the walk while edges remained")
    items: list[TraceNode] = Field(description="The nodes reached, the start first")
    edges: list[TraceEdge]
    events: list[TraceEvent] = Field(description="In event-time order")
    locations: list[str] = Field(
        description="Every place the sound events name, in order of first appearance in time"
    )
    assets: dict[str, TracedAsset] = Field(description="The data assets reached, by node (asset:0x…)")


# -- one item --------------------------------------------------------------------------------------

HISTORY_EVENT_EXAMPLE: dict[str, Any] = {
    "eventHashId": HASH_ID_EXAMPLE,
    "type": "ObjectEvent",
    "eventTime": "2024-05-01T01:30:00.250Z",
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "places": [{"role": "bizLocation", "id": PLACE_EXAMPLE}],
    "roles": ["in-container"],
    "via": PALLET_EXAMPLE,
    "erroneous": False,
}


class HistoryEvent(Wire):
    """An event naming the item (or a container it was packed in at the time), and the roles it plays."""

    model_config = example(HISTORY_EVENT_EXAMPLE)

    event_hash_id: EventHashId
    type: EventType
    event_time: IsoDateTime
    action: Action | None
    biz_step: str | None
    disposition: str | None
    places: list[Place]
    roles: list[ItemRole] = Field(description="How the event names the item (in-container: via a container)")
    via: str | SkipJsonSchema[None] = Field(
        default=None, description="The container the item was packed in (in-container events only)"
    )
    erroneous: bool = Field(description="Whether an error declaration says the event is wrong")
    corrective_event_ids: list[str] | SkipJsonSchema[None] = Field(
        default=None, description="The events its declarations name instead (erroneous events only)"
    )


class ItemHistory(Page):
    """Every event naming the item, and those of its containers while it was packed, in event-time order."""

    model_config = example(
        {"item": ITEM_EXAMPLE, "events": [HISTORY_EVENT_EXAMPLE], "limit": 1000, "offset": 0}
    )

    item: str
    events: list[HistoryEvent]


class ItemLocation(Wire):
    """Where the item is now: the latest disposition and location of its sound events, following the
    containers it is packed in."""

    model_config = example(
        {
            "item": ITEM_EXAMPLE,
            "disposition": "in_transit",
            "location": PLACE_EXAMPLE,
            "dispositionEvent": HASH_ID_EXAMPLE,
            "locationEvent": HASH_ID_EXAMPLE,
            "lastEvent": HASH_ID_EXAMPLE,
            "asOf": "2024-05-01T01:30:00.250Z",
            "packedIn": [PALLET_EXAMPLE],
            "persistentDispositions": ["completeness_verified"],
            "ignoredErroneousEvents": [CORRECTIVE_HASH_ID_EXAMPLE],
        }
    )

    item: str
    disposition: str | None = Field(description="The latest disposition (CBV bare word when CBV's)")
    location: str | None = Field(description="The latest business location, else read point")
    disposition_event: EventHashId | None = Field(description="The event that set the disposition")
    location_event: EventHashId | None = Field(description="The event that set the location")
    last_event: EventHashId | None = Field(description="The item's own latest sound event")
    as_of: IsoDateTime | None = Field(description="The time of the latest of those events")
    packed_in: list[str] = Field(description="The containers it is packed in, innermost first")
    persistent_dispositions: list[str] = Field(description="The persistent dispositions in force")
    ignored_erroneous_events: list[EventHashId] = Field(
        description="Events ignored because an error declaration says they are wrong"
    )


# -- data-product derivations ----------------------------------------------------------------------

PARENT_EXAMPLE: dict[str, Any] = {
    "assetId": "0x" + "b2" * 32,
    "licenceId": 12,
    "recordedBy": HOLDER_ID_EXAMPLE,
    "recordedAt": "2026-03-02T09:41:07.000Z",
}


class DerivationParent(Wire):
    """A registered asset the product derives from, and the licence it was used under."""

    model_config = example(PARENT_EXAMPLE)

    asset_id: HexHash
    licence_id: int | None = Field(description="The licence on the parent (to the product's holder)")
    recorded_by: str = Field(description="The participant that recorded it")
    recorded_at: IsoDateTime


class Derivation(Wire):
    """The recorded parents of a data product, in the order they were recorded."""

    model_config = example({"productId": ASSET_ID_EXAMPLE, "parents": [PARENT_EXAMPLE]})

    product_id: HexHash
    parents: list[DerivationParent]


#: The ``format=prov`` (or ``.jsonld``) answer of a lineage trace: W3C PROV-O as JSON-LD.
PROV_DOCUMENT_SCHEMA: dict[str, Any] = {
    "title": "ProvDocument",
    "description": "The trace as W3C PROV-O JSON-LD: items, lots, transformations, transactions and assets "
    "are prov:Entity, events prov:Activity, places prov:Location.",
    "type": "object",
    "required": ["@context", "dl:traceOf", "dl:direction", "dl:depth", "dl:truncated", "@graph"],
    "properties": {
        "@context": {"type": "object", "additionalProperties": {"type": "string"}},
        "dl:traceOf": {"type": "object", "properties": {"@id": {"type": "string"}}},
        "dl:direction": {"type": "string", "enum": ["back", "forward"]},
        "dl:depth": {"type": "integer"},
        "dl:truncated": {"type": "boolean"},
        "@graph": {"type": "array", "items": {"type": "object"}},
    },
    "examples": [
        {
            "@context": {
                "prov": "http://www.w3.org/ns/prov#",
                "xsd": "http://www.w3.org/2001/XMLSchema#",
                "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                "cbv": "https://ref.gs1.org/cbv/",
                "dl": "https://dataledger.dev/ns/lineage#",
            },
            "dl:traceOf": {"@id": ITEM_EXAMPLE},
            "dl:direction": "back",
            "dl:depth": 20,
            "dl:truncated": False,
            "@graph": [
                {
                    "@id": ITEM_EXAMPLE,
                    "@type": "prov:Entity",
                    "dl:kind": "instance",
                    "prov:wasDerivedFrom": [{"@id": LOT_EXAMPLE}],
                    "prov:wasGeneratedBy": [{"@id": HASH_ID_EXAMPLE}],
                },
                {"@id": LOT_EXAMPLE, "@type": "prov:Entity", "dl:kind": "class"},
                {
                    "@id": HASH_ID_EXAMPLE,
                    "@type": "prov:Activity",
                    "dl:eventType": "ObjectEvent",
                    "prov:startedAtTime": {"@value": "2024-04-28T06:00:00.000Z", "@type": "xsd:dateTime"},
                    "prov:endedAtTime": {"@value": "2024-04-28T06:00:00.000Z", "@type": "xsd:dateTime"},
                    "prov:used": [{"@id": LOT_EXAMPLE}],
                    "cbv:bizStep": "commissioning",
                    "prov:atLocation": [{"@id": PLACE_EXAMPLE}],
                },
                {"@id": PLACE_EXAMPLE, "@type": "prov:Location"},
            ],
        }
    ],
}
#: The ``format=svg`` (or ``.svg``) answer: the trace as a layered graph.
SVG_SCHEMA: dict[str, Any] = {"type": "string", "description": "An SVG image of the trace as a layered graph"}
