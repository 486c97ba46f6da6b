"""Fixtures for the tests of registry.epcis (factories live in tests/epcis/factories.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.epcis.conformance import CONFORMANCE_DIR
from tests.epcis.factories import epcis_document, object_event


@pytest.fixture
def make_event() -> Callable[..., dict[str, Any]]:
    return object_event


@pytest.fixture
def make_document() -> Callable[..., dict[str, Any]]:
    return epcis_document


@pytest.fixture
def conformance_dir() -> Path:
    if not CONFORMANCE_DIR.is_dir():
        pytest.skip(f"GS1 conformance vectors not found at {CONFORMANCE_DIR}")
    return CONFORMANCE_DIR
