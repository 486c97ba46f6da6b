"""The use store and recorder against a fake licence registry, on SQLite and PostgreSQL: a use is
reserved once (a replay and a use past the maximum reserve nothing); a batch per licence per round; a
batch sent before a crash is stamped, not sent again; a refused batch leaves its uses unrecorded and the
counter free of them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dataledger.ledger.sql.delivery_store import DeliveryStore
from dataledger.ledger.sql.outbox import AnchorOutbox
from dataledger.ledger.sql.store import SqlStore
from dataledger.ledger.workers.use_recorder import UseRecorder
from dataledger.registry.chain_records import ChainAct
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.delivery.ports import Deposit, RedeemedUse
from dataledger.registry.errors import LicenceRevoked, LicenceUsedUp, UseAlreadyRedeemed

CONSUMER = "0x" + "7e" * 20
ASSET = "0x" + "a1" * 32


class FakeLicences:
    """Records ``recordUses`` calls as the contract would; refuses those of revoked licences."""

    def __init__(self) -> None:
        self.recorded: list[tuple[int, int, bytes]] = []
        self.uses: dict[int, int] = {}
        self.revoked: set[int] = set()

    def record_uses(self, licence_id: int, count: int, root: bytes) -> ChainAct:
        if licence_id in self.revoked:
            raise LicenceRevoked("the licence is revoked", licence_id=licence_id)
        first = self.uses.get(licence_id, 0) + 1
        self.uses[licence_id] = first + count - 1
        self.recorded.append((licence_id, count, root))
        return self._act(licence_id, first, count, root)

    def find_uses_recorded(self, licence_id: int, root: bytes) -> ChainAct | None:
        for index, (lid, count, recorded_root) in enumerate(self.recorded):
            if (lid, recorded_root) == (licence_id, root):
                return self._act(
                    lid,
                    1 + sum(c for i, (x, c, _) in enumerate(self.recorded) if x == lid and i < index),
                    count,
                    root,
                )
        return None

    @staticmethod
    def _act(licence_id: int, first: int, count: int, root: bytes) -> ChainAct:
        args = {"licenceId": licence_id, "firstUse": first, "count": count, "receiptsRoot": "0x" + root.hex()}
        return ChainAct(
            "LicenceUsesRecorded", args, ChainEvidence(31337, "0x" + "1d" * 20, "0x" + "4e" * 32, 7, 0), 1
        )


@pytest.fixture
def store(tmp_path: Path, database_url: str | None) -> Iterator[DeliveryStore]:
    sql = SqlStore.open(database_url or f"sqlite:///{tmp_path / 'd.db'}")
    built = DeliveryStore(AnchorOutbox(sql.engine))
    built.add_deposit(Deposit("dep-1", ASSET, "file", CONSUMER, 0, "0x" + "c4" * 32, 10, location="c4"))
    yield built
    built.close()
    sql.engine.dispose()


def redeem(store: DeliveryStore, licence_id: int, n: int, max_uses: int = 10) -> RedeemedUse:
    use = RedeemedUse(
        f"0x{n:064x}", "batched", licence_id, ASSET, CONSUMER, "0x" + "9f" * 32, "dep-1", 100, 700
    )
    return store.reserve_use(use, max_uses=max_uses, chain_uses=0)


def test_each_round_records_each_licences_new_uses_in_one_batch(store: DeliveryStore) -> None:
    chain = FakeLicences()
    for n in range(3):
        redeem(store, 1, n)
    redeem(store, 2, 10)
    recorder = UseRecorder(store, chain)  # type: ignore[arg-type]

    acts = recorder.run_once()

    assert sorted((a.args["licenceId"], a.args["count"]) for a in acts) == [(1, 3), (2, 1)]
    assert recorder.run_once() == []  # nothing new
    assert store.use_inclusion(f"0x{2:064x}")["useNumber"] == 3  # type: ignore[index]
    assert store.counter(1) == {"licence_id": 1, "max_uses": 10, "chain_uses": 3, "pending": 0, "next_seq": 3}


def test_a_batch_sent_before_a_crash_is_stamped_not_sent_again(store: DeliveryStore) -> None:
    chain = FakeLicences()
    redeem(store, 1, 1)
    batch = store.seal_use_batch(1, 100)
    assert batch is not None
    chain.record_uses(1, batch.count, batch.root)  # sent; the process died before stamping it

    UseRecorder(store, chain).run_once()  # type: ignore[arg-type]

    assert len(chain.recorded) == 1
    assert store.use_inclusion(f"0x{1:064x}")["status"] == "recorded"  # type: ignore[index]


def test_a_refused_batch_frees_the_counter_and_shows_why(store: DeliveryStore) -> None:
    chain = FakeLicences()
    chain.revoked.add(1)
    redeem(store, 1, 1, max_uses=1)
    with pytest.raises(LicenceUsedUp):
        redeem(store, 1, 2, max_uses=1)

    assert UseRecorder(store, chain).run_once() == []  # type: ignore[arg-type]

    on_chain = store.use_inclusion(f"0x{1:064x}")
    assert on_chain is not None and on_chain["status"] == "refused"
    assert on_chain["refusal"].startswith("licence-revoked")
    assert store.counter(1)["pending"] == 0  # type: ignore[index]


def test_a_replayed_or_surplus_use_reserves_nothing(store: DeliveryStore) -> None:
    first = redeem(store, 3, 1, max_uses=2)
    with pytest.raises(UseAlreadyRedeemed):
        redeem(store, 3, 1, max_uses=2)
    second = redeem(store, 3, 2, max_uses=2)
    with pytest.raises(LicenceUsedUp):
        redeem(store, 3, 3, max_uses=2)
    assert (first.sequence, second.sequence) == (1, 2)
    assert store.counter(3) == {"licence_id": 3, "max_uses": 2, "chain_uses": 0, "pending": 2, "next_seq": 2}
    assert store.use(f"0x{3:064x}") is None
