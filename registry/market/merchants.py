"""Market participants by kind (data merchants, 数商) and the buyer verification a holder may require.

**Data merchants.** An exchange enrols the participants that trade through it as data merchants of
one or more kinds (:class:`MerchantKind`: suppliers, buyers, delivery, evaluation, intermediary and
consulting services), as the programmes' exchanges publish their 数商 lists. An enrolment names the
exchange, the participant and its kinds; the exchange may change the kinds or withdraw it. The
directory is public.

**Buyer verification.** A holder may require, for one of its listings, that a buyer be verified
before it orders: the buyer applies (enrolled as a *buyer* at the listing's exchange, stating its
purpose), and the holder approves or declines. The decision is an EIP-712 ``BuyerDecision`` the
holder signs where its key is (never sent to a contract: it names the application, so it is recorded
once and cannot be replayed for another); the service checks that the listing's holder signed it and
keeps the signature, so anyone can check the decision later (:meth:`BuyerDecision.signer`). While the
requirement stands, an order on the listing is refused unless its buyer's application was approved.
"""

from __future__ import annotations

import enum
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eth_utils import to_checksum_address

from dataledger.registry.chain_types import require_address, require_hex32
from dataledger.registry.errors import InvalidSignature, SignatureExpired, ValidationFailed
from dataledger.registry.holder_signatures import Eip712Domain, recover_typed_data_signer
from dataledger.registry.market.listings import bounded_text

MAX_PURPOSE = 1000
MAX_REASON = 1000
MAX_NOTE = 500
#: The EIP-712 domain name of buyer decisions (the market contract is the verifying contract).
DECISION_DOMAIN_NAME = "DataLedger buyer verification"
DECISION_DOMAIN_VERSION = "1"
BUYER_DECISION_TYPE = "BuyerDecision"
BUYER_DECISION_FIELDS: tuple[tuple[str, str], ...] = (
    ("applicationId", "bytes32"),
    ("listingId", "bytes32"),
    ("buyer", "address"),
    ("approved", "bool"),
    ("reasonHash", "bytes32"),
    ("deadline", "uint256"),
)
_EIP712_DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


class MerchantKind(enum.StrEnum):
    """The kinds of data merchant (数商) exchanges enrol."""

    SUPPLIER = "supplier"  # 数据产品供应商: offers data products
    BUYER = "buyer"  # 数据需求方: buys them
    DELIVERY = "delivery"  # 数据交付服务商: delivers data (gateways, clean rooms)
    EVALUATION = "evaluation"  # 数据资产评估服务商: evaluates and prices data assets
    INTERMEDIARY = "intermediary"  # 数据经纪服务商: brokers trades
    CONSULTING = "consulting"  # 数据合规咨询服务商: compliance and consulting


def merchant_kinds(values: Sequence[str]) -> tuple[MerchantKind, ...]:
    """The kinds named, once each, in the order of :class:`MerchantKind`; at least one."""
    kinds: set[MerchantKind] = set()
    for value in values:
        try:
            kinds.add(MerchantKind(value))
        except ValueError:
            allowed = ", ".join(k.value for k in MerchantKind)
            raise ValidationFailed(
                f"unknown merchant kind {value!r} (one of {allowed})", field="kinds"
            ) from None
    if not kinds:
        raise ValidationFailed("a data merchant has at least one kind", field="kinds")
    return tuple(k for k in MerchantKind if k in kinds)


@dataclass(frozen=True, slots=True)
class MerchantEnrolment:
    """``participant_id`` enrolled by the exchange ``exchange_id`` as a data merchant of ``kinds``."""

    exchange_id: str
    exchange_name: str
    participant_id: str
    participant_name: str
    kinds: tuple[MerchantKind, ...]
    note: str
    enrolled_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    def as_json(self) -> dict[str, Any]:
        return {
            "exchange": {"id": self.exchange_id, "name": self.exchange_name},
            "participant": {"id": self.participant_id, "name": self.participant_name},
            "kinds": [k.value for k in self.kinds],
            "note": self.note,
            "enrolledAt": self.enrolled_at.isoformat(),
            "updatedAt": self.updated_at.isoformat(),
            "withdrawnAt": self.withdrawn_at.isoformat() if self.withdrawn_at else None,
            "active": self.active,
        }


class ApplicationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


def text_hash(value: str) -> str:
    """The hash a decision signs for its reason: SHA-256 of the UTF-8 text, as 0x-hex."""
    return "0x" + hashlib.sha256(value.encode()).hexdigest()


def new_application_id() -> str:
    """A fresh application id: 32 random bytes as 0x-hex (it is signed as a ``bytes32``)."""
    return "0x" + uuid.uuid4().hex + uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class BuyerDecision:
    """The holder's decision on application ``application_id``, signable until ``deadline`` (unix
    time)."""

    application_id: str
    listing_id: str
    buyer: str
    approved: bool
    reason_hash: str
    deadline: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "application_id", require_hex32(self.application_id, "applicationId"))
        object.__setattr__(self, "listing_id", require_hex32(self.listing_id, "listingId"))
        object.__setattr__(self, "buyer", require_address(self.buyer, "buyer").lower())
        object.__setattr__(self, "reason_hash", require_hex32(self.reason_hash, "reasonHash"))
        if not isinstance(self.approved, bool):
            raise ValidationFailed("approved must be true or false", field="approved")
        if not 0 <= self.deadline < 2**64:
            raise ValidationFailed("deadline must be a unix time", field="deadline")

    def typed_data(self, domain: Eip712Domain) -> dict[str, Any]:
        """The full EIP-712 message, as ``eth_signTypedData_v4`` and wallets take it."""
        return {
            "types": {
                "EIP712Domain": _EIP712_DOMAIN_TYPE,
                BUYER_DECISION_TYPE: [{"name": name, "type": kind} for name, kind in BUYER_DECISION_FIELDS],
            },
            "primaryType": BUYER_DECISION_TYPE,
            "domain": domain.as_json(),
            "message": {
                "applicationId": self.application_id,
                "listingId": self.listing_id,
                "buyer": to_checksum_address(self.buyer),
                "approved": self.approved,
                "reasonHash": self.reason_hash,
                "deadline": self.deadline,
            },
        }

    def signer(self, domain: Eip712Domain, signature: str) -> str:
        """The address that signed this decision (lower case); InvalidSignature if malformed."""
        return recover_typed_data_signer(self.typed_data(domain), signature).lower()

    def require_signed_by(self, holder: str, domain: Eip712Domain, signature: str, *, now: int) -> None:
        if now > self.deadline:
            raise SignatureExpired("the decision's deadline has passed", deadline=self.deadline, now=now)
        signer = self.signer(domain, signature)
        if signer != holder.lower():
            raise InvalidSignature(
                f"the BuyerDecision is not signed by the listing's holder {holder}",
                expected=to_checksum_address(holder),
                signer=to_checksum_address(signer),
            )


@dataclass(frozen=True, slots=True)
class BuyerApplication:
    """A buyer's application to be verified for one listing, and the holder's decision once made."""

    application_id: str
    listing_id: str
    exchange_id: str
    holder: str  # the listing's holder when the buyer applied: who decides
    buyer_id: str
    buyer_name: str
    buyer_address: str
    purpose: str
    status: ApplicationStatus
    applied_at: datetime
    reason: str | None = None
    decision_deadline: int | None = None
    decision_signature: str | None = None
    decided_at: datetime | None = None

    @classmethod
    def new(
        cls, listing_id: str, exchange_id: str, holder: str, buyer_id: str, buyer_name: str, buyer: str,
        purpose: str, at: datetime,
    ) -> BuyerApplication:  # fmt: skip
        return cls(
            new_application_id(),
            listing_id,
            exchange_id,
            holder.lower(),
            buyer_id,
            buyer_name,
            buyer.lower(),
            bounded_text(purpose, "purpose", MAX_PURPOSE, required=True),
            ApplicationStatus.PENDING,
            at,
        )

    def decision(self, approved: bool, reason: str, deadline: int) -> BuyerDecision:
        return BuyerDecision(
            self.application_id, self.listing_id, self.buyer_address, approved, text_hash(reason), deadline
        )

    def recorded_decision(self) -> BuyerDecision | None:
        """The decision as the holder signed it (None while pending)."""
        if self.status is ApplicationStatus.PENDING or self.decision_deadline is None:
            return None
        return self.decision(
            self.status is ApplicationStatus.APPROVED, self.reason or "", self.decision_deadline
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "applicationId": self.application_id,
            "listingId": self.listing_id,
            "exchangeId": self.exchange_id,
            "holder": self.holder,
            "buyer": {"id": self.buyer_id, "name": self.buyer_name, "address": self.buyer_address},
            "purpose": self.purpose,
            "status": self.status.value,
            "appliedAt": self.applied_at.isoformat(),
            "reason": self.reason,
            "decision": None
            if self.decision_signature is None
            else {
                "approved": self.status is ApplicationStatus.APPROVED,
                "reasonHash": text_hash(self.reason or ""),
                "deadline": self.decision_deadline,
                "signature": self.decision_signature,
                "decidedAt": self.decided_at.isoformat() if self.decided_at else None,
            },
        }


@dataclass(frozen=True, slots=True)
class BuyerPolicy:
    """Whether the holder requires buyers of ``listing_id`` to be verified, as it last set it."""

    listing_id: str
    verification_required: bool
    set_by: str  # the holder's participant id
    set_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "listingId": self.listing_id,
            "verificationRequired": self.verification_required,
            "setBy": self.set_by,
            "setAt": self.set_at.isoformat(),
        }


def decision_domain(chain_id: int, market_address: str) -> Eip712Domain:
    """The domain of buyer decisions: the market contract's address on its chain, under its own name."""
    return Eip712Domain(chain_id, market_address, DECISION_DOMAIN_NAME, DECISION_DOMAIN_VERSION)


__all__: Sequence[str] = (
    "ApplicationStatus",
    "BuyerApplication",
    "BuyerDecision",
    "BuyerPolicy",
    "MerchantEnrolment",
    "MerchantKind",
    "decision_domain",
    "merchant_kinds",
    "text_hash",
)
