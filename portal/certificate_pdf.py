"""The registration certificate as a PDF a person recognises: the layout of the national unified
data-IP registration certificate, single-sided A4, in Chinese and English.

Number at the top right; the holder, the asset, the right claimed, the dates, the registration
institution, the chain evidence and the registrar key's fingerprint in the body; the QR code (the
resolver URL with the signed certificate in its fragment) bottom left; the registrar's seal and
signature block bottom right. The signed VC is embedded as a file attachment, so the PDF carries its
own machine-verifiable proof. The PDF is a function of the VC and the base URL only: its dates come
from the VC and fpdf2 derives the file id from the content, so the same VC gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fpdf import FPDF

from dataledger.portal.cjk_font import cjk_fonts
from dataledger.portal.digital_link import qr_code, qr_url
from dataledger.portal.i18n import LANGUAGES, catalogue, format_date
from dataledger.registry.canonical_fast import canonical_json_fast
from dataledger.registry.certificate import Certificate, parse_certificate
from dataledger.registry.registrar_keys import RegistrarPublicKey

SEAL_RED = (200, 16, 46)
INK = (27, 31, 36)
MUTED = (74, 83, 96)
FRAME = (140, 28, 19)
PAGE_W, PAGE_H = 210.0, 297.0
LEFT, RIGHT = 24.0, 186.0
LABEL_W = 48.0


def attachment_name(number: str) -> str:
    return f"{number}.vc.json"


def key_fingerprint(issuer_did: str) -> str:
    """SHA-256 of the registrar's public key (SubjectPublicKeyInfo DER), in groups of four hex digits."""
    pem = RegistrarPublicKey.from_did(issuer_did).to_pem()
    der = base64.b64decode("".join(line for line in pem.splitlines() if not line.startswith("-----")))
    digest = hashlib.sha256(der).hexdigest().upper()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


@dataclass(frozen=True, slots=True)
class _Texts:
    """The certificate's texts in its first language, with the other language beside each label."""

    lang: str

    @property
    def other(self) -> str:
        return next(language for language in LANGUAGES if language != self.lang)

    def __call__(self, key: str, lang: str | None = None, /, **params: object) -> str:
        return catalogue().text(key, lang or self.lang, **params)

    def both(self, key: str) -> tuple[str, str]:
        return self(key), self(key, self.other)


class _CertificatePdf(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        fonts = cjk_fonts()
        self.add_font("cjk", "", str(fonts.regular.path), collection_font_number=fonts.regular.index)
        self.add_font("cjk", "B", str(fonts.bold.path), collection_font_number=fonts.bold.index)
        self.set_auto_page_break(False)
        self.set_margins(LEFT, 20, PAGE_W - RIGHT)


def render_certificate_pdf(vc: Mapping[str, Any], *, base_url: str, lang: str = "zh") -> bytes:
    """The PDF of ``vc`` (a signed registration certificate), its first language ``lang``."""
    certificate = parse_certificate(vc)
    texts = _Texts(lang)
    issued = certificate.valid_from
    pdf = _CertificatePdf()
    pdf.set_creation_date(issued)
    pdf.set_title(f"{texts('pdf.title')} {certificate.number}")
    pdf.set_author(certificate.issuer_name)
    pdf.set_subject(texts("pdf.title", "en" if lang == "zh" else "zh"))
    pdf.set_lang("zh-CN" if lang == "zh" else "en")
    pdf.add_page()
    _frame(pdf)
    _heading(pdf, texts, certificate.number)
    _body(pdf, texts, certificate)
    _qr(pdf, texts, qr_url(base_url, vc))
    _seal(pdf, texts, certificate.issuer_name, issued)
    pdf.embed_file(
        bytes=canonical_json_fast(dict(vc)),
        basename=attachment_name(certificate.number),
        desc=texts("pdf.attachment"),
        mime_type="application/json",
        creation_date=issued,
        modification_date=issued,
    )
    return bytes(pdf.output())


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*FRAME)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, PAGE_W - 20, PAGE_H - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, PAGE_W - 26, PAGE_H - 26)


def _heading(pdf: FPDF, texts: _Texts, number: str) -> None:
    pdf.set_text_color(*MUTED)
    pdf.set_font("cjk", size=9)
    pdf.set_xy(LEFT, 20)
    label, other = texts.both("pdf.number")
    pdf.cell(RIGHT - LEFT, 5, f"{label} {other}: {number}", align="R")
    pdf.set_text_color(*FRAME)
    pdf.set_font("cjk", "B", size=24 if texts.lang == "zh" else 18)
    pdf.set_xy(LEFT, 34)
    pdf.cell(RIGHT - LEFT, 12, texts("pdf.title"), align="C")
    pdf.set_font("cjk", size=11)
    pdf.set_xy(LEFT, 47)
    pdf.cell(RIGHT - LEFT, 7, texts("pdf.title", texts.other), align="C")
    pdf.set_draw_color(*FRAME)
    pdf.set_line_width(0.4)
    pdf.line(LEFT, 58, RIGHT, 58)


def _rows(texts: _Texts, certificate: Certificate) -> list[tuple[str, str, str, bool]]:
    """(label, other language's label, value, monospaced) in the order of the national layout."""
    asset = certificate.facts.asset
    right = str(asset.get("right_claimed", ""))
    right_key = f"right.{right}"
    right_text = (
        f"{texts(right_key)} ({texts(right_key, texts.other)})" if right_key in catalogue() else right
    )
    evidence = certificate.evidence

    def dates(moment: datetime | None) -> str:
        if moment is None:
            return f"{texts('pdf.no_expiry')} ({texts('pdf.no_expiry', texts.other)})"
        return f"{format_date(moment, texts.lang)} ({format_date(moment, texts.other)})"

    rows = [
        ("pdf.holder", certificate.holder_name, False),
        ("pdf.holder_address", certificate.holder_address, True),
        ("pdf.asset", str(asset.get("name", "")), False),
    ]
    if certificate.registration_number is not None:  # certificates from before it name the asset id only
        rows.append(("pdf.registration_number", certificate.registration_number, True))
    rows += [
        ("pdf.asset_id", certificate.asset_id, True),
        ("pdf.right", right_text, False),
    ]
    if asset.get("industry"):
        rows.append(("pdf.industry", str(asset["industry"]), False))
    rows += [
        ("pdf.valid_from", dates(certificate.valid_from), False),
        ("pdf.valid_until", dates(certificate.valid_until), False),
        ("pdf.institution", certificate.issuer_name, False),
        ("pdf.content_hash", certificate.content_hash, True),
        (
            "pdf.evidence",
            texts(
                "pdf.evidence_value",
                chain=evidence.chain_id,
                contract=evidence.contract,
                block=evidence.block_number,
            ),
            False,
        ),
        ("pdf.tx", evidence.tx_hash, True),
        ("pdf.fingerprint", "SHA-256 " + key_fingerprint(certificate.issuer_did), True),
    ]
    return [(*texts.both(key), value, mono) for key, value, mono in rows]


def _body(pdf: FPDF, texts: _Texts, certificate: Certificate) -> None:
    y = 63.0
    value_w = RIGHT - LEFT - LABEL_W
    rows = _rows(texts, certificate)
    # A certificate with a registration number has one row more: closer rows keep the statement above
    # the QR code and the seal.
    gap = 1.7 if len(rows) < 14 else 1.0
    for label, other, value, mono in rows:
        pdf.set_xy(LEFT, y)
        pdf.set_text_color(*INK)
        pdf.set_font("cjk", "B", size=9.5)
        pdf.cell(LABEL_W, 4.6, label)
        pdf.set_xy(LEFT, y + 4.2)
        pdf.set_text_color(*MUTED)
        pdf.set_font("cjk", size=7)
        pdf.cell(LABEL_W, 3.6, other)
        pdf.set_text_color(*INK)
        pdf.set_font("courier" if mono else "cjk", size=7.2 if mono else 10)
        pdf.set_xy(LEFT + LABEL_W, y + (0.6 if mono else 0))
        pdf.multi_cell(value_w, 4.4, value, align="L", new_x="LMARGIN", new_y="NEXT")
        y = max(pdf.get_y(), y + 8.0) + gap
    pdf.set_xy(LEFT, y + 1.5)
    pdf.set_font("cjk", size=9.5)
    pdf.multi_cell(RIGHT - LEFT, 5, texts("pdf.statement"), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=7.5)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        RIGHT - LEFT, 4, texts("pdf.statement", texts.other), align="L", new_x="LMARGIN", new_y="NEXT"
    )


def _qr(pdf: FPDF, texts: _Texts, url: str) -> None:
    png = io.BytesIO()
    qr_code(url).save(png, kind="png", scale=4, border=2)
    size = 48.0
    x, y = LEFT - 2, PAGE_H - 24 - size - 8
    pdf.image(png, x=x, y=y, w=size, h=size)
    pdf.set_xy(x, y + size)
    pdf.set_text_color(*INK)
    pdf.set_font("cjk", size=8)
    label, other = texts.both("pdf.scan")
    pdf.cell(size, 5, f"{label} {other}", align="C")


def _seal(pdf: FPDF, texts: _Texts, institution: str, issued: datetime) -> None:
    """A round registrar's seal (name around the rim, a star in the middle) over the signature block."""
    cx, cy, radius = 158.0, PAGE_H - 62.0, 21.0
    pdf.set_draw_color(*SEAL_RED)
    pdf.set_fill_color(*SEAL_RED)
    pdf.set_text_color(*SEAL_RED)
    pdf.set_line_width(1.1)
    pdf.circle(x=cx, y=cy, radius=radius)
    pdf.star(x=cx, y=cy, r_in=2.6, r_out=6.6, corners=5, rotate_degrees=-90, style="F")
    _rim_text(pdf, institution, cx, cy, radius - 4.4)
    pdf.set_font("cjk", "B", size=7)
    pdf.set_xy(cx - 15, cy + 8)
    pdf.cell(30, 4, texts("pdf.signature", "zh"), align="C")  # a seal's own words: Chinese, as cut
    pdf.set_text_color(*INK)
    pdf.set_font("cjk", size=9)
    pdf.set_xy(cx - 30, cy + radius + 3)
    label, other = texts.both("pdf.seal")
    pdf.cell(60, 5, label, align="C")
    pdf.set_xy(cx - 30, cy + radius + 8)
    pdf.set_font("cjk", size=7.5)
    pdf.cell(60, 4, other, align="C")
    pdf.set_xy(cx - 30, cy + radius + 13)
    pdf.set_font("cjk", size=9)
    pdf.cell(60, 5, format_date(issued, texts.lang), align="C")


def _rim_text(pdf: FPDF, text: str, cx: float, cy: float, radius: float) -> None:
    """``text`` along the upper rim of a circle, each character upright to the centre."""
    characters = list(text)[:28]
    size = 7.0 if len(characters) > 16 else 8.5
    pdf.set_font("cjk", "B", size=size)
    span = min(250.0, 14.0 * len(characters) if len(characters) > 1 else 0.0)
    step = span / max(1, len(characters) - 1)
    for i, character in enumerate(characters):
        angle = -span / 2 + i * step  # degrees from the top, clockwise
        rad = math.radians(angle)
        x = cx + radius * math.sin(rad)
        y = cy - radius * math.cos(rad)
        width = pdf.get_string_width(character)
        with pdf.rotation(-angle, x=x, y=y):
            pdf.text(x - width / 2, y + size * 0.35 / 2.83, character)
