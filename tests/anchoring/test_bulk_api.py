"""The bulk registration API over HTTP on anvil: happy path, refused items, replays, anchors and proofs."""

from __future__ import annotations

import re

import pytest
from eth_account import Account

from dataledger.composition import Services
from dataledger.registry import errors
from dataledger.registry.assets import RightClaimed
from dataledger.registry.batched_registrations import (
    BATCH_NONCE_FLAG,
    REGISTRATION_LEAF_TYPEHASH,
    batched_nonce,
)
from dataledger.registry.fast_holder_signatures import RegistrationDigester, registration_struct_hash
from dataledger.registry.holder_signatures import (
    RegistrationAuthorisation,
    sign_registration,
    sign_typed_data,
)
from dataledger.registry.keccak import keccak256
from dataledger.registry.merkle import leaf_hash, verify_proof
from tests.anchoring.conftest import SIGNATURE_LIFETIME_S, signed_item, signed_items
from tests.factories import ApiDriver, asset_facts

PROBLEM = "application/problem+json"


def b32(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def submit(api: ApiDriver, holder, items, *, wait: bool = False):  # type: ignore[no-untyped-def]
    url = "/v1/bulk/assets?wait=true&timeout=30" if wait else "/v1/bulk/assets"
    return api.client.post(url, json={"items": items}, headers=holder.headers)


def test_prepared_and_wallet_signed_items_are_anchored_with_proofs_that_verify_on_chain(
    bulk_api: ApiDriver, anvil_services: Services
) -> None:
    holder = bulk_api.participant("enterprise")
    facts = [asset_facts() for _ in range(3)]
    prepared = bulk_api.client.post(
        "/v1/bulk/assets/registration-requests",
        json={"items": [{"facts": f} for f in facts]},
        headers=holder.headers,
    )
    assert prepared.status_code == 200, prepared.text
    items = []
    for f, p in zip(facts, prepared.json()["items"], strict=True):
        assert int(p["nonce"]) & BATCH_NONCE_FLAG
        typed = p["typedData"]
        typed["message"]["nonce"] = int(typed["message"]["nonce"])
        signature = sign_typed_data(holder.account.key, typed)  # type: ignore[union-attr]
        items.append(
            {
                "facts": f,
                "salt": p["salt"],
                "nonce": p["nonce"],
                "deadline": p["deadline"],
                "signature": signature,
            }
        )

    response = submit(bulk_api, holder, items, wait=True)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 3 and body["rejected"] == 0
    assert [i["status"] for i in body["items"]] == ["anchored"] * 3
    assert [i["assetId"] for i in body["items"]] == [p["assetId"] for p in prepared.json()["items"]]

    client = anvil_services.anchoring.client  # type: ignore[union-attr]
    for item in body["items"]:
        anchor = bulk_api.client.get(f"/v1/bulk/assets/{item['assetId']}/anchor", headers=holder.headers)
        assert anchor.status_code == 200, anchor.text
        data = anchor.json()
        root, leaf, proof = b32(data["root"]), b32(data["leaf"]), [b32(p) for p in data["proof"]]
        assert verify_proof(root, leaf, proof)
        assert client.verify_leaf(root, proof, leaf)
        assert data["anchor"]["contract"] == client.address and data["anchor"]["txHash"].startswith("0x")
        # the leaf is rebuilt from the signed message and the signature alone
        fields = data["leafFields"]
        message = fields["registration"]
        auth = RegistrationAuthorisation(
            message["holder"],
            message["contentHash"],
            message["metadataHash"],
            int(message["nonce"]),
            message["deadline"],
            right=list(RightClaimed)[message["right"]],
            lawful_source_hash=message["lawfulSourceHash"],
        )
        struct_hash = registration_struct_hash(auth)
        rebuilt = leaf_hash(REGISTRATION_LEAF_TYPEHASH + struct_hash + keccak256(b32(fields["signature"])))
        assert rebuilt == leaf
        assert RegistrationDigester(anvil_services.registry.domain).digest(auth)


def test_refused_items_are_reported_one_by_one_and_the_valid_ones_stored(
    bulk_api: ApiDriver, anvil_services: Services
) -> None:
    holder = bulk_api.participant("enterprise")
    assert holder.account is not None
    domain = anvil_services.registry.domain
    now = anvil_services.registry.latest_timestamp()
    deadline = now + SIGNATURE_LIFETIME_S
    shared_facts = asset_facts()
    items = [
        signed_item(domain, holder.account, nonce_index=1, deadline=deadline),
        signed_item(
            domain, Account.create(), holder=holder.account.address, nonce_index=2, deadline=deadline
        ),
        signed_item(domain, holder.account, nonce_index=3, deadline=now - 1),
        signed_item(
            domain, holder.account, nonce_index=4, deadline=now + 5
        ),  # too close to be anchored in time
        signed_item(
            domain, holder.account, nonce=0, deadline=deadline
        ),  # the contract's sequential nonce space
        signed_item(domain, holder.account, facts=shared_facts, nonce_index=6, deadline=deadline),
        signed_item(domain, holder.account, facts=shared_facts, nonce_index=7, deadline=deadline),
        signed_item(domain, holder.account, nonce_index=1, deadline=deadline),  # nonce 1 again
    ]

    response = submit(bulk_api, holder, items)

    assert response.status_code == 202, response.text
    body = response.json()
    statuses = [(i["status"], i.get("problem", {}).get("code")) for i in body["items"]]
    assert statuses == [
        ("queued", None),
        ("rejected", "invalid-signature"),
        ("rejected", "signature-expired"),
        ("rejected", "signature-expired"),
        ("rejected", "validation-failed"),
        ("queued", None),
        ("rejected", "content-already-registered"),
        ("rejected", "nonce-replayed"),
    ]
    assert (body["accepted"], body["rejected"]) == (2, 6)
    problem = body["items"][1]["problem"]
    assert problem["type"].endswith("/invalid-signature") and problem["status"] == 422
    for item in body["items"]:
        fetched = bulk_api.client.get(f"/v1/bulk/assets/{item['assetId']}", headers=holder.headers)
        well_formed = re.fullmatch(r"0x[0-9a-f]{64}", str(item["assetId"])) is not None
        assert fetched.status_code == (200 if item["status"] == "queued" else 404 if well_formed else 422)


def test_a_replayed_request_registers_nothing_twice(bulk_api: ApiDriver, anvil_services: Services) -> None:
    holder = bulk_api.participant("enterprise")
    items = signed_items(anvil_services, holder, 3)
    assert submit(bulk_api, holder, items).json()["accepted"] == 3

    replay = submit(bulk_api, holder, items).json()

    assert replay["accepted"] == 0
    assert {i["problem"]["code"] for i in replay["items"]} == {"asset-already-registered"}
    other_asset_same_nonce = signed_items(anvil_services, holder, 1)  # nonce index 0 again, new facts
    reused = submit(bulk_api, holder, other_asset_same_nonce).json()
    assert reused["items"][0]["problem"]["code"] == "nonce-replayed"


def test_a_batched_signature_cannot_be_relayed_as_a_direct_registration(anvil_services: Services) -> None:
    holder = Account.create()
    deadline = anvil_services.registry.latest_timestamp() + SIGNATURE_LIFETIME_S
    auth = RegistrationAuthorisation(
        holder.address, "0x" + "11" * 32, "0x" + "22" * 32, batched_nonce(0), deadline
    )
    signature = sign_registration(bytes(holder.key), auth, anvil_services.registry.domain)
    with pytest.raises(errors.NonceReplayed):
        anvil_services.registry.register(auth, signature)


def test_content_registered_directly_cannot_be_batched(bulk_api: ApiDriver, anvil_services: Services) -> None:
    holder = bulk_api.participant("enterprise")
    assert holder.account is not None
    facts = asset_facts()
    bulk_api.register(holder, facts)
    deadline = anvil_services.registry.latest_timestamp() + SIGNATURE_LIFETIME_S
    item = signed_item(anvil_services.registry.domain, holder.account, facts=facts, deadline=deadline)
    refused = submit(bulk_api, holder, [item]).json()["items"][0]
    assert refused["problem"]["code"] in {"content-already-registered", "asset-already-registered"}


def test_the_anchor_is_pending_until_the_batch_is_anchored(
    bulk_api: ApiDriver, anvil_services: Services
) -> None:
    anvil_services.anchoring.batcher.stop()  # type: ignore[union-attr]
    holder = bulk_api.participant("enterprise")
    (item,) = submit(bulk_api, holder, signed_items(anvil_services, holder, 1)).json()["items"]
    url = f"/v1/bulk/assets/{item['assetId']}/anchor"

    pending = bulk_api.client.get(url, headers=holder.headers)
    assert pending.status_code == 202 and pending.json()["status"] == "pending"

    anvil_services.anchoring.batcher.run_once(force=True)  # type: ignore[union-attr]
    anchored = bulk_api.client.get(url, headers=holder.headers)
    assert anchored.status_code == 200 and anchored.json()["status"] == "anchored"
    assert anchored.json()["leafCount"] == 1 and anchored.json()["proof"] == []


def test_malformed_requests_are_problems_and_store_nothing(
    bulk_api: ApiDriver, anvil_services: Services
) -> None:
    holder = bulk_api.participant("enterprise")
    (good,) = signed_items(anvil_services, holder, 1)
    bad = {**good, "signature": "0x1234"}
    response = submit(bulk_api, holder, [good, bad])
    assert response.status_code == 422 and response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == "validation-failed"
    empty = submit(bulk_api, holder, [])
    assert empty.status_code == 422
    assert (
        bulk_api.client.get(f"/v1/bulk/assets/{'0x' + '00' * 32}", headers=holder.headers).status_code == 404
    )
    unknown = bulk_api.client.get(f"/v1/bulk/assets/{'0x' + '00' * 32}/anchor", headers=holder.headers)
    assert unknown.status_code == 404 and unknown.json()["code"] == "asset-not-found"


def test_only_enterprises_register_in_bulk(bulk_api: ApiDriver, anvil_services: Services) -> None:
    holder, registrar = bulk_api.participant("enterprise"), bulk_api.participant("registrar")
    items = signed_items(anvil_services, holder, 1)
    response = submit(bulk_api, registrar, items)
    assert response.status_code == 403 and response.json()["code"] == "not-authorised"
    assert bulk_api.client.post("/v1/bulk/assets", json={"items": items}).status_code == 401
