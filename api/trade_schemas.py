"""Request bodies and parameters of the trade routes (orders, acceptances, mandates, settlements)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

from dataledger.api.schemas import MAX_INT64, Body, Signed, UnixTime
from dataledger.registry.market.listings import MAX_REASON
from dataledger.registry.market.trades import MAX_REFERENCE

OrderIdPath = Annotated[
    str,
    Path(alias="orderId", pattern=r"^0x[0-9a-fA-F]{64}$", description="The order's id (0x, 64 hex digits)"),
]
ListingId = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="The listing ordered")]


class OrderPrepare(Body):
    listing_id: ListingId


class OrderSubmit(Signed):
    """The buyer's signature over the prepared ``TradeOrder``, with its nonce and deadline."""

    listing_id: ListingId


class MandatePrepare(Body):
    valid_until: UnixTime = Field(description="Unix time (chain time) until which the exchange may accept")


class MandateSubmit(Signed):
    valid_until: UnixTime


class SettlementBody(Body):
    reference: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MAX_REFERENCE,
            description="The exchange's record of the payment (a bank transfer's number...); its hash is "
            "recorded on chain",
        ),
    ]


class CancellationBody(Body):
    reason: Annotated[str, Field(min_length=1, max_length=MAX_REASON)]


class LicenceLinkBody(Body):
    licence_id: Annotated[int, Field(ge=1, le=MAX_INT64, description="The licence registry's licence id")]
