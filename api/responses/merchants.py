"""Response models of data merchants and buyer verification."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from dataledger.api.responses.assets import HOLDER_ID_EXAMPLE, IsoDateTime
from dataledger.api.responses.common import (
    ADDRESS_EXAMPLE,
    ChainAddress,
    HexHash,
    Page,
    TypedData,
    Wire,
    example,
)
from dataledger.api.responses.market import (
    EXCHANGE_EXAMPLE,
    EXCHANGE_ID_EXAMPLE,
    LISTING_ID_EXAMPLE,
    ExchangeRef,
)
from dataledger.registry.market.merchants import BuyerDecision as SignedDecision
from dataledger.registry.market.merchants import decision_domain

MerchantKindName = Literal["supplier", "buyer", "delivery", "evaluation", "intermediary", "consulting"]
ApplicationStatusName = Literal["pending", "approved", "declined"]
TIME_EXAMPLE = "2026-11-30T09:00:00+00:00"
APPLICATION_ID_EXAMPLE = "0x" + "b7" * 32
SIGNATURE_EXAMPLE = "0x" + "5a" * 65
BUYER_ADDRESS_EXAMPLE = "0x" + "4b" * 20
REASON_HASH_EXAMPLE = "0x" + "d4" * 32

MERCHANT_EXAMPLE: dict[str, Any] = {
    "exchange": EXCHANGE_EXAMPLE,
    "participant": {"id": HOLDER_ID_EXAMPLE, "name": "Yangpu Port Logistics Co."},
    "kinds": ["supplier", "buyer"],
    "note": "Enrolled after the exchange's review of 2026-11-28",
    "enrolledAt": TIME_EXAMPLE,
    "updatedAt": TIME_EXAMPLE,
    "withdrawnAt": None,
    "active": True,
}


class MerchantRef(Wire):
    id: str = Field(description="The participant's id")
    name: str


class Merchant(Wire):
    """A participant an exchange enrolled as a data merchant (数商) of one or more kinds."""

    model_config = example(MERCHANT_EXAMPLE)

    exchange: ExchangeRef
    participant: MerchantRef
    kinds: list[MerchantKindName]
    note: str
    enrolled_at: IsoDateTime
    updated_at: IsoDateTime
    withdrawn_at: IsoDateTime | None = Field(description="Set once the exchange withdrew the enrolment")
    active: bool


class MerchantList(Page):
    """A page of the standing enrolments, by exchange then newest first."""

    model_config = example({"items": [MERCHANT_EXAMPLE], "total": 1, "limit": 50, "offset": 0})

    items: list[Merchant]
    total: int


class BuyerPolicy(Wire):
    """Whether the listing's holder requires its buyers to be verified before they order."""

    model_config = example(
        {
            "listingId": LISTING_ID_EXAMPLE,
            "verificationRequired": True,
            "setBy": HOLDER_ID_EXAMPLE,
            "setAt": TIME_EXAMPLE,
        }
    )

    listing_id: HexHash
    verification_required: bool
    set_by: str = Field(description="The holder's participant id (empty: never set)")
    set_at: IsoDateTime


class BuyerRef(Wire):
    id: str
    name: str
    address: ChainAddress


class BuyerDecision(Wire):
    """The holder's decision as it signed it (EIP-712 ``BuyerDecision``), checkable by anyone."""

    approved: bool
    reason_hash: HexHash = Field(description="SHA-256 of the reason's UTF-8 text")
    deadline: int
    signature: str
    decided_at: IsoDateTime | None


APPLICATION_EXAMPLE: dict[str, Any] = {
    "applicationId": APPLICATION_ID_EXAMPLE,
    "listingId": LISTING_ID_EXAMPLE,
    "exchangeId": EXCHANGE_ID_EXAMPLE,
    "holder": ADDRESS_EXAMPLE,
    "buyer": {"id": HOLDER_ID_EXAMPLE, "name": "Sanya Hotels Group", "address": BUYER_ADDRESS_EXAMPLE},
    "purpose": "Occupancy forecasting for our Sanya hotels",
    "status": "approved",
    "appliedAt": TIME_EXAMPLE,
    "reason": "Known buyer; purpose within the licence",
    "decision": {
        "approved": True,
        "reasonHash": REASON_HASH_EXAMPLE,
        "deadline": 1796029200,
        "signature": SIGNATURE_EXAMPLE,
        "decidedAt": TIME_EXAMPLE,
    },
}


class BuyerApplication(Wire):
    """A buyer's application to be verified for one listing, and the holder's signed decision."""

    model_config = example(APPLICATION_EXAMPLE)

    application_id: HexHash
    listing_id: HexHash
    exchange_id: str
    holder: ChainAddress = Field(description="The listing's holder when the buyer applied: who decides")
    buyer: BuyerRef
    purpose: str
    status: ApplicationStatusName
    applied_at: IsoDateTime
    reason: str | None
    decision: BuyerDecision | None


class BuyerApplicationList(Page):
    """A page of buyer applications, newest first."""

    model_config = example({"items": [APPLICATION_EXAMPLE], "total": 1, "limit": 50, "offset": 0})

    items: list[BuyerApplication]
    total: int


class PreparedBuyerDecision(Wire):
    """The ``BuyerDecision`` the holder signs, with the deadline and the reason it must submit again."""

    model_config = example(
        {
            "typedData": SignedDecision(
                APPLICATION_ID_EXAMPLE,
                LISTING_ID_EXAMPLE,
                BUYER_ADDRESS_EXAMPLE,
                True,
                REASON_HASH_EXAMPLE,
                1796029200,
            ).typed_data(decision_domain(31337, ADDRESS_EXAMPLE)),
            "deadline": 1796029200,
            "reason": "Known buyer; purpose within the licence",
        }
    )

    typed_data: TypedData
    deadline: int
    reason: str
