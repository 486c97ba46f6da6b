"""Where GS1's conformance vectors live and which repository-added fields each one carries."""

from __future__ import annotations

from pathlib import Path

CONFORMANCE_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "epcis"

# The vectors with stored events carry fields that "repository-x" added to them; the expected IDs
# are computed with those left out, as repository-x must configure for its own fields.
REPOSITORY_X_ADDED_FIELDS = ("example:captureID", "repository-x:hash")


def conformance_documents() -> list[Path]:
    """Every ``*.jsonld`` vector (empty when the shared folder is absent)."""
    return sorted(CONFORMANCE_DIR.glob("*.jsonld")) if CONFORMANCE_DIR.is_dir() else []


def expected_hash_ids(document: Path) -> list[str]:
    return document.with_suffix(".hashes").read_text(encoding="utf-8").split()
