"""In a real browser: verify a good, a tampered, a revoked and a superseded certificate on /verify, and
arrive from a certificate's QR code URL (whose fragment the page reads in the browser)."""

from __future__ import annotations

import copy
import json
from typing import Any

from playwright.sync_api import Page, expect

from dataledger.portal.digital_link import qr_url
from tests.portal.conftest import Portal


def number_of(vc: dict[str, Any]) -> str:
    return str(vc["credentialSubject"]["certificateNumber"])


def verify_by_number(page: Page, portal: Portal, number: str) -> None:
    page.goto(f"{portal.url}/verify")
    page.get_by_label("证书编号").fill(number)
    page.get_by_test_id("verify-number").click()


def test_a_good_certificate_is_valid_with_every_check_passed(page: Page, portal: Portal) -> None:
    verify_by_number(page, portal, number_of(portal.story.valid))
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-outcome", "valid")
    expect(verdict.get_by_role("heading")).to_have_text("有效")
    expect(page.locator('[data-testid="checks"] tr[data-result="passed"]')).to_have_count(9)
    expect(page.get_by_test_id("evidence")).to_contain_text(
        portal.story.valid["credentialSubject"]["chainEvidence"]["txHash"]
    )
    expect(page.get_by_test_id("history")).to_contain_text("签发证书")


def test_a_tampered_certificate_pasted_in_fails_its_signature(page: Page, portal: Portal) -> None:
    tampered = copy.deepcopy(portal.story.valid)
    tampered["credentialSubject"]["asset"]["name"] = "A dataset the registrar never saw"
    page.goto(f"{portal.url}/verify?lang=en")
    page.get_by_label("Certificate (JSON)").fill(json.dumps(tampered))
    page.get_by_test_id("verify-document").click()
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-outcome", "tampered")
    expect(page.get_by_role("heading", name="Not authentic")).to_be_visible()
    expect(page.locator('tr[data-check="proof-signature"]')).to_have_attribute("data-result", "failed")
    expect(page.locator('tr[data-check="chain-transaction"]')).to_have_attribute("data-result", "not-run")
    expect(page.get_by_test_id("unverified-claims")).to_be_visible()  # its claims are marked as such
    expect(page.get_by_role("link", name="Download the certificate (PDF)")).to_have_count(0)


def test_a_certificate_file_chosen_from_disk_is_verified(page: Page, portal: Portal, tmp_path: Any) -> None:
    document = tmp_path / "certificate.json"
    document.write_text(json.dumps(portal.story.valid))
    page.goto(f"{portal.url}/verify")
    page.get_by_label("或选择证书文件").set_input_files(str(document))
    page.get_by_test_id("verify-document").click()
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-outcome", "valid")


def test_a_revoked_certificate_is_shown_revoked(page: Page, portal: Portal) -> None:
    verify_by_number(page, portal, number_of(portal.story.revoked))
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-outcome", "revoked")
    expect(page.get_by_test_id("status")).to_have_text("已撤销")
    expect(page.locator('tr[data-check="asset-not-revoked"]')).to_have_attribute("data-result", "failed")


def test_a_superseded_certificate_leads_to_its_successor(page: Page, portal: Portal) -> None:
    verify_by_number(page, portal, number_of(portal.story.superseded))
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-outcome", "superseded")
    page.get_by_test_id("successor").get_by_role("link").click()
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-outcome", "valid")
    expect(page.get_by_test_id("certificate-number")).to_have_text(number_of(portal.story.successor))


def test_arriving_from_a_qr_code_verifies_the_certificate_and_reads_the_copy_it_carries(
    page: Page, portal: Portal
) -> None:
    vc = portal.story.valid
    page.goto(qr_url(portal.url, vc))  # the resolver answers 307; the fragment stays with the browser
    assert page.url.startswith(f"{portal.url}/verify?number={number_of(vc)}#vc=")
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-outcome", "valid")
    carried = page.get_by_test_id("qr-copy")
    expect(carried).to_be_visible()
    expect(carried).to_contain_text(number_of(vc))
    expect(carried).to_contain_text(vc["credentialSubject"]["holder"]["name"])
    expect(carried.locator("li[data-check]")).to_have_count(3)
    assert browser_checks(page) == {"issuer": "passed", "signature": "passed", "period": "passed"}
    page.get_by_test_id("verify-qr-copy").click()
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-outcome", "valid")
    assert page.url == f"{portal.url}/verify"  # the copy was posted, not looked up by number


def browser_checks(page: Page) -> dict[str, str]:
    """What the page's script found, checking the QR code's certificate itself."""
    lines = page.get_by_test_id("browser-checks").locator("li[data-check]")
    expect(lines).to_have_count(3)
    return {
        line.get_attribute("data-check") or "": line.get_attribute("data-result") or ""
        for line in lines.all()
    }


def test_a_qr_code_carrying_an_altered_certificate_fails_the_signature_check_in_the_browser(
    page: Page, portal: Portal
) -> None:
    altered = copy.deepcopy(portal.story.valid)
    altered["credentialSubject"]["holder"]["name"] = "Someone Else Trading Co"
    page.goto(qr_url(portal.url, altered))
    expect(page.get_by_test_id("qr-copy")).to_contain_text("Someone Else Trading Co")
    assert browser_checks(page) == {"issuer": "passed", "signature": "failed", "period": "passed"}
    # the server, asked about the number, still answers for the certificate it issued
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-outcome", "valid")


def test_a_qr_code_carrying_a_certificate_of_another_issuer_is_not_trusted_in_the_browser(
    page: Page, portal: Portal
) -> None:
    foreign = copy.deepcopy(portal.story.valid)
    foreign["issuer"]["id"] = "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169"
    page.goto(qr_url(portal.url, foreign))
    assert browser_checks(page) == {"issuer": "failed", "signature": "not-run", "period": "passed"}


def test_the_language_switch_turns_the_page_to_english_and_back(page: Page, portal: Portal) -> None:
    verify_by_number(page, portal, number_of(portal.story.valid))
    page.get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("verdict").get_by_role("heading")).to_have_text("Valid")
    page.goto(f"{portal.url}/notices")  # the choice is remembered
    expect(page.get_by_role("heading", level=1)).to_have_text("Public notice board")
    page.get_by_test_id("lang-switch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登记公示")


def test_the_keyboard_reaches_the_skip_link_first_and_it_leads_to_the_content(
    page: Page, portal: Portal
) -> None:
    page.goto(f"{portal.url}/verify")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
