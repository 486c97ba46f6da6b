"""Response shapes of data vouchers: programmes, issues and redemptions, the spend of a programme, and
the registration fees registrars record."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from dataledger.api.responses.assets import PREPARED_ACT_EXAMPLE, IsoDateTime, PreparedAct
from dataledger.api.responses.common import (
    ADDRESS_EXAMPLE,
    CHAIN_EVIDENCE_EXAMPLE,
    ChainAddress,
    ChainEvidence,
    HexHash,
    Wire,
    example,
)

PROGRAMME_ID_EXAMPLE = "0x" + "d4" * 32
ENTERPRISE_EXAMPLE = {"id": "2b9d0c4e-1f3a-4c5b-9d6e-7f8a9b0c1d2e", "address": "0x" + "b7" * 20}
RULES_EXAMPLE = {
    "currency": "CNY",
    "budget": 10_000_000_000,
    "shareCapBps": 1000,
    "enterpriseCap": 100_000_000,
    "periodSeconds": 31_536_000,
}


class PreparedProgramme(PreparedAct):
    """The ``VoucherProgramme`` the authority signs, and the programme's id to submit back."""

    model_config = example(PREPARED_ACT_EXAMPLE | {"programmeId": PROGRAMME_ID_EXAMPLE})

    programme_id: HexHash


class PreparedRedemption(PreparedAct):
    """The ``VoucherRedemption`` the enterprise signs, and the amount it is against."""

    model_config = example(PREPARED_ACT_EXAMPLE | {"baseAmount": 120_000})

    base_amount: int


class Rules(Wire):
    model_config = example(RULES_EXAMPLE)

    currency: str
    budget: int
    share_cap_bps: int = Field(description="Basis points of the amount: 1000 is 10 %")
    enterprise_cap: int = Field(description="Per enterprise and period, in the currency's smallest unit")
    period_seconds: int


class PartyRef(Wire):
    model_config = example(ENTERPRISE_EXAMPLE)

    id: str | None
    address: ChainAddress


PROGRAMME_EXAMPLE: dict[str, Any] = {
    "programmeId": PROGRAMME_ID_EXAMPLE,
    "name": "海南数据券 2026",
    "authority": {"id": "5a1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "address": ADDRESS_EXAMPLE},
    "rules": RULES_EXAMPLE,
    "issued": 500_000,
    "redeemed": 12_000,
    "createdAt": "2026-03-01T09:00:00+00:00",
    "chainEvidence": CHAIN_EVIDENCE_EXAMPLE,
}


class Programme(Wire):
    """A voucher programme: its rules, and what it issued and had redeemed (the chain's totals)."""

    model_config = example(PROGRAMME_EXAMPLE)

    programme_id: HexHash
    name: str
    authority: PartyRef
    rules: Rules
    issued: int
    redeemed: int
    created_at: IsoDateTime
    chain_evidence: ChainEvidence


class VoucherMovement(Wire):
    """An issue or a redemption, and where the enterprise stands after it."""

    model_config = example(
        {
            "programmeId": PROGRAMME_ID_EXAMPLE,
            "kind": "redemption",
            "enterprise": ENTERPRISE_EXAMPLE,
            "value": 12_000,
            "purpose": "trade",
            "referenceId": "0x" + "0d" * 32,
            "baseAmount": 120_000,
            "at": "2026-03-04T10:00:00+00:00",
            "chainEvidence": CHAIN_EVIDENCE_EXAMPLE,
            "balance": 38_000,
            "spentThisPeriod": 12_000,
        }
    )

    programme_id: HexHash
    kind: Literal["issue", "redemption"]
    enterprise: PartyRef
    value: int
    purpose: Literal["trade", "registration-fee"] | None
    reference_id: HexHash | None
    base_amount: int | None
    at: IsoDateTime
    chain_evidence: ChainEvidence
    balance: int = Field(description="The vouchers of the programme the enterprise holds now")
    spent_this_period: int = Field(description="What the enterprise redeemed in the current period")


class PurposeSpend(Wire):
    model_config = example({"purpose": "trade", "redemptions": 1, "value": 12_000})

    purpose: Literal["trade", "registration-fee"]
    redemptions: int
    value: int


class EnterpriseSpend(Wire):
    model_config = example(
        {
            "enterprise": ENTERPRISE_EXAMPLE,
            "issued": 50_000,
            "redeemed": 12_000,
            "byPurpose": [{"purpose": "trade", "redemptions": 1, "value": 12_000}],
        }
    )

    enterprise: PartyRef
    issued: int
    redeemed: int
    by_purpose: list[PurposeSpend]


class ProgrammeSpend(Programme):
    """The programme and its spend by enterprise and purpose (its authority and oversight only)."""

    model_config = example(
        PROGRAMME_EXAMPLE
        | {
            "enterprises": [
                {
                    "enterprise": ENTERPRISE_EXAMPLE,
                    "issued": 50_000,
                    "redeemed": 12_000,
                    "byPurpose": [{"purpose": "trade", "redemptions": 1, "value": 12_000}],
                }
            ]
        }
    )

    enterprises: list[EnterpriseSpend]


class RegistrationFee(Wire):
    """The registration fee a registrar recorded for an asset's registration, and the programme whose
    vouchers were redeemed against it (once in all)."""

    model_config = example(
        {
            "assetId": "0x" + "a5" * 32,
            "registrar": {"id": "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "address": "0x" + "c3" * 20},
            "payer": ENTERPRISE_EXAMPLE,
            "amount": 500_000,
            "currency": "CNY",
            "recordedAt": "2026-11-30T09:00:00+00:00",
            "chainEvidence": CHAIN_EVIDENCE_EXAMPLE,
            "redeemedIn": None,
        }
    )

    asset_id: HexHash
    registrar: PartyRef
    payer: PartyRef = Field(description="The enterprise charged (the asset's holder when recorded)")
    amount: int = Field(description="In the currency's smallest unit (fen)")
    currency: str
    recorded_at: IsoDateTime
    chain_evidence: ChainEvidence
    redeemed_in: HexHash | None = Field(description="The programme whose vouchers paid part of it, if any")
