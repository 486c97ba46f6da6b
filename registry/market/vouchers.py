"""Data vouchers (数据券): a programme authority's voucher budget, issued to enterprises, redeemed against a
trade or a registration fee under the programme's rules, valid by construction.

A programme's rules are its currency, its budget, a cap as a share of the amount a redemption is
against (basis points: 1000 is 10 %) and an absolute cap per enterprise and period (in the currency's
smallest unit, over periods counted from the programme's creation). The ``DataVouchers`` contract
records every issue and redemption and enforces every cap; this module states the same rules so the
service refuses early (and spends no gas).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dataledger.registry.chain_types import ChainEvidence, require_address, require_hex32
from dataledger.registry.errors import ValidationFailed, VoucherBudgetExceeded, VoucherCapExceeded
from dataledger.registry.holder_signatures import Eip712Domain
from dataledger.registry.market.listings import bounded_text
from dataledger.registry.market.trades import MAX_AMOUNT, require_amount

VOUCHERS_DOMAIN_NAME = "DataLedger DataVouchers"
VOUCHERS_DOMAIN_VERSION = "1"
ALL_BPS = 10_000
MAX_NAME = 120
MAX_PERIOD_S = 5 * 366 * 86400
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class VoucherPurpose(enum.StrEnum):
    """``IDataVouchers.Purpose``: what a redemption is against, in the contract's order."""

    TRADE = "trade"
    REGISTRATION_FEE = "registration-fee"

    @property
    def contract_index(self) -> int:
        return list(VoucherPurpose).index(self)

    @classmethod
    def of_index(cls, index: int) -> VoucherPurpose:
        return list(cls)[index]


def vouchers_domain(chain_id: int, verifying_contract: str) -> Eip712Domain:
    """The EIP-712 domain of a ``DataVouchers`` contract."""
    return Eip712Domain(chain_id, verifying_contract, VOUCHERS_DOMAIN_NAME, VOUCHERS_DOMAIN_VERSION)


@dataclass(frozen=True, slots=True)
class ProgrammeRules:
    """A programme's currency, budget and caps (amounts in the currency's smallest unit)."""

    currency: str
    budget: int
    share_cap_bps: int
    enterprise_cap: int
    period_seconds: int

    def __post_init__(self) -> None:
        if not isinstance(self.currency, str) or not _CURRENCY.match(self.currency):
            raise ValidationFailed("currency must be an ISO 4217 code such as CNY", field="currency")
        for name in ("budget", "enterprise_cap"):
            if require_amount(getattr(self, name)) == 0:
                raise ValidationFailed(f"{name} must be positive", field=name)
        if not isinstance(self.share_cap_bps, int) or not 1 <= self.share_cap_bps <= ALL_BPS:
            raise ValidationFailed("shareCapBps must be 1 to 10000 (100 %)", field="shareCapBps")
        if not isinstance(self.period_seconds, int) or not 1 <= self.period_seconds <= MAX_PERIOD_S:
            raise ValidationFailed("the period must be 1 second to 5 years", field="periodSeconds")

    def share_cap(self, base_amount: int) -> int:
        """The most a redemption against ``base_amount`` may be worth (rounded down, as the contract)."""
        return base_amount * self.share_cap_bps // ALL_BPS

    def check_redemption(self, base_amount: int, value: int, balance: int, spent_this_period: int) -> None:
        """Refuse what the contract would refuse: a value of nothing or beyond the balance, over the share
        of the amount, or over what the enterprise may still redeem this period."""
        if value <= 0 or value > balance:
            raise VoucherBudgetExceeded(
                f"the enterprise holds {balance} in vouchers of the programme", value=value, balance=balance
            )
        if value > self.share_cap(base_amount):
            raise VoucherCapExceeded(
                f"a redemption is at most {self.share_cap_bps / 100:g} % of the amount it is against",
                value=value,
                cap=self.share_cap(base_amount),
            )
        remaining = max(self.enterprise_cap - spent_this_period, 0)
        if value > remaining:
            raise VoucherCapExceeded(
                f"the enterprise may redeem {remaining} more in this period (cap {self.enterprise_cap})",
                value=value,
                remaining=remaining,
            )

    def as_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "budget": self.budget,
            "shareCapBps": self.share_cap_bps,
            "enterpriseCap": self.enterprise_cap,
            "periodSeconds": self.period_seconds,
        }


@dataclass(frozen=True, slots=True)
class Programme:
    """A voucher programme as the registry keeps it (the totals are the chain's when read)."""

    programme_id: str
    name: str
    authority_id: str
    authority_address: str
    rules: ProgrammeRules
    created_at: datetime
    evidence: ChainEvidence
    issued: int = 0
    redeemed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "programme_id", require_hex32(self.programme_id, "programmeId"))
        object.__setattr__(self, "name", bounded_text(self.name, "name", MAX_NAME, required=True))
        object.__setattr__(
            self, "authority_address", require_address(self.authority_address, "authority").lower()
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "programmeId": self.programme_id,
            "name": self.name,
            "authority": {"id": self.authority_id, "address": self.authority_address},
            "rules": self.rules.as_json(),
            "issued": self.issued,
            "redeemed": self.redeemed,
            "createdAt": self.created_at.isoformat(),
            "chainEvidence": self.evidence.as_json(),
        }


@dataclass(frozen=True, slots=True)
class VoucherMovement:
    """One issue (to an enterprise) or redemption (by it, against a trade or a registration fee)."""

    programme_id: str
    kind: str  # issue | redemption
    enterprise_address: str
    enterprise_id: str | None
    value: int
    at: datetime
    evidence: ChainEvidence
    purpose: VoucherPurpose | None = None
    reference_id: str | None = None
    base_amount: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("issue", "redemption"):
            raise ValidationFailed("a voucher movement is an issue or a redemption", field="kind")
        object.__setattr__(
            self, "enterprise_address", require_address(self.enterprise_address, "enterprise").lower()
        )
        if not 0 < self.value <= MAX_AMOUNT:
            raise ValidationFailed("a voucher movement moves a positive value", field="value")

    def as_json(self) -> dict[str, Any]:
        return {
            "programmeId": self.programme_id,
            "kind": self.kind,
            "enterprise": {"id": self.enterprise_id, "address": self.enterprise_address},
            "value": self.value,
            "purpose": self.purpose.value if self.purpose else None,
            "referenceId": self.reference_id,
            "baseAmount": self.base_amount,
            "at": self.at.isoformat(),
            "chainEvidence": self.evidence.as_json(),
        }


@dataclass(frozen=True, slots=True)
class RegistrationFee:
    """The registration fee a registrar charged for an asset's registration, as it recorded it on chain
    (the amount in the currency's smallest unit), and the programme whose vouchers paid part of it."""

    asset_id: str
    registrar_id: str | None
    registrar_address: str
    payer_id: str | None
    payer_address: str
    amount: int
    currency: str
    recorded_at: datetime
    evidence: ChainEvidence
    redeemed_in: str | None = None  # the programme id, once vouchers were redeemed against it

    def __post_init__(self) -> None:
        object.__setattr__(self, "asset_id", require_hex32(self.asset_id, "assetId"))
        for name in ("registrar_address", "payer_address"):
            object.__setattr__(self, name, require_address(getattr(self, name), name).lower())
        if require_amount(self.amount) == 0:
            raise ValidationFailed("a registration fee is a positive amount", field="amount")
        require_currency(self.currency)
        if self.redeemed_in is not None:
            object.__setattr__(self, "redeemed_in", require_hex32(self.redeemed_in, "redeemedIn"))

    def as_json(self) -> dict[str, Any]:
        return {
            "assetId": self.asset_id,
            "registrar": {"id": self.registrar_id, "address": self.registrar_address},
            "payer": {"id": self.payer_id, "address": self.payer_address},
            "amount": self.amount,
            "currency": self.currency,
            "recordedAt": self.recorded_at.isoformat(),
            "chainEvidence": self.evidence.as_json(),
            "redeemedIn": self.redeemed_in,
        }


def require_currency(currency: str) -> str:
    """An ISO 4217 code's shape (three capital letters), as the contracts check it."""
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise ValidationFailed("currency must be an ISO 4217 code such as CNY", field="currency")
    return currency
