"""Certificate links that resolve like GS1 Digital Link, and the QR code that carries one.

A certificate's QR code holds its resolver URL (``/c/{number}``) and, in the URL's fragment, the signed
certificate itself, compressed: ``#vc=`` + base64url(zlib(RFC 8785 JSON)). A browser never sends the
fragment to a server, so a phone can read and check the certificate offline, and online the resolver
answers 307 to the verification page, or ``?linkType=all`` with the linkset of every related page
(RFC 9264, with GS1 web vocabulary link types).
"""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import segno

from dataledger.registry.canonical_fast import canonical_json_fast
from dataledger.registry.json_input import loads

GS1 = "https://gs1.org/voc/"
# Link types of the GS1 web vocabulary that a certificate's resolver answers.
CERTIFICATION_INFO = "gs1:certificationInfo"
PRODUCT_INFO = "gs1:pip"
TRACEABILITY = "gs1:traceability"
DEFAULT_LINK = "gs1:defaultLink"
# The fragment's size bound when reading it back: a certificate compresses to a few kilobytes.
MAX_FRAGMENT_BYTES = 64 * 1024


_GTIN = re.compile(r"\d{8}|\d{12,14}")
# GS1 company prefixes are 6 to 12 digits long; which one a GTIN has is not written in it.
_COMPANY_PREFIX_LENGTHS = range(6, 13)
# Characters an EPC URI keeps as they are in a serial (EPC Tag Data Standard, GS1 AI encodable set).
_SERIAL_SAFE = "!'()*+,-.:;=_"


def gtin_is_valid(gtin: str) -> bool:
    """Whether ``gtin`` is a GTIN-8, -12, -13 or -14 whose check digit is right (GS1 mod-10)."""
    if not _GTIN.fullmatch(gtin):
        return False
    digits = [int(d) for d in gtin.zfill(14)]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:13]))
    return (10 - total % 10) % 10 == digits[13]


def sgtin_candidates(gtin: str, serial: str) -> list[str]:
    """The SGTIN EPC URIs a GS1 Digital Link ``/01/{gtin}/21/{serial}`` may stand for, one per possible
    company prefix length (the events name items by EPC URI; the resolver takes the one they know)."""
    return _candidates("urn:epc:id:sgtin", gtin, serial)


# GS1 AI (10), a batch or lot number: up to 20 characters of the AI encodable character set 82.
_LOT = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}")


def lot_is_valid(lot: str) -> bool:
    """Whether ``lot`` can be a GS1 batch/lot number (AI 10: 1 to 20 characters of set 82)."""
    return _LOT.fullmatch(lot) is not None


def lgtin_candidates(gtin: str, lot: str) -> list[str]:
    """The LGTIN class URIs a GS1 Digital Link ``/01/{gtin}/10/{lot}`` may stand for, one per possible
    company prefix length (the lineage names a lot by the class its items were commissioned in)."""
    return _candidates("urn:epc:class:lgtin", gtin, lot)


def _candidates(scheme: str, gtin: str, key: str) -> list[str]:
    """``scheme``'s URIs of ``gtin`` with ``key`` (a serial or a lot) for each company prefix length:
    first with the key escaped as the EPC Tag Data Standard writes it (``/`` as ``%2F``), then, for a key
    that escaping changes, as written: the lineage names a lot by its ILMD lot number, unescaped."""
    gtin14 = gtin.zfill(14)
    indicator, body = gtin14[0], gtin14[1:13]
    forms = dict.fromkeys((quote(key, safe=_SERIAL_SAFE), key))
    return [
        f"{scheme}:{body[:length]}.{indicator}{body[length:]}.{form}"
        for form in forms
        for length in _COMPANY_PREFIX_LENGTHS
    ]


def trace_path(node: str) -> str:
    return f"/trace/{quote(node, safe=':')}"


def resolver_path(number: str) -> str:
    return f"/c/{quote(number, safe='')}"


def verification_path(number: str) -> str:
    return f"/verify?number={quote(number, safe='')}"


def pack_certificate(vc: Mapping[str, Any]) -> str:
    """The certificate as a URL-fragment value: base64url (no padding) of its deflated canonical JSON."""
    packed = zlib.compress(canonical_json_fast(dict(vc)), level=9)
    return base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def unpack_certificate(value: str) -> dict[str, Any]:
    """The certificate a fragment value carries; ``ValueError`` when it carries none."""
    padded = value + "=" * (-len(value) % 4)
    packed = base64.urlsafe_b64decode(padded.encode("ascii"))
    inflater = zlib.decompressobj()
    raw = inflater.decompress(packed, MAX_FRAGMENT_BYTES)
    if inflater.unconsumed_tail:
        raise ValueError("the packed certificate is larger than a certificate can be")
    document = loads(raw)
    if not isinstance(document, dict):
        raise ValueError("the packed value is not a certificate")
    return document


def qr_url(base_url: str, vc: Mapping[str, Any]) -> str:
    """What a certificate's QR code holds: its resolver URL with the signed certificate in the fragment."""
    number = str(vc["credentialSubject"]["certificateNumber"])
    return f"{base_url.rstrip('/')}{resolver_path(number)}#vc={pack_certificate(vc)}"


def qr_code(content: str) -> segno.QRCode:
    """A QR code of ``content``, error correction M at least (segno raises it when the size allows)."""
    return segno.make_qr(content, error="m", boost_error=True)


def linkset(base_url: str, number: str, asset_id: str | None) -> dict[str, Any]:
    """Every page related to certificate ``number`` as an RFC 9264 linkset, GS1 link types as relations."""
    base = base_url.rstrip("/")
    links: dict[str, Any] = {
        "anchor": f"{base}{resolver_path(number)}",
        GS1 + "defaultLink": [{"href": f"{base}{verification_path(number)}", "type": "text/html"}],
        GS1 + "certificationInfo": [
            {"href": f"{base}{verification_path(number)}", "type": "text/html", "title": "verification"},
            {"href": f"{base}/certificates/{quote(number, safe='')}.pdf", "type": "application/pdf"},
            {"href": f"{base}/v1/certificates/{quote(number, safe='')}", "type": "application/json"},
        ],
    }
    if asset_id is not None:
        links[GS1 + "pip"] = [
            {"href": f"{base}/assets/{asset_id}", "type": "text/html", "title": "asset"},
            {"href": f"{base}/notices/{asset_id}", "type": "text/html", "title": "notice"},
        ]
        links[GS1 + "traceability"] = [
            {"href": f"{base}/v1/assets/{asset_id}/history", "type": "application/json", "title": "history"},
            {"href": f"{base}{trace_path('asset:' + asset_id)}", "type": "text/html", "title": "lineage"},
        ]
    return {"linkset": [links]}


def product_linkset(base_url: str, gtin: str, serial: str, item: str) -> dict[str, Any]:
    """The pages of a product instance (its GS1 Digital Link ``/01/{gtin}/21/{serial}``) as a linkset:
    the passenger's view of its journey by default, the full trace as its traceability link."""
    base = base_url.rstrip("/")
    journey = f"{base}{trace_path(item)}?view=journey"
    return {
        "linkset": [
            {
                "anchor": f"{base}/01/{gtin}/21/{quote(serial, safe='')}",
                GS1 + "defaultLink": [{"href": journey, "type": "text/html", "title": "journey"}],
                GS1 + "traceability": [
                    {"href": journey, "type": "text/html", "title": "journey"},
                    {"href": f"{base}{trace_path(item)}", "type": "text/html", "title": "trace"},
                ],
            }
        ]
    }


def lot_linkset(base_url: str, gtin: str, lot: str, lot_node: str) -> dict[str, Any]:
    """The pages of a product lot (its GS1 Digital Link ``/01/{gtin}/10/{lot}``) as a linkset: the
    lot's trace (every item commissioned in it, forward to where each went) by default."""
    base = base_url.rstrip("/")
    trace = f"{base}{trace_path(lot_node)}"
    return {
        "linkset": [
            {
                "anchor": f"{base}/01/{gtin}/10/{quote(lot, safe='')}",
                GS1 + "defaultLink": [{"href": trace, "type": "text/html", "title": "trace"}],
                GS1 + "traceability": [{"href": trace, "type": "text/html", "title": "trace"}],
            }
        ]
    }


def link_of(linkset_document: Mapping[str, Any], link_type: str) -> str | None:
    """The first link of ``link_type`` (``gs1:pip`` or its full IRI) in a linkset, for ``?linkType=``."""
    relation = GS1 + link_type.removeprefix("gs1:") if not link_type.startswith("http") else link_type
    links = linkset_document["linkset"][0].get(relation)
    return str(links[0]["href"]) if links else None
