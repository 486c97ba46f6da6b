"""Fixtures for traceability and lineage: services on the embedded chain, a capturing enterprise, helpers.

The batcher runs in the background as in production; tests that need anchors either ask the API to
wait, or run one forced round (:func:`anchor_now`) instead of waiting for the batch timer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from dataledger.registry.merkle import verify_proof
from tests.conftest import make_settings
from tests.factories import Actor, ApiDriver


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = build_services(make_settings(tmp_path))
    yield built
    built.close()


@pytest.fixture
def api(services: Services) -> ApiDriver:
    return ApiDriver(TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value())


@pytest.fixture
def party(api: ApiDriver) -> Actor:
    """A supply-chain party (an enterprise) that captures events."""
    return api.participant("enterprise", "Brand owner")


def capture(api: ApiDriver, actor: Actor, document: dict[str, Any] | bytes, **params: Any) -> httpx.Response:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    headers = {**actor.headers, "Content-Type": "application/ld+json"}
    return api.client.post("/v1/events", content=body, params=params, headers=headers)


def captured(api: ApiDriver, actor: Actor, document: dict[str, Any] | bytes, **params: Any) -> dict[str, Any]:
    response = capture(api, actor, document, **params)
    assert response.status_code in (200, 202), response.text
    return response.json()


def anchor_now(services: Services) -> None:
    """One batcher round that seals and anchors everything waiting (no batch timer)."""
    assert services.anchoring is not None
    services.anchoring.batcher.run_once(force=True)


def event_path(hash_id: str) -> str:
    return "/v1/events/" + quote(hash_id, safe="")


def b32(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def assert_anchor_verifies(services: Services, anchor: dict[str, Any]) -> None:
    """The proof leads from the leaf to the root (offline), and the root is anchored on chain."""
    assert anchor["status"] == "anchored", anchor
    root, leaf, proof = b32(anchor["root"]), b32(anchor["leaf"]), [b32(p) for p in anchor["proof"]]
    assert verify_proof(root, leaf, proof)
    assert services.anchoring is not None
    client = services.anchoring.client
    assert client.verify_leaf(root, proof, leaf)
    assert anchor["anchor"]["contract"] == client.address
    assert anchor["anchor"]["txHash"].startswith("0x") and anchor["anchor"]["blockNumber"] > 0
