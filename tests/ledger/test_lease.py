"""The lease on a database's background work: one holder at a time on PostgreSQL, handed on when the
holder's session ends; always held on SQLite. And the store recovery sees: no row a live relay owns."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import Engine

from dataledger.ledger.sql.lease import (
    CHAIN_SENDER,
    LEASE_NAMESPACE,
    OperatorAccountLock,
    PostgresLease,
    SingleProcessLease,
    lease_for,
)
from dataledger.ledger.sql.settled_pending import SettledPendingStore
from dataledger.ledger.sql.store import SqlStore, make_engine
from dataledger.ledger.sql.tables import AssetRow
from dataledger.registry.assets import AssetFacts, AssetRecord, AssetState
from dataledger.registry.participants import Participant, Role, new_api_key
from tests.factories import content_hash
from tests.nodes import fresh_postgres_database, postgres_reachable


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """An engine on a database of its own (advisory locks are per database: nothing else competes)."""
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    with fresh_postgres_database() as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.mark.postgres
def test_one_process_holds_the_lease_and_the_other_takes_it_when_the_holder_closes(
    postgres_engine: Engine,
) -> None:
    first, second = (
        PostgresLease(postgres_engine, name="first"),
        PostgresLease(postgres_engine, name="second"),
    )
    try:
        assert first.try_acquire() is True
        assert second.try_acquire() is False
        assert first.try_acquire() is True  # asking again confirms, it does not take a second lock
        assert (first.held, second.held) == (True, False)
        assert second.holder() == "first"
        assert first.others_present() and second.others_present()

        first.close()  # what a dying process's closed connection does
        assert second.try_acquire() is True
        assert second.holder() == "this process (second)"
        assert not second.others_present()
    finally:
        first.close()
        second.close()


@pytest.mark.postgres
def test_a_holder_whose_session_ends_loses_the_lease_and_another_takes_it(postgres_engine: Engine) -> None:
    holder, standby = (
        PostgresLease(postgres_engine, name="holder"),
        PostgresLease(postgres_engine, name="standby"),
    )
    try:
        assert holder.try_acquire() and not standby.try_acquire()
        with postgres_engine.connect() as admin:  # the server ends the holder's session (a restart, a kill)
            admin.execute(
                text(  # waits (up to 10 s) until the backend has exited, so its locks are gone
                    "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
                    " WHERE application_name = 'holder'"
                )
            )
            admin.commit()
        assert holder.try_acquire() is False  # it notices at its next check and stops leading
        assert standby.try_acquire() is True
        assert holder.try_acquire() is False  # it connects again, as a process without the lease
        assert holder.others_present()
    finally:
        holder.close()
        standby.close()


@pytest.mark.postgres
def test_a_released_lease_is_free_for_another_process(postgres_engine: Engine) -> None:
    first, second = PostgresLease(postgres_engine), PostgresLease(postgres_engine)
    try:
        assert first.try_acquire()
        first.release()
        assert not first.held
        assert second.try_acquire()
        assert second.holder() is not None and first.holder() == second.name
    finally:
        first.close()
        second.close()


@pytest.mark.postgres
def test_the_operator_account_lock_lets_one_sender_at_a_time(postgres_engine: Engine) -> None:
    try_lock = text("SELECT pg_try_advisory_xact_lock(CAST(:namespace AS integer), CAST(:key AS integer))")
    keys = {"namespace": LEASE_NAMESPACE, "key": CHAIN_SENDER}
    with postgres_engine.connect() as other:
        with OperatorAccountLock(postgres_engine)():
            assert other.execute(try_lock, keys).scalar_one() is False
        other.rollback()
        assert other.execute(try_lock, keys).scalar_one() is True  # released with its transaction
        other.rollback()


def test_on_sqlite_the_lease_is_always_held(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'one.db'}")
    lease = lease_for(engine)
    assert isinstance(lease, SingleProcessLease)
    assert lease.try_acquire() and lease.held and not lease.shared and not lease.others_present()


# -- what recovery sees of the pending rows -------------------------------------------------------


def pending_asset(store: SqlStore, holder: Participant, name: str) -> AssetRecord:
    record = AssetRecord(
        asset_id=content_hash(f"asset {name}"),
        holder_id=holder.id,
        holder_address=holder.address or "",
        facts=AssetFacts(name=name, content_hash=content_hash(f"content {name}")),
        salt="0x" + "aa" * 16,
        metadata_hash=content_hash(f"metadata {name}"),
        nonce=0,
        deadline=10**10,
        signature="0x" + "11" * 65,
        state=AssetState.PENDING,
    )
    store.add_pending_asset(record)
    return record


def test_recovery_sees_only_pending_rows_older_than_any_relay_unless_nobody_else_can_own_them(
    tmp_path: Path,
) -> None:
    store = SqlStore.open(f"sqlite:///{tmp_path / 'store.db'}")
    holder = Participant(
        id="p-holder",
        name="holder",
        role=Role.ENTERPRISE,
        address="0x" + "12" * 20,
        created_at=datetime.now(UTC),
    )
    store.add_participant(holder, new_api_key())
    left = pending_asset(store, holder, "left by a dead process")
    in_flight = pending_asset(store, holder, "being relayed")
    with store.engine.begin() as conn:
        conn.execute(
            update(AssetRow)
            .where(AssetRow.asset_id == left.asset_id)  # type: ignore[arg-type]
            .values(created_at=datetime.now(UTC) - timedelta(minutes=10))
        )
    alone = False
    recovery_view = SettledPendingStore(store.engine, grace_s=150, everything=lambda: alone)

    assert [r.asset_id for r in recovery_view.pending_assets()] == [left.asset_id]
    alone = True
    assert {r.asset_id for r in recovery_view.pending_assets()} == {left.asset_id, in_flight.asset_id}
    store.engine.dispose()
