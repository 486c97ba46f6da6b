"""AssetQueries' notice board and registrar's queue against an in-memory search: the public view only on
the board (never the facts or the salt), pages bounded, the queue for oversight roles only."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pytest

from dataledger.registry.asset_queries import AssetQueries
from dataledger.registry.assets import AssetRecord, AssetState
from dataledger.registry.errors import ConfigurationError, NotAuthorised
from dataledger.registry.participants import Participant, Role
from dataledger.registry.public_notice import MAX_PAGE, NoticeEntry, NoticeSearch, PublicNotice
from tests.registry.service_factories import World


@dataclass
class InMemorySearch:
    """The store's search over the fake store's assets (the SQL one is tested in tests/ledger)."""

    world: World
    asked: list[tuple[int, int]]

    def _all(self) -> list[AssetRecord]:
        return self.world.store.list_assets(limit=10_000)

    def assets_in_notice(
        self, search: NoticeSearch, *, limit: int, offset: int
    ) -> tuple[list[NoticeEntry], int]:
        self.asked.append((limit, offset))
        found = [
            NoticeEntry(record, "Holder", 1_000)
            for record in self._all()
            if record.state is AssetState.IN_NOTICE and search.text in record.facts.name.lower()
        ]
        return found[offset : offset + limit], len(found)

    def assets_in_state(self, state: AssetState, *, limit: int, offset: int) -> tuple[list[AssetRecord], int]:
        found = [record for record in self._all() if record.state is state]
        return found[offset : offset + limit], len(found)


@pytest.fixture
def search(world: World) -> InMemorySearch:
    return InMemorySearch(world, [])


@pytest.fixture
def queries(world: World, search: InMemorySearch) -> AssetQueries:
    return AssetQueries(world.store, world.procedure_records, world.registration.get_asset, {}, search=search)


@pytest.fixture
def holder(world: World) -> Participant:
    return world.participant(Role.ENTERPRISE, "Holder")


def test_the_board_shows_only_the_public_view_of_each_notice(
    world: World, queries: AssetQueries, holder: Participant
) -> None:
    noticed = world.in_notice(holder)
    world.register(holder)  # registered, not in notice
    page = queries.in_notice(NoticeSearch())
    assert [notice.asset_id for notice in page.items] == [noticed.asset_id] and page.total == 1
    (notice,) = page.items
    assert {field.name for field in fields(PublicNotice)} == {
        "asset_id",
        "name",
        "holder_name",
        "holder_address",
        "right_claimed",
        "state",
        "content_hash",
        "metadata_hash",
        "registered_tx",
        "ends_at",
        "registration_number",
    }
    assert notice.name == noticed.facts.name and notice.ends_at == 1_000


def test_the_board_asks_for_bounded_pages(queries: AssetQueries, search: InMemorySearch) -> None:
    queries.in_notice(NoticeSearch(), limit=10_000, offset=-5)
    queries.in_notice(NoticeSearch(), limit=0)
    assert search.asked == [(MAX_PAGE, 0), (1, 0)]


@pytest.mark.parametrize(
    ("query", "folded", "hash_prefix"),
    [
        ("  Bonded WAREHOUSE ", "bonded warehouse", None),
        ("0xABCD12", "0xabcd12", "0xabcd12"),
        ("0xab", "0xab", None),  # too short to mean a hash
        ("0xnothex", "0xnothex", None),
        ("x" * 500, "x" * 200, None),
    ],
)
def test_a_search_is_folded_and_read_as_a_hash_prefix_when_it_is_one(
    query: str, folded: str, hash_prefix: str | None
) -> None:
    search = NoticeSearch.parse(query)
    assert (search.text, search.hash_prefix) == (folded, hash_prefix)


def test_the_queue_is_for_oversight_only(world: World, queries: AssetQueries, holder: Participant) -> None:
    registered = world.register(holder)
    records, total = queries.queue(world.registrar, AssetState.REGISTERED)
    assert [r.asset_id for r in records] == [registered.asset_id] and total == 1
    with pytest.raises(NotAuthorised):
        queries.queue(holder, AssetState.REGISTERED)


def test_without_a_search_the_board_is_a_configuration_error(world: World) -> None:
    bare = AssetQueries(world.store, world.procedure_records, world.registration.get_asset, {})
    with pytest.raises(ConfigurationError):
        bare.in_notice(NoticeSearch())
