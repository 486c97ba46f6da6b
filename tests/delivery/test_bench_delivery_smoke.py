"""``scripts/bench_delivery.py`` runs on a small licence and ends with its JSON summary: every use
delivered once, the rest refused, the chain's count exact (figures are printed, never asserted: the
machine decides them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from scripts.bench_delivery import REPO_ROOT
from tests.nodes import postgres_reachable


# CI runs the benchmark itself (.ci/run: bench_delivery.py --quick); this check of its summary is a long
# variant.
@pytest.mark.long
def test_the_benchmark_delivers_each_use_once_and_prints_its_summary() -> None:
    databases = "sqlite,postgresql" if postgres_reachable() else "sqlite"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATALEDGER_")}
    result = subprocess.run(
        [
            sys.executable,
            "scripts/bench_delivery.py",
            "--uses",
            "40",
            "--modes",
            "service",
            "--databases",
            databases,
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["uses"], summary["attempts"]) == (40, 44)
    for database in databases.split(","):
        figures = summary[database]["service"]
        assert (figures["deliveries"], figures["refused"], figures["no_over_use"]) == (40, 4, True)
        assert (
            figures["chain"]["exact"] and figures["chain"]["proofs_ok"] == figures["chain"]["proofs_checked"]
        )
        assert figures["receipts_anchored"] == 40 and figures["deliveries_per_s"] > 0
