"""In a real browser: the asset page's public view for anyone, and once a registrar signs in, the facts
whole and each act of the timeline checked against the chain."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.portal.conftest import Portal


def test_an_anonymous_reader_sees_the_public_view_only(page: Page, portal: Portal) -> None:
    asset = portal.story.licensed
    page.goto(f"{portal.url}/assets/{asset['assetId']}?lang=en")
    expect(page.get_by_test_id("asset-name")).to_have_text(asset["facts"]["name"])
    expect(page.get_by_test_id("whole-facts")).to_be_hidden()
    expect(page.get_by_text(asset["facts"]["source"])).to_have_count(0)


def test_a_registrar_sees_the_facts_and_each_act_checked_against_the_chain(
    page: Page, portal: Portal
) -> None:
    asset = portal.story.licensed
    page.goto(f"{portal.url}/assets/{asset['assetId']}?lang=en")
    page.get_by_label("API key").fill(portal.story.registrar_api_key)
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("whole-facts")).to_contain_text(asset["facts"]["source"])
    checks = page.get_by_test_id("chain-check")
    expect(checks.first).to_have_text("✓ confirmed on chain", timeout=30_000)
    expect(checks.last).to_have_text("✓ confirmed on chain", timeout=30_000)
    passed = checks.evaluate_all("marks => marks.map(mark => mark.dataset.passed)")
    assert passed and set(passed) == {"true"}
