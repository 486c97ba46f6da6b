"""The trades resource: orders of listed products, their acceptance, settlement and licence, the
holder's mandate to its exchange (its grant, revocation and history), and the market's statistics.

Every method names its operationId (tests/client checks them against the OpenAPI document, as for
:mod:`dataledger.client._async.resources`). A buyer's order is checked against the listing before it
is signed: the amount is the listing's price (in the smallest currency unit) and the terms hash the
one the listing recorded, so a server cannot make a buyer sign for more or on other terms.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from dataledger.client._async.resources import JSON, Resource
from dataledger.client.signers import Signer


class Trades(Resource):
    # -- the buyer ----------------------------------------------------------------------------------

    async def order(self, listing_id: str, *, signer: Signer) -> JSON:
        """Order the listing at its price and on its recorded licence terms, signed by the buyer."""
        listing = await self._client.json(
            "getListing", "GET", "/v1/listings/{listingId}", path={"listingId": listing_id}
        )
        price = listing["content"]["price"]
        expected: dict[str, Any] = {
            "listingId": listing_id,
            "buyer": signer.address,
            "amount": int(Decimal(str(price["amount"])) * 100),
            "currency": price["currency"],
            "termsHash": listing["licenceTemplate"]["termsHash"],
        }
        return await self._act(
            ("prepareOrder", "/v1/trades/order-requests"),
            ("placeOrder", "/v1/trades"),
            {"listingId": listing_id},
            signer,
            "TradeOrder",
            expected,
        )

    async def get(self, order_id: str) -> JSON:
        """An order or trade (its buyer, seller and exchange, and oversight)."""
        return await self._client.json("getTrade", "GET", "/v1/trades/{orderId}", path={"orderId": order_id})

    async def list(
        self, *, limit: int = 50, offset: int = 0, status: str | None = None, role: str | None = None
    ) -> JSON:
        """The caller's orders and trades, newest first (``status``: ordered, accepted, settled or
        cancelled; ``role``: buyer, seller or exchange)."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if status is not None:
            params["status"] = status
        if role is not None:
            params["role"] = role
        return await self._client.json("listTrades", "GET", "/v1/trades", params=params)

    # -- the seller (or the exchange it mandated) --------------------------------------------------

    async def accept(self, order_id: str, *, signer: Signer) -> JSON:
        """Accept the order, signed by the seller or by the exchange it mandated."""
        return await self._act(
            ("prepareAcceptance", "/v1/trades/{orderId}/acceptance-requests"),
            ("acceptOrder", "/v1/trades/{orderId}/acceptance"),
            {},
            signer,
            "TradeAcceptance",
            {"orderId": order_id, "accepter": signer.address},
            path={"orderId": order_id},
        )

    async def mandate(self, listing_id: str, valid_until: int, *, signer: Signer) -> JSON:
        """Let the listing exchange accept the listing's orders until ``valid_until`` (the holder signs)."""
        return await self._act(
            ("prepareMandate", "/v1/listings/{listingId}/mandate-requests"),
            ("grantMandate", "/v1/listings/{listingId}/mandates"),
            {"validUntil": valid_until},
            signer,
            "TradeMandate",
            {"listingId": listing_id, "holder": signer.address, "validUntil": valid_until},
            path={"listingId": listing_id},
        )

    async def revoke_mandate(self, listing_id: str, *, signer: Signer, agent: str | None = None) -> JSON:
        """End the holder's mandate to the listing exchange (the holder signs); from the next block the
        exchange's acceptances in the holder's name are refused. ``agent``, if given, is checked as the
        mandated exchange's address before signing."""
        expected: dict[str, Any] = {"listingId": listing_id, "holder": signer.address}
        if agent is not None:
            expected["agent"] = agent
        return await self._act(
            ("prepareMandateRevocation", "/v1/listings/{listingId}/mandate-revocation-requests"),
            ("revokeMandate", "/v1/listings/{listingId}/mandate-revocation"),
            {},
            signer,
            "TradeMandateRevocation",
            expected,
            path={"listingId": listing_id},
        )

    async def mandates(self, listing_id: str) -> JSON:
        """The listing's mandates, newest first, with their status (its holder, its exchange, oversight)."""
        return await self._client.json(
            "listMandates", "GET", "/v1/listings/{listingId}/mandates", path={"listingId": listing_id}
        )

    async def link_licence(self, order_id: str, licence_id: int) -> JSON:
        """Name the licence the seller granted the buyer for the trade."""
        return await self._client.json(
            "linkTradeLicence",
            "POST",
            "/v1/trades/{orderId}/licence",
            path={"orderId": order_id},
            json={"licenceId": licence_id},
        )

    # -- the exchange ---------------------------------------------------------------------------------

    async def settle(self, order_id: str, reference: str) -> JSON:
        """Confirm the trade settled, with the exchange's record of the payment."""
        return await self._client.json(
            "settleTrade",
            "POST",
            "/v1/trades/{orderId}/settlement",
            path={"orderId": order_id},
            json={"reference": reference},
        )

    async def cancel(self, order_id: str, reason: str) -> JSON:
        """Cancel the order or unsettled trade, with a reason."""
        return await self._client.json(
            "cancelTrade",
            "POST",
            "/v1/trades/{orderId}/cancellation",
            path={"orderId": order_id},
            json={"reason": reason},
        )

    # -- anyone -------------------------------------------------------------------------------------

    async def statistics(self, start: datetime, end: datetime, *, exchange: str | None = None) -> JSON:
        """Listings, orders, trades and amounts in ``[start, end)``, of one exchange or the market."""
        return await self._client.json(
            "tradeStatistics",
            "GET",
            "/v1/market/statistics",
            params={"from": start.isoformat(), "to": end.isoformat(), "exchange": exchange},
        )
