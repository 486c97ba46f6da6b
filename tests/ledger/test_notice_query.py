"""The store's query of the public notice board, on SQLite and PostgreSQL: only the assets in notice,
the soonest to end first, searched by name, registration number, content or facts hash, paged."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect

from dataledger.ledger.sql.store import SqlStore
from dataledger.registry.assets import AssetFacts, AssetRecord, AssetState
from dataledger.registry.chain_records import ChainAct
from dataledger.registry.chain_types import ChainEvidence, RegistrationEvent
from dataledger.registry.participants import Participant, Role, new_api_key
from dataledger.registry.public_notice import NoticeSearch
from tests.factories import content_hash

HOLDER = Participant(
    id="p-holder",
    name="三亚免税运营有限公司",
    role=Role.ENTERPRISE,
    address="0x" + "12" * 20,
    created_at=datetime.now(UTC),
)
CONTRACT = "0x" + "34" * 20


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStore]:
    """One store per database for the module: the tests only read the board."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('notice-query') / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = SqlStore.open(url)
    opened.drop_schema()
    opened.create_schema()
    opened.add_participant(HOLDER, new_api_key())
    yield opened
    opened.engine.dispose()


def registered(store: SqlStore, name: str, block: int) -> AssetRecord:
    record = AssetRecord(
        asset_id=content_hash(f"asset {name}"),
        holder_id=HOLDER.id,
        holder_address=HOLDER.address or "",
        facts=AssetFacts(name=name, content_hash=content_hash(f"content {name}")),
        salt="0x" + "aa" * 16,
        metadata_hash=content_hash(f"metadata {name}"),
        nonce=block,
        deadline=10**10,
        signature="0x" + "11" * 65,
        state=AssetState.PENDING,
    )
    store.add_pending_asset(record)
    evidence = ChainEvidence(31337, CONTRACT, content_hash(f"tx {name}"), block, 0)
    event = RegistrationEvent(
        record.asset_id, record.holder_address, record.facts.content_hash, record.metadata_hash, evidence
    )
    return store.mark_registered(record.asset_id, event)


def in_notice(store: SqlStore, name: str, block: int, ends_at: int) -> AssetRecord:
    record = registered(store, name, block)
    act = ChainAct(
        "PublicNoticeStarted",
        {"startedAt": ends_at - 100, "endsAt": ends_at, "registrar": "0x" + "56" * 20},
        ChainEvidence(31337, CONTRACT, content_hash(f"notice {name}"), block + 1, 1),
        ends_at - 100,
    )
    return store.record_acts(record.asset_id, (act,), actor="0x" + "56" * 20, state=AssetState.IN_NOTICE)


@pytest.fixture(scope="module")
def board(store: SqlStore) -> dict[str, AssetRecord]:
    return {
        "bonded": in_notice(store, "保税仓出入库记录 Bonded warehouse movements", 10, ends_at=3_000),
        "customs": in_notice(store, "海关通关单证摘要 Customs clearance summaries", 20, ends_at=2_000),
        "pickup": in_notice(store, "机场提货记录 Airport pickup_100% records", 30, ends_at=4_000),
        "registered": registered(store, "免税店客流统计 Bonded footfall", 40),
    }


def found(store: SqlStore, query: str = "", **page: int) -> list[str]:
    entries, _ = store.assets_in_notice(
        NoticeSearch.parse(query), limit=page.get("limit", 50), offset=page.get("offset", 0)
    )
    return [entry.record.asset_id for entry in entries]


def test_only_the_assets_in_notice_are_listed_the_soonest_to_end_first(
    store: SqlStore, board: dict[str, AssetRecord]
) -> None:
    entries, total = store.assets_in_notice(NoticeSearch(), limit=50, offset=0)
    assert [e.record.asset_id for e in entries] == [
        board[k].asset_id for k in ("customs", "bonded", "pickup")
    ]
    assert total == 3
    assert [e.ends_at for e in entries] == [2_000, 3_000, 4_000]
    assert {e.holder_name for e in entries} == {HOLDER.name}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("保税仓", ["bonded"]),
        ("BONDED", ["bonded"]),  # any case; the registered "Bonded footfall" is not in notice
        ("customs clearance", ["customs"]),
        ("100%", ["pickup"]),  # LIKE's wildcards are text to match
        ("_", ["pickup"]),
        ("no such dataset", []),
    ],
)
def test_a_search_by_name_matches_any_part_in_any_case(
    store: SqlStore, board: dict[str, AssetRecord], query: str, expected: list[str]
) -> None:
    assert found(store, query) == [board[key].asset_id for key in expected]


@pytest.mark.parametrize("field", ["asset_id", "content_hash", "metadata_hash"])
def test_a_search_by_hash_matches_its_prefix_in_any_case(
    store: SqlStore, board: dict[str, AssetRecord], field: str
) -> None:
    record = board["customs"]
    value = record.facts.content_hash if field == "content_hash" else getattr(record, field)
    assert found(store, value) == [record.asset_id]
    assert found(store, value[:8].upper().replace("0X", "0x")) == [record.asset_id]


def test_a_search_by_registration_number_finds_its_asset_in_any_case(
    store: SqlStore, board: dict[str, AssetRecord]
) -> None:
    number = board["customs"].registration_number
    assert number is not None
    assert found(store, number) == [board["customs"].asset_id]
    assert found(store, f"  {number.lower()} ") == [board["customs"].asset_id]


def test_a_search_by_the_start_of_a_registration_number_matches_every_number_it_begins(
    store: SqlStore, board: dict[str, AssetRecord]
) -> None:
    number = board["customs"].registration_number or ""
    assert found(store, number[:11]) == [board[k].asset_id for k in ("customs", "bonded", "pickup")]
    assert found(store, number[:-2]) == [board["customs"].asset_id]


def test_a_registration_number_with_a_wrong_check_character_finds_nothing(
    store: SqlStore, board: dict[str, AssetRecord]
) -> None:
    number = board["customs"].registration_number or ""
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert found(store, wrong) == []


def test_a_hash_prefix_too_short_to_mean_anything_is_searched_as_a_name(
    store: SqlStore, board: dict[str, AssetRecord]
) -> None:
    assert found(store, board["customs"].asset_id[:5]) == []


def test_the_board_is_paged_and_counts_every_match(store: SqlStore, board: dict[str, AssetRecord]) -> None:
    entries, total = store.assets_in_notice(NoticeSearch(), limit=2, offset=1)
    assert [e.record.asset_id for e in entries] == [board["bonded"].asset_id, board["pickup"].asset_id][:2]
    assert total == 3


def test_the_query_indexes_exist_on_a_database_created_before_them(store: SqlStore) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_asset_history_asset_act")
        conn.exec_driver_sql("DROP INDEX ix_assets_state_created")
        conn.exec_driver_sql("DROP INDEX ix_assets_registration_number")
    store.create_schema()
    inspector = inspect(store.engine)
    assert "ix_asset_history_asset_act" in {i["name"] for i in inspector.get_indexes("asset_history")}
    assert "ix_assets_state_created" in {i["name"] for i in inspector.get_indexes("assets")}
    assert "ix_assets_registration_number" in {i["name"] for i in inspector.get_indexes("assets")}


def test_the_assets_in_a_state_are_listed_the_oldest_first_and_counted(
    store: SqlStore, board: dict[str, AssetRecord]
) -> None:
    in_notice, total = store.assets_in_state(AssetState.IN_NOTICE, limit=2, offset=0)
    assert [r.asset_id for r in in_notice] == [board["bonded"].asset_id, board["customs"].asset_id]
    assert total == 3
    registered, total = store.assets_in_state(AssetState.REGISTERED, limit=50, offset=0)
    assert [r.asset_id for r in registered] == [board["registered"].asset_id] and total == 1
    assert store.assets_in_state(AssetState.REVOKED, limit=50, offset=0) == ([], 0)
