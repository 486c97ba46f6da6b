"""Request bodies and parameters of the data voucher routes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path
from pydantic import Field

from dataledger.api.schemas import Body, Signed
from dataledger.registry.market.trades import MAX_AMOUNT
from dataledger.registry.market.vouchers import (
    ALL_BPS,
    MAX_NAME,
    MAX_PERIOD_S,
    ProgrammeRules,
    VoucherPurpose,
)

ProgrammeIdPath = Annotated[
    str,
    Path(alias="programmeId", pattern=r"^0x[0-9a-fA-F]{64}$", description="The voucher programme's id"),
]
Amount = Annotated[int, Field(ge=0, le=MAX_AMOUNT, description="In the currency's smallest unit (fen)")]
Hex32 = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{64}$")]
Address = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$")]
AssetIdPath = Annotated[
    str,
    Path(alias="assetId", pattern=r"^0x[0-9a-fA-F]{64}$", description="The registered asset's id"),
]


class ProgrammeRulesBody(Body):
    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME, description="The programme's public name")]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
    budget: Amount
    share_cap_bps: Annotated[
        int,
        Field(ge=1, le=ALL_BPS, description="The most a redemption is worth, in basis points of the amount"),
    ]
    enterprise_cap: Amount = Field(description="The most one enterprise redeems per period (smallest unit)")
    period_seconds: Annotated[int, Field(ge=1, le=MAX_PERIOD_S, description="The cap's period")]

    def to_domain(self) -> ProgrammeRules:
        return ProgrammeRules(
            self.currency, self.budget, self.share_cap_bps, self.enterprise_cap, self.period_seconds
        )


class ProgrammeSubmit(ProgrammeRulesBody, Signed):
    programme_id: Hex32


class IssueBody(Body):
    enterprise: Address = Field(description="The enterprise's chain address")
    amount: Amount


class IssueSubmit(IssueBody, Signed):
    pass


class RedemptionBody(Body):
    purpose: Literal["trade", "registration-fee"]
    reference_id: Hex32 = Field(description="The order id of the trade, or the asset id of the registration")
    value: Amount = Field(description="What the vouchers pay (smallest unit)")
    amount: Amount | None = Field(
        default=None,
        description="Leave out: a trade's amount is the trade's own, a registration fee's the one its "
        "registrar recorded (if given, it must be that amount)",
    )

    @property
    def purpose_value(self) -> VoucherPurpose:
        return VoucherPurpose(self.purpose)


class RedemptionSubmit(RedemptionBody, Signed):
    pass


class RegistrationFeeBody(Body):
    """What a registrar charged for an asset's registration (the payer is the asset's holder)."""

    asset_id: Hex32 = Field(description="The registered asset")
    amount: Annotated[int, Field(ge=1, le=MAX_AMOUNT, description="In the currency's smallest unit (fen)")]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]


class RegistrationFeeSubmit(RegistrationFeeBody, Signed):
    pass
