"""Query indexes over the canonical chain, kept in the store's ``index`` database.

Written in the same write scope as the block they describe, so they can never disagree with the
chain on disk. Keys (block numbers big-endian, so key order is block order):

* ``t`` + tx hash               -> block number, tx index, block hash
* ``l`` + block                 -> every log of the block (RLP), only for blocks that have logs
* ``a`` + address + block       -> empty: the block has logs emitted by ``address``
* ``k`` + topic0 + block        -> empty: the block has logs whose first topic is ``topic0``

``eth_getLogs`` walks the narrowest of the ``a``/``k``/``l`` ranges and decodes only the blocks it
finds there, instead of every receipt in the range.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import rlp
from eth.abc import BlockAPI, ReceiptAPI

from dataledger_devnet.store import Store

_TX = b"t"
_LOGS = b"l"
_ADDRESS = b"a"
_TOPIC0 = b"k"
_BLOCK = struct.Struct(">Q")
_TX_LOCATION = struct.Struct(">QI")


@dataclass(frozen=True)
class TxLocation:
    block_number: int
    index: int
    block_hash: bytes


@dataclass(frozen=True)
class LogRecord:
    block_number: int
    block_hash: bytes
    tx_index: int
    tx_hash: bytes
    log_index: int  # position among all logs of the block
    address: bytes
    topics: tuple[bytes, ...]
    data: bytes


@dataclass(frozen=True)
class LogFilter:
    """``eth_getLogs`` criteria: inclusive block range, any-of addresses, positional topic sets.

    ``topics[i]`` is ``None`` (any) or the set of accepted values at position ``i``.
    """

    from_block: int
    to_block: int
    addresses: frozenset[bytes] = frozenset()
    topics: tuple[frozenset[bytes] | None, ...] = ()

    def matches(self, address: bytes, topics: Sequence[bytes]) -> bool:
        if self.addresses and address not in self.addresses:
            return False
        if len(self.topics) > len(topics):
            return False
        return all(
            wanted is None or topic in wanted for wanted, topic in zip(self.topics, topics, strict=False)
        )


class ChainIndex:
    def __init__(self, store: Store) -> None:
        self._store = store

    # -- writing (inside the block's write scope) ------------------------------------------------

    def record_block(self, block: BlockAPI, receipts: Sequence[ReceiptAPI]) -> None:
        number = _BLOCK.pack(block.number)
        entries = []
        addresses: set[bytes] = set()
        topics0: set[bytes] = set()
        for tx_index, (tx, receipt) in enumerate(zip(block.transactions, receipts, strict=True)):
            self._store.put("index", _TX + tx.hash, _TX_LOCATION.pack(block.number, tx_index) + block.hash)
            for log in receipt.logs:
                topics = [topic.to_bytes(32, "big") for topic in log.topics]
                entries.append([tx_index, tx.hash, log.address, topics, log.data])
                addresses.add(log.address)
                if topics:
                    topics0.add(topics[0])
        if not entries:
            return
        self._store.put("index", _LOGS + number, rlp.encode([block.hash, entries]))
        for address in addresses:
            self._store.put("index", _ADDRESS + address + number, b"")
        for topic in topics0:
            self._store.put("index", _TOPIC0 + topic + number, b"")

    def forget_block(self, block_number: int, tx_hashes: Iterable[bytes]) -> None:
        """Drop everything recorded for a block that is no longer canonical."""
        for tx_hash in tx_hashes:
            self._store.delete("index", _TX + tx_hash)
        number = _BLOCK.pack(block_number)
        for record in self._block_logs(block_number):
            self._store.delete("index", _ADDRESS + record.address + number)
            if record.topics:
                self._store.delete("index", _TOPIC0 + record.topics[0] + number)
        self._store.delete("index", _LOGS + number)

    # -- reading ------------------------------------------------------------------------------------

    def tx_location(self, tx_hash: bytes) -> TxLocation | None:
        raw = self._store.get("index", _TX + tx_hash)
        if raw is None:
            return None
        block_number, index = _TX_LOCATION.unpack_from(raw)
        return TxLocation(block_number, index, raw[_TX_LOCATION.size :])

    def logs(self, criteria: LogFilter) -> list[LogRecord]:
        if criteria.from_block > criteria.to_block:
            return []
        found = []
        for block_number in self._candidate_blocks(criteria):
            found.extend(
                record
                for record in self._block_logs(block_number)
                if criteria.matches(record.address, record.topics)
            )
        return found

    def _candidate_blocks(self, criteria: LogFilter) -> list[int]:
        lo, hi = _BLOCK.pack(criteria.from_block), _BLOCK.pack(criteria.to_block + 1)
        if criteria.addresses:
            prefixes = [_ADDRESS + address for address in criteria.addresses]
        elif criteria.topics and criteria.topics[0] is not None:
            prefixes = [_TOPIC0 + topic for topic in criteria.topics[0]]
        else:
            prefixes = [_LOGS]
        blocks: set[int] = set()
        for prefix in prefixes:
            for key in self._store.keys_between("index", prefix + lo, prefix + hi):
                blocks.add(_BLOCK.unpack_from(key, len(prefix))[0])
        return sorted(blocks)

    def _block_logs(self, block_number: int) -> list[LogRecord]:
        raw = self._store.get("index", _LOGS + _BLOCK.pack(block_number))
        if raw is None:
            return []
        block_hash, entries = rlp.decode(raw)
        return [
            LogRecord(
                block_number=block_number,
                block_hash=block_hash,
                tx_index=int.from_bytes(tx_index, "big"),
                tx_hash=tx_hash,
                log_index=log_index,
                address=address,
                topics=tuple(topics),
                data=data,
            )
            for log_index, (tx_index, tx_hash, address, topics, data) in enumerate(entries)
        ]
