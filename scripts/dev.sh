#!/usr/bin/env bash
# One entry point for developers, the README and CI: set up (idempotent), then run a task.
#   scripts/dev.sh demo | serve | test | lint | contracts | bench
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv

setup_python() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install --quiet -e ".[dev]"
    touch "$stamp"
  fi
}

setup_node() {
  # solcjs (pinned compiler), OpenZeppelin sources and anvil: needed by the tests, not at run time.
  local stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    touch "$stamp"
  fi
}

task=${1:-help}
shift || true
case "$task" in
  demo)      setup_python; exec "$VENV/bin/dataledger" demo "$@" ;;
  serve)     setup_python; exec "$VENV/bin/dataledger" serve "$@" ;;
  test)      setup_python; setup_node
             # Worker processes (pytest-xdist), one file each at a time so module fixtures start once;
             # most tests wait on chains and servers, so 4 workers fill 2 cores. `-n 0` runs in one.
             exec "$VENV/bin/python" -m pytest -n "${DATALEDGER_TEST_WORKERS:-4}" --dist loadfile "$@" ;;
  lint)      setup_python
             "$VENV/bin/ruff" check .
             "$VENV/bin/ruff" format --check .
             # mypy cannot follow the package-dir mapping: give it the namespace as links.
             mkdir -p .lint/dataledger && touch .lint/dataledger/__init__.py  # else chain/artifacts/ (JSON) shadows artifacts.py
             for package in registry ledger api composition cli client; do ln -sfn "../../$package" ".lint/dataledger/$package"; done
             exec "$VENV/bin/mypy" -p dataledger ;;
  contracts) setup_python; setup_node  # compile | check (default): scripts/compile_contracts.py
             if [ "${1:-check}" = check ]; then set -- --check; else set --; fi
             exec "$VENV/bin/python" scripts/compile_contracts.py "$@" ;;
  bench)     setup_python; setup_node; exec "$VENV/bin/python" scripts/bench.py "$@" ;;
  *) echo "usage: scripts/dev.sh demo|serve|test|lint|contracts|bench [args]" >&2; exit 2 ;;
esac
