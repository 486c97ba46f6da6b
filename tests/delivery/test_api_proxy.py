"""An API deposit: each redeemed use allows one GET of the holder's API through the gateway (a tiny
local HTTP server stands in for it), hashed into the delivery's receipt; the API failing leaves the use
open; a second call on the same use gets nothing."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from tests.delivery.driver import DeliveryDriver
from tests.lifecycle.driver import assert_problem


class HolderApi(BaseHTTPRequestHandler):
    """``/sales?month=M`` answers JSON; ``/broken`` answers 500; anything else 404."""

    calls: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        HolderApi.calls.append(self.path)
        if self.path.startswith("/v2/sales"):
            body = json.dumps({"path": self.path, "sales": 1200}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(500 if self.path.startswith("/v2/broken") else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def holder_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), HolderApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    HolderApi.calls.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/v2"
    server.shutdown()
    server.server_close()


def test_each_use_allows_one_call_of_the_holders_api(api: DeliveryDriver, holder_api: str) -> None:
    licensed = api.licensed(max_uses=1, deposit=False)
    deposited = api.client.post(
        "/v1/deliveries/deposits",
        json={"assetId": licensed.asset["assetId"], "baseUrl": holder_api},
        headers=licensed.holder.headers,
    )
    assert deposited.status_code == 201, deposited.text
    use_id = api.redeem(licensed.licensee, api.signed_use(licensed.licensee, licensed.licence_id)).json()[
        "useId"
    ]
    path = f"/v1/deliveries/uses/{use_id}/api"

    broken = api.client.get(f"{path}/broken", headers=licensed.licensee.headers)
    assert_problem(broken, 502, "upstream-failed")
    answered = api.client.get(f"{path}/sales?month=2026-01", headers=licensed.licensee.headers)
    assert answered.status_code == 200, answered.text
    assert answered.json() == {"path": "/v2/sales?month=2026-01", "sales": 1200}
    assert answered.headers["x-content-sha256"] == "0x" + hashlib.sha256(answered.content).hexdigest()

    assert_problem(
        api.client.get(f"{path}/sales", headers=licensed.licensee.headers), 409, "delivery-window-closed"
    )
    assert HolderApi.calls == ["/v2/broken", "/v2/sales?month=2026-01"]
    receipt = api.client.get(
        f"/v1/deliveries/uses/{use_id}/receipt", headers=licensed.licensee.headers
    ).json()
    assert receipt["receipt"]["depositKind"] == "api"
    assert receipt["receipt"]["contentHash"] == answered.headers["x-content-sha256"]
    assert_problem(api.deliver(licensed), 409, "licence-used-up")


def test_a_path_stepping_out_of_the_api_is_refused(api: DeliveryDriver, holder_api: str) -> None:
    licensed = api.licensed(max_uses=1, deposit=False)
    api.client.post(
        "/v1/deliveries/deposits",
        json={"assetId": licensed.asset["assetId"], "baseUrl": holder_api},
        headers=licensed.holder.headers,
    )
    use_id = api.redeem(licensed.licensee, api.signed_use(licensed.licensee, licensed.licence_id)).json()[
        "useId"
    ]
    response = api.client.get(
        f"/v1/deliveries/uses/{use_id}/api/a/%2E%2E/secret", headers=licensed.licensee.headers
    )
    assert_problem(response, 422, "validation-failed")
    assert HolderApi.calls == []
