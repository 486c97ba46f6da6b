"""Fixtures of the delivery gateway's tests: services on the session's anvil, each test on a chain
snapshot (as the lifecycle tests run), the licence terms and the clock never cached (``delivery_cache_s``
0), so a revocation or a move of the clock is seen at once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from tests.conftest import make_settings
from tests.delivery.driver import DeliveryDriver
from tests.lifecycle.conftest import clock  # noqa: F401 - the chain's clock, restored after each test
from tests.lifecycle.driver import ChainClock


@pytest.fixture
def services(clock: ChainClock, tmp_path: Path) -> Iterator[Services]:  # noqa: F811
    built = build_services(
        make_settings(
            tmp_path,
            rpc_url=clock.url,
            delivery_cache_s=0,
            delivery_window_s=300,
            delivery_private_upstreams=True,  # the holder's test API listens on 127.0.0.1
        )
    )
    yield built
    built.close()


@pytest.fixture
def api(services: Services, clock: ChainClock) -> DeliveryDriver:  # noqa: F811
    return DeliveryDriver(
        TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value(), clock
    )


class PersonalDataApi(BaseHTTPRequestHandler):
    """``/v2/records?...`` answers the record of the subject the gateway names; it notes every call."""

    calls: ClassVar[list[tuple[str, str | None, str | None]]] = []

    def do_GET(self) -> None:
        subject = self.headers.get("X-Data-Subject")
        PersonalDataApi.calls.append((self.path, subject, self.headers.get("X-Consent-Id")))
        body = json.dumps({"subject": subject, "path": self.path, "employer": "Hainan Mart"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def records_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), PersonalDataApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    PersonalDataApi.calls.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/v2"
    server.shutdown()
    server.server_close()
