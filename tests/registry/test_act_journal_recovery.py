"""JournalRecovery's rounds: an entry that cannot be finished now is left for the next round and
blocks no other entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dataledger.registry.act_journal import Acts, JournalEntry, JournalRecovery
from dataledger.registry.chain_records import ChainAct
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.holder_signatures import ActAuthorisation, act_authorisation

SIGNER = "0x" + "11" * 20
CONTRACT = "0x" + "22" * 20


class MemoryJournal:
    def __init__(self, entries: list[JournalEntry]) -> None:
        self.entries = {e.entry_id: e for e in entries}

    def open(self, entry: JournalEntry) -> int:
        raise AssertionError("recovery opens nothing")

    def close(self, entry_id: int) -> None:
        del self.entries[entry_id]

    def open_entries(self) -> list[JournalEntry]:
        return list(self.entries.values())

    def recorded(self, tx_hash: str) -> bool:
        return False


class Chain:
    """Every act is on chain, in a transaction of its own."""

    def latest_block_number(self) -> int:
        return 1

    def nonce_of(self, signer: str) -> int:
        return 0

    def submit_act(self, auth: ActAuthorisation, signature: str) -> Acts:
        raise AssertionError("recovery sends nothing")

    def find_act(self, signature: str, from_block: int) -> Acts | None:
        evidence = ChainEvidence(31337, CONTRACT, "0x" + signature[2:66].ljust(64, "0"), 2, 0)
        return (ChainAct("AssetTransferred", {}, evidence, 0),)


def entry(entry_id: int, kind: str) -> JournalEntry:
    auth = act_authorisation(
        "Transfer", SIGNER, assetId="0x" + "33" * 32, to="0x" + "44" * 20, nonce=entry_id, deadline=10**10
    )
    return JournalEntry(kind, CONTRACT, auth, "0x" + f"{entry_id:02x}" * 65, {}, 1, entry_id)


def test_an_entry_the_store_cannot_record_now_is_kept_and_the_next_is_recorded() -> None:
    recorded: list[int] = []

    def failing(auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts) -> None:
        raise RuntimeError("the database is away")

    def working(auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts) -> None:
        recorded.append(auth.nonce)

    journal = MemoryJournal([entry(1, "failing"), entry(2, "working")])
    recovery = JournalRecovery(
        journal, {CONTRACT: Chain()}, {"failing": failing, "working": working}, lambda: 0
    )

    report = recovery.run()

    assert (report.failed, report.recorded) == (1, 1)
    assert recorded == [2]
    assert list(journal.entries) == [1]  # tried again next round
