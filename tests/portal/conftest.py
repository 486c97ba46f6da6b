"""A live ledger for the portal's tests: the real app over the embedded chain, served by uvicorn in a
thread, with the story of :mod:`tests.portal.story` set up through the SDK.

The story is told once a test session: the first worker process to need it tells it on a ledger of
its own and keeps the ledger's data directory (the embedded chain and SQLite) and the story; every
worker then serves a copy of that directory, so no test sees another's changes."""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
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


def told_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Story]:
    """The data directory of a ledger the story was told on, and the story: told by the first worker
    process to ask (the others wait on a lock), in the folder all workers of the session share."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    world, told = shared / "portal-story", shared / "portal-story.pickle"
    with open(shared / "portal-story.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not told.exists():
            settings = Settings(data_dir=world, environment="test")
            services = build_services(settings)
            try:
                with serving(create_app(services, on_shutdown=[services.drain])) as url:
                    story = tell(url, settings.admin_api_key.get_secret_value())
            finally:
                services.close()
            told.write_bytes(pickle.dumps(story))
    return world, pickle.loads(told.read_bytes())


@pytest.fixture(scope="session")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    world, story = told_once(tmp_path_factory)
    data_dir = tmp_path_factory.mktemp("portal")
    shutil.copytree(world, data_dir, dirs_exist_ok=True)
    services = build_services(Settings(data_dir=data_dir, environment="test"))
    try:
        with serving(create_app(services, on_shutdown=[services.drain])) as url:
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
