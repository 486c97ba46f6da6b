"""In a real browser: a registrar signs in to the workbench with its API key, unlocks its own keystore in
the page, and takes an application through the formal and substantive reviews to its certificate, each
act shown in plain words (EIP-712 domain and message) and signed in the browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from dataledger.client import Client, LocalKeySigner
from tests.portal.conftest import Portal
from tests.portal.story import NOTICE_DAYS, REGISTRAR_NAME

PASSWORD = "correct horse battery staple"


@pytest.fixture
def keystore(portal: Portal, tmp_path: Path) -> Path:
    """The registration institution's key as a keystore file (a light scrypt: a throwaway key)."""
    signer = LocalKeySigner(portal.story.registrar_private_key)
    return signer.to_keystore(tmp_path / "registrar.json", PASSWORD, iterations=2**12)


@pytest.fixture
def notice_ends_at_once(portal: Portal) -> Iterator[None]:
    """A notice period of 0 for this test (its application is certified right after its notice)."""
    admin = Client(portal.url, portal.story.admin_key)
    admin.procedure.set_notice_period(0)
    try:
        yield
    finally:
        admin.procedure.set_notice_period(NOTICE_DAYS * 24 * 3600)


def sign_and_submit(page: Page, expected_act: str) -> None:
    dialog = page.get_by_test_id("sign-dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_test_id("sign-summary")).to_contain_text(expected_act)
    dialog.get_by_test_id("sign-confirm").click()
    expect(page.get_by_test_id("flash")).to_contain_text("recorded on chain")


def application(page: Page, queue: str, asset_id: str) -> Locator:
    return page.get_by_test_id(f"queue-{queue}").locator(f'[data-asset-id="{asset_id}"]')


@pytest.mark.usefixtures("notice_ends_at_once")
def test_a_registrar_reviews_and_certifies_an_application_from_the_workbench(
    page: Page, portal: Portal, keystore: Path
) -> None:
    story = portal.story
    asset_id = story.application["assetId"]
    page.goto(f"{portal.url}/workbench?lang=en")
    page.get_by_label("API key").fill(story.registrar_api_key)
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("signed-in")).to_contain_text(REGISTRAR_NAME)
    assert story.registrar_api_key not in page.url
    assert page.evaluate("sessionStorage.getItem('dataledger.apiKey')") == story.registrar_api_key

    page.get_by_label("Keystore file").set_input_files(keystore)
    page.get_by_label("Keystore password").fill(PASSWORD)
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("key-status")).to_contain_text("is unlocked", timeout=30_000)

    application(page, "registered", asset_id).get_by_test_id("formal-review").click()
    expect(page.get_by_test_id("sign-domain")).to_contain_text(story.registrar_address[:2])
    expect(page.get_by_test_id("sign-domain")).to_contain_text(str(portal.services.registry.registry_address))
    expect(page.get_by_test_id("sign-fields")).to_contain_text("formal review")
    expect(page.get_by_test_id("sign-fields")).to_contain_text(story.registrar_address)
    sign_and_submit(page, "Review")

    application(page, "under_review", asset_id).get_by_test_id("substantive-review").click()
    sign_and_submit(page, "Review")

    issue = application(page, "in_notice", asset_id).get_by_test_id("issue")
    expect(issue).to_be_enabled()
    issue.click()
    sign_and_submit(page, "Certificate")
    expect(application(page, "certified", asset_id)).to_be_visible()

    registrar = Client(portal.url, story.registrar_api_key)
    certificates = registrar.assets.certificates(asset_id)["items"]
    assert [c["status"] for c in certificates] == ["valid"]
    acts = registrar.assets.history(asset_id)["items"]
    signed = [a for a in acts if a["act"] in ("reviewed", "certificate-recorded")]
    assert len(signed) == 3 and {a["actor"].lower() for a in signed} == {story.registrar_address.lower()}


def test_cancelling_the_dialog_signs_nothing(page: Page, portal: Portal, keystore: Path) -> None:
    story = portal.story
    wanted = story.in_notice[0]["assetId"]
    page.goto(f"{portal.url}/workbench?lang=en")
    page.get_by_label("API key").fill(story.registrar_api_key)
    page.get_by_test_id("sign-in").click()
    page.get_by_label("Keystore file").set_input_files(keystore)
    page.get_by_label("Keystore password").fill(PASSWORD)
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("key-status")).to_contain_text("is unlocked", timeout=30_000)
    card = application(page, "in_notice", wanted)
    card.get_by_label("Reason").fill("the source's authorisation is missing")
    card.get_by_test_id("reject").click()
    expect(page.get_by_test_id("sign-summary")).to_contain_text("Rejection")
    page.get_by_test_id("sign-cancel").click()
    expect(page.get_by_test_id("flash")).to_contain_text("nothing was signed")
    assert httpx.get(f"{portal.url}/notices/{wanted}?lang=en", timeout=30).text.count("In public notice") >= 1


def test_a_key_that_is_not_a_registrars_is_refused(page: Page, portal: Portal) -> None:
    page.goto(f"{portal.url}/workbench?lang=en")
    page.get_by_label("API key").fill("dlk_not-a-key")
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("sign-in-error")).to_have_text("This API key is not valid.")
    assert page.evaluate("sessionStorage.getItem('dataledger.apiKey')") is None
