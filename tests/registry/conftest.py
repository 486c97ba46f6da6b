"""Fixtures of the domain services' unit tests: a fresh world of in-memory fakes per test, and the
parties of the holder's acts and pledges (a module may name its own holder)."""

from __future__ import annotations

import pytest

from dataledger.registry.assets import AssetRecord
from dataledger.registry.participants import Participant, Role
from tests.registry.service_factories import World


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def holder(world: World) -> Participant:
    return world.participant(Role.ENTERPRISE, "Hainan duty-free operator")


@pytest.fixture
def bank(world: World) -> Participant:
    return world.participant(Role.ENTERPRISE, "Bank of Hainan")


@pytest.fixture
def certified(world: World, holder: Participant) -> AssetRecord:
    return world.certified(holder)[0]
