"""Recovery of what a dead process left half done: a background task of the lease holder.

Two things are finished: registrations left *pending*, and signed acts left in the journal
(``registry.act_journal``: relayed, perhaps mined, their result not recorded).

A direct registration, or the materialisation of a batched one, is stored *pending* before it is
relayed and marked registered from the chain's event after (``registry.registration_service``,
``registry.materialisation``); a process that dies between the two leaves the row pending. The
process holding the lease (``composition.leadership``) finishes such rows: when it takes the lease
and every ``RECOVERY_INTERVAL_S`` after, so rows left by a process that died while another held the
lease are found too. Only rows no live relay can still be working on are touched
(``ledger.sql.settled_pending``): all of them when the holder has not served yet and no other process
is alive on the database (a restart), else those older than :func:`relay_grace_s`. The same rule
selects the journal's entries; they are finished after the registrations, so an act on an asset
whose registration was pending is recorded once the asset is.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from dataledger.composition.leadership import Lease, ThreadTask
from dataledger.composition.settings import Settings
from dataledger.ledger.chain.data_rights_registry import DataRightsRegistryClient
from dataledger.ledger.sql.act_journal import SqlActJournal
from dataledger.ledger.sql.batched_registration_store import SqlBatchedRegistrationStore
from dataledger.ledger.sql.settled_pending import SettledPendingStore
from dataledger.registry.act_journal import JournalLedger, JournalRecovery, Recorder
from dataledger.registry.materialisation import MaterialisationService
from dataledger.registry.registrar_keys import RegistrarKey
from dataledger.registry.registration_service import RegistrationService

log = logging.getLogger("dataledger.recovery")

RECOVERY_INTERVAL_S = 60.0


def relay_grace_s(settings: Settings) -> float:
    """Longer than a relay can take: the sender waits ``receipt_timeout_s`` for each of its three sends
    (the first and two re-sends), then the request discards its pending row; a minute of margin."""
    return 3 * settings.receipt_timeout_s + 60.0


@dataclass(frozen=True)
class JournalledContracts:
    """The contracts signed acts are relayed to (by address), and every recorder of their results."""

    ledgers: Mapping[str, JournalLedger]
    recorders: Callable[[], Mapping[str, Recorder]]


class PendingRecovery:
    """Finishes pending registrations and materialisations left by dead processes."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        registry: DataRightsRegistryClient,
        registrar_key: RegistrarKey,
        batched: SqlBatchedRegistrationStore | None,
        lease: Lease,
        acts: JournalledContracts | None = None,
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._registry = registry
        self._registrar_key = registrar_key
        self._batched = batched
        self._lease = lease
        self._acts = acts
        self._serving = False

    def task(self) -> ThreadTask:
        """The background task: a first round when the lease is taken, then one every interval."""
        return ThreadTask("recovery", self._periodically, self._at_acquisition)

    def serving(self) -> None:
        """From now on this process serves requests: its own relays may be in flight."""
        self._serving = True

    def run(self, everything: Callable[[], bool]) -> None:
        """One round; ``everything()`` says whether no live relay can hold any pending row."""
        store = SettledPendingStore(
            self._engine, grace_s=relay_grace_s(self._settings), everything=everything
        )
        batches = None
        if self._batched is not None:
            batches = MaterialisationService(
                self._registry, store, self._batched, self._settings.institution_code
            )
            batches.recover_pending()
        registration = RegistrationService(
            self._registry,
            store,
            self._registrar_key,
            self._settings.registrar_name,
            batches=batches,
            institution_code=self._settings.institution_code,
        )
        registration.recover_pending()
        if self._acts is not None:
            grace_s = relay_grace_s(self._settings)
            journal = SqlActJournal(self._engine, grace_s=grace_s, everything=everything)
            JournalRecovery(
                journal, self._acts.ledgers, self._acts.recorders(), self._registry.next_block_timestamp
            ).run()

    def _at_acquisition(self) -> None:
        at_start = not self._serving
        self.run(lambda: at_start and not self._lease.others_present())

    def _periodically(self, stop: threading.Event) -> None:
        while not stop.wait(RECOVERY_INTERVAL_S):
            try:
                self.run(lambda: False)
            except Exception:  # a transient chain or database error: try again next round
                log.exception("recovery of pending registrations and acts failed")
