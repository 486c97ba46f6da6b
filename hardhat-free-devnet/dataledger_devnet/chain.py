"""A persistent devnet chain: py-evm over the LMDB store, with automine, a clock and snapshots.

:func:`open_chain` resumes the chain found in a data directory at its head (the state is on disk, no
history is replayed) or creates genesis. Every mutation (mining, clock, snapshot, mempool) runs in one
store write scope, so disk always holds whole blocks with their indexes. All methods are serialised by
:attr:`DevnetChain.lock`; the JSON-RPC dispatcher holds it for a whole request.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import rlp
from eth.abc import BlockAPI, BlockHeaderAPI, ReceiptAPI, SignedTransactionAPI, StateAPI
from eth.db.schema import SchemaV1
from eth.exceptions import HeaderNotFound
from eth.rlp.sedes import chain_gaps
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth_hash.auto import keccak
from eth_utils import ValidationError

from dataledger_devnet.accounts import DevAccount, dev_accounts
from dataledger_devnet.call_request import CallRequest
from dataledger_devnet.clock import Clock
from dataledger_devnet.errors import ChainConfigMismatch, InvalidTimestamp, TransactionRejected, UnknownBlock
from dataledger_devnet.execution import Executor
from dataledger_devnet.genesis import DevnetMiningChain, chain_class, create_genesis
from dataledger_devnet.indexes import ChainIndex, LogFilter, LogRecord
from dataledger_devnet.mempool import Mempool
from dataledger_devnet.signing import sign_request
from dataledger_devnet.snapshots import Snapshot, Snapshots
from dataledger_devnet.store import Store
from dataledger_devnet.tx_validation import check_admissible, decode_raw_transaction

DEFAULT_CHAIN_ID = 31337
STORE_FORMAT = b"1"

# A block reference: a tag ("latest", "earliest", "pending", "safe", "finalized"), a number or a hash.
BlockRef = str | int | bytes

_OPEN: weakref.WeakValueDictionary[Path, DevnetChain] = weakref.WeakValueDictionary()
_OPEN_LOCK = threading.Lock()


def open_chain(
    data_dir: str | Path,
    *,
    chain_id: int | None = None,
    sync: bool = True,
    wall: Callable[[], float] = time.time,
) -> DevnetChain:
    """Open (or create) the chain in ``data_dir``.

    ``chain_id`` defaults to the stored one, or 31337 for a new chain; a different stored id is an
    error. Opening a directory already open in this process returns the same chain (LMDB forbids two
    handles on one environment in a process); another process holding it raises ``DataDirInUse``.
    ``sync=False`` skips fsync: still crash-consistent for a killed process, not for a power cut.
    """
    path = Path(data_dir).resolve()
    with _OPEN_LOCK:
        chain = _OPEN.get(path)
        if chain is not None and not chain.closed:
            if chain_id is not None and chain_id != chain.chain_id:
                raise ChainConfigMismatch(f"{path} is open with chain id {chain.chain_id}, not {chain_id}")
            return chain
        chain = DevnetChain(path, chain_id=chain_id, sync=sync, wall=wall)
        _OPEN[path] = chain
        return chain


class DevnetChain:
    """The chain of one data directory. Use :func:`open_chain` rather than the constructor."""

    def __init__(self, path: Path, *, chain_id: int | None, sync: bool, wall: Callable[[], float]) -> None:
        self.lock = threading.RLock()
        self.store = Store(path, sync=sync)
        try:
            self.clock = Clock(self.store, wall)
            self.index = ChainIndex(self.store)
            self.mempool = Mempool(self.store)
            self.snapshots = Snapshots(self.store)
            self.accounts: tuple[DevAccount, ...] = dev_accounts()
            self._unlocked = {account.address: account for account in self.accounts}
            self.chain_id, self._evm = self._open_or_create(chain_id, wall)
        except BaseException:
            self.store.close()
            raise
        self.automine = True
        self.closed = False

    def _open_or_create(
        self, chain_id: int | None, wall: Callable[[], float]
    ) -> tuple[int, DevnetMiningChain]:
        stored = self.store.get("meta", b"chain_id")
        if stored is not None:
            if self.store.get("meta", b"format") != STORE_FORMAT:
                raise ChainConfigMismatch(f"{self.store.path} holds an unknown devnet store format")
            stored_id = int(stored)
            if chain_id is not None and chain_id != stored_id:
                raise ChainConfigMismatch(
                    f"{self.store.path} holds chain id {stored_id}; refusing to open it as {chain_id}"
                )
            return stored_id, chain_class(stored_id)(self.store.evm)
        chain_id = DEFAULT_CHAIN_ID if chain_id is None else chain_id
        with self.store.write():
            evm = create_genesis(self.store.evm, chain_class(chain_id), self.accounts, int(wall()))
            self.store.put("meta", b"chain_id", str(chain_id).encode())
            self.store.put("meta", b"format", STORE_FORMAT)
        return chain_id, evm

    def close(self) -> None:
        """Release the data directory (for every user of this chain in the process)."""
        with self.lock:
            if not self.closed:
                self.closed = True
                self.store.close()

    @property
    def dev_addresses(self) -> list[bytes]:
        return [account.address for account in self.accounts]

    # -- blocks ---------------------------------------------------------------------------------

    def head(self) -> BlockHeaderAPI:
        return self._evm.get_canonical_head()

    def header(self, ref: BlockRef | None) -> BlockHeaderAPI | None:
        """The canonical header ``ref`` names, or ``None``."""
        with self.lock:
            head = self.head()
            if ref is None or ref in ("latest", "pending", "safe", "finalized"):
                return head
            if ref == "earliest":
                ref = 0
            if isinstance(ref, int):
                if not 0 <= ref <= head.block_number:
                    return None
                return self._evm.get_canonical_block_header_by_number(ref)
            if isinstance(ref, bytes):
                try:
                    header = self._evm.get_block_header_by_hash(ref)
                except HeaderNotFound:
                    return None
                return header if self._is_canonical(header.block_number, header.hash) else None
            raise UnknownBlock(f"unknown block tag {ref!r}")

    def resolve(self, ref: BlockRef | None) -> BlockHeaderAPI:
        """Like :meth:`header`, but a missing block is an ``UnknownBlock`` error."""
        header = self.header(ref)
        if header is None:
            raise UnknownBlock(f"block {ref!r} not found")
        return header

    def block(self, header: BlockHeaderAPI) -> BlockAPI:
        return self._evm.get_block_by_header(header)

    def receipts(self, block: BlockAPI) -> tuple[ReceiptAPI, ...]:
        return block.get_receipts(self._evm.chaindb)

    def next_base_fee(self) -> int:
        return calculate_expected_base_fee_per_gas(self.head())

    def _is_canonical(self, number: int, block_hash: bytes) -> bool:
        if number > self.head().block_number:
            return False
        try:
            return self._evm.get_canonical_block_hash(number) == block_hash
        except HeaderNotFound:
            return False

    # -- transactions, logs ----------------------------------------------------------------------

    def transaction(self, tx_hash: bytes) -> tuple[BlockAPI, int] | None:
        """The canonical block holding ``tx_hash`` and the transaction's index in it."""
        with self.lock:
            location = self.index.tx_location(tx_hash)
            if location is None or not self._is_canonical(location.block_number, location.block_hash):
                return None
            block = self.block(self._evm.get_block_header_by_hash(location.block_hash))
            return block, location.index

    def pending_transactions(self) -> list[SignedTransactionAPI]:
        with self.lock:
            return [self._decode(raw) for raw in self.mempool.raw_transactions()]

    def logs(self, criteria: LogFilter) -> list[LogRecord]:
        with self.lock:
            head = self.head().block_number
            bounded = LogFilter(
                criteria.from_block, min(criteria.to_block, head), criteria.addresses, criteria.topics
            )
            return self.index.logs(bounded)

    # -- state ------------------------------------------------------------------------------------

    def state(self, ref: BlockRef | None = "latest") -> StateAPI:
        """The account state after block ``ref`` (read-only use)."""
        with self.lock:
            return self._evm.get_vm(self.resolve(ref)).state

    def pending_nonce(self, address: bytes, state: StateAPI | None = None) -> int:
        """The next nonce of ``address``: its nonce at the head plus its transactions in the mempool."""
        with self.lock:
            queued = sum(1 for tx in self.pending_transactions() if tx.sender == address)
            return (state or self.state()).get_nonce(address) + queued

    def call(self, request: CallRequest, ref: BlockRef | None = "latest") -> bytes:
        with self.lock:
            return self._executor(ref).call(request)

    def estimate_gas(self, request: CallRequest, ref: BlockRef | None = "latest") -> int:
        with self.lock:
            return self._executor(ref).estimate_gas(request)

    def _executor(self, ref: BlockRef | None) -> Executor:
        parent = self.resolve(ref)
        return Executor(self._evm, parent, self.clock.block_timestamp(parent.timestamp))

    # -- submitting and mining --------------------------------------------------------------------

    def send_raw_transaction(self, raw: bytes) -> bytes:
        """Admit a signed transaction; with automine it is mined into its own block before returning."""
        with self.lock:
            tx = self._decode(raw)
            if self.index.tx_location(tx.hash) is not None or raw in self.mempool.raw_transactions():
                raise TransactionRejected("already known")
            head = self.head()
            state = self._evm.get_vm(head).state
            check_admissible(
                tx,
                chain_id=self.chain_id,
                state=state,
                expected_nonce=self.pending_nonce(tx.sender, state),
                base_fee=calculate_expected_base_fee_per_gas(head),
                gas_limit=head.gas_limit,
            )
            with self._mutation():
                if self.automine:
                    self._mine([tx], strict=True)
                else:
                    self.mempool.add(raw)
            return tx.hash

    def send_transaction(self, request: CallRequest) -> bytes:
        """Sign ``request`` with its unlocked dev account (filling nonce, gas, fees) and send it."""
        with self.lock:
            account = self._unlocked.get(request.sender or b"")
            if account is None:
                raise TransactionRejected("unknown account")
            if request.chain_id is not None and request.chain_id != self.chain_id:
                raise TransactionRejected(f"invalid chain id: have {request.chain_id} want {self.chain_id}")
            raw = sign_request(
                request,
                account,
                chain_id=self.chain_id,
                nonce=self.pending_nonce(account.address) if request.nonce is None else request.nonce,
                gas=request.gas or self.estimate_gas(request, "pending"),
                base_fee=self.next_base_fee(),
            )
            return self.send_raw_transaction(raw)

    def mine(self, blocks: int = 1, timestamp: int | None = None, interval: int = 1) -> list[BlockAPI]:
        """Mine ``blocks`` blocks (the first takes the mempool); ``timestamp`` pins the first one."""
        with self.lock, self._mutation():
            pending = [self._decode(raw) for raw in self.mempool.raw_transactions()]
            self.mempool.clear()
            mined = [self._mine(pending, strict=False, timestamp=timestamp)]
            for _ in range(blocks - 1):
                mined.append(self._mine([], strict=False, timestamp=mined[-1].header.timestamp + interval))
            return mined

    def _mine(
        self, txs: Sequence[SignedTransactionAPI], *, strict: bool, timestamp: int | None = None
    ) -> BlockAPI:
        parent = self.head()
        if timestamp is None:
            timestamp = self.clock.block_timestamp(parent.timestamp)
        elif timestamp <= parent.timestamp:
            raise InvalidTimestamp(f"timestamp {timestamp} is not after the head block's {parent.timestamp}")
        evm = self._evm
        # prevrandao: deterministic per parent, so the same history always gives the same chain
        evm.header = evm.create_header_from_parent(parent, timestamp=timestamp, mix_hash=keccak(parent.hash))
        receipts = []
        for tx in txs:
            try:
                with self.store.write():  # a transaction that cannot be included rolls back alone
                    _, receipt, _ = evm.apply_transaction(tx)
            except ValidationError as exc:
                if strict:
                    raise TransactionRejected(str(exc)) from None
                continue
            receipts.append(receipt)
        block = evm.mine_block()
        self.index.record_block(block, receipts)
        self.clock.block_mined(timestamp)
        return block

    @contextmanager
    def _mutation(self) -> Iterator[None]:
        try:
            with self.store.write():
                yield
        except BaseException:
            # the write was rolled back: rebuild the in-memory pending header from disk
            self._evm.header = self._evm.create_header_from_parent(self.head())
            raise

    def _decode(self, raw: bytes) -> SignedTransactionAPI:
        return decode_raw_transaction(self._evm.get_vm(), raw)

    # -- clock and snapshots ----------------------------------------------------------------------

    def increase_time(self, seconds: int) -> int:
        with self.lock, self._mutation():
            return self.clock.increase(seconds)

    def set_next_block_timestamp(self, timestamp: int) -> None:
        with self.lock, self._mutation():
            self.clock.pin_next(timestamp, self.head().timestamp)

    def snapshot(self) -> int:
        with self.lock, self._mutation():
            return self.snapshots.take(Snapshot(self.head().hash, self.clock.offset))

    def revert(self, snapshot_id: int) -> bool:
        """Rewind head, state and clock to snapshot ``snapshot_id``, discarding later blocks for good."""
        with self.lock:
            snapshot = self.snapshots.get(snapshot_id)
            if snapshot is None:
                return False
            target = self.header(snapshot.head_hash)
            if target is None:
                return False
            with self._mutation():
                self._rewind_to(target)
                self.clock.set_offset(snapshot.clock_offset)
                self.clock.clear_pin()
                self.mempool.clear()
                self.snapshots.consume(snapshot_id)
            self._evm.header = self._evm.create_header_from_parent(self.head())
            return True

    def _rewind_to(self, target: BlockHeaderAPI) -> None:
        # py-evm only ever moves the head forward; un-canonicalise the discarded blocks by hand so that
        # number, transaction and log lookups forget them.
        db = self.store.evm
        for number in range(target.block_number + 1, self.head().block_number + 1):
            header = self._evm.get_canonical_block_header_by_number(number)
            tx_hashes = self._evm.chaindb.get_block_transaction_hashes(header)
            self.index.forget_block(number, tx_hashes)
            for tx_hash in tx_hashes:
                db.delete(SchemaV1.make_transaction_hash_to_block_lookup_key(tx_hash))
            db.delete(SchemaV1.make_block_number_to_hash_lookup_key(number))
        db[SchemaV1.make_canonical_head_hash_lookup_key()] = target.hash
        gaps = rlp.encode(((), target.block_number + 1), sedes=chain_gaps)
        db[SchemaV1.make_chain_gaps_lookup_key()] = gaps
        db[SchemaV1.make_header_chain_gaps_lookup_key()] = gaps
