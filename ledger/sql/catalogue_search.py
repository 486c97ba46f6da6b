"""The catalogue's search in SQL, on SQLite (FTS5) and PostgreSQL (pg_trgm): one page, the facets.

The search reads ``market_catalogue``, one small row per listing (its facet cell, price, normalised
title, whether it is visible), never the listings themselves but for the page's twenty rows:

- which listings match: on SQLite, terms of three characters or more are phrases of an FTS5
  ``MATCH`` on the ``trigram`` table (any substring of three characters or more is found), shorter
  terms tokens of a ``MATCH`` on the short-terms table, and the full-text index drives the join
  (``CROSS JOIN``); on PostgreSQL, longer terms are ``LIKE '%term%'`` on ``search_text``, which the
  GIN ``gin_trgm_ops`` index answers, shorter terms an array containment (``@>``) on the short terms,
  which their GIN index answers;
- the facets and the total: one ``GROUP BY`` over the matches' facet cell (an integer per category,
  product form and exchange), added up per facet afterwards;
- the page: relevance puts the listings whose title matches the text first, then the others, each
  newest first; on SQLite the full-text index hands out its matches newest first already, so a page
  reads about as many rows as it shows. Price orders sort the matches.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from dataledger.ledger.sql.market_tables import aware
from dataledger.registry.market.catalogue import (
    CatalogueEntry,
    CataloguePage,
    CatalogueQuery,
    CatalogueSort,
    FacetCount,
)
from dataledger.registry.market.listings import ListingContent

_TEXT_FTS = "SELECT rowid AS seq FROM market_listing_text WHERE market_listing_text MATCH"
_TERMS_FTS = "SELECT rowid AS seq FROM market_listing_terms WHERE market_listing_terms MATCH"


def _phrases(terms: tuple[str, ...]) -> str:
    """An FTS5 query matching every term as a phrase (double quotes doubled inside)."""
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class _Matches:
    """FROM and WHERE of the matching visible catalogue entries (alias ``c``), and their parameters;
    ``in_title``/``not_in_title`` restrict them to the entries whose title matches the text or not."""

    source: str = "market_catalogue c"
    where: list[str] = field(default_factory=lambda: ["c.visible"])
    params: dict[str, Any] = field(default_factory=dict)
    order_column: str = "c.seq"  # the column whose descending order is newest first, cheapest
    in_title: str | None = None  # a condition on c: its title matches the text
    not_in_title: str | None = None
    title_source: str | None = None  # SQLite: the FROM of the title matches (FTS5 drives, newest first)

    def sql(self, select: str, *, source: str | None = None, extra: str | None = None) -> str:
        where = [*self.where, *([extra] if extra else [])]
        return f"SELECT {select} FROM {source or self.source} WHERE {' AND '.join(where)}"


def _matches(conn: Connection, query: CatalogueQuery) -> _Matches:
    found = _Matches()
    if conn.dialect.name == "sqlite":
        # The full-text index drives (CROSS JOIN keeps SQLite from running the MATCH once per row), and
        # hands out its rowids in order: ORDER BY t.seq DESC reads no more matches than a page needs.
        driver = None
        if query.long_terms:
            found.params["long"] = _phrases(query.long_terms)
            found.params["title"] = f"title : ({found.params['long']})"
            driver = f"{_TEXT_FTS} :long"
            found.title_source = f"({_TEXT_FTS} :title) t CROSS JOIN market_catalogue c ON c.seq = t.seq"
            found.in_title = f"c.seq IN ({_TEXT_FTS} :title)"
            found.not_in_title = f"c.seq NOT IN ({_TEXT_FTS} :title)"
        if query.short_terms:
            found.params["short"] = _phrases(query.short_terms)
            if driver is None:
                driver = f"{_TERMS_FTS} :short"
            else:
                found.where.append(f"c.seq IN ({_TERMS_FTS} :short)")
        if driver is not None:
            found.source = f"({driver}) t CROSS JOIN market_catalogue c ON c.seq = t.seq"
            found.order_column = "t.seq"
    else:
        titles = []
        for i, term in enumerate(query.long_terms):
            found.where.append(f"c.search_text LIKE :long{i} ESCAPE '\\'")
            titles.append(f"c.title LIKE :long{i} ESCAPE '\\'")
            found.params[f"long{i}"] = _like(term)
        if titles:
            found.in_title = " AND ".join(titles)
            found.not_in_title = f"NOT ({found.in_title})"
        if query.short_terms:
            found.where.append("c.short_terms_array @> CAST(:short AS text[])")
            found.params["short"] = list(query.short_terms)
    filters = {
        "category": query.category,
        "industry": query.industry,
        "product_form": query.product_form.value if query.product_form else None,
        "exchange_id": query.exchange_id,
    }
    for column, value in filters.items():
        if value is not None:
            found.where.append(f"c.{column} = :{column}")
            found.params[column] = value
    if query.price_min_minor is not None:
        found.where.append("c.price_minor >= :price_min")
        found.params["price_min"] = query.price_min_minor
    if query.price_max_minor is not None:
        found.where.append("c.price_minor <= :price_max")
        found.params["price_max"] = query.price_max_minor
    return found


def _seqs(conn: Connection, sql: str, params: dict[str, Any]) -> list[int]:
    return [int(seq) for seq in conn.execute(text(sql), params).scalars()]


def _page(conn: Connection, query: CatalogueQuery, found: _Matches, in_title: int) -> list[int]:
    """The seqs of the page's listings, in the query's order (``in_title``: how many matches have the
    text in their title, when the order is by relevance)."""
    window = {**found.params, "limit": query.limit, "offset": query.offset}
    if query.sort in (CatalogueSort.PRICE_ASC, CatalogueSort.PRICE_DESC):
        direction = "ASC" if query.sort is CatalogueSort.PRICE_ASC else "DESC"
        order = f" ORDER BY c.price_minor {direction}, c.seq DESC LIMIT :limit OFFSET :offset"
        return _seqs(conn, found.sql("c.seq") + order, window)
    newest = " ORDER BY {} DESC LIMIT :limit OFFSET :offset"
    if not _ranked(query, found):
        return _seqs(conn, found.sql("c.seq") + newest.format(found.order_column), window)
    # Title matches first (tier one), then the rest (tier two), each newest first.
    page: list[int] = []
    if query.offset < in_title:
        if found.title_source is not None:
            first = found.sql("c.seq", source=found.title_source) + newest.format("t.seq")
        else:
            first = found.sql("c.seq", extra=found.in_title) + newest.format(found.order_column)
        page = _seqs(conn, first, window)
    if len(page) < query.limit:
        rest = {**found.params, "limit": query.limit - len(page), "offset": max(0, query.offset - in_title)}
        second = found.sql("c.seq", extra=found.not_in_title) + newest.format(found.order_column)
        page += _seqs(conn, second, rest)
    return page


def _ranked(query: CatalogueQuery, found: _Matches) -> bool:
    return query.sort is CatalogueSort.RELEVANCE and found.in_title is not None


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
    """One page of the listings matching ``query``, the total and the facets of all of them."""
    cells = cells or FacetCells()
    found = _matches(conn, query)
    ranked = _ranked(query, found)
    titled = f"CASE WHEN {found.in_title} THEN 1 ELSE 0 END" if ranked else "0"
    if conn.dialect.name == "sqlite" or not query.has_text:
        # One pass for the facets (and, for relevance, how many match in the title); the page is read
        # off the full-text index (or the primary key) newest first, about as many rows as it shows.
        counts = conn.execute(
            text(found.sql(f"c.cell, count(*) AS n, sum({titled}) AS titled") + " GROUP BY c.cell"),
            found.params,
        ).all()
        in_title = sum(int(row.titled or 0) for row in counts)
        page = _page(conn, query, found, in_title)
    else:
        # PostgreSQL finds text matches by a bitmap scan, in no useful order: it scans once (a
        # materialised CTE), then counts per cell and pages.
        counts, page = _postgres_pass(conn, query, found, titled)
    categories: Counter[str] = Counter()
    forms: Counter[str] = Counter()
    exchanges: Counter[tuple[str, str]] = Counter()
    by_cell = {int(row.cell): int(row.n) for row in counts}
    for cell in cells.of(conn, list(by_cell)):
        n = by_cell[cell.cell]
        categories[cell.category] += n
        forms[cell.product_form] += n
        exchanges[(cell.exchange_id, cell.exchange_name)] += n
    return CataloguePage(
        items=_entries(conn, page),
        total=sum(by_cell.values()),
        categories=_facet([(value, n, None) for value, n in categories.items()]),
        product_forms=_facet([(value, n, None) for value, n in forms.items()]),
        exchanges=_facet([(value, n, label) for (value, label), n in exchanges.items()]),
    )


def _postgres_pass(
    conn: Connection, query: CatalogueQuery, found: _Matches, titled: str
) -> tuple[list[Any], list[int]]:
    """The counts per cell and the page's seqs, from one scan of the matches (a materialised CTE)."""
    if query.sort in (CatalogueSort.PRICE_ASC, CatalogueSort.PRICE_DESC):
        direction = "ASC" if query.sort is CatalogueSort.PRICE_ASC else "DESC"
        order, key = f"price_minor {direction}, seq DESC", "price_minor"
    elif query.sort is CatalogueSort.RELEVANCE:
        order, key = "titled DESC, seq DESC", "titled"  # title matches first, then the rest; newest first
    else:
        order, key = "seq DESC", "0"
    rows = conn.execute(
        text(
            f"WITH m AS MATERIALIZED ({found.sql(f'c.seq, c.cell, c.price_minor, {titled} AS titled')})"
            " SELECT cell, count(*) AS n, CAST(NULL AS BIGINT) AS seq, CAST(NULL AS BIGINT) AS k"
            " FROM m GROUP BY cell"
            " UNION ALL SELECT * FROM (SELECT CAST(NULL AS INTEGER), CAST(NULL AS BIGINT), seq,"
            f" CAST({key} AS BIGINT) FROM m ORDER BY {order} LIMIT :limit OFFSET :offset) AS p"
        ),
        {**found.params, "limit": query.limit, "offset": query.offset},
    ).all()
    counts = [row for row in rows if row.seq is None]
    paged = [row for row in rows if row.seq is not None]
    if query.sort in (CatalogueSort.PRICE_DESC, CatalogueSort.RELEVANCE):
        paged.sort(key=lambda r: (-r.k, -r.seq))
    elif query.sort is CatalogueSort.PRICE_ASC:
        paged.sort(key=lambda r: (r.k, -r.seq))
    else:
        paged.sort(key=lambda r: -r.seq)
    return counts, [int(row.seq) for row in paged]


def _facet(counts: list[tuple[str, int, str | None]]) -> list[FacetCount]:
    return sorted((FacetCount(v, n, label) for v, n, label in counts), key=lambda c: (-c.count, c.value))


def _entries(conn: Connection, seqs: list[int]) -> list[CatalogueEntry]:
    """The catalogue entries of listings ``seqs``, in that order."""
    if not seqs:
        return []
    marks = ", ".join(f":s{i}" for i in range(len(seqs)))
    found = conn.execute(
        text(
            "SELECT seq, listing_id, asset_id, exchange_id, exchange_name, content_json,"
            f" certificate_number, listed_at FROM market_listings WHERE seq IN ({marks})"
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
        )
        for row in (by_seq[seq] for seq in seqs)
    ]
