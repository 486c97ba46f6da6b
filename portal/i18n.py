"""The one message catalogue of the portal, and the choice of language for a request.

Every human text of the pages and of the PDF certificate comes from ``messages/catalogue.json``: one
entry per key, with its Simplified Chinese and English text side by side, so a key cannot lack a
language without the catalogue refusing to load. Chinese is the default; a reader chooses English by
``Accept-Language`` or by the page's switch (``?lang=en``, remembered in a cookie).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from types import MappingProxyType

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import get_timezone

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LANGUAGE_COOKIE = "lang"
MESSAGES = Path(__file__).parent / "messages" / "catalogue.json"

# Babel's locales for the two languages; the registry's times are shown in China Standard Time.
_LOCALES: Mapping[str, Locale] = MappingProxyType(
    {"zh": Locale.parse("zh_Hans_CN"), "en": Locale.parse("en_GB")}
)
_TIME_ZONE = get_timezone("Asia/Shanghai")


class CatalogueError(ValueError):
    """The catalogue file is malformed: an entry lacks a language, or a text is empty."""


class UnknownMessage(KeyError):
    """A page asked for a key the catalogue does not hold."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Texts by key and language; valid by construction (every key has every language)."""

    messages: Mapping[str, Mapping[str, str]]

    def __post_init__(self) -> None:
        for key, texts in self.messages.items():
            missing = [lang for lang in LANGUAGES if not str(texts.get(lang, "")).strip()]
            if missing:
                raise CatalogueError(f"message {key!r} lacks {', '.join(missing)}")
            extra = set(texts) - set(LANGUAGES)
            if extra:
                raise CatalogueError(f"message {key!r} has unknown languages {sorted(extra)}")

    @classmethod
    def load(cls, path: Path = MESSAGES) -> Catalogue:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(MappingProxyType({key: MappingProxyType(dict(texts)) for key, texts in raw.items()}))

    def __contains__(self, key: object) -> bool:
        return key in self.messages

    def text(self, key: str, lang: str, /, **params: object) -> str:
        """The text of ``key`` in ``lang``, its ``{name}`` placeholders filled from ``params``."""
        try:
            template = self.messages[key][lang]
        except KeyError:
            raise UnknownMessage(f"no message {key!r} in {lang!r}") from None
        return template.format_map(params) if params else template


@cache
def catalogue() -> Catalogue:
    """The portal's catalogue, read once."""
    return Catalogue.load()


def _preferred(accept_language: str) -> list[str]:
    """The languages of an ``Accept-Language`` header, the most wanted first (RFC 9110 q-values)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if tag and tag != "*" and weight > 0:
            ranked.append((-weight, position, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(choice: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page's language: an explicit choice, else the remembered one, else the browser's, else Chinese."""
    for explicit in (choice, cookie):
        if explicit in LANGUAGES:
            return str(explicit)
    # Babel matches "en-US" to "en" and "zh-Hans-CN" to "zh" (the language part, case-insensitively).
    preferred = [tag.lower().replace("-", "_") for tag in _preferred(accept_language or "")]
    chosen = negotiate_locale(preferred, list(LANGUAGES))
    return chosen.split("_")[0] if chosen else DEFAULT_LANGUAGE


def format_datetime(moment: datetime, lang: str) -> str:
    """A moment as a reader of ``lang`` writes it, in China Standard Time."""
    return babel_format_datetime(moment, "medium", tzinfo=_TIME_ZONE, locale=_LOCALES[lang]) + (" (UTC+8)")


def format_date(moment: datetime, lang: str) -> str:
    """A day as a reader of ``lang`` writes it (``2026年11月30日``, ``30 November 2026``)."""
    return babel_format_date(moment.astimezone(_TIME_ZONE), "long", locale=_LOCALES[lang])
