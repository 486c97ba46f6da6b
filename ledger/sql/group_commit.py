"""Group commit: write operations from many threads run in shared transactions by one writer thread.

A delivery is two small write transactions; sixteen threads each committing their own queue on
SQLite's one write lock (and on the GIL while they hold it), and each commit costs more than the
writes in it. Here each operation is handed to one writer thread, which runs every operation
waiting, one after another, each in a savepoint of one transaction, and commits them together. An
operation that raises rolls back its own savepoint only; its caller gets the exception, the others
their results, and every caller returns only once the transaction holding its writes is committed
(or gets the commit's error).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy.engine import Connection, Engine

T = TypeVar("T")
MAX_GROUP = 256


class _Pending(Generic[T]):
    __slots__ = ("done", "error", "operation", "savepoint", "value")

    def __init__(self, operation: Callable[[Connection], T], savepoint: bool) -> None:
        self.operation = operation
        self.savepoint = savepoint
        self.done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None


class GroupCommit:
    """One writer thread per engine, started on first use, stopped by :meth:`close`."""

    def __init__(self, engine: Engine, max_group: int = MAX_GROUP) -> None:
        self._engine = engine
        self._max_group = max_group
        self._queue: queue.SimpleQueue[_Pending[Any] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def run(self, operation: Callable[[Connection], T], *, savepoint: bool = True) -> T:
        """Run ``operation`` on a connection in a transaction; its result once that is committed.

        ``savepoint=False``: the operation runs no statement that can fail (it raises only after
        undoing its own writes), so it needs no savepoint, two round trips fewer on PostgreSQL."""
        pending: _Pending[T] = _Pending(operation, savepoint)
        self._ensure_started()
        self._queue.put(pending)
        pending.done.wait()
        if pending.error is not None:
            raise pending.error
        return pending.value  # type: ignore[return-value]

    def close(self) -> None:
        with self._start_lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(30)

    def _ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="group-commit", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            while len(group) < self._max_group:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # stop after this group
                    break
                group.append(item)
            self._commit(group)

    def _commit(self, group: list[_Pending[Any]]) -> None:
        try:
            with self._engine.begin() as conn:
                for pending in group:
                    if not pending.savepoint:
                        try:
                            pending.value = pending.operation(conn)
                        except Exception as error:  # the operation undid its writes: the others go on
                            pending.error = error
                        continue
                    savepoint = conn.begin_nested()
                    try:
                        pending.value = pending.operation(conn)
                    except BaseException as error:  # the caller's to handle; the others go on
                        savepoint.rollback()
                        pending.error = error
                    else:
                        savepoint.commit()
        except BaseException as error:  # the commit failed: nothing of the group was written
            for pending in group:
                if pending.error is None:
                    pending.error = error
        for pending in group:
            pending.done.set()
