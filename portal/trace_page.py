"""An item's or a data product's trace as anyone may see it: its journey, its lineage drawn back and
forward, and each event with its anchor (the Merkle proof into a root recorded on chain).

Public means what the journey needs and nothing more: for each event its type, time, business step,
disposition and the places it happened (read point, business location), as the lineage index keeps
them. Never the business transactions (purchase orders, clearance numbers, receipts), the parties'
identifiers, the quantities or the extension fields (the passenger's quota record, even hashed): the
page reads the lineage's projection of events, not the events themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from dataledger.portal.ports import PortalServices
from dataledger.registry.epcis.lineage import from_time_us, node_kind
from dataledger.registry.errors import LineageNodeNotFound, NotFound
from dataledger.registry.lineage import Direction, Trace, TraceEvent
from dataledger.registry.lineage_svg import trace_to_svg
from dataledger.registry.merkle import verify_proof

TRACE_DEPTH = 10
MAX_EVENTS = 100  # events listed with their anchors; the graph shows the whole trace
JOURNEY_LIMIT = 200
PUBLIC_PLACE_ROLES = ("readPoint", "bizLocation")
PRIVATE_NODE_KINDS = ("transaction",)


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where an event's hash is anchored: ``anchored`` with the transaction, or ``pending``/``sealed``;
    ``proof_checked``: the Merkle proof leads from the event's leaf to the anchored root (checked here)."""

    status: str
    root: str | None
    leaf: str
    leaf_index: int | None
    leaf_count: int | None
    proof: tuple[str, ...]
    tx_hash: str | None
    block_number: int | None
    proof_checked: bool


@dataclass(frozen=True, slots=True)
class Step:
    """One event of the journey or of the trace, in its public form."""

    event_hash_id: str
    event_type: str
    at: datetime
    biz_step: str
    disposition: str
    places: tuple[str, ...]
    via: str | None  # the case or pallet the item travelled in
    erroneous: bool
    anchor: Anchor | None


@dataclass(frozen=True, slots=True)
class TracePage:
    node: str
    kind: str
    journey: tuple[Step, ...]
    back_svg: str | None
    forward_svg: str | None
    events: tuple[Step, ...]
    events_total: int


def short_name(value: str | None) -> str:
    """A vocabulary value's last part (``urn:epcglobal:cbv:bizstep:shipping``, ``…#BizStep-passenger_pickup``
    → ``shipping``, ``passenger_pickup``), the key of its human name in the catalogue."""
    if not value:
        return ""
    for separator in ("BizStep-", "Disp-", "#", ":", "/"):
        if separator in value:
            value = value.rsplit(separator, 1)[-1]
    return value


def trace_page(services: PortalServices, node: str, *, journey_only: bool = False) -> TracePage:
    """The page of ``node``; ``NotFound`` when nothing names it."""
    traces: dict[Direction, Trace | None] = {}
    for direction in (Direction.BACK, Direction.FORWARD):
        try:
            traces[direction] = (
                None if journey_only else public_trace(services.lineage.trace(node, direction, TRACE_DEPTH))
            )
        except LineageNodeNotFound:
            traces[direction] = None
    entries = _journey_entries(services, node)
    known = [trace for trace in traces.values() if trace is not None]
    if not entries and not known:
        raise LineageNodeNotFound("no event, derivation or asset names this item", node=node)
    events: dict[str, TraceEvent] = {}
    for trace in known:
        for event in trace.events:
            events.setdefault(event.hash_id, event)
    ordered = sorted(events.values(), key=lambda e: (e.time_us, e.hash_id))
    listed = ordered[:MAX_EVENTS]
    anchors = _anchors(services, [str(e["eventHashId"]) for e in entries] + [e.hash_id for e in listed])
    journey = [_step_of_entry(entry, anchors) for entry in entries]
    back, forward = traces[Direction.BACK], traces[Direction.FORWARD]
    kind = known[0].nodes[0].kind if known and known[0].nodes else node_kind(node)
    return TracePage(
        node=node,
        kind=kind,
        journey=tuple(journey),
        back_svg=_inline(trace_to_svg(back)) if back is not None and back.edges else None,
        forward_svg=_inline(trace_to_svg(forward)) if forward is not None and forward.edges else None,
        events=tuple(_step_of_trace_event(e, anchors) for e in listed),
        events_total=len(ordered),
    )


def public_trace(trace: Trace) -> Trace:
    """``trace`` without what is not public: business transactions (purchase orders, receipts,
    clearance numbers) as nodes, and the places of an event other than where it happened (its sources
    and destinations name the parties)."""
    hidden = {node.id for node in trace.nodes if node.kind in PRIVATE_NODE_KINDS}
    return replace(
        trace,
        nodes=tuple(node for node in trace.nodes if node.id not in hidden),
        edges=tuple(e for e in trace.edges if e.source not in hidden and e.target not in hidden),
        events=tuple(
            replace(
                event,
                places=tuple(p for p in event.places if p.get("role") in PUBLIC_PLACE_ROLES),
                items=tuple(item for item in event.items if item not in hidden),
            )
            for event in trace.events
        ),
    )


def _journey_entries(services: PortalServices, node: str) -> list[dict[str, Any]]:
    """The item's events in time, its containers' included (what happened to the pallet it was in)."""
    try:
        return services.lineage.history(node, limit=JOURNEY_LIMIT)
    except NotFound:
        return []


def _step_of_entry(entry: dict[str, Any], anchors: dict[str, Anchor]) -> Step:
    return Step(
        event_hash_id=str(entry["eventHashId"]),
        event_type=str(entry["type"]),
        at=datetime.fromisoformat(str(entry["eventTime"]).replace("Z", "+00:00")),
        biz_step=short_name(entry.get("bizStep")),
        disposition=short_name(entry.get("disposition")),
        places=_public_places(entry.get("places", [])),
        via=entry.get("via"),
        erroneous=bool(entry.get("erroneous")),
        anchor=anchors.get(str(entry["eventHashId"])),
    )


def _step_of_trace_event(event: TraceEvent, anchors: dict[str, Anchor]) -> Step:
    return Step(
        event_hash_id=event.hash_id,
        event_type=event.event_type,
        at=from_time_us(event.time_us),
        biz_step=short_name(event.biz_step),
        disposition=short_name(event.disposition),
        places=_public_places(list(event.places)),
        via=None,
        erroneous=event.erroneous,
        anchor=anchors.get(event.hash_id),
    )


def _public_places(places: list[Any]) -> tuple[str, ...]:
    found: list[str] = []
    for place in places:
        public = isinstance(place, dict) and place.get("role") in PUBLIC_PLACE_ROLES
        if public and place.get("id") and place["id"] not in found:
            found.append(str(place["id"]))
    return tuple(found)


def _anchors(services: PortalServices, hash_ids: list[str]) -> dict[str, Anchor]:
    """Each event's anchor, read in one call (events not in the outbox have none)."""
    return {
        hash_id: _anchor_of(inclusion.as_json())
        for hash_id, inclusion in services.events.inclusions(hash_ids).items()
    }


def _anchor_of(body: dict[str, Any]) -> Anchor:
    anchor = body.get("anchor") if isinstance(body.get("anchor"), dict) else None
    root, leaf = body.get("root"), str(body.get("leaf", ""))
    proof = tuple(str(p) for p in body.get("proof", []) or [])
    checked = False
    if root and leaf and anchor is not None:
        checked = verify_proof(_bytes(str(root)), _bytes(leaf), [_bytes(p) for p in proof])
    return Anchor(
        status=str(body.get("status", "")),
        root=str(root) if root else None,
        leaf=leaf,
        leaf_index=body.get("leafIndex"),
        leaf_count=body.get("leafCount"),
        proof=proof,
        tx_hash=str(anchor["txHash"]) if anchor else None,
        block_number=int(anchor["blockNumber"]) if anchor else None,
        proof_checked=checked,
    )


def _bytes(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def _inline(svg: str) -> str:
    """The SVG document as an element of the page (without its XML declaration)."""
    return svg.split("?>", 1)[1].lstrip() if svg.startswith("<?xml") else svg
