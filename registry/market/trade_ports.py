"""What the trade service needs from the outside: the trades contract, licences on chain, the store (trades
and the holders' mandates)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from dataledger.registry.chain_records import ChainAct, OnChainLicence
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.holder_signatures import ActAuthorisation, Eip712Domain
from dataledger.registry.market.trades import Mandate, Trade, TradeRole, TradeStatistics, TradeStatus


class TradesChain(Protocol):
    """The ``DataTrades`` contract (``ledger.chain.data_trades``): signed acts relayed, exchange acts."""

    @property
    def address(self) -> str: ...
    @property
    def domain(self) -> Eip712Domain: ...
    def nonce_of(self, signer: str) -> int: ...
    def latest_block_number(self) -> int: ...
    def submit_act(self, auth: ActAuthorisation, signature: str) -> tuple[ChainAct, ...]: ...
    def find_act(self, signature: str, from_block: int) -> tuple[ChainAct, ...] | None: ...
    def mandate_of(self, holder: str, agent: str, listing_id: str) -> int: ...
    def settle(self, order_id: str, exchange_key: str, settlement_hash: str) -> ChainEvidence: ...
    def cancel(self, order_id: str, exchange_key: str, reason_hash: str) -> ChainEvidence: ...
    def link_licence(self, order_id: str, licence_id: int) -> ChainEvidence: ...


class LicenceReads(Protocol):
    """Licences as the licence registry holds them."""

    def licence(self, licence_id: int) -> OnChainLicence | None: ...


class TradeRecords(Protocol):
    """Orders and trades (``ledger.sql.trade_store``)."""

    def add_trade(self, trade: Trade) -> None: ...
    def trade(self, order_id: str) -> Trade: ...
    def trades(
        self,
        *,
        party_id: str | None,
        party_address: str | None,
        limit: int,
        offset: int,
        status: TradeStatus | None = None,
        role: TradeRole | None = None,
    ) -> tuple[list[Trade], int]:
        """A page of trades, newest first, of a party (in ``role``, else in any) or of everyone; only
        those in ``status`` if given."""
        ...

    def accept(self, order_id: str, accepted_by: str, at: datetime, evidence: ChainEvidence) -> Trade: ...
    def close(
        self,
        order_id: str,
        settled: bool,
        at: datetime,
        evidence: ChainEvidence,
        *,
        reference: str | None = None,
        settlement_hash: str | None = None,
        reason: str | None = None,
    ) -> Trade: ...
    def link_licence(self, order_id: str, licence_id: int, evidence: ChainEvidence) -> Trade: ...
    def statistics(self, exchange_id: str | None, start: datetime, end: datetime) -> TradeStatistics: ...
    def add_mandate(self, mandate: Mandate) -> None: ...
    def revoke_mandate(
        self, holder: str, agent: str, listing_id: str, at: datetime, evidence: ChainEvidence
    ) -> Mandate: ...
    def current_mandate(self, holder: str, agent: str, listing_id: str) -> Mandate | None: ...
    def mandates(self, listing_id: str) -> list[Mandate]: ...
