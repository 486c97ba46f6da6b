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
  test)      setup_python; setup_node; exec "$VENV/bin/python" -m pytest "$@" ;;
  lint)      setup_python; exec "$VENV/bin/ruff" check . ;;
  contracts) setup_python; setup_node; exec "$VENV/bin/dataledger" contracts "${1:-check}" ;;
  bench)     setup_python; setup_node; exec "$VENV/bin/python" scripts/bench.py "$@" ;;
  *) echo "usage: scripts/dev.sh demo|serve|test|lint|contracts|bench [args]" >&2; exit 2 ;;
esac
