"""``/pledge-certificates``: a pledge registration certificate checked by its number or pasted, with one
of four answers (the pledge stands, it ended, no such certificate, the certificate was tampered with)
and every check, in both languages; a malformed number or document is a page saying so."""

from __future__ import annotations

import copy
import json

import httpx
import pytest

from tests.portal.conftest import Portal
from tests.portal.story import BANK_NAME


def number_of(vc: dict[str, object]) -> str:
    subject = vc["credentialSubject"]
    assert isinstance(subject, dict)
    return str(subject["pledgeCertificateNumber"])


def by_number(portal: Portal, number: str, lang: str = "en") -> httpx.Response:
    return httpx.get(f"{portal.url}/pledge-certificates", params={"number": number, "lang": lang}, timeout=30)


def standing(page: str) -> str:
    marker = 'data-standing="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_a_certified_pledge_that_stands_is_active_with_every_check_passed(portal: Portal) -> None:
    vc = portal.story.pledging.certified
    page = by_number(portal, number_of(vc))
    assert page.status_code == 200
    assert standing(page.text) == "active" and "The pledge stands" in page.text
    for check in ("proof-signature", "on-chain-record", "pledge-standing"):
        assert f'data-check="{check}" data-result="passed"' in page.text
    assert BANK_NAME in page.text and "CN¥5,000,000.00" in page.text
    assert f'href="/assets/{portal.story.licensed["assetId"]}"' in page.text


def test_a_released_pledges_certificate_has_ended_in_chinese(portal: Portal) -> None:
    page = by_number(portal, number_of(portal.story.pledging.ended), "zh")
    assert page.status_code == 200 and '<html lang="zh-Hans">' in page.text
    assert standing(page.text) == "ended" and "质押已结束" in page.text
    assert 'data-check="pledge-standing" data-result="failed"' in page.text


def test_an_unknown_number_is_a_404_saying_so(portal: Portal) -> None:
    for lang, text in (("zh", "未找到该证书"), ("en", "Certificate not found")):
        page = by_number(portal, "DPL-209901-460100-999999", lang)
        assert page.status_code == 404 and standing(page.text) == "unknown" and text in page.text


def test_a_tampered_certificate_is_refused_and_its_claims_marked_unverified(portal: Portal) -> None:
    tampered = copy.deepcopy(portal.story.pledging.certified)
    tampered["credentialSubject"]["securedAmount"] = 1
    page = httpx.post(
        f"{portal.url}/pledge-certificates?lang=en", data={"certificate": json.dumps(tampered)}, timeout=30
    )
    assert page.status_code == 200
    assert standing(page.text) == "tampered" and 'data-testid="unverified-claims"' in page.text
    assert 'data-check="proof-signature" data-result="failed"' in page.text
    assert 'data-check="on-chain-record" data-result="not-run"' in page.text


def test_a_pasted_genuine_certificate_is_checked_as_by_number(portal: Portal) -> None:
    vc = portal.story.pledging.certified
    page = httpx.post(
        f"{portal.url}/pledge-certificates?lang=en", data={"certificate": json.dumps(vc)}, timeout=30
    )
    assert page.status_code == 200 and standing(page.text) == "active"
    assert number_of(vc) in page.text


@pytest.mark.parametrize(
    ("method", "payload", "status", "zh", "en"),
    [
        ("get", "not-a-number", 422, "不是质押登记证书编号", "is not a pledge certificate number"),
        (
            "get",
            "DIP-202611-460100-000001",
            422,
            "不是质押登记证书编号",
            "is not a pledge certificate number",
        ),
        ("post", "{not json", 422, "JSON", "JSON"),
        ("post", "[1, 2]", 422, "JSON", "JSON"),
        ("post", "   ", 422, "", ""),
        ("post", '{"type": 5}', 422, "不是质押登记证书", "is not a pledge registration certificate"),
    ],
)
def test_bad_input_is_a_page_in_the_readers_language(
    portal: Portal, method: str, payload: str, status: int, zh: str, en: str
) -> None:
    for lang, message in (("zh", zh), ("en", en)):
        if method == "get":
            page = by_number(portal, payload, lang)
        else:
            page = httpx.post(
                f"{portal.url}/pledge-certificates?lang={lang}", data={"certificate": payload}, timeout=30
            )
        assert page.status_code == status
        assert 'data-testid="error-message"' in page.text and message in page.text


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"type": "DataPledgeRegistrationCertificate"},
        {"type": ["VerifiableCredential", "DataPledgeRegistrationCertificate"], "proof": "x"},
        {"type": ["VerifiableCredential", "DataPledgeRegistrationCertificate"], "credentialSubject": []},
        {"credentialSubject": {"securedAmount": True, "currency": 5, "asset": "x", "pledgor": 1}},
        {"credentialSubject": {"securedAmount": 10**30, "currency": "CNY", "maturity": "soon"}},
    ],
)
def test_a_malformed_certificate_is_an_answer_not_a_server_error(
    portal: Portal, document: dict[str, object]
) -> None:
    page = httpx.post(
        f"{portal.url}/pledge-certificates?lang=en", data={"certificate": json.dumps(document)}, timeout=30
    )
    assert page.status_code in (200, 422)
    assert 'data-testid="verdict"' in page.text or 'data-testid="error-message"' in page.text
    if page.status_code == 200:
        assert standing(page.text) == "tampered"
