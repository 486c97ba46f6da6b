"""SIGKILL ``dataledger serve`` in a stream of signed acts (transfers back and forth, licence grants and
uses, consents, from three clients at once), restarting it each time; then check that every act the
API acknowledged is recorded once, that the store and the chain agree on each asset's holder and each
licence's uses (the acts a kill caught between the chain and the store were finished from the chain
at the restart, ``registry.act_journal``), and that ``dataledger audit`` is clean.

The default suite kills it 3 times; ``-m long`` 12 times.
"""

from __future__ import annotations

import hashlib
import itertools
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from dataledger.cli.main import main
from dataledger.registry.holder_signatures import sign_registration_typed_data, sign_typed_data
from tests.factories import asset_facts
from tests.nodes import free_port, start_server
from tests.test_crash_loop import ADMIN, until_stopped

_requests = itertools.count(1)


@dataclass
class Party:
    account: LocalAccount
    headers: dict[str, str]
    participant_id: str


@dataclass
class Acknowledged:
    transfers: list[tuple[str, str]] = field(default_factory=list)  # (asset, transaction)
    licences: list[int] = field(default_factory=list)
    uses: Counter[int] = field(default_factory=Counter)  # licence -> uses acknowledged
    consents: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def total(self) -> int:
        return len(self.transfers) + len(self.licences) + sum(self.uses.values()) + len(self.consents)


def party(base: str, role: str, name: str) -> Party:
    account = Account.create()
    created = httpx.post(
        f"{base}/v1/participants",
        headers=ADMIN,
        json={"name": name, "role": role, "address": account.address},
    ).json()
    return Party(account, {"Authorization": f"Bearer {created['apiKey']}"}, created["participant"]["id"])


def act(
    client: httpx.Client,
    actor: Party,
    prepare: str,
    submit: str,
    body: dict[str, Any],
    *,
    signer: LocalAccount | None = None,
    carry: tuple[str, ...] = ("salt",),
) -> httpx.Response | None:
    """Prepare, sign where the signer is, submit: the submission's response (None if refused before)."""
    prepared = client.post(prepare, json=body, headers=actor.headers)
    if prepared.status_code != 200:
        return None
    answer = prepared.json()
    submission = {
        **body,
        **{name: answer[name] for name in carry if name in answer},
        "nonce": answer["nonce"],
        "deadline": answer["deadline"],
        "signature": sign_typed_data((signer or actor.account).key, answer["typedData"]),
    }
    if "certificateNumber" in answer:
        submission |= {"certificateNumber": answer["certificateNumber"], "issuedAt": answer["issuedAt"]}
    if "terms" in answer and "validFrom" in answer["terms"]:
        submission["validFrom"] = answer["terms"]["validFrom"]
    return client.post(submit, json=submission, headers=actor.headers)


def certified_asset(client: httpx.Client, holder: Party, registrar: Party) -> str:
    facts = asset_facts()
    prepared = client.post(
        "/v1/assets/registration-requests", json={"facts": facts}, headers=holder.headers
    ).json()
    registered = client.post(
        "/v1/assets",
        json={
            "facts": facts,
            "salt": prepared["salt"],
            "nonce": prepared["nonce"],
            "deadline": prepared["deadline"],
            "signature": sign_registration_typed_data(holder.account.key, prepared["typedData"]),
        },
        headers=holder.headers,
    )
    assert registered.status_code == 201, registered.text
    asset_id = registered.json()["assetId"]
    for stage in ("formal", "substantive"):
        reviewed = act(
            client,
            registrar,
            f"/v1/assets/{asset_id}/review-requests",
            f"/v1/assets/{asset_id}/reviews",
            {"stage": stage, "passed": True, "reason": "complete"},
        )
        assert reviewed is not None and reviewed.status_code == 200, reviewed and reviewed.text
    issued = act(
        client,
        registrar,
        f"/v1/assets/{asset_id}/certificate-requests",
        f"/v1/assets/{asset_id}/certificates",
        {},
    )
    assert issued is not None and issued.status_code == 201, issued and issued.text
    return str(asset_id)


def transfer_step(
    asset_id: str, pair: tuple[Party, Party], acked: Acknowledged
) -> Callable[[httpx.Client], None]:
    by_address = {p.account.address.lower(): p for p in pair}

    def step(client: httpx.Client) -> None:
        stored = client.get(f"/v1/assets/{asset_id}", headers=pair[0].headers)
        if stored.status_code != 200:
            return
        holder = by_address[stored.json()["holderAddress"].lower()]
        to = pair[1] if holder is pair[0] else pair[0]
        response = act(
            client,
            holder,
            f"/v1/assets/{asset_id}/transfer-requests",
            f"/v1/assets/{asset_id}/transfers",
            {"to": to.account.address},
        )
        if response is not None and response.status_code == 201:
            with acked.lock:
                acked.transfers.append((asset_id, response.json()["transaction"]["txHash"]))

    return step


def licence_step(
    asset_id: str, holder: Party, licensee: Party, acked: Acknowledged
) -> Callable[[httpx.Client], None]:
    def step(client: httpx.Client) -> None:
        with acked.lock:
            open_licence = next((lid for lid in acked.licences if acked.uses[lid] < 3), None)
        if open_licence is None:
            terms = {
                "assetId": asset_id,
                "licensee": licensee.account.address,
                "scope": "monthly aggregates",
                "purpose": "replenishment forecasts",
                "validUntil": int(time.time()) + 30 * 24 * 3600,
                "maxUses": 1000,
                "derivativesAllowed": False,
                "commercial": False,
            }
            granted = act(client, holder, "/v1/licences/requests", "/v1/licences", terms)
            if granted is not None and granted.status_code == 201:
                with acked.lock:
                    acked.licences.append(int(granted.json()["licenceId"]))
            return
        request = "0x" + hashlib.sha256(f"query {next(_requests)} {time.time_ns()}".encode()).hexdigest()
        used = act(
            client,
            licensee,
            f"/v1/licences/{open_licence}/use-requests",
            f"/v1/licences/{open_licence}/uses",
            {"requestHash": request},
        )
        if used is not None and used.status_code == 201:
            with acked.lock:
                acked.uses[open_licence] += 1

    return step


def consent_step(enterprise: Party, acked: Acknowledged) -> Callable[[httpx.Client], None]:
    def step(client: httpx.Client) -> None:
        person = Account.create()
        body = {
            "subject": person.address,
            "purpose": "verify employment",
            "validUntil": int(time.time()) + 86400,
        }
        given = act(client, enterprise, "/v1/consents/requests", "/v1/consents", body, signer=person)
        if given is not None and given.status_code == 201:
            with acked.lock:
                acked.consents.append(int(given.json()["consentId"]))

    return step


@pytest.mark.slow
@pytest.mark.parametrize("kills", [3, pytest.param(12, marks=pytest.mark.long)])
def test_kills_in_a_stream_of_signed_acts_lose_nothing_acknowledged_and_double_nothing(
    tmp_path: Path, kills: int
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(tmp_path, port, [])
    acked = Acknowledged()
    stop = threading.Event()
    try:
        httpx.put(f"{base}/v1/registry/notice-period", json={"seconds": 0}, headers=ADMIN)
        registrar = party(base, "registrar", "registrar")
        seller, buyer = party(base, "enterprise", "seller"), party(base, "enterprise", "buyer")
        licensor, licensee = party(base, "enterprise", "licensor"), party(base, "enterprise", "licensee")
        employer = party(base, "enterprise", "employer")
        with httpx.Client(base_url=base, timeout=30) as client:
            traded = certified_asset(client, seller, registrar)
            licensed = certified_asset(client, licensor, registrar)
        steps = [
            transfer_step(traded, (seller, buyer), acked),
            licence_step(licensed, licensor, licensee, acked),
            consent_step(employer, acked),
        ]
        threads = [threading.Thread(target=until_stopped, args=(stop, s, base)) for s in steps]
        for thread in threads:
            thread.start()
        for _ in range(kills):
            target = acked.total() + 6
            deadline = time.monotonic() + 60
            while acked.total() < target and time.monotonic() < deadline:
                time.sleep(0.05)
            server.send_signal(signal.SIGKILL)  # mid-stream: acts of all three kinds in flight
            server.wait(timeout=10)
            server = start_server(tmp_path, port, [])
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert acked.transfers and acked.licences and acked.consents, acked

        with httpx.Client(base_url=base, timeout=30, headers=seller.headers) as client:
            # The holder the store names is the one the chain names.
            stored = client.get(f"/v1/assets/{traded}").json()
            on_chain = client.get(f"/v1/assets/{traded}/procedure").json()
            assert stored["holderAddress"].lower() == on_chain["holder"].lower()
            history = client.get(f"/v1/assets/{traded}/history", params={"act": "transferred", "limit": 500})
            recorded = [h["chainEvidence"]["txHash"] for h in history.json()["items"]]
            assert len(recorded) == len(set(recorded)), "a transfer is recorded twice"
            assert {tx for _, tx in acked.transfers} <= set(recorded), "an acknowledged transfer is lost"
        with httpx.Client(base_url=base, timeout=30, headers=licensor.headers) as client:
            for licence_id in acked.licences:
                licence = client.get(f"/v1/licences/{licence_id}").json()
                assert licence["uses"] >= acked.uses[licence_id]
            uses = client.get(f"/v1/assets/{licensed}/history", params={"act": "licence-used", "limit": 500})
            used = [h["chainEvidence"]["txHash"] for h in uses.json()["items"]]
            assert len(used) == len(set(used)), "a licence use is recorded twice"
        with httpx.Client(base_url=base, timeout=30, headers=employer.headers) as client:
            consents = client.get("/v1/consents", params={"limit": 500}).json()["items"]
            assert set(acked.consents) <= {c["consentId"] for c in consents}
    finally:
        stop.set()
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)

    assert main(["audit", "--data-dir", str(tmp_path)]) == 0  # holders, uses, consents: store = chain
    print(  # the figures of this run
        f"crash loop (acts): {kills} kills, acknowledged {len(acked.transfers)} transfers,"
        f" {len(acked.licences)} licences, {sum(acked.uses.values())} uses, {len(acked.consents)} consents;"
        " lost 0, doubled 0, audit clean"
    )
