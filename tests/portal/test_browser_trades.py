"""In a real browser: the holder signs in to its orders and trades, unlocks its own keystore in the page
and accepts a buyer's order, the ``TradeAcceptance`` shown in plain words (the trades contract's domain,
the order, the amount) and signed in the browser; the buyer sees its orders and where they stand; a
participant with no part in a trade sees none of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dataledger.client import Client, LocalKeySigner
from tests.portal.conftest import Portal
from tests.portal.story import HOLDER_NAME, LISTING_TITLE

PASSWORD = "correct horse battery staple"


@pytest.fixture
def holder_keystore(portal: Portal, tmp_path: Path) -> Path:
    signer = LocalKeySigner(portal.story.holder_private_key)
    return signer.to_keystore(tmp_path / "holder.json", PASSWORD, iterations=2**12)


def sign_in(page: Page, portal: Portal, api_key: str) -> None:
    page.goto(f"{portal.url}/workspace/trades?lang=en")
    page.get_by_label("API key").fill(api_key)
    page.get_by_test_id("sign-in").click()


def test_the_holder_accepts_an_order_signing_in_the_browser(
    page: Page, portal: Portal, holder_keystore: Path
) -> None:
    market = portal.story.market
    buyer = Client(portal.url, market.buyer_api_key)
    order_id = buyer.trades.order(
        market.listing["listingId"], signer=LocalKeySigner(market.buyer_private_key)
    )["orderId"]

    sign_in(page, portal, portal.story.holder_api_key)
    expect(page.get_by_test_id("signed-in")).to_contain_text(HOLDER_NAME)
    card = page.locator(f'[data-testid=order][data-order-id="{order_id}"]')
    expect(card).to_contain_text(LISTING_TITLE)
    expect(card).to_contain_text("CN¥1,200.00")
    # the holder sees the mandate it gave the listing exchange for the listing
    expect(card.get_by_test_id("mandate")).to_have_attribute("data-mandate", "in-force")

    page.get_by_label("Keystore file").set_input_files(holder_keystore)
    page.get_by_label("Keystore password").fill(PASSWORD)
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("key-status")).to_contain_text("is unlocked", timeout=30_000)

    card.get_by_test_id("accept-order").click()
    expect(page.get_by_test_id("sign-summary")).to_contain_text("Order acceptance")
    expect(page.get_by_test_id("sign-domain")).to_contain_text(
        portal.services.trades.domain.verifying_contract
    )
    fields = page.get_by_test_id("sign-fields")
    expect(fields).to_contain_text(order_id)
    expect(fields).to_contain_text("1200.00 (120000 in minor units)")
    page.get_by_test_id("sign-confirm").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Order accepted and recorded on chain")
    expect(page.locator(f'#sold tr[data-order-id="{order_id}"]')).to_have_attribute("data-status", "accepted")
    expect(card).to_have_count(0)

    accepted = Client(portal.url, portal.story.holder_api_key).trades.get(order_id)
    holder_address = LocalKeySigner(portal.story.holder_private_key).address.lower()
    assert accepted["status"] == "accepted" and accepted["acceptance"]["acceptedBy"] == holder_address
    assert page.evaluate("JSON.stringify(Object.keys(sessionStorage))") == '["dataledger.apiKey"]'


def test_the_buyer_sees_its_orders_and_where_they_stand(page: Page, portal: Portal) -> None:
    market = portal.story.market
    sign_in(page, portal, market.buyer_api_key)
    settled = page.locator(f'#bought tr[data-order-id="{market.settled["orderId"]}"]')
    expect(settled).to_have_attribute("data-status", "settled")
    expect(settled).to_contain_text(LISTING_TITLE)
    expect(page.locator(f'#bought tr[data-order-id="{market.waiting["orderId"]}"]')).to_be_visible()
    expect(page.get_by_test_id("none-awaiting")).to_be_visible()  # a buyer accepts nothing


def test_a_participant_with_no_part_in_a_trade_sees_none(page: Page, portal: Portal) -> None:
    sign_in(page, portal, portal.story.objector_api_key)
    expect(page.get_by_test_id("none-awaiting")).to_be_visible()
    expect(page.locator("#bought tr[data-order-id]")).to_have_count(0)
    expect(page.locator("#sold tr[data-order-id]")).to_have_count(0)
    expect(page.get_by_test_id("bought")).to_contain_text("You have placed no order yet.")
