"""The background work of a database, run by whichever of its processes holds the lease.

Anchoring (the batcher), the event indexer, background checkpoints and the recovery of work a dead
process left pending are singletons per database: two batchers would race for the same sealed
batches, two recoveries would relay the same pending registration. Every process serves requests;
only the one holding the lease (``ledger.sql.lease``) runs these tasks. The others ask for the lease
every ``retry_s`` seconds, so when the holder dies (its lease connection closes with it) another
process takes the tasks over within that time. A holder whose lease connection fails stops its tasks
at its next check: it can no longer be sure it is the only one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger("dataledger.leadership")


class Lease(Protocol):
    """A database-wide lease on the background work (``ledger.sql.lease``)."""

    @property
    def shared(self) -> bool:
        """Whether other processes can compete for it (PostgreSQL), so it must be retried and checked."""
        ...

    @property
    def held(self) -> bool: ...

    def try_acquire(self) -> bool:
        """Take the lease if it is free, or confirm this process still holds it."""
        ...

    def others_present(self) -> bool:
        """Whether another live process works on the same database."""
        ...

    def holder(self) -> str | None:
        """Who holds the lease, for operators; None when nobody does."""
        ...

    def close(self) -> None: ...


class BackgroundTask(Protocol):
    """One singleton task: ``start`` returns once it runs (in its own thread, if long-lived)."""

    @property
    def name(self) -> str: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class CallbackTask:
    """A task that starts and stops itself (the batcher has its own thread)."""

    name: str
    start: Callable[[], None]
    stop: Callable[[], None]


class ThreadTask:
    """A task run by ``body(stop)`` in a daemon thread until ``stop`` is set; ``first`` runs before
    the thread starts, in the caller's thread (so what it does is done when ``start`` returns)."""

    def __init__(
        self, name: str, body: Callable[[threading.Event], None], first: Callable[[], None] | None = None
    ) -> None:
        self.name = name
        self._body = body
        self._first = first
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def thread(self) -> threading.Thread | None:
        """The running thread, or None while the task is stopped."""
        return self._thread

    def start(self) -> None:
        if self._first is not None:
            try:
                self._first()
            except Exception:  # the thread retries: a failed first round must not cancel the task
                log.exception("background task %s: first round failed", self.name)
        self._stop = threading.Event()  # a new one: a thread that outlived its join keeps its own
        self._thread = threading.Thread(target=self._body, args=(self._stop,), name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=10)


class Leadership:
    """Runs its tasks while this process holds the lease, and tries to take the lease otherwise."""

    def __init__(self, lease: Lease, retry_s: float) -> None:
        self.lease = lease
        self._retry_s = retry_s
        self._tasks: list[BackgroundTask] = []
        self._lock = threading.RLock()
        self._leading = False
        self._acquisitions = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def leading(self) -> bool:
        """Whether this process runs the background work now."""
        return self._leading

    @property
    def acquisitions(self) -> int:
        """How many times this process has taken the lease (a task can tell its first start)."""
        return self._acquisitions

    def task(self, name: str) -> BackgroundTask | None:
        """The task called ``name``, if one was added (whether or not it runs now)."""
        return next((task for task in self._tasks if task.name == name), None)

    def add(self, task: BackgroundTask) -> None:
        """Run ``task`` whenever this process leads: at once if it does now."""
        with self._lock:
            self._tasks.append(task)
            if self._leading:
                self._start(task)

    def start(self) -> None:
        """Ask for the lease now (so a process that gets it recovers before it serves), then keep asking."""
        self.check()
        if self.lease.shared and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="lease", daemon=True)
            self._thread.start()

    def check(self) -> bool:
        """Take the lease if it is free, or confirm it; start or stop the tasks to match; ``leading``."""
        with self._lock:
            if self._stopping.is_set():
                return self._leading
            held = self.lease.try_acquire()
            if held and not self._leading:
                self._leading = True
                self._acquisitions += 1
                log.info("this process holds the lease: it runs the background work")
                for task in self._tasks:
                    self._start(task)
            elif not held and self._leading:
                self._leading = False
                log.warning("this process lost the lease: its background work stops")
                self._stop_tasks()
            return self._leading

    def take_for_shutdown(self) -> bool:
        """Stop asking for the lease; True if this process holds it, or could take it now (to drain).

        Taken here, the lease starts no task: the caller finishes the work and closes."""
        self._stopping.set()
        with self._lock:
            if not self._leading and self.lease.try_acquire():
                self._leading = True
            return self._leading

    def close(self) -> None:
        """Stop the tasks, stop asking, give the lease up."""
        self._stopping.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=30)
        with self._lock:
            if self._leading:
                self._stop_tasks()
            self._leading = False
            self.lease.close()

    def _start(self, task: BackgroundTask) -> None:
        try:
            task.start()
        except Exception:  # one task's failure must not keep the others from running
            log.exception("background task %s failed to start", task.name)

    def _stop_tasks(self) -> None:
        for task in reversed(self._tasks):
            try:
                task.stop()
            except Exception:
                log.exception("background task %s failed to stop", task.name)

    def _run(self) -> None:
        while not self._stopping.wait(self._retry_s):
            try:
                self.check()
            except Exception:  # a check that fails is retried; the lease itself fails safe (not held)
                log.exception("lease check failed")
