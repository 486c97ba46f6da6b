"""The ``DataMarket`` contract, seen from Python: exchanges, verification outcomes, listings, delistings.

Deployed once per registry (it reads asset statuses from the ``DataRightsRegistry`` it is given); its
address is kept in the database like the registry's. The operator account holds the market operator
role and relays every write; each returns the evidence of the event it emitted.
"""

from __future__ import annotations

from typing import Any, Protocol, cast

from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract

# mypy -p resolves this name to the artifacts/ folder of JSON beside artifacts.py (a namespace package)
from dataledger.ledger.chain.artifacts import load_artifact
from dataledger.ledger.chain.contract_acts import ReceiptReader, b32, hex_of
from dataledger.ledger.chain.deployment import deploy_contract, require_deployment
from dataledger.ledger.chain.transactions import (
    SentTransaction,
    TransactionSender,
    unavailable_on_connection_errors,
)
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.errors import LedgerError
from dataledger.registry.market.ports import RecordedVerification

MARKET_CONTRACT = "DataMarket"
MARKET_VERSION = "1.0.0"


class Deployments(Protocol):
    """Where deployments are remembered (``ledger.sql.store.SqlStore``)."""

    def deployment(self, chain_id: int, name: str) -> Any: ...

    def save_deployment(
        self, chain_id: int, name: str, address: str, tx_hash: str, block_number: int
    ) -> None: ...


class DataMarketClient:
    """Python face of one deployed ``DataMarket``."""

    def __init__(self, w3: Web3, sender: TransactionSender, address: str, *, deployed_block: int = 0) -> None:
        self._w3 = w3
        self._deployed_block = deployed_block
        self._sender = sender
        self._contract: Contract = w3.eth.contract(
            address=to_checksum_address(address), abi=list(load_artifact(MARKET_CONTRACT).abi)
        )
        self._receipts = ReceiptReader(w3, self._contract, sender.chain_id)

    # -- deployment -------------------------------------------------------------------------------

    @classmethod
    def deploy(
        cls, w3: Web3, sender: TransactionSender, registry_address: str
    ) -> tuple[DataMarketClient, SentTransaction]:
        """Deploy a market over the registry at ``registry_address``; the operator administers it."""
        address, sent = deploy_contract(
            w3, sender, MARKET_CONTRACT, to_checksum_address(registry_address), sender.address
        )
        return cls(w3, sender, address, deployed_block=sent.block_number), sent

    @classmethod
    def attach(
        cls,
        w3: Web3,
        sender: TransactionSender,
        address: str,
        registry_address: str,
        *,
        deployed_block: int = 0,
    ) -> DataMarketClient:
        """Attach to a deployment, refusing one that is missing, of another version or another registry."""
        client = cls(w3, sender, address, deployed_block=deployed_block)
        require_deployment(
            w3,
            client._contract,
            sender.chain_id,
            "the market contract",
            MARKET_VERSION,
            registry_address=registry_address,
        )
        return client

    @classmethod
    def attach_or_deploy(
        cls, w3: Web3, sender: TransactionSender, deployments: Deployments, registry_address: str
    ) -> DataMarketClient:
        """Attach to the market the database knows for this chain, or deploy it once and remember it."""
        known = deployments.deployment(sender.chain_id, MARKET_CONTRACT)
        if known is not None:
            return cls.attach(w3, sender, known.address, registry_address, deployed_block=known.block_number)
        client, sent = cls.deploy(w3, sender, registry_address)
        deployments.save_deployment(
            sender.chain_id, MARKET_CONTRACT, client.address, sent.tx_hash, sent.block_number
        )
        return client

    # -- identity ---------------------------------------------------------------------------------

    @property
    def address(self) -> str:
        return self._contract.address

    @property
    def abi(self) -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], list(self._contract.abi))

    # -- writes -----------------------------------------------------------------------------------

    def enrol_exchange(self, exchange_key: str) -> ChainEvidence:
        return self._transact(self._contract.functions.enrolExchange(b32(exchange_key)), "ExchangeEnrolled")

    def record_verification(self, report_hash: str, asset_id: str, listable: bool) -> ChainEvidence:
        fn = self._contract.functions.recordVerification(b32(report_hash), b32(asset_id), listable)
        return self._transact(fn, "ListingVerificationRecorded")

    def list_product(
        self,
        listing_id: str,
        asset_id: str,
        exchange_key: str,
        report_hash: str,
        terms_hash: str,
        content_hash: str,
    ) -> ChainEvidence:
        fn = self._contract.functions.list(
            b32(listing_id),
            b32(asset_id),
            b32(exchange_key),
            b32(report_hash),
            b32(terms_hash),
            b32(content_hash),
        )
        return self._transact(fn, "Listed")

    def delist(self, listing_id: str, exchange_key: str, reason_hash: str) -> ChainEvidence:
        fn = self._contract.functions.delist(b32(listing_id), b32(exchange_key), b32(reason_hash))
        return self._transact(fn, "Delisted")

    # -- reads ------------------------------------------------------------------------------------

    def is_exchange(self, exchange_key: str) -> bool:
        with unavailable_on_connection_errors():
            return bool(self._contract.functions.isExchange(b32(exchange_key)).call())

    def verification_of(self, report_hash: str) -> RecordedVerification | None:
        with unavailable_on_connection_errors():
            asset_id, listable, used = self._contract.functions.verificationOf(b32(report_hash)).call()
        if int.from_bytes(asset_id, "big") == 0:
            return None
        return RecordedVerification(hex_of(asset_id), bool(listable), bool(used))

    def listing_of(self, listing_id: str) -> dict[str, Any] | None:
        """The listing as the contract holds it (None if it was never listed)."""
        with unavailable_on_connection_errors():
            record = self._contract.functions.listingOf(b32(listing_id)).call()
        asset_id, exchange, report, terms, content, listed_at, delisted_at = record
        if listed_at == 0:
            return None
        return {
            "assetId": hex_of(asset_id),
            "exchangeKey": hex_of(exchange),
            "reportHash": hex_of(report),
            "termsHash": hex_of(terms),
            "listingHash": hex_of(content),
            "listedAt": int(listed_at),
            "delistedAt": int(delisted_at) or None,
        }

    def listed_evidence(self, listing_id: str) -> ChainEvidence | None:
        """Where the ``Listed`` event of ``listing_id`` is on chain (None if it was never listed)."""
        with unavailable_on_connection_errors():
            logs = self._contract.events.Listed().get_logs(
                argument_filters={"listingId": b32(listing_id)}, from_block=self._deployed_block
            )
        for log in logs:
            return ChainEvidence(
                chain_id=self._sender.chain_id,
                contract=self._contract.address,
                tx_hash=hex_of(log["transactionHash"]),
                block_number=int(log["blockNumber"]),
                log_index=int(log["logIndex"]),
            )
        return None

    def _transact(self, fn: Any, event: str) -> ChainEvidence:
        sent = self._sender.transact(fn)
        for act in self._receipts.acts(sent.receipt):
            if act.event == event:
                return act.evidence
        raise LedgerError(f"the receipt carries no {event} event", tx_hash=sent.tx_hash)
