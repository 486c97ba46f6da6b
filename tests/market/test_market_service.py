"""The market service against an in-memory market contract and registry (no chain), with the SQL store on
SQLite: the rules it applies before anything reaches the chain, and how a listing follows its asset."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dataledger.ledger.sql.delivery_tables import DELIVERY_METADATA
from dataledger.ledger.sql.market_store import MarketStore
from dataledger.ledger.sql.store import SqlStore
from dataledger.registry.certificate import VC_V2_CONTEXT, add_proof, format_datetime
from dataledger.registry.chain_records import OnChainProcedure
from dataledger.registry.chain_types import ChainEvidence, OnChainAsset, OnChainAssetStatus
from dataledger.registry.errors import (
    ListingNotActive,
    ListingReportNotPassing,
    NotAuthorised,
    VerificationFailed,
)
from dataledger.registry.market.listings import ListingStatus
from dataledger.registry.market.ports import RecordedVerification
from dataledger.registry.market.service import MarketService
from dataledger.registry.participants import Participant, Role
from dataledger.registry.registrar_keys import RegistrarKey
from tests.market.factories import HOLDER, PLEDGEE, hex32, licence_terms, listing_content

ASSET = hex32(0xA55E7)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class FakeMarketContract:
    """The DataMarket contract's rules, in memory."""

    exchanges: set[str] = field(default_factory=set)
    verifications: dict[str, RecordedVerification] = field(default_factory=dict)
    listings: dict[str, dict[str, Any]] = field(default_factory=dict)
    blocks: int = 0

    def _evidence(self) -> ChainEvidence:
        self.blocks += 1
        return ChainEvidence(31337, "0x" + "1d" * 20, hex32(self.blocks), self.blocks, 0)

    def is_exchange(self, key: str) -> bool:
        return key in self.exchanges

    def enrol_exchange(self, key: str) -> ChainEvidence:
        self.exchanges.add(key)
        return self._evidence()

    def verification_of(self, report_hash: str) -> RecordedVerification | None:
        return self.verifications.get(report_hash)

    def record_verification(self, report_hash: str, asset_id: str, listable: bool) -> ChainEvidence:
        self.verifications[report_hash] = RecordedVerification(asset_id, listable, False)
        return self._evidence()

    def list_product(
        self, listing_id: str, asset_id: str, key: str, report: str, terms: str, content: str
    ) -> Any:
        assert key in self.exchanges and self.verifications[report].listable
        self.verifications[report] = RecordedVerification(asset_id, True, True)
        evidence = self._evidence()
        self.listings[listing_id] = {"termsHash": terms, "listingHash": content, "evidence": evidence}
        return evidence

    def delist(self, listing_id: str, key: str, reason_hash: str) -> ChainEvidence:
        return self._evidence()

    def listing_of(self, listing_id: str) -> dict[str, Any] | None:
        return self.listings.get(listing_id)

    def listed_evidence(self, listing_id: str) -> ChainEvidence | None:
        found = self.listings.get(listing_id)
        return found["evidence"] if found else None


@dataclass
class FakeRegistry:
    status: OnChainAssetStatus = OnChainAssetStatus.CERTIFIED
    holder: str = HOLDER
    pledgee: str | None = None

    def asset(self, asset_id: str) -> OnChainAsset | None:
        return OnChainAsset(asset_id, self.holder, hex32(1), hex32(2), 1, self.status)

    def procedure(self, asset_id: str) -> OnChainProcedure | None:
        return OnChainProcedure(
            right=None,  # type: ignore[arg-type]
            version=1,
            open_objections=0,
            enforcements=0,
            notice_ends_at=0,
            certificate_valid_until=0,
            pledgee=self.pledgee,
            lawful_source_hash=hex32(3),
            current_certificate=None,
        )

    def next_block_timestamp(self) -> int:
        return int(NOW.timestamp())


class NoCertificates:
    def certificates_of(self, asset_id: str) -> list[dict[str, Any]]:
        return [{"number": "DL-2026-000007", "status": "valid"}]


@dataclass
class World:
    service: MarketService
    chain: FakeMarketContract
    registry: FakeRegistry
    key: RegistrarKey
    exchange: Participant
    clock: list[datetime]

    def report(
        self, *, listable: bool = True, exchange: str | None = None, at: datetime = NOW, **subject: Any
    ) -> dict:
        document = {
            "@context": [VC_V2_CONTEXT],
            "id": "urn:dataledger:listing-verification:test",
            "type": ["VerifiableCredential", "DataProductListingVerification"],
            "issuer": {"id": self.key.did, "name": "registrar"},
            "validFrom": format_datetime(at),
            "credentialSubject": {
                "assetId": ASSET,
                "lister": HOLDER,
                "exchange": exchange or self.exchange.name,
                "listable": listable,
                "failedChecks": [] if listable else ["hashes-match"],
                "checks": [{"name": "not-pledged", "passed": True, "detail": "not pledged"}],
                **subject,
            },
        }
        return add_proof(document, self.key, created=at)


@pytest.fixture
def world(tmp_path: Path) -> World:
    store = SqlStore.open(f"sqlite:///{tmp_path / 'market.db'}")
    DELIVERY_METADATA.create_all(store.engine)  # the market reads the gateway's deposits, as composed
    chain, registry, key = FakeMarketContract(), FakeRegistry(), RegistrarKey.generate()
    clock = [NOW + timedelta(minutes=5)]
    service = MarketService(
        chain, registry, MarketStore(store.engine), NoCertificates(), key.public_key, lambda: clock[0]
    )
    exchange = Participant("exchange-1", "Hainan Data Exchange", Role.EXCHANGE, None, NOW)
    return World(service, chain, registry, key, exchange, clock)


def listed(world: World, **report: Any) -> Any:
    template = world.service.create_template(world.exchange, "Standard", licence_terms())
    content = listing_content(template.template_id, 1)
    return world.service.list_product(world.exchange, world.report(**report), content)


def test_a_listing_records_a_verification_and_the_listing_and_enrols_the_exchange(world: World) -> None:
    listing = listed(world)
    assert listing.status is ListingStatus.LISTED and listing.certificate_number == "DL-2026-000007"
    assert world.chain.listings.keys() == {listing.listing_id}
    assert len(world.chain.exchanges) == 1
    assert world.service.report(listing.listing_id)["credentialSubject"]["assetId"] == ASSET


@pytest.mark.parametrize(
    ("report", "error"),
    [
        ({"listable": False}, ListingReportNotPassing),
        ({"exchange": "another exchange"}, ListingReportNotPassing),
        ({"at": NOW - timedelta(days=2)}, ListingReportNotPassing),
    ],
)
def test_a_report_that_does_not_allow_the_listing_is_refused_before_the_chain(
    world: World, report: dict, error: type[Exception]
) -> None:
    with pytest.raises(error):
        listed(world, **report)
    assert not world.chain.listings and not world.chain.verifications


def test_a_report_not_signed_by_the_registrar_is_refused(world: World) -> None:
    forged = world.report()
    forged["credentialSubject"]["lister"] = PLEDGEE
    template = world.service.create_template(world.exchange, "Standard", licence_terms())
    with pytest.raises(VerificationFailed):
        world.service.list_product(world.exchange, forged, listing_content(template.template_id, 1))


def test_the_asset_must_still_stand_as_the_report_found_it(world: World) -> None:
    world.registry.pledgee = PLEDGEE
    with pytest.raises(ListingReportNotPassing, match="did not consent"):
        listed(world)


def test_the_pledgee_who_consented_in_the_report_keeps_the_listing_listed(world: World) -> None:
    world.registry.pledgee = PLEDGEE
    consent = [{"name": "not-pledged", "passed": True, "detail": f"pledged to {PLEDGEE}, who consents to it"}]
    listing = listed(world, checks=consent)
    assert listing.pledgee_consented == PLEDGEE.lower()
    assert world.service.listing(listing.listing_id).status is ListingStatus.LISTED


def test_a_listing_read_follows_its_asset_on_chain_both_ways(world: World) -> None:
    listing = listed(world)
    world.registry.status = OnChainAssetStatus.REVOKED
    assert world.service.listing(listing.listing_id).status is ListingStatus.SUSPENDED
    world.registry.status = OnChainAssetStatus.CERTIFIED
    assert world.service.listing(listing.listing_id).status is ListingStatus.LISTED


def test_only_exchanges_list_and_only_the_listing_exchange_delists(world: World) -> None:
    listing = listed(world)
    other = Participant("exchange-2", "Other", Role.EXCHANGE, None, NOW)
    admin = Participant("admin", "administrator", Role.ADMIN, None, NOW)
    for stranger in (other, admin):
        with pytest.raises(NotAuthorised):
            world.service.delist(stranger, listing.listing_id, "no")
    with pytest.raises(NotAuthorised):
        world.service.create_template(admin, "x", licence_terms())
    assert (
        world.service.delist(world.exchange, listing.listing_id, "withdrawn").status is ListingStatus.DELISTED
    )
    with pytest.raises(ListingNotActive):
        world.service.delist(world.exchange, listing.listing_id, "again")
