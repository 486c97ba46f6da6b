"""Benchmark: catalogue search latency over many listings, SQLite (FTS5) and PostgreSQL (pg_trgm).

A synthetic catalogue of ``--listings`` listings (Chinese and English titles, subtitles, descriptions
and usage examples drawn from a vocabulary of regions, domains and product kinds; eight exchanges;
six product forms; prices spread over five orders of magnitude) is loaded straight into the market
store (``MarketStore.bulk_add_listings``: rows and search indexes, not through the chain). Then the
catalogue searches the API runs (``MarketStore.search``: one page of 20, the total and the facets of
every match) are timed per class of query:

- ``zh``: Chinese terms of three characters or more (the trigram index), alone or two together;
- ``zh-short``: one- and two-character Chinese terms (the short-terms index);
- ``en``: English words and phrases (the word indexes: a prefix of a word, hyphenated parts in a row);
- ``filtered``: a text term with a product form, an exchange or a price range;
- ``browse``: no text, a filter or none (every visible listing counted for the facets).

Each database starts empty: SQLite in a temporary directory, PostgreSQL in a throwaway database
(``CREATE DATABASE bench_market_…``, dropped afterwards) on ``--postgres`` (default the test server).

Usage: ``python scripts/bench_market.py [--listings N | --quick] [--queries N]
[--databases sqlite,postgresql]``. ``--quick`` (10,000 listings) runs in well under a minute. The
aim is a p95 of at most 20 ms for text searches (``zh``, ``zh-short``, ``en``) at 100,000 listings;
the figures are printed, not asserted. Text searches are also reported by how much of the catalogue
they match (``text-narrow``: at most a tenth, ``text-broad``: more; the vocabulary is deliberately
coarse, so a query names one of 16 domains, 6 % of the listings, or a phrase found in 30 % of the
descriptions). The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import dataledger.ledger.sql.batched_registration_store  # noqa: E402, F401 - a table SqlStore's schema reads
from dataledger.ledger.sql.market_store import MarketStore  # noqa: E402
from dataledger.ledger.sql.store import SqlStore  # noqa: E402
from dataledger.registry.chain_types import ChainEvidence  # noqa: E402
from dataledger.registry.market.catalogue import CatalogueQuery  # noqa: E402
from dataledger.registry.market.listings import (  # noqa: E402
    AssetStanding,
    DataField,
    Listing,
    ListingContent,
    ListingStatus,
    PersonalDataDeclaration,
    Price,
    PricingUnit,
    ProductForm,
    UpdateFrequency,
)

DEFAULT_POSTGRES = os.environ.get("DATALEDGER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
TARGET_P95_MS = 20.0
TEXT_CLASSES = ("zh", "zh-short", "en")
BROAD_SHARE = 0.1  # a text search matching more than a tenth of the catalogue is "broad"
BATCH = 5_000

REGIONS = [
    ("海南", "Hainan"), ("上海", "Shanghai"), ("深圳", "Shenzhen"), ("北京", "Beijing"), ("浙江", "Zhejiang"),
    ("广东", "Guangdong"), ("山东", "Shandong"), ("贵州", "Guizhou"), ("四川", "Sichuan"), ("福建", "Fujian"),
    ("江苏", "Jiangsu"), ("湖北", "Hubei"), ("洋浦", "Yangpu"), ("三亚", "Sanya"), ("海口", "Haikou"),
]  # fmt: skip
DOMAINS = [  # (Chinese, English, category)
    ("气象观测", "weather observation", "气象"),
    ("港口物流", "port logistics", "物流"),
    ("医疗影像", "medical imaging", "医疗"),
    ("消费零售", "retail consumption", "零售"),
    ("金融风控", "credit risk", "金融"),
    ("交通出行", "urban mobility", "交通"),
    ("农业种植", "crop farming", "农业"),
    ("能源电力", "power grid", "能源"),
    ("海洋渔业", "marine fishery", "海洋"),
    ("旅游酒店", "tourism and hotels", "旅游"),
    ("离岛免税", "offshore duty-free", "免税"),
    ("工业制造", "industrial manufacturing", "制造"),
    ("环境监测", "environmental monitoring", "环境"),
    ("房地产", "real estate", "地产"),
    ("跨境贸易", "cross-border trade", "贸易"),
    ("公共卫生", "public health", "卫生"),
]
KINDS = [
    ("数据集", "dataset", ProductForm.DATASET),
    ("接口服务", "API service", ProductForm.API),
    ("分析报告", "analysis report", ProductForm.REPORT),
    ("指数", "index", ProductForm.INDEX),
    ("预测模型", "forecasting model", ProductForm.MODEL),
    ("咨询服务", "advisory service", ProductForm.SERVICE),
]
MEASURES = [
    ("月度", "monthly"), ("逐小时", "hourly"), ("实时", "real-time"), ("年度", "annual"),
    ("季度", "quarterly"), ("逐日", "daily"),
]  # fmt: skip
PHRASES = [
    "按区域汇总，已脱敏处理。",
    "覆盖近五年的历史记录。",
    "支持按需调用与批量下载。",
    "适用于需求预测与风险评估。",
    "经数据交易所合规审查。",
    "Aggregated by district and de-identified.",
    "Five years of history.",
    "Suitable for forecasting and risk scoring.",
    "Delivered through a metered API.",
    "Updated as new records arrive.",
]
EXCHANGES = [
    ("hainan", "海南国际数据交易所"), ("shanghai", "上海数据交易所"), ("shenzhen", "深圳数据交易所"),
    ("beijing", "北京国际大数据交易所"), ("guizhou", "贵阳大数据交易所"), ("zhejiang", "浙江大数据交易中心"),
    ("guangzhou", "广州数据交易所"), ("marine", "海洋数据交易中心"),
]  # fmt: skip
ZH = ("气象观测", "港口物流", "医疗影像", "离岛免税", "金融风控 数据集", "能源电力 指数", "海南 旅游酒店",
      "预测模型", "跨境贸易 分析报告", "脱敏处理", "环境监测 实时")  # fmt: skip
ZH_SHORT = ("气象", "港", "医疗", "金融", "海南", "指数", "免税", "交通", "海洋 渔业", "上海", "农业")
EN = ("weather", "port logistics", "medical imaging", "duty-free", "credit risk", "forecasting model",
      "Hainan tourism", "API service", "power grid index", "de-identified", "real-time")  # fmt: skip
QUERIES: dict[str, list[dict[str, Any]]] = {
    "zh": [{"text": t} for t in ZH],
    "zh-short": [{"text": t} for t in ZH_SHORT],
    "en": [{"text": t} for t in EN],
    "filtered": [
        {"text": "气象", "product_form": ProductForm.API},
        {"text": "logistics", "exchange_id": "shanghai"},
        {"text": "医疗影像", "price_min": Decimal("1000"), "price_max": Decimal("50000")},
        {"text": "金融", "product_form": ProductForm.MODEL, "exchange_id": "shenzhen"},
        {"text": "weather", "sort": "price-asc"},
    ],
    "browse": [
        {},
        {"product_form": ProductForm.INDEX},
        {"exchange_id": "hainan"},
        {"category": "医疗"},
        {"price_max": Decimal("100")},
    ],
}


# -- the synthetic catalogue ----------------------------------------------------------------------------


def synthetic_listing(rng: random.Random, n: int, now: datetime) -> Listing:
    """Listing number ``n`` of the synthetic catalogue (deterministic for a seeded ``rng``)."""
    region_zh, region_en = rng.choice(REGIONS)
    domain_zh, domain_en, category = rng.choice(DOMAINS)
    kind_zh, kind_en, form = rng.choice(KINDS)
    measure_zh, measure_en = rng.choice(MEASURES)
    chinese = rng.random() < 0.6
    title = f"{region_zh}{domain_zh}{kind_zh}" if chinese else f"{region_en} {domain_en} {kind_en}"
    subtitle = (
        f"{measure_en} {domain_en}, {region_en}" if chinese else f"{measure_zh}{domain_zh}（{region_zh}）"
    )
    description = " ".join(rng.sample(PHRASES, 3)) + f" {region_zh}{domain_zh}{measure_zh}数据 #{n}"
    price = Decimal(int(10 ** rng.uniform(0, 5) * 100)) / 100
    content = ListingContent(
        title=title,
        subtitle=subtitle,
        description=description,
        product_form=form,
        category=category,
        industry=domain_en.split()[0],
        update_frequency=rng.choice(list(UpdateFrequency)),
        data_dictionary=(DataField("region", "string", region_en), DataField("value", "number")),
        usage_examples=(f"{domain_en} {kind_en} for {region_en}",),
        personal_data=PersonalDataDeclaration(contains_personal_data=False),
        price=Price(price, "CNY", rng.choice(list(PricingUnit))),
        licence_template_id="bench-template",
        licence_template_version=1,
    )
    exchange_id, exchange_name = rng.choice(EXCHANGES)
    digest = uuid.UUID(int=rng.getrandbits(128)).hex
    return Listing(
        listing_id="0x" + digest * 2,
        asset_id="0x" + (digest[::-1] * 2),
        exchange_id=exchange_id,
        exchange_name=exchange_name,
        lister="0x" + "3c" * 20,
        content=content,
        report_id=f"urn:dataledger:listing-verification:{digest}",
        report_hash="0x" + digest + f"{n:032x}",
        terms_hash="0x" + "7e" * 32,
        content_hash="0x" + "6c" * 32,
        certificate_number=f"DL-2026-{n:06d}",
        pledgee_consented=None,
        status=ListingStatus.LISTED,
        listed_at=now - timedelta(seconds=n),
        evidence=ChainEvidence(31337, "0x" + "1c" * 20, "0x" + digest * 2, n, 0),
    )


def load(market: MarketStore, total: int, log: Callable[[str], None], seed: int = 14) -> float:
    """Bulk-load ``total`` synthetic listings; the seconds it took."""
    rng = random.Random(seed)
    standing = AssetStanding(state="certified", holder="0x" + "3c" * 20, pledgee=None)
    now = datetime.now(UTC)
    started = time.perf_counter()
    for start in range(0, total, BATCH):
        rows = [(synthetic_listing(rng, n, now), standing) for n in range(start, min(total, start + BATCH))]
        market.bulk_add_listings(rows)
        if (start // BATCH) % 5 == 4:
            log(f"  {start + len(rows):,} listings loaded")
    return time.perf_counter() - started


# -- the measurement ------------------------------------------------------------------------------------


def _percentiles(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def measure(market: MarketStore, rounds: int, total: int) -> dict[str, dict[str, Any]]:
    """Each query class's latency percentiles and mean number of matches counted; and the text
    searches (every text class together) split by how much of the catalogue they match: at most
    ``BROAD_SHARE`` of it (``text-narrow``) or more, or more than the search counts (``text-broad``:
    the catalogue counts at most ``COUNT_LIMIT`` matches of a text search, so their cost does not
    grow with the matches)."""
    results: dict[str, dict[str, Any]] = {}
    by_share: dict[str, list[float]] = {"text-narrow": [], "text-broad": []}
    for name, queries in QUERIES.items():
        for warm in queries:  # warm the caches once
            market.search(CatalogueQuery(**warm))
        samples, totals = [], []
        for i in range(rounds):
            query = CatalogueQuery(**queries[i % len(queries)])
            started = time.perf_counter()
            page = market.search(query)
            samples.append(time.perf_counter() - started)
            totals.append(page.total)
            if name in TEXT_CLASSES:
                broad = not page.total_exact or page.total > BROAD_SHARE * total
                by_share["text-broad" if broad else "text-narrow"].append(samples[-1])
        results[name] = {**_percentiles(samples), "mean_matches": round(statistics.mean(totals))}
    for name, samples in by_share.items():
        if samples:
            results[name] = {**_percentiles(samples), "searches": len(samples)}
    return results


@contextlib.contextmanager
def throwaway_postgres(admin_url: str) -> Iterator[str]:
    import psycopg

    name = f"bench_market_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_database(
    name: str, url: str | None, total: int, rounds: int, log: Callable[[str], None]
) -> dict[str, Any]:
    with contextlib.ExitStack() as stack:
        if url is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-market-"))
            url = f"sqlite:///{Path(folder) / 'market.db'}"
        store = SqlStore.open(url)
        stack.callback(store.engine.dispose)
        market = MarketStore(store.engine)
        log(f"{name}: loading {total:,} listings…")
        seconds = load(market, total, log)
        if name == "postgresql":  # what autovacuum does to a table loaded at once, before the timing
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in ("market_catalogue", "market_listings", "market_facet_cells"):
                    conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
        log(f"{name}: {total / seconds:,.0f} listings/s loaded; timing {rounds} searches per class…")
        return {"load_per_s": round(total / seconds), "search": measure(market, rounds, total)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_market", description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 listings, 60 searches per class")
    parser.add_argument("--queries", type=int, default=300, help="searches timed per class of query")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help="admin URL; a throwaway database is made"
    )
    args = parser.parse_args(argv)
    total, rounds = (10_000, 60) if args.quick else (args.listings, args.queries)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results: dict[str, dict[str, Any]] = {}
    for name in [d.strip() for d in args.databases.split(",") if d.strip()]:
        with contextlib.ExitStack() as stack:
            url = stack.enter_context(throwaway_postgres(args.postgres)) if name == "postgresql" else None
            results[name] = run_database(name, url, total, rounds, log)

    print(f"\nCatalogue search: {total:,} listings, {rounds} searches per class, page of 20 with facets")
    print(f"{'':34}" + "".join(f"{name:>22}" for name in results))
    print(f"{'load (listings/s)':34}" + "".join(f"{r['load_per_s']:>22,}" for r in results.values()))
    for query_class in QUERIES:
        cells = [
            f"{r['search'][query_class]['p50_ms']} / {r['search'][query_class]['p95_ms']}"
            for r in results.values()
        ]
        print(f"{query_class + ' p50 / p95 (ms)':34}" + "".join(f"{c:>22}" for c in cells))
        matches = [f"{r['search'][query_class]['mean_matches']:,}" for r in results.values()]
        print(f"{'  mean matches':34}" + "".join(f"{m:>22}" for m in matches))
    for share in ("text-narrow", "text-broad"):
        figures = [r["search"].get(share) for r in results.values()]
        cells = [f"{f['p50_ms']} / {f['p95_ms']} ({f['searches']})" if f else "-" for f in figures]
        label = f"{share} p50 / p95 (ms) (searches)"
        print(f"{label:34}" + "".join(f"{c:>22}" for c in cells))
    met = all(r["search"][c]["p95_ms"] <= TARGET_P95_MS for r in results.values() for c in TEXT_CLASSES)
    print(
        f"aim: text search p95 <= {TARGET_P95_MS} ms ({', '.join(TEXT_CLASSES)}):",
        "met" if met else "NOT met",
    )
    print(json.dumps({"listings": total, "aim_met": met, **results}, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
