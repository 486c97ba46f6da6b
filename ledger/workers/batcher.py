"""The batcher: closes outbox batches by size or by age, anchors their roots, survives crashes.

One thread per process (and one batcher per database). Each round it

1. finishes every *sealed* batch first (a crash may have left some): if the contract already holds
   the root (``isAnchored``), the anchor was sent before the crash and only the stamping is missing,
   so it reads the ``BatchAnchored`` event back instead of sending again; otherwise it anchors;
2. seals the unbatched entries of each kind that are due (``max_leaves`` are waiting, or the oldest
   has waited ``max_delay_s``) and anchors each new batch in one transaction. A due batch takes
   every entry waiting, up to ``max_batch_leaves``: when the chain is slower than the producers,
   batches grow instead of a backlog, so the anchor lag stays bounded by one round (a proof grows
   by one hash each time a batch doubles).

On SQLite it also resets the write-ahead log every ``checkpoint_interval_s``: with readers always
present, SQLite's automatic checkpoints copy the log but never restart it, and it would grow with
every write.

Producers call :meth:`AnchorBatcher.notify` after committing, which wakes the thread at once; it
also polls the database every ``poll_interval_s`` for entries written by other processes. A chain
that cannot be reached leaves batches sealed; they are retried with a growing pause.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dataledger.ledger.sql.outbox import AnchorOutbox, SealedBatch
from dataledger.ledger.sql.tables import utcnow
from dataledger.ledger.workers.rounds import RoundWorker
from dataledger.registry.batched_registrations import kind_hash
from dataledger.registry.chain_records import AnchorEvidence

log = logging.getLogger(__name__)


class AnchorLedger(Protocol):
    """What the batcher needs from the chain (``ledger.chain.anchor_registry.AnchorRegistryClient``)."""

    def anchor(self, root: bytes, leaf_count: int, kind: bytes) -> AnchorEvidence: ...

    def is_anchored(self, root: bytes) -> bool: ...

    def find_anchor(self, root: bytes) -> AnchorEvidence | None: ...


@dataclass(frozen=True, slots=True)
class BatcherConfig:
    """When batches close: at ``max_leaves`` entries, or when the oldest entry is ``max_delay_s`` old."""

    max_leaves: int = 1_000
    max_delay_s: float = 1.0
    max_batch_leaves: int = 50_000
    poll_interval_s: float = 0.25
    max_retry_pause_s: float = 10.0
    checkpoint_interval_s: float = 10.0

    def __post_init__(self) -> None:
        if not 1 <= self.max_leaves <= self.max_batch_leaves <= 2**32 - 1:
            raise ValueError(
                "need 1 <= max_leaves <= max_batch_leaves <= 2**32 - 1 (the contract's uint32 leaf count)"
            )
        if self.max_delay_s < 0 or self.poll_interval_s <= 0:
            raise ValueError("max_delay_s must be >= 0 and poll_interval_s > 0")


class AnchorBatcher(RoundWorker):
    """Seals and anchors outbox batches, in a background thread or one round at a time."""

    thread_name = "anchor-batcher"
    what = "anchoring round"

    def __init__(
        self, outbox: AnchorOutbox, ledger: AnchorLedger, config: BatcherConfig | None = None
    ) -> None:
        self._config = config or BatcherConfig()
        super().__init__(self._config.max_retry_pause_s)
        self._outbox = outbox
        self._ledger = ledger
        self._last_checkpoint = time.monotonic()
        self._anchored = threading.Condition()
        self._round_lock = threading.Lock()
        self._generation = 0  # counts anchored batches, so a waiter never misses a notification

    @property
    def config(self) -> BatcherConfig:
        return self._config

    # -- rounds ------------------------------------------------------------------------------------

    def run_once(self, *, force: bool = False) -> list[AnchorEvidence]:
        """One round: finish sealed batches, then seal and anchor what is due (everything if ``force``).

        A kind's backlog at the start of the round is anchored batch after batch, each batch's stamp
        and the next batch's seal sharing one write transaction; entries that arrive meanwhile wait
        for the next round, so no kind starves another.
        """
        with self._round_lock:
            # sealed before this round: maybe by a process that crashed after sending the anchor
            anchored = [self._finish(batch, maybe_sent=True) for batch in self._outbox.sealed()]
            for pending in self._outbox.pending():
                remaining, oldest = pending.count, pending.oldest
                if not self._due(remaining, oldest, force):
                    continue
                batch = self._outbox.seal(pending.kind, self._config.max_batch_leaves)
                while batch is not None:
                    remaining -= batch.leaf_count
                    more = self._due(remaining, oldest, force)
                    evidence, batch = self._anchor(batch, seal_next=more)
                    anchored.append(evidence)
            return anchored

    def _due(self, count: int, oldest: datetime, force: bool) -> bool:
        return count >= self._config.max_leaves or (count > 0 and (force or self._aged(oldest)))

    def _aged(self, oldest: datetime) -> bool:
        return (utcnow() - oldest).total_seconds() >= self._config.max_delay_s

    def _finish(self, batch: SealedBatch, *, maybe_sent: bool) -> AnchorEvidence:
        """Anchor a sealed batch unless the chain already holds its root; then stamp it.

        A batch this round has just sealed cannot have been sent: the chain is not asked.
        """
        evidence = None
        if maybe_sent and self._ledger.is_anchored(batch.root):
            evidence = self._ledger.find_anchor(batch.root)
        if evidence is None:
            return self._anchor(batch, seal_next=False)[0]
        self._stamp(batch, evidence, seal_next=False)
        return evidence

    def _anchor(self, batch: SealedBatch, *, seal_next: bool) -> tuple[AnchorEvidence, SealedBatch | None]:
        """Anchor a batch just sealed; stamp it, sealing the next batch of its kind if ``seal_next``."""
        evidence = self._ledger.anchor(batch.root, batch.leaf_count, kind_hash(batch.kind))
        return evidence, self._stamp(batch, evidence, seal_next=seal_next)

    def _stamp(self, batch: SealedBatch, evidence: AnchorEvidence, *, seal_next: bool) -> SealedBatch | None:
        following = (batch.kind, self._config.max_batch_leaves) if seal_next else None
        sealed = self._outbox.mark_anchored(batch.id, evidence, seal_next=following)
        with self._anchored:
            self._generation += 1
            self._anchored.notify_all()
        log.debug("anchored batch %s (%s leaves) in %s", batch.id, batch.leaf_count, evidence.tx_hash)
        return sealed

    def _round(self) -> None:
        self.run_once()
        if time.monotonic() - self._last_checkpoint >= self._config.checkpoint_interval_s:
            # Truncating the log blocks every writer while it copies: only when idle.
            self._outbox.checkpoint(truncate=not self._outbox.pending())
            self._last_checkpoint = time.monotonic()

    def _idle_wait(self) -> float:
        wait = self._config.poll_interval_s
        try:
            for pending in self._outbox.pending():
                due_in = self._config.max_delay_s - (utcnow() - pending.oldest).total_seconds()
                wait = min(wait, max(due_in, 0.0))
        except Exception:  # the next round reports database trouble
            pass
        return wait

    # -- waiting for anchors -----------------------------------------------------------------------

    def wait_anchored(self, kind: str, refs: Sequence[str], timeout_s: float) -> bool:
        """Block until every entry ``refs`` of ``kind`` is anchored, or ``timeout_s`` passes."""
        deadline = time.monotonic() + timeout_s
        while True:
            with self._anchored:
                generation = self._generation
            if self._outbox.count_anchored(kind, refs) >= len(refs):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False

            def advanced(seen: int = generation) -> bool:
                return self._generation != seen

            with self._anchored:
                # woken by each anchored batch; the timeout also covers a batcher in another process
                self._anchored.wait_for(advanced, min(remaining, self._config.poll_interval_s * 4))
