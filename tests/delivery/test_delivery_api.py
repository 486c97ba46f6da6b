"""The delivery gateway over HTTP: a licensee receives the data exactly as many times as the licence
allows and is refused the next time; replayed, shared, unknown and unmined uses get nothing; downloads
resume with byte ranges; each delivery leaves a signed receipt, anchored; uses are recorded on chain."""

from __future__ import annotations

import hashlib

from eth_account import Account

from dataledger.composition import Services
from dataledger.registry.delivery.receipts import DeliveryReceipt, verify_receipt
from dataledger.registry.merkle import leaf_hash, process_proof
from tests.delivery.driver import DeliveryDriver
from tests.lifecycle.driver import assert_problem
from tests.nodes import rpc


def test_a_licensee_receives_the_data_exactly_as_often_as_the_licence_allows(api: DeliveryDriver) -> None:
    licensed = api.licensed(max_uses=3)

    for _ in range(3):
        delivered = api.deliver(licensed)
        assert delivered.status_code == 200, delivered.text
        assert delivered.content == licensed.content
        assert delivered.headers["x-content-sha256"] == "0x" + hashlib.sha256(licensed.content).hexdigest()

    assert_problem(api.deliver(licensed), 409, "licence-used-up")


def test_a_replayed_use_gets_nothing(api: DeliveryDriver) -> None:
    licensed = api.licensed(max_uses=5)
    signed = api.signed_use(licensed.licensee, licensed.licence_id)
    assert api.redeem(licensed.licensee, signed).status_code == 201

    assert_problem(api.redeem(licensed.licensee, signed), 409, "use-already-redeemed")
    uses = api.client.get(
        f"/v1/deliveries?licenceId={licensed.licence_id}", headers=licensed.holder.headers
    ).json()["items"]
    assert len(uses) == 1


def test_a_use_shared_with_another_participant_gets_nothing(api: DeliveryDriver) -> None:
    licensed = api.licensed(max_uses=5)
    friend = api.participant("enterprise")
    signed = api.signed_use(licensed.licensee, licensed.licence_id)

    assert_problem(api.redeem(friend, signed), 403, "use-not-yours")
    redeemed = api.redeem(licensed.licensee, signed).json()
    assert_problem(api.content(friend, redeemed["useId"]), 403, "use-not-yours")


def test_a_use_signed_by_another_key_is_refused(api: DeliveryDriver) -> None:
    licensed = api.licensed()
    forged = api.signed_use(licensed.licensee, licensed.licence_id, signer=Account.create())
    assert_problem(api.redeem(licensed.licensee, forged), 422, "invalid-signature")


def test_an_unknown_or_unmined_chain_use_is_refused_at_once(api: DeliveryDriver, services: Services) -> None:
    licensed = api.licensed()
    unknown = "0x" + "ab" * 32
    body = {"licenceId": licensed.licence_id, "txHash": unknown}
    assert_problem(
        api.client.post("/v1/deliveries/chain-uses", json=body, headers=licensed.licensee.headers),
        404,
        "licence-use-not-found",
    )
    # a transaction in the pool, not mined: the gateway does not wait for it
    rpc(api.clock.url, "evm_setAutomine", [False])
    try:
        pending = services.w3.eth.send_transaction(
            {"from": services.w3.eth.accounts[1], "to": services.w3.eth.accounts[2], "value": 1}
        )
        body["txHash"] = "0x" + bytes(pending).hex()
        assert_problem(
            api.client.post("/v1/deliveries/chain-uses", json=body, headers=licensed.licensee.headers),
            404,
            "licence-use-not-found",
        )
    finally:
        rpc(api.clock.url, "evm_setAutomine", [True])


def test_a_use_consumed_on_chain_is_redeemed_once(api: DeliveryDriver) -> None:
    licensed = api.licensed(max_uses=2)
    used = api.use(licensed.licensee, licensed.licence_id)
    assert used.status_code == 201, used.text
    evidence = used.json()["use"]["chainEvidence"]
    body = {"licenceId": licensed.licence_id, "txHash": evidence["txHash"], "logIndex": evidence["logIndex"]}

    redeemed = api.client.post("/v1/deliveries/chain-uses", json=body, headers=licensed.licensee.headers)
    assert redeemed.status_code == 201, redeemed.text
    assert redeemed.json()["source"] == "chain" and redeemed.json()["chainUse"] == 1
    assert api.content(licensed.licensee, redeemed.json()["useId"]).content == licensed.content
    again = api.client.post("/v1/deliveries/chain-uses", json=body, headers=licensed.licensee.headers)
    assert_problem(again, 409, "use-already-redeemed")
    # the chain use counts against the licence: one batched use is left, then none
    assert api.deliver(licensed).status_code == 200
    assert_problem(api.deliver(licensed), 409, "licence-used-up")


def test_a_chain_use_of_another_licensee_is_not_yours(api: DeliveryDriver) -> None:
    first = api.licensed(max_uses=2)
    other = api.licensed(max_uses=2)
    evidence = api.use(other.licensee, other.licence_id).json()["use"]["chainEvidence"]
    body = {"licenceId": first.licence_id, "txHash": evidence["txHash"]}
    response = api.client.post("/v1/deliveries/chain-uses", json=body, headers=first.licensee.headers)
    assert_problem(response, 409, "licence-use-mismatch")


def test_a_download_resumes_with_byte_ranges_until_complete(api: DeliveryDriver) -> None:
    licensed = api.licensed(max_uses=1, size=100_000)
    redeemed = api.redeem(licensed.licensee, api.signed_use(licensed.licensee, licensed.licence_id)).json()
    use_id = redeemed["useId"]

    first = api.content(licensed.licensee, use_id, "bytes=0-39999")
    assert first.status_code == 206 and first.headers["content-range"] == "bytes 0-39999/100000"
    second = api.content(licensed.licensee, use_id, "bytes=40000-")
    assert second.status_code == 206
    whole = first.content + second.content
    assert hashlib.sha256(whole).hexdigest() == first.headers["x-content-sha256"][2:]
    assert whole == licensed.content
    # the object was delivered whole: the use is spent
    assert_problem(api.content(licensed.licensee, use_id), 409, "delivery-window-closed")


def test_a_range_outside_the_object_is_refused(api: DeliveryDriver) -> None:
    licensed = api.licensed(max_uses=1, size=1000)
    use_id = api.redeem(licensed.licensee, api.signed_use(licensed.licensee, licensed.licence_id)).json()[
        "useId"
    ]
    assert_problem(api.content(licensed.licensee, use_id, "bytes=5000-"), 416, "range-not-satisfiable")
    assert api.content(licensed.licensee, use_id).status_code == 200  # the use was not spent


def test_the_window_of_a_use_ends(api: DeliveryDriver) -> None:
    licensed = api.licensed(max_uses=1, size=1000)
    use_id = api.redeem(licensed.licensee, api.signed_use(licensed.licensee, licensed.licence_id)).json()[
        "useId"
    ]
    assert api.content(licensed.licensee, use_id, "bytes=0-9").status_code == 206
    api.clock.advance(301)
    assert_problem(api.content(licensed.licensee, use_id, "bytes=10-"), 409, "delivery-window-closed")


def test_revoked_or_expired_licences_deliver_nothing(api: DeliveryDriver) -> None:
    licensed = api.licensed(max_uses=5, valid_until=api.clock.now() + 300)
    signed_before = api.signed_use(licensed.licensee, licensed.licence_id)
    api.clock.advance(301)
    assert_problem(api.redeem(licensed.licensee, signed_before), 409, "licence-expired")
    assert_problem(api.deliver(licensed), 409, "licence-expired")

    other = api.licensed(max_uses=5)
    path = f"/v1/licences/{other.licence_id}"
    revoked = api.act(
        other.holder, f"{path}/revocation-requests", f"{path}/revocation", {"reason": "fee unpaid"}
    )
    assert revoked.status_code == 200, revoked.text
    assert_problem(api.deliver(other), 409, "licence-revoked")


def test_a_deposit_must_hash_to_the_registered_content_or_a_declared_derivative(api: DeliveryDriver) -> None:
    licensed = api.licensed(deposit=False)
    asset_id = licensed.asset["assetId"]
    tampered = licensed.content[:-1] + bytes([licensed.content[-1] ^ 1])

    assert_problem(api.deposit(licensed.holder, asset_id, tampered), 422, "content-hash-mismatch")
    assert_problem(api.deliver(licensed), 404, "delivery-deposit-not-found")
    assert_problem(api.deposit(licensed.licensee, asset_id, licensed.content), 403, "not-authorised")
    derivative = b"month,category,sales\n2026-01,cosmetics,1200\n"
    declared = "0x" + hashlib.sha256(derivative).hexdigest()
    deposited = api.deposit(licensed.holder, asset_id, derivative, declared_hash=declared)
    assert deposited.status_code == 201 and deposited.json()["derivative"] is True
    assert api.deliver(licensed).content == derivative


def test_each_delivery_leaves_a_signed_receipt_anchored_on_chain(
    api: DeliveryDriver, services: Services
) -> None:
    licensed = api.licensed(max_uses=2)
    redeemed = api.redeem(licensed.licensee, api.signed_use(licensed.licensee, licensed.licence_id)).json()
    use_id = redeemed["useId"]
    assert_problem(
        api.client.get(f"/v1/deliveries/uses/{use_id}/receipt", headers=licensed.licensee.headers),
        404,
        "delivery-receipt-not-found",
    )
    api.content(licensed.licensee, use_id)
    assert services.anchoring is not None
    services.anchoring.batcher.run_once(force=True)

    body = api.client.get(f"/v1/deliveries/uses/{use_id}/receipt", headers=licensed.holder.headers).json()
    receipt = DeliveryReceipt.from_payload(body["receipt"])
    assert (receipt.use_id, receipt.licence_id, receipt.consumer) == (
        use_id,
        licensed.licence_id,
        licensed.licensee.account.address.lower(),  # type: ignore[union-attr]
    )
    assert receipt.content_hash == "0x" + hashlib.sha256(licensed.content).hexdigest()
    key = api.client.get("/v1/deliveries/gateway-key").json()["publicKey"]
    verify_receipt(receipt, body["signature"], key)
    anchoring = body["anchoring"]
    assert (
        anchoring["status"] == "anchored" and anchoring["leaf"] == "0x" + leaf_hash(receipt.canonical()).hex()
    )
    proof = [bytes.fromhex(p[2:]) for p in anchoring["proof"]]
    root = process_proof(bytes.fromhex(anchoring["leaf"][2:]), proof)
    assert services.anchoring.client.is_anchored(root)


def test_batched_uses_are_recorded_on_chain_and_each_is_provable(
    api: DeliveryDriver, services: Services
) -> None:
    licensed = api.licensed(max_uses=4)
    use_ids = []
    for _ in range(3):
        signed = api.signed_use(licensed.licensee, licensed.licence_id)
        use_ids.append(api.redeem(licensed.licensee, signed).json()["useId"])

    services.delivery_services.recorder.run_once()  # whatever the background recorder has not done yet

    assert services.licences.licence(licensed.licence_id).uses == 3  # type: ignore[union-attr]
    for number, use_id in enumerate(use_ids, start=1):
        use = api.client.get(f"/v1/deliveries/uses/{use_id}", headers=licensed.licensee.headers).json()
        on_chain = use["onChain"]
        assert on_chain["status"] == "recorded" and on_chain["useNumber"] == number
        root = process_proof(
            bytes.fromhex(on_chain["leaf"][2:]), [bytes.fromhex(p[2:]) for p in on_chain["proof"]]
        )
        assert "0x" + root.hex() == on_chain["root"]
        acts = services.licences.acts_of_transaction(on_chain["chainEvidence"]["txHash"])
        assert acts is not None and acts[0].args["receiptsRoot"] == on_chain["root"]
    # the last use, then none: the chain's count and the gateway's agree
    assert api.deliver(licensed).status_code == 200
    assert_problem(api.deliver(licensed), 409, "licence-used-up")
    services.delivery_services.recorder.run_once()
    assert services.licences.licence(licensed.licence_id).uses == 4  # type: ignore[union-attr]


def test_a_deposit_larger_than_any_act_streams_whatever_its_media_type(api: DeliveryDriver) -> None:
    licensed = api.licensed(max_uses=1, size=3 * 1024 * 1024, deposit=False)  # three times the act limit
    response = api.client.put(
        f"/v1/deliveries/assets/{licensed.asset['assetId']}/file",
        content=licensed.content,
        headers={**licensed.holder.headers, "Content-Type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    assert (response.json()["size"], response.json()["mediaType"]) == (3 * 1024 * 1024, "text/csv")
    assert api.deliver(licensed).content == licensed.content


def test_one_request_redeems_a_use_and_delivers_the_object(api: DeliveryDriver) -> None:
    licensed = api.licensed(max_uses=2, size=70_000)
    signed = api.signed_use(licensed.licensee, licensed.licence_id)

    delivered = api.deliver_at_once(licensed.licensee, signed)
    assert delivered.status_code == 200, delivered.text
    assert delivered.content == licensed.content
    assert delivered.headers["x-content-sha256"] == "0x" + hashlib.sha256(licensed.content).hexdigest()
    use_id = delivered.headers["x-delivery-use"]
    # the same use, checked and counted as a two-step delivery: spent, receipted, never replayed
    assert_problem(api.content(licensed.licensee, use_id), 409, "delivery-window-closed")
    assert_problem(api.deliver_at_once(licensed.licensee, signed), 409, "use-already-redeemed")
    assert_problem(api.redeem(licensed.licensee, signed), 409, "use-already-redeemed")
    friend = api.participant("enterprise")
    other = api.signed_use(licensed.licensee, licensed.licence_id)
    assert_problem(api.deliver_at_once(friend, other), 403, "use-not-yours")
    receipt = api.client.get(f"/v1/deliveries/uses/{use_id}/receipt", headers=licensed.licensee.headers)
    assert receipt.json()["receipt"]["contentHash"] == delivered.headers["x-content-sha256"]
    assert api.deliver_at_once(licensed.licensee, other).status_code == 200
    third = api.signed_use(licensed.licensee, licensed.licence_id)
    assert_problem(api.deliver_at_once(licensed.licensee, third), 409, "licence-used-up")


def test_one_request_for_an_api_deposit_is_refused_before_the_use_is_redeemed(api: DeliveryDriver) -> None:
    licensed = api.licensed(max_uses=1, deposit=False)
    deposited = api.client.post(
        "/v1/deliveries/deposits",
        json={"assetId": licensed.asset["assetId"], "baseUrl": "http://127.0.0.1:9/v2"},
        headers=licensed.holder.headers,
    )
    assert deposited.status_code == 201, deposited.text
    signed = api.signed_use(licensed.licensee, licensed.licence_id)

    assert_problem(api.deliver_at_once(licensed.licensee, signed), 422, "validation-failed")
    uses = api.client.get(
        f"/v1/deliveries?licenceId={licensed.licence_id}", headers=licensed.holder.headers
    ).json()["items"]
    assert uses == []
    assert api.redeem(licensed.licensee, signed).status_code == 201  # the use was not spent
