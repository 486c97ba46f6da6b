"""In a real browser, on ``/workspace/trades``: the listing exchange accepts a buyer's order in the holder's
name under the holder's signed mandate, signing the ``TradeAcceptance`` with its own key in the page; once
the holder revokes the mandate the exchange is told so, in words, and offered no acceptance, and the
holder sees its mandate revoked too; and a participant with many orders reads them a page at a time.

The holder manages that mandate from the same page: grants it until a date it picks (a date that has
passed is refused in the page, before anything is sent) and revokes it, signing each in the browser with
its own key; the orders awaiting acceptance are the API's ``status``/``role`` filter, a page at a time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, expect

from dataledger.client import Client, LocalKeySigner
from dataledger.client.errors import ApiError
from tests.portal.conftest import Portal
from tests.portal.story import EXCHANGE_NAME, HOLDER_NAME, LISTING_TITLE
from tests.portal.test_browser_trades import PASSWORD, holder_keystore, sign_in
from tests.portal.test_browser_workspace import unlock

__all__ = ["holder_keystore"]  # the holder's keystore fixture, shared with the holder's own tests


@pytest.fixture
def exchange_keystore(portal: Portal, tmp_path: Path) -> Path:
    signer = LocalKeySigner(portal.story.market.exchange_private_key)
    return signer.to_keystore(tmp_path / "exchange.json", PASSWORD, iterations=2**12)


@pytest.fixture
def revocable_mandate(portal: Portal) -> Iterator[LocalKeySigner]:
    """The holder's key, to revoke its mandate in the test; the mandate is granted again afterwards, so
    the ledger this worker's later tests see still has one in force."""
    holder_key = LocalKeySigner(portal.story.holder_private_key)
    try:
        yield holder_key
    finally:
        holder = Client(portal.url, portal.story.holder_api_key)
        listing_id = portal.story.market.listing["listingId"]
        if holder.trades.mandates(listing_id)["items"][0]["status"] != "in-force":
            holder.trades.mandate(listing_id, int(time.time()) + 365 * 86400, signer=holder_key)


def new_order(portal: Portal) -> str:
    market = portal.story.market
    buyer = Client(portal.url, market.buyer_api_key)
    order: str = buyer.trades.order(
        market.listing["listingId"], signer=LocalKeySigner(market.buyer_private_key)
    )["orderId"]
    return order


def test_the_exchange_accepts_an_order_under_the_holders_mandate_signing_in_the_browser(
    page: Page, portal: Portal, exchange_keystore: Path
) -> None:
    order_id = new_order(portal)
    sign_in(page, portal, portal.story.market.exchange_api_key)
    expect(page.get_by_test_id("signed-in")).to_contain_text(EXCHANGE_NAME)
    expect(page.get_by_test_id("awaiting")).to_be_hidden()  # the exchange sells and buys nothing
    card = page.locator(f'[data-testid=mandated] [data-testid=order][data-order-id="{order_id}"]')
    expect(card).to_contain_text(LISTING_TITLE)
    expect(card.get_by_test_id("mandate")).to_have_attribute("data-mandate", "in-force")
    expect(card.get_by_test_id("mandate")).to_contain_text("In force until")

    unlock(page, exchange_keystore)
    card.get_by_test_id("accept-order").click()
    expect(page.get_by_test_id("sign-summary")).to_contain_text("Order acceptance")
    expect(page.get_by_test_id("sign-domain")).to_contain_text(
        portal.services.trades.domain.verifying_contract
    )
    exchange_address = LocalKeySigner(portal.story.market.exchange_private_key).address.lower()
    fields = page.get_by_test_id("sign-fields")
    expect(fields).to_contain_text(order_id)
    expect(fields).to_contain_text(exchange_address, ignore_case=True)
    page.get_by_test_id("sign-confirm").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Order accepted and recorded on chain")
    expect(page.locator(f'#listed tr[data-order-id="{order_id}"]')).to_have_attribute(
        "data-status", "accepted"
    )
    expect(card).to_have_count(0)

    accepted = Client(portal.url, portal.story.holder_api_key).trades.get(order_id)
    assert accepted["status"] == "accepted"
    assert accepted["acceptance"]["acceptedBy"] == exchange_address
    assert accepted["acceptance"]["onBehalfOfSeller"] is True


def test_once_the_holder_revokes_its_mandate_the_exchange_is_told_and_both_see_it_revoked(
    page: Page, portal: Portal, exchange_keystore: Path, revocable_mandate: LocalKeySigner
) -> None:
    order_id = new_order(portal)
    sign_in(page, portal, portal.story.market.exchange_api_key)
    card = page.locator(f'[data-testid=mandated] [data-testid=order][data-order-id="{order_id}"]')
    expect(card.get_by_test_id("mandate")).to_have_attribute("data-mandate", "in-force")
    unlock(page, exchange_keystore)

    # the holder revokes while the exchange's page still shows the mandate in force
    holder = Client(portal.url, portal.story.holder_api_key)
    holder.trades.revoke_mandate(portal.story.market.listing["listingId"], signer=revocable_mandate)
    card.get_by_test_id("accept-order").click()
    expect(page.get_by_test_id("flash")).to_contain_text(
        "The holder has revoked its mandate to your exchange: you can no longer accept"
    )
    expect(page.get_by_test_id("sign-dialog")).to_be_hidden()  # nothing was offered for signing
    expect(card.get_by_test_id("mandate")).to_have_attribute("data-mandate", "revoked")
    expect(card.get_by_test_id("mandate")).to_contain_text("Revoked by the holder on")
    expect(card.get_by_test_id("cannot-accept")).to_be_visible()
    expect(card.get_by_test_id("accept-order")).to_have_count(0)
    assert holder.trades.get(order_id)["status"] == "ordered"

    page.get_by_test_id("sign-out").click()
    sign_in(page, portal, portal.story.holder_api_key)
    own = page.locator(f'[data-testid=awaiting] [data-testid=order][data-order-id="{order_id}"]')
    expect(own.get_by_test_id("mandate")).to_have_attribute("data-mandate", "revoked")
    expect(own.get_by_test_id("accept-order")).to_be_visible()  # the holder itself still accepts


@pytest.fixture(scope="module")
def many_orders(portal: Portal) -> tuple[str, list[str]]:
    """A buyer of its own with eleven orders of the story's listing, oldest first (all awaiting the
    holder's acceptance): its API key and the orders' ids. Placed once for the module's tests."""
    admin = Client(portal.url, portal.story.admin_key)
    key = LocalKeySigner.generate()
    api_key = admin.participants.create("琼海数据应用有限公司 Qionghai Data Apps", "enterprise", key.address)[
        "apiKey"
    ]
    buyer = Client(portal.url, api_key)
    listing_id = portal.story.market.listing["listingId"]
    return api_key, [buyer.trades.order(listing_id, signer=key)["orderId"] for _ in range(11)]


def test_a_buyer_with_many_orders_reads_them_a_page_at_a_time_in_chinese(
    page: Page, portal: Portal, many_orders: tuple[str, list[str]]
) -> None:
    api_key, orders = many_orders
    page.goto(f"{portal.url}/workspace/trades")
    page.get_by_label("API 密钥").fill(api_key)
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("trades-range")).to_have_text(
        "第 1–10 笔，共 11 笔（最新在前；以下各栏列出本页的订单）"
    )
    rows = page.locator("#bought tr[data-order-id]")
    expect(rows).to_have_count(10)
    expect(rows.first).to_have_attribute("data-order-id", orders[-1])  # newest first
    expect(page.get_by_test_id("trades-previous")).to_be_disabled()

    page.get_by_test_id("trades-next").click()
    expect(page.get_by_test_id("trades-range")).to_contain_text("第 11–11 笔，共 11 笔")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-order-id", orders[0])
    expect(page.get_by_test_id("trades-next")).to_be_disabled()

    page.get_by_test_id("trades-previous").click()
    expect(rows).to_have_count(10)
    expect(page.get_by_test_id("trades-previous")).to_be_disabled()


def test_without_a_mandate_the_exchange_is_told_only_the_holder_accepts(page: Page, portal: Portal) -> None:
    """The story's holder did mandate its exchange, so the listing's mandate history is answered empty
    here, as the API answers it for a listing whose holder never granted one."""
    order_id = new_order(portal)
    listing_id = portal.story.market.listing["listingId"]
    page.route(
        f"**/v1/listings/{listing_id}/mandates",
        lambda route: route.fulfill(status=200, json={"items": []}),
    )
    sign_in(page, portal, portal.story.market.exchange_api_key)
    card = page.locator(f'[data-testid=mandated] [data-testid=order][data-order-id="{order_id}"]')
    expect(card.get_by_test_id("mandate")).to_have_attribute("data-mandate", "none")
    expect(card.get_by_test_id("mandate")).to_have_text("None granted")
    expect(card.get_by_test_id("cannot-accept")).to_have_text(
        "The holder has no mandate in force for your exchange: only the holder can accept this order."
    )
    expect(card.get_by_test_id("accept-order")).to_have_count(0)


# -- the holder's mandates, managed from the page ------------------------------------------------------


def test_the_holder_grants_a_mandate_from_the_trades_page_and_the_exchange_accepts_under_it(
    page: Page,
    portal: Portal,
    holder_keystore: Path,
    exchange_keystore: Path,
    revocable_mandate: LocalKeySigner,
) -> None:
    listing_id = portal.story.market.listing["listingId"]
    holder = Client(portal.url, portal.story.holder_api_key)
    holder.trades.revoke_mandate(listing_id, signer=revocable_mandate)  # the exchange may not accept now
    order_id = new_order(portal)
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request))

    sign_in(page, portal, portal.story.holder_api_key)
    row = page.locator(f'[data-testid=listing-mandate][data-listing-id="{listing_id}"]')
    expect(row).to_contain_text(LISTING_TITLE)
    expect(row).to_contain_text(EXCHANGE_NAME)
    expect(row.get_by_test_id("mandate")).to_have_attribute("data-mandate", "revoked")
    expect(row.get_by_test_id("revoke-mandate")).to_have_count(0)  # nothing in force to revoke
    today = date.today()
    try:
        a_year = today.replace(year=today.year + 1)
    except ValueError:  # 29 February: the browser's date rolls over to 1 March
        a_year = date(today.year + 1, 3, 1)
    expect(row.get_by_label("Mandate valid until")).to_have_value(a_year.isoformat())  # a year by default

    until = date.today() + timedelta(days=200)
    row.get_by_label("Mandate valid until").fill(until.isoformat())
    unlock(page, holder_keystore)
    row.get_by_test_id("grant-mandate").click()
    expect(page.get_by_test_id("sign-summary")).to_contain_text("Mandate to accept orders")
    expect(page.get_by_test_id("sign-domain")).to_contain_text(
        portal.services.trades.domain.verifying_contract
    )
    exchange_address = LocalKeySigner(portal.story.market.exchange_private_key).address
    fields = page.get_by_test_id("sign-fields")
    expect(fields).to_contain_text(listing_id)
    expect(fields).to_contain_text(exchange_address, ignore_case=True)
    page.get_by_test_id("sign-confirm").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Mandate granted and recorded on chain")
    expect(row.get_by_test_id("mandate")).to_have_attribute("data-mandate", "in-force")
    expect(row.get_by_test_id("mandate")).to_contain_text(f"In force until {until:%d/%m/%Y}")
    expect(row.get_by_test_id("revoke-mandate")).to_be_visible()

    granted = holder.trades.mandates(listing_id)["items"][0]
    # the end of the chosen day in the browser's time zone
    minutes_behind_utc = page.evaluate(
        f"new Date({until.year}, {until.month - 1}, {until.day}).getTimezoneOffset()"
    )
    day_ends = datetime(until.year, until.month, until.day, 23, 59, 59, tzinfo=UTC)
    assert granted["status"] == "in-force"
    assert granted["validUntil"] == int(day_ends.timestamp()) + minutes_behind_utc * 60
    assert granted["agent"].lower() == exchange_address.lower()
    assert any("status=ordered&role=seller" in request.url for request in sent)
    # the mandates' rows are the holder's listings, as the API lists them (ordered or not)
    owned = holder.market.listings(limit=100)["items"]
    assert any(request.url.endswith("/v1/listings?limit=100&offset=0") for request in sent)
    expect(page.locator("[data-testid=listing-mandate]")).to_have_count(len(owned))

    page.get_by_test_id("sign-out").click()
    sign_in(page, portal, portal.story.market.exchange_api_key)
    card = page.locator(f'[data-testid=mandated] [data-testid=order][data-order-id="{order_id}"]')
    expect(card.get_by_test_id("mandate")).to_have_attribute("data-mandate", "in-force")
    assert any("status=ordered&role=exchange" in request.url for request in sent)
    unlock(page, exchange_keystore)
    card.get_by_test_id("accept-order").click()
    page.get_by_test_id("sign-confirm").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Order accepted and recorded on chain")
    accepted = holder.trades.get(order_id)
    assert accepted["status"] == "accepted" and accepted["acceptance"]["onBehalfOfSeller"] is True
    assert accepted["acceptance"]["acceptedBy"] == exchange_address.lower()


def test_the_holder_revokes_its_mandate_from_the_trades_page_and_the_exchange_can_no_longer_accept(
    page: Page, portal: Portal, holder_keystore: Path, revocable_mandate: LocalKeySigner
) -> None:
    listing_id = portal.story.market.listing["listingId"]
    order_id = new_order(portal)
    sign_in(page, portal, portal.story.holder_api_key)
    row = page.locator(f'[data-testid=listing-mandate][data-listing-id="{listing_id}"]')
    expect(row.get_by_test_id("mandate")).to_have_attribute("data-mandate", "in-force")
    unlock(page, holder_keystore)
    row.get_by_test_id("revoke-mandate").click()
    expect(page.get_by_test_id("sign-summary")).to_contain_text("Revocation of a mandate")
    page.get_by_test_id("sign-confirm").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Mandate revoked and recorded on chain")
    expect(row.get_by_test_id("mandate")).to_have_attribute("data-mandate", "revoked")
    expect(row.get_by_test_id("mandate")).to_contain_text("Revoked by the holder on")
    expect(row.get_by_test_id("revoke-mandate")).to_have_count(0)
    holder = Client(portal.url, portal.story.holder_api_key)
    assert holder.trades.mandates(listing_id)["items"][0]["status"] == "revoked"

    page.get_by_test_id("sign-out").click()
    sign_in(page, portal, portal.story.market.exchange_api_key)
    card = page.locator(f'[data-testid=mandated] [data-testid=order][data-order-id="{order_id}"]')
    expect(card.get_by_test_id("mandate")).to_have_attribute("data-mandate", "revoked")
    expect(card.get_by_test_id("cannot-accept")).to_be_visible()
    expect(card.get_by_test_id("accept-order")).to_have_count(0)
    exchange = Client(portal.url, portal.story.market.exchange_api_key)
    with pytest.raises(ApiError) as refused:  # nor does the API let the exchange accept it otherwise
        exchange.trades.accept(order_id, signer=LocalKeySigner(portal.story.market.exchange_private_key))
    assert refused.value.code == "trade-mandate-revoked"
    assert holder.trades.get(order_id)["status"] == "ordered"


def test_a_revocation_the_api_refuses_is_explained_in_the_readers_words_and_the_page_catches_up(
    page: Page, portal: Portal, holder_keystore: Path, revocable_mandate: LocalKeySigner
) -> None:
    listing_id = portal.story.market.listing["listingId"]
    sign_in(page, portal, portal.story.holder_api_key)
    row = page.locator(f'[data-testid=listing-mandate][data-listing-id="{listing_id}"]')
    expect(row.get_by_test_id("mandate")).to_have_attribute("data-mandate", "in-force")
    unlock(page, holder_keystore)
    # revoked elsewhere (the holder's own tooling) while this page still shows the mandate in force
    holder = Client(portal.url, portal.story.holder_api_key)
    holder.trades.revoke_mandate(listing_id, signer=revocable_mandate)
    row.get_by_test_id("revoke-mandate").click()
    # the API's problem trade-mandate-not-in-force, in the catalogue's words
    expect(page.get_by_test_id("flash")).to_have_text("Not done: No mandate in force to revoke.")
    expect(page.get_by_test_id("sign-dialog")).to_be_hidden()  # nothing was offered for signing
    expect(row.get_by_test_id("mandate")).to_have_attribute("data-mandate", "revoked")
    expect(row.get_by_test_id("revoke-mandate")).to_have_count(0)


def test_a_mandate_ending_on_a_past_date_is_refused_in_the_page_and_nothing_is_sent_in_chinese(
    page: Page, portal: Portal
) -> None:
    listing_id = portal.story.market.listing["listingId"]
    before = Client(portal.url, portal.story.holder_api_key).trades.mandates(listing_id)["items"]
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    page.goto(f"{portal.url}/workspace/trades")
    page.get_by_label("API 密钥").fill(portal.story.holder_api_key)
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("signed-in")).to_contain_text(HOLDER_NAME)
    row = page.locator(f'[data-testid=listing-mandate][data-listing-id="{listing_id}"]')
    error = row.get_by_test_id("mandate-error")
    expect(error).to_be_hidden()

    for chosen, message in (
        ((date.today() - timedelta(days=1)).isoformat(), "截止日期须晚于今天：委托不能在过去结束。"),
        (date.today().isoformat(), "截止日期须晚于今天：委托不能在过去结束。"),
        ("", "请选择委托有效期的截止日期。"),
        ((date.today() + timedelta(days=800)).isoformat(), "委托最长两年：请选择"),
    ):
        row.get_by_label("委托有效期至").fill(chosen)
        row.get_by_test_id("grant-mandate").click()
        expect(error).to_be_visible()
        expect(error).to_contain_text(message)
        expect(row.get_by_label("委托有效期至")).to_be_focused()
    expect(page.get_by_test_id("sign-dialog")).to_be_hidden()
    assert [url for url in sent if "/mandate" in url and "/mandates" not in url] == []
    assert Client(portal.url, portal.story.holder_api_key).trades.mandates(listing_id)["items"] == before


def test_the_orders_awaiting_the_holder_are_the_apis_filter_read_a_page_at_a_time(
    page: Page, portal: Portal, many_orders: tuple[str, list[str]]
) -> None:
    holder = Client(portal.url, portal.story.holder_api_key)
    awaiting = holder.trades.list(status="ordered", role="seller", limit=100)
    total = awaiting["total"]
    assert total > 10  # the buyer's eleven orders at least: more than a page
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))

    sign_in(page, portal, portal.story.holder_api_key)
    expect(page.get_by_test_id("awaiting-range")).to_have_text(
        f"Orders 1–10 of {total} awaiting acceptance, newest first"
    )
    cards = page.locator("[data-testid=awaiting] [data-testid=order]")
    expect(cards).to_have_count(10)
    expect(cards.first).to_have_attribute("data-order-id", awaiting["items"][0]["orderId"])
    expect(page.get_by_test_id("awaiting-previous")).to_be_disabled()
    page.get_by_test_id("awaiting-next").click()
    expect(page.get_by_test_id("awaiting-range")).to_contain_text(f"Orders 11–{min(total, 20)} of {total}")
    expect(cards.first).to_have_attribute("data-order-id", awaiting["items"][10]["orderId"])
    assert any(url.endswith("/v1/trades?status=ordered&role=seller&limit=10&offset=10") for url in sent)
    # the other sections still read the holder's orders and trades all together, a page at a time
    expect(page.get_by_test_id("trades-range")).to_contain_text("Orders 1–10 of")
    assert any(url.endswith("/v1/trades?limit=10&offset=0") for url in sent)
