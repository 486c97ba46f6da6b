"""Orders and trades: a buyer orders a listing, the holder (or its mandated exchange) accepts, the listing
exchange settles or cancels; the holder's mandate to its exchange, its revocation and history; the
market's statistics.

Each signed act has a ``…-requests`` route answering the EIP-712 message to sign, and a route taking
the signature, which relays the act to the ``DataTrades`` contract.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.market_schemas import ListingIdPath
from dataledger.api.responses.assets import PreparedAct
from dataledger.api.responses.trades import (
    Mandate,
    MandateList,
    PreparedAcceptance,
    PreparedOrder,
    Trade,
    TradeList,
    TradeStatistics,
)
from dataledger.api.schemas import Offset, Signed
from dataledger.api.trade_schemas import (
    CancellationBody,
    LicenceLinkBody,
    MandatePrepare,
    MandateSubmit,
    OrderIdPath,
    OrderPrepare,
    OrderSubmit,
    SettlementBody,
)
from dataledger.registry.market.trades import TradeRole, TradeStatus

router = APIRouter(prefix="/v1/trades", tags=["trades"])
mandates_router = APIRouter(prefix="/v1/listings", tags=["trades"])
statistics_router = APIRouter(prefix="/v1/market", tags=["trades"])


# -- orders (the buyer) -----------------------------------------------------------------------------


@router.post("/order-requests", response_model=PreparedOrder, summary="Prepare an order of a listing (buyer)")
def prepare_order(body: OrderPrepare, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """An enterprise with a chain key gets the ``TradeOrder`` to sign: the listing at its price (in the
    smallest currency unit), on the licence terms the listing recorded, and the order's id. 409 unless
    the listing is listed (not suspended or delisted); 422 for the product's own holder."""
    return services.trades.prepare_order(me, body.listing_id)


@router.post(
    "", response_model=Trade, status_code=status.HTTP_201_CREATED, summary="Place an order (buyer-signed)"
)
def place_order(body: OrderSubmit, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """The buyer submits the signed order; the trades contract records it (refusing terms other than
    the listing's) and the order waits for the seller's acceptance."""
    trade = services.trades.place_order(me, body.listing_id, body.nonce, body.deadline, body.signature)
    return trade.as_json()


@router.get("", response_model=TradeList, summary="My orders and trades")
def list_trades(
    me: CurrentParticipant,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Offset = 0,
    status: Annotated[TradeStatus | None, Query(description="Only orders and trades in this status")] = None,
    role: Annotated[
        TradeRole | None,
        Query(description="Only those where the caller is the buyer, the seller or the exchange"),
    ] = None,
) -> dict[str, Any]:
    """The caller's orders and trades as buyer, seller or listing exchange (or in ``role`` only), newest
    first; every one of them for oversight (registrars, auditors, the administrator). ``status`` keeps
    those in one status: an exchange's ``status=ordered&role=exchange`` is what awaits acceptance."""
    items, total = services.trades.trades(me, limit=limit, offset=offset, status=status, role=role)
    return {"items": [t.as_json() for t in items], "total": total, "limit": limit, "offset": offset}


@router.get("/{orderId}", response_model=Trade, summary="An order or trade")
def get_trade(order_id: OrderIdPath, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """Its buyer, seller and listing exchange, and oversight; to anyone else it does not exist (404)."""
    return services.trades.trade(me, order_id).as_json()


# -- acceptance (the seller, or the exchange it mandated) -------------------------------------------


@router.post(
    "/{orderId}/acceptance-requests",
    response_model=PreparedAcceptance,
    summary="Prepare the acceptance of an order (seller or mandated exchange)",
)
def prepare_acceptance(
    order_id: OrderIdPath, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The seller (the asset's holder), or the listing exchange under the seller's mandate, gets the
    ``TradeAcceptance`` to sign. 403 for anyone else; 409 unless the order waits for acceptance."""
    return services.trades.prepare_acceptance(me, order_id)


@router.post("/{orderId}/acceptance", response_model=Trade, summary="Accept an order (seller-signed)")
def accept_order(
    order_id: OrderIdPath, body: Signed, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The signed acceptance is relayed: the order becomes a trade whose settlement is pending."""
    return services.trades.accept(me, order_id, body.nonce, body.deadline, body.signature).as_json()


# -- the exchange's steps ---------------------------------------------------------------------------


@router.post("/{orderId}/settlement", response_model=Trade, summary="Confirm a trade settled (exchange)")
def settle_trade(
    order_id: OrderIdPath, body: SettlementBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The exchange that listed the product confirms the payment: the hash of its settlement record is
    recorded on chain with the amount. 409 unless the trade was accepted and is not settled yet."""
    return services.trades.settle(me, order_id, body.reference).as_json()


@router.post("/{orderId}/cancellation", response_model=Trade, summary="Cancel an order or trade (exchange)")
def cancel_trade(
    order_id: OrderIdPath, body: CancellationBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The exchange that listed the product cancels an order or an unsettled trade, with a reason
    (recorded by its hash). 409 once settled or cancelled."""
    return services.trades.cancel(me, order_id, body.reason).as_json()


@router.post("/{orderId}/licence", response_model=Trade, summary="Link the licence granted for a trade")
def link_trade_licence(
    order_id: OrderIdPath, body: LicenceLinkBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The seller (or the listing exchange) names the licence the seller granted the buyer for the
    trade (``createLicence``); it must be on the traded asset, from the seller to the buyer, with the
    ordered terms' uses, commercial use, derivatives and at most their term. Recorded on chain."""
    return services.trades.link_licence(me, order_id, body.licence_id).as_json()


# -- mandates (the holder) --------------------------------------------------------------------------


@mandates_router.post(
    "/{listingId}/mandate-requests",
    response_model=PreparedAct,
    summary="Prepare a mandate to the listing exchange to accept orders (holder)",
)
def prepare_mandate(
    listing_id: ListingIdPath, body: MandatePrepare, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The listed product's holder gets the ``TradeMandate`` to sign, naming the listing exchange's chain
    address as its agent until ``validUntil``. 403 for anyone but the holder."""
    return services.trades.prepare_mandate(me, listing_id, body.valid_until)


@mandates_router.post(
    "/{listingId}/mandates",
    response_model=Mandate,
    status_code=status.HTTP_201_CREATED,
    summary="Mandate the listing exchange to accept orders (holder-signed)",
)
def grant_mandate(
    listing_id: ListingIdPath, body: MandateSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The holder submits the signed mandate; until it ends the exchange may accept the listing's orders
    in the holder's name."""
    return services.trades.grant_mandate(
        me, listing_id, body.valid_until, body.nonce, body.deadline, body.signature
    )


@mandates_router.post(
    "/{listingId}/mandate-revocation-requests",
    response_model=PreparedAct,
    summary="Prepare the revocation of the mandate to the listing exchange (holder)",
)
def prepare_mandate_revocation(
    listing_id: ListingIdPath, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The listed product's holder gets the ``TradeMandateRevocation`` to sign, naming the listing
    exchange's chain address. 403 for anyone but the holder; 409 unless a mandate is in force."""
    return services.trades.prepare_revocation(me, listing_id)


@mandates_router.post(
    "/{listingId}/mandate-revocation",
    response_model=Mandate,
    summary="Revoke the mandate to the listing exchange (holder-signed)",
)
def revoke_mandate(
    listing_id: ListingIdPath, body: Signed, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The holder submits the signed revocation: from the next block the exchange's acceptances in the
    holder's name are refused (``trade-mandate-revoked``)."""
    return services.trades.revoke_mandate(me, listing_id, body.nonce, body.deadline, body.signature)


@mandates_router.get(
    "/{listingId}/mandates", response_model=MandateList, summary="A listing's mandates and their history"
)
def list_mandates(listing_id: ListingIdPath, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """Every grant of a mandate for the listing, newest first, with its status and revocation: for the
    listed product's holder, the listing exchange and oversight."""
    return {"items": services.trades.mandates(me, listing_id)}


# -- statistics (public) ----------------------------------------------------------------------------


@statistics_router.get("/statistics", response_model=TradeStatistics, summary="Market statistics (public)")
def trade_statistics(
    services: ServicesDep,
    start: Annotated[AwareDatetime, Query(alias="from", description="Start of the period (inclusive)")],
    end: Annotated[AwareDatetime, Query(alias="to", description="End of the period (exclusive)")],
    exchange: Annotated[
        str | None, Query(max_length=36, description="An exchange participant's id; none: the whole market")
    ] = None,
) -> dict[str, Any]:
    """Anyone: listings made, orders placed, trades accepted and settled in the period, and the amounts
    traded and settled per currency (smallest unit): the figures the programmes publish."""
    return services.trades.statistics(exchange, start, end).as_json()
