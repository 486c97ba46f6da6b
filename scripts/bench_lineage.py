"""Benchmark: EPCIS capture (stored, indexed and anchored) and lineage trace latency, SQLite and PostgreSQL.

A synthetic supply chain of ``--events`` events is captured, document by document, through the
capture service the API uses (``parse_document`` of the JSON bytes, hash IDs, one transaction per
document with the lineage index and the outbox entries), while the batcher anchors Merkle roots on
the embedded chain. The capture rate is events over the time from the first document to the last
anchor. Then traces back from finished goods and forward from lots are timed at depth 5 and 20.

Each chain of the synthetic supply chain has 30 events: a lot commissioned, 24 transformation stages
(every tenth chain also consumes its neighbour's intermediate, so lineage merges), packing into a case
and the case into a pallet shared by 20 chains, shipping, receiving and unpacking. So a trace of
depth 20 really walks 20 levels.

Each database starts empty: SQLite in a temporary directory, PostgreSQL in a throwaway database
(``CREATE DATABASE bench_…``, dropped afterwards) on ``--postgres`` (default the test server).

Usage: ``python scripts/bench_lineage.py [--events N | --quick] [--databases sqlite,postgresql]
[--profile DIR]``. ``--quick`` (20,000 events) runs in well under two minutes. The last line printed
is one JSON object.
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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from dataledger.registry.epcis import parse_document  # noqa: E402
from dataledger.registry.lineage import Direction  # noqa: E402

EVENTS_PER_CHAIN = 30
STAGES = 24
CHAINS_PER_PALLET = 20
CONTEXT = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    {"cbvmda": "urn:epcglobal:cbv:mda:"},
]
DEFAULT_POSTGRES = os.environ.get("DATALEDGER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
TARGET_CAPTURE_PER_S = 5_000
TARGET_TRACE_P95_MS = 50.0


# -- the synthetic supply chain -------------------------------------------------------------------


def _lot(chain: int) -> str:
    return f"urn:epc:class:lgtin:0614141.{chain % 100000:05d}1.L{chain}"


def _item(chain: int, stage: int) -> str:
    return f"urn:epc:id:sgtin:0614141.{chain % 100000:05d}1.C{chain}S{stage}"


def _case(chain: int) -> str:
    return f"urn:epc:id:sscc:0614141.{chain:010d}"


def _pallet(chain: int) -> str:
    return f"urn:epc:id:sscc:0714141.{chain // CHAINS_PER_PALLET:010d}"


def _time(chain: int, minute: int) -> str:
    seconds = chain * 60 + minute
    day, rest = divmod(seconds, 86_400)
    hour, rest = divmod(rest, 3600)
    date = f"2024-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}"
    return f"{date}T{hour:02d}:{rest // 60:02d}:{rest % 60:02d}.000+08:00"


def chain_events(chain: int) -> list[dict[str, Any]]:
    """The 30 events of one chain of the synthetic supply chain."""
    site = {"readPoint": {"id": f"urn:epc:id:sgln:0614141.{chain % 97:05d}.0"}}
    tz = {"eventTimeZoneOffset": "+08:00"}
    events: list[dict[str, Any]] = [
        {
            "type": "ObjectEvent",
            "eventTime": _time(chain, 0),
            **tz,
            "epcList": [_item(chain, 0)],
            "action": "ADD",
            "bizStep": "commissioning",
            "disposition": "active",
            "ilmd": {"cbvmda:lotNumber": f"L{chain}"},
            **site,
        }
    ]
    for stage in range(STAGES):
        inputs = [_item(chain, stage)]
        if chain % 10 == 0 and chain > 0:
            inputs.append(_item(chain - 1, stage))
        events.append(
            {
                "type": "TransformationEvent",
                "eventTime": _time(chain, stage + 1),
                **tz,
                "inputEPCList": inputs,
                "outputEPCList": [_item(chain, stage + 1)],
                "bizStep": "commissioning",
                **site,
            }
        )
    done = _item(chain, STAGES)
    events += [
        {
            "type": "AggregationEvent",
            "eventTime": _time(chain, 40),
            **tz,
            "parentID": _case(chain),
            "childEPCs": [done],
            "action": "ADD",
            "bizStep": "packing",
            **site,
        },
        {
            "type": "AggregationEvent",
            "eventTime": _time(chain, 41),
            **tz,
            "parentID": _pallet(chain),
            "childEPCs": [_case(chain)],
            "action": "ADD",
            "bizStep": "packing",
            **site,
        },
    ]
    for minute, step, disposition in ((42, "shipping", "in_transit"), (50, "receiving", "in_progress")):
        events.append(
            {
                "type": "ObjectEvent",
                "eventTime": _time(chain, minute),
                **tz,
                "epcList": [_case(chain)],
                "action": "OBSERVE",
                "bizStep": step,
                "disposition": disposition,
                "bizLocation": {"id": "urn:epc:id:sgln:0614141.99999.0"},
            }
        )
    events.append(
        {
            "type": "AggregationEvent",
            "eventTime": _time(chain, 55),
            **tz,
            "parentID": _pallet(chain),
            "childEPCs": [_case(chain)],
            "action": "DELETE",
            "bizStep": "unpacking",
            **site,
        }
    )
    return events


def documents(total_events: int, per_document: int) -> Iterator[bytes]:
    """The supply chain as EPCIS capture documents of about ``per_document`` events (JSON bytes)."""
    chains = max(1, total_events // EVENTS_PER_CHAIN)
    per_doc_chains = max(1, per_document // EVENTS_PER_CHAIN)
    for first in range(0, chains, per_doc_chains):
        events = [
            e for chain in range(first, min(chains, first + per_doc_chains)) for e in chain_events(chain)
        ]
        yield json.dumps(
            {
                "@context": CONTEXT,
                "type": "EPCISDocument",
                "schemaVersion": "2.0",
                "creationDate": "2024-12-31T00:00:00Z",
                "epcisBody": {"eventList": events},
            },
            separators=(",", ":"),
        ).encode()


# -- one database ---------------------------------------------------------------------------------


@dataclass
class Result:
    database: str
    events: int
    capture_s: float
    stored_s: float
    capture_per_s: float
    stored_per_s: float
    anchor_batches: int
    trace: dict[str, dict[str, float]]

    def as_json(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "capture_per_s_anchored": round(self.capture_per_s),
            "capture_per_s_stored": round(self.stored_per_s),
            "capture_s": round(self.capture_s, 1),
            "anchor_batches": self.anchor_batches,
            "trace": self.trace,
        }


@contextlib.contextmanager
def throwaway_postgres(admin_url: str) -> Iterator[str]:
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _anchored_count(engine: Any) -> tuple[int, int]:
    with engine.connect() as conn:
        anchored = conn.exec_driver_sql(
            "SELECT count(*) FROM anchor_outbox o JOIN anchor_batches b ON o.batch_id = b.id "
            "WHERE o.kind = 'epcis-event' AND b.status = 'anchored'"
        ).scalar_one()
        batches = conn.exec_driver_sql(
            "SELECT count(*) FROM anchor_batches WHERE kind = 'epcis-event' AND status = 'anchored'"
        ).scalar_one()
    return int(anchored), int(batches)


def _percentiles(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 2),
        "queries": len(ordered),
    }


def run_database(
    name: str, database_url: str | None, total_events: int, per_document: int, queries: int, log: Any
) -> Result:
    from dataledger.composition import build_services
    from dataledger.composition.settings import Settings

    with tempfile.TemporaryDirectory(prefix=f"bench-lineage-{name}-") as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=database_url, environment="test")
        services = build_services(settings)
        try:
            events, lineage, engine = services.events, services.lineage, services.store.engine
            captured = 0
            start = time.perf_counter()
            last_report = start
            for body in documents(total_events, per_document):
                result = events.capture(parse_document(body), captured_by="bench")
                captured += len(result.events)
                now = time.perf_counter()
                if now - last_report > 10:
                    log(f"  {name}: {captured:,} events captured, {captured / (now - start):,.0f}/s")
                    last_report = now
            stored = time.perf_counter()
            while True:
                anchored, batches = _anchored_count(engine)
                if anchored >= captured:
                    break
                time.sleep(0.05)
            done = time.perf_counter()
            chains = max(1, total_events // EVENTS_PER_CHAIN)
            rng = random.Random(7)
            trace: dict[str, dict[str, float]] = {}
            for depth in (5, 20):
                samples = []
                for i in range(queries):
                    chain = rng.randrange(chains)
                    if i % 2:
                        node, direction = _item(chain, STAGES), Direction.BACK
                    else:
                        node, direction = _lot(chain), Direction.FORWARD
                    began = time.perf_counter()
                    result_trace = lineage.trace(node, direction, depth)
                    samples.append(time.perf_counter() - began)
                    assert len(result_trace.nodes) > depth, (node, depth, len(result_trace.nodes))
                trace[f"depth_{depth}"] = _percentiles(samples)
        finally:
            services.close()
    return Result(
        name,
        captured,
        done - start,
        stored - start,
        captured / (done - start),
        captured / (stored - start),
        batches,
        trace,
    )


# -- the command ----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_lineage", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 events: well under two minutes")
    parser.add_argument("--per-document", type=int, default=6_000, help="events per captured document")
    parser.add_argument("--queries", type=int, default=200, help="traces timed per depth")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help="admin URL; a throwaway database is made"
    )
    parser.add_argument("--profile", type=Path, help="write a pyinstrument HTML profile per database here")
    args = parser.parse_args(argv)
    total = 20_000 if args.quick else args.events

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results: dict[str, Result] = {}
    for name in [d.strip() for d in args.databases.split(",") if d.strip()]:
        log(f"{name}: capturing {total:,} events in documents of {args.per_document:,}…")
        with contextlib.ExitStack() as stack:
            url = stack.enter_context(throwaway_postgres(args.postgres)) if name == "postgresql" else None
            profiler = None
            if args.profile is not None:
                from pyinstrument import Profiler

                profiler = Profiler()
                profiler.start()
            results[name] = run_database(name, url, total, args.per_document, args.queries, log)
            if profiler is not None:
                profiler.stop()
                args.profile.mkdir(parents=True, exist_ok=True)
                (args.profile / f"bench_lineage_{name}.html").write_text(profiler.output_html())

    print(
        f"\nLineage benchmark: {total:,} events (synthetic supply chain, {EVENTS_PER_CHAIN} events per chain)"
    )
    header = f"{'':34}" + "".join(f"{name:>16}" for name in results)
    print(header)
    rows = [
        ("capture, anchored (events/s)", lambda r: f"{r.capture_per_s:,.0f}"),
        ("capture, stored (events/s)", lambda r: f"{r.stored_per_s:,.0f}"),
        ("anchor batches", lambda r: f"{r.anchor_batches:,}"),
        (
            "trace depth 5 p50 / p95 (ms)",
            lambda r: f"{r.trace['depth_5']['p50_ms']} / {r.trace['depth_5']['p95_ms']}",
        ),
        (
            "trace depth 20 p50 / p95 (ms)",
            lambda r: f"{r.trace['depth_20']['p50_ms']} / {r.trace['depth_20']['p95_ms']}",
        ),
    ]
    for label, cell in rows:
        print(f"{label:34}" + "".join(f"{cell(r):>16}" for r in results.values()))
    targets_met = all(
        r.capture_per_s >= TARGET_CAPTURE_PER_S and r.trace["depth_20"]["p95_ms"] <= TARGET_TRACE_P95_MS
        for r in results.values()
    )
    print(
        f"targets: capture >= {TARGET_CAPTURE_PER_S:,} events/s anchored, "
        f"trace p95 <= {TARGET_TRACE_P95_MS} ms at depth 20: {'met' if targets_met else 'NOT met'}"
    )
    summary = {
        "events": total,
        "targets_met": targets_met,
        **{name: result.as_json() for name, result in results.items()},
    }
    print(json.dumps(summary, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
