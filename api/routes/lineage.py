"""Item and data-product lineage: traces back and forward, histories, where-is-it-now, derivations.

Nodes are EPC instances and classes as the events write them (``urn:epc:id:sgtin:…``, GS1 Digital
Link URIs, URL-encoded where needed) and data assets as ``asset:0x…``.

* ``GET /v1/items/{item}/trace?direction=back|forward&depth=20``: upstream items, events and places
  (back), or every downstream item (forward: a recall).
* ``GET /v1/items/{item}/history``: every event naming the item, in event-time order.
* ``GET /v1/items/{item}/location``: latest disposition and location, following its containers.
* ``GET /v1/lineage/{node}[.svg|.jsonld]?direction=&depth=&format=json|svg|prov``: the trace as
  JSON, as a layered SVG graph, or as W3C PROV-O JSON-LD.
* ``POST /v1/lineage/derivations``: record that a registered data product derives from registered
  assets, each with the licence (on that asset, to the product's holder, derivatives allowed) it was
  used under; ``GET /v1/lineage/derivations/{assetId}`` reads it back.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse, Response
from pydantic import Field

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.responses.lineage import (
    PROV_DOCUMENT_SCHEMA,
    SVG_SCHEMA,
    Derivation,
    ItemHistory,
    ItemLocation,
    Trace,
)
from dataledger.api.schemas import AssetIdPath, Body, Hex32, Offset
from dataledger.registry.derivations import Parent
from dataledger.registry.lineage import MAX_TRACE_DEPTH, Direction
from dataledger.registry.lineage_prov import trace_to_prov
from dataledger.registry.lineage_svg import trace_to_svg

items_router = APIRouter(prefix="/v1/items", tags=["traceability"])
router = APIRouter(prefix="/v1/lineage", tags=["traceability"])

Depth = Annotated[int, Query(ge=1, le=MAX_TRACE_DEPTH, description="edges to follow at most")]
SVG_MEDIA_TYPE = "image/svg+xml"
PROV_MEDIA_TYPE = "application/ld+json"


@items_router.get(
    "/{item:path}/trace",
    response_model=Trace,
    response_model_exclude_unset=True,
    summary="Trace an item back (its origins) or forward (a recall)",
)
def trace_item(
    item: str,
    _: CurrentParticipant,
    services: ServicesDep,
    direction: Direction = Direction.BACK,
    depth: Depth = 20,
) -> dict[str, Any]:
    """Any participant: the items, events and places upstream of the item (back) or every item downstream
    (forward), up to ``depth`` edges. 404 lineage-node-not-found when nothing names the item."""
    return services.lineage.trace(item, direction, depth).as_json()


@items_router.get(
    "/{item:path}/history",
    response_model=ItemHistory,
    response_model_exclude_unset=True,
    summary="Every event naming the item, and those of the containers it was packed in, in event-time order",
)
def item_history(
    item: str,
    _: CurrentParticipant,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Offset = 0,
    via_containers: Annotated[
        bool, Query(alias="viaContainers", description="Include the events of its containers while packed")
    ] = True,
) -> dict[str, Any]:
    """Any participant: the item's events with the roles it plays in each; with ``viaContainers`` also
    the events of the containers it was packed in at the time. 404 when no event names the item."""
    events = services.lineage.history(item, limit=limit, offset=offset, via_containers=via_containers)
    return {"item": item, "events": events, "limit": limit, "offset": offset}


@items_router.get(
    "/{item:path}/location",
    response_model=ItemLocation,
    summary="Where the item is now: latest disposition and location",
)
def item_location(item: str, _: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """Any participant: the item's latest disposition and location, following the containers it is packed
    in and ignoring events declared erroneous. 404 when no event names the item."""
    return services.lineage.where_is(item)


class ParentBody(Body):
    asset_id: Hex32
    licence_id: Annotated[int, Field(ge=1)] | None = None


class DerivationBody(Body):
    product_id: Hex32 = Field(description="The registered data product")
    parents: Annotated[list[ParentBody], Field(min_length=1, max_length=1000)]


@router.post(
    "/derivations",
    status_code=status.HTTP_201_CREATED,
    response_model=Derivation,
    summary="Record the registered assets a data product derives from (its holder, or a registrar)",
)
def record_derivation(body: DerivationBody, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """The product's holder, a registrar or an administrator: record its parents, each with the licence it
    was used under (checked on chain). Refused when a parent is not registered, a licence does not
    allow it, the parents miss a declared upstream, or the derivation would make a cycle."""
    parents = [Parent(p.asset_id, p.licence_id) for p in body.parents]
    recorded = services.derivations.record_for(me, body.product_id, parents)
    return {"productId": body.product_id.lower(), "parents": recorded}


@router.get(
    "/derivations/{assetId}", response_model=Derivation, summary="The recorded parents of a data product"
)
def get_derivation(asset_id: AssetIdPath, _: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """Any participant: the product's recorded parents (none recorded: an empty list)."""
    return {"productId": asset_id.lower(), "parents": services.lineage.derivation(asset_id)}


@router.get(
    "/{node:path}",
    summary="A trace as JSON, as a layered SVG graph (.svg) or as W3C PROV-O JSON-LD (.jsonld)",
    response_model=Trace,
    response_model_exclude_unset=True,
    responses={
        200: {
            "description": "The trace: JSON, SVG (format=svg, .svg) or PROV-O JSON-LD (format=prov, .jsonld)",
            "content": {
                SVG_MEDIA_TYPE: {"schema": SVG_SCHEMA},
                PROV_MEDIA_TYPE: {"schema": PROV_DOCUMENT_SCHEMA},
            },
        }
    },
)
def get_lineage(
    node: str,
    _: CurrentParticipant,
    services: ServicesDep,
    direction: Direction = Direction.BACK,
    depth: Depth = 20,
    format: Annotated[Literal["json", "svg", "prov"] | None, Query()] = None,
) -> dict[str, Any] | Response:
    """Any participant: the trace from an item or a data asset (``asset:0x…``), as JSON, as an SVG graph
    or as W3C PROV-O JSON-LD, by ``format`` or by the node's suffix. 404 when nothing names the node."""
    for suffix, implied in ((".svg", "svg"), (".jsonld", "prov")):
        if format is None and node.endswith(suffix):
            node, format = node[: -len(suffix)], cast(Literal["svg", "prov"], implied)
    trace = services.lineage.trace(node, direction, depth)
    if format == "svg":
        return Response(trace_to_svg(trace), media_type=SVG_MEDIA_TYPE)
    if format == "prov":
        return JSONResponse(trace_to_prov(trace), media_type=PROV_MEDIA_TYPE)
    return trace.as_json()
