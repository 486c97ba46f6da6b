"""AssetQueries against in-memory fakes: who lists which assets, an asset's history as each reader may
see it (filtered, paged, each entry checked with the client of the contract that recorded it)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from dataledger.registry.asset_queries import AssetQueries, HistoryQuery
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.errors import AssetNotFound
from dataledger.registry.participants import Participant, Role
from dataledger.registry.procedure import ReviewStage
from tests.registry.service_factories import World


@dataclass
class RecordingChecker:
    """A contract client's ``check_act`` that confirms what it is shown and remembers it."""

    seen: list[tuple[str, str]] = field(default_factory=list)

    def check_act(self, evidence: ChainEvidence, act: str, asset_id: str) -> tuple[bool, str]:
        self.seen.append((act, evidence.tx_hash))
        return True, f"{act} found"


@pytest.fixture
def registry_checker() -> RecordingChecker:
    return RecordingChecker()


@pytest.fixture
def queries(world: World, registry_checker: RecordingChecker) -> AssetQueries:
    checkers = {world.ledger.registry_address.upper().replace("0X", "0x"): registry_checker}  # any case
    return AssetQueries(world.store, world.procedure_records, world.registration.get_asset, checkers)


@pytest.fixture
def holder(world: World) -> Participant:
    return world.participant(Role.ENTERPRISE, "Holder")


def test_an_enterprise_lists_what_it_holds_and_an_exchange_sees_every_asset_publicly(
    world: World, queries: AssetQueries, holder: Participant
) -> None:
    mine = world.register(holder)
    other = world.register(world.participant(Role.ENTERPRISE, "Another holder"))

    assert [a["assetId"] for a in queries.list_for(holder)] == [mine.asset_id]
    listed = queries.list_for(world.participant(Role.EXCHANGE, "Exchange"))
    assert {a["assetId"] for a in listed} == {mine.asset_id, other.asset_id}
    assert all(a["view"] == "public" and "salt" not in a for a in listed)
    assert [a["assetId"] for a in queries.list_for(world.registrar, limit=1, offset=1)] == [other.asset_id]


def test_the_history_shows_its_detail_to_the_holder_and_only_who_and_where_to_others(
    world: World, queries: AssetQueries, holder: Participant
) -> None:
    asset = world.register(holder)
    world.review(asset.asset_id, ReviewStage.FORMAL, True, "application complete")

    whole = queries.history(holder, asset.asset_id, HistoryQuery())
    public = queries.history(world.participant(Role.EXCHANGE, "Exchange"), asset.asset_id, HistoryQuery())

    assert [e["act"] for e in whole["items"]] == ["registered", "reviewed"] and whole["total"] == 2
    assert any(e["detail"] for e in whole["items"])
    assert [e["detail"] for e in public["items"]] == [{}, {}]
    assert [e["chainEvidence"] for e in public["items"]] == [e["chainEvidence"] for e in whole["items"]]


def test_the_history_is_filtered_paged_and_checked_by_the_contract_that_recorded_each_act(
    world: World, queries: AssetQueries, holder: Participant, registry_checker: RecordingChecker
) -> None:
    asset = world.register(holder)
    world.review(asset.asset_id, ReviewStage.FORMAL, True, "application complete")
    world.review(asset.asset_id, ReviewStage.SUBSTANTIVE, True, "lawful source")

    reviews = queries.history(holder, asset.asset_id, HistoryQuery(act="reviewed", limit=1, offset=1))
    assert reviews["total"] == 2 and [e["detail"]["stage"] for e in reviews["items"]] == ["substantive"]

    checked = queries.history(holder, asset.asset_id, HistoryQuery(check=True))
    assert checked["total"] >= 3 and all(e["chainCheck"]["passed"] for e in checked["items"])
    assert registry_checker.seen == [(e["act"], e["chainEvidence"]["txHash"]) for e in checked["items"]]


def test_an_act_recorded_by_a_contract_the_registry_does_not_know_fails_its_check(
    world: World, holder: Participant
) -> None:
    asset = world.register(holder)
    unknown = AssetQueries(world.store, world.procedure_records, world.registration.get_asset, {})

    (entry,) = unknown.history(holder, asset.asset_id, HistoryQuery(check=True))["items"]
    assert entry["chainCheck"] == {
        "passed": False,
        "detail": f"no contract of this registry at {entry['chainEvidence']['contract']}",
    }


def test_an_unknown_asset_has_no_history_versions_or_pledges(
    world: World, queries: AssetQueries, holder: Participant
) -> None:
    unknown = "0x" + "ab" * 32
    for read in (
        lambda: queries.history(holder, unknown, HistoryQuery()),
        lambda: queries.pledges(holder, unknown),
        lambda: queries.versions(unknown),
    ):
        with pytest.raises(AssetNotFound):
            read()
