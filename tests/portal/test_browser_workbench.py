"""In a real browser: a registrar signs in to the workbench with its API key, unlocks its own keystore in
the page, and takes an application through the formal and substantive reviews to its certificate, each
act shown in plain words (EIP-712 domain and message) and signed in the browser; and resolves the
objections filed in public notice, upholding one (the application is rejected) and dismissing another."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from dataledger.client import Client, LocalKeySigner
from tests.portal.conftest import Portal
from tests.portal.story import NOTICE_DAYS, REGISTRAR_NAME, content_hash, facts

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


@pytest.fixture
def objected(portal: Portal) -> Iterator[tuple[tuple[str, int], tuple[str, int]]]:
    """Two applications of the holder's in public notice, each with an objection the competitor filed
    (its own key): ``((asset, objection), (asset, objection))``. Afterwards any still in notice is
    rejected, so the notice board holds the story's two again."""
    story = portal.story
    holder, registrar = Client(portal.url, story.holder_api_key), Client(portal.url, story.registrar_api_key)
    objector = Client(portal.url, story.objector_api_key)
    holder_key, registrar_key = (
        LocalKeySigner(story.holder_private_key),
        LocalKeySigner(story.registrar_private_key),
    )
    objector_key = LocalKeySigner(story.objector_private_key)
    filed = []
    for name, reason in (
        (
            "三亚免税会员消费记录 Sanya duty-free member purchases",
            "这些会员记录是本公司采集的 we collected these records",
        ),
        (
            "海口免税店客流统计 Haikou duty-free footfall",
            "the footfall counts are the landlord's, not the holder's",
        ),
    ):
        asset_id = holder.assets.register(content_hash(name), facts(name), signer=holder_key)["assetId"]
        for stage in ("formal", "substantive"):
            registrar.procedure.review(asset_id, stage, reason=f"{stage} review passed", signer=registrar_key)
        objection = objector.procedure.object(asset_id, reason, signer=objector_key)
        filed.append((asset_id, int(objection["objectionId"])))
    try:
        yield filed[0], filed[1]
    finally:
        for asset_id, _ in filed:
            if registrar.assets.get(asset_id)["state"] == "in_notice":
                registrar.procedure.reject(asset_id, "test over", signer=registrar_key)


def test_a_registrar_upholds_one_objection_and_dismisses_another_from_the_workbench(
    page: Page, portal: Portal, keystore: Path, objected: tuple[tuple[str, int], tuple[str, int]]
) -> None:
    (upheld_asset, upheld), (dismissed_asset, dismissed) = objected
    story = portal.story
    page.goto(f"{portal.url}/workbench?lang=en")
    page.get_by_label("API key").fill(story.registrar_api_key)
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("signed-in")).to_contain_text(REGISTRAR_NAME)
    page.get_by_label("Keystore file").set_input_files(keystore)
    page.get_by_label("Keystore password").fill(PASSWORD)
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("key-status")).to_contain_text("is unlocked", timeout=30_000)

    card = application(page, "in_notice", upheld_asset)
    objection = card.get_by_test_id("objection")
    expect(objection).to_contain_text(f"Objection #{upheld}")
    expect(objection).to_contain_text("we collected these records")
    expect(card.get_by_test_id("issue")).to_be_disabled()  # an open objection blocks the certificate
    card.get_by_label("Reason").fill("异议成立：会员记录由异议人采集 the objector collected the records")
    objection.get_by_test_id("uphold").click()
    expect(page.get_by_test_id("sign-fields")).to_contain_text(str(upheld))
    expect(page.get_by_test_id("sign-fields")).to_contain_text("the objector collected the records")
    sign_and_submit(page, "Objection resolution")
    expect(application(page, "in_notice", upheld_asset)).to_have_count(0)

    card = application(page, "in_notice", dismissed_asset)
    card.get_by_label("Reason").fill("驳回：客流统计由持有人自有设备采集 the holder's own counters")
    card.get_by_test_id("objection").get_by_test_id("dismiss").click()
    sign_and_submit(page, "Objection resolution")
    card = application(page, "in_notice", dismissed_asset)
    expect(card.get_by_test_id("objection")).to_have_count(0)  # no open objection left

    registrar = Client(portal.url, story.registrar_api_key)
    assert registrar.procedure.objection(upheld)["status"] == "upheld"
    assert registrar.assets.get(upheld_asset)["state"] == "rejected"
    resolved = registrar.procedure.objection(dismissed)
    assert (resolved["status"], resolved["resolution"]) == (
        "dismissed",
        "驳回：客流统计由持有人自有设备采集 the holder's own counters",
    )
    assert registrar.assets.get(dismissed_asset)["state"] == "in_notice"
    acts = registrar.assets.history(upheld_asset)["items"]
    (resolution,) = [a for a in acts if a["act"] == "objection-resolved"]
    assert resolution["actor"].lower() == story.registrar_address.lower()
