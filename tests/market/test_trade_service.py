"""The trade service against an in-memory trades contract and listings (no chain), with the SQL store on
SQLite: what it refuses before anything reaches the chain, what it binds an order to, how a licence is
checked before it is linked to a trade."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from dataledger.ledger.sql.store import SqlStore
from dataledger.ledger.sql.trade_store import TradeStore
from dataledger.registry.chain_records import ChainAct, LicenceTerms, OnChainLicence
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.errors import (
    ListingNotActive,
    NotAuthorised,
    TradeInvalidStatus,
    TradeLicenceMismatch,
    TradeMandateNotInForce,
    TradeMandateRevoked,
    ValidationFailed,
)
from dataledger.registry.holder_signatures import ActAuthorisation, sign_typed_data
from dataledger.registry.market.licence_templates import LicenceTemplate
from dataledger.registry.market.listings import Listing, ListingStatus
from dataledger.registry.market.trade_service import TradeService
from dataledger.registry.market.trades import Trade, TradeStatus, order_id_of, trades_domain
from dataledger.registry.participants import Participant, Role
from tests.market.factories import hex32, licence_terms, listing_content, stored_listing

NOW = 1_800_000_000
HOLDER_KEY, BUYER_KEY, AGENT_KEY = Account.create(), Account.create(), Account.create()


@dataclass
class FakeTradesContract:
    """The DataTrades contract's bookkeeping, in memory (its rules are the contract tests')."""

    nonces: dict[str, int] = field(default_factory=dict)
    mandates: dict[tuple[str, str, str], int] = field(default_factory=dict)
    submitted: list[str] = field(default_factory=list)
    blocks: int = 0
    address: str = "0x" + "7d" * 20

    @property
    def domain(self) -> Any:
        return trades_domain(31337, self.address)

    def nonce_of(self, signer: str) -> int:
        return self.nonces.get(signer.lower(), 0)

    def latest_block_number(self) -> int:
        return self.blocks

    def find_act(self, signature: str, from_block: int) -> None:
        return None

    def _act(self, event: str, **args: Any) -> ChainAct:
        self.blocks += 1
        evidence = ChainEvidence(31337, self.address, hex32(self.blocks), self.blocks, 0)
        return ChainAct(event, args, evidence, NOW)

    def submit_act(self, auth: ActAuthorisation, signature: str) -> tuple[ChainAct, ...]:
        self.submitted.append(auth.primary_type)
        message = auth.message
        self.nonces[auth.signer.lower()] = auth.nonce + 1
        if auth.primary_type == "TradeOrder":
            order_id = order_id_of(message["listingId"], auth.signer, auth.nonce)
            placed = self._act(
                "OrderPlaced",
                orderId=order_id,
                seller=HOLDER_KEY.address,
                amount=message["amount"],
                currency=message["currency"],
                termsHash=message["termsHash"],
            )
            return (placed,)
        if auth.primary_type == "TradeMandate":
            key = (message["holder"].lower(), message["agent"].lower(), message["listingId"])
            self.mandates[key] = message["validUntil"]
            return (self._act("MandateGranted"),)
        if auth.primary_type == "TradeMandateRevocation":
            key = (message["holder"].lower(), message["agent"].lower(), message["listingId"])
            del self.mandates[key]
            return (self._act("MandateRevoked"),)
        return (self._act("OrderAccepted"),)

    def mandate_of(self, holder: str, agent: str, listing_id: str) -> int:
        return self.mandates.get((holder.lower(), agent.lower(), listing_id), 0)

    def settle(self, order_id: str, exchange_key: str, settlement_hash: str) -> ChainEvidence:
        return self._act("TradeSettled").evidence

    def cancel(self, order_id: str, exchange_key: str, reason_hash: str) -> ChainEvidence:
        return self._act("TradeCancelled").evidence

    def link_licence(self, order_id: str, licence_id: int) -> ChainEvidence:
        return self._act("TradeLicenceLinked").evidence


@dataclass
class FakeListings:
    listing_now: Listing
    template_now: LicenceTemplate

    def listing(self, listing_id: str) -> Listing:
        return self.listing_now

    def template(self, template_id: str, version: int | None = None) -> LicenceTemplate:
        return self.template_now


@dataclass
class FakeLicences:
    licences: dict[int, OnChainLicence] = field(default_factory=dict)

    def licence(self, licence_id: int) -> OnChainLicence | None:
        return self.licences.get(licence_id)


@dataclass
class FakeDirectory:
    participants: dict[str, Participant] = field(default_factory=dict)

    def get_participant(self, participant_id: str) -> Participant:
        return self.participants[participant_id]


class FakeClock:
    def next_block_timestamp(self) -> int:
        return NOW


def participant(role: Role, key: Any = None, pid: str | None = None) -> Participant:
    name = pid or f"{role.value}-{key.address[-6:] if key else 'keyless'}"
    return Participant(name, name, role, key.address if key else None, datetime.now(UTC))


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    store = SqlStore.open(f"sqlite:///{tmp_path / 'trades.db'}")
    exchange = participant(Role.EXCHANGE, AGENT_KEY, "exchange-1")
    content = listing_content(template_id="t-1", version=1)
    template = LicenceTemplate(
        "t-1", 1, exchange.id, "standard", licence_terms(max_uses=3), datetime.now(UTC)
    )
    listing = replace(
        stored_listing(content), lister=HOLDER_KEY.address.lower(), terms_hash=template.terms_hash
    )
    chain, licences, listings = FakeTradesContract(), FakeLicences(), FakeListings(listing, template)
    service = TradeService(
        chain,
        listings,
        TradeStore(store.engine),
        licences,
        FakeDirectory({exchange.id: exchange}),
        FakeClock(),
    )
    return {
        "service": service,
        "chain": chain,
        "licences": licences,
        "listings": listings,
        "listing": listing,
        "exchange": exchange,
        "buyer": participant(Role.ENTERPRISE, BUYER_KEY),
        "holder": participant(Role.ENTERPRISE, HOLDER_KEY),
    }


def signed(prepared: dict[str, Any], key: Any) -> tuple[int, int, str]:
    return prepared["nonce"], prepared["deadline"], sign_typed_data(key.key, prepared["typedData"])


def placed(world: dict[str, Any]) -> Any:
    service, buyer, listing_id = world["service"], world["buyer"], world["listing"].listing_id
    return service.place_order(
        buyer, listing_id, *signed(service.prepare_order(buyer, listing_id), BUYER_KEY)
    )


def test_an_order_is_bound_to_the_listings_price_in_fen_and_its_recorded_terms(world: dict[str, Any]) -> None:
    prepared = world["service"].prepare_order(world["buyer"], world["listing"].listing_id)
    message = prepared["typedData"]["message"]
    assert (message["amount"], message["currency"]) == (120_000, "CNY")  # CNY 1,200.00
    assert message["termsHash"] == world["listing"].terms_hash
    trade = placed(world)
    assert trade.order_id == prepared["orderId"] and trade.status is TradeStatus.ORDERED
    assert world["service"].trade(world["buyer"], trade.order_id) == trade


def test_orders_of_a_suspended_listing_by_an_exchange_or_by_the_holder_are_refused(
    world: dict[str, Any],
) -> None:
    service, listing_id = world["service"], world["listing"].listing_id
    with pytest.raises(NotAuthorised):
        service.prepare_order(world["exchange"], listing_id)
    with pytest.raises(ValidationFailed):
        service.prepare_order(world["holder"], listing_id)
    world["listings"].listing_now = replace(
        world["listing"], status=ListingStatus.SUSPENDED, suspension="revoked"
    )
    with pytest.raises(ListingNotActive):
        service.prepare_order(world["buyer"], listing_id)
    assert world["chain"].submitted == []


def test_only_the_seller_or_its_mandated_exchange_accepts(world: dict[str, Any]) -> None:
    service, chain, exchange = world["service"], world["chain"], world["exchange"]
    order_id = placed(world).order_id
    for outsider in (world["buyer"], exchange):
        with pytest.raises(NotAuthorised):
            service.prepare_acceptance(outsider, order_id)
    assert chain.submitted == ["TradeOrder"]
    mandate = service.prepare_mandate(world["holder"], world["listing"].listing_id, NOW + 3600)
    assert mandate["typedData"]["message"]["agent"] == AGENT_KEY.address
    service.grant_mandate(
        world["holder"], world["listing"].listing_id, NOW + 3600, *signed(mandate, HOLDER_KEY)
    )
    accepted = service.accept(
        exchange, order_id, *signed(service.prepare_acceptance(exchange, order_id), AGENT_KEY)
    )
    assert accepted.status is TradeStatus.ACCEPTED and accepted.accepted_by == AGENT_KEY.address.lower()
    with pytest.raises(TradeInvalidStatus):
        service.prepare_acceptance(world["holder"], order_id)


def test_a_revoked_mandate_is_named_when_the_exchange_accepts_again(world: dict[str, Any]) -> None:
    service, chain, exchange, holder = world["service"], world["chain"], world["exchange"], world["holder"]
    listing_id = world["listing"].listing_id
    with pytest.raises(TradeMandateNotInForce):  # nothing granted: nothing to revoke, nothing relayed
        service.prepare_revocation(holder, listing_id)
    granted = service.grant_mandate(
        holder,
        listing_id,
        NOW + 3600,
        *signed(service.prepare_mandate(holder, listing_id, NOW + 3600), HOLDER_KEY),
    )
    assert granted["status"] == "in-force"
    with pytest.raises(NotAuthorised):  # the exchange cannot end the holder's mandate
        service.prepare_revocation(exchange, listing_id)
    prepared = service.prepare_revocation(holder, listing_id)
    assert prepared["typedData"]["message"] == {
        "holder": HOLDER_KEY.address,
        "agent": AGENT_KEY.address,
        "listingId": listing_id,
        "nonce": prepared["nonce"],
        "deadline": prepared["deadline"],
    }
    revoked = service.revoke_mandate(holder, listing_id, *signed(prepared, HOLDER_KEY))
    assert revoked["status"] == "revoked" and revoked["revocation"] is not None
    assert chain.submitted[-2:] == ["TradeMandate", "TradeMandateRevocation"]

    order_id = placed(world).order_id
    with pytest.raises(TradeMandateRevoked):
        service.prepare_acceptance(exchange, order_id)
    with pytest.raises(TradeMandateNotInForce):
        service.prepare_revocation(holder, listing_id)
    assert [m["status"] for m in service.mandates(holder, listing_id)] == ["revoked"]
    with pytest.raises(NotAuthorised):
        service.mandates(world["buyer"], listing_id)


def test_an_expired_mandate_is_not_revoked_by_the_next_blocks_time(world: dict[str, Any]) -> None:
    """In force while validUntil >= the next block's time, as the contract judges it."""
    service, holder, listing_id = world["service"], world["holder"], world["listing"].listing_id
    service.grant_mandate(
        holder, listing_id, NOW + 1, *signed(service.prepare_mandate(holder, listing_id, NOW + 1), HOLDER_KEY)
    )
    world["chain"].mandates = {k: NOW - 1 for k in world["chain"].mandates}  # it ended a block ago
    with pytest.raises(TradeMandateNotInForce):
        service.prepare_revocation(holder, listing_id)


def test_settlement_is_the_listing_exchanges_after_acceptance(world: dict[str, Any]) -> None:
    service, exchange, holder = world["service"], world["exchange"], world["holder"]
    order_id = placed(world).order_id
    with pytest.raises(TradeInvalidStatus):
        service.settle(exchange, order_id, "transfer no. 1")
    service.accept(holder, order_id, *signed(service.prepare_acceptance(holder, order_id), HOLDER_KEY))
    with pytest.raises(NotAuthorised):
        service.settle(holder, order_id, "transfer no. 1")
    settled = service.settle(exchange, order_id, "transfer no. 1")
    assert settled.status is TradeStatus.SETTLED and settled.settlement_hash is not None
    with pytest.raises(TradeInvalidStatus):
        service.cancel(exchange, order_id, "too late")


def _licence(
    licence_id: int, asset_id: str, licensee: str, *, max_uses: int = 3, days: int = 30
) -> OnChainLicence:
    terms = LicenceTerms(
        asset_id=asset_id,
        licensee=licensee,
        asset_version=0,
        max_uses=max_uses,
        valid_from=NOW,
        valid_until=NOW + days * 86400,
        derivatives_allowed=False,
        commercial=True,
        scope_hash=hex32(1),
        purpose_hash=hex32(2),
        territory_hash=hex32(3),
    )
    return OnChainLicence(licence_id, terms, HOLDER_KEY.address, 0, 0, False)


def test_a_licence_is_linked_only_if_it_is_the_sellers_to_the_buyer_on_the_ordered_terms(
    world: dict[str, Any],
) -> None:
    service, holder, licences = world["service"], world["holder"], world["licences"]
    order_id = placed(world).order_id
    service.accept(holder, order_id, *signed(service.prepare_acceptance(holder, order_id), HOLDER_KEY))
    asset_id, buyer = world["listing"].asset_id, BUYER_KEY.address
    wrong = {
        1: _licence(1, hex32(9), buyer),  # another asset
        2: _licence(2, asset_id, AGENT_KEY.address),  # to someone else
        3: _licence(3, asset_id, buyer, max_uses=99),  # other uses than ordered
        4: _licence(4, asset_id, buyer, days=400),  # longer than the ordered 365 days
    }
    for licence_id, licence in wrong.items():
        licences.licences[licence_id] = licence
        with pytest.raises(TradeLicenceMismatch):
            service.link_licence(holder, order_id, licence_id)
    with pytest.raises(TradeLicenceMismatch):
        service.link_licence(holder, order_id, 77)  # no such licence
    licences.licences[5] = _licence(5, asset_id, buyer)
    assert service.link_licence(holder, order_id, 5).licence_id == 5
    with pytest.raises(TradeLicenceMismatch):
        service.link_licence(holder, order_id, 5)


def test_statistics_count_an_exchanges_period_only(tmp_path: Path) -> None:
    store = TradeStore(SqlStore.open(f"sqlite:///{tmp_path / 'stats.db'}").engine)
    march, april = datetime(2026, 3, 10, tzinfo=UTC), datetime(2026, 4, 10, tzinfo=UTC)
    evidence = ChainEvidence(31337, "0x" + "7d" * 20, hex32(1), 1, 0)

    def trade(n: int, exchange: str, at: datetime, amount: int, currency: str = "CNY") -> Any:
        order_id = hex32(1000 + n)
        store.add_trade(
            Trade(
                order_id,
                hex32(2),
                hex32(3),
                exchange,
                exchange,
                "buyer",
                BUYER_KEY.address,
                HOLDER_KEY.address,
                amount,
                currency,
                hex32(4),
                "t-1",
                1,
                TradeStatus.ORDERED,
                at,
                evidence,
            )
        )
        return order_id

    settled = trade(1, "hainan", march, 120_000)
    store.accept(settled, HOLDER_KEY.address, march, evidence)
    store.close(settled, True, march, evidence, reference="r", settlement_hash=hex32(5))
    cancelled = trade(2, "hainan", march, 50_000)
    store.accept(cancelled, HOLDER_KEY.address, march, evidence)
    store.close(cancelled, False, march, evidence, reason="withdrawn")
    accepted_usd = trade(3, "hainan", march, 9_900, "USD")
    store.accept(accepted_usd, HOLDER_KEY.address, march, evidence)
    trade(4, "hainan", april, 1)  # next period
    trade(5, "shanghai", march, 7)  # another exchange

    figures = store.statistics("hainan", datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    assert (figures.orders, figures.trades, figures.settled) == (3, 2, 1)
    assert figures.amounts == (("CNY", 120_000, 120_000), ("USD", 9_900, 0))
    everyone = store.statistics(None, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))
    assert everyone.orders == 5
