"""Batched registrations brought on chain over HTTP (anvil): materialised on request or by their first
act, then living the lifecycle of any asset; and the direct and batched paths never share content."""

from __future__ import annotations

from typing import Any

from dataledger.composition import Services
from dataledger.registry.holder_signatures import sign_typed_data
from dataledger.registry.numbering import DEFAULT_INSTITUTION_CODE, RegistrationNumber
from tests.anchoring.conftest import signed_item, signed_items
from tests.factories import Actor, ApiDriver, asset_facts
from tests.lifecycle.driver import assert_problem


def anchored_assets(api: ApiDriver, services: Services, holder: Actor, count: int = 1) -> list[str]:
    """Register ``count`` assets in bulk and wait until their batch is anchored; their ids."""
    items = signed_items(services, holder, count)
    response = api.client.post(
        "/v1/bulk/assets?wait=true&timeout=30", json={"items": items}, headers=holder.headers
    )
    assert response.status_code == 200, response.text
    assert {item["status"] for item in response.json()["items"]} == {"anchored"}
    return [item["assetId"] for item in response.json()["items"]]


def materialise(api: ApiDriver, actor: Actor, asset_id: str) -> Any:
    return api.client.post(f"/v1/bulk/assets/{asset_id}/materialise", headers=actor.headers)


def acts_of(api: ApiDriver, actor: Actor, asset_id: str) -> list[str]:
    response = api.client.get(f"/v1/assets/{asset_id}/history?check=true", headers=actor.headers)
    assert response.status_code == 200, response.text
    assert all(item["chainCheck"]["passed"] for item in response.json()["items"]), response.json()
    return [item["act"] for item in response.json()["items"]]


def test_holder_materialises_an_anchored_registration_which_then_lives_the_whole_lifecycle(
    bulk_api: ApiDriver, anvil_services: Services
) -> None:
    holder, buyer = bulk_api.participant("enterprise"), bulk_api.participant("enterprise")
    registrar = bulk_api.participant("registrar")
    (asset_id,) = anchored_assets(bulk_api, anvil_services, holder)
    assert bulk_api.client.get(f"/v1/assets/{asset_id}", headers=holder.headers).status_code == 404

    response = materialise(bulk_api, holder, asset_id)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["asset"]["state"] == "registered" and body["asset"]["chainEvidence"] is not None
    assert body["anchor"]["status"] == "anchored"
    number = RegistrationNumber.parse(body["asset"]["registrationNumber"])  # given when materialised
    assert number.institution == DEFAULT_INSTITUTION_CODE
    on_chain = anvil_services.registry.asset(asset_id)
    assert on_chain is not None and on_chain.holder == holder.account.address  # type: ignore[union-attr]
    assert acts_of(bulk_api, holder, asset_id) == ["registered", "materialised"]
    audit = bulk_api.client.get(f"/v1/audit/assets/{asset_id}", headers=registrar.headers).json()
    assert audit["consistent"], audit
    again = materialise(bulk_api, holder, asset_id)
    assert_problem(again, 409, "already-materialised")

    bulk_api.certify(registrar, asset_id)
    prepared = bulk_api.client.post(
        f"/v1/assets/{asset_id}/transfer-requests", json={"to": buyer.account.address}, headers=holder.headers
    ).json()  # type: ignore[union-attr]
    transferred = bulk_api.client.post(
        f"/v1/assets/{asset_id}/transfers",
        json={
            "to": buyer.account.address,  # type: ignore[union-attr]
            "nonce": prepared["nonce"],
            "deadline": prepared["deadline"],
            "signature": sign_typed_data(holder.account.key, prepared["typedData"]),  # type: ignore[union-attr]
        },
        headers=holder.headers,
    )
    assert transferred.status_code == 201, transferred.text
    assert transferred.json()["asset"]["holderAddress"] == buyer.account.address  # type: ignore[union-attr]
    assert acts_of(bulk_api, holder, asset_id)[:2] == ["registered", "materialised"]


def test_the_first_review_of_a_batched_asset_materialises_it(
    bulk_api: ApiDriver, anvil_services: Services
) -> None:
    holder, registrar = bulk_api.participant("enterprise"), bulk_api.participant("registrar")
    (asset_id,) = anchored_assets(bulk_api, anvil_services, holder)

    reviewed = bulk_api.review(registrar, asset_id, "formal")

    assert reviewed["state"] == "under_review"
    assert acts_of(bulk_api, holder, asset_id) == ["registered", "materialised", "reviewed"]


def test_a_registration_whose_batch_is_not_anchored_yet_cannot_be_materialised(
    bulk_api: ApiDriver, anvil_services: Services
) -> None:
    anvil_services.anchoring.batcher.stop()  # type: ignore[union-attr]
    holder, registrar = bulk_api.participant("enterprise"), bulk_api.participant("registrar")
    items = signed_items(anvil_services, holder, 1)
    (item,) = bulk_api.client.post("/v1/bulk/assets", json={"items": items}, headers=holder.headers).json()[
        "items"
    ]

    assert_problem(materialise(bulk_api, holder, item["assetId"]), 409, "batch-not-anchored")
    review = bulk_api.client.post(
        f"/v1/assets/{item['assetId']}/review-requests",
        json={"stage": "formal", "passed": True, "reason": "complete"},
        headers=registrar.headers,
    )
    assert_problem(review, 409, "batch-not-anchored")
    assert anvil_services.registry.asset(item["assetId"]) is None


def test_only_the_holder_or_a_registrar_materialises(bulk_api: ApiDriver, anvil_services: Services) -> None:
    holder, stranger = bulk_api.participant("enterprise"), bulk_api.participant("enterprise")
    registrar = bulk_api.participant("registrar")
    first, second = anchored_assets(bulk_api, anvil_services, holder, 2)

    assert_problem(materialise(bulk_api, stranger, first), 403, "not-authorised")
    assert materialise(bulk_api, registrar, second).status_code == 201
    assert_problem(materialise(bulk_api, holder, "0x" + "ab" * 32), 404, "asset-not-found")


def test_direct_registration_of_content_already_batched_is_refused(
    bulk_api: ApiDriver, anvil_services: Services
) -> None:
    holder, other = bulk_api.participant("enterprise"), bulk_api.participant("enterprise")
    facts = asset_facts()
    deadline = anvil_services.registry.latest_timestamp() + 3600
    item = signed_item(anvil_services.registry.domain, holder.account, facts=facts, deadline=deadline)  # type: ignore[arg-type]
    batched = bulk_api.client.post("/v1/bulk/assets", json={"items": [item]}, headers=holder.headers).json()

    for registrant in (holder, other):  # the same holder with a new salt, or anyone else
        prepared = bulk_api.prepare(registrant, facts)
        response = bulk_api.client.post(
            "/v1/assets",
            json=bulk_api.submission(prepared, facts, registrant.account),  # type: ignore[arg-type]
            headers=registrant.headers,
        )
        problem = assert_problem(response, 409, "content-already-batched")
        assert problem["existing_asset_id"] == batched["items"][0]["assetId"]


def test_batched_registration_of_content_registered_directly_is_refused(
    bulk_api: ApiDriver, anvil_services: Services
) -> None:
    holder = bulk_api.participant("enterprise")
    facts = asset_facts()
    direct = bulk_api.register(holder, facts)
    deadline = anvil_services.registry.latest_timestamp() + 3600
    item = signed_item(anvil_services.registry.domain, holder.account, facts=facts, deadline=deadline)  # type: ignore[arg-type]

    refused = bulk_api.client.post("/v1/bulk/assets", json={"items": [item]}, headers=holder.headers).json()

    assert refused["accepted"] == 0
    problem = refused["items"][0]["problem"]
    assert problem["code"] == "content-already-registered" and problem["status"] == 409
    assert problem["existing_asset_id"] == direct["assetId"]


def _pending(services: Services, asset_id: str) -> Any:
    """Store ``asset_id`` as pending, as a materialisation does before it reaches the chain."""
    from dataledger.registry.assets import AssetRecord, AssetState

    record = services.anchoring.registrations.get(asset_id)  # type: ignore[union-attr]
    services.store.add_pending_asset(
        AssetRecord(
            record.asset_id,
            record.holder_id,
            record.holder_address,
            record.facts,
            record.salt,
            record.metadata_hash,
            record.nonce,
            record.deadline,
            record.signature,
            AssetState.PENDING,
        )
    )
    return record


def test_a_materialisation_interrupted_by_a_crash_is_completed_or_discarded_on_restart(
    bulk_api: ApiDriver, anvil_services: Services
) -> None:
    holder = bulk_api.participant("enterprise")
    on_chain, never_sent = anchored_assets(bulk_api, anvil_services, holder, 2)
    anchoring = anvil_services.anchoring
    assert anchoring is not None
    record = _pending(anvil_services, on_chain)
    inclusion = anchoring.registrations.inclusion(on_chain)
    anvil_services.registry.materialise(
        record.authorisation, record.signature, inclusion.root, inclusion.proof
    )
    _pending(anvil_services, never_sent)  # the crash came before the transaction was sent

    completed = anchoring.materialisation.recover_pending()  # what a restart runs

    assert completed == [on_chain]
    assert anvil_services.store.get_asset(on_chain).state.value == "registered"  # type: ignore[union-attr]
    assert acts_of(bulk_api, holder, on_chain) == ["registered", "materialised"]
    assert anvil_services.store.get_asset(never_sent) is None
    assert materialise(bulk_api, holder, never_sent).status_code == 201


def test_an_act_on_an_asset_neither_registered_nor_batched_is_not_found(
    bulk_api: ApiDriver, anvil_services: Services
) -> None:
    registrar = bulk_api.participant("registrar")

    review = bulk_api.client.post(
        f"/v1/assets/{'0x' + 'cd' * 32}/review-requests",
        json={"stage": "formal", "passed": True, "reason": "complete"},
        headers=registrar.headers,
    )

    assert assert_problem(review, 404, "asset-not-found")["detail"] == "no asset with this id"
