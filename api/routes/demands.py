"""Demands: buyers and exchanges publish what data they need; holders respond with listed products."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.market_schemas import DemandClosing, DemandCreate, DemandIdPath, DemandResponseCreate
from dataledger.api.responses.market import Demand, DemandList, DemandResponse
from dataledger.api.schemas import Offset
from dataledger.registry.market.demands import DemandStatus

router = APIRouter(prefix="/v1/demands", tags=["market"])


@router.post("", response_model=Demand, status_code=201, summary="Publish a demand")
def publish_demand(body: DemandCreate, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """A buyer (an enterprise) or an exchange: what data it needs, for what purpose, a budget and a
    deadline. Holders respond with their listed products until the deadline."""
    demand = services.demands.publish(
        me,
        title=body.title,
        description=body.description,
        purpose=body.purpose,
        category=body.category,
        budget=body.budget_value(),
        deadline=body.deadline,
    )
    return demand.as_json()


@router.get("", response_model=DemandList, summary="List demands (public)")
def list_demands(
    services: ServicesDep,
    status: Annotated[
        Literal["open", "closed", "any"], Query(description="open (default), closed or any")
    ] = "open",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Anyone: the demands, newest first (their responses with ``getDemand``)."""
    wanted = None if status == "any" else DemandStatus(status)
    items, total = services.demands.demands(status=wanted, limit=limit, offset=offset)
    return {"items": [d.as_json() for d in items], "total": total, "limit": limit, "offset": offset}


@router.get("/{demandId}", response_model=Demand, summary="A demand and its responses (public)")
def get_demand(demand_id: DemandIdPath, services: ServicesDep) -> dict[str, Any]:
    """Anyone: the demand, the listings offered for it, and the one chosen if it is closed."""
    return services.demands.demand(demand_id).as_json()


@router.post(
    "/{demandId}/responses", response_model=DemandResponse, status_code=201, summary="Respond with a listing"
)
def respond_to_demand(
    demand_id: DemandIdPath, body: DemandResponseCreate, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The holder of a listed product (listed, not suspended) offers it for an open demand, before its
    deadline; a listing responds once to a demand."""
    return services.demands.respond(me, demand_id, body.listing_id.lower(), body.note).as_json()


@router.post("/{demandId}/closing", response_model=Demand, summary="Close a demand with the chosen response")
def close_demand(
    demand_id: DemandIdPath, body: DemandClosing, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The publisher closes its demand, choosing one of the responses; a closed demand takes no more."""
    return services.demands.close(me, demand_id, body.response_id).as_json()
