"""What an EPCIS event says about lineage: the items it names, the edges it adds, where and why.

A captured event is indexed twice (``ledger.sql.event_store``): every identifier it names, with its role,
for an item's history; and directed edges, upstream to downstream, for traces:

* **ObjectEvent** ``ADD`` whose ILMD carries a lot number: the lot's class (``lgtin``) to each instance
  (``sgtin``) commissioned in it (``lot``). A recall of the lot then reaches every instance.
* **AggregationEvent** ``ADD``/``OBSERVE``: each child (instance or class) to the parent (``packed``);
  tracing forward from an item reaches every case and pallet that held it, tracing back from a pallet
  reaches what was packed into it. ``DELETE`` (unpacking) ends the containment and adds no edge: the
  other contents of a container are neither upstream nor downstream of what came out of it, and an
  edge parent to child would put them into every recall. Unpacking still shows in both histories and
  in where-is-it-now.
* **AssociationEvent** ``ADD``/``OBSERVE``: each child to the parent (``associated``).
* **TransformationEvent**: each input to each output (``transformed``). Events sharing a
  ``transformationID`` form one transformation however they were split or ordered: inputs go to the
  node ``transformation:<id>`` and the node to the outputs.
* **TransactionEvent** ``ADD``/``OBSERVE``: each item to each business transaction it belongs to
  (``transaction:<id>``, kind ``transacted``) and, with a ``parentID``, to the parent.

Events arrive in any order: edges carry the event time and traces sort by it, never by arrival.
Node ids are the identifiers as written in the event (EPC URNs or GS1 Digital Link URIs), and
``asset:0x…`` for registered data assets (see :func:`asset_node`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from dataledger.registry.epcis.rfc3339 import parse_date_time

ASSET_PREFIX = "asset:"
TRANSFORMATION_PREFIX = "transformation:"
TRANSACTION_PREFIX = "transaction:"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CBV_PREFIXES = (
    "https://ref.gs1.org/cbv/BizStep-",
    "https://ref.gs1.org/cbv/Disp-",
    "urn:epcglobal:cbv:bizstep:",
    "urn:epcglobal:cbv:disp:",
)
_SGTIN_URN = re.compile(r"urn:epc:id:sgtin:(?P<company>[0-9]+)\.(?P<item>[0-9]+)\.(?P<serial>.+)")
_SGTIN_DL = re.compile(r"(?P<base>https?://[^?#]+/01/[0-9]{14})/21/[^/?#]+")
_LOT_KEY = re.compile(r"(^|[:#/])lotNumber$")
_CONTAINING = ("ADD", "OBSERVE")


class Edge(NamedTuple):
    """Upstream ``source`` to downstream ``target``, because of one event (``kind`` says how).

    Named tuples, not dataclasses: large documents are prepared in worker processes and their
    results unpickled by the capturing process, where a tuple costs a fraction of a dataclass.
    """

    source: str
    target: str
    kind: str


class EventFacts(NamedTuple):
    """The indexed facts of one event: what, when, where, why, and its lineage."""

    event_type: str
    event_time_us: int
    action: str | None
    biz_step: str | None
    disposition: str | None
    read_point: str | None
    biz_location: str | None
    items: tuple[tuple[str, str], ...]  # (identifier, role), each pair once
    edges: tuple[Edge, ...]


def time_us(moment: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime (the stored, sortable event time)."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_time_us(value: int) -> datetime:
    """The UTC datetime of :func:`time_us`."""
    return datetime.fromtimestamp(value // 1_000_000, UTC).replace(microsecond=value % 1_000_000)


def iso_time(value: int) -> str:
    """An RFC 3339 UTC date-time with milliseconds, as the API writes stored times."""
    moment = from_time_us(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def short_vocabulary(value: str | None) -> str | None:
    """A CBV business step or disposition as its bare word (``shipping``), whichever form it came in."""
    if value is None:
        return None
    for prefix in _CBV_PREFIXES:
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def asset_node(asset_id: str) -> str:
    """The lineage node of a registered data asset."""
    return ASSET_PREFIX + asset_id.lower()


def node_kind(node: str) -> str:
    """What a node is: asset, transformation, transaction, class (a lot or product), or instance."""
    if node.startswith(ASSET_PREFIX):
        return "asset"
    if node.startswith(TRANSFORMATION_PREFIX):
        return "transformation"
    if node.startswith(TRANSACTION_PREFIX):
        return "transaction"
    if node.startswith("urn:epc:class:") or "/10/" in node or node.startswith("urn:epc:idpat:"):
        return "class"
    return "instance"


def lot_class(instance: str, lot: str) -> str | None:
    """The class of ``lot`` that the serialised item ``instance`` belongs to (sgtin to lgtin)."""
    match = _SGTIN_URN.fullmatch(instance)
    if match:
        return f"urn:epc:class:lgtin:{match['company']}.{match['item']}.{lot}"
    match = _SGTIN_DL.fullmatch(instance)
    if match:
        return f"{match['base']}/10/{lot}"
    return None


def _lot_number(ilmd: Any) -> str | None:
    if isinstance(ilmd, Mapping):
        for key, value in ilmd.items():
            if isinstance(value, str) and _LOT_KEY.search(key):
                return value
    return None


def _ids(values: Any) -> list[str]:
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def _classes(values: Any) -> list[str]:
    if not isinstance(values, list):
        return []
    return [q["epcClass"] for q in values if isinstance(q, Mapping) and isinstance(q.get("epcClass"), str)]


def _place(value: Any) -> str | None:
    return value.get("id") if isinstance(value, Mapping) and isinstance(value.get("id"), str) else None


def _biz_transactions(event: Mapping[str, Any]) -> list[str]:
    values = event.get("bizTransactionList")
    if not isinstance(values, list):
        return []
    return [
        TRANSACTION_PREFIX + t["bizTransaction"]
        for t in values
        if isinstance(t, Mapping) and isinstance(t.get("bizTransaction"), str)
    ]


def event_facts(event: Mapping[str, Any]) -> EventFacts:
    """The indexed facts of a valid event (validate first: :func:`registry.epcis.validate_event`)."""
    kind = event["type"]
    action = event.get("action")
    items: list[tuple[str, str]] = []
    edges: list[Edge] = []

    def name(values: list[str], role: str) -> None:
        items.extend((value, role) for value in values)

    if kind in ("ObjectEvent", "TransactionEvent"):
        epcs, classes = _ids(event.get("epcList")), _classes(event.get("quantityList"))
        name(epcs, "epc")
        name(classes, "class")
        parent = event.get("parentID")
        if isinstance(parent, str):
            name([parent], "parent")
        if kind == "ObjectEvent" and action == "ADD":
            lot = _lot_number(event.get("ilmd"))
            if lot is not None:
                for epc in epcs:
                    lot_node = lot_class(epc, lot)
                    if lot_node is not None:
                        edges.append(Edge(lot_node, epc, "lot"))
        if kind == "TransactionEvent" and action in _CONTAINING:
            for thing in epcs + classes:
                edges.extend(Edge(thing, bt, "transacted") for bt in _biz_transactions(event))
                if isinstance(parent, str):
                    edges.append(Edge(thing, parent, "transacted"))
    elif kind in ("AggregationEvent", "AssociationEvent"):
        parent = event.get("parentID")
        children = _ids(event.get("childEPCs")) + _classes(event.get("childQuantityList"))
        if isinstance(parent, str):
            name([parent], "parent")
        name(_ids(event.get("childEPCs")), "child")
        name(_classes(event.get("childQuantityList")), "child-class")
        if isinstance(parent, str) and action in _CONTAINING:
            how = "packed" if kind == "AggregationEvent" else "associated"
            edges.extend(Edge(child, parent, how) for child in children)
    elif kind == "TransformationEvent":
        inputs = _ids(event.get("inputEPCList")) + _classes(event.get("inputQuantityList"))
        outputs = _ids(event.get("outputEPCList")) + _classes(event.get("outputQuantityList"))
        name(_ids(event.get("inputEPCList")), "input")
        name(_classes(event.get("inputQuantityList")), "input-class")
        name(_ids(event.get("outputEPCList")), "output")
        name(_classes(event.get("outputQuantityList")), "output-class")
        transformation = event.get("transformationID")
        if isinstance(transformation, str):
            node = TRANSFORMATION_PREFIX + transformation
            edges.extend(Edge(source, node, "transformed") for source in inputs)
            edges.extend(Edge(node, target, "transformed") for target in outputs)
        else:
            edges.extend(Edge(s, t, "transformed") for s in inputs for t in outputs)
        lot = _lot_number(event.get("ilmd"))
        if lot is not None:
            for epc in _ids(event.get("outputEPCList")):
                lot_node = lot_class(epc, lot)
                if lot_node is not None:
                    edges.append(Edge(lot_node, epc, "lot"))
    disposition = event.get("disposition")
    biz_step = event.get("bizStep")
    return EventFacts(
        event_type=kind,
        event_time_us=time_us(parse_date_time(event["eventTime"])),
        action=action if isinstance(action, str) else None,
        biz_step=short_vocabulary(biz_step) if isinstance(biz_step, str) else None,
        disposition=short_vocabulary(disposition) if isinstance(disposition, str) else None,
        read_point=_place(event.get("readPoint")),
        biz_location=_place(event.get("bizLocation")),
        items=tuple(dict.fromkeys(items)),
        edges=tuple(dict.fromkeys(edges)),
    )


def event_places(event: Mapping[str, Any]) -> list[dict[str, str]]:
    """Where the event happened and where things went: read point, business location, sources, targets."""
    places = []
    for role in ("readPoint", "bizLocation"):
        place = _place(event.get(role))
        if place is not None:
            places.append({"role": role, "id": place})
    for list_name, key in (("sourceList", "source"), ("destinationList", "destination")):
        entries = event.get(list_name)
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, Mapping) and isinstance(entry.get(key), str):
                places.append({"role": f"{key}:{entry.get('type', '')}", "id": entry[key]})
    return places


def persistent_dispositions(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """The dispositions in force after ``events`` (in event-time order): each event's
    ``persistentDisposition`` unsets, then sets, dispositions that hold until a later event unsets
    them (EPCIS 2.0), unlike ``disposition``, which describes the event's moment only."""
    held: dict[str, None] = {}  # insertion-ordered set
    for event in events:
        persistent = event.get("persistentDisposition")
        if not isinstance(persistent, Mapping):
            continue
        for value in persistent.get("unset") or ():
            held.pop(short_vocabulary(value) or value, None)
        for value in persistent.get("set") or ():
            held[short_vocabulary(value) or value] = None
    return list(held)
