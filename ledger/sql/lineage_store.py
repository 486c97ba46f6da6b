"""Lineage queries in SQL: traces back and forward, item histories, where-is-it-now, derivations.

Traces walk ``lineage_edges`` level by level: each level is one indexed ``IN (...)`` query over the
frontier (chunked), never a query per node, and a node is expanded once however many paths reach it.
At most ``depth`` levels are walked; the trace says whether the limit cut it short. The events of a
trace are those on its edges and those in the history of every item it reached, fetched in batches
and sorted by event time (the order events were captured in never matters).

EPCIS error declarations (``epcis_error_declarations``, see ``ledger.sql.event_store``) mark events
erroneous. Traces and histories keep an erroneous event, flagged, with its corrective event IDs; a
trace also follows the corrective events: at each level, the corrective events of the erroneous
events it meets join the trace with their edges, and the walk goes on from the items they link.
Where-is-it-now ignores erroneous events (their disposition, location, containment and persistent
dispositions) and lists the ones it ignored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, inspect
from sqlalchemy.engine import Connection, Engine

from dataledger.ledger.sql.event_store import (
    DECLARATIONS,
    EVENT_IDS,
    corrective_ids_by_key,
    has_declarations,
    resolve_event_ids,
)
from dataledger.ledger.sql.event_tables import AssetDerivationRow, LineageEdgeRow
from dataledger.ledger.sql.row_writer import insert_rows, placeholder, select_in
from dataledger.registry.derivations import Parent, check_derivation, declared_upstream
from dataledger.registry.epcis.lineage import (
    ASSET_PREFIX,
    asset_node,
    event_facts,
    event_places,
    iso_time,
    persistent_dispositions,
)
from dataledger.registry.errors import AssetNotFound, LineageNodeNotFound, ValidationFailed
from dataledger.registry.lineage import MAX_TRACE_DEPTH, Direction, Trace, TraceEdge, TraceEvent, TraceNode

DERIVATIONS: Table = AssetDerivationRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
_EDGES: Table = LineageEdgeRow.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare __table__
_LOCATION_HOPS = 16  # containers of containers followed by where-is-it-now
_DECLARED = "EXISTS (SELECT 1 FROM epcis_error_declarations d WHERE d.event_key = e.event_key)"
_NOT_DECLARED = f" AND NOT {_DECLARED}"


class SqlLineageStore:
    """Reads the lineage index that ``ledger.sql.event_store`` writes; records data-product derivations."""

    def __init__(self, reader: Engine, writer: Engine) -> None:
        self._reader = reader
        self._writer = writer
        for table in (DERIVATIONS, DECLARATIONS, EVENT_IDS):
            table.create(writer, checkfirst=True)
        self._asset_tables: tuple[str, ...] | None = None

    # -- traces ------------------------------------------------------------------------------------

    def trace(self, start: str, direction: Direction, depth: int = 20) -> Trace:
        """Every node upstream (``back``) or downstream (``forward``) of ``start``, up to ``depth`` edges."""
        if not 1 <= depth <= MAX_TRACE_DEPTH:
            raise ValidationFailed(f"depth must be between 1 and {MAX_TRACE_DEPTH}", field="depth")
        back = direction is Direction.BACK
        sql = (
            "SELECT src, dst, kind, event_id, event_time_us, licence_id FROM lineage_edges "
            f"WHERE {'dst' if back else 'src'} IN {{in}}"
        )
        level_of = {start: 0}
        raw_edges: list[tuple[Any, ...]] = []
        seen_edges: set[tuple[Any, ...]] = set()
        truncated = False
        with self._reader.connect() as conn:
            declared = has_declarations(conn)
            followed: set[int] = set()  # corrective events whose edges the walk took
            frontier = [start]
            for level in range(1, depth + 2):
                found = list(select_in(conn, sql, frontier))
                if level > depth:  # one look past the limit: is there more?
                    truncated = any((row[0] if back else row[1]) not in level_of for row in found)
                    break
                reached: list[str] = []

                def reach(node: str, level: int = level, reached: list[str] = reached) -> None:
                    if node not in level_of:
                        level_of[node] = level
                        reached.append(node)

                for row in found:
                    if tuple(row[:4]) not in seen_edges:
                        seen_edges.add(tuple(row[:4]))
                        raw_edges.append(row)
                        reach(row[0] if back else row[1])
                if declared:  # the corrective events of erroneous events met here, with their edges
                    for row in _corrective_edges(conn, frontier, {r[3] for r in found if r[3]}, followed):
                        if row[:4] not in seen_edges:
                            seen_edges.add(row[:4])
                            raw_edges.append(row)
                            reach(row[0])
                            reach(row[1])
                frontier = reached
                if not frontier:
                    break
            events, hash_ids, erroneous = self._trace_events(
                conn, list(level_of), {r[3] for r in raw_edges if r[3]}, declared
            )
            if len(level_of) == 1 and not events and not self._assets(conn, [start]):
                raise LineageNodeNotFound("no event, derivation or asset names this item", node=start)
            assets = self._assets(conn, [n for n in level_of if n.startswith(ASSET_PREFIX)])
        edges = tuple(
            TraceEdge(
                src,
                dst,
                kind,
                hash_ids.get(event_id),
                _int(at),
                _int(licence),
                erroneous=event_id in erroneous,
            )
            for src, dst, kind, event_id, at, licence in raw_edges
        )
        nodes = tuple(TraceNode(node, level) for node, level in level_of.items())
        return Trace(start, direction, depth, nodes, edges, events, truncated, assets)

    def _trace_events(
        self, conn: Connection, nodes: Sequence[str], edge_event_ids: set[int], declared: bool
    ) -> tuple[tuple[TraceEvent, ...], dict[int, str], set[int]]:
        """The trace's events, the hash ID of each event key, and the keys of the erroneous ones.

        With ``declared`` (error declarations exist), the corrective events of every erroneous
        event of the trace are events of the trace too, even where the walk did not reach them.
        """
        named: dict[int, list[str]] = {}
        for item, event_id in select_in(
            conn, "SELECT item, event_id FROM epcis_event_items WHERE item IN {in}", nodes
        ):
            named.setdefault(int(event_id), []).append(item)
        ids = set(named) | edge_event_ids
        erroneous: dict[int, tuple[str, list[str]]] = {}
        corrects: dict[int, set[str]] = {}
        if declared:
            erroneous = corrective_ids_by_key(conn, ids)
            resolved = resolve_event_ids(conn, [i for _, c in erroneous.values() for i in c])
            for wrong_hash_id, corrective in erroneous.values():
                for event_id in corrective:
                    for key, _ in resolved.get(event_id, ()):
                        corrects.setdefault(key, set()).add(wrong_hash_id)
            extra = set(corrects) - ids
            erroneous.update(corrective_ids_by_key(conn, extra))
            ids |= extra
        rows = select_in(
            conn,
            "SELECT event_key, hash_id, event_type, event_time_us, action, biz_step, disposition, event_json "
            "FROM epcis_events WHERE event_key IN {in}",
            sorted(ids),
        )
        events, hash_ids = [], {}
        for key, hash_id, kind, at, action, step, disposition, body in rows:
            key = int(key)
            hash_ids[key] = hash_id
            places = tuple(event_places(json.loads(body)))
            items = tuple(dict.fromkeys(named.get(key, ())))
            declaration = erroneous.get(key)
            events.append(
                TraceEvent(
                    hash_id,
                    kind,
                    int(at),
                    action,
                    step,
                    disposition,
                    places,
                    items,
                    erroneous=declaration is not None,
                    corrective_event_ids=tuple(declaration[1]) if declaration else (),
                    corrects=tuple(sorted(corrects.get(key, ()))),
                )
            )
        events.sort(key=lambda e: (e.time_us, e.hash_id))
        return tuple(events), hash_ids, set(erroneous)

    # -- one item ----------------------------------------------------------------------------------

    def history(
        self, item: str, *, limit: int = 1000, offset: int = 0, via_containers: bool = True
    ) -> list[dict[str, Any]]:
        """Every event naming ``item``, in event time order, with the roles it plays in each.

        With ``via_containers``, also the events of the containers it was packed in while it was
        packed (a pallet shipped, cleared by customs, received: its contents went with it), each
        with the role ``in-container`` and ``via``, the container; containers of containers too.
        """
        with self._reader.connect() as conn:
            entries = _item_events(conn, item)
            if not entries:
                raise LineageNodeNotFound("no captured event names this item", node=item)
            if via_containers:
                seen = {item}
                for container, start, end in _packing_intervals(conn, item, 0, None, seen):
                    for hash_id, entry in _item_events(conn, container, start, end).items():
                        if hash_id not in entries:
                            entry["roles"] = ["in-container"]
                            entry["via"] = container
                            entries[hash_id] = entry
            erroneous = {}
            if has_declarations(conn):
                erroneous = corrective_ids_by_key(conn, [e["eventKey"] for e in entries.values()])
        ordered = sorted(entries.values(), key=lambda e: (e["eventTimeUs"], e["eventHashId"]))
        for entry in ordered:
            declaration = erroneous.get(entry.pop("eventKey"))
            entry["erroneous"] = declaration is not None
            if declaration is not None:
                entry["correctiveEventIds"] = declaration[1]
            del entry["eventTimeUs"]
        return ordered[offset : offset + limit]

    def where_is(self, item: str) -> dict[str, Any]:
        """The item's latest disposition and location, following the containers it is packed in.

        While packed (its latest aggregation as a child is ``ADD`` or ``OBSERVE``), later events of the
        container (shipped, received) move the item too; unpacking (``DELETE``) ends that. Erroneous
        events (an error declaration names them) are ignored, and listed in ``ignoredErroneousEvents``.
        """
        with self._reader.connect() as conn:
            own = _latest_state(conn, item)
            if own is None:
                raise LineageNodeNotFound("no captured event names this item", node=item)
            state = dict(own)
            via: list[str] = []
            current, since = item, None
            for _ in range(_LOCATION_HOPS):
                container = _current_container(conn, current)
                if container is None or container[0] in via or container[0] == item:
                    break
                current, since = container
                via.append(current)
                outer = _latest_state(conn, current, after_us=since)
                if outer is None:
                    continue
                state["ignored"] += [h for h in outer["ignored"] if h not in state["ignored"]]
                for key in ("disposition", "location"):
                    if outer[key] is not None and outer[f"{key}Time"] > (state[f"{key}Time"] or -1):
                        state[key], state[f"{key}Time"] = outer[key], outer[f"{key}Time"]
                        state[f"{key}Event"] = outer[f"{key}Event"]
        return {
            "item": item,
            "disposition": state["disposition"],
            "location": state["location"],
            "dispositionEvent": state["dispositionEvent"],
            "locationEvent": state["locationEvent"],
            "lastEvent": own["lastEvent"],
            "asOf": _iso_or_none(
                max(
                    (t for t in (state["dispositionTime"], state["locationTime"], own["lastTime"]) if t),
                    default=None,
                )
            ),
            "packedIn": via,
            "persistentDispositions": self._persistent_dispositions(item),
            "ignoredErroneousEvents": state["ignored"],
        }

    def _persistent_dispositions(self, item: str) -> list[str]:
        sql = (
            "SELECT e.event_json FROM epcis_event_items i JOIN epcis_events e ON e.event_key = i.event_id "
            "WHERE i.item = ? AND e.event_json LIKE ?"
            + _NOT_DECLARED
            + " ORDER BY i.event_time_us, e.hash_id"
        )
        with self._reader.connect() as conn:
            bodies = [body for (body,) in _rows(conn, sql, (item, "%persistentDisposition%"))]
        return persistent_dispositions(json.loads(body) for body in bodies)

    # -- data-product derivations ------------------------------------------------------------------

    def derivation(self, product_id: str) -> list[dict[str, Any]]:
        """The recorded parents of a product, with their licences."""
        with self._reader.connect() as conn:
            rows = _rows(
                conn,
                "SELECT parent_id, licence_id, recorded_by, recorded_at_us FROM asset_derivations "
                "WHERE product_id = ? ORDER BY id",
                (product_id.lower(),),
            )
            return [
                {"assetId": p, "licenceId": _int(lic), "recordedBy": by, "recordedAt": iso_time(int(at))}
                for p, lic, by, at in rows
            ]

    def record_derivation(
        self, product_id: str, parents: Sequence[Parent], *, recorded_by: str, now_us: int
    ) -> list[dict[str, Any]]:
        """Record that ``product_id`` derives from ``parents`` (idempotent per parent); refuse cycles.

        Every asset must be registered; the parents must cover what the product's facts declare.
        """
        product_id = product_id.lower()
        with self._writer.begin() as conn:
            facts = self._asset_facts(conn, [product_id, *(p.asset_id for p in parents)])
            for asset_id in [product_id, *(p.asset_id for p in parents)]:
                if asset_id not in facts:
                    raise AssetNotFound("no registered asset with this id", asset_id=asset_id)
            recorded = {
                parent
                for (parent,) in _rows(
                    conn, "SELECT parent_id FROM asset_derivations WHERE product_id = ?", (product_id,)
                )
            }
            check_derivation(
                product_id,
                parents,
                declared=declared_upstream(facts[product_id].get("extra", {})),
                recorded=recorded,
                descendants=_descendants(conn, product_id),
            )
            new = [p for p in dict.fromkeys(parents) if p.asset_id not in recorded]
            insert_rows(
                conn,
                DERIVATIONS,
                ("product_id", "parent_id", "licence_id", "recorded_by", "recorded_at_us"),
                [(product_id, p.asset_id, p.licence_id, recorded_by, now_us) for p in new],
            )
            insert_rows(
                conn,
                _EDGES,
                ("src", "dst", "kind", "event_id", "event_time_us", "licence_id"),
                [
                    (asset_node(p.asset_id), asset_node(product_id), "derived", None, now_us, p.licence_id)
                    for p in new
                ],
            )
        return self.derivation(product_id)

    # -- assets ------------------------------------------------------------------------------------

    def _tables_with_assets(self) -> tuple[str, ...]:
        if self._asset_tables is None:
            names = set(inspect(self._reader).get_table_names())
            self._asset_tables = tuple(t for t in ("assets", "batched_registrations") if t in names)
        return self._asset_tables

    def _asset_facts(self, conn: Connection, asset_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        facts: dict[str, dict[str, Any]] = {}
        for table in self._tables_with_assets():
            query = f"SELECT asset_id, facts_json FROM {table} WHERE asset_id IN {{in}}"
            for asset_id, body in select_in(conn, query, list(asset_ids)):
                facts.setdefault(asset_id, json.loads(body))
        return facts

    def _assets(self, conn: Connection, nodes: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Public facts of the asset nodes (name, content hash, right): never salts or holders' keys."""
        ids = [n[len(ASSET_PREFIX) :] for n in nodes if n.startswith(ASSET_PREFIX)]
        facts = self._asset_facts(conn, ids) if ids else {}
        return {
            asset_node(asset_id): {
                "name": f.get("name"),
                "contentHash": f.get("content_hash"),
                "rightClaimed": f.get("right_claimed"),
            }
            for asset_id, f in facts.items()
        }


def _descendants(conn: Connection, product_id: str) -> set[str]:
    seen: set[str] = set()
    frontier = [asset_node(product_id)]
    while frontier:
        found = [
            dst for (dst,) in select_in(conn, "SELECT dst FROM lineage_edges WHERE src IN {in}", frontier)
        ]
        frontier = [n for n in dict.fromkeys(found) if n not in seen]
        seen.update(frontier)
    return {n[len(ASSET_PREFIX) :] for n in seen if n.startswith(ASSET_PREFIX)}


def _latest_state(conn: Connection, item: str, *, after_us: int | None = None) -> dict[str, Any] | None:
    """The latest disposition and location among the events naming ``item`` (from ``after_us`` on),
    skipping erroneous events (listed in ``ignored``, those later than what was found)."""
    sql = (
        f"SELECT e.hash_id, e.event_time_us, e.disposition, e.biz_location, e.read_point, {_DECLARED} "
        "FROM epcis_event_items i JOIN epcis_events e ON e.event_key = i.event_id WHERE i.item = ?"
    )
    params: tuple[Any, ...] = (item,)
    if after_us is not None:
        sql += " AND i.event_time_us >= ?"
        params = (item, after_us)
    sql += " ORDER BY i.event_time_us DESC, e.hash_id DESC"
    state: dict[str, Any] = {
        "disposition": None,
        "dispositionTime": None,
        "dispositionEvent": None,
        "location": None,
        "locationTime": None,
        "locationEvent": None,
        "lastEvent": None,
        "lastTime": None,
        "ignored": [],
    }
    seen_any = False
    for hash_id, at, disposition, biz_location, read_point, erroneous in _rows(conn, sql, params):
        at = int(at)
        seen_any = True
        if erroneous:
            if hash_id not in state["ignored"]:
                state["ignored"].append(hash_id)
            continue
        if state["lastEvent"] is None:
            state["lastEvent"], state["lastTime"] = hash_id, at
        if state["disposition"] is None and disposition is not None:
            state["disposition"], state["dispositionTime"], state["dispositionEvent"] = (
                disposition,
                at,
                hash_id,
            )
        place = biz_location or read_point
        if state["location"] is None and place is not None:
            state["location"], state["locationTime"], state["locationEvent"] = place, at, hash_id
        if state["disposition"] is not None and state["location"] is not None:
            break
    return state if seen_any else None


def _current_container(conn: Connection, item: str) -> tuple[str, int] | None:
    """The parent ``item`` is packed in now, and since when; None once unpacked (or never packed)."""
    sql = (
        "SELECT e.action, e.event_json, e.event_time_us FROM epcis_event_items i "
        "JOIN epcis_events e ON e.event_key = i.event_id "
        "WHERE i.item = ? AND i.role IN ('child', 'child-class') AND e.event_type = 'AggregationEvent'"
        + _NOT_DECLARED
        + " ORDER BY i.event_time_us DESC, e.hash_id DESC LIMIT 1"
    )
    for action, body, at in _rows(conn, sql, (item,)):
        if action in ("ADD", "OBSERVE"):
            parent = json.loads(body).get("parentID")
            if isinstance(parent, str):
                return parent, int(at)
    return None


def _item_events(
    conn: Connection, item: str, start_us: int | None = None, end_us: int | None = None
) -> dict[str, dict[str, Any]]:
    """The events naming ``item`` (within [start, end) if given), by hash id, in event-time order."""
    sql = (
        "SELECT e.hash_id, e.event_type, e.event_time_us, e.action, e.biz_step, e.disposition, "
        "e.event_json, i.role, e.event_key FROM epcis_event_items i "
        "JOIN epcis_events e ON e.event_key = i.event_id WHERE i.item = ?"
    )
    params: tuple[Any, ...] = (item,)
    if start_us is not None:
        sql += " AND i.event_time_us >= ?"
        params += (start_us,)
    if end_us is not None:
        sql += " AND i.event_time_us < ?"
        params += (end_us,)
    sql += " ORDER BY i.event_time_us, e.hash_id, i.role"
    entries: dict[str, dict[str, Any]] = {}
    for hash_id, kind, at, action, step, disposition, body, role, key in _rows(conn, sql, params):
        entry = entries.get(hash_id)
        if entry is None:
            entries[hash_id] = entry = {
                "eventHashId": hash_id,
                "type": kind,
                "eventTime": iso_time(int(at)),
                "eventTimeUs": int(at),
                "eventKey": int(key),
                "action": action,
                "bizStep": step,
                "disposition": disposition,
                "places": event_places(json.loads(body)),
                "roles": [],
            }
        entry["roles"].append(role)
    return entries


def _packing_intervals(
    conn: Connection, item: str, start_us: int, end_us: int | None, seen: set[str], hops: int = 0
) -> list[tuple[str, int, int | None]]:
    """(container, from, until) for each time ``item`` was packed within [start, end): from the
    aggregation that added it (``ADD``, or ``OBSERVE`` of a packed state) to the ``DELETE`` that
    took it out; then the containers those containers were packed in, within the same spans.
    Erroneous aggregations (an error declaration names them) neither pack nor unpack."""
    sql = (
        "SELECT e.action, e.event_json, e.event_time_us FROM epcis_event_items i "
        "JOIN epcis_events e ON e.event_key = i.event_id "
        "WHERE i.item = ? AND i.role IN ('child', 'child-class') AND e.event_type = 'AggregationEvent'"
        + _NOT_DECLARED
        + " ORDER BY i.event_time_us, e.hash_id"
    )
    intervals: list[tuple[str, int, int | None]] = []
    open_since: dict[str, int] = {}
    for action, body, at in _rows(conn, sql, (item,)):
        parent = json.loads(body).get("parentID")
        if not isinstance(parent, str):
            continue
        if action in ("ADD", "OBSERVE"):
            open_since.setdefault(parent, int(at))
        elif action == "DELETE" and parent in open_since:
            intervals.append((parent, open_since.pop(parent), int(at)))
    intervals += [(parent, since, None) for parent, since in open_since.items()]
    clipped = []
    for parent, since, until in intervals:
        lo = max(since, start_us)
        hi = until if end_us is None else (end_us if until is None else min(until, end_us))
        if (hi is None or lo < hi) and parent not in seen:
            clipped.append((parent, lo, hi))
    if hops < _LOCATION_HOPS:
        for parent, lo, hi in list(clipped):
            seen.add(parent)
            clipped += _packing_intervals(conn, parent, lo, hi, seen, hops + 1)
    return clipped


def _rows(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    mark = placeholder(conn) or "?"
    statement = sql if mark == "?" else sql.replace("%", "%%").replace("?", mark)
    return list(conn.exec_driver_sql(statement, params).tuples())


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _iso_or_none(value: int | None) -> str | None:
    return None if value is None else iso_time(value)


def _declared_events_naming(conn: Connection, nodes: Sequence[str]) -> dict[int, tuple[str, list[str]]]:
    """The erroneous events that name any of ``nodes``, as ``corrective_ids_by_key`` gives them."""
    keys = {
        int(key)
        for (key,) in select_in(
            conn,
            "SELECT DISTINCT d.event_key FROM epcis_event_items i "
            "JOIN epcis_error_declarations d ON d.event_key = i.event_id WHERE i.item IN {in}",
            list(nodes),
        )
    }
    return corrective_ids_by_key(conn, keys) if keys else {}


def _corrective_edges(
    conn: Connection, frontier: Sequence[str], edge_event_ids: set[int], followed: set[int]
) -> list[tuple[Any, ...]]:
    """The edges (as ``lineage_edges`` rows) of the corrective events of the erroneous events on
    ``edge_event_ids`` or naming a ``frontier`` node, each corrective event once (``followed``)."""
    erroneous = corrective_ids_by_key(conn, edge_event_ids) if edge_event_ids else {}
    erroneous.update(_declared_events_naming(conn, frontier))
    corrective = [i for _, ids in erroneous.values() for i in ids]
    if not corrective:
        return []
    keys = {key for found in resolve_event_ids(conn, corrective).values() for key, _ in found} - followed
    followed |= keys
    rows: list[tuple[Any, ...]] = []
    query = "SELECT event_key, event_time_us, event_json FROM epcis_events WHERE event_key IN {in}"
    for key, at, body in select_in(conn, query, sorted(keys)):
        rows.extend(
            (e.source, e.target, e.kind, int(key), int(at), None) for e in event_facts(json.loads(body)).edges
        )
    return rows
