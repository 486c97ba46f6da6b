"""The event indexer: contract events copied from the chain into SQL, following the chain's head.

User queries never scan logs on the chain (a log scan is slow and grows with history); they read the
``chain_events`` table through :class:`EventIndex`. :class:`EventIndexer` fills it:

* it indexes up to ``head - confirmations``, fetching logs with ``eth_getLogs`` by contract address
  over ranges of ``batch_blocks`` blocks;
* each range (its events, the block hashes seen, the cursor) is written in ONE database transaction,
  so a crash never leaves half a range, and a restart continues from the cursor without missing or
  doubling an event;
* before indexing it compares the stored block hashes with the chain's; after a reorganisation it
  walks back to the common ancestor, deletes everything above it and indexes the new chain again.

Reorgs are detected exactly within the last ``reorg_window`` blocks (their headers are stored) and,
deeper down, through the block hashes of the stored events.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address
from sqlalchemy import delete, func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select
from web3 import Web3
from web3.exceptions import BlockNotFound, Web3RPCError

from dataledger.ledger.chain.event_decoding import EventDecoder
from dataledger.ledger.chain.transactions import unavailable_on_connection_errors
from dataledger.ledger.sql.index_tables import INDEX_TABLES, ChainEventRow, IndexedBlockRow, IndexerCursorRow
from dataledger.ledger.sql.tables import utcnow
from dataledger.registry.canonical import canonical_json
from dataledger.registry.errors import DataLedgerError, ValidationFailed

log = logging.getLogger(__name__)

DEFAULT_REORG_WINDOW = 64


# -- results and records ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexedEvent:
    """One stored contract event. ``event`` is None for a log the contract's ABI does not describe."""

    chain_id: int
    contract: str
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int
    event: str | None
    args: dict[str, Any]
    asset_id: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "chainId": self.chain_id,
            "contract": self.contract,
            "blockNumber": self.block_number,
            "blockHash": self.block_hash,
            "txHash": self.tx_hash,
            "logIndex": self.log_index,
            "event": self.event,
            "args": self.args,
            "assetId": self.asset_id,
        }


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What one :meth:`EventIndexer.sync` pass did (``from_block``/``to_block`` None: nothing indexed)."""

    head: int
    target: int
    events_added: int = 0
    events_rolled_back: int = 0
    from_block: int | None = None
    to_block: int | None = None
    reorg_depth: int = 0
    common_ancestor: int | None = None
    complete: bool = True  # False if the pass stopped early (chain moved, stop requested, other indexer)


class _StopPass(Exception):
    """The chain moved under the pass, or another indexer wrote first: stop, the next pass resumes."""


# -- queries (SQL only) -----------------------------------------------------------------------------


class EventIndex:
    """Read-only queries on the indexed events. Never touches the chain."""

    def __init__(self, engine: Engine, chain_id: int | None = None) -> None:
        self._engine = engine
        self._chain_id = chain_id

    def events(
        self,
        chain_id: int | None = None,
        contract: str | None = None,
        event: str | None = None,
        asset_id: str | None = None,
        from_block: int | None = None,
        to_block: int | None = None,
        *,
        tx_hash: str | None = None,
        limit: int | None = 100,
        offset: int = 0,
    ) -> list[IndexedEvent]:
        """Stored events in chain order, filtered; ``chain_id`` defaults to the indexer's chain."""
        query = select(ChainEventRow).where(ChainEventRow.chain_id == self._chain(chain_id))
        if contract is not None:
            query = query.where(ChainEventRow.contract == _checksum(contract))
        if event is not None:
            query = query.where(ChainEventRow.event == event)
        if asset_id is not None:
            query = query.where(ChainEventRow.asset_id == asset_id.lower())
        if tx_hash is not None:
            query = query.where(ChainEventRow.tx_hash == tx_hash.lower())
        if from_block is not None:
            query = query.where(ChainEventRow.block_number >= from_block)
        if to_block is not None:
            query = query.where(ChainEventRow.block_number <= to_block)
        query = query.order_by(col(ChainEventRow.block_number), col(ChainEventRow.log_index)).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with Session(self._engine) as session:
            return [_indexed_event(row) for row in session.exec(query)]

    def event_at(self, tx_hash: str, log_index: int, *, chain_id: int | None = None) -> IndexedEvent | None:
        """The stored event emitted by ``tx_hash`` at ``log_index``, if any."""
        query = select(ChainEventRow).where(
            ChainEventRow.chain_id == self._chain(chain_id),
            ChainEventRow.tx_hash == tx_hash.lower(),
            ChainEventRow.log_index == log_index,
        )
        with Session(self._engine) as session:
            row = session.exec(query).first()
        return _indexed_event(row) if row else None

    def cursor(self, contract: str, *, chain_id: int | None = None) -> int | None:
        """The last block whose events of ``contract`` are all stored, or None if never indexed."""
        with Session(self._engine) as session:
            row = session.get(IndexerCursorRow, (self._chain(chain_id), _checksum(contract)))
        return None if row is None else int(row.block_number)

    def _chain(self, chain_id: int | None) -> int:
        if chain_id is not None:
            return chain_id
        if self._chain_id is None:
            raise ValidationFailed("a chain id is needed to query the event index", field="chain_id")
        return self._chain_id


# -- the indexer ------------------------------------------------------------------------------------


class EventIndexer:
    """Keeps ``chain_events`` equal to the logs of ``contracts`` up to head - confirmations.

    ``engine_or_store`` is a SQLAlchemy engine or anything with an ``engine`` (``SqlStore``);
    ``contracts`` lists (address, ABI) pairs; ``start_block`` (e.g. the deployment block) skips history
    the contracts cannot have.
    """

    def __init__(
        self,
        w3: Web3,
        engine_or_store: Engine | Any,
        contracts: Sequence[tuple[str, Sequence[Mapping[str, Any]]]],
        confirmations: int = 0,
        batch_blocks: int = 2000,
        *,
        start_block: int = 0,
        reorg_window: int = DEFAULT_REORG_WINDOW,
    ) -> None:
        if confirmations < 0 or batch_blocks < 1 or start_block < 0 or reorg_window < 1:
            raise ValidationFailed("confirmations and start block must be >= 0, batch and window >= 1")
        if not contracts:
            raise ValidationFailed("the indexer needs at least one contract", field="contracts")
        self._w3 = w3
        self._engine: Engine = (
            engine_or_store if isinstance(engine_or_store, Engine) else engine_or_store.engine
        )
        SQLModel.metadata.create_all(self._engine, tables=list(INDEX_TABLES))
        with unavailable_on_connection_errors():
            self._chain_id = int(w3.eth.chain_id)
        self._decoders = {_checksum(address): EventDecoder(w3.codec, abi) for address, abi in contracts}
        self._abis = {_checksum(address): list(abi) for address, abi in contracts}
        self._confirmations = confirmations
        self._batch = batch_blocks
        self._start = start_block
        self._window = reorg_window
        self.index = EventIndex(self._engine, self._chain_id)
        self._lock = threading.Lock()  # one pass at a time per indexer (sync() beside run_forever)

    @property
    def chain_id(self) -> int:
        return self._chain_id

    @property
    def contracts(self) -> list[str]:
        return list(self._decoders)

    @property
    def followed(self) -> list[tuple[str, list[Mapping[str, Any]]]]:
        """Each followed contract's address and ABI."""
        return list(self._abis.items())

    def events(self, chain_id: int | None = None, **filters: Any) -> list[IndexedEvent]:
        """Shortcut for ``self.index.events(...)`` (SQL only)."""
        return self.index.events(chain_id, **filters)

    # -- following the chain ----------------------------------------------------------------------

    def sync(self) -> SyncResult:
        """One pass: undo a reorganisation if there was one, then index up to head - confirmations."""
        return self._sync(lambda: False)

    def run_forever(self, stop_event: threading.Event, poll_s: float = 1.0) -> None:
        """Sync every ``poll_s`` seconds until ``stop_event`` is set (for a background thread).

        Errors are logged and retried at the next poll: a node that is briefly away must not end the
        indexer.
        """
        while not stop_event.is_set():
            try:
                self._sync(stop_event.is_set)
            except DataLedgerError as exc:
                log.warning("indexer pass failed: %s", exc.diagnostics())
            except Exception:
                log.exception("indexer pass failed")
            stop_event.wait(poll_s)

    def _sync(self, should_stop: Callable[[], bool]) -> SyncResult:
        with self._lock, unavailable_on_connection_errors():
            head = int(self._w3.eth.block_number)
            depth, ancestor, rolled_back = self._undo_reorg()
            target = head - self._confirmations
            next_blocks = self._next_blocks()
            first = min(next_blocks.values())
            added, low, high, complete = 0, None, None, True
            block = first
            while block <= target:
                if should_stop():
                    complete = False
                    break
                end = min(block + self._batch - 1, target)
                try:
                    added += self._apply_range(block, end, target, next_blocks)
                except _StopPass as reason:
                    log.info("indexer pass stopped at block %d: %s", block, reason)
                    complete = False
                    break
                low, high = (block if low is None else low), end
                block = end + 1
            self._prune(target)
        return SyncResult(
            head=head,
            target=target,
            events_added=added,
            events_rolled_back=rolled_back,
            from_block=low,
            to_block=high,
            reorg_depth=depth,
            common_ancestor=ancestor,
            complete=complete,
        )

    def _next_blocks(self) -> dict[str, int]:
        with Session(self._engine) as session:
            rows = session.exec(
                select(IndexerCursorRow).where(
                    IndexerCursorRow.chain_id == self._chain_id,
                    IndexerCursorRow.contract.in_(list(self._decoders)),  # type: ignore[attr-defined]
                )
            ).all()
        cursors = {row.contract: int(row.block_number) for row in rows}
        return {address: self._next_after(cursors.get(address)) for address in self._decoders}

    def _next_after(self, cursor: int | None) -> int:
        return self._start if cursor is None else max(cursor + 1, self._start)

    # -- one range, one transaction ---------------------------------------------------------------

    def _apply_range(self, start: int, end: int, target: int, next_blocks: dict[str, int]) -> int:
        addresses = [address for address, nxt in next_blocks.items() if nxt <= end]
        logs = [
            entry
            for entry in self._get_logs(addresses, start, end)
            if not entry.get("removed", False)
            and _checksum(entry["address"]) in addresses
            and int(entry["blockNumber"]) >= next_blocks[_checksum(entry["address"])]
        ]
        headers = self._headers(range(max(start, target - self._window + 1), end + 1), end)
        for entry in logs:
            number = int(entry["blockNumber"])
            if number in headers and _hex(entry["blockHash"]) != headers[number][0]:
                raise _StopPass(f"block {number} changed while its logs were read")
        rows = [self._event_row(entry) for entry in logs]
        with Session(self._engine) as session:
            self._check_cursors_unchanged(session, addresses, next_blocks)
            self._check_links(session, headers)
            for row in rows:
                session.add(row)
            for number, (block_hash, parent_hash) in headers.items():
                session.merge(
                    IndexedBlockRow(
                        chain_id=self._chain_id, number=number, hash=block_hash, parent_hash=parent_hash
                    )
                )
            for address in addresses:
                session.merge(
                    IndexerCursorRow(
                        chain_id=self._chain_id,
                        contract=address,
                        block_number=end,
                        block_hash=headers[end][0],
                        updated_at=utcnow(),
                    )
                )
            try:
                session.commit()
            except IntegrityError:
                raise _StopPass("another indexer stored this range first") from None
        for address in addresses:
            next_blocks[address] = end + 1
        return len(rows)

    def _check_cursors_unchanged(
        self, session: Session, addresses: list[str], next_blocks: dict[str, int]
    ) -> None:
        rows = session.exec(
            select(IndexerCursorRow)
            .where(
                IndexerCursorRow.chain_id == self._chain_id,
                IndexerCursorRow.contract.in_(addresses),  # type: ignore[attr-defined]
            )
            .with_for_update()
        ).all()
        stored = {row.contract: int(row.block_number) for row in rows}
        for address in addresses:
            if self._next_after(stored.get(address)) != next_blocks[address]:
                raise _StopPass("another indexer moved the cursor")

    def _check_links(self, session: Session, headers: dict[int, tuple[str, str]]) -> None:
        """The new headers must chain to each other and to the stored block below them."""
        numbers = sorted(headers)
        below = session.get(IndexedBlockRow, (self._chain_id, numbers[0] - 1))
        if below is not None and headers[numbers[0]][1] != below.hash:
            raise _StopPass(f"block {numbers[0]} does not extend the stored block below it")
        for lower, upper in itertools.pairwise(numbers):
            if upper == lower + 1 and headers[upper][1] != headers[lower][0]:
                raise _StopPass(f"block {upper} does not extend block {lower}")

    def _get_logs(self, addresses: list[str], start: int, end: int) -> list[Any]:
        try:
            checksummed = cast(list[ChecksumAddress], addresses)  # every address went through _checksum
            return list(self._w3.eth.get_logs({"address": checksummed, "fromBlock": start, "toBlock": end}))
        except Web3RPCError:
            # Nodes cap the range or the result size of eth_getLogs; halve the range until it fits.
            if end <= start:
                raise
            middle = (start + end) // 2
            return self._get_logs(addresses, start, middle) + self._get_logs(addresses, middle + 1, end)

    def _headers(self, numbers: Iterable[int], end: int) -> dict[int, tuple[str, str]]:
        """(hash, parent hash) of the given blocks and of ``end``."""
        wanted = sorted({*numbers, end})
        headers: dict[int, tuple[str, str]] = {}
        for number in wanted:
            try:
                block = self._w3.eth.get_block(number)
            except BlockNotFound:
                raise _StopPass(f"block {number} is no longer on the chain") from None
            headers[number] = (_hex(block["hash"]), _hex(block["parentHash"]))
        return headers

    def _event_row(self, entry: Any) -> ChainEventRow:
        contract = _checksum(entry["address"])
        topics = [_hex(topic) for topic in entry["topics"]]
        decoded = self._decoders[contract].decode(entry)
        # A log the ABI does not describe keeps its raw topics and data.
        name, args = (
            decoded if decoded is not None else (None, {"topics": topics, "data": _hex(entry["data"])})
        )
        asset_id = args.get("assetId") if name is not None else None
        return ChainEventRow(
            chain_id=self._chain_id,
            contract=contract,
            block_number=int(entry["blockNumber"]),
            block_hash=_hex(entry["blockHash"]),
            tx_hash=_hex(entry["transactionHash"]),
            tx_index=int(entry["transactionIndex"]),
            log_index=int(entry["logIndex"]),
            topic0=topics[0] if topics else None,
            event=name,
            args_json=canonical_json(args).decode(),
            asset_id=asset_id.lower() if isinstance(asset_id, str) else None,
        )

    # -- reorganisations --------------------------------------------------------------------------

    def _undo_reorg(self) -> tuple[int, int | None, int]:
        """(depth, common ancestor, events deleted); (0, None, 0) when the stored blocks are on the chain."""
        with Session(self._engine) as session:
            known = session.exec(
                select(IndexedBlockRow.number, IndexedBlockRow.hash)
                .where(IndexedBlockRow.chain_id == self._chain_id)
                .order_by(IndexedBlockRow.number.desc())  # type: ignore[attr-defined]
            ).all()
        if not known:
            return 0, None, 0
        top = int(known[0][0])
        if self._on_chain(top, known[0][1]):
            return 0, None, 0
        ancestor = next((int(n) for n, h in known[1:] if self._on_chain(int(n), h)), None)
        if ancestor is None:
            ancestor = self._deep_ancestor(min(int(n) for n, _ in known))
        ancestor_hash = self._chain_hash(ancestor) if ancestor >= 0 else None
        with Session(self._engine) as session:
            above = col(ChainEventRow.block_number) > ancestor
            in_chain = col(ChainEventRow.chain_id) == self._chain_id
            rolled_back = session.exec(
                select(func.count()).select_from(ChainEventRow).where(in_chain, above)
            ).one()
            session.exec(delete(ChainEventRow).where(in_chain, above))
            session.exec(
                delete(IndexedBlockRow).where(
                    col(IndexedBlockRow.chain_id) == self._chain_id, col(IndexedBlockRow.number) > ancestor
                )
            )
            for cursor in session.exec(
                select(IndexerCursorRow).where(
                    IndexerCursorRow.chain_id == self._chain_id, IndexerCursorRow.block_number > ancestor
                )
            ):
                cursor.block_number, cursor.block_hash, cursor.updated_at = ancestor, ancestor_hash, utcnow()
                session.add(cursor)
            session.commit()
        log.warning("chain reorganisation: rolled back %d blocks above %d", top - ancestor, ancestor)
        return top - ancestor, ancestor, int(rolled_back)

    def _deep_ancestor(self, below: int) -> int:
        """Below the stored headers, the highest stored event block still on the chain (binary search:
        once a block is on the chain, all blocks under it are)."""
        with Session(self._engine) as session:
            blocks = session.exec(
                select(ChainEventRow.block_number, ChainEventRow.block_hash)
                .where(ChainEventRow.chain_id == self._chain_id, ChainEventRow.block_number < below)
                .distinct()
                .order_by(col(ChainEventRow.block_number))
            ).all()
        low, high, found = 0, len(blocks) - 1, -1
        while low <= high:
            middle = (low + high) // 2
            if self._on_chain(int(blocks[middle][0]), blocks[middle][1]):
                found, low = int(blocks[middle][0]), middle + 1
            else:
                high = middle - 1
        return found

    def _chain_hash(self, number: int) -> str | None:
        try:
            return _hex(self._w3.eth.get_block(number)["hash"])
        except BlockNotFound:
            return None

    def _on_chain(self, number: int, block_hash: str) -> bool:
        return self._chain_hash(number) == block_hash

    def _prune(self, target: int) -> None:
        """Forget headers below the reorg window, except the blocks cursors point at."""
        with Session(self._engine) as session:
            session.exec(
                delete(IndexedBlockRow).where(
                    col(IndexedBlockRow.chain_id) == self._chain_id,
                    col(IndexedBlockRow.number) < target - self._window,
                    IndexedBlockRow.number.not_in(  # type: ignore[attr-defined]
                        select(IndexerCursorRow.block_number).where(
                            IndexerCursorRow.chain_id == self._chain_id
                        )
                    ),
                )
            )
            session.commit()


def _indexed_event(row: ChainEventRow) -> IndexedEvent:
    return IndexedEvent(
        chain_id=int(row.chain_id),
        contract=row.contract,
        block_number=int(row.block_number),
        block_hash=row.block_hash,
        tx_hash=row.tx_hash,
        log_index=int(row.log_index),
        event=row.event,
        args=json.loads(row.args_json),
        asset_id=row.asset_id,
    )


def _hex(value: Any) -> str:
    if isinstance(value, str):
        return value.lower() if value.startswith("0x") else "0x" + value.lower()
    return "0x" + bytes(value).hex()


def _bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    return bytes(value)


def _checksum(address: str) -> str:
    return to_checksum_address(address)
