"""``/notices``: the applications in public notice, their public view only, a countdown on the chain's
clock, search by name, content hash or registration number, and a permalink per record."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.portal.conftest import Portal
from tests.portal.story import NOTICE_DAYS


def listed(page: httpx.Response) -> list[str]:
    return re.findall(r'data-testid="notice" data-asset-id="(0x[0-9a-f]{64})"', page.text)


def board(portal: Portal, query: str | None = None, lang: str = "zh") -> httpx.Response:
    params = {"lang": lang, **({"q": query} if query is not None else {})}
    return httpx.get(f"{portal.url}/notices", params=params, timeout=30)


def test_the_board_lists_the_applications_in_notice_and_no_other(portal: Portal) -> None:
    page = board(portal)
    assert page.status_code == 200
    assert sorted(listed(page)) == sorted(asset["assetId"] for asset in portal.story.in_notice)
    assert "共 2 条公示" in page.text and "公示中" in page.text


def test_a_notice_shows_its_public_view_and_never_the_salt(portal: Portal) -> None:
    page = board(portal, lang="en")
    for asset in portal.story.in_notice:
        assert asset["facts"]["name"] in page.text
        assert asset["contentHash"] in page.text and asset["metadataHash"] in page.text
        assert asset["salt"] not in page.text
        assert asset["facts"]["source"] not in page.text  # a fact beyond the name: committed, not shown
        number = asset["registrationNumber"]
        assert f'data-testid="notice-registration-number">{number}</dd>' in page.text
    assert "三亚免税运营有限公司" in page.text and "Data resource holding" in page.text


def test_each_notice_counts_down_to_its_end_on_the_chains_clock(portal: Portal) -> None:
    page = board(portal, lang="en")
    left = [int(seconds) for seconds in re.findall(r'data-seconds-left="(\d+)"', page.text)]
    assert len(left) == 2
    assert all(NOTICE_DAYS * 86400 - 600 < seconds <= NOTICE_DAYS * 86400 for seconds in left)
    assert f"{NOTICE_DAYS - 1} d 23 h" in page.text


@pytest.mark.parametrize(
    "query_of",
    [
        lambda asset: asset["facts"]["name"].split()[0],  # the Chinese part of the name
        lambda asset: asset["facts"]["name"].split()[-1].upper(),  # any case
        lambda asset: asset["contentHash"],
        lambda asset: asset["contentHash"][:10],
        lambda asset: asset["assetId"],
        lambda asset: asset["assetId"].upper().replace("0X", "0x"),
        lambda asset: asset["registrationNumber"],
        lambda asset: asset["registrationNumber"].lower(),
    ],
    ids=[
        "name",
        "name-any-case",
        "content-hash",
        "content-hash-prefix",
        "asset-id",
        "upper-hex",
        "registration-number",
        "registration-number-any-case",
    ],
)
def test_a_search_finds_the_record(portal: Portal, query_of: object) -> None:
    wanted = portal.story.in_notice[1]
    assert callable(query_of)
    page = board(portal, query_of(wanted))
    assert listed(page) == [wanted["assetId"]]


def test_a_search_that_matches_nothing_says_so(portal: Portal) -> None:
    page = board(portal, "no such dataset", lang="en")
    assert page.status_code == 200
    assert listed(page) == [] and "No notice matches “no such dataset”" in page.text


def test_a_certified_asset_is_not_on_the_board(portal: Portal) -> None:
    certified = portal.story.valid["credentialSubject"]["asset"]["assetId"]
    assert listed(board(portal, certified)) == []


def test_the_permalink_shows_the_record_whatever_its_state(portal: Portal) -> None:
    wanted = portal.story.in_notice[0]
    page = httpx.get(f"{portal.url}/notices/{wanted['assetId']}?lang=en", timeout=30)
    assert page.status_code == 200
    assert wanted["facts"]["name"] in page.text and "In public notice" in page.text
    assert wanted["chainEvidence"]["txHash"] in page.text
    certified = portal.story.valid["credentialSubject"]["asset"]["assetId"]
    assert "Certified" in httpx.get(f"{portal.url}/notices/{certified}?lang=en", timeout=30).text


@pytest.mark.parametrize("asset_id", ["0x" + "ab" * 32, "not-an-id"])
def test_an_unknown_record_is_a_404_page(portal: Portal, asset_id: str) -> None:
    page = httpx.get(f"{portal.url}/notices/{asset_id}", headers={"Accept-Language": "en"}, timeout=30)
    assert page.status_code == 404
    assert "No such asset" in page.text
