"""Response shapes of orders and trades, mandates and the market's statistics."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from dataledger.api.responses.assets import PREPARED_ACT_EXAMPLE, IsoDateTime, PreparedAct
from dataledger.api.responses.common import (
    ADDRESS_EXAMPLE,
    ASSET_ID_EXAMPLE,
    CHAIN_EVIDENCE_EXAMPLE,
    ChainAddress,
    ChainEvidence,
    HexHash,
    Page,
    Wire,
    example,
)
from dataledger.api.responses.market import (
    EXCHANGE_EXAMPLE,
    LISTING_ID_EXAMPLE,
    TEMPLATE_ID_EXAMPLE,
    TERMS_HASH_EXAMPLE,
    ExchangeRef,
)

ORDER_ID_EXAMPLE = "0x" + "0d" * 32
BUYER_EXAMPLE = {"id": "2b9d0c4e-1f3a-4c5b-9d6e-7f8a9b0c1d2e", "address": "0x" + "b7" * 20}


class PreparedOrder(PreparedAct):
    """The ``TradeOrder`` the buyer signs: the listing at its price, on the terms it recorded, and the
    id the order will have."""

    model_config = example(
        PREPARED_ACT_EXAMPLE
        | {"orderId": ORDER_ID_EXAMPLE, "amount": 120000, "currency": "CNY", "termsHash": TERMS_HASH_EXAMPLE}
    )

    order_id: HexHash
    amount: int = Field(description="In the currency's smallest unit (fen for CNY)")
    currency: str = Field(description="ISO 4217 code")
    terms_hash: HexHash = Field(description="The hash of the licence terms the listing recorded on chain")


class PreparedAcceptance(PreparedAct):
    """The ``TradeAcceptance`` the seller (or the exchange it mandated) signs."""

    model_config = example(PREPARED_ACT_EXAMPLE | {"amount": 120000})

    amount: int = Field(description="The order's amount, which the acceptance names")


class Buyer(Wire):
    model_config = example(BUYER_EXAMPLE)

    id: str
    address: ChainAddress


class Seller(Wire):
    model_config = example({"address": ADDRESS_EXAMPLE})

    address: ChainAddress = Field(description="The holder of the asset when the order was placed or accepted")


class TemplateRef(Wire):
    model_config = example({"templateId": TEMPLATE_ID_EXAMPLE, "version": 2})

    template_id: str
    version: int


class Acceptance(Wire):
    model_config = example(
        {
            "acceptedBy": ADDRESS_EXAMPLE,
            "onBehalfOfSeller": False,
            "acceptedAt": "2026-03-03T10:00:00+00:00",
            "chainEvidence": CHAIN_EVIDENCE_EXAMPLE,
        }
    )

    accepted_by: ChainAddress
    on_behalf_of_seller: bool = Field(description="Accepted by the exchange under the seller's mandate")
    accepted_at: IsoDateTime | None
    chain_evidence: ChainEvidence | None


class Settlement(Wire):
    model_config = example(
        {
            "status": "settled",
            "reference": "bank transfer 2026-03-04 no. 88",
            "settlementHash": "0x" + "5d" * 32,
            "cancellationReason": None,
            "closedAt": "2026-03-04T10:00:00+00:00",
            "chainEvidence": CHAIN_EVIDENCE_EXAMPLE,
        }
    )

    status: Literal["settled", "cancelled"]
    reference: str | None
    settlement_hash: HexHash | None
    cancellation_reason: str | None
    closed_at: IsoDateTime | None
    chain_evidence: ChainEvidence | None


class TradeLicence(Wire):
    model_config = example({"licenceId": 7, "chainEvidence": CHAIN_EVIDENCE_EXAMPLE})

    licence_id: int
    chain_evidence: ChainEvidence | None


TRADE_EXAMPLE: dict[str, Any] = {
    "orderId": ORDER_ID_EXAMPLE,
    "listingId": LISTING_ID_EXAMPLE,
    "assetId": ASSET_ID_EXAMPLE,
    "exchange": EXCHANGE_EXAMPLE,
    "buyer": BUYER_EXAMPLE,
    "seller": {"address": ADDRESS_EXAMPLE},
    "amount": 120000,
    "currency": "CNY",
    "termsHash": TERMS_HASH_EXAMPLE,
    "licenceTemplate": {"templateId": TEMPLATE_ID_EXAMPLE, "version": 2},
    "status": "accepted",
    "settlementStatus": "pending",
    "orderedAt": "2026-03-03T09:00:00+00:00",
    "orderEvidence": CHAIN_EVIDENCE_EXAMPLE,
    "acceptance": {
        "acceptedBy": ADDRESS_EXAMPLE,
        "onBehalfOfSeller": False,
        "acceptedAt": "2026-03-03T10:00:00+00:00",
        "chainEvidence": CHAIN_EVIDENCE_EXAMPLE,
    },
    "settlement": None,
    "licence": None,
}


class Trade(Wire):
    """An order and the trade it became: parties, amount, the terms it is bound to, each step's evidence."""

    model_config = example(TRADE_EXAMPLE)

    order_id: HexHash = Field(description="keccak256 of the listing, the buyer and the buyer's nonce")
    listing_id: HexHash
    asset_id: HexHash
    exchange: ExchangeRef
    buyer: Buyer
    seller: Seller
    amount: int = Field(description="In the currency's smallest unit (fen for CNY)")
    currency: str = Field(description="ISO 4217 code")
    terms_hash: HexHash = Field(description="The listing's licence terms hash, bound to the order")
    licence_template: TemplateRef
    status: Literal["ordered", "accepted", "settled", "cancelled"]
    settlement_status: Literal["pending", "settled", "cancelled"]
    ordered_at: IsoDateTime
    order_evidence: ChainEvidence = Field(description="The trades contract's OrderPlaced event")
    acceptance: Acceptance | None
    settlement: Settlement | None
    licence: TradeLicence | None = Field(description="The licence the seller granted for the trade")


class TradeList(Page):
    model_config = example({"items": [TRADE_EXAMPLE], "total": 1, "limit": 50, "offset": 0})

    items: list[Trade]
    total: int


class MandateRevocation(Wire):
    model_config = example(
        {"revokedAt": "2026-11-30T10:00:00+00:00", "chainEvidence": CHAIN_EVIDENCE_EXAMPLE}
    )

    revoked_at: IsoDateTime
    chain_evidence: ChainEvidence


MANDATE_EXAMPLE: dict[str, Any] = {
    "listingId": LISTING_ID_EXAMPLE,
    "holder": ADDRESS_EXAMPLE,
    "agent": "0x" + "e1" * 20,
    "validUntil": 1800000000,
    "status": "in-force",
    "grantedAt": "2026-11-30T09:00:00+00:00",
    "chainEvidence": CHAIN_EVIDENCE_EXAMPLE,
    "revocation": None,
}


class Mandate(Wire):
    """The holder's mandate to the listing exchange to accept the listing's orders in its name: one
    grant, and its revocation if the holder revoked it."""

    model_config = example(MANDATE_EXAMPLE)

    listing_id: HexHash
    holder: ChainAddress
    agent: ChainAddress = Field(description="The exchange's chain address")
    valid_until: int
    status: Literal["in-force", "expired", "revoked", "superseded"] = Field(
        description="At the next block's time; superseded: a later grant to the same agent replaced it"
    )
    granted_at: IsoDateTime
    chain_evidence: ChainEvidence = Field(description="Where the chain recorded the grant")
    revocation: MandateRevocation | None


class MandateList(Wire):
    """A listing's mandates, newest first: their history."""

    model_config = example({"items": [MANDATE_EXAMPLE]})

    items: list[Mandate]


class CurrencyAmounts(Wire):
    model_config = example({"currency": "CNY", "traded": 240000, "settled": 120000})

    currency: str
    traded: int = Field(description="Accepted in the period and not cancelled (smallest unit)")
    settled: int = Field(description="Settled in the period (smallest unit)")


class TradeStatistics(Wire):
    """An exchange's figures for a period (or the whole market's without ``exchange``)."""

    model_config = example(
        {
            "exchangeId": EXCHANGE_EXAMPLE["id"],
            "from": "2026-03-01T00:00:00+00:00",
            "to": "2026-04-01T00:00:00+00:00",
            "listings": 190,
            "orders": 12,
            "trades": 9,
            "settledTrades": 7,
            "amounts": [{"currency": "CNY", "traded": 1080000, "settled": 840000}],
        }
    )

    exchange_id: str | None
    from_: IsoDateTime = Field(alias="from")
    to: IsoDateTime
    listings: int = Field(description="Listings made in the period")
    orders: int = Field(description="Orders placed in the period")
    trades: int = Field(description="Orders accepted in the period and not cancelled")
    settled_trades: int
    amounts: list[CurrencyAmounts]
