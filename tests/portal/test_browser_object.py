"""In a real browser: a competitor signed in on a notice's page files a signed, timestamped objection
with evidence hashed in the page (never uploaded), after reading the EIP-712 message it signs."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from dataledger.client import Client, LocalKeySigner
from tests.portal.conftest import Portal

PASSWORD = "objector's password"


def test_a_participant_objects_to_an_application_from_the_notice_board(
    page: Page, portal: Portal, tmp_path: Path
) -> None:
    story = portal.story
    wanted = story.in_notice[1]
    keystore = LocalKeySigner(story.objector_private_key).to_keystore(
        tmp_path / "objector.json", PASSWORD, iterations=2**12
    )
    evidence = tmp_path / "contract.pdf"
    evidence.write_bytes(b"%PDF-1.7 the licence under which we collected these records")
    evidence_hash = "0x" + hashlib.sha256(evidence.read_bytes()).hexdigest()

    page.goto(f"{portal.url}/notices?lang=en")
    notice = page.get_by_test_id("notice").filter(has_text=wanted["facts"]["name"])
    notice.get_by_test_id("object-link").click()
    assert page.url.endswith(f"/notices/{wanted['assetId']}#object")
    page.get_by_label("API key").fill(story.objector_api_key)
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("signed-in")).to_contain_text("Haikou Data Tech")
    page.get_by_label("Keystore file").set_input_files(keystore)
    page.get_by_label("Keystore password").fill(PASSWORD)
    page.get_by_test_id("unlock").click()
    expect(page.get_by_test_id("key-status")).to_contain_text("is unlocked", timeout=30_000)

    page.get_by_label("Reasons").fill("We collected these records under our own licence: ownership disputed")
    page.get_by_label("Evidence file (optional)").set_input_files(evidence)
    expect(page.get_by_test_id("evidence-hash")).to_contain_text(evidence_hash)
    page.get_by_test_id("file-objection").click()
    expect(page.get_by_test_id("sign-summary")).to_contain_text("Objection")
    expect(page.get_by_test_id("sign-fields")).to_contain_text(evidence_hash)
    expect(page.get_by_test_id("sign-domain")).to_contain_text(portal.services.registry.registry_address)
    page.get_by_test_id("sign-confirm").click()
    filed_at = re.compile(r"Objection #\d+ recorded on chain at \d\d/\d\d/20\d\d, [\d:]{8}: transaction 0x")
    expect(page.get_by_test_id("flash")).to_contain_text(filed_at)

    objections = Client(portal.url, story.objector_api_key).procedure.objections(wanted["assetId"])["items"]
    assert [(o["status"], o["evidenceHash"]) for o in objections] == [("open", evidence_hash)]
    page.reload()
    expect(page.get_by_test_id("objections-filed")).to_contain_text(objections[0]["chainEvidence"]["txHash"])
