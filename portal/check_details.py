"""The verifier's detail of each check, in the reader's language.

The registry's verifier (the one the API runs) states each check's outcome in English words with the
values it checked (``expired at 2026-…``, ``the on-chain event differs in: holder, content hash``). The
page reads those words back into a catalogue key and its values, here, so that a Chinese reader sees
Chinese; the API's report keeps the verifier's words. A detail no pattern knows (a malformed document
says what is wrong with it in many ways) is shown as its check's general sentence, with the verifier's
own words beside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

from dataledger.portal.i18n import catalogue, format_datetime

# The fields the chain-event check compares, as the verifier names them, and their catalogue keys.
_EVENT_FIELDS = MappingProxyType(
    {
        "asset id": "detail.field.asset_id",
        "holder": "detail.field.holder",
        "content hash": "detail.field.content_hash",
        "metadata hash": "detail.field.metadata_hash",
        "transaction": "detail.field.transaction",
        "block number": "detail.field.block_number",
        "log index": "detail.field.log_index",
    }
)

# (check, what the verifier says, the catalogue key): the verifier's sentences, passed and failed.
_SENTENCES: tuple[tuple[str, str, str], ...] = (
    ("structure", r"certificate (?P<number>\S+)", "detail.structure.passed"),
    ("format", r"registration number (?P<number>\S+): check character verified", "detail.format.passed"),
    ("format", r"certificate number (?P<number>\S+); no registration number stated", "detail.format.no_rn"),
    ("format", r"not a certificate number .*", "detail.format.certificate_number"),
    ("format", r"a certificate number's year or month is out of range", "detail.format.certificate_number"),
    ("format", r"a certificate serial runs from .*", "detail.format.certificate_number"),
    ("format", r"not a registration number .*", "detail.format.registration_number"),
    ("format", r"a registration number's year is out of range", "detail.format.registration_number"),
    ("format", r"a registration serial runs from .*", "detail.format.registration_number"),
    ("format", r"the registration number's check character does not match.*", "detail.format.check_char"),
    ("format", r"an institution code is six digits", "detail.format.registration_number"),
    ("issuer-trusted", r"issued by trusted registrar (?P<did>\S+)", "detail.issuer.passed"),
    ("issuer-trusted", r"(?P<did>\S+) is not a trusted registrar", "detail.issuer.unknown"),
    (
        "issuer-trusted",
        r"the proof's verification method does not belong to the issuer",
        "detail.issuer.method",
    ),
    ("proof-signature", r"ecdsa-jcs-2019 signature verified", "detail.signature.passed"),
    ("proof-signature", r"the signature does not verify", "detail.signature.bad"),
    ("proof-signature", r"the document has no single proof object", "detail.signature.no_proof"),
    ("proof-signature", r"(proof type|cryptosuite|proof purpose) must be .*", "detail.signature.suite"),
    ("proof-signature", r"proofValue is not base58-btc multibase", "detail.signature.value"),
    ("proof-signature", r"the document @context does not start with .*", "detail.signature.context"),
    ("proof-signature", r"the document cannot be canonicalised.*", "detail.signature.canonical"),
    ("validity-period", r"valid at (?P<moment>\S+)", "detail.validity.passed"),
    ("validity-period", r"not valid before (?P<moment>\S+)", "detail.validity.before"),
    ("validity-period", r"expired at (?P<moment>\S+)", "detail.validity.expired"),
    ("chain-transaction", r"AssetRegistered in transaction (?P<tx>\S+)", "detail.transaction.passed"),
    (
        "chain-transaction",
        r"certificate names chain (?P<stated>\d+), the reader is on chain (?P<actual>\d+)",
        "detail.transaction.chain",
    ),
    (
        "chain-transaction",
        r"certificate names registry (?P<stated>\S+), not (?P<actual>\S+)",
        "detail.transaction.registry",
    ),
    ("chain-transaction", r"no AssetRegistered, .* in transaction (?P<tx>\S+)", "detail.transaction.none"),
    ("chain-event-matches", r"the on-chain event states the certificate's facts", "detail.event.passed"),
    ("chain-event-matches", r"the on-chain event differs in: (?P<fields>.+)", "detail.event.differs"),
    (
        "certificate-current",
        r"the asset's current certificate, recorded at (?P<timestamp>\d+)",
        "detail.current.passed",
    ),
    (
        "certificate-current",
        r"the certificate (?P<hash>\S+) is not recorded on the registry",
        "detail.current.not_anchored",
    ),
    (
        "certificate-current",
        r"the registry recorded this certificate for (?P<asset>\S+)",
        "detail.current.other_asset",
    ),
    (
        "certificate-current",
        r"the certificate is superseded by certificate (?P<hash>\S+)",
        "detail.current.superseded",
    ),
    ("asset-not-revoked", r"the asset is certified to the certificate's holder", "detail.asset.passed"),
    ("asset-not-revoked", r"the asset is not on the registry", "detail.asset.unknown"),
    ("asset-not-revoked", r"the asset's registration is revoked", "detail.asset.revoked"),
    ("asset-not-revoked", r"the asset's registration is cancelled by its holder", "detail.asset.cancelled"),
    ("asset-not-revoked", r"the asset is (?P<status>[a-z_-]+), not certified", "detail.asset.status"),
    (
        "asset-not-revoked",
        r"the asset is now held by (?P<holder>\S+), not the certificate's holder",
        "detail.asset.holder",
    ),
)
_PATTERNS = tuple((check, re.compile(sentence), key) for check, sentence, key in _SENTENCES)


@dataclass(frozen=True, slots=True)
class CheckDetail:
    """A check's detail as a reader sees it: ``text`` in their language; ``original`` the verifier's
    words, ``exact`` whether ``text`` says all of them (else it is the check's general sentence)."""

    text: str
    original: str
    exact: bool


def check_detail(check: str, result: str, detail: str, lang: str) -> CheckDetail:
    """The detail of ``check`` (``passed`` or ``failed``) in ``lang``."""
    texts = catalogue()
    if not detail:
        return CheckDetail("", "", True)
    for name, pattern, key in _PATTERNS:
        found = pattern.fullmatch(detail) if name == check else None
        if found is not None:
            params = {name: _value(name, value, lang) for name, value in found.groupdict().items()}
            return CheckDetail(texts.text(key, lang, **params), detail, True)
    general = f"detail.{check}.{result}"
    if general not in texts:
        return CheckDetail(detail, detail, False)
    return CheckDetail(texts.text(general, lang), detail, False)


def _value(name: str, value: str, lang: str) -> str:
    """A value the verifier stated, as the reader writes it (times in China Standard Time)."""
    return _FORMATS.get(name, lambda raw, _: raw)(value, lang)


def _moment(raw: str, lang: str) -> str:
    try:
        return format_datetime(datetime.fromisoformat(raw), lang)
    except ValueError:
        return raw


def _timestamp(raw: str, lang: str) -> str:
    return format_datetime(datetime.fromtimestamp(int(raw), UTC), lang)


def _fields(raw: str, lang: str) -> str:
    texts = catalogue()
    names = [part.strip() for part in raw.split(",")]
    separator = "、" if lang == "zh" else ", "
    return separator.join(
        texts.text(_EVENT_FIELDS[name], lang) if name in _EVENT_FIELDS else name for name in names
    )


def _status(raw: str, lang: str) -> str:
    key = f"status.{raw}"
    return catalogue().text(key, lang) if key in catalogue() else raw


_FORMATS: Mapping[str, Callable[[str, str], str]] = MappingProxyType(
    {"moment": _moment, "timestamp": _timestamp, "fields": _fields, "status": _status}
)
