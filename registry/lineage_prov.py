"""A lineage trace as W3C PROV-O, in JSON-LD.

* items, lots, transformations, transactions and data assets are ``prov:Entity``;
* events are ``prov:Activity`` (identified by their CBV 2.0 hash IDs, timed by ``prov:startedAtTime``
  and ``prov:endedAtTime``, placed by ``prov:atLocation``); places are ``prov:Location``;
* an edge ``a -> b`` made by event ``E`` gives ``E prov:used a``, ``b prov:wasGeneratedBy E`` and
  ``b prov:wasDerivedFrom a``; an event that only names an item (shipping, receiving) ``prov:used`` it;
* a data-product derivation gives ``b prov:wasDerivedFrom a`` and a ``prov:qualifiedDerivation``
  carrying the licence the parent was used under;
* an event declared erroneous (EPCIS error declaration) carries ``dl:erroneous true`` and its
  ``dl:correctiveEventId`` values; a corrective event carries ``dl:corrects`` (the erroneous events).
"""

from __future__ import annotations

from typing import Any

from dataledger.registry.epcis.lineage import iso_time
from dataledger.registry.lineage import Trace

PROV_CONTEXT: dict[str, Any] = {
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "cbv": "https://ref.gs1.org/cbv/",
    "dl": "https://dataledger.dev/ns/lineage#",
}


def _ref(node: str) -> dict[str, str]:
    return {"@id": node}


def _time(value: str) -> dict[str, str]:
    return {"@value": value, "@type": "xsd:dateTime"}


def trace_to_prov(trace: Trace) -> dict[str, Any]:
    """The PROV-O JSON-LD document of ``trace`` (entities, activities, locations, and their relations)."""
    entities: dict[str, dict[str, Any]] = {}
    for node in trace.nodes:
        entity: dict[str, Any] = {"@id": node.id, "@type": "prov:Entity", "dl:kind": node.kind}
        asset = trace.assets.get(node.id)
        if asset is not None and asset.get("name"):
            entity["rdfs:label"] = asset["name"]
        entities[node.id] = entity
    generated = {(edge.event_hash_id, edge.target) for edge in trace.edges if edge.event_hash_id}
    activities: dict[str, dict[str, Any]] = {}
    locations: dict[str, dict[str, Any]] = {}
    for event in trace.events:
        at = iso_time(event.time_us)
        activity: dict[str, Any] = {
            "@id": event.hash_id,
            "@type": "prov:Activity",
            "dl:eventType": event.event_type,
            "prov:startedAtTime": _time(at),
            "prov:endedAtTime": _time(at),
            "prov:used": [_ref(item) for item in event.items if (event.hash_id, item) not in generated],
        }
        if event.biz_step:
            activity["cbv:bizStep"] = event.biz_step
        if event.disposition:
            activity["cbv:disposition"] = event.disposition
        if event.erroneous:
            activity["dl:erroneous"] = True
            activity["dl:correctiveEventId"] = list(event.corrective_event_ids)
        if event.corrects:
            activity["dl:corrects"] = [_ref(wrong) for wrong in event.corrects]
        places = list(dict.fromkeys(place["id"] for place in event.places))
        if places:
            activity["prov:atLocation"] = [_ref(place) for place in places]
        for place in places:
            locations.setdefault(place, {"@id": place, "@type": "prov:Location"})
        activities[event.hash_id] = activity
    for edge in trace.edges:
        source, target = entities.get(edge.source), entities.get(edge.target)
        if source is None or target is None:
            continue
        _add(target, "prov:wasDerivedFrom", _ref(edge.source))
        if edge.event_hash_id is not None and edge.event_hash_id in activities:
            activity = activities[edge.event_hash_id]
            if _ref(edge.source) not in activity["prov:used"]:
                activity["prov:used"].append(_ref(edge.source))
            _add(target, "prov:wasGeneratedBy", _ref(edge.event_hash_id))
        elif edge.kind == "derived":
            qualified: dict[str, Any] = {"@type": "prov:Derivation", "prov:entity": _ref(edge.source)}
            if edge.licence_id is not None:
                qualified["dl:licenceId"] = edge.licence_id
            if edge.time_us is not None:
                qualified["prov:atTime"] = _time(iso_time(edge.time_us))
            _add(target, "prov:qualifiedDerivation", qualified)
    return {
        "@context": PROV_CONTEXT,
        "dl:traceOf": _ref(trace.start),
        "dl:direction": trace.direction.value,
        "dl:depth": trace.depth,
        "dl:truncated": trace.truncated,
        "@graph": [*entities.values(), *activities.values(), *locations.values()],
    }


def _add(node: dict[str, Any], key: str, value: Any) -> None:
    values = node.setdefault(key, [])
    if value not in values:
        values.append(value)
