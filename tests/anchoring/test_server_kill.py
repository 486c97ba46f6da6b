"""SIGKILL a real server right after it acknowledged bulk registrations: a restart anchors them, once."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from dataledger.registry.merkle import verify_proof
from scripts.bench import ADMIN_KEY, Plan, Server
from tests.anchoring.conftest import SIGNATURE_LIFETIME_S, signed_item
from tests.factories import asset_facts

NEVER_CLOSES = Plan("test", 0, 0, 0, 1, max_leaves=100_000, max_delay_s=86_400.0, verify_seconds=0)
CLOSES_AT_ONCE = Plan("test", 0, 0, 0, 1, max_leaves=1_000, max_delay_s=0.0, verify_seconds=0)


def b32(value: str) -> bytes:
    return bytes.fromhex(value[2:])


def test_acknowledged_registrations_survive_a_kill_and_are_anchored_once(
    tmp_path: Path, anvil_url: str
) -> None:
    from eth_account import Account

    from dataledger.registry.holder_signatures import Eip712Domain

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    holder = Account.create()
    server = Server(data_dir, anvil_url, NEVER_CLOSES)
    try:
        with httpx.Client(base_url=server.base, timeout=60) as client:
            admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
            created = client.post(
                "/v1/participants",
                json={"name": "killed holder", "role": "enterprise", "address": holder.address},
                headers=admin,
            ).json()
            headers = {"Authorization": f"Bearer {created['apiKey']}"}
            registrar = client.get("/v1/registrar").json()["registry"]["eip712Domain"]
            domain = Eip712Domain(
                registrar["chainId"], registrar["verifyingContract"], registrar["name"], registrar["version"]
            )
            deadline = int(time.time()) + SIGNATURE_LIFETIME_S
            items = [
                signed_item(domain, holder, facts=asset_facts(), nonce_index=i, deadline=deadline)
                for i in range(7)
            ]
            response = client.post("/v1/bulk/assets", json={"items": items}, headers=headers)
            assert response.status_code == 202 and response.json()["accepted"] == 7
            asset_ids = [item["assetId"] for item in response.json()["items"]]
            pending = client.get(f"/v1/bulk/assets/{asset_ids[0]}/anchor", headers=headers)
            assert pending.status_code == 202
    finally:
        server.process.kill()  # SIGKILL: no shutdown, no flush beyond what was committed
        server.process.wait()
        server.stop()

    restarted = Server(data_dir, anvil_url, CLOSES_AT_ONCE)
    try:
        with httpx.Client(base_url=restarted.base, timeout=60) as client:
            anchors = []
            for asset_id in asset_ids:
                deadline_s = time.monotonic() + 30
                while (
                    answer := client.get(f"/v1/bulk/assets/{asset_id}/anchor", headers=headers)
                ).status_code == 202:
                    assert time.monotonic() < deadline_s, "not anchored after the restart"
                    time.sleep(0.05)
                assert answer.status_code == 200, answer.text
                anchors.append(answer.json())
    finally:
        restarted.stop()
    assert {a["anchor"]["txHash"] for a in anchors} == {anchors[0]["anchor"]["txHash"]}  # one batch, one tx
    assert anchors[0]["anchor"]["batchId"] == 1  # the first anchor of this registry: nothing sent twice
    for anchor in anchors:
        assert verify_proof(b32(anchor["root"]), b32(anchor["leaf"]), [b32(p) for p in anchor["proof"]])
