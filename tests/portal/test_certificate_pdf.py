"""``/certificates/{number}.pdf``: the certificate a person recognises, in Chinese and English, whose QR
code leads back to its verification and whose attached VC verifies; the same VC gives the same bytes."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import httpx
import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from dataledger.portal import cjk_font
from dataledger.portal.certificate_pdf import attachment_name, key_fingerprint, render_certificate_pdf
from dataledger.portal.digital_link import unpack_certificate
from dataledger.portal.routes import certificates
from tests.portal.conftest import Portal
from tests.portal.story import HOLDER_NAME


def number_of(vc: dict[str, Any]) -> str:
    return str(vc["credentialSubject"]["certificateNumber"])


@pytest.fixture(scope="module")
def pdfs(portal: Portal) -> dict[str, bytes]:
    number = number_of(portal.story.valid)
    found = {}
    for lang in ("zh", "en"):
        response = httpx.get(f"{portal.url}/certificates/{number}.pdf", params={"lang": lang}, timeout=60)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        found[lang] = response.content
    return found


def text_of(pdf: bytes) -> str:
    """The page's text as pypdf reads it, spaces taken out.

    fpdf2 writes a CFF-based font (Noto CJK) with an embedded encoding CMap of two-byte codes, which
    pypdf reads one byte at a time (a NUL before each character, spaces between glyphs); PDFium and
    poppler read the same page cleanly, which :func:`test_a_pdf_reader_copies_the_text_as_printed`
    checks."""
    return re.sub(r"[\s\x00]+", "", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_certificate_states_its_facts_in_chinese_and_english(
    portal: Portal, pdfs: dict[str, bytes], lang: str
) -> None:
    vc = portal.story.valid
    subject = vc["credentialSubject"]
    text = text_of(pdfs[lang])
    expected = [
        "数据知识产权登记证书",
        "DataIntellectualPropertyRegistrationCertificate",
        number_of(vc),
        re.sub(r"\s+", "", HOLDER_NAME),
        re.sub(r"\s+", "", subject["asset"]["name"]),
        "数据资源持有权",
        "Dataresourceholding",
        "登记机构",
        "Registrationinstitution",
        subject["chainEvidence"]["txHash"],
        subject["asset"]["contentHash"],
        re.sub(r"\s+", "", key_fingerprint(vc["issuer"]["id"])),
        "扫码验证",
        "Scantoverify",
    ]
    assert [phrase for phrase in expected if phrase not in text] == []
    first, second = (
        ("数据知识产权登记证书", "DataIntellectual") if lang == "zh" else ("DataIntellectual", "数据知识产权")
    )
    assert text.index(first) < text.index(second)


def test_a_pdf_reader_copies_the_text_as_printed(portal: Portal, pdfs: dict[str, bytes]) -> None:
    text = pypdfium2.PdfDocument(pdfs["zh"])[0].get_textpage().get_text_range()
    lines = text.splitlines()
    assert lines[:3] == [
        f"证书编号 Certificate No.: {number_of(portal.story.valid)}",
        "数据知识产权登记证书",
        "Data Intellectual Property Registration Certificate",
    ]
    assert HOLDER_NAME in lines


def test_the_certificate_shows_the_registration_number_beside_the_asset_id(
    portal: Portal, pdfs: dict[str, bytes]
) -> None:
    subject = portal.story.valid["credentialSubject"]
    text = pypdfium2.PdfDocument(pdfs["zh"])[0].get_textpage().get_text_range()
    assert "登记编号" in text and "Registration No." in text
    assert subject["registrationNumber"] in text
    assert "资产标识" in text and "Asset ID" in text
    flat = text_of(pdfs["zh"])
    assert flat.index(subject["registrationNumber"]) < flat.index(subject["asset"]["assetId"])


def test_the_qr_code_decodes_to_the_resolver_with_the_certificate_in_its_fragment(
    portal: Portal, pdfs: dict[str, bytes]
) -> None:
    image = pypdfium2.PdfDocument(pdfs["zh"])[0].render(scale=3).to_pil()
    (code,) = zxingcpp.read_barcodes(image)
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    resolver, _, fragment = code.text.partition("#vc=")
    number = number_of(portal.story.valid)
    assert resolver == f"{portal.url}/c/{number}"
    assert unpack_certificate(fragment) == portal.story.valid
    redirect = httpx.get(resolver, timeout=30)
    assert (redirect.status_code, redirect.headers["location"]) == (
        307,
        f"{portal.url}/verify?number={number}",
    )


def test_the_attached_vc_verifies_through_the_api(portal: Portal, pdfs: dict[str, bytes]) -> None:
    vc = portal.story.valid
    attachments = PdfReader(io.BytesIO(pdfs["en"])).attachments
    assert list(attachments) == [attachment_name(number_of(vc))]
    (content,) = attachments[attachment_name(number_of(vc))]
    attached = json.loads(content)
    assert attached == vc
    report = httpx.post(f"{portal.url}/v1/certificates/verify", json=attached, timeout=30).json()
    assert report["valid"] is True and report["status"] == "valid"


def test_the_same_vc_gives_the_same_bytes(portal: Portal, pdfs: dict[str, bytes]) -> None:
    vc = portal.story.valid
    again = render_certificate_pdf(vc, base_url=portal.url + "/", lang="zh")
    assert again == pdfs["zh"]
    assert render_certificate_pdf(vc, base_url=portal.url + "/", lang="en") == pdfs["en"]
    created = PdfReader(io.BytesIO(again)).metadata
    assert created is not None and created.creation_date is not None
    assert created.creation_date.isoformat().startswith(vc["validFrom"][:19])


def test_a_pdf_asked_for_again_is_the_one_rendered_before(portal: Portal, pdfs: dict[str, bytes]) -> None:
    number = number_of(portal.story.valid)
    hits = certificates._rendered.cache_info().hits
    again = httpx.get(
        f"{portal.url}/certificates/{number}.pdf", headers={"Accept-Language": "en"}, timeout=60
    )
    assert again.content == pdfs["en"]
    assert certificates._rendered.cache_info().hits == hits + 1


def test_an_unknown_certificate_has_no_pdf(portal: Portal) -> None:
    response = httpx.get(f"{portal.url}/certificates/DLC-2099-999999.pdf?lang=en", timeout=30)
    assert response.status_code == 404
    assert "No such certificate" in response.text


def test_without_a_cjk_font_the_certificate_says_which_package_to_install(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cjk_font, "CANDIDATES", (("/nonexistent/font.ttc", None),))
    cjk_font.cjk_fonts.cache_clear()
    certificates._rendered.cache_clear()  # PDFs already rendered are kept
    try:
        with pytest.raises(cjk_font.CjkFontMissing, match="fonts-noto-cjk"):
            cjk_font.cjk_fonts()
        number = number_of(portal.story.valid)
        response = httpx.get(f"{portal.url}/certificates/{number}.pdf?lang=en", timeout=30)
        assert response.status_code == 503
        assert "fonts-noto-cjk" in response.text
    finally:
        cjk_font.cjk_fonts.cache_clear()
