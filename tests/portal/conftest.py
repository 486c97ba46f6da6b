"""A live ledger for the portal's tests: the real app over the embedded chain, served by uvicorn in a
thread, with the story of :mod:`tests.portal.story` set up through the SDK."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from dataledger.api.app import create_app
from dataledger.cli.local_server import serving
from dataledger.composition import Services, build_services
from dataledger.composition.settings import Settings
from tests.portal.story import Story, tell


@dataclass(frozen=True)
class Portal:
    url: str
    services: Services
    story: Story


@pytest.fixture(scope="session")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("portal")), environment="test")
    services = build_services(settings)
    try:
        with serving(create_app(services, on_shutdown=[services.drain])) as url:
            story = tell(url, settings.admin_api_key.get_secret_value())
            yield Portal(url, services, story)
    finally:
        services.close()


CHROMIUM = Path("/usr/bin/chromium")  # Debian's, installed by scripts/dev.sh test; never downloaded


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium driven by Playwright; without it the browser tests skip, except under CI.

    One per test module: Playwright's sync API runs an event loop for as long as it is open, and a
    later test of the same worker process may need ``asyncio.run`` (the async SDK's)."""
    if not CHROMIUM.exists():
        reason = f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true needs it: {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser tab (no cookies: Chinese unless the test chooses), at a phone's width."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        yield context.new_page()
    finally:
        context.close()
