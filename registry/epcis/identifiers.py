"""What may stand where an EPCIS event names a thing: an EPC URI, a GS1 Digital Link URI, or a private URI.

EPCIS 2.0 identifies objects, classes, locations and parties by URI. This registry accepts:

* **EPC URIs** (``urn:epc:id:``, ``urn:epc:class:``, ``urn:epc:idpat:``) that are valid under the GS1
  Tag Data Standard: those of a GS1 key must convert to a GS1 Digital Link URI (the conversion is the
  reference package's, so ``urn:epc:id:sgtin:bad`` is refused), the few schemes without a GS1 key
  (``gid``, ``usdod``, ``adi``, ``bic``, ``imovn``) must match their own grammar;
* **GS1 Digital Link URIs** on GS1's resolver (``https://id.gs1.org/...``), which must carry a valid key;
* other ``http``/``https`` URIs (a company's own identifiers) and other URNs, if they are well formed;
* ``geo:`` URIs (RFC 5870), for read points given as coordinates.

Any other scheme (``javascript:``, ``data:``, ``file:``...) is refused, and every identifier fits what
the lineage index stores (400 characters).
"""

from __future__ import annotations

import re

from dataledger.registry.epcis._digital_link import canonical_digital_link

MAX_IDENTIFIER_LENGTH = 400

_EPC_URN = re.compile(r"urn:epc:(id|class|idpat):([a-z0-9]+):(\S+)", re.ASCII)
# Tag Data Standard 2.1 grammars of the EPC schemes that carry no GS1 key (abridged to their characters).
_NON_GS1_SCHEMES = {
    "gid": re.compile(r"\d{1,9}\.\d{1,8}\.\d{1,11}", re.ASCII),
    "usdod": re.compile(r"[A-Z0-9 ]{5,6}\.\d{1,11}", re.ASCII),
    "adi": re.compile(r"[A-Z0-9]{5,6}\.[A-Z0-9/]*\.[#A-Z0-9/%-]+", re.ASCII),
    "bic": re.compile(r"[A-Z]{3}[JUZ]\d{7}", re.ASCII),
    "imovn": re.compile(r"\d{7}", re.ASCII),
}
# RFC 3986 characters: unreserved, reserved and percent-escapes; a host, then path, query, fragment.
_HTTP_URI = re.compile(
    r"https?://[A-Za-z0-9.\-]+(:\d{1,5})?(/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*)?"
    r"(\?[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*)?(#[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*)?",
    re.ASCII,
)
_URN = re.compile(r"urn:[A-Za-z0-9][A-Za-z0-9\-]{0,31}:[A-Za-z0-9()+,\-.:=@;$_!*'%/?#]+", re.ASCII)
_GEO = re.compile(r"geo:-?\d{1,3}(\.\d+)?,-?\d{1,3}(\.\d+)?(,-?\d+(\.\d+)?)?(;[A-Za-z0-9\-.=]+)*", re.ASCII)
_GS1_RESOLVER = re.compile(r"https://id\.gs1\.org/", re.ASCII)


def identifier_problem(value: object) -> str | None:
    """Why ``value`` cannot name an object, class, location or party in an event, or None if it can."""
    if not isinstance(value, str):
        return "must be a URI string"
    if len(value) > MAX_IDENTIFIER_LENGTH:
        return f"must be at most {MAX_IDENTIFIER_LENGTH} characters"
    epc = _EPC_URN.fullmatch(value)
    if epc is not None:
        return _epc_problem(value, epc.group(1), epc.group(2), epc.group(3))
    if value.startswith("urn:epc:"):
        return "is not an EPC URI (urn:epc:id|class|idpat:<scheme>:<fields>)"
    if value.startswith(("http://", "https://")):
        if _HTTP_URI.fullmatch(value) is None:
            return "is not a well-formed http(s) URI"
        if _GS1_RESOLVER.match(value) and canonical_digital_link(value) is None:
            return "is not a valid GS1 Digital Link URI (no valid GS1 key)"
        return None
    if value.startswith("urn:"):
        return None if _URN.fullmatch(value) else "is not a well-formed URN"
    if value.startswith("geo:"):
        return None if _GEO.fullmatch(value) else "is not a well-formed geo URI"
    return "must be an EPC URI, a GS1 Digital Link or http(s) URI, a URN or a geo URI"


def _epc_problem(value: str, kind: str, scheme: str, fields: str) -> str | None:
    grammar = _NON_GS1_SCHEMES.get(scheme)
    if grammar is not None:
        return None if kind == "id" and grammar.fullmatch(fields) else f"is not a valid {scheme} EPC URI"
    if canonical_digital_link(value) is None:
        return f"is not a valid EPC URI: its {scheme} fields do not form a GS1 key"
    return None
