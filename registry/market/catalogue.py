"""The public catalogue: a search over listed products by text (Chinese and English), filters, facets
and pages, as a query object the stores answer.

Text is normalised (NFKC, lower case) and split on white space into terms; a product matches when it
matches every term. A term of three characters or more in a Latin (or any non-CJK) script made of
letters and digits, or of such words joined by hyphens or dots (``forecasting``, ``de-identified``,
``5.0``), is a *word term*: it matches the listings with a word that starts with it (``forecast`` finds
"forecasting", not "broadcast"), its parts as consecutive words with the last one a prefix
(``de-identified`` finds "de-identified" and "de identified"), as catalogue users expect, off the
stores' word indexes (SQLite FTS5 ``unicode61``; PostgreSQL the text's words one space apart under a
trigram index), far cheaper to read than a trigram phrase over the whole text. Every other term
of three characters or more (Chinese, or with other punctuation: ``c++``, ``a/b``) is found anywhere
in a listing's text by the stores' trigram indexes (SQLite FTS5 ``trigram``, PostgreSQL ``pg_trgm``).
A trigram index cannot look up a shorter term, and Chinese searches are often one or two characters
(气象, 医疗, 港): such a term is looked up in a second index of *short terms*, built from the
listing's title, subtitle, category and industry only, where every run of CJK characters contributes
its single characters and its pairs and every other word itself (:func:`short_terms`). A short query
thus finds the products whose headline names it, not every description that happens to contain the
character.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from dataledger.registry.errors import ValidationFailed
from dataledger.registry.market.listings import ListingContent, ProductForm, bounded_text, choice

MAX_QUERY = 200
MAX_TERMS = 8
MAX_PAGE = 100
MAX_OFFSET = 10_000
# A text search counts (for its total and facets) at most this many matches; a broader one reports
# "at least" as many, and its facet counts are lower bounds: counting every match of a word found in a
# third of a large catalogue costs more than the whole page, and tells a buyer nothing a "2,000+" does not.
COUNT_LIMIT = 2_000
TRIGRAM = 3
_CJK = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af\U00020000-\U0002ffff]+"
)
_WORD = re.compile(r"\w+", re.UNICODE)
# A word as the word indexes cut text (letters and digits), and a word term: words joined by - or .
_TOKEN = re.compile(r"[^\W_]+")
_WORD_TERM = re.compile(r"[^\W_]+(?:[-.][^\W_]+)*")
# Terms are separated by white space and punctuation (a hyphen or a dot inside a word stays: duty-free, 5.0)
_SEPARATORS = re.compile(r"[\s,;:!?\"'()\[\]{}，。；：！？“”‘’（）【】、《》]+|\.(?!\w)")


class CatalogueSort(enum.StrEnum):
    RELEVANCE = "relevance"  # by text match; newest first without text
    NEWEST = "newest"
    PRICE_ASC = "price-asc"
    PRICE_DESC = "price-desc"


def normalise(text: str) -> str:
    """Text as the indexes hold it and queries are matched: NFKC (full-width forms folded), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def is_word_term(term: str) -> bool:
    """Whether a normalised term is looked up by words (see the module docstring), not as a substring."""
    return len(term) >= TRIGRAM and _CJK.search(term) is None and _WORD_TERM.fullmatch(term) is not None


def words(text: str) -> list[str]:
    """The words of a text as the word indexes cut it: runs of letters and digits."""
    return _TOKEN.findall(text)


@functools.lru_cache(maxsize=1024)
def _word_term_pattern(term: str) -> re.Pattern[str]:
    # The term's words at the start of a word of the text, apart by anything but letters and digits.
    return re.compile(r"(?<![^\W_])" + r"[\W_]+".join(re.escape(part) for part in words(term)))


def holds_word_term(text: str, term: str) -> bool:
    """Whether normalised ``text`` holds the word term ``term``: its words in a row, the last a prefix."""
    return _word_term_pattern(term).search(text) is not None


def short_terms(texts: Iterable[str]) -> list[str]:
    """The short terms of a listing's headline texts: each CJK character and each pair of adjacent
    CJK characters, and every other word (at most two characters of it matter to a short query)."""
    found: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall(normalise(text)):
            pieces = _CJK.split(word)
            for run in _CJK.findall(word):
                for i, char in enumerate(run):
                    found[char] = None
                    if i + 1 < len(run):
                        found[run[i : i + 2]] = None
            for piece in pieces:
                if piece:
                    found[piece] = None
    return list(found)


@dataclass(frozen=True, slots=True)
class CatalogueQuery:
    """A catalogue search, valid by construction."""

    text: str = ""
    category: str | None = None
    industry: str | None = None
    product_form: ProductForm | None = None
    exchange_id: str | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    sort: CatalogueSort = CatalogueSort.RELEVANCE
    limit: int = 20
    offset: int = 0
    long_terms: tuple[str, ...] = field(init=False, default=())
    short_terms: tuple[str, ...] = field(init=False, default=())
    word_terms: tuple[str, ...] = field(init=False, default=())  # the long terms matched as words
    substring_terms: tuple[str, ...] = field(init=False, default=())  # the others, as substrings

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        text = normalise(bounded_text(self.text, "q", MAX_QUERY))
        terms = list(dict.fromkeys(_terms(text)))
        if len(terms) > MAX_TERMS:
            raise ValidationFailed(f"a search has at most {MAX_TERMS} terms", field="q")
        set_(self, "text", text)
        set_(self, "long_terms", tuple(t for t in terms if len(t) >= TRIGRAM))
        set_(self, "short_terms", tuple(t for t in terms if len(t) < TRIGRAM))
        set_(self, "word_terms", tuple(t for t in self.long_terms if is_word_term(t)))
        set_(self, "substring_terms", tuple(t for t in self.long_terms if not is_word_term(t)))
        if self.product_form is not None:
            set_(self, "product_form", choice(ProductForm, self.product_form, "productForm"))
        set_(self, "sort", choice(CatalogueSort, self.sort, "sort"))
        if not 1 <= self.limit <= MAX_PAGE:
            raise ValidationFailed(f"limit must be 1 to {MAX_PAGE}", field="limit")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise ValidationFailed(f"offset must be 0 to {MAX_OFFSET}; narrow the search", field="offset")
        for name in ("price_min", "price_max"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValidationFailed(f"{name} must not be negative", field=name)
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise ValidationFailed("priceMin is above priceMax", field="priceMin")

    def title_holds_text(self, title: str) -> bool:
        """Whether a normalised title holds every long term, as the search matches it (the first
        relevance tier); short terms do not rank."""
        return all(t in title for t in self.substring_terms) and all(
            holds_word_term(title, t) for t in self.word_terms
        )

    @property
    def has_text(self) -> bool:
        return bool(self.long_terms or self.short_terms)

    @property
    def price_min_minor(self) -> int | None:
        return None if self.price_min is None else int(self.price_min * 100)

    @property
    def price_max_minor(self) -> int | None:
        return None if self.price_max is None else int(self.price_max * 100)


def _terms(text: str) -> list[str]:
    """White-space separated terms; a term is kept whole (a trigram search finds it as a substring)."""
    return [t for t in _SEPARATORS.split(text) if t]


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str
    count: int
    label: str | None = None  # an exchange's name

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"value": self.value, "count": self.count}
        if self.label is not None:
            data["label"] = self.label
        return data


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One listed product as the catalogue shows it."""

    listing_id: str
    asset_id: str
    exchange_id: str
    exchange_name: str
    content: ListingContent
    certificate_number: str | None
    listed_at: datetime
    registration_number: str | None = None  # the asset's (see Listing.registration_number)

    def as_json(self) -> dict[str, Any]:
        content = self.content
        return {
            "listingId": self.listing_id,
            "assetId": self.asset_id,
            "registrationNumber": self.registration_number,
            "certificateNumber": self.certificate_number,
            "exchange": {"id": self.exchange_id, "name": self.exchange_name},
            "title": content.title,
            "subtitle": content.subtitle,
            "productForm": content.product_form.value,
            "category": content.category,
            "industry": content.industry,
            "updateFrequency": content.update_frequency.value,
            "containsPersonalData": content.personal_data.contains_personal_data,
            "price": content.price.as_json(),
            "listedAt": self.listed_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class CataloguePage:
    """One page of matches, the total, and the facets of every match (not only of the page).

    ``total_exact`` is false when a text search stopped counting at ``COUNT_LIMIT``: then ``total`` is a
    lower bound, and so is each facet count."""

    items: Sequence[CatalogueEntry]
    total: int
    total_exact: bool
    categories: Sequence[FacetCount]
    product_forms: Sequence[FacetCount]
    exchanges: Sequence[FacetCount]
