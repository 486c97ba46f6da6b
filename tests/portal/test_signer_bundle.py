"""The browser's bundles, built offline by esbuild from ``web/``, are committed: the signing bundle
(``portal/static/signer.bundle.js``: ethers) and the workspace's hashing worker
(``portal/static/hash.worker.bundle.js``: @noble/hashes' streaming SHA-256); rebuilding them from the
sources and the locked packages gives the same bytes."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
BUNDLE = REPO / "portal" / "static" / "signer.bundle.js"
HASH_WORKER = REPO / "portal" / "static" / "hash.worker.bundle.js"


def test_the_committed_bundles_are_what_the_sources_build() -> None:
    node = shutil.which("node")
    if node is None or not (WEB / "node_modules" / "esbuild").exists():
        reason = "the bundle's toolchain is not installed (cd web && npm ci)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true needs it: {reason}")
        pytest.skip(reason)
    built = subprocess.run(
        [node, str(WEB / "build.mjs"), "--check"], capture_output=True, text=True, timeout=120, check=False
    )
    assert built.returncode == 0, built.stderr


def test_the_bundle_exposes_the_signing_functions_and_no_key_leaves_it() -> None:
    source = BUNDLE.read_text(encoding="utf-8")
    assert source.startswith("var DataledgerSigner=")
    for name in ("unlockKeystore", "injectedWallet", "digest", "signerOf"):
        assert name in source
    assert "fetch(" not in source and "XMLHttpRequest" not in source  # it talks to no server


def test_the_hash_worker_hashes_in_chunks_and_talks_to_no_server() -> None:
    source = HASH_WORKER.read_text(encoding="utf-8")
    assert ".slice(" in source and "postMessage" in source and "progress" in source
    assert "fetch(" not in source and "XMLHttpRequest" not in source  # the file's bytes never leave it
