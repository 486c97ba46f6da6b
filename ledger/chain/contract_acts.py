"""What the contract clients share: signed acts into call arguments, receipts into ``ChainAct`` records.

A write to a dataledger contract is one act; its receipt carries one or more events (a transfer by
enforcement emits ``PledgeEnforced`` and ``AssetTransferred``). :class:`ReceiptReader` decodes every
log the contract emitted, in log order, with the evidence to find it again and the block's time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import TransactionNotFound

from dataledger.ledger.chain.event_decoding import EventDecoder
from dataledger.ledger.chain.transactions import unavailable_on_connection_errors
from dataledger.registry.chain_records import ChainAct
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.holder_signatures import ActAuthorisation


def hex_of(value: bytes | bytearray) -> str:
    """0x-hex of raw bytes, lower case."""
    return "0x" + bytes(value).hex()


def b32(value: str) -> bytes:
    """The 32 bytes of a 0x-hex hash."""
    return bytes.fromhex(value.removeprefix("0x"))


def call_args(auth: ActAuthorisation, names: Sequence[str]) -> list[Any]:
    """The contract-call arguments ``names`` taken from a signed act, bytes32 as bytes."""
    args: list[Any] = []
    for name in names:
        value = auth.message[name]
        if isinstance(value, str) and len(value) == 66 and value.startswith("0x"):
            args.append(b32(value))
        elif isinstance(value, str) and len(value) == 42:
            args.append(to_checksum_address(value))
        else:
            args.append(value)
    return args


class ReceiptReader:
    """Decodes the events one contract emitted in a transaction into :class:`ChainAct` records."""

    def __init__(self, w3: Web3, contract: Contract, chain_id: int) -> None:
        self._w3 = w3
        self._contract = contract
        self._chain_id = chain_id
        self._events = EventDecoder(w3.codec, contract.abi)
        self._timestamps: dict[int, int] = {}

    def acts(self, receipt: Any) -> tuple[ChainAct, ...]:
        """Every event of the contract in ``receipt``, in log order."""
        acts = []
        for log in receipt["logs"]:
            if log["address"] != self._contract.address:
                continue
            decoded = self._events.decode(log)
            if decoded is None:
                continue
            name, args = decoded
            block_number = int(log["blockNumber"])
            acts.append(
                ChainAct(
                    event=name,
                    args=args,
                    evidence=ChainEvidence(
                        chain_id=self._chain_id,
                        contract=self._contract.address,
                        tx_hash=hex_of(log["transactionHash"]),
                        block_number=block_number,
                        log_index=int(log["logIndex"]),
                    ),
                    block_timestamp=self.timestamp_of(block_number),
                )
            )
        return tuple(acts)

    def acts_of_transaction(self, tx_hash: str) -> tuple[ChainAct, ...] | None:
        """The contract's events in transaction ``tx_hash``; None if the chain has no such transaction."""
        with unavailable_on_connection_errors():
            try:
                receipt = self._w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
            except TransactionNotFound:
                return None
        return self.acts(receipt)

    def find_by_signature(
        self, signature: str, from_block: int, *, chunk_blocks: int = 2_000
    ) -> tuple[ChainAct, ...] | None:
        """The contract's events in the transaction whose input carries ``signature`` (a signed act's,
        65 bytes, unique to that act), mined at or after ``from_block``; None if none is on chain.

        Scans the contract's logs forward (every act emits at least one event) in ranges a node
        accepts, and reads the input of each transaction seen: recovery's search, never a request's."""
        wanted = bytes.fromhex(signature.removeprefix("0x"))
        with unavailable_on_connection_errors():
            head = int(self._w3.eth.block_number)
            seen: set[bytes] = set()
            for start in range(max(from_block, 0), head + 1, chunk_blocks):
                logs = self._w3.eth.get_logs(
                    {
                        "address": self._contract.address,
                        "fromBlock": start,
                        "toBlock": min(start + chunk_blocks - 1, head),
                    }
                )
                for log in logs:
                    tx_hash = bytes(log["transactionHash"])
                    if tx_hash in seen:
                        continue
                    seen.add(tx_hash)
                    tx = self._w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
                    if wanted in bytes(tx["input"]):
                        return self.acts(self._w3.eth.get_transaction_receipt(tx_hash))  # type: ignore[arg-type]
        return None

    def timestamp_of(self, block_number: int) -> int:
        """The timestamp of block ``block_number`` (recent blocks are cached)."""
        if block_number not in self._timestamps:
            with unavailable_on_connection_errors():
                block = self._w3.eth.get_block(block_number)
            self._timestamps[block_number] = int(block["timestamp"])
            if len(self._timestamps) > 1024:  # a cache of recent blocks, not of the chain
                self._timestamps.pop(next(iter(self._timestamps)))
        return self._timestamps[block_number]


class SignedActContract:
    """What every client of a contract that takes signed acts offers the relays and the act journal
    (``registry.signed_acts``, ``registry.act_journal``): its address and ABI, a signer's next nonce,
    the chain's head, and the act a signature carried. Needs ``_w3``, ``_contract`` and ``_receipts``."""

    _w3: Web3
    _contract: Contract
    _receipts: ReceiptReader

    @property
    def address(self) -> str:
        return str(self._contract.address)

    @property
    def abi(self) -> list[dict[str, Any]]:
        return [dict(entry) for entry in self._contract.abi]

    def nonce_of(self, signer: str) -> int:
        with unavailable_on_connection_errors():
            return int(self._contract.functions.nonces(to_checksum_address(signer)).call())

    def latest_block_number(self) -> int:
        with unavailable_on_connection_errors():
            return int(self._w3.eth.block_number)

    def find_act(self, signature: str, from_block: int) -> tuple[ChainAct, ...] | None:
        """The contract's events in the transaction that carried ``signature``, mined at or after
        ``from_block``; None if there is none (``registry.act_journal``)."""
        return self._receipts.find_by_signature(signature, from_block)


def check_act(
    reader: ReceiptReader, evidence: ChainEvidence, event: str, asset_id: str | None
) -> tuple[bool, str]:
    """Is there, at ``evidence``, an ``event`` of the contract about ``asset_id``? (passed, why)."""
    acts = reader.acts_of_transaction(evidence.tx_hash)
    if acts is None:
        return False, f"no transaction {evidence.tx_hash} on chain {evidence.chain_id}"
    for act in acts:
        if act.evidence.log_index != evidence.log_index:
            continue
        if act.evidence.block_number != evidence.block_number:
            return (
                False,
                f"the transaction is in block {act.evidence.block_number}, not {evidence.block_number}",
            )
        if act.event != event:
            return False, f"log {evidence.log_index} is {act.event}, not {event}"
        if asset_id is not None and str(act.args.get("assetId", "")).lower() != asset_id.lower():
            return False, f"log {evidence.log_index} is about asset {act.args.get('assetId')}"
        return True, f"{event} at block {act.evidence.block_number}, log {evidence.log_index}"
    return False, f"the transaction has no event of {evidence.contract} at log index {evidence.log_index}"
