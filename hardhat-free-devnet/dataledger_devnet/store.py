"""The on-disk key-value store of a devnet: one LMDB environment with three named databases.

* ``evm``: py-evm's own keys (trie nodes, headers, canonical lookups), exposed through
  :attr:`Store.evm` as a py-evm ``AtomicDatabaseAPI``;
* ``index``: the devnet's query indexes (``indexes.py``);
* ``meta``: small settings and runtime state (chain id, clock offset, snapshots, mempool).

Every mutation happens inside :meth:`Store.write`, one LMDB write transaction committed at the end
(fsync'd unless ``sync=False``). A block, its indexes and the clock therefore land on disk together or
not at all: a ``kill -9`` at any moment leaves the chain at the last fully mined block. Writes outside
a write scope are refused, which is how the chain proves it never mutates state half-way.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import lmdb
from eth.db.backends.base import BaseAtomicDB

from dataledger_devnet.errors import DataDirInUse

DbName = Literal["evm", "index", "meta"]

# Address space only: LMDB maps the file lazily and the file grows with the data, not with this.
DEFAULT_MAP_SIZE = 256 * 2**30
LOCK_FILE = "devnet.lock"


class StoreClosed(RuntimeError):
    """The store was used after :meth:`Store.close`."""


class Store:
    """An LMDB environment in ``path`` held exclusively by this process.

    Not thread-safe by itself: the chain serialises every call with its lock.
    """

    def __init__(self, path: Path, *, sync: bool = True, map_size: int = DEFAULT_MAP_SIZE) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock_file = _lock_directory(self.path)
        try:
            self._env = lmdb.open(
                str(self.path),
                subdir=True,
                map_size=map_size,
                max_dbs=3,
                sync=sync,
                metasync=sync,
                readahead=False,
            )
        except BaseException:
            self._lock_file.close()
            raise
        self._dbs = {name: self._env.open_db(name.encode()) for name in ("evm", "index", "meta")}
        self._txns: list[lmdb.Transaction] = []
        self._read_txn: lmdb.Transaction | None = None
        self.evm = EvmKeyValue(self)

    # -- transactions ---------------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[None]:
        """One atomic write scope; nested scopes are LMDB child transactions (rolled back alone)."""
        if self._env is None:
            raise StoreClosed(str(self.path))
        if not self._txns:
            self._drop_read_txn()
        parent = self._txns[-1] if self._txns else None
        txn = self._env.begin(write=True, parent=parent)
        self._txns.append(txn)
        try:
            yield
        except BaseException:
            self._txns.pop()
            txn.abort()
            raise
        else:
            self._txns.pop()
            txn.commit()

    @property
    def in_write(self) -> bool:
        return bool(self._txns)

    def _reader(self) -> lmdb.Transaction:
        if self._txns:
            return self._txns[-1]
        if self._env is None:
            raise StoreClosed(str(self.path))
        if self._read_txn is None:
            self._read_txn = self._env.begin(write=False)
        return self._read_txn

    def _writer(self) -> lmdb.Transaction:
        if not self._txns:
            raise RuntimeError("devnet store written outside a write scope")
        return self._txns[-1]

    def _drop_read_txn(self) -> None:
        if self._read_txn is not None:
            self._read_txn.abort()
            self._read_txn = None

    # -- key/value --------------------------------------------------------------------------------

    def get(self, db: DbName, key: bytes) -> bytes | None:
        return self._reader().get(key, db=self._dbs[db])

    def put(self, db: DbName, key: bytes, value: bytes) -> None:
        self._writer().put(key, value, db=self._dbs[db])

    def delete(self, db: DbName, key: bytes) -> bool:
        return self._writer().delete(key, db=self._dbs[db])

    def scan(self, db: DbName, start: bytes, stop: bytes) -> Iterator[tuple[bytes, bytes]]:
        """Items with ``start <= key < stop`` in key order."""
        cursor = self._reader().cursor(db=self._dbs[db])
        if not cursor.set_range(start):
            return
        for key, value in cursor.iternext():
            if key >= stop:
                return
            yield key, value

    def keys_between(self, db: DbName, start: bytes, stop: bytes) -> list[bytes]:
        return [key for key, _ in self.scan(db, start, stop)]

    def disk_bytes(self) -> int:
        return os.path.getsize(self.path / "data.mdb")

    def close(self) -> None:
        if self._env is None:
            return
        self._drop_read_txn()
        for txn in reversed(self._txns):
            txn.abort()
        self._txns.clear()
        self._env.close()
        self._env = None  # type: ignore[assignment]
        self._lock_file.close()


class EvmKeyValue(BaseAtomicDB):
    """py-evm's database interface over the ``evm`` named database of a :class:`Store`."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __getitem__(self, key: bytes) -> bytes:
        value = self._store.get("evm", key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._store.put("evm", key, value)

    def __delitem__(self, key: bytes) -> None:
        if not self._store.delete("evm", key):
            raise KeyError(key)

    def _exists(self, key: bytes) -> bool:
        return self._store.get("evm", key) is not None

    @contextmanager
    def atomic_batch(self) -> Iterator[EvmKeyValue]:  # type: ignore[override]
        # A child transaction gives py-evm's "all or nothing" batch semantics inside the block's
        # own write scope.
        with self._store.write():
            yield self


def _lock_directory(path: Path):  # type: ignore[no-untyped-def]
    lock_file = open(path / LOCK_FILE, "a+b")  # noqa: SIM115 - held open for the store's lifetime
    try:
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock_file.close()
        raise DataDirInUse(f"the devnet data directory {path} is in use by another process") from None
    return lock_file
