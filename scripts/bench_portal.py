"""Benchmark: the portal's pages over a large registry, p50/p95 per page, SQLite and PostgreSQL side by side.

For each database the real app is served (uvicorn, embedded chain) and the portal tests' story is set
up through the SDK (certificates, applications in notice, the duty-free chain). Then ``--assets``
assets (10,000; a tenth of them in public notice, each with its acts, some with objections) are loaded
straight into the store's tables, and ``--events`` EPCIS events (100,000) of a synthetic supply chain
are captured through the capture service (stored, indexed and anchored, as ``scripts/bench_lineage.py``
does).
Each page is then fetched ``--requests`` times over HTTP, as a browser would:

- ``/notices`` (the first page), ``/notices?page=…`` (a later page), a search by name, by a hash prefix;
- ``/notices/{id}`` (a permalink), ``/assets/{id}`` (an asset's page), ``/verify?number=…``;
- ``/workbench/data`` (the registrar's queues, holders named and objections read a page at a time, the
  certified ones' expiry and the pledges awaiting their certificate);
- ``/market/statistics`` (the whole market's figures for 30 days, each exchange's share) and
  ``/market/statistics?exchange=…`` (one exchange's for a year) over ``--trades`` orders and trades
  (50,000) loaded straight into the trades table, each request a period most likely not asked before
  (the page keeps a question's figures a minute: this times the counting); ``/pledge-certificates?
  number=…`` (a pledge certificate checked against the chain);
- ``/trace/{item}`` (the trace page of an item of the supply chain) and ``/01/{gtin}/21/{serial}``
  (the passenger's view of the duty-free bottle), ``/01/{gtin}/10/{lot}`` (its lot's trace).

The aim is a p95 of at most 200 ms per page at 10,000 assets and 100,000 events; the figures are
printed, not asserted. The client runs in the server's process (one more thread on the same cores),
so the figures are an upper bound of what the server alone takes.

Usage: ``python scripts/bench_portal.py [--quick] [--assets N] [--events N] [--trades N] [--requests N]
[--databases sqlite,postgresql] [--pages /workbench/data,…]``. ``--quick``: 2,000 assets, 10,000 events,
5,000 trades, 30 requests per page; ``--pages`` times only the pages named.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from dataledger.api.app import create_app  # noqa: E402
from dataledger.cli.local_server import serving  # noqa: E402
from dataledger.composition import Services, build_services  # noqa: E402
from dataledger.composition.settings import Settings  # noqa: E402
from dataledger.ledger.sql.tables import (  # noqa: E402
    AssetRow,
    ContentClaimRow,
    HistoryRow,
    ObjectionRow,
    ParticipantRow,
)
from dataledger.ledger.sql.trade_tables import TRADES  # noqa: E402
from dataledger.registry.assets import AssetFacts, AssetState, RightClaimed  # noqa: E402
from dataledger.registry.epcis import parse_document  # noqa: E402
from dataledger.registry.participants import api_key_hash, new_api_key  # noqa: E402
from scripts.bench_lineage import DEFAULT_POSTGRES, STAGES, _item, documents, throwaway_postgres  # noqa: E402
from tests.portal.story import Story, tell  # noqa: E402

TARGET_P95_MS = 200.0
HOLDERS = 200
IN_NOTICE_SHARE = 0.1
WORDS = ["离岛免税", "保税仓", "海关", "客流", "销售", "物流", "价格指数", "会员", "航班", "提货"]
# objections per application in notice (ids far above the story's, which the contract numbers from 1)
OBJECTIONS_PER_NOTICE = (0, 0, 0, 1, 1, 2)
OBJECTION_IDS_FROM = 1_000_000
KINDS = ["sales records", "footfall", "movements", "clearance summaries", "pickup records", "price index"]


def _hash(rng: random.Random) -> str:
    return "0x" + rng.getrandbits(256).to_bytes(32, "big").hex()


def load_assets(services: Services, total: int, log: Callable[[str], None], seed: int = 13) -> float:
    """``total`` assets with their holders and acts, inserted straight into the store's tables."""
    rng = random.Random(seed)
    started = time.perf_counter()
    now = datetime.now(UTC)
    chain_now = services.registry.next_block_timestamp()
    contract = services.registry.registry_address
    holders = [
        {
            "id": str(uuid.UUID(int=rng.getrandbits(128))),
            "name": f"企业 {n} Enterprise {n}",
            "role": "enterprise",
            "address": "0x" + rng.getrandbits(160).to_bytes(20, "big").hex(),
            "api_key_hash": api_key_hash(new_api_key()),
            "created_at": now,
        }
        for n in range(HOLDERS)
    ]
    assets: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    objections: list[dict[str, Any]] = []
    for n in range(total):
        holder = holders[n % HOLDERS]
        name = f"{rng.choice(WORDS)} {rng.choice(KINDS)} {n}"
        content = _hash(rng)
        facts = AssetFacts(name=name, content_hash=content, right_claimed=rng.choice(list(RightClaimed)))
        asset_id = _hash(rng)
        notice = rng.random() < IN_NOTICE_SHARE
        state = AssetState.IN_NOTICE if notice else rng.choice([AssetState.CERTIFIED, AssetState.REGISTERED])
        block = 1_000 + n
        assets.append(
            {
                "asset_id": asset_id,
                "holder_id": holder["id"],
                "holder_address": holder["address"],
                "facts_json": json.dumps(facts.as_json(), sort_keys=True),
                "salt": _hash(rng),
                "content_hash": content,
                "metadata_hash": _hash(rng),
                "nonce": n,
                "deadline": 10**10,
                "signature": "0x" + "11" * 65,
                "state": state.value,
                "chain_id": services.registry.chain_id,
                "contract": contract,
                "tx_hash": _hash(rng),
                "block_number": block,
                "log_index": 0,
                "version": 1,
                "created_at": now - timedelta(seconds=total - n),
                "updated_at": now,
            }
        )
        claims.append({"content_hash": content, "asset_id": asset_id, "path": "direct", "created_at": now})
        # an application in notice draws objections now and then: open, or already decided
        for _ in range(rng.choice(OBJECTIONS_PER_NOTICE) if notice else 0):
            objections.append(
                {
                    "objection_id": OBJECTION_IDS_FROM + len(objections),
                    "asset_id": asset_id,
                    "objector_address": holders[rng.randrange(HOLDERS)]["address"],
                    "reason": f"{rng.choice(WORDS)}: prior registration of the same records",
                    "evidence_hash": _hash(rng),
                    "status": rng.choice(["open", "open", "dismissed"]),
                    "tx_hash": _hash(rng),
                    "block_number": block + 4,
                    "log_index": 0,
                    "created_at": now,
                }
            )
        acts = ["registered"]
        if state is not AssetState.REGISTERED:
            acts += ["reviewed", "reviewed", "notice-started"]
        if state is AssetState.CERTIFIED:
            acts.append("certificate-recorded")
        for index, act in enumerate(acts):
            detail: dict[str, Any] = {}
            if act == "notice-started":
                ends = chain_now + rng.randrange(3_600, 15 * 86_400)
                detail = {"startedAt": ends - 15 * 86_400, "endsAt": ends, "registrar": contract}
            history.append(
                {
                    "asset_id": asset_id,
                    "act": act,
                    "actor": holder["address"],
                    "detail_json": json.dumps(detail),
                    "chain_id": services.registry.chain_id,
                    "contract": contract,
                    "tx_hash": _hash(rng),
                    "block_number": block + index,
                    "log_index": index,
                    "block_timestamp": chain_now - 86_400,
                    "recorded_at": now,
                }
            )
    with services.store.engine.begin() as conn:
        conn.execute(ParticipantRow.__table__.insert(), holders)  # type: ignore[attr-defined]
        for table, rows in (
            (AssetRow.__table__, assets),  # type: ignore[attr-defined]
            (ContentClaimRow.__table__, claims),  # type: ignore[attr-defined]
            (HistoryRow.__table__, history),  # type: ignore[attr-defined]
            (ObjectionRow.__table__, objections),  # type: ignore[attr-defined]
        ):
            for first in range(0, len(rows), 5_000):
                conn.execute(table.insert(), rows[first : first + 5_000])
    loaded = f"{total:,} assets, {len(history):,} acts and {len(objections):,} objections"
    log(f"  {loaded} loaded in {time.perf_counter() - started:.1f} s")
    return time.perf_counter() - started


def load_events(services: Services, total: int, log: Callable[[str], None]) -> None:
    """``total`` events of the synthetic supply chain, captured (stored, indexed, queued for anchoring)."""
    started = time.perf_counter()
    captured = 0
    for body in documents(total, 1_000):
        captured += len(services.events.capture(parse_document(body), captured_by="bench").events)
    log(f"  {captured:,} events captured in {time.perf_counter() - started:.1f} s")
    # the pages are timed once the batcher is idle: anchoring would share the cores with them
    outbox = services.anchoring.outbox if services.anchoring is not None else None
    while outbox is not None and (outbox.pending() or outbox.sealed()):
        time.sleep(0.2)
    log(f"  anchored after {time.perf_counter() - started:.1f} s")


def load_trades(
    services: Services, story: Story, total: int, log: Callable[[str], None], seed: int = 17
) -> None:
    """``total`` orders of the story's listing over the last year, as the trades table keeps them: a
    quarter still ordered, the rest accepted, most of those settled, a few cancelled."""
    started = time.perf_counter()
    rng = random.Random(seed)
    market = story.market
    listing = market.listing
    now = datetime.now(UTC)
    evidence = json.dumps(
        {
            "chainId": 1,
            "contract": "0x" + "00" * 20,
            "txHash": "0x" + "00" * 32,
            "blockNumber": 1,
            "logIndex": 0,
        }
    )
    rows = []
    for _ in range(total):
        ordered = now - timedelta(seconds=rng.randrange(365 * 24 * 3600))
        status = rng.choices(["ordered", "accepted", "settled", "cancelled"], [25, 15, 55, 5])[0]
        accepted = ordered + timedelta(hours=rng.randrange(1, 48)) if status != "ordered" else None
        closed = (
            accepted + timedelta(days=rng.randrange(1, 5))
            if accepted is not None and status in ("settled", "cancelled")
            else None
        )
        rows.append(
            {
                "order_id": _hash(rng),
                "listing_id": listing["listingId"],
                "asset_id": listing["assetId"],
                "exchange_id": market.exchange_id,
                "exchange_name": listing["exchange"]["name"],
                "buyer_id": str(uuid.UUID(int=rng.getrandbits(128))),
                "buyer_address": "0x" + rng.getrandbits(160).to_bytes(20, "big").hex(),
                "seller_address": listing["lister"].lower(),
                "amount": rng.randrange(1_000, 10_000_000),
                "currency": "CNY",
                "terms_hash": listing["licenceTemplate"]["termsHash"],
                "licence_template_id": listing["licenceTemplate"]["templateId"],
                "licence_template_version": listing["licenceTemplate"]["version"],
                "status": status,
                "ordered_at": ordered,
                "order_evidence": evidence,
                "accepted_at": accepted,
                "acceptance_evidence": evidence if accepted else None,
                "closed_at": closed,
                "closing_evidence": evidence if closed else None,
            }
        )
    with services.store.engine.begin() as conn:
        for first in range(0, len(rows), 5_000):
            conn.execute(TRADES.insert(), rows[first : first + 5_000])
    log(f"  {total:,} trades loaded in {time.perf_counter() - started:.1f} s")


def pages(services: Services, story: Story, total_assets: int) -> dict[str, Callable[[random.Random], str]]:
    """Each page timed, by name: a path for each request (random where the page takes an id)."""
    with services.store.engine.connect() as conn:
        notice_ids = [
            row[0]
            for row in conn.exec_driver_sql("SELECT asset_id FROM assets WHERE state = 'in_notice' LIMIT 500")
        ]
        asset_ids = [row[0] for row in conn.exec_driver_sql("SELECT asset_id FROM assets LIMIT 2000")]
    number = story.valid["credentialSubject"]["certificateNumber"]
    later_page = max(1, int(total_assets * IN_NOTICE_SHARE) // 50 // 2)
    chains = 100
    today = datetime.now(UTC).date()

    def period(rng: random.Random, days: int) -> str:
        """A period of ``days`` ending on a random day of the last year: most requests a new question,
        so the page counts (its figures are kept a minute per question; this times the counting)."""
        last = today - timedelta(days=rng.randrange(365))
        return f"from={(last - timedelta(days=days - 1)).isoformat()}&to={last.isoformat()}"

    exchange = story.market.exchange_id
    pledge_number = story.pledging.certified["credentialSubject"]["pledgeCertificateNumber"]
    return {
        "/notices": lambda rng: "/notices",
        "/notices?page=N": lambda rng: f"/notices?page={later_page}",
        "/notices?q=name": lambda rng: "/notices?q=" + rng.choice(WORDS),
        "/notices?q=0xprefix": lambda rng: "/notices?q=" + rng.choice(notice_ids)[:10],
        "/notices/{id}": lambda rng: "/notices/" + rng.choice(notice_ids),
        "/assets/{id}": lambda rng: "/assets/" + rng.choice(asset_ids),
        "/verify?number=": lambda rng: f"/verify?number={number}",
        "/trace/{item}": lambda rng: "/trace/" + _item(rng.randrange(chains), STAGES),
        "/workbench": lambda rng: "/workbench",
        "/workbench/data": lambda rng: "/workbench/data",
        "/01/{gtin}/21/{serial}": lambda rng: "/01/03012345123457/21/A1-1",
        "/01/{gtin}/10/{lot}": lambda rng: "/01/03012345123457/10/A1",
        "/market/statistics": lambda rng: f"/market/statistics?{period(rng, 30)}",
        "/market/statistics?exchange=": lambda rng: (
            f"/market/statistics?exchange={exchange}&{period(rng, 365)}"
        ),
        "/pledge-certificates?number=": lambda rng: f"/pledge-certificates?number={pledge_number}",
    }


def _percentiles(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000, 1),
    }


def measure(
    base: str, paths: dict[str, Callable[[random.Random], str]], rounds: int, registrar_key: str
) -> dict[str, Any]:
    """Each page's latency percentiles; the registrar's key goes with every request (the pages ignore
    it; ``/workbench/data`` needs it)."""
    rng = random.Random(5)
    results: dict[str, Any] = {}
    headers = {"Authorization": f"Bearer {registrar_key}"}
    with httpx.Client(base_url=base, timeout=60, follow_redirects=True, headers=headers) as client:
        for name, path_of in paths.items():
            for _ in range(3):  # warm the caches
                client.get(path_of(rng))
            samples, statuses = [], set()
            for _ in range(rounds):
                path = path_of(rng)
                began = time.perf_counter()
                response = client.get(path)
                samples.append(time.perf_counter() - began)
                statuses.add(response.status_code)
            results[name] = {**_percentiles(samples), "statuses": sorted(statuses)}
    return results


def run_database(
    name: str,
    url: str | None,
    assets: int,
    events: int,
    rounds: int,
    log: Callable[[str], None],
    only: Sequence[str] = (),
    trades: int = 0,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"bench-portal-{name}-") as folder:
        # every request of the benchmark is anonymous and from one address: not rate limited here
        settings = Settings(
            data_dir=Path(folder),
            database_url=url,
            environment="test",
            public_rate_per_s=1e9,
            public_burst=10**9,
        )
        services = build_services(settings)
        try:
            with serving(create_app(services, on_shutdown=[services.drain])) as base:
                log(f"{name}: the story through the SDK…")
                story = tell(base, settings.admin_api_key.get_secret_value())
                load_assets(services, assets, log)
                load_events(services, events, log)
                load_trades(services, story, trades, log)
                if name == "postgresql":
                    with services.store.engine.begin() as conn:
                        conn.exec_driver_sql("ANALYZE")
                log(f"{name}: timing {rounds} requests per page…")
                timed = pages(services, story, assets)
                if only:
                    timed = {page: path_of for page, path_of in timed.items() if page in only}
                return measure(base, timed, rounds, story.registrar_api_key)
        finally:
            services.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_portal", description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--trades", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200, help="requests timed per page")
    parser.add_argument(
        "--quick", action="store_true", help="2,000 assets, 10,000 events, 5,000 trades, 30 requests"
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--pages", default="", help="time only these pages, by name, comma-separated (e.g. /workbench/data)"
    )
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help="admin URL; a throwaway database is made"
    )
    args = parser.parse_args(argv)
    assets, events, rounds = (2_000, 10_000, 30) if args.quick else (args.assets, args.events, args.requests)
    trades = 5_000 if args.quick else args.trades
    only = [page.strip() for page in args.pages.split(",") if page.strip()]

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results: dict[str, Any] = {}
    for name in [d.strip() for d in args.databases.split(",") if d.strip()]:
        with contextlib.ExitStack() as stack:
            url = stack.enter_context(throwaway_postgres(args.postgres)) if name == "postgresql" else None
            results[name] = run_database(name, url, assets, events, rounds, log, only, trades)
        for page, figures in results[name].items():
            p50, p95 = figures["p50_ms"], figures["p95_ms"]
            log(f"  {name} {page}: p50 {p50} ms, p95 {p95} ms {figures['statuses']}")

    print(
        f"\nPortal pages: {assets:,} assets, {events:,} events, {trades:,} trades,"
        f" {rounds} requests per page (ms)"
    )
    print(f"{'page':28}" + "".join(f"{name + ' p50 / p95':>26}" for name in results))
    pages_timed = next(iter(results.values())).keys() if results else []
    for page in pages_timed:
        cells = [
            f"{r[page]['p50_ms']} / {r[page]['p95_ms']}"
            + ("" if r[page]["statuses"] == [200] else f" ({','.join(map(str, r[page]['statuses']))})")
            for r in results.values()
        ]
        print(f"{page:28}" + "".join(f"{cell:>26}" for cell in cells))
    met = all(
        r[p]["p95_ms"] <= TARGET_P95_MS and r[p]["statuses"] == [200] for r in results.values() for p in r
    )
    print(f"aim: every page p95 <= {TARGET_P95_MS:g} ms:", "met" if met else "NOT met")
    summary = {"assets": assets, "events": events, "trades": trades, "aim_met": met, **results}
    print(json.dumps(summary, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
