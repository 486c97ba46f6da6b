"""The use recorder: records the gateway's batched uses on chain, a batch per licence per round.

One thread per process, in the process holding the lease (like the batcher). Each round it

1. finishes every *sealed* batch first (a crash may have left some): if the chain already holds a
   ``LicenceUsesRecorded`` of that licence with that root, the batch was sent before the crash and is
   only stamped; otherwise it is sent;
2. seals, per licence, the uses redeemed since the last round (in their order) under one Merkle root
   and records them with ``LicenceRegistry.recordUses(licenceId, count, root)``, which moves the
   chain's count of uses by exactly ``count``.

The contract may refuse a batch (the licence was revoked, or expired, after the gateway checked it):
the batch is marked refused with the contract's reason, its uses stay visible as unrecorded, and
the counter no longer holds them as pending. A chain that cannot be reached leaves batches sealed; they
are retried with a growing pause. A round runs every ``interval_s``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from dataledger.ledger.workers.rounds import RoundWorker
from dataledger.registry.chain_records import ChainAct
from dataledger.registry.delivery.ports import LicenceChain, UseBatch, UseBatches
from dataledger.registry.errors import (
    AssetNotCertified,
    LicenceExpired,
    LicenceNotFound,
    LicenceNotYetValid,
    LicenceOverUse,
    LicenceRevoked,
    LicenceUsedUp,
    LicenceVoidedByEnforcement,
)

log = logging.getLogger(__name__)

# The contract's refusals of a batch that no retry would change.
_FINAL_REFUSALS = (
    AssetNotCertified,
    LicenceExpired,
    LicenceNotFound,
    LicenceNotYetValid,
    LicenceOverUse,
    LicenceRevoked,
    LicenceUsedUp,
    LicenceVoidedByEnforcement,
)


@dataclass(frozen=True, slots=True)
class RecorderConfig:
    """A round every ``interval_s`` (one transaction per licence with new uses): on a chain whose
    transactions cost real time (the embedded one: a fifth of a second of CPU each), recording less
    often leaves the time to the deliveries; a batch of any size costs one transaction."""

    max_batch_uses: int = 50_000
    interval_s: float = 2.0
    max_retry_pause_s: float = 10.0


class UseRecorder(RoundWorker):
    """Seals and records use batches, in a background thread or one round at a time."""

    thread_name = "use-recorder"
    what = "recording uses"

    def __init__(
        self, batches: UseBatches, chain: LicenceChain, config: RecorderConfig | None = None
    ) -> None:
        self._config = config or RecorderConfig()
        super().__init__(self._config.max_retry_pause_s)
        self._batches = batches
        self._chain = chain
        self._round_lock = threading.Lock()

    def notify(self) -> None:
        """A use was redeemed: it is recorded by the next round (within ``interval_s``), with the uses
        redeemed meanwhile; one transaction per use is what batching avoids, so it does not wake."""

    def run_once(self) -> list[ChainAct]:
        """One round: finish sealed batches, then seal and record each licence's new uses."""
        recorded: list[ChainAct] = []
        with self._round_lock:
            for batch in self._batches.sealed_use_batches():
                act = self._record(batch, maybe_sent=True)
                if act is not None:
                    recorded.append(act)
            for licence_id in self._batches.licences_with_unbatched_uses():
                sealed = self._batches.seal_use_batch(licence_id, self._config.max_batch_uses)
                if sealed is None:
                    continue
                act = self._record(sealed, maybe_sent=False)
                if act is not None:
                    recorded.append(act)
        return recorded

    def _record(self, batch: UseBatch, *, maybe_sent: bool) -> ChainAct | None:
        if maybe_sent:
            found = self._chain.find_uses_recorded(batch.licence_id, batch.root)
            if found is not None:
                self._batches.mark_recorded(batch, found)
                return found
        try:
            act = self._chain.record_uses(batch.licence_id, batch.count, batch.root)
        except _FINAL_REFUSALS as refusal:
            log.warning(
                "the chain refused %s uses of licence %s: %s", batch.count, batch.licence_id, refusal.code
            )
            self._batches.mark_refused(batch, refusal.code, refusal.detail)
            return None
        self._batches.mark_recorded(batch, act)
        return act

    def _round(self) -> None:
        self.run_once()

    def _idle_wait(self) -> float:
        return self._config.interval_s
