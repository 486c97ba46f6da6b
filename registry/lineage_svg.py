"""A lineage trace as a layered SVG graph, drawn here (no graphviz needed).

Columns are trace levels, upstream on the left: a trace back puts its start on the right, a trace
forward on the left. Items (instances, lots, transformations, transactions, data assets) are boxes
coloured by kind; each event that links items is a small diamond between their columns, with arrows
from what it used to what it produced. Places are a lane at the bottom, joined by dashed lines to the
events that happened there. An erroneous event (an EPCIS error declaration names it) is a grey
diamond marked "erroneous", its arrows dashed, and joined to no place; a corrective event is marked
"corrective". Columns longer than ``max_per_column`` end with "+N more".
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from dataledger.registry.epcis.lineage import iso_time
from dataledger.registry.lineage import Direction, Trace

_BOX_W, _BOX_H = 230, 34
_COL_GAP, _ROW_GAP = 120, 16
_MARGIN = 30
_COLOURS = {
    "instance": "#dbeafe",
    "class": "#fde68a",
    "transformation": "#fbcfe8",
    "transaction": "#e9d5ff",
    "asset": "#bbf7d0",
    "location": "#e5e7eb",
}


def _label(node: str, limit: int = 34) -> str:
    text = node.removeprefix("urn:epc:id:").removeprefix("urn:epc:class:")
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def trace_to_svg(trace: Trace, *, max_per_column: int = 40) -> str:
    """The SVG document of ``trace``."""
    levels = max((node.level for node in trace.nodes), default=0)
    columns: dict[int, list[str]] = {}
    for trace_node in trace.nodes:
        column = levels - trace_node.level if trace.direction is Direction.BACK else trace_node.level
        columns.setdefault(column, []).append(trace_node.id)
    kinds = {node.id: node.kind for node in trace.nodes}
    position: dict[str, tuple[float, float]] = {}
    hidden: dict[int, int] = {}
    for column, nodes in columns.items():
        shown = nodes[:max_per_column]
        hidden[column] = len(nodes) - len(shown)
        for row, node in enumerate(shown):
            x: float = _MARGIN + column * (_BOX_W + _COL_GAP)
            y: float = _MARGIN + 30 + row * (_BOX_H + _ROW_GAP)
            position[node] = (x, y)
    rows = max((min(len(n), max_per_column) + (1 if hidden[c] else 0) for c, n in columns.items()), default=1)
    graph_bottom = _MARGIN + 30 + rows * (_BOX_H + _ROW_GAP)

    events = {event.hash_id: event for event in trace.events}
    linked: dict[str, list[tuple[str, str]]] = {}
    for edge in trace.edges:
        if edge.source in position and edge.target in position:
            linked.setdefault(edge.event_hash_id or f"derived:{edge.source}>{edge.target}", []).append(
                (edge.source, edge.target)
            )
    places = trace.locations
    lane_y = graph_bottom + 60
    width = _MARGIN * 2 + (max(columns, default=0) + 1) * (_BOX_W + _COL_GAP)
    place_step = max(_BOX_W + 20, (width - 2 * _MARGIN) / max(len(places), 1))
    place_at = {place: (_MARGIN + i * place_step, lane_y) for i, place in enumerate(places)}
    width = max(width, int(_MARGIN * 2 + len(places) * place_step))
    height = int(lane_y + _BOX_H + _MARGIN + (20 if places else 0))

    title = f"Lineage {trace.direction.value} from {trace.start} (depth {trace.depth})"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#475569"/></marker></defs>',
        f'<text x="{_MARGIN}" y="{_MARGIN}" font-size="14" font-weight="bold">{escape(title)}'
        f"{' (truncated)' if trace.truncated else ''}</text>",
    ]
    for key, pairs in linked.items():
        event = events.get(key)
        wrong = event is not None and event.erroneous
        dash = ' stroke-dasharray="6 4"' if wrong else ""
        xs = [position[s][0] + _BOX_W for s, _ in pairs] + [position[t][0] for _, t in pairs]
        ys = [position[n][1] + _BOX_H / 2 for pair in pairs for n in pair]
        cx, cy = (min(xs) + max(xs)) / 2, sum(ys) / len(ys)
        for source, target in dict.fromkeys(pairs):
            sx, sy = position[source][0] + _BOX_W, position[source][1] + _BOX_H / 2
            tx, ty = position[target][0], position[target][1] + _BOX_H / 2
            parts.append(
                f'<line x1="{sx:.0f}" y1="{sy:.0f}" x2="{cx:.0f}" y2="{cy:.0f}" stroke="#94a3b8"{dash}/>'
            )
            parts.append(
                f'<line x1="{cx:.0f}" y1="{cy:.0f}" x2="{tx:.0f}" y2="{ty:.0f}" stroke="#475569" '
                f'marker-end="url(#arrow)"{dash}/>'
            )
        if event is not None:
            label = f"{event.biz_step or event.event_type} {iso_time(event.time_us)[:10]}"
            tip = f"{event.event_type} {event.hash_id}"
            if event.erroneous:
                label, tip = f"{label} (erroneous)", f"{tip} (declared erroneous)"
            elif event.corrects:
                label, tip = f"{label} (corrective)", f"{tip} (corrects {', '.join(event.corrects)})"
            for place in dict.fromkeys(p["id"] for p in event.places if p["id"] in place_at):
                px, py = place_at[place]
                parts.append(
                    f'<line x1="{cx:.0f}" y1="{cy:.0f}" x2="{px + _BOX_W / 2:.0f}" y2="{py:.0f}" '
                    'stroke="#cbd5e1" stroke-dasharray="4 3"/>'
                )
        else:
            label, tip = "derived", "data-product derivation"
        fill, ink = ("#9ca3af", "#4b5563") if wrong else ("#f97316", "#9a3412")
        parts.append(
            f'<g class="event"><title>{escape(tip)}</title><path d="M {cx:.0f} {cy - 7:.0f} L {cx + 7:.0f} '
            f'{cy:.0f} L {cx:.0f} {cy + 7:.0f} L {cx - 7:.0f} {cy:.0f} z" fill="{fill}"/>'
            f'<text x="{cx:.0f}" y="{cy - 10:.0f}" text-anchor="middle" fill="{ink}">'
            f"{escape(label)}</text></g>"
        )
    for node, (x, y) in position.items():
        kind = kinds[node]
        stroke = ' stroke-width="2.5"' if node == trace.start else ""
        name = trace.assets.get(node, {}).get("name")
        parts.append(
            f'<g class="item" data-node="{_attr(node)}"><title>{escape(node)}</title>'
            f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="{_BOX_H}" rx="6" '
            f'fill="{_COLOURS.get(kind, "#fff")}" '
            f'stroke="#334155"{stroke}/>'
            f'<text x="{x + 8}" y="{y + 14}" fill="#64748b">{escape(kind)}</text>'
            f'<text x="{x + 8}" y="{y + 27}">{escape(_label(name or node))}</text></g>'
        )
    for column, count in hidden.items():
        if count:
            x = _MARGIN + column * (_BOX_W + _COL_GAP)
            y = _MARGIN + 30 + max_per_column * (_BOX_H + _ROW_GAP) + 14
            parts.append(f'<text x="{x + 8}" y="{y}" fill="#64748b">+{count} more</text>')
    if places:
        parts.append(f'<text x="{_MARGIN}" y="{lane_y - 12}" font-weight="bold">Places</text>')
    for place, (x, y) in place_at.items():
        parts.append(
            f'<g class="location"><title>{escape(place)}</title><rect x="{x:.0f}" y="{y}" width="{_BOX_W}" '
            f'height="{_BOX_H}" rx="14" fill="{_COLOURS["location"]}" stroke="#6b7280"/>'
            f'<text x="{x + 10:.0f}" y="{y + 21}">{escape(_label(place))}</text></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
