"""In a real browser: the public notice board, its countdown, and finding a record by search."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.portal.conftest import Portal


def minutes_left(text: str) -> int:
    found = re.fullmatch(r"(\d+) 天 (\d+) 小时 (\d+) 分", text)
    assert found, text
    days, hours, minutes = (int(part) for part in found.groups())
    return (days * 24 + hours) * 60 + minutes


def test_the_board_shows_each_notice_counting_down(page: Page, portal: Portal) -> None:
    page.clock.install()  # the page's timers run on a clock the test moves
    page.goto(f"{portal.url}/notices")
    expect(page.get_by_test_id("notice")).to_have_count(2)
    timer = page.get_by_role("timer").first
    before = minutes_left(timer.inner_text())
    assert before > 9 * 24 * 60
    page.clock.run_for("02:00:00")
    after = minutes_left(timer.inner_text())
    assert before - after in (120, 121)


def test_a_record_is_found_by_search_and_opened_by_its_permalink(page: Page, portal: Portal) -> None:
    wanted = portal.story.in_notice[1]
    page.goto(f"{portal.url}/notices?lang=en")
    page.get_by_role("searchbox", name="Search").fill(wanted["contentHash"][:14])
    page.get_by_test_id("search").click()
    expect(page.get_by_test_id("notice")).to_have_count(1)
    expect(page.get_by_test_id("notice-count")).to_have_text("1 in public notice")
    page.get_by_role("link", name=wanted["facts"]["name"]).click()
    assert page.url == f"{portal.url}/notices/{wanted['assetId']}"
    expect(page.get_by_test_id("notice-name")).to_have_text(wanted["facts"]["name"])
    expect(page.get_by_test_id("notice-status")).to_have_text("In public notice")


def test_a_search_by_name_in_chinese_finds_the_record(page: Page, portal: Portal) -> None:
    wanted = portal.story.in_notice[0]
    page.goto(f"{portal.url}/notices")
    page.get_by_label("搜索").fill("保税仓")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("notice")).to_have_count(1)
    expect(page.get_by_test_id("notice")).to_have_attribute("data-asset-id", wanted["assetId"])
