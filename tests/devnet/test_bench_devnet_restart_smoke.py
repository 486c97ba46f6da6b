"""``scripts/bench_devnet_restart.py --smoke`` runs and ends with both restart figures as JSON."""

from __future__ import annotations

import json
import subprocess
import sys

from scripts.bench_devnet_restart import REPO_ROOT


def test_the_smoke_devnet_restart_benchmark_prints_process_restart_and_in_process_reopen() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/bench_devnet_restart.py", "--smoke"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["txs"] == [10, 50] and summary["process_starts"] == 1
    for size in ("1k", "10k"):
        # starting a new interpreter takes longer than reopening the store in a running one
        assert summary[f"process_restart_s_{size}"] > summary[f"reopen_in_process_s_{size}"] > 0
        assert summary[f"restart_s_{size}"] == summary[f"reopen_in_process_s_{size}"]
    assert "process restart ms" in result.stdout and "in-process reopen ms" in result.stdout
