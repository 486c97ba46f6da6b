"""SIGKILL ``dataledger serve`` at many points of a mixed stream (direct registrations, batched ones and
EPCIS captures, from three clients at once), restarting it each time; then check that everything the
API acknowledged is there once, anchored where it was batched, and that ``dataledger audit`` is clean.

The default suite kills it 3 times; ``-m long`` 12 times.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from eth_account.signers.local import LocalAccount

from dataledger.cli.main import main
from dataledger.registry.holder_signatures import Eip712Domain, sign_registration_typed_data
from tests.anchoring.conftest import signed_item
from tests.epcis.factories import epcis_document, object_event
from tests.factories import asset_facts
from tests.nodes import free_port, live_enterprise, live_registry_domain, start_server

ADMIN = {"Authorization": "Bearer dev-admin-key"}


@dataclass
class Acknowledged:
    direct: list[str] = field(default_factory=list)
    batched: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def total(self) -> int:
        return len(self.direct) + len(self.batched) + len(self.events)


def until_stopped(stop: threading.Event, step: Callable[[httpx.Client], None], base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            try:
                step(client)
            except httpx.HTTPError:
                time.sleep(0.05)  # the server is down: try again until it is back or we are told to stop


def direct_step(
    holder: LocalAccount, headers: dict[str, str], acked: Acknowledged
) -> Callable[[httpx.Client], None]:
    def step(client: httpx.Client) -> None:
        facts = asset_facts()
        prepared = client.post("/v1/assets/registration-requests", json={"facts": facts}, headers=headers)
        if prepared.status_code != 200:
            return
        p = prepared.json()
        body = {
            "facts": facts,
            "salt": p["salt"],
            "nonce": p["nonce"],
            "deadline": p["deadline"],
            "signature": sign_registration_typed_data(holder.key, p["typedData"]),
        }
        response = client.post("/v1/assets", json=body, headers=headers)
        if response.status_code == 201:
            with acked.lock:
                acked.direct.append(response.json()["assetId"])

    return step


def batched_step(
    holder: LocalAccount, headers: dict[str, str], domain: Eip712Domain, acked: Acknowledged
) -> Callable[[httpx.Client], None]:
    counter = iter(range(1, 10**9))

    def step(client: httpx.Client) -> None:
        deadline = int(time.time()) + 3600
        items = [
            signed_item(domain, holder, facts=asset_facts(), nonce_index=next(counter), deadline=deadline)
            for _ in range(10)
        ]
        response = client.post("/v1/bulk/assets", json={"items": items}, headers=headers)
        if response.status_code in (200, 202):
            accepted = [
                i["assetId"] for i in response.json()["items"] if i["status"] in ("queued", "anchored")
            ]
            with acked.lock:
                acked.batched.extend(accepted)

    return step


def capture_step(headers: dict[str, str], acked: Acknowledged) -> Callable[[httpx.Client], None]:
    run = time.time_ns() % 10**6  # serials unique across test runs too (an SGTIN serial has 20 characters)
    counter = iter(range(1, 10**9))

    def step(client: httpx.Client) -> None:
        event = object_event(epcList=[f"urn:epc:id:sgtin:0614141.107346.k{run}x{next(counter)}"])
        response = client.post("/v1/events", json=epcis_document([event]), headers=headers)
        if response.status_code in (200, 202):
            with acked.lock:
                acked.events.extend(e["eventHashId"] for e in response.json()["events"])

    return step


@pytest.mark.slow
@pytest.mark.parametrize("kills", [3, pytest.param(12, marks=pytest.mark.long)])
def test_kills_in_a_mixed_stream_lose_nothing_acknowledged_and_double_nothing(
    tmp_path: Path, kills: int
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(tmp_path, port, [])
    acked = Acknowledged()
    stop = threading.Event()
    try:
        direct_holder, direct_headers = live_enterprise(base, "direct holder")
        batched_holder, batched_headers = live_enterprise(base, "batched holder")
        _, capturer_headers = live_enterprise(base, "capturer")
        domain = live_registry_domain(base)
        steps = [
            direct_step(direct_holder, direct_headers, acked),
            batched_step(batched_holder, batched_headers, domain, acked),
            capture_step(capturer_headers, acked),
        ]
        threads = [threading.Thread(target=until_stopped, args=(stop, s, base)) for s in steps]
        for thread in threads:
            thread.start()
        for _ in range(kills):
            target, direct_target = acked.total() + 15, len(acked.direct) + 2
            deadline = time.monotonic() + 60
            while (
                acked.total() < target or len(acked.direct) < direct_target
            ) and time.monotonic() < deadline:
                time.sleep(0.05)
            server.send_signal(signal.SIGKILL)  # mid-stream: requests of all three kinds in flight
            server.wait(timeout=10)
            server = start_server(tmp_path, port, [])
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert all(len(kind) > 0 for kind in (acked.direct, acked.batched, acked.events)), acked

        auditor_key = httpx.post(
            f"{base}/v1/participants", headers=ADMIN, json={"name": "auditor", "role": "auditor"}
        ).json()["apiKey"]
        auditor = {"Authorization": f"Bearer {auditor_key}"}
        with httpx.Client(base_url=base, timeout=30, headers=auditor) as client:
            for asset_id in acked.direct:
                check = client.get(f"/v1/audit/assets/{asset_id}")
                assert check.status_code == 200 and check.json()["consistent"], check.text
            wait_until(
                lambda: all(anchored(client, a) for a in acked.batched), "every batched entry anchored"
            )
            for hash_id in acked.events:
                assert client.get(f"/v1/events/{quote(hash_id, safe='')}").status_code == 200, hash_id
            listed = client.get("/v1/assets", params={"limit": 500}).json()["items"]
        ids = [a["assetId"] for a in listed]
        assert len(ids) == len(set(ids)), "an asset is stored twice"
        assert set(acked.direct) <= set(ids)
        assert len(set(acked.batched)) == len(acked.batched) and len(set(acked.events)) == len(acked.events)
    finally:
        stop.set()
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)

    assert main(["audit", "--data-dir", str(tmp_path)]) == 0
    print(  # the figures of this run: kills, acknowledged of each kind, lost 0, doubled 0
        f"crash loop: {kills} kills, acknowledged {len(acked.direct)} direct, {len(acked.batched)} batched,"
        f" {len(acked.events)} events; lost 0, doubled 0, audit clean"
    )


def anchored(client: httpx.Client, asset_id: str) -> bool:
    answer: Any = client.get(f"/v1/bulk/assets/{asset_id}/anchor")
    return bool(answer.status_code == 200)


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"not reached in {timeout_s} s: {what}"
        time.sleep(0.5)
