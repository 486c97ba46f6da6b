"""Fixtures of the domain services' unit tests: a fresh world of in-memory fakes per test."""

from __future__ import annotations

import pytest

from tests.registry.service_factories import World


@pytest.fixture
def world() -> World:
    return World()
