"""What a page of applications needs, read in one query each, on SQLite and PostgreSQL: the objections
of every application (in the order they were filed, assets without any left out) and the names of their
holders (unknown ids left out)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import event

from dataledger.ledger.sql.lifecycle_store import LifecycleStore
from dataledger.ledger.sql.store import SqlStore
from dataledger.registry.chain_records import ChainAct
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.participants import Participant, Role, new_api_key
from tests.factories import content_hash
from tests.ledger.test_notice_query import CONTRACT, HOLDER, in_notice, store

__all__ = ["store"]  # the fixture, on both databases


def statements_during(store: SqlStore) -> tuple[list[str], Callable[[], None]]:
    """The SQL statements run on ``store`` until the returned function is called."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    return statements, lambda: event.remove(store.engine, "before_cursor_execute", count)


def objection(lifecycle: LifecycleStore, asset_id: str, objection_id: int, reason: str) -> None:
    filed = ChainAct(
        "ObjectionFiled",
        {"objectionId": objection_id},
        ChainEvidence(31337, CONTRACT, content_hash(f"objection {objection_id}"), 100 + objection_id, 0),
        1_000,
    )
    lifecycle.add_objection(
        asset_id,
        objector_id=None,
        objector_address="0x" + "78" * 20,
        reason=reason,
        evidence_hash=content_hash(reason),
        acts=(filed,),
    )


def test_the_objections_of_many_assets_come_in_one_query(store: SqlStore) -> None:
    bonded = in_notice(store, "Bonded warehouse movements", 10, ends_at=3_000).asset_id
    customs = in_notice(store, "Customs clearance summaries", 20, ends_at=2_000).asset_id
    quiet = in_notice(store, "Airport pickup records", 30, ends_at=4_000).asset_id
    lifecycle = LifecycleStore(store)
    objection(lifecycle, customs, 3, "the same records were registered by us in 2025")
    objection(lifecycle, bonded, 1, "the warehouse's records are ours")
    objection(lifecycle, customs, 2, "the clearance summaries are customs' own")

    statements, stop = statements_during(store)
    try:
        found = lifecycle.objections_of_assets([bonded, customs, quiet, bonded, content_hash("unknown")])
    finally:
        stop()

    assert len([s for s in statements if "objections" in s]) == 1
    assert sorted(found) == sorted([bonded, customs])
    assert [o["objectionId"] for o in found[customs]] == [2, 3]
    assert [o["reason"] for o in found[bonded]] == ["the warehouse's records are ours"]
    assert found[customs] == lifecycle.objections_of(customs)
    assert lifecycle.objections_of_assets([]) == {}


def test_the_names_of_many_participants_come_in_one_query(store: SqlStore) -> None:
    bank = Participant(
        id="p-bank",
        name="海南银行 Bank of Hainan",
        role=Role.ENTERPRISE,
        address="0x" + "9a" * 20,
        created_at=datetime.now(UTC),
    )
    store.add_participant(bank, new_api_key())
    statements, stop = statements_during(store)
    try:
        names = store.participant_names([HOLDER.id, bank.id, HOLDER.id, "p-unknown"])
    finally:
        stop()
    assert names == {HOLDER.id: HOLDER.name, bank.id: bank.name}
    assert len([s for s in statements if "participants" in s]) == 1
    assert store.participant_names([]) == {}
