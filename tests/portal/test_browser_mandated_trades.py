"""In a real browser, on ``/workspace/trades``: the listing exchange accepts a buyer's order in the holder's
name under the holder's signed mandate, signing the ``TradeAcceptance`` with its own key in the page; once
the holder revokes the mandate the exchange is told so, in words, and offered no acceptance, and the
holder sees its mandate revoked too; and a participant with many orders reads them a page at a time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dataledger.client import Client, LocalKeySigner
from tests.portal.conftest import Portal
from tests.portal.story import EXCHANGE_NAME, LISTING_TITLE
from tests.portal.test_browser_trades import PASSWORD, sign_in
from tests.portal.test_browser_workspace import unlock


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


def test_a_buyer_with_many_orders_reads_them_a_page_at_a_time_in_chinese(page: Page, portal: Portal) -> None:
    admin = Client(portal.url, portal.story.admin_key)
    key = LocalKeySigner.generate()
    api_key = admin.participants.create("琼海数据应用有限公司 Qionghai Data Apps", "enterprise", key.address)[
        "apiKey"
    ]
    buyer = Client(portal.url, api_key)
    listing_id = portal.story.market.listing["listingId"]
    orders = [buyer.trades.order(listing_id, signer=key)["orderId"] for _ in range(11)]

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
