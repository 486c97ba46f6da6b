"""The journal of signed acts in flight: what makes a crash between the chain and the store repairable.

A signed act (a holder's transfer or pledge, a registrar's review or certificate, a licence, a
consent...) is relayed to the chain, then its result is recorded in the store. A process killed
between the two leaves the chain ahead of the store: the act happened, the registry does not show
it. So each act is written to the journal before it is relayed, with everything recording its result
needs beyond the signed message (its ``payload``: the texts behind the hashes, the salt...), and the
entry is closed once the result is recorded. :class:`JournalRecovery` finishes the entries a dead
process left open (the lease holder runs it at start-up, and later for entries older than a relay can
take):

* the act is on chain (found by its signature among the transactions to its contract since the
  entry was opened): its result is recorded from the chain's events by the same recorder the request
  would have called, unless the store already holds that transaction (the crash came after recording);
* the act is not on chain and never can be (the signer's nonce has moved on, or the deadline has
  passed by the next block's time): the entry is closed; the signer was never told the act happened;
* otherwise it may still be mined: the entry stays for a later round.

Recording never judges the act again: the chain accepted it, so deadlines, states and roles were the
chain's to judge; a recorder only writes what the chain's events and the payload say.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from dataledger.registry.chain_records import ChainAct
from dataledger.registry.errors import DataLedgerError, LedgerUnavailable
from dataledger.registry.holder_signatures import ActAuthorisation

log = logging.getLogger("dataledger.recovery")

Acts = tuple[ChainAct, ...]
#: Records what the chain emitted for a signed act: (the act, its payload, the chain's events).
Recorder = Callable[[ActAuthorisation, Mapping[str, Any], Acts], Any]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One act relayed (or about to be) whose result is not recorded yet."""

    kind: str  # the recorder's name, e.g. "holder.transfer"
    contract: str  # the address of the contract the act is relayed to
    auth: ActAuthorisation
    signature: str
    payload: Mapping[str, Any]  # JSON: what recording needs beyond the signed message
    from_block: int  # the chain's head when the entry was opened: the act can only be mined after it
    entry_id: int | None = None


class ActJournal(Protocol):
    """Where entries live (``ledger.sql.act_journal.SqlActJournal``)."""

    def open(self, entry: JournalEntry) -> int:
        """Store ``entry``, committed; answer its id."""
        ...

    def close(self, entry_id: int) -> None:
        """The entry's act is recorded, or will never happen: forget it."""
        ...

    def open_entries(self) -> list[JournalEntry]:
        """The entries no live relay can still be working on, oldest first."""
        ...

    def recorded(self, tx_hash: str) -> bool:
        """Whether the store holds an act of transaction ``tx_hash`` (its history names it)."""
        ...


class JournalLedger(Protocol):
    """The contract acts are relayed to, as the journal needs it (both contract clients)."""

    def latest_block_number(self) -> int: ...

    def nonce_of(self, signer: str) -> int: ...

    def submit_act(self, auth: ActAuthorisation, signature: str) -> Acts: ...

    def find_act(self, signature: str, from_block: int) -> Acts | None:
        """The contract's events in the transaction that carried ``signature``, mined at or after
        ``from_block``; None if no such transaction is on chain."""
        ...


def _may_have_reached_the_chain(error: BaseException) -> bool:
    """After this error from a send, the transaction may still be (or be being) mined."""
    return isinstance(error, LedgerUnavailable) or not isinstance(error, DataLedgerError)


@dataclass
class JournalledActs:
    """Relays checked acts to one contract and records their result, journalled when a journal is given.

    ``recorders`` names every recorder of the service that owns this relay, so recovery can find the
    one an entry names."""

    ledger: JournalLedger
    contract: str  # the ledger's address, named in each entry
    journal: ActJournal | None
    recorders: Mapping[str, Recorder] = field(default_factory=dict)

    def submit(
        self,
        kind: str,
        auth: ActAuthorisation,
        signature: str,
        payload: Mapping[str, Any],
        send: Callable[[], Acts] | None = None,
    ) -> Any:
        """Relay the act (its signature already checked) and answer what ``recorders[kind]`` recorded.

        ``send`` relays an act that takes more than ``auth``'s signature (a pledge both parties sign);
        the journal finds it again by ``signature``, which its transaction carries too."""
        recorder = self.recorders[kind]
        relay = send or (lambda: self.ledger.submit_act(auth, signature))
        if self.journal is None:
            return recorder(auth, payload, relay())
        entry_id = self.journal.open(
            JournalEntry(
                kind=kind,
                contract=self.contract,
                auth=auth,
                signature=signature,
                payload=dict(payload),
                from_block=self.ledger.latest_block_number(),
            )
        )
        try:
            acts = relay()
        except BaseException as error:
            if not _may_have_reached_the_chain(error):
                self.journal.close(entry_id)  # refused: nothing happened, nothing to finish
            raise
        result = recorder(auth, payload, acts)  # if this fails, recovery records it from the chain
        self.journal.close(entry_id)
        return result


@dataclass(frozen=True, slots=True)
class JournalRecoveryReport:
    recorded: int = 0  # acts found on chain and recorded now
    already_recorded: int = 0  # found on chain, the store had them: the crash came after recording
    abandoned: int = 0  # never on chain and never can be
    waiting: int = 0  # not on chain yet, may still be mined
    failed: int = 0  # the chain or the store failed while finishing it: tried again next round


class JournalRecovery:
    """Finishes the journal's open entries from the chain (see the module docstring)."""

    def __init__(
        self,
        journal: ActJournal,
        ledgers: Mapping[str, JournalLedger],
        recorders: Mapping[str, Recorder],
        chain_time: Callable[[], int],
    ) -> None:
        self._journal = journal
        self._ledgers = {address.lower(): ledger for address, ledger in ledgers.items()}
        self._recorders = recorders
        self._chain_time = chain_time

    def run(self) -> JournalRecoveryReport:
        counts = {"recorded": 0, "already_recorded": 0, "abandoned": 0, "waiting": 0, "failed": 0}
        for entry in self._journal.open_entries():
            try:
                counts[self._finish(entry)] += 1
            except Exception:  # one entry the chain or the store cannot finish now blocks no other
                log.exception("journal entry %s (%s) could not be finished", entry.entry_id, entry.kind)
                counts["failed"] += 1
        report = JournalRecoveryReport(**counts)
        if report != JournalRecoveryReport():
            log.warning("acts left in flight by a stopped process: %s", report)
        return report

    def _finish(self, entry: JournalEntry) -> str:
        assert entry.entry_id is not None
        ledger = self._ledgers.get(entry.contract.lower())
        recorder = self._recorders.get(entry.kind)
        if ledger is None or recorder is None:
            log.error("journal entry %s names an unknown contract or act %s", entry.entry_id, entry.kind)
            return "waiting"
        # Judged before the search: an act mined after it cannot have been refused by these.
        deadline = entry.auth.deadline
        hopeless = (deadline is not None and self._chain_time() > deadline) or (
            ledger.nonce_of(entry.auth.signer) > entry.auth.nonce
        )
        acts = ledger.find_act(entry.signature, entry.from_block)
        if acts is not None:
            outcome = "recorded"
            if any(self._journal.recorded(act.evidence.tx_hash) for act in acts):
                outcome = "already_recorded"
            else:
                recorder(entry.auth, entry.payload, acts)
            self._journal.close(entry.entry_id)
            return outcome
        if hopeless:
            self._journal.close(entry.entry_id)
            return "abandoned"
        return "waiting"
