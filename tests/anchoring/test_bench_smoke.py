"""``scripts/bench.py --quick --smoke`` runs and ends with the JSON summary carrying every figure."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from scripts.bench import ANVIL, JSON_KEYS, REPO_ROOT


# CI runs the benchmark itself (.ci/run: bench --quick); this check of its summary is a long variant.
@pytest.mark.long
@pytest.mark.skipif(not ANVIL.exists(), reason="anvil is not installed (npm ci)")
def test_the_smoke_benchmark_prints_every_figure_as_its_last_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATALEDGER_")}
    result = subprocess.run(
        [sys.executable, "scripts/bench.py", "--quick", "--smoke"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    summary = json.loads(lines[-1])
    for key in JSON_KEYS:
        assert isinstance(summary[key], int | float), key
    assert summary["registrations_batched"] > 0 and summary["batched_regs_per_s"] > 0
    assert summary["gas_per_reg_batched"] > 0 and summary["gas_per_reg_direct"] > 0
    # the batched asset's gas through its first rights act: anchor share + materialising it
    assert summary["gas_materialise"] > summary["gas_per_reg_batched"]
    assert summary["gas_per_asset_first_act_batched"] == pytest.approx(
        summary["gas_per_reg_batched"] + summary["gas_materialise"], abs=1
    )
    # the batch sizes the run saw
    assert summary["batches"] >= 1
    leaves = summary["batch_leaves_min"], summary["batch_leaves_median"], summary["batch_leaves_max"]
    assert 1 <= leaves[0] <= leaves[1] <= leaves[2] <= 50_000
    # both paths at the same client concurrency
    assert summary["direct_concurrency"] == summary["batched_concurrency"] >= 2
    assert "direct registrations/s" in result.stdout  # the table for people
    assert "gas per asset through first rights act, batched" in result.stdout
