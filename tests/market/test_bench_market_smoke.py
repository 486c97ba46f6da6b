"""``scripts/bench_market.py`` runs on a small catalogue and ends with its JSON summary (figures are
printed, never asserted: the machine decides them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from scripts.bench_market import QUERIES, REPO_ROOT
from tests.nodes import postgres_reachable


def test_the_benchmark_prints_every_query_class_as_its_last_line() -> None:
    databases = "sqlite,postgresql" if postgres_reachable() else "sqlite"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATALEDGER_")}
    result = subprocess.run(
        [
            sys.executable,
            "scripts/bench_market.py",
            "--listings",
            "400",
            "--queries",
            "5",
            "--databases",
            databases,
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["listings"] == 400
    for database in databases.split(","):
        searches = summary[database]["search"]
        assert set(QUERIES) <= set(searches) <= {*QUERIES, "text-narrow", "text-broad"}
        for figures in searches.values():
            assert figures["p95_ms"] >= figures["p50_ms"] > 0
        shares = [searches[share]["searches"] for share in ("text-narrow", "text-broad") if share in searches]
        assert sum(shares) == 3 * 5  # every text search, in one share or the other
        assert searches["zh"]["mean_matches"] > 0 and searches["en"]["mean_matches"] > 0
        assert searches["zh-short"]["mean_matches"] > 0
        assert 0 < searches["browse"]["mean_matches"] <= 400
