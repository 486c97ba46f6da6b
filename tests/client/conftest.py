"""Live servers for the SDK tests (the real ``dataledger serve``), and a record of the operations sent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.nodes import free_port, start_server

ADMIN_KEY = "dev-admin-key"
# Batches close fast, so bulk registrations and EPCIS events are anchored within a fraction of a second;
# the holder's API the delivery scenario deposits listens on 127.0.0.1 (refused by default).
SERVER_ENV = {"DATALEDGER_BATCH_MAX_DELAY_S": "0.1", "DATALEDGER_DELIVERY_PRIVATE_UPSTREAMS": "true"}


@contextmanager
def live_server(data_dir: Path, extra: list[str] | None = None) -> Iterator[str]:
    """``dataledger serve`` in its own process on a free port; its base URL until the block ends."""
    port = free_port()
    with pytest.MonkeyPatch.context() as env:
        for name, value in SERVER_ENV.items():
            env.setenv(name, value)
        server = start_server(data_dir, port, extra or [])
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server on the embedded chain and SQLite, shared by the SDK tests (each with its own parties)."""
    with live_server(tmp_path_factory.mktemp("sdk-embedded")) as base:
        yield base


class OperationLog:
    """The operationIds a client sent (from each request's ``operation_id`` extension), in order."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def record(self, request: httpx.Request) -> None:
        self.sent.append(str(request.extensions["operation_id"]))

    async def arecord(self, request: httpx.Request) -> None:
        self.record(request)

    def attach(self, http: httpx.Client) -> None:
        http.event_hooks["request"] = [*http.event_hooks["request"], self.record]

    def attach_async(self, http: httpx.AsyncClient) -> None:
        http.event_hooks["request"] = [*http.event_hooks["request"], self.arecord]


def server_operation_ids(base: str) -> set[str]:
    """Every operationId of the live server's OpenAPI document."""
    document: dict[str, Any] = httpx.get(f"{base}/openapi.json", timeout=30).json()
    return {
        spec["operationId"]
        for item in document["paths"].values()
        for method, spec in item.items()
        if method in {"get", "put", "post", "patch", "delete"}
    }
