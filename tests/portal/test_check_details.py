"""The verifier's detail of each check in the reader's language: Chinese by default, English by choice,
from the one catalogue, by the check's reason; a check without a reason is its general sentence, the
verifier's words beside it."""

from __future__ import annotations

import copy
import html
import json
import re
from typing import Any

import httpx
import pytest

from dataledger.portal.check_details import check_detail
from dataledger.portal.verification import CheckLine
from dataledger.registry.certificate_verifier import Check
from tests.portal.conftest import Portal

CJK = re.compile(r"[\u4e00-\u9fff]")


def details(page: httpx.Response) -> dict[str, str]:
    """Each check's detail as the page shows it (tags and entities taken out)."""
    rows = re.findall(
        r'data-check="([a-z-]+)" data-result="[a-z-]+">.*?data-testid="check-detail">(.*?)</td>',
        page.text,
        flags=re.S,
    )
    return {name: html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for name, cell in rows}


def verify(portal: Portal, vc: dict[str, Any], lang: str) -> httpx.Response:
    number = vc["credentialSubject"]["certificateNumber"]
    return httpx.get(f"{portal.url}/verify", params={"number": number, "lang": lang}, timeout=30)


def test_a_chinese_reader_sees_every_check_of_a_valid_certificate_in_chinese(portal: Portal) -> None:
    vc = portal.story.valid
    shown = details(verify(portal, vc, "zh"))
    assert list(shown) == [check.value for check in Check]
    assert shown["structure"] == f"证书 {vc['credentialSubject']['certificateNumber']} 结构完整"
    assert shown["proof-signature"] == "ecdsa-jcs-2019 签名验证通过"
    assert shown["asset-not-revoked"] == "该资产处于已发证状态，持有人与证书一致"
    assert shown["chain-transaction"] == (
        f"登记事件见于交易 {vc['credentialSubject']['chainEvidence']['txHash']}"
    )
    assert shown["validity-period"].startswith("于 ") and "(UTC+8)" in shown["validity-period"]
    for name, text in shown.items():
        assert CJK.search(text), (name, text)
        assert "verified" not in text and "certified" not in text, (name, text)


def test_an_english_reader_sees_them_in_english(portal: Portal) -> None:
    shown = details(verify(portal, portal.story.valid, "en"))
    assert shown["proof-signature"] == "The ecdsa-jcs-2019 signature verifies"
    assert shown["asset-not-revoked"] == "The asset is certified to the certificate's holder"
    assert shown["validity-period"].startswith("Within its validity period at ")
    assert not any(CJK.search(text) for text in shown.values())


@pytest.mark.parametrize(
    ("story", "check", "zh", "en"),
    [
        ("revoked", "asset-not-revoked", "该资产的登记已被撤销", "The asset's registration is revoked"),
        (
            "superseded",
            "certificate-current",
            "此证书已被另一证书替代（0x",
            "This certificate is superseded by another (0x",
        ),
    ],
)
def test_a_failed_checks_reason_is_in_the_readers_language(
    portal: Portal, story: str, check: str, zh: str, en: str
) -> None:
    vc = getattr(portal.story, story)
    assert details(verify(portal, vc, "zh"))[check].startswith(zh)
    assert details(verify(portal, vc, "en"))[check].startswith(en)


def test_a_tampered_certificates_signature_failure_is_explained_in_both_languages(portal: Portal) -> None:
    tampered = copy.deepcopy(portal.story.valid)
    tampered["credentialSubject"]["asset"]["name"] = "Someone else's dataset"
    for lang, expected in (
        ("zh", "签名验证不通过：证书内容在签发后被改动过"),
        ("en", "The signature does not verify: the certificate was changed after it was signed"),
    ):
        page = httpx.post(
            f"{portal.url}/verify",
            params={"lang": lang},
            data={"certificate": json.dumps(tampered)},
            timeout=30,
        )
        assert details(page)["proof-signature"] == expected


def test_every_reason_the_verifier_gives_the_story_has_its_words_in_the_catalogue(portal: Portal) -> None:
    """Drift guard: the verifier's reasons for a valid, a revoked, a superseded and a tampered
    certificate all have catalogue keys, with every value they name (none falls back to a general
    sentence)."""
    tampered = copy.deepcopy(portal.story.valid)
    tampered["credentialSubject"]["holder"]["name"] = "Mallory"
    documents: list[dict[str, Any]] = [
        portal.story.valid,
        portal.story.revoked,
        portal.story.superseded,
        portal.story.successor,
        tampered,
    ]
    for vc in documents:
        for result in portal.services.verifier.verify(vc).checks:
            outcome = "passed" if result.passed else "failed"
            line = CheckLine(result.name, outcome, result.detail, result.reason, result.values)
            for lang in ("zh", "en"):
                shown = check_detail(line, lang)
                assert shown.exact, (result.name, result.detail)
                assert "{" not in shown.text, shown.text


@pytest.mark.parametrize(
    ("check", "detail", "reason", "values", "zh", "en"),
    [
        (
            "validity-period",
            "expired at 2026-01-31T16:00:00+00:00",
            "validity.expired",
            {"moment": "2026-01-31T16:00:00+00:00"},
            "已于 2026年2月1日 00:00:00 (UTC+8) 到期",
            "Expired at 1 Feb 2026, 00:00:00 (UTC+8)",
        ),
        (
            "chain-event-matches",
            "the on-chain event differs in: holder, content hash, log index",
            "event.differs",
            {"fields": "holder,content_hash,log_index"},
            "链上事件与证书不一致之处：持有人、内容哈希、日志序号",
            "The on-chain event differs in: holder, content hash, log index",
        ),
        (
            "chain-transaction",
            "certificate names chain 1, the reader is on chain 31337",
            "transaction.chain",
            {"stated": "1", "actual": "31337"},
            "证书载明的链（1）不是本登记平台的链（31337）",
            "The certificate names chain 1; this registry is on chain 31337",
        ),
        (
            "format",
            "the registration number's check character does not match: mistyped?",
            "format.check_char",
            {},
            "登记编号的校验码不符，可能输错或被篡改",
            "The registration number's check character does not match: mistyped or altered",
        ),
    ],
)
def test_a_reasons_values_are_kept_and_written_as_the_reader_writes_them(
    check: str, detail: str, reason: str, values: dict[str, str], zh: str, en: str
) -> None:
    line = CheckLine(check, "failed", detail, reason, values)
    assert check_detail(line, "zh").text == zh
    assert check_detail(line, "en").text == en


def test_a_check_without_a_reason_is_its_general_sentence_with_the_verifiers_words() -> None:
    line = CheckLine("structure", "failed", "credentialSubject.asset has the wrong type")
    shown = check_detail(line, "zh")
    assert (shown.text, shown.exact) == ("文件不是结构完整的登记证书", False)
    assert shown.original == "credentialSubject.asset has the wrong type"


def test_a_reason_the_catalogue_does_not_know_is_its_checks_general_sentence() -> None:
    line = CheckLine("proof-signature", "failed", "a new way to fail", "signature.from_the_future", {})
    shown = check_detail(line, "en")
    assert (shown.text, shown.exact, shown.original) == (
        "The signature does not verify",
        False,
        "a new way to fail",
    )
