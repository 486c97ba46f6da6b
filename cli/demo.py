"""``dataledger demo``: the data rights lifecycle, end to end over HTTP, on the embedded chain.

An offshore duty-free operator registers its sales dataset with its own key; the registrar reviews
it and publishes it for public notice; a competitor objects and the registrar dismisses the
objection; the notice ends (the chain's clock is moved on, nothing sleeps) and the certificate is
issued; an exchange verifies it and rejects a tampered copy; an analytics firm's licence of one use
is used once and refused the second time; the dataset is pledged to a bank, cannot be transferred
while pledged, and is released; it is transferred to a buyer, whose new certificate supersedes the
old one; and the whole history is checked against the chain.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_account import Account
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.cli.demo_traceability import run_traceability_story
from dataledger.composition import build_services
from dataledger.composition.settings import Settings
from dataledger.registry.holder_signatures import sign_registration_typed_data, sign_typed_data


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


class _Demo:
    """The HTTP client with the signing steps users do: prepare an act, sign it with a key, submit it."""

    def __init__(self, client: TestClient, admin: dict[str, str]) -> None:
        self.client = client
        self.admin = admin

    def participant(self, name: str, role: str, key: Any = None) -> tuple[dict[str, str], dict]:
        body: dict[str, Any] = {"name": name, "role": role}
        if key is not None:
            body["address"] = key.address
        created = _ok(self.client.post("/v1/participants", headers=self.admin, json=body), 201)
        return {"Authorization": f"Bearer {created['apiKey']}"}, created["participant"]

    def act(
        self,
        headers: dict[str, str],
        key: Any,
        prepare: str,
        submit: str,
        body: dict[str, Any],
        expected: int = 201,
    ) -> Any:
        """Prepare, sign, submit. Returns the JSON answer, or the refusal's response if one is expected."""
        prepared = self.client.post(prepare, headers=headers, json=body)
        if prepared.status_code != 200:
            return prepared
        answer = prepared.json()
        submission = {
            **body,
            **({"salt": answer["salt"]} if "salt" in answer else {}),
            "nonce": answer["nonce"],
            "deadline": answer["deadline"],
            "signature": sign_typed_data(key.key, answer["typedData"]),
        }
        response = self.client.post(submit, headers=headers, json=submission)
        return _ok(response, expected) if expected < 400 else response


def _advance_chain(services: Any, seconds: int) -> None:
    """Move the chain's clock on (the devnet's evm_increaseTime), then mine a block at the new time."""
    services.w3.provider.make_request("evm_increaseTime", [seconds])
    services.w3.provider.make_request("evm_mine", [])


def _refused(response: Any) -> dict[str, Any]:
    return {"status": response.status_code, "code": response.json()["code"]}


def _run(settings: Settings) -> int:
    story = _Story()
    services = build_services(settings)
    try:
        client = TestClient(create_app(services))
        admin = {"Authorization": f"Bearer {settings.admin_api_key.get_secret_value()}"}
        demo = _Demo(client, admin)
        health = _ok(client.get("/healthz"))
        story.say(
            "Ledger ready on the embedded chain",
            chain_id=health["chainId"],
            registry=health["registry"],
            data_dir=settings.data_dir,
        )

        holder_key, competitor_key, bank_key, analyst_key, buyer_key = (Account.create() for _ in range(5))
        as_registrar, registrar = demo.participant("Hainan Data Registry Centre", "registrar")
        as_enterprise, enterprise = demo.participant(
            "Sanya Duty-Free Operations Ltd", "enterprise", holder_key
        )
        as_competitor, _ = demo.participant("Haikou Travel Retail Co", "enterprise", competitor_key)
        _, exchange = demo.participant("Hainan Data Product Exchange", "exchange")
        as_bank, bank = demo.participant("Bank of Hainan", "enterprise", bank_key)
        as_analyst, analyst = demo.participant("Qiongzhou Demand Analytics", "enterprise", analyst_key)
        _, buyer = demo.participant("Boao Retail Data Services", "enterprise", buyer_key)
        story.say(
            "Participants created, each enterprise with its own chain key",
            registrar=registrar["name"],
            holder=f"{enterprise['name']} ({holder_key.address})",
            exchange=exchange["name"],
            pledgee=bank["name"],
            licensee=analyst["name"],
            buyer=buyer["name"],
        )

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
        submission = {
            "facts": facts,
            "salt": prepared["salt"],
            "nonce": prepared["nonce"],
            "deadline": prepared["deadline"],
            "signature": signature,
        }
        forged = {
            **submission,
            "signature": sign_registration_typed_data(Account.create().key, prepared["typedData"]),
        }
        refused = client.post("/v1/assets", headers=as_enterprise, json=forged)
        story.say("A registration signed by another key is refused (nothing is relayed)", **_refused(refused))
        asset = _ok(client.post("/v1/assets", headers=as_enterprise, json=submission), 201)
        asset_id = asset["assetId"]
        evidence = asset["chainEvidence"]
        story.say(
            "Evidence deposited and registration applied for: one holder-signed act on chain",
            asset_id=asset_id,
            right_claimed=facts["right_claimed"],
            lawful_source_hash=prepared["lawfulSourceHash"],
            tx_hash=evidence["txHash"],
            block=evidence["blockNumber"],
        )
        replay = client.post("/v1/assets", headers=as_enterprise, json=submission)
        story.say("Replaying the same signed request is refused", **_refused(replay))

        notice_s = 15 * 24 * 3600
        _ok(client.put("/v1/registry/notice-period", headers=admin, json={"seconds": notice_s}))
        for stage, reason in (
            ("formal", "application complete and well formed"),
            ("substantive", "a processed collection, lawfully obtained from the holder's own stores"),
        ):
            _ok(
                client.post(
                    f"/v1/assets/{asset_id}/reviews",
                    headers=as_registrar,
                    json={"stage": stage, "passed": True, "reason": reason},
                )
            )
        procedure = _ok(client.get(f"/v1/assets/{asset_id}/procedure", headers=as_registrar))
        story.say(
            "The registrar passes the formal and substantive reviews: public notice of 15 days",
            state=procedure["state"],
            notice_ends_at=datetime.fromtimestamp(procedure["procedure"]["noticeEndsAt"], UTC).isoformat(),
        )

        objection = demo.act(
            as_competitor,
            competitor_key,
            f"/v1/assets/{asset_id}/objection-requests",
            f"/v1/assets/{asset_id}/objections",
            {
                "reason": "the records include sales of our concession counters",
                "evidence_hash": "0x" + "5e" * 32,
            },
        )
        story.say(
            "A competitor objects during the notice, signing with its own key",
            objection=objection["objectionId"],
            reason=objection["reason"],
        )
        early = client.post(f"/v1/assets/{asset_id}/certificates", headers=as_registrar)
        story.say("A certificate before the notice ends is refused by the contract", **_refused(early))

        _advance_chain(services, notice_s + 60)
        blocked = client.post(f"/v1/assets/{asset_id}/certificates", headers=as_registrar)
        story.say(
            "15 days later (the chain's clock): still refused, an objection is open", **_refused(blocked)
        )
        resolution = _ok(
            client.post(
                f"/v1/objections/{objection['objectionId']}/resolution",
                headers=as_registrar,
                json={"upheld": False, "resolution": "concession sales are booked by the holder's own POS"},
            )
        )
        story.say("The registrar dismisses the objection, with its reason", status=resolution["status"])

        certificate = _ok(client.post(f"/v1/assets/{asset_id}/certificates", headers=as_registrar), 201)
        subject = certificate["credentialSubject"]
        story.say(
            "The certificate is issued (W3C VC 2.0, ecdsa-jcs-2019) and its hash anchored on chain",
            number=subject["certificateNumber"],
            issuer=certificate["issuer"]["id"][:32] + "…",
            valid_until=certificate.get("validUntil"),
        )
        report = _ok(client.post("/v1/certificates/verify", json=certificate))
        story.say(
            "The exchange verifies the certificate against the registrar key and the chain",
            valid=report["valid"],
            checks=", ".join(c["name"] for c in report["checks"] if c["passed"]),
        )
        tampered = copy.deepcopy(certificate)
        tampered["credentialSubject"]["holder"]["name"] = "Someone Else Trading Co"
        bad = _ok(client.post("/v1/certificates/verify", json=tampered))
        story.say("A tampered copy (holder name changed) is rejected", failed_check=bad["failedCheck"])

        now = services.registry.next_block_timestamp()
        licence = demo.act(
            as_enterprise,
            holder_key,
            "/v1/licences/requests",
            "/v1/licences",
            {
                "asset_id": asset_id,
                "licensee": analyst_key.address,
                "scope": "category and quantity per store, monthly aggregates",
                "purpose": "replenishment forecast for the 2026 Spring Festival",
                "territory": "CN-HI",
                "valid_from": now,
                "valid_until": now + 90 * 24 * 3600,
                "max_uses": 1,
                "commercial": True,
            },
        )
        story.say(
            "The holder grants the analytics firm a licence of exactly one use",
            licence=licence["licenceId"],
            purpose=licence["purpose"],
            max_uses=licence["maxUses"],
        )
        request = {"request_hash": "0x" + hashlib.sha256(b"forecast query #1").hexdigest()}
        used = demo.act(
            as_analyst,
            analyst_key,
            f"/v1/licences/{licence['licenceId']}/use-requests",
            f"/v1/licences/{licence['licenceId']}/uses",
            request,
        )
        story.say(
            "The licensee consumes the use on chain, naming its request",
            use=used["use"]["number"],
            request_hash=used["use"]["requestHash"][:18] + "…",
            tx_hash=used["use"]["chainEvidence"]["txHash"],
        )
        again = demo.act(
            as_analyst,
            analyst_key,
            f"/v1/licences/{licence['licenceId']}/use-requests",
            f"/v1/licences/{licence['licenceId']}/uses",
            {"request_hash": "0x" + hashlib.sha256(b"forecast query #2").hexdigest()},
            expected=409,
        )
        story.say("A second use is refused: one authorisation per use", **_refused(again))

        pledge = demo.act(
            as_enterprise,
            holder_key,
            f"/v1/assets/{asset_id}/pledge-requests",
            f"/v1/assets/{asset_id}/pledges",
            {"pledgee": bank_key.address, "terms": "RMB 5m working-capital facility, 12 months"},
        )
        story.say(
            "The holder pledges the dataset to the bank (data-IP pledge financing)", status=pledge["status"]
        )
        blocked_transfer = demo.act(
            as_enterprise,
            holder_key,
            f"/v1/assets/{asset_id}/transfer-requests",
            f"/v1/assets/{asset_id}/transfers",
            {"to": buyer_key.address},
            expected=409,
        )
        story.say("While pledged, a transfer is refused by the contract", **_refused(blocked_transfer))
        released = demo.act(
            as_bank,
            bank_key,
            f"/v1/assets/{asset_id}/pledge-release-requests",
            f"/v1/assets/{asset_id}/pledge-release",
            {},
            expected=200,
        )
        story.say("The bank releases the pledge, signing with its own key", status=released["status"])

        transferred = demo.act(
            as_enterprise,
            holder_key,
            f"/v1/assets/{asset_id}/transfer-requests",
            f"/v1/assets/{asset_id}/transfers",
            {"to": buyer_key.address},
        )
        new_subject = transferred["certificate"]["credentialSubject"]
        old_report = _ok(client.post("/v1/certificates/verify", json=certificate))
        story.say(
            "The holder transfers the rights: the buyer gets a new certificate, the old one is superseded",
            new_certificate=new_subject["certificateNumber"],
            new_holder=new_subject["holder"]["name"],
            old_certificate=f"{old_report['status']} by {old_report['supersededByNumber']}",
        )

        history = _ok(client.get(f"/v1/assets/{asset_id}/history?check=true", headers=as_registrar))
        story.say(
            "The asset's history, each act with its transaction, checked against the chain",
            **{
                f"{i + 1:>2}. {h['act']}": f"{h['chainEvidence']['txHash'][:18]}… "
                f"{'ok' if h['chainCheck']['passed'] else 'MISMATCH'}"
                for i, h in enumerate(history["items"])
            },
        )
        # -- traceability: the duty-free chain as EPCIS events, and a recall (cli.demo_traceability)
        run_traceability_story(client, admin, story.say, services.anchoring.client)  # type: ignore[union-attr]
        print("\nDemo complete.")
        return 0
    finally:
        services.close()
