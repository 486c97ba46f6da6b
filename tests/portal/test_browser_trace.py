"""In a real browser: a passenger scans the duty-free bottle's QR code, sees its journey, then opens the
full trace with its graph drawn back to the essence lot and forward to its case and pallet."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from dataledger.cli import duty_free_scenario as scenario
from tests.portal.conftest import Portal
from tests.portal.test_trace_page import BOTTLE_GTIN, BOTTLE_SERIAL


def test_the_trace_page_shows_the_graph_for_the_duty_free_bottle(page: Page, portal: Portal) -> None:
    page.goto(f"{portal.url}/01/{BOTTLE_GTIN}/21/{BOTTLE_SERIAL}")
    assert page.url.endswith("?view=journey")
    steps = page.get_by_test_id("journey-step")
    expect(steps.first).to_contain_text("品牌方生产赋码")
    expect(steps.last).to_contain_text("旅客机场提货")
    expect(page.get_by_text("海关查验放行")).to_be_visible()

    page.get_by_test_id("full-trace").click()
    back = page.get_by_test_id("graph-back").locator("svg")
    expect(back).to_be_visible()
    expect(back).to_contain_text("ESS-7")
    forward = page.get_by_test_id("graph-forward").locator("svg")
    expect(forward).to_contain_text("0000000099")
    expect(page.get_by_test_id("event").first).to_be_visible()
    checked = page.get_by_test_id("anchor-status")
    assert checked.count() > 0
    assert set(checked.evaluate_all("nodes => nodes.map(n => n.dataset.checked)")) == {"true"}
    assert scenario.SOLD_BOTTLE in page.get_by_test_id("trace-node").inner_text()
