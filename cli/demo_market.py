"""The demo's market part: the Hainan data-product supermarket, from a certified dataset to delivered data.

Called by ``cli.demo`` after the data rights story, on the same server and chain. A data merchant's
dataset is registered and certified; the exchange verifies and lists it with a licence template; a
buyer finds it in Chinese and in English, orders it at the listed price (the buyer signs), the exchange
accepts under the merchant's mandate, the licence is granted and linked, and the exchange settles; the
programme authority's data vouchers pay a tenth of the price (one more fen is refused) and a tenth of
the registration fee the registrar recorded; the merchant revokes the exchange's mandate and the
exchange's next acceptance is refused; the data is
delivered through the gateway exactly as many times as the licence allows, each with a signed receipt,
and refused the next time; the exchange's statistics for the day close the story. Every step goes
through the HTTP API with the SDK, each party signing with its own key.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dataledger.client import ApiError, Client, LocalKeySigner, hash_path

DAY = 24 * 3600
PRICE_FEN = 128_800  # ¥1,288.00 a use
USES = 3


def run_market_story(admin: Client, say: Callable[..., None]) -> None:
    print("\n" + "=" * 78)
    print("The Hainan data-product supermarket: list, find, order, pay with vouchers, deliver once per use")
    print("=" * 78)
    keys = {
        name: LocalKeySigner.generate()
        for name in ("merchant", "registrar", "exchange", "buyer", "authority")
    }

    def party(name: str, role: str, key: str) -> Client:
        created = admin.participants.create(name, role, keys[key].address)
        return Client(admin.base_url, created["apiKey"])

    merchant = party("Hainan Tourism Big Data Co", "enterprise", "merchant")
    registrar = party("Haikou Data Registration Centre (market desk)", "registrar", "registrar")
    exchange = party("Hainan International Data Exchange", "exchange", "exchange")
    buyer = party("Boao Hotel Group", "enterprise", "buyer")
    authority = party("Hainan Provincial Data Bureau", "authority", "authority")
    anonymous = Client(admin.base_url)

    with tempfile.TemporaryDirectory(prefix="dataledger-market-") as folder:
        dataset = Path(folder) / "visitor-flows.csv"
        rows = ["date,port,arrivals,stay_nights"] + [
            f"2026-{m:02d}-01,{port},{1000 + 37 * m},{2 + m % 3}"
            for m in range(1, 13)
            for port in ("HAK", "SYX")
        ]
        dataset.write_text("\n".join(rows) + "\n")
        asset = _certified(merchant, registrar, admin, keys, dataset)
        asset_id = asset["assetId"]
        say("A data merchant's dataset is registered and certified", asset_id=asset_id)

        report = exchange.listings.verify(
            asset_id, lister=keys["merchant"].address, content_hash=asset["contentHash"]
        )
        template = exchange.market.create_template(
            "Standard per-use licence",
            {"exclusivity": "non-exclusive", "territory": "CN-HI", "termDays": 90, "maxUses": USES},
        )
        listing = exchange.market.list_product(
            report,
            {
                "title": "海南入境游客流量月度数据 Hainan visitor flows, monthly",
                "productForm": "dataset",
                "category": "文旅",
                "personalData": {"containsPersonalData": False},
                "price": {"amount": f"{PRICE_FEN / 100:.2f}", "currency": "CNY", "unit": "per-use"},
                "licenceTemplateId": template["templateId"],
                "licenceTemplateVersion": 1,
            },
        )
        listing_id = listing["listingId"]
        say(
            "The exchange verifies the product (a registrar-signed report) and lists it in the supermarket",
            listing=listing_id,
            status=listing["status"],
            report_listable=report["credentialSubject"]["listable"],
        )
        in_chinese = anonymous.market.search("游客流量")
        in_english = anonymous.market.search("visitor flows")
        say(
            "A buyer finds it in the public catalogue, in Chinese and in English",
            chinese_hits=in_chinese["total"],
            english_hits=in_english["total"],
            found=listing_id in [i["listingId"] for i in in_chinese["items"]],
        )

        placed = buyer.trades.order(listing_id, signer=keys["buyer"])
        order_id = placed["orderId"]
        merchant.trades.mandate(listing_id, int(time.time()) + 30 * DAY, signer=keys["merchant"])
        exchange.trades.accept(order_id, signer=keys["exchange"])
        licence = merchant.licences.grant(
            asset_id, keys["buyer"].address, scope="monthly visitor flows, both ports",
            purpose="hotel capacity planning", valid_until=int(time.time()) + 90 * DAY, max_uses=USES,
            commercial=True, signer=keys["merchant"],
        )  # fmt: skip
        merchant.trades.link_licence(order_id, licence["licenceId"])
        settled = exchange.trades.settle(order_id, "CNAPS transfer 2026113000042")
        say(
            "The buyer orders and signs; the exchange accepts under the merchant's mandate; the licence is "
            "granted and linked; the exchange settles",
            amount=f"{settled['amount'] / 100:.2f} {settled['currency']}",
            settlement=settled["settlementStatus"],
            licence=licence["licenceId"],
        )

        programme = authority.vouchers.create_programme(
            "Hainan data vouchers 2026", currency="CNY", budget=10_000_000, share_cap_bps=1000,
            enterprise_cap=1_000_000, period_seconds=365 * DAY, signer=keys["authority"],
        )  # fmt: skip
        programme_id = programme["programmeId"]
        authority.vouchers.issue(programme_id, keys["buyer"].address, 50_000, signer=keys["authority"])
        cap = settled["amount"] // 10
        over = _refusal(
            lambda: buyer.vouchers.redeem(programme_id, "trade", order_id, cap + 1, signer=keys["buyer"])
        )
        redeemed = buyer.vouchers.redeem(programme_id, "trade", order_id, cap, signer=keys["buyer"])
        say(
            "The programme authority issues data vouchers; the buyer pays 10 % of the trade with them",
            redeemed=f"{cap / 100:.2f} CNY",
            balance=f"{redeemed['balance'] / 100:.2f} CNY",
            one_fen_more=f"{over.status} {over.code}",
        )

        fee = registrar.vouchers.record_registration_fee(
            asset_id, 200_000, "CNY", signer=keys["registrar"], payer=keys["merchant"].address
        )
        authority.vouchers.issue(programme_id, keys["merchant"].address, 20_000, signer=keys["authority"])
        paid = merchant.vouchers.redeem(
            programme_id, "registration-fee", asset_id, fee["amount"] // 10, signer=keys["merchant"]
        )
        say(
            "The registrar records the registration fee it charged; the merchant's vouchers pay a tenth of "
            "that record",
            fee=f"{fee['amount'] / 100:.2f} {fee['currency']}",
            redeemed=f"{paid['value'] / 100:.2f} CNY",
        )

        merchant.trades.revoke_mandate(listing_id, signer=keys["merchant"], agent=keys["exchange"].address)
        later = buyer.trades.order(listing_id, signer=keys["buyer"])
        not_mandated = _refusal(lambda: exchange.trades.accept(later["orderId"], signer=keys["exchange"]))
        exchange.trades.cancel(later["orderId"], "the merchant accepts its orders itself again")
        say(
            "The merchant revokes its exchange's mandate: the exchange's next acceptance is refused",
            exchange_acceptance=f"{not_mandated.status} {not_mandated.code}",
        )

        merchant.deliveries.deposit_file(asset_id, dataset, media_type="text/csv")
        received = []
        for n in range(1, USES + 1):
            use = buyer.deliveries.receive(
                licence["licenceId"], Path(folder) / f"delivered-{n}.csv", signer=keys["buyer"]
            )
            received.append(use["useId"])
        digest = hashlib.sha256((Path(folder) / "delivered-1.csv").read_bytes()).hexdigest()
        refused = _refusal(
            lambda: buyer.deliveries.receive(
                licence["licenceId"], Path(folder) / "again.csv", signer=keys["buyer"]
            )
        )
        receipt = buyer.deliveries.receipt(received[0])  # its signature checked against the gateway's key
        say(
            "The gateway delivers the data once per use of the licence, each with a signed receipt",
            deliveries=len(received),
            sha256_matches_registration=("0x" + digest) == asset["contentHash"],
            first_receipt_anchoring=receipt["anchoring"]["status"],
            fourth_delivery=f"{refused.status} {refused.code}",
        )

    today = datetime.now(UTC)
    figures = anonymous.trades.statistics(today - timedelta(days=1), today + timedelta(days=1))
    say(
        "The day's published figures of the market",
        listings=figures.get("listings"),
        trades=figures.get("trades"),
        settled=figures.get("settledTrades"),
        amounts=", ".join(f"{a['settled'] / 100:.2f} {a['currency']}" for a in figures.get("amounts", [])),
    )


def _certified(
    merchant: Client, registrar: Client, admin: Client, keys: dict[str, LocalKeySigner], dataset: Path
) -> dict[str, Any]:
    """Registered, reviewed twice, a public notice of no time, certified by the registrar."""
    admin.procedure.set_notice_period(0)
    facts = {
        "name": "Hainan visitor flows by port, monthly 2026",
        "description": "Arrivals and stays at Haikou and Sanya, aggregated by month",
        "source": "own booking platform",
        "collectionMethod": "monthly aggregation of bookings",
        "scale": "24 rows",
        "industry": "tourism",
        "rightClaimed": "data-product-operation",
    }
    asset = merchant.assets.register(dataset, facts, signer=keys["merchant"])
    for stage in ("formal", "substantive"):
        registrar.procedure.review(
            asset["assetId"], stage, reason="complete and lawful", signer=keys["registrar"]
        )
    registrar.assets.issue_certificate(asset["assetId"], signer=keys["registrar"])
    return {**asset, "contentHash": hash_path(dataset)}


def _refusal(call: Callable[[], object]) -> ApiError:
    try:
        call()
    except ApiError as error:
        return error
    raise RuntimeError("the ledger accepted an act it must refuse")
