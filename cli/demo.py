"""``dataledger demo``: the data rights lifecycle, end to end over HTTP with the SDK, on the embedded chain.

An offshore duty-free operator registers its sales dataset with its own key; two registration
institutions share the registry, each signing its acts with its own key (the chain checks the
signature and the institution's registrar role, and names it in every event): one passes the formal
review, the other the substantive one, which opens the public notice; a competitor objects and the
first institution dismisses the objection; the notice ends (the chain's clock is moved on, nothing
sleeps) and the certificate is issued; an exchange verifies it and rejects a tampered copy; an
analytics firm's licence of one use is used once and refused the second time; the dataset is pledged
to a bank (both sign; a registrar certifies the pledge), cannot be transferred while pledged, and is
released; it is transferred to a buyer, and the second institution issues the new certificate, which
supersedes the old one; and the whole history, naming which institution did what, is checked against
the chain. Then the offshore duty-free chain is traced (``cli.demo_traceability``) and the Hainan
data-product supermarket runs its day (``cli.demo_market``): a listing found in Chinese and English,
an order signed by the buyer, vouchers capped at a tenth of the price, the data delivered once per use.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dataledger.api.app import create_app
from dataledger.cli.demo_market import run_market_story
from dataledger.cli.demo_traceability import run_traceability_story
from dataledger.cli.local_server import serving
from dataledger.client import ApiError, Client, ExternalSigner, LocalKeySigner, hash_path
from dataledger.composition import build_services
from dataledger.composition.settings import Settings


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


def run_demo(settings: Settings | None = None) -> int:
    if settings is None:
        with tempfile.TemporaryDirectory(prefix="dataledger-demo-") as tmp:
            return _run(Settings(data_dir=Path(tmp)))
    return _run(settings)


def _advance_chain(services: Any, seconds: int) -> None:
    """Move the chain's clock on (the devnet's evm_increaseTime), then mine a block at the new time."""
    services.w3.provider.make_request("evm_increaseTime", [seconds])
    services.w3.provider.make_request("evm_mine", [])


def _refused(error: ApiError) -> dict[str, Any]:
    return {"status": error.status, "code": error.code}


def _refusal(call: Callable[[], object]) -> ApiError:
    """The problem ``call`` is refused with (the story expects a refusal here)."""
    try:
        call()
    except ApiError as error:
        return error
    raise RuntimeError("the ledger accepted an act it must refuse")


def _run(settings: Settings) -> int:
    story = _Story()
    services = build_services(settings)
    try:
        with serving(create_app(services, on_shutdown=[services.drain])) as url:
            _story(story, services, url, settings.admin_api_key.get_secret_value())
        print("\nDemo complete.")
        return 0
    finally:
        services.close()


def _story(story: _Story, services: Any, url: str, admin_key: str) -> None:
    """The parties, each with its own SDK client (its API key) and its own key (a local signer)."""
    admin = Client(url, admin_key)
    health = admin.health.liveness()
    story.say(
        "Ledger ready on the embedded chain; every party below talks to it over HTTP with the SDK",
        chain_id=health["chainId"],
        registry=health["registry"],
        api=url,
    )

    holder_key, competitor_key, bank_key, analyst_key, buyer_key = (
        LocalKeySigner.generate() for _ in range(5)
    )
    # Two registration institutions, each with its own key (granted the registrar role on chain).
    haikou_key, sanya_key = LocalKeySigner.generate(), LocalKeySigner.generate()

    def party(name: str, role: str, key: LocalKeySigner | None = None) -> tuple[Client, dict[str, Any]]:
        created = admin.participants.create(name, role, key.address if key else None)
        return Client(url, created["apiKey"]), created["participant"]

    as_registrar, registrar = party("Haikou Data Registration Centre", "registrar", haikou_key)
    as_second_registrar, second_registrar = party("Sanya Data Registration Station", "registrar", sanya_key)
    as_enterprise, enterprise = party("Sanya Duty-Free Operations Ltd", "enterprise", holder_key)
    as_competitor, _ = party("Haikou Travel Retail Co", "enterprise", competitor_key)
    as_exchange, exchange = party("Hainan Data Product Exchange", "exchange")
    as_bank, bank = party("Bank of Hainan", "enterprise", bank_key)
    as_analyst, analyst = party("Qiongzhou Demand Analytics", "enterprise", analyst_key)
    _, buyer = party("Boao Retail Data Services", "enterprise", buyer_key)
    story.say(
        "Participants created, each enterprise and each registration institution with its own chain key",
        registrar=f"{registrar['name']} ({haikou_key.address})",
        second_registrar=f"{second_registrar['name']} ({sanya_key.address})",
        holder=f"{enterprise['name']} ({holder_key.address})",
        exchange=exchange["name"],
        pledgee=bank["name"],
        licensee=analyst["name"],
        buyer=buyer["name"],
    )

    data = sample_sales_records()
    rows = data.count(b"\n") - 1
    with tempfile.TemporaryDirectory(prefix="dataledger-demo-data-") as folder:
        dataset = Path(folder) / "sales-2026q3.csv"
        dataset.write_bytes(data)
        facts = {
            "name": "Offshore duty-free sales records, 2026 Q3",
            "description": "Per-sale records of three duty-free stores; passenger quota records hashed",
            "source": "Point-of-sale systems of the holder's own stores",
            "collectionMethod": "Automatic export from POS, daily",
            "scale": f"{rows} rows, {len(data)} bytes",
            "updateFrequency": "daily",
            "industry": "retail / offshore duty-free",
            "rightClaimed": "data-resource-holding",
        }
        content_hash = hash_path(dataset)
        story.say(
            "The enterprise fingerprints its dataset where it lies (the data never leaves its premises)",
            content_hash=content_hash,
            scale=facts["scale"],
        )
        impostor_key = LocalKeySigner.generate()
        impostor = ExternalSigner(holder_key.address, impostor_key.sign_typed_data)
        forged = _refusal(lambda: as_enterprise.assets.register(dataset, facts, signer=impostor))
        story.say("A registration signed by another key is refused (nothing is relayed)", **_refused(forged))
        signed: dict[str, Any] = {}

        def holder_signs(typed_data: dict[str, Any]) -> str:
            signed.update(typedData=typed_data, signature=holder_key.sign_typed_data(typed_data))
            return str(signed["signature"])

        asset = as_enterprise.assets.register(
            dataset, facts, signer=ExternalSigner(holder_key.address, holder_signs)
        )
    asset_id = asset["assetId"]
    evidence = asset["chainEvidence"]
    story.say(
        "Evidence deposited and registration applied for: one holder-signed act, relayed on chain",
        asset_id=asset_id,
        right_claimed=facts["rightClaimed"],
        tx_hash=evidence["txHash"],
        block=evidence["blockNumber"],
    )
    message = signed["typedData"]["message"]
    replayed = {
        "facts": {**facts, "contentHash": content_hash},
        "salt": asset["salt"],
        "nonce": message["nonce"],
        "deadline": message["deadline"],
        "signature": signed["signature"],
    }
    replay = _refusal(lambda: as_enterprise.call("registerAsset", "POST", "/v1/assets", json=replayed))
    story.say("Replaying the same signed request is refused", **_refused(replay))

    notice_s = 15 * 24 * 3600
    admin.procedure.set_notice_period(notice_s)
    impostor_review = _refusal(
        lambda: as_registrar.procedure.review(
            asset_id,
            "formal",
            reason="looks fine",
            signer=ExternalSigner(haikou_key.address, impostor_key.sign_typed_data),
        )
    )
    story.say(
        "A review signed by another key in the Haikou centre's name is refused (nothing is relayed)",
        **_refused(impostor_review),
    )
    as_registrar.procedure.review(
        asset_id, "formal", reason="application complete and well formed", signer=haikou_key
    )
    as_second_registrar.procedure.review(
        asset_id,
        "substantive",
        reason="a processed collection, lawfully obtained from the holder's own stores",
        signer=sanya_key,
    )
    procedure = as_registrar.procedure.status(asset_id)
    story.say(
        "Haikou signs the formal review, Sanya the substantive one: public notice of 15 days",
        state=procedure["state"],
        notice_ends_at=datetime.fromtimestamp(procedure["procedure"]["noticeEndsAt"], UTC).isoformat(),
    )

    objection = as_competitor.procedure.object(
        asset_id,
        "the records include sales of our concession counters",
        signer=competitor_key,
        evidence_hash="0x" + "5e" * 32,
    )
    story.say(
        "A competitor objects during the notice, signing with its own key",
        objection=objection["objectionId"],
        reason=objection["reason"],
    )
    early = _refusal(lambda: as_registrar.assets.issue_certificate(asset_id, signer=haikou_key))
    story.say("A certificate before the notice ends is refused by the contract", **_refused(early))

    _advance_chain(services, notice_s + 60)
    blocked = _refusal(lambda: as_registrar.assets.issue_certificate(asset_id, signer=haikou_key))
    story.say("15 days later (the chain's clock): still refused, an objection is open", **_refused(blocked))
    resolution = as_registrar.procedure.resolve(
        objection["objectionId"],
        upheld=False,
        resolution="concession sales are booked by the holder's own POS",
        signer=haikou_key,
    )
    story.say("The Haikou centre dismisses the objection, with its reason", status=resolution["status"])

    certificate = as_registrar.assets.issue_certificate(asset_id, signer=haikou_key)
    subject = certificate["credentialSubject"]
    story.say(
        "Haikou issues the certificate (W3C VC 2.0, ecdsa-jcs-2019); its hash is anchored by its signature",
        number=subject["certificateNumber"],
        issuer=certificate["issuer"]["id"][:32] + "…",
        valid_until=certificate.get("validUntil"),
    )
    report = as_exchange.certificates.verify(certificate)
    story.say(
        "The exchange verifies the certificate against the registrar key and the chain",
        valid=report["valid"],
        checks=", ".join(c["name"] for c in report["checks"] if c["passed"]),
    )
    tampered = copy.deepcopy(certificate)
    tampered["credentialSubject"]["holder"]["name"] = "Someone Else Trading Co"
    bad = as_exchange.certificates.verify(tampered)
    story.say("A tampered copy (holder name changed) is rejected", failed_check=bad["failedCheck"])

    now = services.registry.next_block_timestamp()
    licence = as_enterprise.licences.grant(
        asset_id,
        analyst_key.address,
        scope="category and quantity per store, monthly aggregates",
        purpose="replenishment forecast for the 2026 Spring Festival",
        territory="CN-HI",
        valid_from=now,
        valid_until=now + 90 * 24 * 3600,
        max_uses=1,
        commercial=True,
        signer=holder_key,
    )
    story.say(
        "The holder grants the analytics firm a licence of exactly one use",
        licence=licence["licenceId"],
        purpose=licence["purpose"],
        max_uses=licence["maxUses"],
    )
    first_query = "0x" + hashlib.sha256(b"forecast query #1").hexdigest()
    used = as_analyst.licences.use(licence["licenceId"], first_query, signer=analyst_key)
    story.say(
        "The licensee consumes the use on chain, naming its request",
        use=used["use"]["number"],
        request_hash=used["use"]["requestHash"][:18] + "…",
        tx_hash=used["use"]["chainEvidence"]["txHash"],
    )
    second_query = "0x" + hashlib.sha256(b"forecast query #2").hexdigest()
    again = _refusal(lambda: as_analyst.licences.use(licence["licenceId"], second_query, signer=analyst_key))
    story.say("A second use is refused: one authorisation per use", **_refused(again))

    proposal = as_enterprise.assets.propose_pledge(
        asset_id,
        bank_key.address,
        "RMB 5m working-capital facility, 12 months",
        secured_amount=500_000_000,
        currency="CNY",
        maturity=int(time.time()) + 365 * 86400,
        valuation="Appraised at RMB 8m by Hainan Data Appraisal (report 2026-311)",
        signer=holder_key,
    )
    pledge = as_bank.assets.accept_pledge(proposal, signer=bank_key)
    story.say(
        "The holder and the bank both sign the pledge (data-IP pledge financing); the bank files it",
        status=pledge["status"],
        secured=f"{pledge['securedAmount'] / 100:,.2f} {pledge['currency']}",
    )
    pledge_certificate = as_registrar.assets.certify_pledge(asset_id, signer=haikou_key)
    standing = as_bank.certificates.verify_pledge_certificate(pledge_certificate)
    story.say(
        "The registrar files the pledge and issues its registration certificate; the bank checks it",
        number=pledge_certificate["credentialSubject"]["pledgeCertificateNumber"],
        standing=standing["standing"],
    )
    blocked_transfer = _refusal(
        lambda: as_enterprise.assets.transfer(asset_id, buyer_key.address, signer=holder_key)
    )
    story.say("While pledged, a transfer is refused by the contract", **_refused(blocked_transfer))
    released = as_bank.assets.release_pledge(asset_id, signer=bank_key)
    story.say("The bank releases the pledge, signing with its own key", status=released["status"])

    transferred = as_enterprise.assets.transfer(asset_id, buyer_key.address, signer=holder_key)
    story.say(
        "The holder transfers the rights to the buyer, signing with its key",
        tx_hash=transferred["transaction"]["txHash"],
    )
    reissued = as_second_registrar.assets.issue_certificate(asset_id, signer=sanya_key)
    new_subject = reissued["credentialSubject"]
    old_report = as_exchange.certificates.verify(certificate)
    story.say(
        "Sanya issues the buyer's certificate; the old one is superseded",
        new_certificate=new_subject["certificateNumber"],
        new_holder=new_subject["holder"]["name"],
        old_certificate=f"{old_report['status']} by {old_report['supersededByNumber']}",
    )

    history = as_registrar.assets.history(asset_id, check=True)
    names = {
        haikou_key.address.lower(): "Haikou centre",
        sanya_key.address.lower(): "Sanya station",
        holder_key.address.lower(): "holder",
        competitor_key.address.lower(): "competitor",
        bank_key.address.lower(): "bank",
        buyer_key.address.lower(): "buyer",
        analyst_key.address.lower(): "licensee",
    }
    story.say(
        "The asset's history: who signed each act, its transaction, checked against the chain",
        **{
            f"{i + 1:>2}. {h['act']}": f"{names.get(h['actor'].lower(), h['actor'][:12])}, "
            f"{h['chainEvidence']['txHash'][:18]}… {'ok' if h['chainCheck']['passed'] else 'MISMATCH'}"
            for i, h in enumerate(history["items"])
        },
    )
    # -- traceability: the duty-free chain as EPCIS events, and a recall (cli.demo_traceability)
    run_traceability_story(admin, story.say, services.anchoring.client)
    # -- the market: the Hainan data-product supermarket (cli.demo_market)
    run_market_story(admin, story.say)
