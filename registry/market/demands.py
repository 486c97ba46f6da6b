"""Demands: a buyer or an exchange publishes what data it needs; holders respond with their listings;
the publisher closes the demand with the response it chose.

A demand states what data, for what purpose, a budget (optional) and a deadline. Until the deadline
and while it is open, the holder of a listed product responds with that listing (one response per
listing). The publisher closes it by choosing one of the responses; a closed demand takes no more
responses and cannot be closed again.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from dataledger.registry.errors import DemandClosed, NotAuthorised, ValidationFailed
from dataledger.registry.market.listings import (
    MAX_DESCRIPTION,
    MAX_LABEL,
    MAX_TITLE,
    Listing,
    ListingStatus,
    bounded_text,
)
from dataledger.registry.participants import Participant, Role

MAX_PURPOSE = 1000
MAX_NOTE = 1000


class DemandStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Budget:
    """How much the publisher means to spend, in a currency's major unit (at most two decimals)."""

    amount: Decimal
    currency: str = "CNY"

    def __post_init__(self) -> None:
        amount = Decimal(str(self.amount))
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise ValidationFailed("budget.amount is a non-negative amount with two decimals", field="budget")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValidationFailed("budget.currency is an ISO 4217 code such as CNY", field="budget.currency")
        object.__setattr__(self, "amount", amount.quantize(Decimal("0.01")))

    def as_json(self) -> dict[str, Any]:
        return {"amount": str(self.amount), "currency": self.currency}


@dataclass(frozen=True, slots=True)
class DemandResponse:
    """A holder's answer to a demand: one of its listings, with a note."""

    response_id: str
    demand_id: str
    listing_id: str
    responder_id: str
    note: str
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "responseId": self.response_id,
            "demandId": self.demand_id,
            "listingId": self.listing_id,
            "responderId": self.responder_id,
            "note": self.note,
            "createdAt": self.created_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Demand:
    demand_id: str
    publisher_id: str
    publisher_name: str
    title: str
    description: str
    purpose: str
    category: str
    budget: Budget | None
    deadline: datetime
    created_at: datetime
    status: DemandStatus = DemandStatus.OPEN
    chosen_response_id: str | None = None
    closed_at: datetime | None = None
    responses: tuple[DemandResponse, ...] = field(default=())

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "title", bounded_text(self.title, "title", MAX_TITLE, required=True))
        set_(
            self, "description", bounded_text(self.description, "description", MAX_DESCRIPTION, required=True)
        )
        set_(self, "purpose", bounded_text(self.purpose, "purpose", MAX_PURPOSE, required=True))
        set_(self, "category", bounded_text(self.category, "category", MAX_LABEL))
        if self.deadline.tzinfo is None:
            raise ValidationFailed("the deadline needs a time zone", field="deadline")

    def as_json(self) -> dict[str, Any]:
        return {
            "demandId": self.demand_id,
            "publisher": {"id": self.publisher_id, "name": self.publisher_name},
            "title": self.title,
            "description": self.description,
            "purpose": self.purpose,
            "category": self.category,
            "budget": self.budget.as_json() if self.budget else None,
            "deadline": self.deadline.isoformat(),
            "status": self.status.value,
            "createdAt": self.created_at.isoformat(),
            "chosenResponseId": self.chosen_response_id,
            "closedAt": self.closed_at.isoformat() if self.closed_at else None,
            "responses": [r.as_json() for r in self.responses],
        }


class DemandRecords(Protocol):
    """Where demands and their responses are kept (``ledger.sql.market_store``)."""

    def add_demand(self, demand: Demand) -> None: ...
    def demand(self, demand_id: str) -> Demand: ...
    def demands(
        self, *, status: DemandStatus | None, limit: int, offset: int
    ) -> tuple[list[Demand], int]: ...
    def add_response(self, response: DemandResponse) -> None: ...
    def close_demand(self, demand_id: str, response_id: str, at: datetime) -> Demand: ...


class ListingReads(Protocol):
    def listing(self, listing_id: str) -> Listing: ...


class DemandService:
    def __init__(
        self, records: DemandRecords, listings: ListingReads, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._records = records
        self._listings = listings
        self._clock = clock or (lambda: datetime.now(UTC))

    def publish(
        self,
        me: Participant,
        *,
        title: str,
        description: str,
        purpose: str,
        deadline: datetime,
        category: str = "",
        budget: Budget | None = None,
    ) -> Demand:
        """A buyer (an enterprise) or an exchange publishes a demand, open until ``deadline``."""
        if me.role not in (Role.ENTERPRISE, Role.EXCHANGE):
            raise NotAuthorised("a buyer or an exchange publishes demands", role=me.role.value)
        now = self._clock()
        if deadline <= now:
            raise ValidationFailed("the deadline is in the past", field="deadline")
        demand = Demand(
            str(uuid.uuid4()), me.id, me.name, title, description, purpose, category, budget, deadline, now
        )
        self._records.add_demand(demand)
        return demand

    def demand(self, demand_id: str) -> Demand:
        return self._records.demand(demand_id)

    def demands(
        self, *, status: DemandStatus | None = DemandStatus.OPEN, limit: int = 50, offset: int = 0
    ) -> tuple[list[Demand], int]:
        return self._records.demands(status=status, limit=limit, offset=offset)

    def respond(self, me: Participant, demand_id: str, listing_id: str, note: str = "") -> DemandResponse:
        """The holder of a listed product offers it for an open demand."""
        if me.role is not Role.ENTERPRISE or me.address is None:
            raise NotAuthorised("the holder of a listed product responds to demands", role=me.role.value)
        note = bounded_text(note, "note", MAX_NOTE)
        listing = self._listings.listing(listing_id)  # its status as its asset stands on chain now
        if listing.lister.lower() != me.address.lower():
            raise NotAuthorised("only the holder of the listed product offers it")
        demand = self._open(demand_id)
        if listing.status is not ListingStatus.LISTED:
            raise ValidationFailed(f"the listing is {listing.status.value}", field="listingId")
        if any(r.listing_id == listing.listing_id for r in demand.responses):
            raise ValidationFailed("this listing already responds to the demand", field="listingId")
        response = DemandResponse(
            str(uuid.uuid4()), demand.demand_id, listing.listing_id, me.id, note, self._clock()
        )
        self._records.add_response(response)
        return response

    def close(self, me: Participant, demand_id: str, response_id: str) -> Demand:
        """The publisher closes its demand with the response it chose."""
        demand = self._records.demand(demand_id)
        if demand.publisher_id != me.id:
            raise NotAuthorised("only the publisher closes a demand")
        if demand.status is DemandStatus.CLOSED:
            raise DemandClosed("the demand is already closed", demandId=demand_id)
        if not any(r.response_id == response_id for r in demand.responses):
            raise ValidationFailed("no such response to this demand", field="responseId")
        return self._records.close_demand(demand_id, response_id, self._clock())

    def _open(self, demand_id: str) -> Demand:
        demand = self._records.demand(demand_id)
        if demand.status is DemandStatus.CLOSED:
            raise DemandClosed("the demand is closed", demandId=demand_id)
        if self._clock() > demand.deadline:
            raise DemandClosed("the demand's deadline has passed", demandId=demand_id)
        return demand


__all__: Sequence[str] = ("Budget", "Demand", "DemandResponse", "DemandService", "DemandStatus")
