"""The catalogue's search in SQL, on SQLite (FTS5) and PostgreSQL (pg_trgm): one page, the facets.

The search reads ``market_catalogue``, one small row per listing (its facet cell, price, normalised
title, whether it is visible), never the listings themselves but for the page's twenty rows:

- which listings match: word terms (Latin-script words, see
  :mod:`~dataledger.registry.market.catalogue`) match a word that starts with them; on SQLite they
  are prefix phrases (``"de-identified"*``) of an FTS5 ``MATCH`` on the ``unicode61`` table
  ``market_listing_words`` (columns title, body), on PostgreSQL ``LIKE '% de identified%'`` on the
  search text's words one space apart (``search_words``, :func:`word_line`). Other terms of three
  characters or more (Chinese) are found anywhere: on SQLite phrases of an FTS5 ``MATCH`` on the
  ``trigram`` table ``market_listing_text``, on PostgreSQL ``LIKE '%term%'`` on ``search_text``.
  Shorter terms are tokens of a ``MATCH`` on the short-terms table (SQLite) or an array containment
  (``@>``) on the short terms (PostgreSQL). On PostgreSQL one GIN index covers all these columns
  (trigrams for the texts), so that the terms of a search are intersected inside the index. On
  SQLite one full-text index drives the join (``CROSS JOIN``; the word index first, it is the
  cheapest), the others are ``IN`` conditions;
- the facets and the total: the matches' facet cells (an integer per category, product form and
  exchange), added up per facet. A text search reads at most
  :data:`~dataledger.registry.market.catalogue.COUNT_LIMIT` matches: a broad one (a word in a third
  of the catalogue) reports "at least" that many, its facet counts lower bounds, as large catalogues
  do, so that its cost does not grow with the catalogue. A search by filters alone (a browse) counts
  exactly, one ``GROUP BY`` over a covering index of (visible, cell, price): its category, product
  form and exchange are the set of cells that have them. On PostgreSQL a search with word terms first
  looks at the newest few hundred entries (:class:`_Density`): where its matches are dense there, it
  reads them newest first off the primary key (a GIN index would hand over its whole posting lists, a
  third of the catalogue, before the first row), checking each row with ``strpos``, otherwise off the
  index. The search text's words are a column of their own on PostgreSQL, so that a row is checked
  by a string search, not by parsing its text;
- the page: relevance puts the listings whose title matches the text first, then the others, each
  newest first. A narrow text search (fewer than ``COUNT_LIMIT`` matches) is paged from the one pass
  that counted it. A broad one reads each tier newest first off an index, as many rows as the page
  shows: on SQLite the titles' own full-text tables (``market_listing_title_words`` for word terms,
  ``market_listing_titles``, trigram, for the others) for tier one, an FTS5 ``NOT title : (…)`` for
  tier two, both handing out rowids in order (a search with both kinds of long terms tells the tiers
  apart with ``IN`` conditions on the titles' tables); on PostgreSQL a backward scan of the primary key
  where the tier is dense, the word or trigram indexes and a sort where it is sparse. Price orders sort
  the matches.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from dataledger.ledger.sql.market_tables import aware
from dataledger.registry.market.catalogue import (
    COUNT_LIMIT,
    CatalogueEntry,
    CataloguePage,
    CatalogueQuery,
    CatalogueSort,
    FacetCount,
    words,
)
from dataledger.registry.market.listings import ListingContent

_TEXT_FTS = "SELECT rowid AS seq FROM market_listing_text WHERE market_listing_text MATCH"
_TERMS_FTS = "SELECT rowid AS seq FROM market_listing_terms WHERE market_listing_terms MATCH"
_TITLES_FTS = "SELECT rowid AS seq FROM market_listing_titles WHERE market_listing_titles MATCH"
_WORDS_FTS = "SELECT rowid AS seq FROM market_listing_words WHERE market_listing_words MATCH"
_TITLE_WORDS_FTS = (
    "SELECT rowid AS seq FROM market_listing_title_words WHERE market_listing_title_words MATCH"
)

# The tokenizer of SQLite's word tables (case is folded by the normalisation already; diacritics are
# kept, as PostgreSQL's words keep them).
WORD_TOKENIZER = "unicode61 remove_diacritics 0"


def word_line(text: str) -> str:
    """A normalised text's words as PostgreSQL's words columns hold them (``search_words``,
    ``title_words``): one space apart, with a space at each end. A word term is then a LIKE of its words
    apart by single spaces after a space (``% de identified%``): a word that starts with the last one,
    right after the others; the trigram index answers it. The words are cut here, as
    :func:`~dataledger.registry.market.catalogue.words` cuts a query's, not by the database: a
    ``[[:alnum:]]`` of PostgreSQL follows the database's ctype, and under the plain C ctype only ASCII
    letters would make words ("café" would be "caf")."""
    return " " + " ".join(words(text)) + " "


def _phrases(terms: tuple[str, ...], prefix: bool = False) -> str:
    """An FTS5 query matching every term as a phrase (double quotes doubled inside), or as a phrase
    whose last word is a prefix."""
    star = "*" if prefix else ""
    return " AND ".join('"' + term.replace('"', '""') + '"' + star for term in terms)


def _word_like(term: str) -> str:
    """The LIKE pattern of a word term on the words columns (its words hold only letters and digits)."""
    return "% " + " ".join(words(term)) + "%"


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _word_needle(term: str) -> str:
    """What ``strpos`` looks for in the words columns: the LIKE pattern of :func:`_word_like` unwrapped."""
    return " " + " ".join(words(term))


@dataclass
class _Matches:
    """FROM and WHERE of the matching visible catalogue entries (alias ``c``), and their parameters.

    When the search has long terms, the relevance tiers: ``in_title``/``not_in_title`` restrict the
    matches to the entries whose title matches the text or not (PostgreSQL), ``title_source`` and
    ``rest_source`` are the FROM of each tier, the full-text index driving newest first (SQLite)."""

    source: str = "market_catalogue c"
    where: list[str] = field(default_factory=lambda: ["c.visible"])
    params: dict[str, Any] = field(default_factory=dict)
    order_column: str = "c.seq"  # the column whose descending order is newest first, cheapest
    in_title: str | None = None
    not_in_title: str | None = None
    title_source: str | None = None
    rest_source: str | None = None
    # PostgreSQL, walking newest first (:data:`_WALK`): the same conditions checked row by row with
    # ``strpos``, which no index answers but which costs a row a fifth less than a LIKE.
    walk_where: list[str] = field(default_factory=lambda: ["c.visible"])
    walk_in_title: str | None = None

    def add(self, condition: str, walk_condition: str | None = None) -> None:
        self.where.append(condition)
        self.walk_where.append(walk_condition or condition)

    def sql(self, select: str, *, source: str | None = None, extra: str | None = None) -> str:
        """SELECT ``select`` of the matches (and ``extra``) from ``source``: on the walk, with the
        walk's conditions (``extra`` is then :attr:`in_title` or :attr:`not_in_title`, checked as
        :attr:`walk_in_title`)."""
        if source == _WALK:
            if extra is not None:
                extra = self.walk_in_title if extra == self.in_title else f"NOT ({self.walk_in_title})"
            where = [*self.walk_where, *([extra] if extra else [])]
        else:
            where = [*self.where, *([extra] if extra else [])]
        return f"SELECT {select} FROM {source or self.source} WHERE {' AND '.join(where)}"

    @property
    def ranked(self) -> bool:
        """Whether the text can rank the matches (it has terms a title can hold)."""
        return self.in_title is not None or self.title_source is not None

    def tier(self, first: bool) -> tuple[str, str | None]:
        """The FROM and the extra condition of the title matches (``first``) or of the others."""
        if first:
            return (self.title_source, None) if self.title_source else (self.source, self.in_title)
        return (self.rest_source, None) if self.rest_source else (self.source, self.not_in_title)


def _driven(fts: str) -> str:
    return f"({fts}) t CROSS JOIN market_catalogue c ON c.seq = t.seq"


def _matches(conn: Connection, query: CatalogueQuery) -> _Matches:
    found = _Matches()
    if conn.dialect.name == "sqlite":
        _sqlite_text(query, found)
    else:
        titles, walk_titles = [], []
        for i, term in enumerate(query.substring_terms):
            found.add(f"c.search_text LIKE :long{i} ESCAPE '\\'", f"strpos(c.search_text, :term{i}) > 0")
            titles.append(f"c.title LIKE :long{i} ESCAPE '\\'")
            walk_titles.append(f"strpos(c.title, :term{i}) > 0")
            found.params[f"long{i}"], found.params[f"term{i}"] = _like(term), term
        for i, term in enumerate(query.word_terms):
            found.add(f"c.search_words LIKE :word{i}", f"strpos(c.search_words, :needle{i}) > 0")
            titles.append(f"c.title_words LIKE :word{i}")
            walk_titles.append(f"strpos(c.title_words, :needle{i}) > 0")
            found.params[f"word{i}"], found.params[f"needle{i}"] = _word_like(term), _word_needle(term)
        if titles:
            found.in_title = " AND ".join(titles)
            found.not_in_title = f"NOT ({found.in_title})"
            found.walk_in_title = " AND ".join(walk_titles)
        if query.short_terms:
            found.add("c.short_terms_array @> CAST(:short AS text[])")
            found.params["short"] = list(query.short_terms)
    cell_filters = {
        "category": query.category,
        "product_form": query.product_form.value if query.product_form else None,
        "exchange_id": query.exchange_id,
    }
    cell_filters = {column: value for column, value in cell_filters.items() if value is not None}
    found.params.update(cell_filters)
    if cell_filters and not query.has_text:
        # A browse: the cells of the category, product form and exchange, so that the browse index
        # answers it alone (a filter on the columns reads every row: 23 ms for a category at 100,000
        # listings on PostgreSQL, against about 1 ms this way).
        cells = "SELECT cell FROM market_facet_cells WHERE " + " AND ".join(
            f"{c} = :{c}" for c in cell_filters
        )
        postgres = conn.dialect.name == "postgresql"
        found.add(f"c.cell = ANY(ARRAY({cells}))" if postgres else f"c.cell IN ({cells})")
    else:
        for column in cell_filters:
            found.add(f"c.{column} = :{column}")
    if query.industry is not None:
        found.add("c.industry = :industry")
        found.params["industry"] = query.industry
    if query.price_min_minor is not None:
        found.add("c.price_minor >= :price_min")
        found.params["price_min"] = query.price_min_minor
    if query.price_max_minor is not None:
        found.add("c.price_minor <= :price_max")
        found.params["price_max"] = query.price_max_minor
    return found


def _sqlite_text(query: CatalogueQuery, found: _Matches) -> None:
    """The text conditions and relevance tiers of a search on SQLite. The first full-text index drives
    (CROSS JOIN keeps SQLite from running the MATCH once per row), and hands out its rowids in order:
    ORDER BY t.seq DESC reads no more matches than a page needs. The others are IN conditions."""
    sources = []
    word_terms, substring_terms = query.word_terms, query.substring_terms
    if word_terms:
        found.params["words"] = _phrases(word_terms, prefix=True)
        sources.append(f"{_WORDS_FTS} :words")
    if substring_terms:
        found.params["long"] = _phrases(substring_terms)
        sources.append(f"{_TEXT_FTS} :long")
    if query.short_terms:
        found.params["short"] = _phrases(query.short_terms)
        sources.append(f"{_TERMS_FTS} :short")
    if not sources:
        return
    driver, *others = sources
    found.source = _driven(driver)
    found.order_column = "t.seq"
    found.where.extend(f"c.seq IN ({other})" for other in others)
    if word_terms and substring_terms:  # rare: each tier is told apart by the titles' own tables
        found.in_title = f"c.seq IN ({_TITLE_WORDS_FTS} :words) AND c.seq IN ({_TITLES_FTS} :long)"
        found.not_in_title = f"NOT ({found.in_title})"
    elif word_terms:
        words_ = found.params["words"]
        found.params["rest"] = f"({words_}) NOT title : ({words_})"
        found.title_source = _driven(f"{_TITLE_WORDS_FTS} :words")
        found.rest_source = _driven(f"{_WORDS_FTS} :rest")
    elif substring_terms:
        long = found.params["long"]
        found.params["rest"] = f"({long}) NOT title : ({long})"
        found.title_source = _driven(f"{_TITLES_FTS} :long")
        found.rest_source = _driven(f"{_TEXT_FTS} :rest")


def _driver_rows(conn: Connection, sql: str, params: dict[str, Any]) -> Sequence[tuple[Any, ...]]:
    """The rows of a statement as the driver hands them over, plain tuples: the count pass reads up to
    ``COUNT_LIMIT`` rows, and making a ``Row`` of each cost a search more than a millisecond."""
    result = conn.execute(text(sql), params)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _seqs(conn: Connection, sql: str, params: dict[str, Any]) -> list[int]:
    return [int(seq) for seq in conn.execute(text(sql), params).scalars()]


_NEWEST = " ORDER BY {} DESC LIMIT :limit OFFSET :offset"


def _newest(found: _Matches, dense: bool, column: str | None = None) -> str:
    """The ORDER BY of a page newest first. On PostgreSQL matches are read newest first off the primary
    key only where they are ``dense``: a sparse or empty tier would read the whole table that way, so
    its order is ``seq + 0``, which no index gives: the planner then takes the trigram indexes and sorts
    the few rows they find."""
    column = column or found.order_column
    if column == "c.seq" and not dense:
        column = "c.seq + 0"
    return _NEWEST.format(column)


# The newest visible catalogue entries, read backwards off the primary key: the fence (OFFSET 0) keeps
# PostgreSQL from planning the conditions outside it on an index and sorting every match.
_WALK = "(SELECT * FROM market_catalogue WHERE visible ORDER BY seq DESC OFFSET 0) c"
_PROBE = 250  # the newest entries a text search on PostgreSQL first looks at
_WALK_SHARE = 0.15  # the share of them matching above which the count pass walks newest first
_WALK_ROWS = 5_000  # at most about this many entries are walked for the title matches of a page
# How PostgreSQL plans a text search, for its transaction, in one round trip. Plan each search for its
# own terms: a generic plan cannot tell a broad term (scan the primary key newest first) from a narrow
# one (the trigram index, then sort a few rows). Never scan the table for text: pg_trgm's estimates are
# coarse (a term in 6 % of the rows is taken for 17 %), and a scan that expects its 2,000 matches early
# reads a third of the table instead. A search reads a few thousand rows at most: starting parallel
# workers, or compiling it (JIT, which a disabled scan's cost would trigger), costs more than it saves.
_SEARCH_SETTINGS = text(
    "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
    " set_config('enable_seqscan', 'off', true), set_config('max_parallel_workers_per_gather', '0', true),"
    " set_config('jit', 'off', true)"
)


@dataclass(frozen=True, slots=True)
class _Density:
    """How dense a text search's matches are among the newest entries, on PostgreSQL: which tells
    reading them newest first off the primary key (dense: a few rows read per match, no index) from
    reading them off the word or trigram indexes (sparse). An index answers its whole posting lists
    before the first row: for a word in a third of the catalogue that costs more than the walk."""

    share: float  # of the newest entries that match
    titled_share: float  # of the newest entries that match in their title
    entries: int  # about how many entries the catalogue holds (its highest seq)

    @classmethod
    def probe(cls, conn: Connection, found: _Matches) -> _Density:
        newest = f"(SELECT * FROM market_catalogue WHERE visible ORDER BY seq DESC LIMIT {_PROBE}) c"
        titled = found.walk_in_title or "FALSE"
        entries = "(SELECT coalesce(max(seq), 0) FROM market_catalogue)"
        probe = f"SELECT count(*), count(*) FILTER (WHERE {titled}), {entries} FROM {newest}"
        matches, in_title, highest = conn.execute(
            text(f"{probe} WHERE {' AND '.join(found.walk_where)}"), found.params
        ).one()
        return cls(share=matches / _PROBE, titled_share=in_title / _PROBE, entries=int(highest))

    @property
    def walk(self) -> bool:
        """Whether the count pass reads the matches newest first off the primary key: when they are
        dense, and so many that the walk stops at ``COUNT_LIMIT`` within half the catalogue. Fewer
        matches would have it read the whole table, where the index hands them over for less."""
        return self.share >= _WALK_SHARE and self.share * self.entries >= 2 * COUNT_LIMIT

    def walks_titles(self, query: CatalogueQuery) -> bool:
        """Whether the title matches of the query's page are found walking a few thousand entries."""
        return self.titled_share * _WALK_ROWS >= query.offset + query.limit


def _page(conn: Connection, query: CatalogueQuery, found: _Matches, titles_dense: bool = True) -> list[int]:
    """The seqs of the page's listings, in the query's order, read off the indexes: for a search by
    filters alone, or a broad text search (at least ``COUNT_LIMIT`` matches, so dense enough to read
    newest first). ``titles_dense`` (PostgreSQL): whether the newest entries hold enough title matches
    (:class:`_Density`) that the first relevance tier is read newest first off the primary key."""
    window = {**found.params, "limit": query.limit, "offset": query.offset}
    if query.sort in (CatalogueSort.PRICE_ASC, CatalogueSort.PRICE_DESC):
        direction = "ASC" if query.sort is CatalogueSort.PRICE_ASC else "DESC"
        order = f" ORDER BY c.price_minor {direction}, c.seq DESC LIMIT :limit OFFSET :offset"
        return _seqs(conn, found.sql("c.seq") + order, window)
    if query.sort is not CatalogueSort.RELEVANCE or not found.ranked:
        return _seqs(conn, found.sql("c.seq") + _newest(found, True), window)
    # Title matches first (tier one), then the rest (tier two), each newest first.
    source, extra = found.tier(first=True)
    if titles_dense and conn.dialect.name == "postgresql":
        source = _WALK
    first = found.sql("c.seq", source=source, extra=extra)
    order = _newest(found, titles_dense, "t.seq" if found.title_source else None)
    page = _seqs(conn, first + order, window)
    if len(page) == query.limit:
        return page
    # Tier one ends on this page (it holds offset + len(page) listings) or before it: then it is
    # counted, no further than the offset (at most MAX_OFFSET rows).
    if page or query.offset == 0:
        in_title = query.offset + len(page)
    else:
        number = conn.execute(
            text(f"SELECT count(*) FROM ({first} LIMIT :offset) f"), {**found.params, "offset": query.offset}
        )
        in_title = int(number.scalar_one())
    source, extra = found.tier(first=False)
    rest = {**found.params, "limit": query.limit - len(page), "offset": max(0, query.offset - in_title)}
    order = _newest(found, True, "t.seq" if found.rest_source else None)
    return page + _seqs(conn, found.sql("c.seq", source=source, extra=extra) + order, rest)


@dataclass(frozen=True, slots=True)
class FacetCell:
    cell: int
    category: str
    product_form: str
    exchange_id: str
    exchange_name: str


class FacetCells:
    """The facet cells read so far: a cell never changes once made, so each is read once a process."""

    def __init__(self) -> None:
        self._known: dict[int, FacetCell] = {}

    def of(self, conn: Connection, cells: list[int]) -> list[FacetCell]:
        missing = [cell for cell in cells if cell not in self._known]
        if missing:
            marks = ", ".join(f":c{i}" for i in range(len(missing)))
            found = conn.execute(
                text(
                    "SELECT cell, category, product_form, exchange_id, exchange_name FROM market_facet_cells"
                    f" WHERE cell IN ({marks})"
                ),
                {f"c{i}": cell for i, cell in enumerate(missing)},
            )
            for row in found:
                self._known[int(row.cell)] = FacetCell(int(row.cell), *row[1:])
        return [self._known[cell] for cell in cells]


def search(conn: Connection, query: CatalogueQuery, cells: FacetCells | None = None) -> CataloguePage:
    """One page of the listings matching ``query``, the total and the facets of the matches (for a
    text search, of at most ``COUNT_LIMIT`` of them: then the total is a lower bound)."""
    cells = cells or FacetCells()
    found = _matches(conn, query)
    postgres = conn.dialect.name == "postgresql"
    if postgres and query.has_text:
        conn.execute(_SEARCH_SETTINGS)
    if query.has_text:
        # One pass reads at most COUNT_LIMIT matches (seq, facet cell, price, and whether the title
        # holds the text: PostgreSQL tells, SQLite hands the normalised title). When that is all of
        # them, the page is sorted from them here: no second pass over the matches. Only word terms
        # are probed: a Chinese term's trigram index answers even a dense one about as fast as a walk,
        # and the probe would cost every narrow search a round trip.
        density = _Density.probe(conn, found) if postgres and query.word_terms else None
        source = _WALK if density and density.walk else None
        if postgres:
            titled = (found.walk_in_title if source else found.in_title) or "FALSE"
            select = f"c.seq, c.cell, c.price_minor, ({titled}) AS titled"
        else:
            select = "c.seq, c.cell, c.price_minor, c.title"
        count = found.sql(select, source=source) + " LIMIT :count_limit"
        rows = _driver_rows(conn, count, {**found.params, "count_limit": COUNT_LIMIT})
        by_cell = dict(Counter(map(itemgetter(1), rows)))
        total, exact = len(rows), len(rows) < COUNT_LIMIT
        if exact:
            holds: Callable[[Any], Any] = itemgetter(3) if postgres else lambda row: _in_title(row[3], query)
            page = _page_of([_Match(row[0], row[2], bool(holds(row))) for row in rows], query)
        else:  # broad: the page is read off the indexes, newest first, each tier as dense as sampled
            if density is not None:
                titles_dense = density.walks_titles(query)
            else:  # a tenth of the matches hold the text in their title (PostgreSQL's plans only)
                titles_dense = postgres and sum(1 for row in rows if row[3]) * 10 >= len(rows)
            page = _page(conn, query, found, titles_dense=titles_dense)
    else:
        counts = conn.execute(
            text(f"SELECT cell, count(*) AS n FROM ({found.sql('c.cell')}) m GROUP BY cell"), found.params
        ).all()
        by_cell = {int(row.cell): int(row.n) for row in counts}
        total, exact = sum(by_cell.values()), True
        page = _page(conn, query, found)
    categories: Counter[str] = Counter()
    forms: Counter[str] = Counter()
    exchanges: Counter[tuple[str, str]] = Counter()
    for cell in cells.of(conn, list(by_cell)):
        n = by_cell[cell.cell]
        categories[cell.category] += n
        forms[cell.product_form] += n
        exchanges[(cell.exchange_id, cell.exchange_name)] += n
    return CataloguePage(
        items=_entries(conn, page),
        total=total,
        total_exact=exact,
        categories=_facet([(value, n, None) for value, n in categories.items()]),
        product_forms=_facet([(value, n, None) for value, n in forms.items()]),
        exchanges=_facet([(value, n, label) for (value, label), n in exchanges.items()]),
    )


def _in_title(title: str, query: CatalogueQuery) -> bool:
    """Whether a normalised title holds every long term (what the title indexes match)."""
    return query.title_holds_text(title)


@dataclass(frozen=True, slots=True)
class _Match:
    """A match as the count pass read it."""

    seq: int
    price_minor: int
    titled: bool  # its title holds the text (the first relevance tier)


def _page_of(matches: Sequence[_Match], query: CatalogueQuery) -> list[int]:
    """The page's seqs, in the query's order, from every match (a narrow search)."""
    if query.sort is CatalogueSort.PRICE_ASC:
        ordered = sorted(matches, key=lambda m: (m.price_minor, -m.seq))
    elif query.sort is CatalogueSort.PRICE_DESC:
        ordered = sorted(matches, key=lambda m: (-m.price_minor, -m.seq))
    elif query.sort is CatalogueSort.RELEVANCE and query.long_terms:  # title matches first
        ordered = sorted(matches, key=lambda m: (not m.titled, -m.seq))
    else:
        ordered = sorted(matches, key=lambda m: -m.seq)
    return [int(m.seq) for m in ordered[query.offset : query.offset + query.limit]]


def _facet(counts: list[tuple[str, int, str | None]]) -> list[FacetCount]:
    return sorted((FacetCount(v, n, label) for v, n, label in counts), key=lambda c: (-c.count, c.value))


def _entries(conn: Connection, seqs: list[int]) -> list[CatalogueEntry]:
    """The catalogue entries of listings ``seqs``, in that order."""
    if not seqs:
        return []
    marks = ", ".join(f":s{i}" for i in range(len(seqs)))
    found = conn.execute(
        text(
            "SELECT l.seq, l.listing_id, l.asset_id, l.exchange_id, l.exchange_name, l.content_json,"
            " l.certificate_number, l.listed_at, a.registration_number FROM market_listings l"
            f" LEFT JOIN assets a ON a.asset_id = l.asset_id WHERE l.seq IN ({marks})"
        ),
        {f"s{i}": seq for i, seq in enumerate(seqs)},
    ).all()
    by_seq = {row.seq: row for row in found}
    return [
        CatalogueEntry(
            listing_id=row.listing_id,
            asset_id=row.asset_id,
            exchange_id=row.exchange_id,
            exchange_name=row.exchange_name,
            content=ListingContent.from_json(json.loads(row.content_json)),
            certificate_number=row.certificate_number,
            listed_at=aware(row.listed_at),
            registration_number=row.registration_number,
        )
        for row in (by_seq[seq] for seq in seqs)
    ]
