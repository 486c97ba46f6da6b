"""In a real browser: an enterprise signs in to its workspace with its API key, chooses a data file that
the page hashes in a Web Worker (a streaming SHA-256; the file is never uploaded), describes it, unlocks
its keystore in the page and signs the registration, shown in plain words; the asset is on chain after.
Cancelling the hashing sends nothing; a bad key and a key that is not an enterprise's are refused. The
holder of a certified asset grants a licence from the workspace, signed the same way."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from dataledger.client import Client, LocalKeySigner
from tests.portal.conftest import Portal
from tests.portal.story import NOTICE_DAYS, content_hash, facts

PASSWORD = "correct horse battery staple"


@pytest.fixture
def enterprise(portal: Portal) -> tuple[str, LocalKeySigner]:
    """A fresh enterprise of its own (nothing registered yet): its API key and its signing key."""
    key = LocalKeySigner.generate()
    admin = Client(portal.url, portal.story.admin_key)
    created = admin.participants.create("文昌航天数据有限公司 Wenchang Space Data", "enterprise", key.address)
    return created["apiKey"], key


def sign_in(page: Page, portal: Portal, api_key: str) -> None:
    page.goto(f"{portal.url}/workspace?lang=en")
    page.get_by_label("API key").fill(api_key)
    page.get_by_test_id("sign-in").click()


def test_an_enterprise_registers_a_file_from_the_workspace_signing_with_a_keystore_file(
    page: Page, portal: Portal, enterprise: tuple[str, LocalKeySigner], tmp_path: Path
) -> None:
    api_key, key = enterprise
    keystore = key.to_keystore(tmp_path / "enterprise.json", PASSWORD, iterations=2**12)
    data = tmp_path / "telemetry-2026-q3.bin"
    data.write_bytes(os.urandom(5 * 1024 * 1024 + 12345))  # several chunks and a partial last one
    expected_hash = "0x" + hashlib.sha256(data.read_bytes()).hexdigest()
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request))

    sign_in(page, portal, api_key)
    expect(page.get_by_test_id("signed-in")).to_contain_text("Wenchang Space Data")
    assert api_key not in page.url
    expect(page.get_by_test_id("assets")).to_contain_text("Nothing registered yet")

    page.get_by_label("Keystore file").set_input_files(keystore)
    page.get_by_label("Keystore password").fill(PASSWORD)
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("key-status")).to_contain_text("is unlocked", timeout=30_000)

    page.get_by_label("Data file").set_input_files(data)
    expect(page.get_by_test_id("content-hash")).to_have_text(expected_hash, timeout=60_000)
    expect(page.get_by_test_id("hash-status")).to_contain_text("not uploaded")
    page.get_by_label("Dataset name").fill("文昌发射场遥测 Wenchang launch telemetry")
    page.get_by_label("Industry").fill("航天 aerospace")
    page.get_by_label("Right claimed").select_option("data-processing-and-use")
    page.get_by_test_id("register").click()

    dialog = page.get_by_test_id("sign-dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_test_id("sign-summary")).to_contain_text("Registration")
    expect(page.get_by_test_id("sign-domain")).to_contain_text(str(portal.services.registry.registry_address))
    fields = page.get_by_test_id("sign-fields")
    expect(fields).to_contain_text(expected_hash)
    expect(fields).to_contain_text(key.address)
    expect(fields).to_contain_text("Data processing and use")
    dialog.get_by_test_id("sign-confirm").click()
    expect(page.get_by_test_id("flash")).to_contain_text("recorded on chain", timeout=30_000)

    registered = page.get_by_test_id("registered")
    expect(registered).to_be_visible()
    asset_id = page.get_by_test_id("registered-asset").inner_text()
    tx_hash = page.get_by_test_id("registered-tx").inner_text()
    assert tx_hash.startswith("0x") and len(tx_hash) == 66
    expect(page.get_by_test_id("registered-link")).to_have_attribute("href", f"/assets/{asset_id}")
    card = page.get_by_test_id("assets").locator(f'[data-asset-id="{asset_id}"]')
    expect(card).to_contain_text("Applied for")  # its state, named
    expect(card).to_contain_text(tx_hash)

    # nothing but JSON went to the server: no request carried the file's bytes
    assert all(len(r.post_data_buffer or b"") < 10_000 for r in sent)

    asset = Client(portal.url, api_key).assets.get(asset_id)
    assert asset["contentHash"] == expected_hash
    assert asset["facts"]["rightClaimed"] == "data-processing-and-use"
    assert asset["state"] == "registered" and asset["chainEvidence"]["txHash"] == tx_hash
    audit = Client(portal.url, portal.story.registrar_api_key).assets.check_against_chain(asset_id)
    assert audit["checks"] and all(check["passed"] for check in audit["checks"])


def test_cancelling_the_hashing_sends_nothing(
    page: Page, portal: Portal, enterprise: tuple[str, LocalKeySigner], tmp_path: Path
) -> None:
    api_key, _ = enterprise
    big = tmp_path / "archive.bin"
    with big.open("wb") as out:  # a sparse 2 GiB: long enough to be cancelled while it is hashed
        out.truncate(2 * 1024**3)
    sign_in(page, portal, api_key)
    expect(page.get_by_test_id("signed-in")).to_be_visible()
    expect(page.get_by_test_id("assets")).to_contain_text("Nothing registered yet")
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request))

    page.get_by_label("Data file").set_input_files(big)
    expect(page.get_by_test_id("hash-progress")).to_be_visible()
    # some chunks hashed, far from all (4 MiB a chunk)
    expect(page.get_by_test_id("hash-status")).to_have_text(
        re.compile(r"Hashing: [1-9][0-9]*\.[0-9] of 2048\.0 MB")
    )
    page.get_by_test_id("hash-cancel").click()
    expect(page.get_by_test_id("hash-status")).to_have_text("Hashing cancelled: nothing was sent.")
    expect(page.get_by_test_id("hash-progress")).to_be_hidden()
    expect(page.get_by_test_id("content-hash")).to_have_text("")
    expect(page.get_by_test_id("register")).to_be_disabled()
    page.wait_for_timeout(500)

    assert [r.url for r in sent if "/v1/" in r.url] == []  # nothing prepared, nothing registered
    assert Client(portal.url, api_key).assets.list()["items"] == []


def test_signed_out_the_workspace_asks_for_a_key(page: Page, portal: Portal) -> None:
    page.goto(f"{portal.url}/workspace?lang=en")
    expect(page.get_by_test_id("sign-in")).to_be_visible()
    expect(page.locator("#desk")).to_be_hidden()
    expect(page.get_by_text("Your enterprise participant's API key")).to_be_visible()


def test_a_bad_key_is_refused(page: Page, portal: Portal) -> None:
    sign_in(page, portal, "dlk_not-a-key")
    expect(page.get_by_test_id("sign-in-error")).to_have_text("This API key is not valid.")
    assert page.evaluate("sessionStorage.getItem('dataledger.apiKey')") is None
    expect(page.locator("#desk")).to_be_hidden()


def test_a_registrars_key_is_not_an_enterprises(page: Page, portal: Portal) -> None:
    sign_in(page, portal, portal.story.registrar_api_key)
    expect(page.get_by_test_id("sign-in-error")).to_contain_text("not an enterprise's")
    assert page.evaluate("sessionStorage.getItem('dataledger.apiKey')") is None


def test_the_holder_of_a_certified_asset_grants_a_licence_from_the_workspace(
    page: Page, portal: Portal, enterprise: tuple[str, LocalKeySigner], tmp_path: Path
) -> None:
    api_key, key = enterprise
    story = portal.story
    admin, registrar = Client(portal.url, story.admin_key), Client(portal.url, story.registrar_api_key)
    registrar_key = LocalKeySigner(story.registrar_private_key)
    name = "文昌卫星过境记录 Wenchang satellite passes"
    admin.procedure.set_notice_period(0)
    try:
        asset_id = Client(portal.url, api_key).assets.register(content_hash(name), facts(name), signer=key)[
            "assetId"
        ]
        for stage in ("formal", "substantive"):
            registrar.procedure.review(asset_id, stage, reason=f"{stage} review passed", signer=registrar_key)
        registrar.assets.issue_certificate(asset_id, signer=registrar_key)
    finally:
        admin.procedure.set_notice_period(NOTICE_DAYS * 24 * 3600)
    licensee = LocalKeySigner(story.objector_private_key).address  # a participant: the competitor
    keystore = key.to_keystore(tmp_path / "enterprise.json", PASSWORD, iterations=2**12)

    sign_in(page, portal, api_key)
    card = page.get_by_test_id("assets").locator(f'[data-asset-id="{asset_id}"]')
    expect(card).to_contain_text("Certified")
    expect(card.get_by_test_id("certificate")).to_contain_text("Valid")
    number = card.get_by_test_id("certificate").get_attribute("data-number")
    expect(card.get_by_role("link", name="Verify")).to_have_attribute("href", f"/verify?number={number}")
    expect(card.get_by_role("link", name="PDF")).to_have_attribute("href", f"/certificates/{number}.pdf")
    page.get_by_label("Keystore file").set_input_files(keystore)
    page.get_by_label("Keystore password").fill(PASSWORD)
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("key-status")).to_contain_text("is unlocked", timeout=30_000)

    licence = card.get_by_test_id("licence")
    licence.locator("summary").click()
    licence.get_by_label("Licensee").fill(licensee)
    licence.get_by_label("Scope").fill("passes of 2026, by ground station")
    licence.get_by_label("Purpose").fill("orbit planning study")
    licence.get_by_label("Maximum number of uses").fill("3")
    licence.get_by_label("Commercial use allowed").check()
    licence.get_by_test_id("grant").click()
    expect(page.get_by_test_id("sign-summary")).to_contain_text("Licence")
    expect(page.get_by_test_id("sign-domain")).to_contain_text(
        str(portal.services.licensing.domain.verifying_contract)
    )
    expect(page.get_by_test_id("sign-fields")).to_contain_text(licensee)
    page.get_by_test_id("sign-confirm").click()
    expect(page.get_by_test_id("flash")).to_contain_text("recorded on chain", timeout=30_000)

    granted = Client(portal.url, api_key).licences.list(asset_id=asset_id)["items"]
    assert len(granted) == 1
    assert granted[0]["licenseeAddress"].lower() == licensee.lower()
    assert granted[0]["licensorAddress"].lower() == key.address.lower()
    assert (granted[0]["scope"], granted[0]["purpose"]) == (
        "passes of 2026, by ground station",
        "orbit planning study",
    )
    assert granted[0]["maxUses"] == 3 and granted[0]["commercial"] is True
    assert granted[0]["derivativesAllowed"] is False


def certified_asset(portal: Portal, api_key: str, key: LocalKeySigner, name: str) -> str:
    """An asset of the enterprise's, certified (registered by the SDK, reviewed and certified by the
    registrar's own key, the notice period 0 meanwhile)."""
    story = portal.story
    admin, registrar = Client(portal.url, story.admin_key), Client(portal.url, story.registrar_api_key)
    registrar_key = LocalKeySigner(story.registrar_private_key)
    admin.procedure.set_notice_period(0)
    try:
        asset_id: str = Client(portal.url, api_key).assets.register(
            content_hash(name), facts(name), signer=key
        )["assetId"]
        for stage in ("formal", "substantive"):
            registrar.procedure.review(asset_id, stage, reason=f"{stage} review passed", signer=registrar_key)
        registrar.assets.issue_certificate(asset_id, signer=registrar_key)
    finally:
        admin.procedure.set_notice_period(NOTICE_DAYS * 24 * 3600)
    return asset_id


def unlock(page: Page, keystore: Path) -> None:
    page.get_by_label("Keystore file").set_input_files(keystore)
    page.get_by_label("Keystore password").fill(PASSWORD)
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("key-status")).to_contain_text("is unlocked", timeout=30_000)


def test_a_pledge_is_signed_by_the_holder_and_the_bank_each_in_its_own_workspace(
    page: Page,
    browser: Browser,
    portal: Portal,
    enterprise: tuple[str, LocalKeySigner],
    tmp_path: Path,
) -> None:
    """The holder prepares the pledge and signs its ``Pledge`` with its keystore; the bank pastes the
    signed offer into its own workspace, signs its ``PledgeAcceptance`` with its keystore and files it."""
    api_key, key = enterprise
    asset_id = certified_asset(portal, api_key, key, "文昌火箭总装记录 Wenchang rocket assembly logs")
    bank_key = LocalKeySigner.generate()
    bank_api_key = Client(portal.url, portal.story.admin_key).participants.create(
        "海南农商银行 Hainan Rural Commercial Bank", "enterprise", bank_key.address
    )["apiKey"]
    terms = "贷款 HN-2026-0117，人民币 300 万元 loan HN-2026-0117, RMB 3m"
    valuation = "评估值 500 万元 appraised at RMB 5m, report HN-VAL-2026-031"
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request))

    sign_in(page, portal, api_key)
    card = page.get_by_test_id("assets").locator(f'[data-asset-id="{asset_id}"]')
    expect(card).to_contain_text("Certified")
    unlock(page, key.to_keystore(tmp_path / "holder.json", PASSWORD, iterations=2**12))
    pledge = card.get_by_test_id("pledge")
    pledge.locator("summary").click()
    pledge.get_by_label("Pledgee's chain address").fill(bank_key.address)
    pledge.get_by_label("Terms of the pledge").fill(terms)
    pledge.get_by_label("Secured amount").fill("3000000")
    pledge.get_by_label("Currency (ISO 4217)").fill("CNY")
    pledge.get_by_label("Valuation the pledgee relies on").fill(valuation)
    pledge.get_by_test_id("pledge-sign").click()
    expect(page.get_by_test_id("sign-summary")).to_contain_text("Pledge")
    expect(page.get_by_test_id("sign-domain")).to_contain_text(str(portal.services.registry.registry_address))
    fields = page.get_by_test_id("sign-fields")
    expect(fields).to_contain_text(re.compile(bank_key.address, re.I))
    expect(fields).to_contain_text("3000000.00 (300000000 in minor units)")
    expect(fields).to_contain_text(terms)  # the texts, shown as typed beside their salted hashes
    expect(fields).to_contain_text(valuation)
    page.get_by_test_id("sign-confirm").click()
    offer_box = pledge.get_by_test_id("pledge-offer")
    expect(offer_box).to_be_visible()
    offer = offer_box.input_value()
    assert json.loads(offer)["byHolder"]["signature"].startswith("0x")
    assert Client(portal.url, api_key).assets.pledges(asset_id)["items"] == []  # one signature: not filed

    bank_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    try:
        bank = bank_context.new_page()
        bank.on("request", lambda request: sent.append(request))
        sign_in(bank, portal, bank_api_key)
        expect(bank.get_by_test_id("signed-in")).to_contain_text("Hainan Rural Commercial Bank")
        unlock(bank, bank_key.to_keystore(tmp_path / "bank.json", PASSWORD, iterations=2**12))
        bank.get_by_test_id("accept-pledge").get_by_label("Pledge offer (JSON)").fill(offer)
        bank.get_by_test_id("accept-sign").click()
        expect(bank.get_by_test_id("sign-summary")).to_contain_text("Pledge acceptance")
        expect(bank.get_by_test_id("sign-fields")).to_contain_text(re.compile(key.address, re.I))
        expect(bank.get_by_test_id("sign-fields")).to_contain_text(valuation)
        bank.get_by_test_id("sign-confirm").click()
        expect(bank.get_by_test_id("flash")).to_contain_text("recorded on chain", timeout=30_000)
    finally:
        bank_context.close()

    pledges = Client(portal.url, api_key).assets.pledges(asset_id)["items"]
    assert [(p["status"], p["pledgeeAddress"].lower(), p["terms"]) for p in pledges] == [
        ("active", bank_key.address.lower(), terms)
    ]
    history = Client(portal.url, portal.story.registrar_api_key).assets.history(asset_id)["items"]
    (pledged,) = [act for act in history if act["act"] == "pledged"]
    assert pledged["actor"].lower() == key.address.lower()  # signed by the holder's own key
    for secret in (key.private_key[2:], bank_key.private_key[2:]):
        assert not any(secret in (request.post_data or "") for request in sent)
    page.reload()  # still signed in (the tab keeps the key): the asset now shows its pledge
    expect(card.get_by_test_id("pledged")).to_contain_text(re.compile(bank_key.address, re.I))
    expect(card.get_by_test_id("pledge")).to_have_count(0)


def test_an_offer_that_is_not_the_pledgees_is_refused_before_anything_is_signed(
    page: Page, portal: Portal, enterprise: tuple[str, LocalKeySigner]
) -> None:
    api_key, _ = enterprise
    sign_in(page, portal, api_key)
    form = page.get_by_test_id("accept-pledge")
    form.get_by_label("Pledge offer (JSON)").fill("not an offer")
    page.get_by_test_id("accept-sign").click()
    expect(page.get_by_test_id("flash")).to_have_text("What was pasted is not a pledge offer.")
    someone = "0x" + "ab" * 20
    offer = {
        "kind": "dataledger.pledge-offer.v1",
        "assetId": "0x" + "12" * 32,
        "pledgee": someone,
        "byHolder": {},
    }
    form.get_by_label("Pledge offer (JSON)").fill(json.dumps(offer))
    page.get_by_test_id("accept-sign").click()
    expect(page.get_by_test_id("flash")).to_have_text(f"The pledgee of this offer is {someone}, not you.")
    expect(page.get_by_test_id("sign-dialog")).not_to_be_visible()


def test_the_workspace_lists_the_enterprises_assets_a_page_at_a_time(
    page: Page, portal: Portal, enterprise: tuple[str, LocalKeySigner]
) -> None:
    api_key, key = enterprise
    holder = Client(portal.url, api_key)
    names = [f"文昌气象观测 {n:02d} Wenchang weather observations {n:02d}" for n in range(12)]
    for name in names:
        holder.assets.register(content_hash(name), facts(name), signer=key)
    sign_in(page, portal, api_key)
    assets = page.get_by_test_id("assets").get_by_test_id("asset")
    expect(assets).to_have_count(10)
    expect(page.get_by_test_id("assets-range")).to_have_text("Assets 1–10")
    expect(page.get_by_test_id("assets-previous")).to_be_disabled()
    first_page = set(assets.evaluate_all("nodes => nodes.map(n => n.dataset.assetId)"))

    page.get_by_test_id("assets-next").focus()
    page.keyboard.press("Enter")  # the pager works from the keyboard
    expect(assets).to_have_count(2)
    expect(page.get_by_test_id("assets-range")).to_have_text("Assets 11–12")
    expect(page.get_by_test_id("assets-next")).to_be_disabled()
    second_page = set(assets.evaluate_all("nodes => nodes.map(n => n.dataset.assetId)"))
    assert not first_page & second_page and len(first_page | second_page) == 12

    page.get_by_test_id("assets-previous").click()
    expect(assets).to_have_count(10)
    expect(page.get_by_test_id("assets-range")).to_have_text("Assets 1–10")
