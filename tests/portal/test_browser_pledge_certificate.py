"""In a real browser: a registrar finds a pledge both parties signed in the workbench's queue, issues its
registration certificate by signing the ``PledgeCertificate`` in the page with its own keystore, and the
public verification page then says the pledge stands; and renews a certificate from the certified queue,
the ``Renewal`` (the new term's end) signed the same way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dataledger.client import Client, LocalKeySigner
from tests.portal.conftest import Portal
from tests.portal.story import NOTICE_DAYS, content_hash, facts, pledge
from tests.portal.test_browser_workbench import PASSWORD


@pytest.fixture
def keystore(portal: Portal, tmp_path: Path) -> Path:
    signer = LocalKeySigner(portal.story.registrar_private_key)
    return signer.to_keystore(tmp_path / "registrar.json", PASSWORD, iterations=2**12)


def certified_asset(portal: Portal, name: str) -> str:
    """A new asset of the holder, reviewed and certified (its notice period 0 for the while)."""
    story = portal.story
    admin = Client(portal.url, story.admin_key)
    holder, registrar = Client(portal.url, story.holder_api_key), Client(portal.url, story.registrar_api_key)
    holder_key, registrar_key = (
        LocalKeySigner(story.holder_private_key),
        LocalKeySigner(story.registrar_private_key),
    )
    admin.procedure.set_notice_period(0)
    try:
        asset_id = holder.assets.register(content_hash(name), facts(name), signer=holder_key)["assetId"]
        for stage in ("formal", "substantive"):
            registrar.procedure.review(asset_id, stage, reason=f"{stage} review passed", signer=registrar_key)
        registrar.assets.issue_certificate(asset_id, signer=registrar_key)
    finally:
        admin.procedure.set_notice_period(NOTICE_DAYS * 24 * 3600)
    return str(asset_id)


@pytest.fixture
def pledged_asset(portal: Portal) -> Iterator[str]:
    """A certified asset of the holder, pledged to the bank by both parties, its certificate not issued."""
    story = portal.story
    asset_id = certified_asset(portal, "免税店库存快照 Duty-free stock snapshots")
    holder = Client(portal.url, story.holder_api_key)
    pledge(
        holder,
        asset_id,
        LocalKeySigner(story.holder_private_key),
        LocalKeySigner(story.pledging.bank_private_key),
    )
    yield asset_id


def signed_in_with_key(page: Page, portal: Portal, keystore: Path) -> None:
    page.goto(f"{portal.url}/workbench?lang=en")
    page.get_by_label("API key").fill(portal.story.registrar_api_key)
    page.get_by_test_id("sign-in").click()
    page.get_by_label("Keystore file").set_input_files(keystore)
    page.get_by_label("Keystore password").fill(PASSWORD)
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("key-status")).to_contain_text("is unlocked", timeout=30_000)


def test_a_registrar_renews_a_certificate_from_the_workbench(
    page: Page, portal: Portal, keystore: Path
) -> None:
    asset_id = certified_asset(portal, "免税店促销日历 Duty-free promotion calendar")
    signed_in_with_key(page, portal, keystore)
    card = page.get_by_test_id("queue-certified").locator(f'[data-asset-id="{asset_id}"]')
    while not card.count():  # the queue is paged, the oldest first: the new one is on a later page
        page.get_by_test_id("next-certified").click()
        page.get_by_test_id("queue-certified").locator("h2").wait_for()
    expect(card.get_by_test_id("valid-until")).to_contain_text("Certificate valid until")
    card.get_by_test_id("renew").click()
    expect(page.get_by_test_id("sign-summary")).to_contain_text("Renewal")
    expect(page.get_by_test_id("sign-fields")).to_contain_text(portal.story.registrar_address)
    page.get_by_test_id("sign-confirm").click()
    expect(page.get_by_test_id("flash")).to_contain_text("recorded on chain")
    certificates = Client(portal.url, portal.story.registrar_api_key).assets.certificates(asset_id)["items"]
    assert [c["status"] for c in certificates] == ["superseded", "valid"]


def test_a_registrar_issues_a_pledge_certificate_signing_in_the_browser(
    page: Page, portal: Portal, keystore: Path, pledged_asset: str
) -> None:
    story = portal.story
    page.goto(f"{portal.url}/workbench?lang=en")
    page.get_by_label("API key").fill(story.registrar_api_key)
    page.get_by_test_id("sign-in").click()
    card = page.get_by_test_id("queue-pledges").locator(f'[data-asset-id="{pledged_asset}"]')
    expect(card).to_contain_text("CN¥5,000,000.00")
    page.get_by_label("Keystore file").set_input_files(keystore)
    page.get_by_label("Keystore password").fill(PASSWORD)
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("key-status")).to_contain_text("is unlocked", timeout=30_000)

    card.get_by_test_id("issue-pledge-certificate").click()
    expect(page.get_by_test_id("sign-summary")).to_contain_text("Pledge certificate")
    expect(page.get_by_test_id("sign-domain")).to_contain_text(str(portal.services.registry.registry_address))
    expect(page.get_by_test_id("sign-fields")).to_contain_text(story.registrar_address)
    page.get_by_test_id("sign-confirm").click()
    expect(page.get_by_test_id("flash")).to_contain_text("issued and recorded on chain")
    expect(card).to_have_count(0)  # no longer waiting

    page.get_by_test_id("pledge-certificate-link").click()
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-standing", "active")
    expect(page.get_by_test_id("verdict")).to_contain_text("The pledge stands")
    (booked,) = [
        p
        for p in Client(portal.url, story.holder_api_key).assets.pledges(pledged_asset)["items"]
        if p["status"] == "active"
    ]
    assert booked.get("certificateNumber") and booked["certificateNumber"] in page.url
