"""A listing and a deposit of one asset stored at the same moment still agree on personal data: each
store checks the other's records in the transaction that writes its own (ledger/sql/personal_data.py),
on SQLite and PostgreSQL, so that the checks the services make beforehand cannot both pass a mismatch."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from dataledger.ledger.sql.delivery_store import DeliveryStore
from dataledger.ledger.sql.market_store import MarketStore
from dataledger.ledger.sql.outbox import AnchorOutbox
from dataledger.ledger.sql.store import SqlStore
from dataledger.registry.delivery.ports import Deposit
from dataledger.registry.errors import ListingNotFound, PersonalDataDeclarationMismatch
from dataledger.registry.market.listings import Listing, PersonalDataDeclaration
from tests.market.factories import CERTIFIED, listing_content, stored_listing

PERSONAL = PersonalDataDeclaration(contains_personal_data=True, legal_basis="the data subjects' consent")


@dataclass
class Stores:
    market: MarketStore
    delivery: DeliveryStore


@pytest.fixture
def stores(tmp_path: Path, database_url: str | None) -> Iterator[Stores]:
    sql = SqlStore.open(database_url or f"sqlite:///{tmp_path / 'ledger.db'}")
    delivery = DeliveryStore(AnchorOutbox(sql.engine))
    yield Stores(MarketStore(sql.engine), delivery)
    delivery.close()
    sql.engine.dispose()


def personal_listing() -> Listing:
    return stored_listing(listing_content(personal_data=PERSONAL))


def file_deposit(asset_id: str, n: int = 1) -> Deposit:
    return Deposit(f"dep-{asset_id[-8:]}-{n}", asset_id, "file", "0x" + "3c" * 20, 0, "0x" + "c4" * 32, 10)


def test_a_listing_declaring_personal_data_is_not_stored_over_a_file_deposit(stores: Stores) -> None:
    listing = personal_listing()
    stores.delivery.add_deposit(file_deposit(listing.asset_id))

    with pytest.raises(PersonalDataDeclarationMismatch):
        stores.market.add_listing(listing, {"id": "report"}, CERTIFIED)

    with pytest.raises(ListingNotFound):
        stores.market.listing(listing.listing_id)  # rolled back, catalogue entry and report too
    assert stores.market.listings_of(lister=None, exchange_id=None, status=None, limit=10, offset=0)[1] == 0


def test_a_file_is_not_deposited_for_an_asset_listed_with_personal_data(stores: Stores) -> None:
    listing = personal_listing()
    stores.market.add_listing(listing, {"id": "report"}, CERTIFIED)

    with pytest.raises(PersonalDataDeclarationMismatch):
        stores.delivery.add_deposit(file_deposit(listing.asset_id))
    assert stores.delivery.deposits(listing.asset_id) == []

    serving = replace(
        file_deposit(listing.asset_id, 2), kind="api", location="https://x.example", personal_data=True
    )
    stores.delivery.add_deposit(serving)  # an API serving consents is what such a product is delivered by
    assert [d.deposit_id for d in stores.delivery.deposits(listing.asset_id)] == [serving.deposit_id]


def test_a_listing_and_a_deposit_written_at_once_are_never_both_stored_when_they_disagree(
    stores: Stores,
) -> None:
    for _ in range(12):
        outcomes = _written_at_once(stores, personal_listing())
        # both writers finished; whichever came second is refused, for this reason and no other
        assert sorted(outcomes.values()) == ["refused", "stored"], outcomes


def _written_at_once(stores: Stores, listing: Listing) -> dict[str, str]:
    """Store ``listing`` and a file deposit of its asset from two threads released together; how each
    ended (stored, refused, or the error it raised)."""
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def write(kind: str, act: Callable[[], object]) -> None:
        start.wait()
        try:
            act()
            outcomes[kind] = "stored"
        except PersonalDataDeclarationMismatch:
            outcomes[kind] = "refused"
        except Exception as error:  # reported by the assertion, not lost with the thread
            outcomes[kind] = repr(error)

    acts: dict[str, Callable[[], object]] = {
        "listing": lambda: stores.market.add_listing(listing, {"id": "report"}, CERTIFIED),
        "deposit": lambda: stores.delivery.add_deposit(file_deposit(listing.asset_id)),
    }
    writers = [threading.Thread(target=write, args=item) for item in acts.items()]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=30)
        assert not writer.is_alive()
    return outcomes
