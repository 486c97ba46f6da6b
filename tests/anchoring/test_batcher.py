"""The batcher closes batches by size and by age, per kind, and retries when the chain is away.

These run against SQLite and PostgreSQL with an in-memory anchor ledger; the crash tests on a real
chain are in ``test_crash_recovery.py``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from dataledger.ledger.sql.outbox import AnchorOutbox, OutboxEntry, add_entries
from dataledger.ledger.sql.store import SqlStore
from dataledger.ledger.sql.tables import utcnow
from dataledger.ledger.workers.batcher import AnchorBatcher, BatcherConfig
from dataledger.registry.batched_registrations import kind_hash
from dataledger.registry.errors import NotFound
from dataledger.registry.merkle import leaf_hash, verify_proof
from tests.anchoring.conftest import FakeAnchorLedger
from tests.nodes import fresh_postgres_database, postgres_reachable

NEVER = 3600.0


@pytest.fixture(params=["sqlite", "postgresql"])
def outbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AnchorOutbox]:
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'outbox.db'}"
        else:
            if not postgres_reachable():
                pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
            url = stack.enter_context(fresh_postgres_database())
        store = SqlStore.open(url)
        box = AnchorOutbox(store.engine)
        yield box
        box.close()
        store.engine.dispose()


def acknowledge(
    outbox: AnchorOutbox, count: int, kind: str = "registration", *, age_s: float = 0.0
) -> list[str]:
    """Store ``count`` entries as a producer does (one transaction); return their refs."""
    refs = [f"{kind}-{i}-{utcnow().timestamp()}" for i in range(count)]
    with outbox.write_engine.begin() as conn:
        add_entries(
            conn,
            [OutboxEntry(kind, ref, leaf_hash(ref.encode())) for ref in refs],
            created_at=utcnow() - timedelta(seconds=age_s),
        )
    return refs


def test_full_batches_close_by_size_and_the_rest_waits(outbox: AnchorOutbox) -> None:
    ledger = FakeAnchorLedger()
    batcher = AnchorBatcher(
        outbox, ledger, BatcherConfig(max_leaves=4, max_batch_leaves=4, max_delay_s=NEVER)
    )
    refs = acknowledge(outbox, 10)

    anchored = batcher.run_once()

    assert [e.batch_id for e in anchored] == [1, 2]
    assert ledger.sends == 2
    assert [p.count for p in outbox.pending()] == [2]
    assert outbox.inclusion("registration", refs[9]).status == "pending"
    assert outbox.inclusion("registration", refs[7]).status == "anchored"


def test_each_stamp_seals_the_next_batch_of_a_backlog_in_the_same_transaction(outbox: AnchorOutbox) -> None:
    ledger = FakeAnchorLedger()
    batcher = AnchorBatcher(
        outbox, ledger, BatcherConfig(max_leaves=4, max_batch_leaves=4, max_delay_s=NEVER)
    )
    refs = acknowledge(outbox, 12)
    transactions = []
    event.listen(outbox.write_engine, "begin", lambda conn: transactions.append(conn))

    anchored = batcher.run_once()

    assert [e.batch_id for e in anchored] == [1, 2, 3]
    # One seal, then three stamps of which two seal the next batch (on PostgreSQL, reads share the
    # writers' engine: the round's two reads, of sealed and of pending entries, count too).
    reads = 0 if outbox.write_engine is not outbox.engine else 2
    assert len(transactions) == 4 + reads
    assert outbox.pending() == []
    for ref in refs:
        inclusion = outbox.inclusion("registration", ref)
        assert verify_proof(inclusion.root, leaf_hash(ref.encode()), inclusion.proof)


def test_a_backlog_goes_into_one_larger_batch_up_to_the_cap(outbox: AnchorOutbox) -> None:
    ledger = FakeAnchorLedger()
    batcher = AnchorBatcher(
        outbox, ledger, BatcherConfig(max_leaves=4, max_batch_leaves=9, max_delay_s=NEVER)
    )
    refs = acknowledge(outbox, 11)

    anchored = batcher.run_once()

    assert [ledger.anchored[e.root].batch_id for e in anchored] == [1]  # 9 leaves; 2 wait for more
    assert outbox.inclusion("registration", refs[8]).leaf_count == 9
    assert [p.count for p in outbox.pending()] == [2]


def test_sqlite_checkpoint_truncates_the_write_ahead_log(outbox: AnchorOutbox, tmp_path: Path) -> None:
    if outbox.engine.dialect.name != "sqlite":
        pytest.skip("a write-ahead log checkpoint is SQLite's")
    acknowledge(outbox, 50)
    outbox.checkpoint()
    assert (tmp_path / "outbox.db-wal").stat().st_size == 0


def test_a_partial_batch_closes_once_its_oldest_entry_is_old_enough(outbox: AnchorOutbox) -> None:
    ledger = FakeAnchorLedger()
    batcher = AnchorBatcher(outbox, ledger, BatcherConfig(max_leaves=1000, max_delay_s=1.0))
    acknowledge(outbox, 3)
    assert batcher.run_once() == []

    acknowledge(outbox, 2, age_s=5.0)  # acknowledged 5 s ago: the batch is due
    (evidence,) = batcher.run_once()

    assert ledger.anchored[evidence.root].batch_id == 1
    assert outbox.pending() == []


def test_every_entry_gets_a_proof_of_its_anchored_batch(outbox: AnchorOutbox) -> None:
    ledger = FakeAnchorLedger()
    batcher = AnchorBatcher(outbox, ledger, BatcherConfig(max_leaves=7, max_delay_s=NEVER))
    refs = acknowledge(outbox, 7)
    (evidence,) = batcher.run_once()
    for index, ref in enumerate(refs):
        inclusion = outbox.inclusion("registration", ref)
        assert inclusion.status == "anchored" and inclusion.leaf_index == index
        assert inclusion.root == evidence.root and inclusion.evidence == evidence
        assert verify_proof(evidence.root, leaf_hash(ref.encode()), inclusion.proof)


def test_kinds_are_batched_apart_and_anchored_with_their_kind(outbox: AnchorOutbox) -> None:
    ledger = FakeAnchorLedger()
    batcher = AnchorBatcher(outbox, ledger, BatcherConfig(max_leaves=100, max_delay_s=NEVER))
    acknowledge(outbox, 3, "registration")
    acknowledge(outbox, 2, "epcis-event")

    anchored = batcher.run_once(force=True)

    assert sorted(ledger.kinds[e.root] for e in anchored) == sorted(
        [kind_hash("registration"), kind_hash("epcis-event")]
    )
    assert {ledger.anchored[e.root].batch_id for e in anchored} == {1, 2}


def test_an_unreachable_chain_leaves_the_batch_sealed_and_it_is_anchored_later(outbox: AnchorOutbox) -> None:
    ledger = FakeAnchorLedger(unreachable=True)
    batcher = AnchorBatcher(outbox, ledger, BatcherConfig(max_leaves=3, max_delay_s=NEVER))
    refs = acknowledge(outbox, 3)
    with pytest.raises(Exception, match="cannot be reached"):
        batcher.run_once()
    (sealed,) = outbox.sealed()
    assert outbox.inclusion("registration", refs[0]).status == "sealed"

    ledger.unreachable = False
    (evidence,) = batcher.run_once()

    assert evidence.root == sealed.root and ledger.sends == 1
    assert outbox.sealed() == []


def test_the_background_thread_anchors_after_notify_and_wakes_waiters(outbox: AnchorOutbox) -> None:
    ledger = FakeAnchorLedger()
    batcher = AnchorBatcher(
        outbox, ledger, BatcherConfig(max_leaves=5, max_delay_s=0.05, poll_interval_s=0.05)
    )
    batcher.start()
    try:
        refs = acknowledge(outbox, 12)
        batcher.notify()
        assert batcher.wait_anchored("registration", refs, timeout_s=10)
    finally:
        batcher.stop()
    assert not batcher.running
    assert 1 <= ledger.sends <= 3  # 12 entries, batches of at least 5 or what waited 50 ms


def test_waiting_for_entries_that_never_come_times_out(outbox: AnchorOutbox) -> None:
    batcher = AnchorBatcher(outbox, FakeAnchorLedger(), BatcherConfig(poll_interval_s=0.01))
    assert batcher.wait_anchored("registration", ["nothing"], timeout_s=0.05) is False


def test_an_unknown_entry_is_not_found(outbox: AnchorOutbox) -> None:
    with pytest.raises(NotFound):
        outbox.inclusion("registration", "missing")


def test_configuration_is_checked() -> None:
    with pytest.raises(ValueError):
        BatcherConfig(max_leaves=0)
    with pytest.raises(ValueError):
        BatcherConfig(max_leaves=2**32, max_batch_leaves=2**32)
    with pytest.raises(ValueError):
        BatcherConfig(max_leaves=10, max_batch_leaves=5)
