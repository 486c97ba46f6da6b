"""The ledger the portal's tests look at, set up through the SDK as its users would.

A registration institution and a holder, each signing its acts with its own key (the SDK prepares
each act on the server, checks it and signs it here); four certificates: one valid, one of a revoked
registration, one superseded by its renewal (and that renewal); a certified asset licensed to an
analytics firm, pledged to a bank, with a data product derived from it; two applications in public
notice and one awaiting its formal review; and the offshore duty-free chain captured as EPCIS events.

Pledge financing: the licensed asset's pledge certified by the registrar, another certified then released
(its certificate ended), a third awaiting its certificate. The market: an exchange lists a certified
asset at CNY 1,200.00 and the holder mandates the exchange to accept the listing's orders in its name; a
buyer's first order is accepted by the holder and settled, its second awaits acceptance. Data vouchers: a
programme authority's programme issues vouchers to the buyer, which redeems some against its trade, and
to the holder, which redeems some against a registration fee.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from dataledger.cli import duty_free_scenario
from dataledger.client import Client, LocalKeySigner

NOTICE_DAYS = 10
HOLDER_NAME = "三亚免税运营有限公司 Sanya Duty-Free Operations Ltd"
REGISTRAR_NAME = "海南省数据知识产权登记中心"
OBJECTOR_NAME = "海口数据科技有限公司 Haikou Data Tech"
BANK_NAME = "海南银行 Bank of Hainan"
EXCHANGE_NAME = "海南国际数据交易所 Hainan International Data Exchange"
BUYER_NAME = "海口零售分析有限公司 Haikou Retail Analytics"
AUTHORITY_NAME = "海南省数据局 Hainan Data Administration"
LISTED_NAME = "离岛免税客流画像 Duty-free shopper profiles"
LISTING_TITLE = "离岛免税客流画像数据集 Duty-free shopper profiles dataset"
PRICE_FEN = 120_000  # CNY 1,200.00
PROGRAMME_NAME = "海南数据券 2026 Hainan data vouchers"
ISSUED_TO_BUYER, REDEEMED_BY_BUYER = 50_000, 12_000  # fen; 10 % of the trade at most
ISSUED_TO_HOLDER, REDEEMED_BY_HOLDER, REGISTRATION_FEE = 5_000, 500, 5_000


@dataclass(frozen=True)
class Pledging:
    """Pledges at each stage a registrar and a verifier meet them."""

    certified: dict[str, Any]  # the licensed asset's pledge certificate (the pledge stands)
    ended: dict[str, Any]  # a pledge certificate whose pledge the bank released
    awaiting: dict[str, Any]  # a certified asset pledged to the bank, its certificate not issued yet
    bank_api_key: str
    bank_private_key: str


@dataclass(frozen=True)
class Market:
    """An exchange's listing under the holder's mandate, a buyer's orders (one settled, one awaiting
    acceptance), and data vouchers."""

    exchange_id: str
    exchange_api_key: str
    exchange_private_key: str  # the exchange's own key (it accepts orders under the mandate with it)
    mandate: dict[str, Any]  # the holder's mandate to the exchange for the listing, in force
    listing: dict[str, Any]
    settled: dict[str, Any]  # the buyer's first order: accepted by the holder, settled by the exchange
    waiting: dict[str, Any]  # its second: awaiting the holder's acceptance
    buyer_api_key: str
    buyer_private_key: str
    buyer_address: str
    authority_api_key: str
    programme: dict[str, Any]


@dataclass(frozen=True)
class Story:
    valid: dict[str, Any]  # the signed credentials
    revoked: dict[str, Any]
    superseded: dict[str, Any]
    successor: dict[str, Any]
    in_notice: tuple[dict[str, Any], ...]  # the assets, as registered
    licensed: dict[str, Any]  # certified, licensed, pledged, a product derived from it (as registered)
    product: dict[str, Any]  # the data product derived from it
    application: dict[str, Any]  # registered, awaiting its formal review
    admin_key: str
    registrar_api_key: str
    registrar_private_key: str  # the registration institution's own key (the browser signs with it)
    registrar_address: str
    objector_api_key: str  # a competitor, with its own key (objections on the notice board)
    objector_private_key: str
    holder_api_key: str  # the holder's (an enterprise: the workspace), with its own key
    holder_private_key: str
    pledging: Pledging
    market: Market


def content_hash(label: str) -> str:
    return "0x" + hashlib.sha256(label.encode()).hexdigest()


def facts(name: str, **extra: str) -> dict[str, Any]:
    return {
        "name": name,
        "description": "Per-sale records of three duty-free stores; passenger quota records hashed",
        "source": "Point-of-sale systems of the holder's own stores",
        "collectionMethod": "Automatic export from POS, daily",
        "scale": "200 rows",
        "updateFrequency": "daily",
        "industry": "零售 / 离岛免税 retail",
        "rightClaimed": "data-resource-holding",
        **extra,
    }


def tell(url: str, admin_key: str) -> Story:
    """Set the story up on the ledger at ``url``."""
    admin = Client(url, admin_key)
    registrar_key, holder_key = LocalKeySigner.generate(), LocalKeySigner.generate()
    registrar_api_key = admin.participants.create(REGISTRAR_NAME, "registrar", registrar_key.address)[
        "apiKey"
    ]
    registrar = Client(url, registrar_api_key)
    holder_api_key = admin.participants.create(HOLDER_NAME, "enterprise", holder_key.address)["apiKey"]
    holder = Client(url, holder_api_key)

    def register(name: str) -> dict[str, Any]:
        asset: dict[str, Any] = holder.assets.register(content_hash(name), facts(name), signer=holder_key)
        for stage in ("formal", "substantive"):
            registrar.procedure.review(
                asset["assetId"], stage, reason=f"{stage} review passed", signer=registrar_key
            )
        return asset

    def certify(name: str) -> tuple[str, dict[str, Any]]:
        asset_id = register(name)["assetId"]
        return asset_id, registrar.assets.issue_certificate(asset_id, signer=registrar_key)

    admin.procedure.set_notice_period(0)
    _, valid = certify("离岛免税销售记录 2026 Q3 Offshore duty-free sales")
    revoked_asset, revoked = certify("免税店客流统计 Duty-free footfall counts")
    registrar.assets.revoke(
        revoked_asset, "登记所依据的授权已失效 the source's authorisation was withdrawn", signer=registrar_key
    )
    renewed_asset, superseded = certify("机场提货记录 Airport pickup records")
    successor = registrar.assets.renew(renewed_asset, signer=registrar_key)

    licensed, product, bank_key, bank_api_key = licensed_and_derived(url, admin, holder, holder_key, certify)
    pledging = pledges_at_each_stage(
        url, holder, holder_key, registrar, registrar_key, bank_key, bank_api_key, licensed, certify
    )
    market = market_and_vouchers(url, admin, holder, holder_key, registrar, registrar_key, certify)

    admin.procedure.set_notice_period(NOTICE_DAYS * 24 * 3600)
    in_notice = (
        register("保税仓出入库记录 Bonded warehouse movements"),
        register("海关通关单证摘要 Customs clearance summaries"),
    )
    application = holder.assets.register(
        content_hash("免税商品价格指数 Duty-free price index"),
        facts("免税商品价格指数 Duty-free price index"),
        signer=holder_key,
    )
    capture_duty_free_chain(url, admin)
    objector_key = LocalKeySigner.generate()
    objector = admin.participants.create(OBJECTOR_NAME, "enterprise", objector_key.address)
    return Story(
        valid,
        revoked,
        superseded,
        successor,
        in_notice,
        licensed,
        product,
        application,
        admin_key,
        registrar_api_key,
        registrar_key.private_key,
        registrar_key.address,
        objector["apiKey"],
        objector_key.private_key,
        holder_api_key,
        holder_key.private_key,
        pledging,
        market,
    )


def licensed_and_derived(
    url: str, admin: Client, holder: Client, holder_key: LocalKeySigner, certify: Any
) -> tuple[dict[str, Any], dict[str, Any], LocalKeySigner, str]:
    """A certified asset licensed to an analytics firm (derivatives allowed), which registers a data
    product derived from it; then the holder pledges the asset to a bank (both sign the pledge)."""
    analytics_key, bank_key = LocalKeySigner.generate(), LocalKeySigner.generate()
    analytics = Client(
        url, admin.participants.create("海南数据分析有限公司", "enterprise", analytics_key.address)["apiKey"]
    )
    bank_api_key = admin.participants.create(BANK_NAME, "enterprise", bank_key.address)["apiKey"]
    name = "离岛免税品类销售汇总 Duty-free sales by category"
    asset_id, _ = certify(name)
    licence = holder.licences.grant(
        asset_id,
        analytics_key.address,
        scope="monthly aggregates by category",
        purpose="market analysis product",
        valid_until=int(time.time()) + 365 * 86400,
        max_uses=10,
        derivatives_allowed=True,
        commercial=True,
        signer=holder_key,
    )
    product_name = "免税消费趋势报告 Duty-free spending trends"
    product = analytics.assets.register(
        content_hash(product_name),
        facts(product_name, rightClaimed="data-product-operation"),
        signer=analytics_key,
    )
    analytics.lineage.record_derivation(
        product["assetId"], [{"assetId": asset_id, "licenceId": licence["licenceId"]}]
    )
    pledge(holder, asset_id, holder_key, bank_key)
    return holder.assets.get(asset_id), product, bank_key, bank_api_key


def pledges_at_each_stage(
    url: str,
    holder: Client,
    holder_key: LocalKeySigner,
    registrar: Client,
    registrar_key: LocalKeySigner,
    bank_key: LocalKeySigner,
    bank_api_key: str,
    licensed: dict[str, Any],
    certify: Any,
) -> Pledging:
    """The registrar certifies the licensed asset's pledge; another pledge is certified and released by
    the bank; a third waits for its certificate."""
    bank = Client(url, bank_api_key)
    certified = registrar.assets.certify_pledge(licensed["assetId"], signer=registrar_key)
    ended_asset, _ = certify("免税店会员积分流水 Duty-free loyalty points ledger")
    pledge(holder, ended_asset, holder_key, bank_key)
    ended = registrar.assets.certify_pledge(ended_asset, signer=registrar_key)
    bank.assets.release_pledge(ended_asset, signer=bank_key)
    awaiting_asset, _ = certify("离岛免税品退货记录 Duty-free returns")
    pledge(holder, awaiting_asset, holder_key, bank_key)
    return Pledging(certified, ended, holder.assets.get(awaiting_asset), bank_api_key, bank_key.private_key)


def market_and_vouchers(
    url: str,
    admin: Client,
    holder: Client,
    holder_key: LocalKeySigner,
    registrar: Client,
    registrar_key: LocalKeySigner,
    certify: Any,
) -> Market:
    """An exchange lists a certified asset of the holder, which mandates the exchange to accept the
    listing's orders in its name for a year; a buyer orders it twice (the first order accepted by the
    holder and settled by the exchange, the second left awaiting acceptance); a programme
    authority issues vouchers to the buyer, which redeems some against its trade, and to the holder,
    which redeems some against the registration fee the registrar recorded for the listed asset."""
    exchange_key, buyer_key, authority_key = (LocalKeySigner.generate() for _ in range(3))
    exchange_participant = admin.participants.create(EXCHANGE_NAME, "exchange", exchange_key.address)
    exchange = Client(url, exchange_participant["apiKey"])
    asset_id, _ = certify(LISTED_NAME)
    report = exchange.listings.verify(
        asset_id, lister=holder_key.address, content_hash=content_hash(LISTED_NAME)
    )
    terms = {"exclusivity": "non-exclusive", "territory": "CN-HI", "termDays": 365, "maxUses": 10}
    template = exchange.market.create_template("标准数据产品许可 Standard product licence", terms)
    content = {
        "title": LISTING_TITLE,
        "productForm": "dataset",
        "category": "消费零售",
        "personalData": {"containsPersonalData": False},
        "price": {"amount": f"{PRICE_FEN / 100:.2f}", "currency": "CNY", "unit": "per-use"},
        "licenceTemplateId": template["templateId"],
        "licenceTemplateVersion": 1,
    }
    listing = exchange.market.list_product(report, content)
    mandate = holder.trades.mandate(listing["listingId"], int(time.time()) + 365 * 86400, signer=holder_key)
    buyer_api_key = admin.participants.create(BUYER_NAME, "enterprise", buyer_key.address)["apiKey"]
    buyer = Client(url, buyer_api_key)
    first = buyer.trades.order(listing["listingId"], signer=buyer_key)
    holder.trades.accept(first["orderId"], signer=holder_key)
    settled = exchange.trades.settle(first["orderId"], "银行转账 HN-88 bank transfer")
    waiting = buyer.trades.order(listing["listingId"], signer=buyer_key)

    authority_api_key = admin.participants.create(AUTHORITY_NAME, "authority", authority_key.address)[
        "apiKey"
    ]
    authority = Client(url, authority_api_key)
    programme = authority.vouchers.create_programme(
        PROGRAMME_NAME,
        currency="CNY",
        budget=10_000_000,
        share_cap_bps=1000,
        enterprise_cap=1_000_000,
        period_seconds=30 * 24 * 3600,
        signer=authority_key,
    )
    programme_id = programme["programmeId"]
    authority.vouchers.issue(programme_id, buyer_key.address, ISSUED_TO_BUYER, signer=authority_key)
    buyer.vouchers.redeem(programme_id, "trade", first["orderId"], REDEEMED_BY_BUYER, signer=buyer_key)
    authority.vouchers.issue(programme_id, holder_key.address, ISSUED_TO_HOLDER, signer=authority_key)
    registrar.vouchers.record_registration_fee(asset_id, REGISTRATION_FEE, "CNY", signer=registrar_key)
    holder.vouchers.redeem(programme_id, "registration-fee", asset_id, REDEEMED_BY_HOLDER, signer=holder_key)
    return Market(
        listing["exchange"]["id"],
        exchange_participant["apiKey"],
        exchange_key.private_key,
        mandate,
        listing,
        settled,
        waiting,
        buyer_api_key,
        buyer_key.private_key,
        buyer_key.address,
        authority_api_key,
        programme,
    )


def pledge(holder: Client, asset_id: str, holder_key: LocalKeySigner, bank_key: LocalKeySigner) -> None:
    """The holder pledges the asset to the bank: both sign the same terms (the holder its ``Pledge``,
    the bank its ``PledgeAcceptance``), each with its own key, and the holder files both signatures."""
    offer = {
        "pledgee": bank_key.address,
        "terms": "loan HN-2026-0042, RMB 5m",
        "securedAmount": 5_000_000_00,  # fen
        "currency": "CNY",
        "maturity": int(time.time()) + 365 * 86400,
        "valuation": "valued at RMB 8m by the bank's data-asset appraisal of 2026-11",
    }
    path = {"assetId": asset_id}
    prepared = holder.json(
        "preparePledge", "POST", "/v1/assets/{assetId}/pledge-requests", path=path, json=offer
    )

    def signed(party: str, key: LocalKeySigner) -> dict[str, Any]:
        act = prepared[party]
        return {
            "nonce": act["nonce"],
            "deadline": act["deadline"],
            "signature": key.sign_typed_data(act["typedData"]),
        }

    holder.json(
        "pledgeAsset",
        "POST",
        "/v1/assets/{assetId}/pledges",
        path=path,
        json={
            **offer,
            "salt": prepared["salt"],
            "byHolder": signed("holder", holder_key),
            "byPledgee": signed("pledgee", bank_key),
        },
    )


def capture_duty_free_chain(url: str, admin: Client) -> None:
    """The offshore duty-free chain (brand, bonded warehouse, customs, store, airport pickup), anchored."""
    party = Client(
        url,
        admin.participants.create(
            "离岛免税供应链 Duty-free chain", "enterprise", LocalKeySigner.generate().address
        )["apiKey"],
    )
    for _, document in duty_free_scenario.duty_free_documents():
        party.events.capture(json.dumps(document).encode(), wait=True, timeout=60)
