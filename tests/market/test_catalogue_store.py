"""The catalogue's search on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm): Chinese and English text,
short Chinese queries, filters, facets, paging, and listings that follow their asset."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from dataledger.ledger.sql import catalogue_search
from dataledger.ledger.sql.market_store import MarketStore
from dataledger.ledger.sql.store import SqlStore
from dataledger.ledger.sql.tables import AssetRow, ParticipantRow, PledgeRow
from dataledger.registry.market.catalogue import CatalogueQuery, CatalogueSort
from dataledger.registry.market.listings import Price, PricingUnit, ProductForm
from tests.market.factories import CERTIFIED, HOLDER, PLEDGEE, hex32, listing_content, stored_listing
from tests.nodes import fresh_postgres_database, postgres_reachable

CATALOGUE = [
    # title, subtitle, category, form, price, exchange
    ("海南气象观测数据集", "逐小时气温与降水", "气象", ProductForm.DATASET, "800", "hainan"),
    ("Weather forecast API", "Hourly forecasts, Hainan ports", "weather", ProductForm.API, "0.50", "hainan"),
    ("港口吞吐量指数", "洋浦港月度集装箱吞吐量", "物流", ProductForm.INDEX, "1500", "shanghai"),
    ("Port throughput report", "Yangpu containers", "logistics", ProductForm.REPORT, "3000", "shanghai"),
    ("医疗影像辅助诊断模型", "肺结节识别", "医疗", ProductForm.MODEL, "20000", "shanghai"),
    ("离岛免税销售指数", "按品类的月度销售", "消费零售", ProductForm.INDEX, "1200", "hainan"),
]  # fmt: skip


@pytest.fixture
def market(database_url: str | None, tmp_path: Path) -> Iterator[MarketStore]:
    store = SqlStore.open(database_url or f"sqlite:///{tmp_path / 'market.db'}")
    yield _catalogue(MarketStore(store.engine))
    store.engine.dispose()


def _catalogue(market: MarketStore) -> MarketStore:
    """``market`` with the listings of CATALOGUE."""
    rows = []
    for title, subtitle, category, form, price, exchange in CATALOGUE:
        content = listing_content(
            title=title,
            subtitle=subtitle,
            category=category,
            product_form=form,
            price=Price(Decimal(price), "CNY", PricingUnit.PER_USE),
        )
        listing = stored_listing(content, exchange_id=exchange, exchange_name=f"{exchange} exchange")
        rows.append((listing, CERTIFIED))
    market.bulk_add_listings(rows)
    return market


def titles(market: MarketStore, **query: object) -> list[str]:
    return [item.content.title for item in market.search(CatalogueQuery(**query)).items]  # type: ignore[arg-type]


def test_chinese_text_of_three_characters_or_more_is_found_anywhere(market: MarketStore) -> None:
    assert titles(market, text="气象观测") == ["海南气象观测数据集"]
    assert titles(market, text="集装箱") == ["港口吞吐量指数"]  # in the subtitle


def test_english_text_is_found_case_insensitively(market: MarketStore) -> None:
    assert titles(market, text="WEATHER forecast") == ["Weather forecast API"]
    assert set(titles(market, text="port")) == {"Port throughput report", "Weather forecast API"}


def test_one_and_two_character_chinese_queries_match_headlines(market: MarketStore) -> None:
    assert titles(market, text="气象") == ["海南气象观测数据集"]  # the category and the title
    assert titles(market, text="港") == ["港口吞吐量指数"]
    assert set(titles(market, text="指数")) == {"港口吞吐量指数", "离岛免税销售指数"}
    assert titles(market, text="海南 数据集") == ["海南气象观测数据集"]  # a short and a long term together


def test_filters_facets_and_paging(market: MarketStore) -> None:
    page = market.search(CatalogueQuery(exchange_id="shanghai", limit=2))
    assert page.total == 3 and len(page.items) == 2
    assert {f.value: f.count for f in page.product_forms} == {"index": 1, "report": 1, "model": 1}
    assert [(f.value, f.count, f.label) for f in page.exchanges] == [("shanghai", 3, "shanghai exchange")]
    second = market.search(CatalogueQuery(exchange_id="shanghai", limit=2, offset=2))
    assert len(second.items) == 1
    assert titles(market, product_form=ProductForm.INDEX, sort=CatalogueSort.PRICE_ASC) == [
        "离岛免税销售指数",
        "港口吞吐量指数",
    ]
    assert titles(
        market, price_min=Decimal("1000"), price_max=Decimal("3000"), sort=CatalogueSort.PRICE_DESC
    ) == [
        "Port throughput report",
        "港口吞吐量指数",
        "离岛免税销售指数",
    ]
    everything = market.search(CatalogueQuery())
    assert everything.total == len(CATALOGUE)
    assert {f.value: f.count for f in everything.exchanges} == {"hainan": 3, "shanghai": 3}


def _asset_of_listing(market: MarketStore, title: str) -> str:
    with market.engine.begin() as conn:
        asset_id: str = conn.execute(
            text("SELECT asset_id FROM market_listings WHERE title = :t"), {"t": title}
        ).scalar_one()
    return asset_id


def test_a_listing_follows_its_asset_through_the_stores_own_records(market: MarketStore) -> None:
    """Revocation, transfer and pledge are recorded in ``assets`` and ``pledges`` by other services;
    the listing follows in the same transaction (triggers), and the catalogue hides it."""
    asset_id = _asset_of_listing(market, "港口吞吐量指数")
    store = SqlStore(market.engine)
    with store.session() as session:
        session.add(
            ParticipantRow(id="holder", name="holder", role="enterprise", address=HOLDER, api_key_hash="0x1")
        )
        session.commit()
        session.add(
            AssetRow(
                asset_id=asset_id, holder_id="holder", holder_address=HOLDER, facts_json="{}", salt="0x00",
                content_hash=hex32(1), metadata_hash=hex32(2), nonce=0, deadline=0, signature="0x",
                state="certified",
            )
        )  # fmt: skip
        session.commit()

    def visible() -> bool:
        return titles(market, text="吞吐量") == ["港口吞吐量指数"]

    def update(sql: str) -> None:
        with market.engine.begin() as conn:
            conn.execute(text(sql), {"id": asset_id})

    assert visible()
    update("UPDATE assets SET state = 'revoked' WHERE asset_id = :id")
    assert not visible()
    update("UPDATE assets SET state = 'certified' WHERE asset_id = :id")
    assert visible()
    update(f"UPDATE assets SET holder_address = '{PLEDGEE}' WHERE asset_id = :id")  # transferred
    assert not visible()
    update(f"UPDATE assets SET holder_address = '{HOLDER.upper().replace('0X', '0x')}' WHERE asset_id = :id")
    assert visible()
    with store.session() as session:
        pledge = PledgeRow(
            asset_id=asset_id, pledgor_address=HOLDER, pledgee_address=PLEDGEE, terms="RMB 2m", salt="0x00",
            terms_hash=hex32(3), tx_hash=hex32(4), block_number=1, log_index=0,
        )  # fmt: skip
        session.add(pledge)
        session.commit()
        assert not visible()  # pledged without the pledgee's consent
        pledge.status = "released"
        session.add(pledge)
        session.commit()
    assert visible()


def test_relevance_puts_title_matches_first_then_the_newest(market: MarketStore) -> None:
    older = listing_content(title="Yangpu port index", category="logistics")
    newer = listing_content(
        title="Container volumes", description="Monthly, the port of Yangpu", category="x"
    )
    market.bulk_add_listings([(stored_listing(older), CERTIFIED), (stored_listing(newer), CERTIFIED)])

    assert titles(market, text="yangpu") == [
        "Yangpu port index",
        "Container volumes",
        "Port throughput report",
    ]
    assert titles(market, text="yangpu", limit=1, offset=1) == ["Container volumes"]
    assert titles(market, text="yangpu", limit=2, offset=1) == ["Container volumes", "Port throughput report"]
    assert titles(market, text="yangpu", sort=CatalogueSort.NEWEST)[0] == "Container volumes"


# (title of a match, title of a match in its description only, description of each, the query)
_WORDS_OF_TIERS = (
    "Orchard yield {}",
    "Farm record {}",
    "Sampled per orchard.",
    "Sampled per plot.",
    "orchard",
)
_SUBSTRINGS_OF_TIERS = ("苹果园产量 {}", "农场记录 {}", "按苹果园抽样。", "按地块抽样。", "苹果园")
_MIXED_OF_TIERS = (
    "苹果园 orchard {}",
    "农场 {}",
    "按苹果园 orchard 抽样。",
    "按地块抽样。",
    "苹果园 orchard",
)


@pytest.mark.parametrize(
    "terms", [_WORDS_OF_TIERS, _SUBSTRINGS_OF_TIERS, _MIXED_OF_TIERS], ids=["words", "substrings", "mixed"]
)
@pytest.mark.parametrize("probe", [500, 4], ids=["indexes", "newest-first"])
@pytest.mark.parametrize("count_limit", [2_000, 2], ids=["narrow", "broad"])
def test_relevance_pages_cross_from_title_matches_to_the_rest_at_every_offset(
    market: MarketStore,
    monkeypatch: pytest.MonkeyPatch,
    count_limit: int,
    probe: int,
    terms: tuple[str, str, str, str, str],
) -> None:
    # narrow: every match is counted and the page sorted from them; broad (the count stops at 2): each
    # relevance tier is read off the indexes. PostgreSQL reads dense matches newest first off the primary
    # key: with a probe of the newest 4 entries, every match here is dense.
    monkeypatch.setattr(catalogue_search, "COUNT_LIMIT", count_limit)
    monkeypatch.setattr(catalogue_search, "_PROBE", probe)
    titled, untitled, described, undescribed, query = terms
    # 9 listings with the text in the title and 8 with it only in the description, interleaved in time
    listings = []
    for n in range(17):
        in_title = n % 2 == 0
        title = titled.format(n) if in_title else untitled.format(n)
        description = described if not in_title else undescribed
        listings.append(stored_listing(listing_content(title=title, description=description)))
    market.bulk_add_listings([(listing, CERTIFIED) for listing in listings])
    in_titles = [titled.format(n) for n in range(16, -1, -2)]
    expected = in_titles + [untitled.format(n) for n in range(15, 0, -2)]

    for limit in (1, 4, 7, 20):
        for offset in range(0, 19):
            page = titles(market, text=query, limit=limit, offset=offset)
            assert page == expected[offset : offset + limit], (limit, offset)


def test_a_broad_text_search_stops_counting_at_the_limit_and_still_pages_every_match(
    market: MarketStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    mangoes = [listing_content(title=f"Mango harvest {n}", category="agriculture") for n in range(5)]
    market.bulk_add_listings([(stored_listing(content), CERTIFIED) for content in mangoes])
    monkeypatch.setattr(catalogue_search, "COUNT_LIMIT", 3)

    broad = market.search(CatalogueQuery(text="mango"))
    narrow = market.search(CatalogueQuery(text="气象观测"))
    unfiltered = market.search(CatalogueQuery())

    assert (broad.total, broad.total_exact) == (3, False)
    assert [(f.value, f.count) for f in broad.categories] == [("agriculture", 3)]  # a lower bound too
    assert [item.content.title for item in broad.items] == [f"Mango harvest {n}" for n in range(4, -1, -1)]
    assert titles(market, text="mango", limit=2, offset=3) == ["Mango harvest 1", "Mango harvest 0"]
    assert (narrow.total, narrow.total_exact) == (1, True)
    assert (unfiltered.total, unfiltered.total_exact) == (len(CATALOGUE) + 5, True)  # filters alone: exact


def test_certified_assets_are_found_by_name_while_they_are_certified(market: MarketStore) -> None:
    store = SqlStore(market.engine)
    facts = (
        '{"name": "\\u6d77\\u5357\\u6e2f\\u53e3 Yangpu port calls", "right_claimed": "data-resource-holding"}'
    )
    with store.session() as session:
        session.add(
            ParticipantRow(id="h2", name="holder", role="enterprise", address=HOLDER, api_key_hash="0x2")
        )
        session.commit()
        session.add(
            AssetRow(
                asset_id=hex32(77), holder_id="h2", holder_address=HOLDER, facts_json=facts, salt="0x00",
                content_hash=hex32(78), metadata_hash=hex32(79), nonce=0, deadline=0, signature="0x",
                state="registered",
            )
        )  # fmt: skip
        session.commit()

    def names(q: str) -> list[str]:
        return [item["name"] for item in market.search_assets(q.lower().split(), limit=10, offset=0)[0]]

    assert names("yangpu") == []  # registered, not certified
    for state, found in (("certified", True), ("revoked", False), ("certified", True)):
        with market.engine.begin() as conn:
            conn.execute(
                text("UPDATE assets SET state = :s WHERE asset_id = :id"), {"s": state, "id": hex32(77)}
            )
        assert names("yangpu") == (["海南港口 Yangpu port calls"] if found else []), state
    assert names("海南港口") == names("港") == names("PORT calls") == ["海南港口 Yangpu port calls"]
    items, total = market.search_assets([], limit=10, offset=0)
    assert total == 1 and items[0] == {
        "assetId": hex32(77),
        "name": "海南港口 Yangpu port calls",
        "rightClaimed": "data-resource-holding",
        "holderAddress": HOLDER,
    }
    assert MarketStore(market.engine).search_assets(["yangpu"], limit=10, offset=0)[1] == 1  # set up again


def test_an_english_term_finds_the_words_it_begins_not_every_substring(market: MarketStore) -> None:
    forecasting = listing_content(title="Crop forecasting model", category="agriculture")
    broadcast = listing_content(title="Broadcast ratings", description="Recasting of audiences.")
    market.bulk_add_listings([(stored_listing(c), CERTIFIED) for c in (forecasting, broadcast)])

    assert titles(market, text="forecast") == ["Crop forecasting model", "Weather forecast API"]
    assert titles(market, text="FORECASTING model") == ["Crop forecasting model"]
    assert titles(market, text="cast") == []  # inside "broadcast", "forecast", "recasting": no word begins so
    assert titles(market, text="recast") == ["Broadcast ratings"]  # a word of the description


def test_a_hyphenated_term_finds_its_words_in_a_row(market: MarketStore) -> None:
    records = [
        listing_content(title="Patient visits", description="Aggregated by district and de-identified."),
        listing_content(title="De-identification guide", description="How records are handled."),
        listing_content(title="Claims", description="Identified by the insurer, de facto complete."),
    ]
    market.bulk_add_listings([(stored_listing(c), CERTIFIED) for c in records])

    assert titles(market, text="de-identified") == ["Patient visits"]
    assert titles(market, text="de-identif") == ["De-identification guide", "Patient visits"]  # title first
    assert titles(market, text="identified") == ["Claims", "Patient visits"]


def test_terms_with_other_punctuation_or_chinese_are_found_anywhere(market: MarketStore) -> None:
    toolkit = listing_content(title="Visual C++ toolkit", description="Builds with gcc.")
    market.bulk_add_listings([(stored_listing(toolkit), CERTIFIED)])

    assert titles(market, text="c++") == ["Visual C++ toolkit"]  # not a word term: a substring
    assert titles(market, text="象观测") == ["海南气象观测数据集"]  # Chinese: inside a word


def test_a_query_of_chinese_and_english_terms_matches_both(market: MarketStore) -> None:
    both = listing_content(title="海南气象观测 hourly feed", description="Rainfall per station.")
    market.bulk_add_listings([(stored_listing(both), CERTIFIED)])

    assert titles(market, text="气象观测 hourly") == ["海南气象观测 hourly feed"]
    assert titles(market, text="海南 rainfall") == ["海南气象观测 hourly feed"]  # a short term and a word
    assert titles(market, text="气象观测 weather") == []
    assert titles(market, text="hourly") == [
        "海南气象观测 hourly feed",
        "Weather forecast API",
    ]  # title first


def test_an_existing_catalogue_gains_the_word_index_when_the_store_starts(market: MarketStore) -> None:
    with market.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TABLE market_listing_words")
            conn.exec_driver_sql("DROP TABLE market_listing_title_words")
        else:
            conn.exec_driver_sql(
                "ALTER TABLE market_catalogue DROP COLUMN search_words, DROP COLUMN title_words"
            )

    restarted = MarketStore(market.engine)

    assert titles(restarted, text="throughput") == ["Port throughput report"]
    assert titles(restarted, text="forecast") == ["Weather forecast API"]
    assert titles(restarted, text="throughput", limit=1) == ["Port throughput report"]


def test_a_browse_by_category_form_and_exchange_counts_the_cells_they_name(market: MarketStore) -> None:
    page = market.search(
        CatalogueQuery(category="物流", product_form=ProductForm.INDEX, exchange_id="shanghai")
    )
    assert [item.content.title for item in page.items] == ["港口吞吐量指数"]
    assert page.total == 1 and page.total_exact
    assert [(f.value, f.count) for f in page.categories] == [("物流", 1)]
    assert market.search(CatalogueQuery(category="物流", exchange_id="hainan")).total == 0
    assert market.search(CatalogueQuery(category="no such category")).items == []


def _indexes(market: MarketStore) -> set[str]:
    with market.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            found = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'market_catalogue'"
            )
        else:
            found = conn.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'market_catalogue'"
            )
        return set(found.scalars())


def test_a_catalogue_made_with_the_earlier_indexes_gets_todays_when_the_store_starts(
    market: MarketStore,
) -> None:
    postgres = market.engine.dialect.name == "postgresql"
    earlier = ["CREATE INDEX ix_market_catalogue_visible_cell ON market_catalogue (visible, cell)"]
    if postgres:
        earlier += [
            f"CREATE INDEX ix_market_catalogue_{name} ON market_catalogue USING gin ({column}) WHERE visible"
            for name, column in [
                ("search_trgm", "search_text gin_trgm_ops"),
                ("title_trgm", "title gin_trgm_ops"),
                ("search_words_trgm", "search_words gin_trgm_ops"),
                ("title_words_trgm", "title_words gin_trgm_ops"),
                ("short_terms", "short_terms_array"),
            ]
        ]
    with market.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_market_catalogue_visible_cell_price")
        if postgres:
            conn.exec_driver_sql("DROP INDEX ix_market_catalogue_text")
        for statement in earlier:
            conn.exec_driver_sql(statement)

    restarted = MarketStore(market.engine)

    today = {"ix_market_catalogue_visible_cell_price"} | ({"ix_market_catalogue_text"} if postgres else set())
    assert _indexes(restarted) - today - {"market_catalogue_pkey"} == set()
    assert today <= _indexes(restarted)
    assert titles(restarted, text="港口 吞吐量") == ["港口吞吐量指数"]
    assert restarted.search(CatalogueQuery(category="医疗")).total == 1


def test_on_a_postgresql_database_of_the_c_ctype_accented_letters_still_make_words() -> None:
    """The words columns are cut as a query is, not by the database's ctype: under the plain C ctype
    PostgreSQL's [[:alnum:]] knows ASCII letters only, and "café" would have been stored as "caf"."""
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    with fresh_postgres_database(ctype="C") as url:
        store = SqlStore.open(url)
        try:
            market = MarketStore(store.engine)
            market.bulk_add_listings(
                [
                    (stored_listing(listing_content(title=title, subtitle="a data product")), CERTIFIED)
                    for title in ("Café footfall index", "Größe der Häfen", "Cafeteria menus")
                ]
            )
            assert titles(market, text="café") == ["Café footfall index"]
            assert titles(market, text="größe häfen") == ["Größe der Häfen"]
            assert titles(market, text="caf", sort=CatalogueSort.NEWEST) == [
                "Cafeteria menus",
                "Café footfall index",
            ]
        finally:
            store.engine.dispose()


def test_words_the_database_generated_are_cut_again_when_the_store_starts() -> None:
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    with fresh_postgres_database() as url:
        store = SqlStore.open(url)
        try:
            _words_cut_again(_catalogue(MarketStore(store.engine)))
        finally:
            store.engine.dispose()


def _words_cut_again(market: MarketStore) -> None:
    # as a database made before: the columns generated by the database (here a cut no search matches)
    with market.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE market_catalogue DROP COLUMN search_words, DROP COLUMN title_words")
        for column, source in (("search_words", "search_text"), ("title_words", "title")):
            conn.exec_driver_sql(
                f"ALTER TABLE market_catalogue ADD COLUMN {column} text"
                f" GENERATED ALWAYS AS (' ' || upper({source}) || ' ') STORED"
            )
    assert titles(market, text="throughput") == []

    restarted = MarketStore(market.engine)

    with market.engine.begin() as conn:
        generated = conn.exec_driver_sql(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'market_catalogue'"
            " AND column_name IN ('search_words', 'title_words') AND is_generated = 'ALWAYS'"
        ).scalar_one()
    assert generated == 0
    assert titles(restarted, text="throughput") == ["Port throughput report"]
