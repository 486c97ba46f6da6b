"""A background thread that runs rounds: at once when notified, else after a pause; failures back off.

The anchor batcher (``ledger.workers.batcher``) and the use recorder (``ledger.workers.use_recorder``)
share it: each says what a round does and how long to wait when all is well.
"""

from __future__ import annotations

import logging
import threading

from dataledger.registry.errors import DataLedgerError

log = logging.getLogger(__name__)


class RoundWorker:
    """Runs ``_round`` in a daemon thread named ``thread_name`` until ``stop``; ``notify`` wakes it."""

    thread_name = "rounds"
    what = "a round"  # for the log: "<what> failed, retrying"

    def __init__(self, max_retry_pause_s: float) -> None:
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0
        self._max_retry_pause_s = max_retry_pause_s

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop after the current round."""
        thread = self._thread
        if thread is None:
            return
        self._stopping.set()
        self._wake.set()
        thread.join(timeout_s)
        self._thread = None

    def notify(self) -> None:
        """There is new work: run a round now."""
        self._wake.set()

    def _round(self) -> None:
        raise NotImplementedError

    def _idle_wait(self) -> float:
        """How long to wait before the next round when the last one succeeded."""
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # a notify during the round below makes the wait return at once
            try:
                self._round()
                self._failures = 0
            except (DataLedgerError, OSError) as exc:
                self._failures += 1
                log.warning("%s failed (%s), retrying: %s", self.what, type(exc).__name__, exc)
            except Exception:
                self._failures += 1
                log.exception("%s failed unexpectedly, retrying", self.what)
            self._wake.wait(self._next_wait())

    def _next_wait(self) -> float:
        if self._failures:
            return min(self._max_retry_pause_s, 0.5 * 2 ** min(self._failures, 10))
        return self._idle_wait()
