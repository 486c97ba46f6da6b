"""The synchronous SDK drives every resource of a live server, as each participant would, on the embedded
chain and on anvil: an administrator creates the participants; each one has its own ``Client`` (its API
key) and its own signer. The scenario calls every SDK method at least once and, at the end, checks that
the requests it sent named every operationId of the server's OpenAPI document.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dataledger.client import (
    ApiError,
    AuthenticationError,
    Client,
    ConflictError,
    ExternalSigner,
    KeystoreSigner,
    LocalKeySigner,
    NotFoundError,
    PermissionDeniedError,
    Signer,
    ValidationError,
    hash_path,
)
from dataledger.registry.holder_signatures import sign_typed_data
from tests.client.conftest import ADMIN_KEY, OperationLog, live_server, server_operation_ids
from tests.client.delivery_scenario import deliveries
from tests.epcis.factories import epcis_document, object_event

pytestmark = pytest.mark.slow

DAY = 24 * 3600


@pytest.fixture(
    scope="module",
    # over anvil too as a long variant: the API's own tests run every act on anvil already
    params=["embedded", pytest.param("anvil", marks=[pytest.mark.anvil, pytest.mark.long])],
)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live ``dataledger serve``: on its embedded chain, or relaying to anvil (``--rpc-url``)."""
    if request.param == "embedded":
        yield request.getfixturevalue("embedded_server")
        return
    extra = ["--rpc-url", request.getfixturevalue("anvil_url")]
    with live_server(tmp_path_factory.mktemp("sdk-anvil"), extra) as base:
        yield base


@dataclass
class Party:
    """A participant as it uses the SDK: its own client (its API key) and, if it has one, its signer."""

    id: str
    role: str
    client: Client
    signer: LocalKeySigner | None

    @property
    def key(self) -> LocalKeySigner:
        assert self.signer is not None
        return self.signer

    @property
    def address(self) -> str:
        return self.key.address


class World:
    """Clients on one live server, every one recording the operations it sends in one log."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.log = OperationLog()
        self.clients: list[Client] = []
        self.admin = self.connect(ADMIN_KEY)
        self.anonymous = self.connect(None)

    def connect(self, api_key: str | None) -> Client:
        client = Client(self.base, api_key, timeout=120)
        self.log.attach(client._http)
        self.clients.append(client)
        return client

    def party(self, role: str, name: str, *, keyed: bool = True) -> Party:
        signer = LocalKeySigner.generate() if keyed else None
        created = self.admin.participants.create(name, role, signer.address if signer else None)
        assert created["participant"]["role"] == role and created["apiKey"]
        return Party(created["participant"]["id"], role, self.connect(created["apiKey"]), signer)

    def close(self) -> None:
        for client in self.clients:
            client.close()


def facts(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "description": "per-sale records of the duty-free shops",
        "source": "own point-of-sale systems",
        "collectionMethod": "daily export",
        "scale": "1.2M rows",
        "updateFrequency": "daily",
        "industry": "retail",
        "rightClaimed": "data-resource-holding",
        **extra,
    }


RUN = uuid.uuid4().hex  # content hashes unique to this run (a server refuses one registered twice)


def digest(label: str) -> str:
    return "0x" + hashlib.sha256(f"{RUN} {label}".encode()).hexdigest()


def expect(error: type[ApiError], code: str, call: Any, *args: Any, **kwargs: Any) -> ApiError:
    """``call(*args, **kwargs)`` raises ``error`` with the problem ``code``."""
    with pytest.raises(error) as raised:
        call(*args, **kwargs)
    assert raised.value.code == code, raised.value.problem
    return raised.value


def certify(registrar: Party, asset_id: str) -> dict[str, Any]:
    """Both reviews, the (zero-second) notice with no objection, the certificate."""
    review = registrar.client.procedure.review
    review(asset_id, "formal", reason="the application is complete", signer=registrar.key)
    review(asset_id, "substantive", reason="the source is lawful", signer=registrar.key)
    return registrar.client.assets.issue_certificate(asset_id, signer=registrar.key)


def run_scenario(base: str, data: Path) -> OperationLog:
    world = World(base)
    try:
        _scenario(world, data)
    finally:
        world.close()
    return world.log


def _scenario(world: World, data: Path) -> None:
    admin, anonymous = world.admin, world.anonymous

    # -- health ---------------------------------------------------------------------------------
    assert anonymous.health.liveness()["status"] == "ok"
    readiness = anonymous.health.readiness()
    assert readiness["status"] == "ready", readiness
    assert "dataledger" in anonymous.health.metrics()

    # -- participants -----------------------------------------------------------------------------
    holder = world.party("enterprise", "Hainan duty-free retailer")
    licensee = world.party("enterprise", "demand forecaster")
    bank = world.party("enterprise", "bank of the pledge")
    objector = world.party("enterprise", "competitor who objects")
    exchange = world.party("exchange", "data exchange")  # its key accepts orders under a mandate
    auditor = world.party("auditor", "auditor", keyed=False)
    # two registration institutions, each signing its acts with its own key
    registrar = world.party("registrar", "registrar")
    other_registrar = world.party("registrar", "second registration institution")
    me = holder.client.participants.me()
    assert (me["id"], me["role"], me["address"]) == (holder.id, "enterprise", holder.address)
    assert auditor.client.participants.get(holder.id)["name"] == "Hainan duty-free retailer"
    expect(AuthenticationError, "not-authenticated", world.connect("dlk_" + "0" * 43).participants.me)

    # -- the notice period ------------------------------------------------------------------------
    assert isinstance(anonymous.procedure.notice_period()["seconds"], int)
    assert admin.procedure.set_notice_period(0)["seconds"] == 0
    assert anonymous.procedure.notice_period()["seconds"] == 0

    # -- registration: a real file (local key), a folder (keystore), a third asset (external) -------
    sales = data / "sales.csv"
    sales.write_text(f"sku,quantity\nA-1,3\nB-2,5\n# {RUN}\n")
    read: list[int] = []
    asset = holder.client.assets.register(sales, facts("Sales 2025"), signer=holder.key, progress=read.append)
    assert sum(read) == sales.stat().st_size
    asset_id = asset["assetId"]
    assert asset["contentHash"] == "0x" + hashlib.sha256(sales.read_bytes()).hexdigest()
    assert asset["holderAddress"] == holder.address and asset["state"] == "registered"

    folder = data / "shop-records"
    (folder / "2025").mkdir(parents=True)
    (folder / "2025" / "january.csv").write_text("sku,quantity\nA-1,1\n")
    (folder / "README").write_text(f"monthly exports {RUN}\n")
    # a light work factor: this throwaway key need not cost a second per decryption
    keystore = holder.key.to_keystore(data / "holder.json", "correct horse", iterations=2**10)
    assert KeystoreSigner.address_of(keystore) == holder.address
    folder_asset = holder.client.assets.register(
        folder, facts("Shop records"), signer=KeystoreSigner(keystore, "correct horse")
    )
    assert folder_asset["contentHash"] == hash_path(folder)

    holder_key = holder.key.private_key

    def sign_elsewhere(typed_data: dict[str, Any]) -> str:  # a KMS or hardware wallet would do this
        return sign_typed_data(holder_key, typed_data)

    external: Signer = ExternalSigner(holder.address, sign_elsewhere)
    doomed = holder.client.assets.register(digest("doomed dataset"), facts("Doomed"), signer=external)
    assert doomed["contentHash"] == digest("doomed dataset")

    # -- listing and reading --------------------------------------------------------------------
    page = holder.client.assets.list(limit=2)
    assert (page["limit"], page["offset"], len(page["items"])) == (2, 0, 2)
    second_page = holder.client.assets.list(limit=2, offset=2)
    assert len(second_page["items"]) == 1
    every = [a["assetId"] for a in holder.client.assets.iterate(page_size=2)]
    assert sorted(every) == sorted([asset_id, folder_asset["assetId"], doomed["assetId"]])
    got = holder.client.assets.get(asset_id)
    assert got["facts"]["name"] == "Sales 2025" and got["salt"] == asset["salt"]
    public = licensee.client.assets.get(asset_id)
    assert public["view"] == "public" and "salt" not in public
    expect(NotFoundError, "asset-not-found", holder.client.assets.get, digest("no such asset"))

    # -- the procedure: reviews, notice, certificate --------------------------------------------
    status = holder.client.procedure.status(asset_id)
    assert status["state"] == "registered" and status["holder"] == holder.address
    now = status["chainTime"]  # anvil's clock may run ahead of this machine's (other tests move it)
    expect(
        ConflictError,
        "invalid-asset-status",
        registrar.client.assets.issue_certificate,
        asset_id,
        signer=registrar.key,
    )
    certificate = certify(registrar, asset_id)
    number = certificate["credentialSubject"]["certificateNumber"]
    assert certificate["credentialSubject"]["asset"]["assetId"] == asset_id
    assert holder.client.procedure.status(asset_id)["state"] == "certified"

    # -- certificates -----------------------------------------------------------------------------
    listed = holder.client.assets.certificates(asset_id)
    assert [c["number"] for c in listed["items"]] == [number]
    assert anonymous.certificates.get(number)["proof"] == certificate["proof"]
    assert anonymous.certificates.status(number)["status"] == "valid"
    verified = anonymous.certificates.verify(certificate, online=True)
    assert verified["valid"] is True, verified
    offline = anonymous.certificates.verify(certificate, online=False)
    assert offline["valid"] is True
    registrar_info = anonymous.certificates.registrar()
    assert certificate["issuer"]["id"] == registrar_info["did"]

    # -- history, the auditor's check, revocation ---------------------------------------------------
    history = holder.client.assets.history(asset_id, check=True)
    assert history["total"] == len(history["items"]) >= 4
    assert history["items"][0]["act"] == "registered"
    assert all(item["chainCheck"]["passed"] for item in history["items"]), history
    only_reviews = holder.client.assets.history(asset_id, act="reviewed")
    assert {i["act"] for i in only_reviews["items"]} == {"reviewed"}
    audit = auditor.client.assets.check_against_chain(asset_id)
    assert audit["consistent"] is True, audit
    expect(PermissionDeniedError, "not-authorised", holder.client.assets.check_against_chain, asset_id)
    revoked = registrar.client.assets.revoke(
        doomed["assetId"], "the data was not lawfully collected", signer=registrar.key
    )
    assert revoked["state"] == "revoked"
    assert revoked["revocationReason"] == "the data was not lawfully collected"

    # -- objections, rejection ------------------------------------------------------------------
    admin.procedure.set_notice_period(3600)
    contested = holder.client.assets.register(digest("contested"), facts("Contested"), signer=holder.key)
    contested_id = contested["assetId"]
    registrar.client.procedure.review(contested_id, "formal", reason="complete", signer=registrar.key)
    other_registrar.client.procedure.review(
        contested_id, "substantive", reason="lawful", signer=other_registrar.key
    )
    in_notice = objector.client.procedure.status(contested_id)
    assert in_notice["state"] == "in_notice" and in_notice["noticePeriod"] == 3600
    filed = objector.client.procedure.object(
        contested_id, "we collected this data", signer=objector.key, evidence_hash=digest("our logs")
    )
    objection_id = filed["objectionId"]
    assert filed["objectorAddress"] == objector.address and filed["status"] == "open"
    assert [o["objectionId"] for o in holder.client.procedure.objections(contested_id)["items"]] == [
        objection_id
    ]
    assert holder.client.procedure.objection(objection_id)["reason"] == "we collected this data"
    resolved = registrar.client.procedure.resolve(
        objection_id, upheld=True, resolution="the logs prove it", signer=registrar.key
    )
    assert resolved["status"] == "upheld"
    assert holder.client.procedure.status(contested_id)["state"] == "rejected"
    admin.procedure.set_notice_period(0)

    incomplete = holder.client.assets.register(digest("incomplete"), facts("Incomplete"), signer=holder.key)
    rejected = registrar.client.procedure.reject(
        incomplete["assetId"], "the application is incomplete", signer=registrar.key
    )
    assert rejected["state"] == "rejected"

    # -- licences ---------------------------------------------------------------------------------
    licence = holder.client.licences.grant(
        asset_id,
        licensee.address,
        scope="fields sku and quantity, monthly aggregates",
        purpose="demand forecasting",
        valid_until=now + 30 * DAY,
        max_uses=2,
        signer=holder.key,
        territory="CN-HI",
        derivatives_allowed=True,
        commercial=True,
    )
    licence_id = licence["licenceId"]
    assert (licence["licenseeAddress"], licence["maxUses"], licence["uses"]) == (licensee.address, 2, 0)
    mine = licensee.client.licences.list()
    assert [item["licenceId"] for item in mine["items"]] == [licence_id]
    assert holder.client.licences.list(asset_id=asset_id)["items"][0]["scope"].startswith("fields")
    assert licensee.client.licences.get(licence_id)["purpose"] == "demand forecasting"
    used = licensee.client.licences.use(licence_id, digest("forecast 2026-11"), signer=licensee.key)
    assert used["use"]["number"] == 1 and used["use"]["requestHash"] == digest("forecast 2026-11")
    second = holder.client.licences.grant(
        asset_id,
        licensee.address,
        scope="everything",
        purpose="research",
        valid_until=now + DAY,
        max_uses=1,
        signer=holder.key,
    )
    # -- the delivery gateway: the data, delivered against each use of the licence ------------------
    deliveries(holder, licensee, asset_id, sales, licence_id, used, data)
    revoked_licence = holder.client.licences.revoke(
        second["licenceId"], "the fee was not paid", signer=holder.key
    )
    assert revoked_licence["revoked"] is True
    expect(
        ConflictError,
        "licence-revoked",
        licensee.client.licences.use,
        second["licenceId"],
        digest("too late"),
        signer=licensee.key,
    )

    # -- consents ---------------------------------------------------------------------------------
    subject = LocalKeySigner.generate()  # a data subject: a key, no participant, no API key
    consent = holder.client.consents.grant(subject, purpose="loyalty analytics", valid_until=now + 7 * DAY)
    consent_id = consent["consentId"]
    assert (consent["subject"], consent["status"]) == (subject.address, "active")
    assert [c["consentId"] for c in holder.client.consents.list()["items"]] == [consent_id]
    assert holder.client.consents.get(consent_id)["purpose"] == "loyalty analytics"
    used_consent = holder.client.consents.use(consent_id, digest("query 1"), signer=holder.key)
    assert used_consent["status"] == "consumed"
    given = anonymous.consents.of_subject(subject)
    assert [c["consentId"] for c in given["items"]] == [consent_id]
    other = holder.client.consents.grant(subject, purpose="marketing", valid_until=now + 7 * DAY)
    withdrawn = anonymous.consents.withdraw(other["consentId"], subject=subject)
    assert withdrawn["status"] == "withdrawn"

    # -- versions: a change of the data -------------------------------------------------------------
    sales.write_text(f"sku,quantity\nA-1,3\nB-2,5\nC-3,8\n# {RUN}\n")
    changed = holder.client.assets.change(
        asset_id, sales, facts("Sales 2025", scale="3 rows"), signer=holder.key
    )
    assert changed["asset"]["contentHash"] == hash_path(sales)
    versions = holder.client.assets.versions(asset_id)
    assert [v["version"] for v in versions["items"]] == [1, 2]
    assert versions["items"][1]["contentHash"] == hash_path(sales)

    # a registration institution (the second one) issues the certificate of the new version
    reissued = other_registrar.client.assets.issue_certificate(asset_id, signer=other_registrar.key)
    assert reissued["credentialSubject"]["asset"]["contentHash"] == hash_path(sales)
    recorded = holder.client.assets.history(asset_id, act="certificate-recorded")["items"]
    assert [item["actor"] for item in recorded] == [registrar.address, other_registrar.address]

    # -- renewal ------------------------------------------------------------------------------------
    renewed = registrar.client.assets.renew(asset_id, signer=registrar.key)
    assert renewed["credentialSubject"]["asset"]["assetId"] == asset_id
    assert renewed["credentialSubject"]["certificateNumber"] != number
    expect(PermissionDeniedError, "not-authorised", holder.client.assets.renew, asset_id, signer=holder.key)

    # -- pledges and the exchange's listing checks ------------------------------------------------
    assert bank.client.listings.pledgee_consent(asset_id, holder.address, signer=bank.key) is None
    proposal = holder.client.assets.propose_pledge(
        asset_id,
        bank.address,
        "RMB 2m at 3.1%",
        secured_amount=200_000_000,
        currency="CNY",
        maturity=1_893_456_000,
        valuation="Appraised at RMB 3m",
        signer=holder.key,
    )
    pledged = bank.client.assets.accept_pledge(proposal, signer=bank.key)  # the bank files it
    assert pledged["pledgeeAddress"] == bank.address and pledged["status"] == "active"
    revalued = bank.client.assets.revalue_pledge(asset_id, "Re-appraised at RMB 2.8m", signer=bank.key)
    assert [v["valuation"] for v in revalued["valuations"]] == [
        "Appraised at RMB 3m",
        "Re-appraised at RMB 2.8m",
    ]
    pledge_certificate = registrar.client.assets.certify_pledge(asset_id, signer=registrar.key)
    number = pledge_certificate["credentialSubject"]["pledgeCertificateNumber"]
    assert holder.client.certificates.pledge_certificate(number) == pledge_certificate
    assert holder.client.certificates.verify_pledge_certificate(pledge_certificate)["standing"] == "active"
    (booked,) = bank.client.assets.pledge_book(status="active")["items"]
    assert booked["certificateNumber"] == number and booked["securedAmount"] == 200_000_000
    pledges = holder.client.assets.pledges(asset_id)
    assert [(p["pledgeeAddress"], p["terms"]) for p in pledges["items"]] == [(bank.address, "RMB 2m at 3.1%")]
    listed_hash = hash_path(sales)
    refused = exchange.client.listings.verify(asset_id, lister=holder.address, content_hash=listed_hash)
    assert refused["credentialSubject"]["failedChecks"] == ["not-pledged"]
    consent_signature = bank.client.listings.pledgee_consent(asset_id, holder.address, signer=bank.key)
    report = exchange.client.listings.verify(
        asset_id, lister=holder.address, content_hash=listed_hash, pledgee_consent=consent_signature
    )
    assert report["credentialSubject"]["listable"] is True, report["credentialSubject"]
    assert anonymous.listings.verify_report(report)["valid"] is True

    # -- the market: a licence template and its revision, the listing, the catalogue, the delisting --
    terms = {"exclusivity": "non-exclusive", "territory": "CN-HI", "termDays": 365, "maxUses": 10}
    offered = exchange.client.market.create_template("Standard product licence", terms)
    revised = exchange.client.market.revise_template(
        offered["templateId"], {**terms, "maxUses": 20}, name="v2"
    )
    assert revised["version"] == 2 and anonymous.market.template(offered["templateId"], version=1) == offered
    content = {
        "title": f"离岛免税销售数据 Duty-free sales {RUN}",
        "productForm": "dataset",
        "category": "消费零售",
        "personalData": {"containsPersonalData": False},
        "price": {"amount": "99.50", "currency": "CNY", "unit": "per-use"},
        "licenceTemplateId": offered["templateId"],
        "licenceTemplateVersion": 2,
    }
    listing = exchange.client.market.list_product(report, content)
    listing_id = listing["listingId"]
    assert listing["status"] == "listed" and listing["pledge"]["pledgeeConsented"] == bank.address.lower()
    assert anonymous.market.listing(listing_id)["licenceTemplate"]["termsHash"] == revised["termsHash"]
    assert anonymous.market.listing_report(listing_id) == report
    for party in (exchange, holder):  # the listing exchange's listings, and the holder's
        (mine,) = [
            i for i in party.client.market.listings(status="listed")["items"] if i["listingId"] == listing_id
        ]
        assert mine["registrationNumber"] == holder.client.assets.get(asset_id)["registrationNumber"]
    found = anonymous.market.search("免税", product_form="dataset", price_max="100")
    assert listing_id in [item["listingId"] for item in found["items"]]
    assert anonymous.market.search_assets(RUN[:8])["total"] == 0  # names carry no run id; the call works
    assert listing_id in [item["listingId"] for item in anonymous.market.iterate(RUN[:12], page_size=1)]
    expect(ConflictError, "listing-report-not-passing", exchange.client.market.list_product, report, content)
    demand = exchange.client.market.publish_demand(
        "离岛免税销售数据",
        description="monthly sales by category",
        purpose="demand forecasting",
        deadline="2999-01-01T00:00:00+00:00",
        budget={"amount": "5000.00", "currency": "CNY"},
    )
    assert demand["demandId"] in [d["demandId"] for d in anonymous.market.demands()["items"]]
    offered_listing = holder.client.market.respond(demand["demandId"], listing_id, note="from 2021")
    closed = exchange.client.market.close_demand(demand["demandId"], offered_listing["responseId"])
    assert closed["status"] == "closed" and anonymous.market.demand(demand["demandId"]) == closed

    # -- data merchants and buyer verification: the exchange enrols its merchants (a public directory);
    # the holder requires verified buyers; the licensee applies, the holder approves with its own key
    exchange.client.market.enrol_merchant(holder.id, ["supplier"])
    exchange.client.market.enrol_merchant(licensee.id, ["buyer", "evaluation"], note="reviewed")
    assert [m["participant"]["id"] for m in anonymous.market.merchants(kind="buyer")["items"]] == [
        licensee.id
    ]
    exchange.client.market.enrol_merchant(bank.id, ["consulting"])
    assert exchange.client.market.withdraw_merchant(bank.id)["active"] is False
    holder.client.market.set_buyer_policy(listing_id, verification_required=True)
    assert anonymous.market.buyer_policy(listing_id)["verificationRequired"] is True
    expect(
        PermissionDeniedError,
        "buyer-not-verified",
        licensee.client.trades.order,
        listing_id,
        signer=licensee.key,
    )
    applied = licensee.client.market.apply_as_buyer(listing_id, "demand forecasting for our stores")
    assert holder.client.market.buyer_applications()["items"][0]["applicationId"] == applied["applicationId"]
    approved = holder.client.market.decide_buyer_application(
        applied["applicationId"], approved=True, reason="known retailer", signer=holder.key
    )
    assert approved["status"] == "approved"
    assert licensee.client.market.buyer_application(applied["applicationId"])["decision"]["approved"] is True

    # -- orders and trades: the buyer orders at the listed price; the holder mandates its exchange, which
    # accepts; the holder grants and links the licence; the exchange settles; another order is cancelled
    placed = licensee.client.trades.order(listing_id, signer=licensee.key)
    assert (placed["amount"], placed["currency"], placed["status"]) == (9950, "CNY", "ordered")
    order_id = placed["orderId"]
    mandate = holder.client.trades.mandate(listing_id, now + 30 * DAY, signer=holder.key)
    assert mandate["agent"] == exchange.address.lower()
    accepted = exchange.client.trades.accept(order_id, signer=exchange.key)
    assert accepted["acceptance"]["onBehalfOfSeller"] is True
    traded = holder.client.licences.grant(
        asset_id, licensee.address, scope="monthly sales", purpose="demand forecasting",
        valid_until=now + 30 * DAY, max_uses=20, commercial=True, signer=holder.key,
    )  # fmt: skip
    linked = holder.client.trades.link_licence(order_id, traded["licenceId"])
    assert linked["licence"]["licenceId"] == traded["licenceId"]
    settled = exchange.client.trades.settle(order_id, "bank transfer no. 88")
    assert settled["settlementStatus"] == "settled" and licensee.client.trades.get(order_id) == settled
    second = licensee.client.trades.order(listing_id, signer=licensee.key)
    assert exchange.client.trades.cancel(second["orderId"], "withdrawn")["status"] == "cancelled"
    assert [t["orderId"] for t in licensee.client.trades.list()["items"]] == [second["orderId"], order_id]
    today = datetime.now(UTC)
    period = (today - timedelta(days=1), today + timedelta(days=1))
    figures = anonymous.trades.statistics(*period, exchange=exchange.id)
    assert (figures["orders"], figures["trades"], figures["settledTrades"]) == (2, 1, 1)
    assert figures["amounts"] == [{"currency": "CNY", "traded": 9950, "settled": 9950}]

    # -- data vouchers: a programme authority's programme and issue; the buyer redeems against its trade,
    # at most 10 % of its amount
    authority = world.party("authority", "data voucher programme authority")
    programme = authority.client.vouchers.create_programme(
        "Hainan data vouchers", currency="CNY", budget=100_000, share_cap_bps=1000,
        enterprise_cap=15_000, period_seconds=30 * DAY, signer=authority.key,
    )  # fmt: skip
    programme_id = programme["programmeId"]
    assert anonymous.vouchers.programme(programme_id)["rules"]["shareCapBps"] == 1000
    issued = authority.client.vouchers.issue(programme_id, licensee.address, 5_000, signer=authority.key)
    assert issued["balance"] == 5_000
    redeem = licensee.client.vouchers.redeem
    over = (programme_id, "trade", order_id, 996)
    expect(ConflictError, "voucher-cap-exceeded", redeem, *over, signer=licensee.key)
    assert redeem(programme_id, "trade", order_id, 995, signer=licensee.key)["balance"] == 4_005
    (spent,) = authority.client.vouchers.spend(programme_id)["enterprises"]
    assert spent["byPurpose"] == [{"purpose": "trade", "redemptions": 1, "value": 995}]
    # the registrar records the registration fee it charged the holder; vouchers pay 10 % of that record
    fee = registrar.client.vouchers.record_registration_fee(
        asset_id, 50_000, "CNY", signer=registrar.key, payer=holder.address
    )
    assert (fee["amount"], fee["redeemedIn"]) == (50_000, None)
    assert holder.client.vouchers.registration_fee(asset_id) == fee
    assert authority.client.vouchers.issue(programme_id, holder.address, 6_000, signer=authority.key)
    paid = holder.client.vouchers.redeem(programme_id, "registration-fee", asset_id, 5_000, signer=holder.key)
    assert (paid["baseAmount"], paid["value"]) == (50_000, 5_000)
    expect(NotFoundError, "registration-fee-not-found", licensee.client.vouchers.registration_fee, asset_id)
    # the holder ends its exchange's mandate: the exchange accepts no more orders in its name
    revoked = holder.client.trades.revoke_mandate(listing_id, signer=holder.key, agent=exchange.address)
    assert revoked["status"] == "revoked" and revoked["revocation"]["chainEvidence"]["txHash"]
    assert [m["status"] for m in exchange.client.trades.mandates(listing_id)["items"]] == ["revoked"]
    third = licensee.client.trades.order(listing_id, signer=licensee.key)
    accept = exchange.client.trades.accept
    expect(PermissionDeniedError, "trade-mandate-revoked", accept, third["orderId"], signer=exchange.key)
    assert exchange.client.market.delist(listing_id, "the holder withdrew it")["status"] == "delisted"
    released = bank.client.assets.release_pledge(asset_id, signer=bank.key)
    assert released["status"] == "released"
    expect(ConflictError, "asset-not-pledged", bank.client.assets.enforce_pledge, asset_id, signer=bank.key)

    # -- transfer, enforcement, cancellation -------------------------------------------------------
    folder_id = folder_asset["assetId"]
    certify(registrar, folder_id)
    transferred = holder.client.assets.transfer(folder_id, licensee.address, signer=holder.key)
    assert transferred["asset"]["holderAddress"] == licensee.address
    refinanced = licensee.client.assets.propose_pledge(
        folder_id,
        bank.address,
        "RMB 1m",
        secured_amount=100_000_000,
        currency="CNY",
        maturity=1_893_456_000,
        valuation="Appraised at RMB 1.5m",
        signer=licensee.key,
    )
    bank.client.assets.accept_pledge(refinanced, signer=bank.key)
    enforced = bank.client.assets.enforce_pledge(folder_id, signer=bank.key)
    assert enforced["asset"]["holderAddress"] == bank.address
    cancelled = bank.client.assets.cancel(folder_id, signer=bank.key)
    assert cancelled["state"] == "cancelled"
    expect(
        ConflictError, "invalid-asset-status", registrar.client.assets.renew, folder_id, signer=registrar.key
    )

    # -- bulk registration and anchoring ------------------------------------------------------------
    batch = [facts(f"Daily export {day}", contentHash=digest(f"export {day}")) for day in (1, 2)]
    bulk = holder.client.bulk.register(batch, signer=holder.key, wait=True, timeout=30)
    assert (bulk["accepted"], bulk["rejected"]) == (2, 0), bulk
    batched_id = bulk["items"][0]["assetId"]
    assert bulk["items"][0]["status"] == "anchored"
    assert holder.client.bulk.get(batched_id)["contentHash"] == digest("export 1")
    anchor = holder.client.bulk.anchor(batched_id)
    assert anchor["status"] == "anchored" and anchor["assetId"] == batched_id
    assert holder.client.bulk.wait_for_anchor(batched_id, timeout=30)["root"] == anchor["root"]
    materialised = holder.client.bulk.materialise(batched_id)
    assert materialised["asset"]["assetId"] == batched_id and materialised["asset"]["state"] == "registered"
    queued = holder.client.bulk.register(
        [facts("Daily export 3", contentHash=digest("export 3"))], signer=holder.key
    )
    queued_id = queued["items"][0]["assetId"]
    assert queued["items"][0]["status"] == "queued"  # answered before its batch closes
    anchored = holder.client.bulk.wait_for_anchor(queued_id, timeout=30, interval=0.05)
    assert anchored["status"] == "anchored" and anchored["anchor"]["txHash"]

    # -- EPCIS events -------------------------------------------------------------------------------
    epc = f"urn:epc:id:sgtin:0614141.107346.{int(RUN[:8], 16)}"
    document = epcis_document([object_event(epcList=[epc])])
    receipt = holder.client.events.capture(document, wait=True, timeout=30)
    assert (receipt["eventCount"], receipt["new"], receipt["anchored"]) == (1, 1, True), receipt
    event_hash_id = receipt["events"][0]["eventHashId"]
    again = holder.client.events.capture(json.dumps(document).encode())  # as application/ld+json
    assert (again["duplicates"], again["events"][0]["eventHashId"]) == (1, event_hash_id)
    events = holder.client.events.list(epc=epc)
    assert [e["eventHashId"] for e in events["items"]] == [event_hash_id]
    exported = holder.client.events.document(epc=epc)
    assert exported["type"] in ("EPCISDocument", "EPCISQueryDocument")
    assert event_hash_id in str(exported) or epc in str(exported)
    assert holder.client.events.get(event_hash_id)["eventHashId"] == event_hash_id

    # -- lineage ------------------------------------------------------------------------------------
    trace = holder.client.lineage.trace(epc)
    assert trace["start"] == epc and [e["eventHashId"] for e in trace["events"]] == [event_hash_id]
    item_history = holder.client.lineage.item_history(epc)
    assert [e["eventHashId"] for e in item_history["events"]] == [event_hash_id]
    location = holder.client.lineage.location(epc)
    assert location["item"] == epc
    product = holder.client.assets.register(
        digest("demand index"),
        facts("Demand index", rightClaimed="data-product-operation", extra={"derived_from": [asset_id]}),
        signer=holder.key,
    )
    derivation = holder.client.lineage.record_derivation(
        product["assetId"], [{"assetId": asset_id, "licenceId": None}]
    )
    assert [p["assetId"] for p in derivation["parents"]] == [asset_id]
    assert holder.client.lineage.derivation(product["assetId"])["productId"] == product["assetId"]
    node = f"asset:{product['assetId']}"
    graph = holder.client.lineage.graph(node)
    assert {i["id"] for i in graph["items"]} == {node, f"asset:{asset_id}"}
    assert holder.client.lineage.svg(node).lstrip().startswith(("<svg", "<?xml"))
    prov = holder.client.lineage.prov(node)
    assert "@context" in prov and prov["dl:traceOf"] == {"@id": node}

    # -- the transparency log -----------------------------------------------------------------------
    first = registrar.client.log.issue_checkpoint()
    info = anonymous.log.info()
    assert info["origin"] and info["verifierKey"]
    holder.client.assets.register(digest("after the checkpoint"), facts("Late"), signer=holder.key)
    latest = registrar.client.log.issue_checkpoint()
    assert latest["treeSize"] > first["treeSize"]
    assert anonymous.log.checkpoint()["rootHash"] == latest["rootHash"]
    note = anonymous.log.checkpoint_note()
    assert note.startswith(info["origin"] + "\n") and str(latest["treeSize"]) in note
    entry = auditor.client.log.entry(0, tree_size=first["treeSize"])
    assert (entry["index"], entry["treeSize"]) == (0, first["treeSize"])
    assert auditor.client.log.entry(0)["treeSize"] == latest["treeSize"]
    proof = anonymous.log.consistency(first["treeSize"], latest["treeSize"])
    assert (proof["fromSize"], proof["toSize"]) == (first["treeSize"], latest["treeSize"])

    # -- a registration institution's role revoked: its key's acts are refused ---------------------
    revoked_role = admin.participants.revoke_registrar(other_registrar.id)
    assert (revoked_role["address"], revoked_role["active"]) == (other_registrar.address, False)
    pending = holder.client.assets.register(
        digest("after the revocation"), facts("Late 2"), signer=holder.key
    )
    expect(
        PermissionDeniedError,
        "not-authorised",
        other_registrar.client.procedure.review,
        pending["assetId"],
        "formal",
        reason="complete",
        signer=other_registrar.key,
    )

    # -- typed errors -------------------------------------------------------------------------------
    invalid = expect(ValidationError, "validation-failed", admin.procedure.set_notice_period, -1)
    assert invalid.problem.get("errors"), invalid.problem


def test_the_sdk_drives_every_operation_of_a_live_server(server: str, tmp_path: Path) -> None:
    log = run_scenario(server, tmp_path)
    missing = server_operation_ids(server) - set(log.sent)
    assert not missing, f"operations the scenario never sent: {sorted(missing)}"
