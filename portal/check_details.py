"""The verifier's detail of each check, in the reader's language.

The registry's verifier (the one the API runs) states each check's outcome twice: in English words with
the values it checked (``expired at 2026-…``), and as a reason code with those values
(``validity.expired``, ``{"moment": "2026-…"}``). The page words the reason from the catalogue
(``detail.<reason>``), each value written as the reader writes it, so that a Chinese reader sees
Chinese; the API's report keeps both. A check without a reason (a malformed document says what is
wrong with it in many ways) is shown as its check's general sentence, with the verifier's own words
beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

from dataledger.portal.i18n import catalogue, format_datetime
from dataledger.portal.verification import CheckLine


@dataclass(frozen=True, slots=True)
class CheckDetail:
    """A check's detail as a reader sees it: ``text`` in their language; ``original`` the verifier's
    words, ``exact`` whether ``text`` says all of them (else it is the check's general sentence)."""

    text: str
    original: str
    exact: bool


def check_detail(line: CheckLine, lang: str) -> CheckDetail:
    """The detail of the check ``line`` in ``lang``."""
    texts = catalogue()
    if not line.detail:
        return CheckDetail("", "", True)
    key = f"detail.{line.reason}"
    if line.reason is not None and key in texts:
        values = {name: _value(name, value, lang) for name, value in line.values.items()}
        return CheckDetail(texts.text(key, lang, **values), line.detail, True)
    general = f"detail.{line.name}.{line.result}"
    if general not in texts:
        return CheckDetail(line.detail, line.detail, False)
    return CheckDetail(texts.text(general, lang), line.detail, False)


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
    """The fields the chain-event check names (``holder,content_hash``), each in the reader's words."""
    texts = catalogue()
    separator = "、" if lang == "zh" else ", "
    keys = (f"detail.field.{name}" for name in raw.split(","))
    return separator.join(texts.text(key, lang) if key in texts else key.rsplit(".", 1)[1] for key in keys)


def _status(raw: str, lang: str) -> str:
    key = f"status.{raw}"
    return catalogue().text(key, lang) if key in catalogue() else raw


_FORMATS: Mapping[str, Callable[[str, str], str]] = MappingProxyType(
    {"moment": _moment, "timestamp": _timestamp, "fields": _fields, "status": _status}
)
