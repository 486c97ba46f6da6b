"""Orders and trades of listed data products, valid by construction.

A buyer orders a listing at its price (in the currency's smallest unit: fen for CNY) and on the hash of
the licence terms the listing recorded on chain, so a later revision of the exchange's template never
changes an order. The holder, or the exchange under a mandate the holder signed, accepts: the order is
then a trade whose settlement is pending, until the listing exchange confirms it settled or cancels it.
The licence the holder grants the buyer for the trade is linked to it. Each step is recorded by the
``DataTrades`` contract; a :class:`Trade` carries the evidence of each.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dataledger.registry.canonical import json_hash
from dataledger.registry.chain_types import ChainEvidence, require_address, require_hex32
from dataledger.registry.errors import ValidationFailed
from dataledger.registry.holder_signatures import Eip712Domain
from dataledger.registry.keccak import keccak256

TRADES_DOMAIN_NAME = "DataLedger DataTrades"
TRADES_DOMAIN_VERSION = "1"
SETTLEMENT_VERSION = "dataledger.trade-settlement.v1"
MAX_REFERENCE = 200
MAX_AMOUNT = 10**17  # fen: 10^15 yuan, far above any trade, well inside the contract's uint256


class TradeStatus(enum.StrEnum):
    """``IDataTrades.TradeStatus``: ordered by the buyer, accepted (settlement pending), then settled or
    cancelled."""

    ORDERED = "ordered"
    ACCEPTED = "accepted"
    SETTLED = "settled"
    CANCELLED = "cancelled"

    @property
    def settlement(self) -> str:
        """The settlement's status: pending until the exchange settles or cancels the trade."""
        return self.value if self in (TradeStatus.SETTLED, TradeStatus.CANCELLED) else "pending"


class TradeRole(enum.StrEnum):
    """A party's part in a trade."""

    BUYER = "buyer"
    SELLER = "seller"  # the holder whose listing was ordered
    EXCHANGE = "exchange"  # the listing exchange


def trades_domain(chain_id: int, verifying_contract: str) -> Eip712Domain:
    """The EIP-712 domain of a ``DataTrades`` contract."""
    return Eip712Domain(chain_id, verifying_contract, TRADES_DOMAIN_NAME, TRADES_DOMAIN_VERSION)


def order_id_of(listing_id: str, buyer: str, nonce: int) -> str:
    """The id the contract gives the order of ``listing_id`` by ``buyer`` signed with ``nonce``
    (``keccak256(abi.encode(listingId, buyer, nonce))``)."""
    encoded = (
        bytes.fromhex(require_hex32(listing_id, "listingId")[2:])
        + bytes(12)
        + bytes.fromhex(require_address(buyer, "buyer")[2:])
        + nonce.to_bytes(32, "big")
    )
    return "0x" + keccak256(encoded).hex()


def require_amount(amount: int) -> int:
    """An amount in the smallest currency unit: a non-negative integer within :data:`MAX_AMOUNT`."""
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 <= amount <= MAX_AMOUNT:
        raise ValidationFailed(f"amounts are integers from 0 to {MAX_AMOUNT} fen", field="amount")
    return amount


def settlement_hash(order_id: str, amount: int, currency: str, reference: str) -> str:
    """The hash recorded on chain of the exchange's settlement record (RFC 8785, SHA-256)."""
    return json_hash(
        {
            "v": SETTLEMENT_VERSION,
            "orderId": order_id,
            "amount": amount,
            "currency": currency,
            "reference": reference,
        }
    )


@dataclass(frozen=True, slots=True)
class Trade:
    """An order and, once accepted, the trade it became."""

    order_id: str
    listing_id: str
    asset_id: str
    exchange_id: str
    exchange_name: str
    buyer_id: str
    buyer_address: str
    seller_address: str
    amount: int  # in the currency's smallest unit (fen)
    currency: str
    terms_hash: str
    licence_template_id: str
    licence_template_version: int
    status: TradeStatus
    ordered_at: datetime
    order_evidence: ChainEvidence
    accepted_by: str | None = None
    accepted_at: datetime | None = None
    acceptance_evidence: ChainEvidence | None = None
    settlement_reference: str | None = None
    settlement_hash: str | None = None
    cancellation_reason: str | None = None
    closed_at: datetime | None = None
    closing_evidence: ChainEvidence | None = None
    licence_id: int | None = None
    licence_evidence: ChainEvidence | None = None

    def __post_init__(self) -> None:
        for name in ("order_id", "listing_id", "asset_id", "terms_hash"):
            object.__setattr__(self, name, require_hex32(getattr(self, name), name))
        for name in ("buyer_address", "seller_address", "accepted_by"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, require_address(value, name).lower())
        require_amount(self.amount)
        object.__setattr__(self, "status", TradeStatus(self.status))

    def as_json(self) -> dict[str, Any]:
        """The trade on the wire (camelCase)."""

        def evidence(value: ChainEvidence | None) -> dict[str, object] | None:
            return value.as_json() if value else None

        def when(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "orderId": self.order_id,
            "listingId": self.listing_id,
            "assetId": self.asset_id,
            "exchange": {"id": self.exchange_id, "name": self.exchange_name},
            "buyer": {"id": self.buyer_id, "address": self.buyer_address},
            "seller": {"address": self.seller_address},
            "amount": self.amount,
            "currency": self.currency,
            "termsHash": self.terms_hash,
            "licenceTemplate": {
                "templateId": self.licence_template_id,
                "version": self.licence_template_version,
            },
            "status": self.status.value,
            "settlementStatus": self.status.settlement,
            "orderedAt": self.ordered_at.isoformat(),
            "orderEvidence": self.order_evidence.as_json(),
            "acceptance": None
            if self.accepted_at is None
            else {
                "acceptedBy": self.accepted_by,
                "onBehalfOfSeller": self.accepted_by != self.seller_address,
                "acceptedAt": when(self.accepted_at),
                "chainEvidence": evidence(self.acceptance_evidence),
            },
            "settlement": None
            if self.closed_at is None
            else {
                "status": self.status.settlement,
                "reference": self.settlement_reference,
                "settlementHash": self.settlement_hash,
                "cancellationReason": self.cancellation_reason,
                "closedAt": when(self.closed_at),
                "chainEvidence": evidence(self.closing_evidence),
            },
            "licence": None
            if self.licence_id is None
            else {"licenceId": self.licence_id, "chainEvidence": evidence(self.licence_evidence)},
        }


@dataclass(frozen=True, slots=True)
class TradeStatistics:
    """What an exchange's programme publishes for a period: listings made, orders placed, trades
    accepted and settled, and the amounts traded and settled per currency (smallest unit)."""

    exchange_id: str | None
    period_from: datetime
    period_to: datetime
    listings: int
    orders: int
    trades: int
    settled: int
    amounts: tuple[tuple[str, int, int], ...]  # (currency, traded, settled)

    def as_json(self) -> dict[str, Any]:
        return {
            "exchangeId": self.exchange_id,
            "from": self.period_from.isoformat(),
            "to": self.period_to.isoformat(),
            "listings": self.listings,
            "orders": self.orders,
            "trades": self.trades,
            "settledTrades": self.settled,
            "amounts": [
                {"currency": currency, "traded": traded, "settled": settled}
                for currency, traded, settled in self.amounts
            ],
        }


class MandateStatus(enum.StrEnum):
    """Where a holder's mandate to an agent stands: in force, expired, revoked by the holder, or
    superseded by a later grant for the same agent and listing (which the chain holds instead)."""

    IN_FORCE = "in-force"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


@dataclass(frozen=True, slots=True)
class Mandate:
    """One grant of a holder's mandate to an agent (the listing exchange) to accept a listing's orders,
    and its revocation if the holder revoked it. ``superseded`` marks a grant a later one replaced."""

    listing_id: str
    holder: str
    agent: str
    valid_until: int  # chain time (unix seconds)
    granted_at: datetime
    grant_evidence: ChainEvidence
    revoked_at: datetime | None = None
    revocation_evidence: ChainEvidence | None = None
    superseded: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "listing_id", require_hex32(self.listing_id, "listingId"))
        for name in ("holder", "agent"):
            object.__setattr__(self, name, require_address(getattr(self, name), name).lower())
        if (self.revoked_at is None) != (self.revocation_evidence is None):
            raise ValidationFailed("a revoked mandate carries its revocation's time and evidence")

    def status(self, chain_now: int) -> MandateStatus:
        """The mandate's status at chain time ``chain_now`` (the contract's rule: in force while
        ``validUntil >= block.timestamp``)."""
        if self.revoked_at is not None:
            return MandateStatus.REVOKED
        if self.superseded:
            return MandateStatus.SUPERSEDED
        return MandateStatus.IN_FORCE if self.valid_until >= chain_now else MandateStatus.EXPIRED

    def as_json(self, chain_now: int) -> dict[str, Any]:
        return {
            "listingId": self.listing_id,
            "holder": self.holder,
            "agent": self.agent,
            "validUntil": self.valid_until,
            "status": self.status(chain_now).value,
            "grantedAt": self.granted_at.isoformat(),
            "chainEvidence": self.grant_evidence.as_json(),
            "revocation": None
            if self.revoked_at is None or self.revocation_evidence is None
            else {
                "revokedAt": self.revoked_at.isoformat(),
                "chainEvidence": self.revocation_evidence.as_json(),
            },
        }
