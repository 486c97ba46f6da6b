"""Lineage traces: what a trace back or forward from an item or data asset found, as plain values.

The store (``ledger.sql.event_store``) walks the lineage graph level by level and returns a :class:`Trace`;
the API turns it into JSON (:meth:`Trace.as_json`), SVG (``registry.lineage_svg``) or W3C PROV-O
(``registry.lineage_prov``). Nodes are EPC instances and classes (lots), transformations, business
transactions and data assets (``asset:0x…``), see :mod:`registry.epcis.lineage`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from dataledger.registry.epcis.lineage import iso_time, node_kind

MAX_TRACE_DEPTH = 100


class Direction(enum.StrEnum):
    BACK = "back"  # upstream: where did it come from, what went into it
    FORWARD = "forward"  # downstream: where did it go, what holds or was made of it (a recall)


@dataclass(frozen=True, slots=True)
class TraceNode:
    id: str
    level: int  # edges from the start of the trace

    @property
    def kind(self) -> str:
        return node_kind(self.id)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "level": self.level}


@dataclass(frozen=True, slots=True)
class TraceEdge:
    """``source`` is upstream of ``target``: by an event (its hash ID), or by a recorded derivation."""

    source: str
    target: str
    kind: str
    event_hash_id: str | None
    time_us: int | None
    licence_id: int | None = None
    erroneous: bool = False  # its event is declared erroneous (an EPCIS error declaration)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"from": self.source, "to": self.target, "kind": self.kind}
        if self.event_hash_id is not None:
            body["eventHashId"] = self.event_hash_id
        if self.time_us is not None:
            body["time"] = iso_time(self.time_us)
        if self.licence_id is not None:
            body["licenceId"] = self.licence_id
        if self.erroneous:
            body["erroneous"] = True
        return body


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """An event of the trace: on an edge, in the history of an item the trace reached, or correcting
    an erroneous event of the trace.

    ``erroneous``: an EPCIS error declaration says the event is wrong (``corrective_event_ids`` are
    the events its declarations name instead); ``corrects``: the hash IDs of the trace's erroneous
    events this event is a corrective event of.
    """

    hash_id: str
    event_type: str
    time_us: int
    action: str | None
    biz_step: str | None
    disposition: str | None
    places: tuple[dict[str, str], ...]
    items: tuple[str, ...]  # the trace's nodes this event names
    erroneous: bool = False
    corrective_event_ids: tuple[str, ...] = ()
    corrects: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "eventHashId": self.hash_id,
            "type": self.event_type,
            "eventTime": iso_time(self.time_us),
            "action": self.action,
            "bizStep": self.biz_step,
            "disposition": self.disposition,
            "places": list(self.places),
            "items": list(self.items),
            "erroneous": self.erroneous,
        }
        if self.erroneous:
            body["correctiveEventIds"] = list(self.corrective_event_ids)
        if self.corrects:
            body["corrects"] = list(self.corrects)
        return body


@dataclass(frozen=True)
class Trace:
    start: str
    direction: Direction
    depth: int
    nodes: tuple[TraceNode, ...]
    edges: tuple[TraceEdge, ...]
    events: tuple[TraceEvent, ...]  # in event time order
    truncated: bool  # the depth limit stopped the walk while edges remained
    assets: dict[str, dict[str, Any]] = field(default_factory=dict)  # asset node -> public facts

    @property
    def locations(self) -> list[str]:
        """Every place the trace's events name, in order of first appearance in time; the places of
        erroneous events only where a sound event names them too."""
        return list(
            dict.fromkeys(
                place["id"] for event in self.events if not event.erroneous for place in event.places
            )
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "direction": self.direction.value,
            "depth": self.depth,
            "truncated": self.truncated,
            "items": [node.as_json() for node in self.nodes],
            "edges": [edge.as_json() for edge in self.edges],
            "events": [event.as_json() for event in self.events],
            "locations": self.locations,
            "assets": self.assets,
        }
