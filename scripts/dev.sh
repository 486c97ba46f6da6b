#!/usr/bin/env bash
# One entry point for developers, the README and CI: set up (idempotent), then run a task.
#   scripts/dev.sh demo | serve | test | lint | contracts | bench | screenshots
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
  # The portal's signing bundle (ethers, esbuild): its test rebuilds portal/static/signer.bundle.js.
  local web_stamp="web/node_modules/.installed-$(sha256sum web/package-lock.json | cut -c1-16)"
  if [ ! -f "$web_stamp" ]; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
    touch "$web_stamp"
  fi
}

setup_browser() {
  # The portal's browser tests drive Debian's chromium through Playwright (never a downloaded browser),
  # and the PDF certificate embeds a CJK font from Debian's fonts-noto-cjk.
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "the portal's tests need: apt-get install ${missing[*]}" >&2
    fi
  fi
}

task=${1:-help}
shift || true
case "$task" in
  demo)      setup_python; exec "$VENV/bin/dataledger" demo "$@" ;;
  serve)     setup_python; exec "$VENV/bin/dataledger" serve "$@" ;;
  test)      setup_python; setup_node; setup_browser
             # Worker processes (pytest-xdist), one file each at a time so module fixtures start once;
             # most tests wait on chains and servers, so 4 workers fill 2 cores. `-n 0` runs in one.
             exec "$VENV/bin/python" -m pytest -n "${DATALEDGER_TEST_WORKERS:-4}" --dist loadfile "$@" ;;
  lint)      setup_python
             "$VENV/bin/ruff" check .
             "$VENV/bin/ruff" format --check .
             # mypy cannot follow the package-dir mapping: give it the namespace as links.
             mkdir -p .lint/dataledger && touch .lint/dataledger/__init__.py  # else chain/artifacts/ (JSON) shadows artifacts.py
             for package in registry ledger api portal composition cli client; do ln -sfn "../../$package" ".lint/dataledger/$package"; done
             exec "$VENV/bin/mypy" -p dataledger ;;
  contracts) setup_python; setup_node  # compile | check (default): scripts/compile_contracts.py
             if [ "${1:-check}" = check ]; then set -- --check; else set --; fi
             exec "$VENV/bin/python" scripts/compile_contracts.py "$@" ;;
  bench)     setup_python; setup_node; exec "$VENV/bin/python" scripts/bench.py "$@" ;;
  screenshots) setup_python; setup_browser; exec "$VENV/bin/python" scripts/screenshots.py "$@" ;;  # OUT_DIR
  *) echo "usage: scripts/dev.sh demo|serve|test|lint|contracts|bench|screenshots [args]" >&2; exit 2 ;;
esac
