"""The ``DataTrades`` contract, seen from Python: orders, mandates, acceptances, settlements.

Deployed once per registry beside the ``DataMarket`` whose listings it trades; its address is kept in
the database like the market's. The operator account holds the trade operator role and relays every
write: the parties' signed acts (checked again by the contract) and the exchanges' own steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract

# mypy -p resolves this name to the artifacts/ folder of JSON beside artifacts.py (a namespace package)
from dataledger.ledger.chain.artifacts import load_artifact
from dataledger.ledger.chain.contract_acts import ReceiptReader, SignedActContract, b32, call_args, hex_of
from dataledger.ledger.chain.data_market import Deployments
from dataledger.ledger.chain.deployment import deploy_contract, require_deployment
from dataledger.ledger.chain.transactions import (
    SentTransaction,
    TransactionSender,
    unavailable_on_connection_errors,
)
from dataledger.registry.chain_records import ChainAct
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.errors import LedgerError, ValidationFailed
from dataledger.registry.holder_signatures import ActAuthorisation, Eip712Domain
from dataledger.registry.market.trades import trades_domain

TRADES_CONTRACT = "DataTrades"
TRADES_VERSION = "1.1.0"

_ACT_FUNCTIONS: Mapping[str, tuple[str, tuple[str, ...]]] = MappingProxyType(
    {
        "TradeAcceptance": ("acceptOrder", ("orderId", "accepter", "amount", "nonce", "deadline")),
        "TradeMandate": (
            "grantMandate",
            ("holder", "agent", "listingId", "validUntil", "nonce", "deadline"),
        ),
        "TradeMandateRevocation": ("revokeMandate", ("holder", "agent", "listingId", "nonce", "deadline")),
    }
)
_ORDER_FIELDS = ("listingId", "buyer", "amount", "currency", "termsHash")
_STATUSES = ("none", "ordered", "accepted", "settled", "cancelled")  # IDataTrades.TradeStatus


class DataTradesClient(SignedActContract):
    """Python face of one deployed ``DataTrades``."""

    def __init__(self, w3: Web3, sender: TransactionSender, address: str) -> None:
        self._w3 = w3
        self._sender = sender
        self._contract: Contract = w3.eth.contract(
            address=to_checksum_address(address), abi=list(load_artifact(TRADES_CONTRACT).abi)
        )
        self._receipts = ReceiptReader(w3, self._contract, sender.chain_id)

    # -- deployment -------------------------------------------------------------------------------

    @classmethod
    def deploy(
        cls, w3: Web3, sender: TransactionSender, market_address: str
    ) -> tuple[DataTradesClient, SentTransaction]:
        """Deploy the trades of the market at ``market_address``; the operator administers it."""
        address, sent = deploy_contract(
            w3, sender, TRADES_CONTRACT, to_checksum_address(market_address), sender.address
        )
        return cls(w3, sender, address), sent

    @classmethod
    def attach(
        cls, w3: Web3, sender: TransactionSender, address: str, registry_address: str
    ) -> DataTradesClient:
        """Attach to a deployment, refusing one that is missing, of another version or another registry."""
        client = cls(w3, sender, address)
        require_deployment(
            w3,
            client._contract,
            sender.chain_id,
            "the trades contract",
            TRADES_VERSION,
            registry_address=registry_address,
        )
        return client

    @classmethod
    def attach_or_deploy(
        cls,
        w3: Web3,
        sender: TransactionSender,
        deployments: Deployments,
        market_address: str,
        registry_address: str,
    ) -> DataTradesClient:
        """Attach to the trades contract the database knows for this chain, or deploy it once."""
        known = deployments.deployment(sender.chain_id, TRADES_CONTRACT)
        if known is not None:
            return cls.attach(w3, sender, known.address, registry_address)
        client, sent = cls.deploy(w3, sender, market_address)
        deployments.save_deployment(
            sender.chain_id, TRADES_CONTRACT, client.address, sent.tx_hash, sent.block_number
        )
        return client

    # -- identity ---------------------------------------------------------------------------------

    @property
    def domain(self) -> Eip712Domain:
        return trades_domain(self._sender.chain_id, self._contract.address)

    # -- writes -----------------------------------------------------------------------------------

    def submit_act(self, auth: ActAuthorisation, signature: str) -> tuple[ChainAct, ...]:
        """Relay a buyer's signed order, a holder's signed mandate or its revocation, or a holder's (or
        agent's) signed acceptance."""
        if auth.primary_type == "TradeOrder":
            order = tuple(call_args(auth, _ORDER_FIELDS))
            fn = self._contract.functions.placeOrder(order, auth.nonce, auth.deadline, b32(signature))
            return self._transact(fn)
        entry = _ACT_FUNCTIONS.get(auth.primary_type)
        if entry is None:
            raise ValidationFailed(
                f"the trades contract takes no {auth.primary_type} act", field="primaryType"
            )
        function, names = entry
        fn = getattr(self._contract.functions, function)(*call_args(auth, names), b32(signature))
        return self._transact(fn)

    def settle(self, order_id: str, exchange_key: str, settlement_hash: str) -> ChainEvidence:
        fn = self._contract.functions.settle(b32(order_id), b32(exchange_key), b32(settlement_hash))
        return self._evidence(fn, "TradeSettled")

    def cancel(self, order_id: str, exchange_key: str, reason_hash: str) -> ChainEvidence:
        fn = self._contract.functions.cancel(b32(order_id), b32(exchange_key), b32(reason_hash))
        return self._evidence(fn, "TradeCancelled")

    def link_licence(self, order_id: str, licence_id: int) -> ChainEvidence:
        fn = self._contract.functions.linkLicence(b32(order_id), licence_id)
        return self._evidence(fn, "TradeLicenceLinked")

    # -- reads ------------------------------------------------------------------------------------

    def mandate_of(self, holder: str, agent: str, listing_id: str) -> int:
        """Until when ``agent`` may accept orders of ``listing_id`` for ``holder`` (0: never mandated, or
        revoked)."""
        with unavailable_on_connection_errors():
            fn = self._contract.functions.mandateOf(
                to_checksum_address(holder), to_checksum_address(agent), b32(listing_id)
            )
            return int(fn.call())

    def trade_of(self, order_id: str) -> dict[str, Any] | None:
        """``IDataTrades.Trade`` as the contract holds it (None if the order was never placed)."""
        with unavailable_on_connection_errors():
            record = self._contract.functions.tradeOf(b32(order_id)).call()
        listing, asset, exchange, buyer, seller, accepted_by, amount, currency = record[:8]
        terms, settlement, licence_id, ordered_at, _, _, status = record[8:]
        if int(status) == 0:
            return None
        return {
            "listingId": hex_of(listing),
            "assetId": hex_of(asset),
            "exchangeKey": hex_of(exchange),
            "buyer": str(buyer).lower(),
            "seller": str(seller).lower(),
            "acceptedBy": None if int(accepted_by, 16) == 0 else str(accepted_by).lower(),
            "amount": int(amount),
            "currency": str(currency),
            "termsHash": hex_of(terms),
            "settlementHash": None if int.from_bytes(settlement, "big") == 0 else hex_of(settlement),
            "licenceId": int(licence_id) or None,
            "orderedAt": int(ordered_at),
            "status": _STATUSES[int(status)],
        }

    def _transact(self, fn: Any) -> tuple[ChainAct, ...]:
        sent = self._sender.transact(fn)
        acts = self._receipts.acts(sent.receipt)
        if not acts:
            raise LedgerError("the receipt carries no trades contract event", tx_hash=sent.tx_hash)
        return acts

    def _evidence(self, fn: Any, event: str) -> ChainEvidence:
        for act in self._transact(fn):
            if act.event == event:
                return act.evidence
        raise LedgerError(f"the receipt carries no {event} event")
