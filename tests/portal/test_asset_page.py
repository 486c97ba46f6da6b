"""``/assets/{assetId}``: an asset's public view (never its facts or salt), holder, status,
certificates, licences granted, pledges without their terms, derivations both ways, and its acts as a
timeline with their transactions; linked from the notice board, the verification page and the resolver."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.portal.conftest import Portal


def asset_page(portal: Portal, asset_id: str, lang: str = "en") -> httpx.Response:
    return httpx.get(f"{portal.url}/assets/{asset_id}", params={"lang": lang}, timeout=30)


def test_the_page_shows_the_public_view_and_never_the_facts_or_salt(portal: Portal) -> None:
    asset = portal.story.licensed
    page = asset_page(portal, asset["assetId"])
    assert page.status_code == 200
    assert asset["facts"]["name"] in page.text
    assert asset["contentHash"] in page.text and asset["metadataHash"] in page.text
    assert asset["salt"] not in page.text
    assert asset["facts"]["source"] not in page.text and asset["facts"]["scale"] not in page.text
    assert "三亚免税运营有限公司" in page.text
    assert re.search(r'data-testid="asset-status">Certified<', page.text)


def test_the_page_counts_licences_shows_the_pledge_without_its_terms_and_the_derivation(
    portal: Portal,
) -> None:
    asset, product = portal.story.licensed, portal.story.product
    page = asset_page(portal, asset["assetId"])
    assert re.search(r'data-testid="licence-count">1 licence\(s\) granted<', page.text)
    assert 'data-testid="pledges"' in page.text and "Active, pledgee 0x" in page.text
    assert "loan HN-2026-0042" not in page.text  # the pledge's terms: only their salted hash is public
    assert f'href="/assets/{product["assetId"]}"' in page.text
    upstream = asset_page(portal, product["assetId"])
    assert f'href="/assets/{asset["assetId"]}"' in upstream.text and "Derived from" in upstream.text


def test_the_timeline_lists_every_act_in_chain_order_with_its_transaction(portal: Portal) -> None:
    asset = portal.story.licensed
    page = asset_page(portal, asset["assetId"])
    acts = re.findall(r'<li data-act="([a-z-]+)"', page.text)
    assert acts[:4] == ["registered", "reviewed", "reviewed", "notice-started"]
    assert {"certificate-recorded", "licence-granted", "pledged"} <= set(acts)
    assert asset["chainEvidence"]["txHash"] in page.text
    assert len(re.findall(r'data-testid="tx-hash">0x[0-9a-f]{64}<', page.text)) == len(acts)


def test_the_page_is_in_chinese_by_default(portal: Portal) -> None:
    page = httpx.get(f"{portal.url}/assets/{portal.story.licensed['assetId']}", timeout=30)
    assert '<html lang="zh-Hans">' in page.text and "登记事项时间线" in page.text and "质押中" in page.text


def test_a_certificate_on_the_page_links_to_its_verification(portal: Portal) -> None:
    number = portal.story.valid["credentialSubject"]["certificateNumber"]
    asset_id = portal.story.valid["credentialSubject"]["asset"]["assetId"]
    page = asset_page(portal, asset_id)
    assert f'href="/verify?number={number}"' in page.text


def test_the_notice_board_and_the_verification_page_link_to_the_asset(portal: Portal) -> None:
    wanted = portal.story.in_notice[0]["assetId"]
    assert f'href="/assets/{wanted}"' in httpx.get(f"{portal.url}/notices", timeout=30).text
    number = portal.story.valid["credentialSubject"]["certificateNumber"]
    asset_id = portal.story.valid["credentialSubject"]["asset"]["assetId"]
    verified = httpx.get(f"{portal.url}/verify", params={"number": number}, timeout=30)
    assert f'href="/assets/{asset_id}"' in verified.text


@pytest.mark.parametrize("asset_id", ["0x" + "ab" * 32, "not-an-id"])
def test_an_unknown_asset_is_a_404_page_in_the_readers_language(portal: Portal, asset_id: str) -> None:
    page = httpx.get(f"{portal.url}/assets/{asset_id}", headers={"Accept-Language": "en"}, timeout=30)
    assert page.status_code == 404
    assert "No such asset" in page.text
