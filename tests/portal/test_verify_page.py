"""``/verify``: a certificate by number or as a document, each outcome with every check, in both
languages; bad input is a page with a 4xx status in the reader's language, never a stack trace."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import httpx
import pytest

from dataledger.registry.errors import LedgerUnavailable
from tests.portal.conftest import Portal

CHECKS = [
    "structure",
    "format",
    "issuer-trusted",
    "proof-signature",
    "validity-period",
    "chain-transaction",
    "chain-event-matches",
    "certificate-current",
    "asset-not-revoked",
]


def number_of(vc: dict[str, Any]) -> str:
    return str(vc["credentialSubject"]["certificateNumber"])


def outcome(page: httpx.Response) -> str:
    found = re.search(r'data-testid="verdict" data-outcome="([a-z]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def check_results(page: httpx.Response) -> dict[str, str]:
    return dict(re.findall(r'data-check="([a-z-]+)" data-result="([a-z-]+)"', page.text))


def verify(portal: Portal, number: str, lang: str = "zh") -> httpx.Response:
    return httpx.get(f"{portal.url}/verify", params={"number": number, "lang": lang}, timeout=30)


def test_a_valid_certificate_passes_every_check_and_shows_its_chain_evidence_and_history(
    portal: Portal,
) -> None:
    vc = portal.story.valid
    page = verify(portal, number_of(vc))
    assert page.status_code == 200
    assert outcome(page) == "valid"
    assert check_results(page) == dict.fromkeys(CHECKS, "passed")
    evidence = vc["credentialSubject"]["chainEvidence"]
    assert evidence["txHash"] in page.text and evidence["contract"] in page.text
    assert re.findall(r'data-act="([a-z-]+)"', page.text) == [
        "registered",
        "reviewed",
        "reviewed",
        "notice-started",
        "certificate-recorded",
    ]
    assert "有效" in page.text and "签发证书" in page.text
    assert f'href="/certificates/{number_of(vc)}.pdf?lang=zh"' in page.text


def test_the_page_shows_the_certificate_and_registration_numbers(portal: Portal) -> None:
    vc = portal.story.valid
    registration_number = vc["credentialSubject"]["registrationNumber"]
    page = verify(portal, number_of(vc), lang="en")
    assert re.fullmatch(r"DIP-\d{6}-\d{6}-\d{6}", number_of(vc))
    assert f'data-testid="registration-number">{registration_number}</dd>' in page.text
    assert "Registration number" in page.text


def test_a_pasted_certificate_with_a_tampered_check_character_fails_the_format_check(portal: Portal) -> None:
    tampered = copy.deepcopy(portal.story.valid)
    number = tampered["credentialSubject"]["registrationNumber"]
    tampered["credentialSubject"]["registrationNumber"] = number[:-1] + ("0" if number[-1] != "0" else "1")
    page = httpx.post(f"{portal.url}/verify?lang=en", data={"certificate": json.dumps(tampered)}, timeout=30)
    assert page.status_code == 200
    assert outcome(page) == "tampered"
    results = check_results(page)
    assert (results["structure"], results["format"], results["proof-signature"]) == (
        "passed",
        "failed",
        "not-run",
    )


def test_a_revoked_certificate_fails_at_the_registration_status(portal: Portal) -> None:
    page = verify(portal, number_of(portal.story.revoked), lang="en")
    assert outcome(page) == "revoked"
    results = check_results(page)
    assert results["asset-not-revoked"] == "failed"
    assert [results[name] for name in CHECKS[:-1]] == ["passed"] * 8
    assert "Revoked" in page.text and 'data-act="revoked"' in page.text


def test_a_superseded_certificate_names_its_successor(portal: Portal) -> None:
    page = verify(portal, number_of(portal.story.superseded), lang="en")
    assert outcome(page) == "superseded"
    assert check_results(page)["certificate-current"] == "failed"
    assert check_results(page)["asset-not-revoked"] == "not-run"
    successor = number_of(portal.story.successor)
    assert f'<a href="/verify?number={successor}">{successor}</a>' in page.text
    assert outcome(verify(portal, successor)) == "valid"


def test_a_pasted_certificate_whose_holder_was_changed_fails_its_signature(portal: Portal) -> None:
    tampered = copy.deepcopy(portal.story.valid)
    tampered["credentialSubject"]["holder"]["name"] = "Someone Else Trading Co"
    page = httpx.post(f"{portal.url}/verify?lang=en", data={"certificate": json.dumps(tampered)}, timeout=30)
    assert page.status_code == 200
    assert outcome(page) == "tampered"
    results = check_results(page)
    assert (results["issuer-trusted"], results["proof-signature"], results["chain-transaction"]) == (
        "passed",
        "failed",
        "not-run",
    )


def test_an_uploaded_certificate_file_is_verified(portal: Portal) -> None:
    document = json.dumps(portal.story.valid).encode()
    page = httpx.post(
        f"{portal.url}/verify", files={"file": ("certificate.json", document, "application/json")}, timeout=30
    )
    assert page.status_code == 200
    assert outcome(page) == "valid"


@pytest.mark.parametrize(
    ("lang", "message"), [("zh", "登记系统中没有该编号的证书"), ("en", "The registry holds no certificate")]
)
def test_an_unknown_number_is_a_404_page_in_the_readers_language(
    portal: Portal, lang: str, message: str
) -> None:
    page = verify(portal, "DLC-2099-999999", lang=lang)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert outcome(page) == "unknown" and message in page.text


@pytest.mark.parametrize(
    ("request_kwargs", "status", "message"),
    [
        ({"params": {"number": "no such number"}}, 422, "is not a certificate number"),
        ({"data": {"certificate": "{not json"}}, 422, "it is not valid JSON"),
        (
            {"files": {"file": ("c.json", b"\xff\xfe broken", "application/json")}},
            422,
            "it is not valid JSON",
        ),
        ({"data": {"certificate": "[1, 2]"}}, 422, "A certificate is a JSON object"),
        ({"data": {"certificate": "   "}}, 422, "Enter a certificate number, or paste or upload"),
        ({"data": {"certificate": "[" * 100 + "]" * 100}}, 422, "it is not valid JSON"),
        ({"data": {"certificate": '{"type": ["VerifiableCredential"]}'}}, 422, "Not authentic"),
    ],
)
def test_bad_input_is_a_4xx_page_with_a_clear_message_never_a_stack_trace(
    portal: Portal, request_kwargs: dict[str, Any], status: int, message: str
) -> None:
    method = "GET" if "params" in request_kwargs else "POST"
    page = httpx.request(
        method, f"{portal.url}/verify", headers={"Accept-Language": "en"}, timeout=30, **request_kwargs
    )
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert message in page.text
    assert "Traceback" not in page.text


def test_bad_input_is_explained_in_chinese_by_default(portal: Portal) -> None:
    page = httpx.post(f"{portal.url}/verify", data={"certificate": "{not json"}, timeout=30)
    assert page.status_code == 422
    assert '<html lang="zh-Hans">' in page.text
    assert "无法读取该证书文件" in page.text


def test_when_the_chain_cannot_be_read_the_offline_checks_are_shown_with_a_warning(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(vc: object) -> object:
        raise LedgerUnavailable("the node does not answer")

    monkeypatch.setattr(portal.services.verifier, "verify", unavailable)
    page = verify(portal, number_of(portal.story.valid), lang="en")
    assert page.status_code == 200
    assert outcome(page) == "offline"
    assert list(check_results(page).values()) == ["passed"] * 5 + ["not-run"] * 4
    assert "The chain could not be reached: only the offline checks ran." in page.text
