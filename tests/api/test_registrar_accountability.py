"""Registrars are accountable on chain, over HTTP: two registration institutions share the registry,
each signs its acts with its own key (the API prepares, the key signs where it is, the API relays),
the contract's events and the asset's history name the institution that signed, and every forged,
foreign, revoked, replayed, late or misdirected signature is refused as problem+json with nothing
changed (the asset, the history, the registrar's nonce on chain).
"""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from dataledger.composition import Services
from dataledger.registry.holder_signatures import sign_typed_data
from tests.factories import Actor, ApiDriver

PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def prepared(api: ApiDriver, actor: Actor, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = api.client.post(path, json=body or {}, headers=actor.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def submission(
    prepared_act: dict[str, Any], signer: LocalAccount, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        **(body or {}),
        "nonce": prepared_act["nonce"],
        "deadline": prepared_act["deadline"],
        "signature": sign_typed_data(signer.key, prepared_act["typedData"]),
    }


def state_of(api: ApiDriver, holder: Actor, asset_id: str) -> str:
    return str(api.client.get(f"/v1/assets/{asset_id}", headers=holder.headers).json()["state"])


def history(api: ApiDriver, holder: Actor, asset_id: str) -> list[dict[str, Any]]:
    items = api.client.get(f"/v1/assets/{asset_id}/history", headers=holder.headers).json()["items"]
    return list(items)


@pytest.fixture
def parties(api: ApiDriver) -> tuple[Actor, Actor, Actor]:
    holder, haikou, sanya = api.participants("enterprise", "registrar", "registrar")
    return holder, haikou, sanya


def test_a_registrar_needs_its_own_key_and_is_granted_the_role_on_chain(
    api: ApiDriver, services: Services, parties: tuple[Actor, Actor, Actor]
) -> None:
    _, haikou, sanya = parties
    assert haikou.account is not None and sanya.account is not None
    assert services.registry.is_registrar(haikou.account.address)
    assert services.registry.is_registrar(sanya.account.address)
    assert not services.registry.is_registrar(services.registry.operator)  # the operator only relays
    keyless = api.client.post(
        "/v1/participants", json={"name": "keyless", "role": "registrar"}, headers=api.admin_headers
    )
    assert assert_problem(keyless, 422, "validation-failed")["field"] == "address"


def test_two_institutions_act_and_the_chain_and_the_history_name_each(
    api: ApiDriver, services: Services, parties: tuple[Actor, Actor, Actor]
) -> None:
    holder, haikou, sanya = parties
    assert haikou.account is not None and sanya.account is not None
    asset_id = api.register(holder)["assetId"]
    api.set_notice_period(0)

    api.review(haikou, asset_id, "formal")
    api.review(sanya, asset_id, "substantive")
    issued = api.issue_certificate(haikou, asset_id)

    assert issued.status_code == 201, issued.text
    entries = history(api, holder, asset_id)
    named = [(h["act"], h["actor"]) for h in entries if h["act"] != "registered"]
    assert named == [
        ("reviewed", haikou.account.address),
        ("reviewed", sanya.account.address),
        ("notice-started", sanya.account.address),
        ("certificate-recorded", haikou.account.address),
    ]
    for entry in entries[1:]:  # the contract's own events, read back from the receipts
        acts = services.registry.acts_of_transaction(entry["chainEvidence"]["txHash"])
        assert acts is not None
        assert {act.args["registrar"] for act in acts} == {entry["actor"]}


def test_every_forged_or_misdirected_registrar_act_is_refused_and_changes_nothing(
    api: ApiDriver, services: Services, parties: tuple[Actor, Actor, Actor]
) -> None:
    holder, haikou, sanya = parties
    assert holder.account is not None and haikou.account is not None and sanya.account is not None
    asset_id = api.register(holder)["assetId"]
    other_id = api.register(holder)["assetId"]
    review = {"stage": "formal", "passed": True, "reason": "complete"}
    base = f"/v1/assets/{asset_id}"
    nonce_before = services.registry.nonce_of(haikou.account.address)

    prepared_review = prepared(api, haikou, f"{base}/review-requests", review)
    # a stranger's key, the holder's key, the other institution's key, all in Haikou's name
    for forger in (Account.create(), holder.account, sanya.account):
        forged = api.client.post(
            f"{base}/reviews", json=submission(prepared_review, forger, review), headers=haikou.headers
        )
        assert_problem(forged, 422, "invalid-signature")
    # the holder cannot even ask for a registrar's act, nor submit one in its own name
    assert_problem(
        api.client.post(f"{base}/review-requests", json=review, headers=holder.headers), 403, "not-authorised"
    )
    own = submission(prepared_review, holder.account, review)
    assert_problem(
        api.client.post(f"{base}/reviews", json=own, headers=holder.headers), 403, "not-authorised"
    )
    # the signature of a review for another asset, of a rejection presented as a revocation
    elsewhere = prepared(api, haikou, f"/v1/assets/{other_id}/review-requests", review)
    misdirected = api.client.post(
        f"{base}/reviews", json=submission(elsewhere, haikou.account, review), headers=haikou.headers
    )
    assert_problem(misdirected, 422, "invalid-signature")
    reason = {"reason": "unlawful source"}
    rejection = prepared(api, haikou, f"{base}/rejection-requests", reason)
    as_revocation = api.client.post(
        f"{base}/revocation", json=submission(rejection, haikou.account, reason), headers=haikou.headers
    )
    assert_problem(as_revocation, 422, "invalid-signature")
    # a deadline already past, by the next block's time
    late_typed = {**prepared_review, "deadline": 1}
    late_typed["typedData"] = {
        **prepared_review["typedData"],
        "message": {**prepared_review["typedData"]["message"], "deadline": 1},
    }
    late = api.client.post(
        f"{base}/reviews", json=submission(late_typed, haikou.account, review), headers=haikou.headers
    )
    assert_problem(late, 422, "signature-expired")

    assert state_of(api, holder, asset_id) == "registered"
    assert [h["act"] for h in history(api, holder, asset_id)] == ["registered"]
    assert services.registry.nonce_of(haikou.account.address) == nonce_before

    # the genuine act goes through once; its replay is refused
    genuine = submission(prepared_review, haikou.account, review)
    assert api.client.post(f"{base}/reviews", json=genuine, headers=haikou.headers).status_code == 200
    assert_problem(
        api.client.post(f"{base}/reviews", json=genuine, headers=haikou.headers), 409, "nonce-replayed"
    )
    assert [h["act"] for h in history(api, holder, asset_id)] == ["registered", "reviewed"]


def test_a_registrar_whose_role_the_administrator_revoked_can_no_longer_act(
    api: ApiDriver, services: Services, parties: tuple[Actor, Actor, Actor]
) -> None:
    holder, haikou, sanya = parties
    assert haikou.account is not None
    asset_id = api.register(holder)["assetId"]
    reason = {"reason": "court order"}
    signed_in_time = submission(
        prepared(api, haikou, f"/v1/assets/{asset_id}/revocation-requests", reason), haikou.account, reason
    )
    for who in (holder, sanya):  # only the administrator revokes a registrar's role
        refused = api.client.delete(f"/v1/participants/{haikou.id}/registrar-role", headers=who.headers)
        assert_problem(refused, 403, "not-authorised")

    revoked = api.client.delete(f"/v1/participants/{haikou.id}/registrar-role", headers=api.admin_headers)

    assert revoked.status_code == 200, revoked.text
    assert revoked.json() == {"participantId": haikou.id, "address": haikou.account.address, "active": False}
    assert not services.registry.is_registrar(haikou.account.address)
    late = api.client.post(f"/v1/assets/{asset_id}/revocation", json=signed_in_time, headers=haikou.headers)
    assert_problem(late, 403, "not-authorised")
    assert state_of(api, holder, asset_id) == "registered"
    # the other institution still acts
    assert api.revoke(sanya, asset_id, "court order").status_code == 200


def test_a_prepared_certificate_is_recorded_only_as_prepared(
    api: ApiDriver, parties: tuple[Actor, Actor, Actor]
) -> None:
    holder, haikou, _ = parties
    assert haikou.account is not None
    api.set_notice_period(0)
    first, second = api.register(holder)["assetId"], api.register(holder)["assetId"]
    for asset_id in (first, second):
        api.review(haikou, asset_id, "formal")
        api.review(haikou, asset_id, "substantive")
    for_second = prepared(api, haikou, f"/v1/assets/{second}/certificate-requests")
    for_first = prepared(api, haikou, f"/v1/assets/{first}/certificate-requests")
    signed = {
        **submission(for_first, haikou.account),
        "certificateNumber": for_first["certificateNumber"],
        "issuedAt": for_first["issuedAt"],
    }

    another_number = {**signed, "certificateNumber": for_second["certificateNumber"]}
    refused = api.client.post(f"/v1/assets/{first}/certificates", json=another_number, headers=haikou.headers)
    assert assert_problem(refused, 422, "validation-failed")["field"] == "certificateNumber"
    other_asset = api.client.post(f"/v1/assets/{second}/certificates", json=signed, headers=haikou.headers)
    assert_problem(other_asset, 422, "validation-failed")
    assert state_of(api, holder, first) == state_of(api, holder, second) == "in_notice"

    issued = api.client.post(f"/v1/assets/{first}/certificates", json=signed, headers=haikou.headers)
    assert issued.status_code == 201, issued.text
    assert issued.json() == for_first["certificate"]
