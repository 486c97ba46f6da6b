"""The frame of every page: Chinese by default, English by the browser or the switch (remembered),
landmarks and a visible language switch, and none of the pages in the OpenAPI document."""

from __future__ import annotations

import httpx
import pytest

from tests.portal.conftest import Portal

PAGES = [
    "/",
    "/verify",
    "/notices",
    "/workbench",
    "/workspace",
    "/workspace/trades",
    "/workspace/vouchers",
    "/programmes",
    "/market/statistics",
    "/pledge-certificates",
]


@pytest.mark.parametrize("path", PAGES)
def test_a_page_is_in_chinese_by_default_with_its_landmarks_and_a_switch_to_english(
    portal: Portal, path: str
) -> None:
    page = httpx.get(portal.url + path, timeout=30)
    assert page.status_code == 200
    assert '<html lang="zh-Hans">' in page.text
    assert page.headers["content-language"] == "zh-Hans"
    for landmark in ('<header class="site">', '<main id="main"', "<nav aria-label=", "<footer"):
        assert landmark in page.text
    assert f'href="{path}?lang=en"' in page.text and "Switch to English" in page.text


@pytest.mark.parametrize(
    "path", ["/verify", "/workbench", "/workspace", "/workspace/trades", "/workspace/vouchers", "/programmes"]
)
def test_a_page_runs_only_its_own_scripts_and_is_framed_by_no_one(portal: Portal, path: str) -> None:
    page = httpx.get(portal.url + path, timeout=30)
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "<script>" not in page.text  # every script is a file; inline blocks carry JSON data only
    assert page.headers["x-content-type-options"] == "nosniff"


def test_the_browsers_language_chooses_english(portal: Portal) -> None:
    page = httpx.get(portal.url + "/", headers={"Accept-Language": "en-GB,en;q=0.9"}, timeout=30)
    assert '<html lang="en">' in page.text
    assert "Verify a registration certificate" in page.text
    assert 'href="/?lang=zh"' in page.text and "切换到中文" in page.text


def test_the_switch_is_remembered_in_a_cookie(portal: Portal) -> None:
    with httpx.Client(base_url=portal.url, timeout=30) as browser:
        chosen = browser.get("/notices?lang=en", headers={"Accept-Language": "zh-CN"})
        assert chosen.cookies["lang"] == "en"
        later = browser.get("/verify", headers={"Accept-Language": "zh-CN"})
        assert '<html lang="en">' in later.text
        back = browser.get("/verify?lang=zh")
        assert '<html lang="zh-Hans">' in back.text and browser.cookies["lang"] == "zh"


def test_the_home_page_links_the_public_surfaces(portal: Portal) -> None:
    page = httpx.get(portal.url + "/", timeout=30)
    for link in (
        'href="/verify"',
        'href="/notices"',
        'href="/workspace"',
        'href="/workbench"',
        'href="/market/statistics"',
        'href="/pledge-certificates"',
        'href="/programmes"',
        'href="/docs"',
    ):
        assert link in page.text


def test_the_pages_are_not_in_the_openapi_document(portal: Portal) -> None:
    paths = httpx.get(portal.url + "/openapi.json", timeout=30).json()["paths"]
    assert [
        path
        for path in paths
        if not path.startswith("/v1/") and path not in ("/healthz", "/readyz", "/metrics")
    ] == []


def test_the_stylesheet_and_scripts_are_served(portal: Portal) -> None:
    for name, media_type in (
        ("portal.css", "text/css"),
        ("verify.js", "text/javascript"),
        ("workspace.js", "text/javascript"),
        ("trades.js", "text/javascript"),
        ("vouchers.js", "text/javascript"),
        ("hash.worker.bundle.js", "text/javascript"),
    ):
        response = httpx.get(f"{portal.url}/static/portal/{name}", timeout=30)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type)
