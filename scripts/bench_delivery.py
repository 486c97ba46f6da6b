"""Benchmark: deliveries per second through the delivery gateway, with every use checked against the chain.

On the embedded chain (the zero-set-up default) with SQLite, and with PostgreSQL (a throwaway database
``bench_delivery_…`` on ``--postgres``, dropped afterwards), it sets up over the API with the SDK what a
day of trading leaves: a holder, a licensee and a registrar; a certified asset whose file (``--size``
bytes) the holder deposited; a licence of ``--uses`` uses. The licensee signs ``--uses`` plus 10 %
``DeliveryUse``s beforehand (in its own process a wallet would), then ``--consumers`` threads (16)
share them out and deliver as fast as they can, each delivery a redemption (signature, licence on
chain, the use reserved in the database) and the whole object read. Two ways:

- ``service``: the gateway called in process (``DeliveryGateway.redeem`` and ``content``), what the
  gateway itself sustains;
- ``http``: a real ``dataledger serve`` (one process, as the default runs) and ``POST
  /v1/deliveries/uses`` + ``GET /v1/deliveries/uses/{useId}/content`` from the threads (httpx),
  HTTP, authentication and the load generator on the same machine included;
- ``http-one``: the same server, one request per delivery: ``POST /v1/deliveries/content`` redeems
  the signed use and answers the object (the same checks, half the requests).

Over-use is checked, not assumed: exactly ``--uses`` deliveries must succeed and every other attempt
be refused ``licence-used-up``; then the recorder's batches are awaited, and the chain's count of uses
must equal ``--uses`` with every use in a recorded batch (a sample of inclusion proofs is checked to
lead to the root the contract recorded), and the receipts anchored.

Usage: ``python scripts/bench_delivery.py [--quick] [--uses N] [--modes service,http,http-one]
[--databases sqlite,postgresql]``. ``--quick`` (400 uses) runs in about a minute. The aim is 1,000
deliveries per second on the embedded default; figures are printed, not asserted. The last line
printed is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
for _path in (REPO_ROOT, REPO_ROOT / "hardhat-free-devnet"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import coincurve  # noqa: E402
import httpx  # noqa: E402

from dataledger.client import Client, LocalKeySigner  # noqa: E402
from dataledger.registry.delivery.uses import DeliveryUse, new_use_nonce  # noqa: E402
from dataledger.registry.holder_signatures import Eip712Domain  # noqa: E402
from dataledger.registry.merkle import process_proof  # noqa: E402
from scripts.bench_market import throwaway_postgres  # noqa: E402

DEFAULT_POSTGRES = os.environ.get("DATALEDGER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
ADMIN_KEY = "dev-admin-key"
TARGET_PER_S = 1_000
PROOF_SAMPLE = 25
Log = Callable[[str], None]


@dataclass
class Scene:
    """What the setup leaves: the licensee's API key and signer, the licence, the object, the domain."""

    licensee_key: str
    licensee: LocalKeySigner
    licence_id: int
    content: bytes
    domain: Eip712Domain


def setup(client_for: Callable[[str | None], Client], data: Path, uses: int, size: int) -> Scene:
    """Participants, a certified asset with its file deposited, a licence of ``uses`` uses (the SDK)."""
    admin = client_for(ADMIN_KEY)
    keys = {role: LocalKeySigner.generate() for role in ("holder", "licensee", "registrar")}
    roles = {"holder": "enterprise", "licensee": "enterprise", "registrar": "registrar"}
    clients = {}
    for name, key in keys.items():
        created = admin.participants.create(f"bench {name}", roles[name], key.address)
        clients[name] = client_for(created["apiKey"])
    admin.procedure.set_notice_period(0)
    content = random.randbytes(size)
    path = data / "object.bin"
    path.write_bytes(content)
    facts = {
        "name": f"bench object {uuid.uuid4().hex[:8]}",
        "description": "bench",
        "source": "bench",
        "collectionMethod": "bench",
        "scale": f"{size} bytes",
        "updateFrequency": "never",
        "industry": "retail",
        "rightClaimed": "data-resource-holding",
    }
    holder, registrar, licensee = clients["holder"], clients["registrar"], clients["licensee"]
    asset_id = holder.assets.register(path, facts, signer=keys["holder"])["assetId"]
    for stage in ("formal", "substantive"):
        registrar.procedure.review(asset_id, stage, reason="bench", signer=keys["registrar"])
    registrar.assets.issue_certificate(asset_id, signer=keys["registrar"])
    licence = holder.licences.grant(
        asset_id,
        keys["licensee"].address,
        scope="bench",
        purpose="bench",
        valid_until=int(time.time()) + 30 * 24 * 3600,
        max_uses=uses,
        signer=keys["holder"],
    )
    holder.deliveries.deposit_file(asset_id, path)
    prepared = licensee.deliveries._client.json(  # the domain the uses are signed in
        "prepareDeliveryUse", "POST", "/v1/deliveries/use-requests", json={"licenceId": licence["licenceId"]}
    )["typedData"]["domain"]
    domain = Eip712Domain(
        prepared["chainId"], prepared["verifyingContract"], prepared["name"], prepared["version"]
    )
    return Scene(
        str(licensee._http.headers["Authorization"]).removeprefix("Bearer "),
        keys["licensee"],
        int(licence["licenceId"]),
        content,
        domain,
    )


def signed_uses(scene: Scene, count: int, deadline: int) -> list[tuple[DeliveryUse, str]]:
    """``count`` uses signed by the licensee's key (libsecp256k1, as fast as a wallet can)."""
    key = coincurve.PrivateKey(bytes.fromhex(scene.licensee.private_key[2:]))
    signed = []
    for _ in range(count):
        use = DeliveryUse(
            scene.licence_id, scene.licensee.address, new_use_nonce(), new_use_nonce(), deadline
        )
        raw = key.sign_recoverable(use.digest(scene.domain), hasher=None)
        signed.append((use, "0x" + (raw[:64] + bytes((raw[64] + 27,))).hex()))
    return signed


def deliver_all(
    uses: list[tuple[DeliveryUse, str]], consumers: int, deliver: Callable[[int, DeliveryUse, str], bool]
) -> tuple[int, int, float]:
    """Share ``uses`` out among ``consumers`` threads; (delivered, refused, seconds)."""
    cursor = iter(range(len(uses)))
    lock = threading.Lock()
    results: list[tuple[int, int]] = []

    def consume(worker: int) -> None:
        delivered = refused = 0
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                break
            use, signature = uses[index]
            if deliver(worker, use, signature):
                delivered += 1
            else:
                refused += 1
        with lock:
            results.append((delivered, refused))

    started = time.perf_counter()
    with ThreadPoolExecutor(consumers) as pool:
        list(pool.map(consume, range(consumers)))
    seconds = time.perf_counter() - started
    return sum(d for d, _ in results), sum(r for _, r in results), seconds


def use_json(use: DeliveryUse, signature: str) -> dict[str, Any]:
    return {"use": use.message(), "signature": signature}


def check_on_chain(
    reader: Client, scene: Scene, uses: int, use_ids: list[str], timeout_s: float = 120.0
) -> dict[str, Any]:
    """Wait for the recorder: the chain's count of uses, every use recorded, a sample of proofs."""
    deadline = time.monotonic() + timeout_s
    started = time.monotonic()
    while reader.licences.get(scene.licence_id)["uses"] < uses and time.monotonic() < deadline:
        time.sleep(0.2)
    chain_uses = reader.licences.get(scene.licence_id)["uses"]
    recorded_after_s = time.monotonic() - started
    proofs_ok = 0
    for use_id in random.sample(use_ids, min(PROOF_SAMPLE, len(use_ids))):
        on_chain = reader.deliveries.use(use_id)["onChain"]
        proof = [bytes.fromhex(p[2:]) for p in on_chain["proof"]]
        root = process_proof(bytes.fromhex(on_chain["leaf"][2:]), proof)
        if on_chain["status"] == "recorded" and "0x" + root.hex() == on_chain["root"]:
            proofs_ok += 1
    return {
        "chain_uses": chain_uses,
        "exact": chain_uses == uses,
        "recorded_within_s": round(recorded_after_s, 2),
        "proofs_checked": min(PROOF_SAMPLE, len(use_ids)),
        "proofs_ok": proofs_ok,
    }


# -- the two ways -----------------------------------------------------------------------------------------


def run_service(
    database_url: str | None, uses: int, extra: int, size: int, consumers: int, log: Log
) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from dataledger.api.app import create_app
    from dataledger.composition import build_services
    from dataledger.composition.settings import Settings

    with tempfile.TemporaryDirectory(prefix="bench-delivery-") as folder:
        data = Path(folder)
        settings = Settings(
            data_dir=data / "state",
            database_url=database_url,
        )
        services = build_services(settings)
        try:
            app = TestClient(create_app(services))

            def client_for(key: str | None) -> Client:
                return Client("http://testserver", api_key=key, transport=app._transport)

            scene = setup(client_for, data, uses, size)
            licensee = services.participants.authenticate(scene.licensee_key)
            signed = signed_uses(scene, uses + extra, services.registry.next_block_timestamp() + 3600)
            gateway = services.delivery
            use_ids: list[str] = []
            from dataledger.registry.errors import LicenceUsedUp

            def deliver(_: int, use: DeliveryUse, signature: str) -> bool:
                try:
                    redeemed = gateway.redeem(licensee, use, signature)
                except LicenceUsedUp:
                    return False
                body = b"".join(gateway.content(licensee, redeemed.use_id, None).body)
                assert body == scene.content
                use_ids.append(redeemed.use_id)
                return True

            log(f"service: {uses + extra} attempts from {consumers} consumers…")
            delivered, refused, seconds = deliver_all(signed, consumers, deliver)
            figures = result(delivered, refused, seconds, uses, extra)
            figures["chain"] = check_on_chain(client_for(scene.licensee_key), scene, uses, use_ids)
            assert services.anchoring is not None
            services.anchoring.batcher.run_once(force=True)
            figures["receipts_anchored"] = services.anchoring.outbox.count_anchored(
                "delivery-receipt", use_ids
            )
            return figures
        finally:
            services.close()


def run_http(
    database_url: str | None,
    uses: int,
    extra: int,
    size: int,
    consumers: int,
    log: Log,
    *,
    one_request: bool = False,
) -> dict[str, Any]:
    from tests.nodes import free_port, start_server

    with tempfile.TemporaryDirectory(prefix="bench-delivery-http-") as folder:
        data = Path(folder)
        port = free_port()
        external = ["--database-url", database_url] if database_url else []
        server = start_server(data / "state", port, external)
        base = f"http://127.0.0.1:{port}"
        try:

            def client_for(key: str | None) -> Client:
                return Client(base, api_key=key)

            scene = setup(client_for, data, uses, size)
            now = int(httpx.get(f"{base}/healthz").json().get("blockTimestamp", time.time()))
            signed = signed_uses(scene, uses + extra, max(now, int(time.time())) + 3600)
            headers = {"Authorization": f"Bearer {scene.licensee_key}"}
            sessions = [httpx.Client(base_url=base, headers=headers, timeout=60) for _ in range(consumers)]
            use_ids: list[str] = []

            def deliver_at_once(worker: int, use: DeliveryUse, signature: str) -> bool:
                delivered = sessions[worker].post("/v1/deliveries/content", json=use_json(use, signature))
                if delivered.status_code == 409 and delivered.json()["code"] == "licence-used-up":
                    return False
                assert delivered.status_code == 200 and delivered.content == scene.content, delivered.text
                use_ids.append(delivered.headers["x-delivery-use"])
                return True

            def deliver(worker: int, use: DeliveryUse, signature: str) -> bool:
                http = sessions[worker]
                redeemed = http.post("/v1/deliveries/uses", json=use_json(use, signature))
                if redeemed.status_code == 409 and redeemed.json()["code"] == "licence-used-up":
                    return False
                assert redeemed.status_code == 201, redeemed.text
                use_id = redeemed.json()["useId"]
                fetched = http.get(f"/v1/deliveries/uses/{use_id}/content")
                assert fetched.status_code == 200 and fetched.content == scene.content, fetched.text
                use_ids.append(use_id)
                return True

            mode = "http-one" if one_request else "http"
            log(f"{mode}: {uses + extra} attempts from {consumers} consumers…")
            delivered, refused, seconds = deliver_all(
                signed, consumers, deliver_at_once if one_request else deliver
            )
            for session in sessions:
                session.close()
            figures = result(delivered, refused, seconds, uses, extra)
            figures["chain"] = check_on_chain(client_for(scene.licensee_key), scene, uses, use_ids)
            return figures
        finally:
            server.terminate()
            server.wait(timeout=30)


def result(delivered: int, refused: int, seconds: float, uses: int, extra: int) -> dict[str, Any]:
    return {
        "deliveries": delivered,
        "refused": refused,
        "no_over_use": delivered == uses and refused == extra,
        "seconds": round(seconds, 3),
        "deliveries_per_s": round(delivered / seconds),
    }


@contextlib.contextmanager
def database(name: str, postgres: str) -> Iterator[str | None]:
    if name == "sqlite":
        yield None
        return
    with throwaway_postgres(postgres) as url:
        yield url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uses", type=int, default=5_000, help="the licence's uses (deliveries to make)")
    parser.add_argument("--quick", action="store_true", help="400 uses")
    parser.add_argument("--size", type=int, default=1024, help="bytes of the delivered object")
    parser.add_argument("--consumers", type=int, default=16)
    parser.add_argument("--modes", default="service,http,http-one")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="an admin URL of a PostgreSQL server")
    args = parser.parse_args(argv)
    uses = 400 if args.quick else args.uses
    extra = max(uses // 10, 1)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    runners: dict[str, Callable[..., dict[str, Any]]] = {
        "service": run_service,
        "http": run_http,
        "http-one": functools.partial(run_http, one_request=True),
    }
    summary: dict[str, Any] = {
        "uses": uses,
        "attempts": uses + extra,
        "consumers": args.consumers,
        "size": args.size,
    }
    for name in args.databases.split(","):
        summary[name] = {}
        for mode in args.modes.split(","):
            with database(name, args.postgres) as url:
                figures = runners[mode](url, uses, extra, args.size, args.consumers, log)
            summary[name][mode] = figures
            print(
                f"{name:10} {mode:8} {figures['deliveries_per_s']:>6,} deliveries/s "
                f"({figures['deliveries']} delivered, {figures['refused']} refused, "
                f"no over-use: {figures['no_over_use']}, chain exact: {figures['chain']['exact']}, "
                f"proofs {figures['chain']['proofs_ok']}/{figures['chain']['proofs_checked']})",
                flush=True,
            )
    summary["target_per_s"] = TARGET_PER_S
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
