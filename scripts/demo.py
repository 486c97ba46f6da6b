"""``dataledger demo``: the registration story, end to end over HTTP, on the embedded chain.

A registrar, an enterprise (an offshore duty-free operator) and an exchange. The enterprise
registers its sales dataset with its own key, the registrar certifies it, the exchange verifies the
certificate against the chain, and a tampered copy is rejected with the failing check named.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import random
import tempfile
from pathlib import Path
from typing import Any

from eth_account import Account
from fastapi.testclient import TestClient

from api.app import create_app
from registry.holder_signatures import sign_registration_typed_data
from scripts.composition import build_services
from scripts.settings import Settings


class _Story:
    def __init__(self) -> None:
        self.step = 0

    def say(self, title: str, **facts: Any) -> None:
        self.step += 1
        print(f"\n[{self.step}] {title}")
        for key, value in facts.items():
            print(f"      {key:<22} {value}")


def sample_sales_records(rows: int = 200, seed: int = 7) -> bytes:
    """A deterministic CSV of offshore duty-free sales (no personal data: quota records are hashed)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sale_id", "store", "sku", "category", "quantity", "amount_cny", "quota_record_hash"])
    stores = ["Haikou Mission Hills", "Sanya International", "Haikou Meilan Airport"]
    categories = ["cosmetics", "watches", "jewellery", "liquor", "electronics"]
    for i in range(rows):
        quota = hashlib.sha256(f"quota-{seed}-{i}".encode()).hexdigest()
        writer.writerow(
            [
                f"S{i:06d}",
                rng.choice(stores),
                f"SKU-{rng.randint(1000, 9999)}",
                rng.choice(categories),
                rng.randint(1, 3),
                rng.randint(200, 30000),
                quota,
            ]
        )
    return out.getvalue().encode()


def _ok(response: Any, expected: int = 200) -> dict:
    if response.status_code != expected:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path} -> {response.status_code}: "
            f"{response.text}"
        )
    return response.json()


def run_demo(settings: Settings | None = None) -> int:
    if settings is None:
        with tempfile.TemporaryDirectory(prefix="dataledger-demo-") as tmp:
            return _run(Settings(data_dir=Path(tmp)))
    return _run(settings)


def _run(settings: Settings) -> int:
    story = _Story()
    services = build_services(settings)
    try:
        client = TestClient(create_app(services))
        admin = {"Authorization": f"Bearer {settings.admin_api_key.get_secret_value()}"}
        health = _ok(client.get("/healthz"))
        story.say(
            "Ledger ready on the embedded chain",
            chain_id=health["chainId"],
            registry=health["registry"],
            data_dir=settings.data_dir,
        )

        registrar = _ok(
            client.post(
                "/v1/participants",
                headers=admin,
                json={"name": "Hainan Data Registry Centre", "role": "registrar"},
            ),
            201,
        )
        holder_key = Account.create()
        enterprise = _ok(
            client.post(
                "/v1/participants",
                headers=admin,
                json={
                    "name": "Sanya Duty-Free Operations Ltd",
                    "role": "enterprise",
                    "address": holder_key.address,
                },
            ),
            201,
        )
        exchange = _ok(
            client.post(
                "/v1/participants",
                headers=admin,
                json={"name": "Hainan Data Product Exchange", "role": "exchange"},
            ),
            201,
        )
        story.say(
            "Participants created",
            registrar=registrar["participant"]["name"],
            enterprise=enterprise["participant"]["name"],
            holder_address=holder_key.address,
            exchange=exchange["participant"]["name"],
        )
        as_enterprise = {"Authorization": f"Bearer {enterprise['apiKey']}"}
        as_registrar = {"Authorization": f"Bearer {registrar['apiKey']}"}

        data = sample_sales_records()
        rows = data.count(b"\n") - 1
        facts = {
            "name": "Offshore duty-free sales records, 2026 Q3",
            "content_hash": "0x" + hashlib.sha256(data).hexdigest(),
            "description": "Per-sale records of three duty-free stores; passenger quota records hashed",
            "source": "Point-of-sale systems of the holder's own stores",
            "collection_method": "Automatic export from POS, daily",
            "scale": f"{rows} rows, {len(data)} bytes",
            "update_frequency": "daily",
            "industry": "retail / offshore duty-free",
            "right_claimed": "data-resource-holding",
        }
        story.say(
            "The enterprise fingerprints its dataset (the data never leaves its premises)",
            content_hash=facts["content_hash"],
            scale=facts["scale"],
        )

        prepared = _ok(
            client.post("/v1/assets/registration-requests", headers=as_enterprise, json={"facts": facts})
        )
        signature = sign_registration_typed_data(holder_key.key, prepared["typedData"])
        story.say(
            "The holder signs the EIP-712 registration with its own key",
            asset_id=prepared["assetId"],
            nonce=prepared["nonce"],
            signature=signature[:20] + "…",
        )

        forged = sign_registration_typed_data(Account.create().key, prepared["typedData"])
        refused = client.post(
            "/v1/assets",
            headers=as_enterprise,
            json={
                "facts": facts,
                "salt": prepared["salt"],
                "nonce": prepared["nonce"],
                "deadline": prepared["deadline"],
                "signature": forged,
            },
        )
        story.say(
            "A registration signed by another key is refused (nothing is relayed)",
            status=refused.status_code,
            code=refused.json()["code"],
        )

        asset = _ok(
            client.post(
                "/v1/assets",
                headers=as_enterprise,
                json={
                    "facts": facts,
                    "salt": prepared["salt"],
                    "nonce": prepared["nonce"],
                    "deadline": prepared["deadline"],
                    "signature": signature,
                },
            ),
            201,
        )
        evidence = asset["chainEvidence"]
        story.say(
            "Registered on chain by DataRightsRegistry",
            tx_hash=evidence["txHash"],
            block=evidence["blockNumber"],
            log_index=evidence["logIndex"],
            state=asset["state"],
        )

        replay = client.post(
            "/v1/assets",
            headers=as_enterprise,
            json={
                "facts": facts,
                "salt": prepared["salt"],
                "nonce": prepared["nonce"],
                "deadline": prepared["deadline"],
                "signature": signature,
            },
        )
        story.say(
            "Replaying the same signed request is refused",
            status=replay.status_code,
            code=replay.json()["code"],
        )

        certificate = _ok(
            client.post(f"/v1/assets/{asset['assetId']}/certificates", headers=as_registrar), 201
        )
        subject = certificate["credentialSubject"]
        story.say(
            "The registrar issues the certificate (W3C VC 2.0, ecdsa-jcs-2019), its hash anchored on chain",
            number=subject["certificateNumber"],
            issuer=certificate["issuer"]["id"][:32] + "…",
            valid_until=certificate.get("validUntil"),
            proof=certificate["proof"]["cryptosuite"],
        )

        fetched = _ok(client.get(f"/v1/certificates/{subject['certificateNumber']}"))
        report = _ok(client.post("/v1/certificates/verify", json=fetched))
        story.say(
            "The exchange verifies the certificate against the registrar key and the chain",
            valid=report["valid"],
            checks=", ".join(c["name"] for c in report["checks"] if c["passed"]),
        )

        tampered = copy.deepcopy(fetched)
        tampered["credentialSubject"]["holder"]["name"] = "Someone Else Trading Co"
        bad = _ok(client.post("/v1/certificates/verify", json=tampered))
        story.say(
            "A tampered copy (holder name changed) is rejected",
            valid=bad["valid"],
            failed_check=bad["failedCheck"],
            detail=next(c["detail"] for c in bad["checks"] if not c["passed"]),
        )

        history = _ok(client.get(f"/v1/assets/{asset['assetId']}/history", headers=as_registrar))
        story.say(
            "The asset's history, each act with its transaction",
            **{f"{i + 1}. {h['act']}": h["chainEvidence"]["txHash"] for i, h in enumerate(history["items"])},
        )
        print("\nDemo complete.")
        return 0
    finally:
        services.close()
