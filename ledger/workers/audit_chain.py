"""The chain as the audit re-reads it: transaction receipts, decoded as the indexer decodes them.

The audit does not trust its own event index (a SQL table an insider can edit like any other): each
act it checks is looked up again in its transaction's receipt. :class:`ChainReader` fetches every
receipt once (an audit of thousands of acts reads each transaction once, however many acts it
emitted) and every block's timestamp once, and decodes the logs of the contracts it follows exactly
as ``ledger.workers.indexer`` does, so a log re-read compares field by field with its ``chain_events``
row. It only reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from eth_utils import to_checksum_address
from web3 import Web3
from web3.exceptions import TransactionNotFound

from dataledger.ledger.chain.contract_acts import ReceiptReader, check_act

# Decoded exactly as the indexer decodes a log, so the arguments compare with ``chain_events.args_json``.
from dataledger.ledger.chain.event_decoding import EventDecoder
from dataledger.ledger.chain.transactions import unavailable_on_connection_errors
from dataledger.registry.chain_records import ChainAct
from dataledger.registry.chain_types import ChainEvidence


@dataclass(frozen=True, slots=True)
class ChainLog:
    """One log of a followed contract, as its transaction's receipt states it."""

    contract: str  # checksummed
    tx_hash: str
    tx_index: int
    block_number: int
    block_hash: str
    log_index: int
    topic0: str | None
    event: str | None  # None: not in the contract's ABI
    args: dict[str, Any]  # as the indexer stores them (canonical-JSON-safe)

    @property
    def asset_id(self) -> str | None:
        value = self.args.get("assetId") if self.event is not None else None
        return value.lower() if isinstance(value, str) else None

    @property
    def position(self) -> str:
        return f"{self.tx_hash}#{self.log_index}"

    def named_args(self, abi_inputs: Sequence[Mapping[str, Any]] | None) -> dict[str, Any]:
        """The arguments with structs as objects (as the database's act details hold them)."""
        if not abi_inputs:
            return dict(self.args)
        return {spec["name"]: _named(self.args.get(spec["name"]), spec) for spec in abi_inputs}


def _named(value: Any, spec: Mapping[str, Any]) -> Any:
    components = spec.get("components")
    if components and isinstance(value, list) and not str(spec.get("type", "")).endswith("]"):
        return {c["name"]: _named(v, c) for v, c in zip(value, components, strict=False)}
    return value


class ChainReader:
    """Receipts and block times, each read once per audit (or per reader: the chain does not change
    what it has recorded, so a reader may be kept across audits of the same chain)."""

    def __init__(self, w3: Web3) -> None:
        self._w3 = w3
        self._decoders: dict[str, EventDecoder] = {}
        self._inputs: dict[tuple[str, str], Sequence[Mapping[str, Any]]] = {}
        self._receipts: dict[str, Any] = {}
        self._logs: dict[str, tuple[ChainLog, ...] | None] = {}
        self._timestamps: dict[int, int] = {}
        self.receipts_read = 0

    def follow(self, address: str, abi: Sequence[Mapping[str, Any]]) -> None:
        """Decode the logs of the contract at ``address`` with ``abi``."""
        contract = to_checksum_address(address)
        if contract in self._decoders:
            return
        self._decoders[contract] = EventDecoder(self._w3.codec, abi)
        for entry in abi:
            if entry.get("type") == "event":
                self._inputs[(contract, str(entry["name"]))] = list(entry.get("inputs", ()))
        self._logs.clear()  # decoded again with the new contract's logs

    @property
    def contracts(self) -> list[str]:
        return list(self._decoders)

    def follows(self, address: str | None) -> bool:
        return address is not None and to_checksum_address(address) in self._decoders

    def receipt(self, tx_hash: str) -> Any | None:
        """The receipt of ``tx_hash``; None if the chain has no such transaction."""
        key = tx_hash.lower()
        if key not in self._receipts:
            with unavailable_on_connection_errors():
                try:
                    self._receipts[key] = self._w3.eth.get_transaction_receipt(key)  # type: ignore[arg-type]
                except (TransactionNotFound, ValueError):
                    self._receipts[key] = None
            self.receipts_read += 1
        return self._receipts[key]

    def logs(self, tx_hash: str) -> tuple[ChainLog, ...] | None:
        """The followed contracts' logs of ``tx_hash`` in log order; None if there is no such transaction."""
        key = tx_hash.lower()
        if key not in self._logs:
            receipt = self.receipt(key)
            self._logs[key] = None if receipt is None else tuple(self._decode(receipt))
        return self._logs[key]

    def transactions(self) -> list[str]:
        """The transactions whose receipts were read (and found)."""
        return [tx for tx, receipt in self._receipts.items() if receipt is not None]

    def log_at(self, tx_hash: str, log_index: int) -> ChainLog | None:
        for log in self.logs(tx_hash) or ():
            if log.log_index == log_index:
                return log
        return None

    def inputs(self, log: ChainLog) -> Sequence[Mapping[str, Any]] | None:
        return self._inputs.get((log.contract, log.event)) if log.event else None

    def block_timestamp(self, block_number: int) -> int:
        if block_number not in self._timestamps:
            with unavailable_on_connection_errors():
                self._timestamps[block_number] = int(self._w3.eth.get_block(block_number)["timestamp"])
        return self._timestamps[block_number]

    def check_act(
        self, evidence: ChainEvidence, event: str, key: str | None, value: str | None
    ) -> tuple[bool, str]:
        """``ledger.chain.contract_acts.check_act`` on the cached receipt: is there, where ``evidence``
        says, the ``event`` of its contract with argument ``key`` (``assetId``) equal to ``value``?"""
        reader = _CachedActs(self, evidence.contract, evidence.chain_id)
        if key in (None, "assetId"):
            return check_act(cast(ReceiptReader, reader), evidence, event, value)
        passed, why = check_act(cast(ReceiptReader, reader), evidence, event, None)
        log = self.log_at(evidence.tx_hash, evidence.log_index)
        if passed and log is not None and str(log.args.get(str(key))) != str(value):
            return False, f"log {evidence.log_index} is about {key} {log.args.get(str(key))}"
        return passed, why

    def _decode(self, receipt: Any) -> list[ChainLog]:
        logs = []
        for entry in receipt["logs"]:
            contract = to_checksum_address(entry["address"])
            decoder = self._decoders.get(contract)
            if decoder is None:
                continue
            topics = [_hex(topic) for topic in entry["topics"]]
            decoded = decoder.decode(entry)  # the one decoder the clients and the indexer use
            name: str | None = None
            args: dict[str, Any] = {"topics": topics, "data": _hex(entry["data"])}
            if decoded is not None:
                name, args = decoded
            logs.append(
                ChainLog(
                    contract=contract,
                    tx_hash=_hex(entry["transactionHash"]),
                    tx_index=int(entry["transactionIndex"]),
                    block_number=int(entry["blockNumber"]),
                    block_hash=_hex(entry["blockHash"]),
                    log_index=int(entry["logIndex"]),
                    topic0=topics[0] if topics else None,
                    event=name,
                    args=args,
                )
            )
        return logs


class _CachedActs:
    """What ``contract_acts.check_act`` reads (``acts_of_transaction``), served from the reader's cache."""

    def __init__(self, reader: ChainReader, contract: str, chain_id: int) -> None:
        self._reader = reader
        self._contract = contract.lower()
        self._chain_id = chain_id

    def acts_of_transaction(self, tx_hash: str) -> tuple[ChainAct, ...] | None:
        logs = self._reader.logs(tx_hash)
        if logs is None:
            return None
        return tuple(
            ChainAct(
                event=log.event,
                args=log.args,
                evidence=ChainEvidence(
                    self._chain_id, log.contract, log.tx_hash, log.block_number, log.log_index
                ),
                block_timestamp=0,  # not read by check_act
            )
            for log in logs
            if log.contract.lower() == self._contract and log.event is not None
        )


def _hex(value: Any) -> str:
    if isinstance(value, str):
        return value.lower() if value.startswith("0x") else "0x" + value.lower()
    return "0x" + bytes(value).hex()
