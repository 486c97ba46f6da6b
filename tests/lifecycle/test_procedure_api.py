"""The registration procedure over HTTP: review, public notice, objections, certificate, rejection.

Time is the chain's: the notice runs on block timestamps, moved forward with ``evm_increaseTime``.
"""

from __future__ import annotations

from eth_account import Account

from tests.factories import asset_facts
from tests.lifecycle.driver import LifecycleDriver, assert_problem, request_hash

NOTICE_S = 15 * 24 * 3600  # Shanghai's public notice: 15 days


def test_procedure_runs_review_notice_and_certificate_in_order(api: LifecycleDriver) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    api.set_notice_period(NOTICE_S)
    asset = api.register(holder, asset_facts())
    asset_id = asset["assetId"]

    assert api.review(registrar, asset_id, "formal", reason="application complete")["state"] == "under_review"
    in_notice = api.review(registrar, asset_id, "substantive", reason="processed collection, lawful source")
    assert in_notice["state"] == "in_notice"
    procedure = api.client.get(f"/v1/assets/{asset_id}/procedure", headers=holder.headers).json()
    assert procedure["chainStatus"] == "in_notice"
    started = procedure["procedure"]["noticeEndsAt"] - NOTICE_S  # the review's block time
    assert procedure["chainTime"] - 2 <= started <= procedure["chainTime"]  # the next block is no earlier
    assert procedure["procedure"]["rightClaimed"] == "data-resource-holding"

    early = api.issue_certificate(registrar, asset_id)
    assert_problem(early, 409, "notice-period-not-ended")

    api.clock.advance(NOTICE_S + 60)
    certificate = api.issue_certificate(registrar, asset_id)
    assert certificate.status_code == 201, certificate.text
    assert api.verify(certificate.json())["valid"] is True
    history = api.client.get(f"/v1/assets/{asset_id}/history", headers=holder.headers).json()
    acts = [(h["act"], h["detail"].get("stage")) for h in history["items"]]
    assert acts == [
        ("registered", None),
        ("reviewed", "formal"),
        ("reviewed", "substantive"),
        ("notice-started", "substantive"),
        ("certificate-recorded", None),
    ]
    assert history["items"][1]["detail"]["reason"] == "application complete"
    assert all(h["at"] and h["chainEvidence"]["txHash"].startswith("0x") for h in history["items"])


def test_objection_blocks_the_certificate_until_the_registrar_dismisses_it(api: LifecycleDriver) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    competitor = api.participant("enterprise")
    asset_id = api.in_notice(holder, registrar)["assetId"]

    filed = api.objection(competitor, asset_id, "the sales records include our franchise stores")
    assert filed.status_code == 201, filed.text
    objection = filed.json()
    assert objection["status"] == "open" and objection["objectorAddress"] == competitor.account.address  # type: ignore[union-attr]

    api.clock.advance(3600)
    blocked = api.issue_certificate(registrar, asset_id)
    body = assert_problem(blocked, 409, "objections-open")
    assert body["open"] == 1

    resolved = api.registrar_act(
        registrar,
        f"/v1/objections/{objection['objectionId']}/resolution-requests",
        f"/v1/objections/{objection['objectionId']}/resolution",
        {"upheld": False, "resolution": "franchise stores are the holder's own"},
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "dismissed"
    assert api.issue_certificate(registrar, asset_id).status_code == 201
    acts = [
        h["act"]
        for h in api.client.get(f"/v1/assets/{asset_id}/history", headers=holder.headers).json()["items"]
    ]
    assert acts[-3:] == ["objection-filed", "objection-resolved", "certificate-recorded"]


def test_the_procedure_names_the_registrar_of_each_act_and_of_each_resolution(api: LifecycleDriver) -> None:
    holder, competitor = api.participant("enterprise"), api.participant("enterprise")
    registrar = api.participant("registrar", "海南省数据产品登记中心 Hainan Data Product Registration Centre")
    asset_id = api.in_notice(holder, registrar)["assetId"]
    objection = api.objection(competitor, asset_id, "the sales records include our franchise stores").json()
    assert objection["resolvedBy"] is None
    path = f"/v1/objections/{objection['objectionId']}"
    resolved = api.registrar_act(
        registrar,
        f"{path}/resolution-requests",
        f"{path}/resolution",
        {"upheld": False, "resolution": "ours"},
    )
    api.clock.advance(3600)
    assert api.issue_certificate(registrar, asset_id).status_code == 201

    assert registrar.account is not None
    named = {
        "address": registrar.account.address,
        "participantId": registrar.id,
        "name": "海南省数据产品登记中心 Hainan Data Product Registration Centre",
    }
    assert resolved.json()["resolvedBy"] == named
    assert api.client.get(path, headers=holder.headers).json()["resolvedBy"] == named
    status = api.client.get(f"/v1/assets/{asset_id}/procedure", headers=holder.headers).json()
    assert status["objections"][0]["resolvedBy"] == named
    acts = status["registrarActs"]
    assert [a["act"] for a in acts] == [
        "reviewed",
        "reviewed",
        "notice-started",
        "objection-resolved",
        "certificate-recorded",
    ]
    assert all(a["registrar"] == named and a["chainEvidence"]["txHash"].startswith("0x") for a in acts)


def test_upheld_objection_rejects_the_application(api: LifecycleDriver) -> None:
    holder, registrar, objector = api.participants("enterprise", "registrar", "enterprise")
    asset_id = api.in_notice(holder, registrar)["assetId"]
    objection = api.objection(objector, asset_id).json()

    resolved = api.registrar_act(
        registrar,
        f"/v1/objections/{objection['objectionId']}/resolution-requests",
        f"/v1/objections/{objection['objectionId']}/resolution",
        {"upheld": True, "resolution": "ownership dispute unresolved"},
    )

    assert resolved.json()["status"] == "upheld"
    assert api.client.get(f"/v1/assets/{asset_id}", headers=holder.headers).json()["state"] == "rejected"
    api.clock.advance(3600)
    refused = api.issue_certificate(registrar, asset_id)
    assert_problem(refused, 409, "invalid-asset-status")


def test_objection_after_the_notice_ended_is_refused(api: LifecycleDriver) -> None:
    holder, registrar, objector = api.participants("enterprise", "registrar", "enterprise")
    asset_id = api.in_notice(holder, registrar, notice_s=600)["assetId"]
    api.clock.advance(601)

    assert_problem(api.objection(objector, asset_id), 409, "notice-period-ended")
    assert api.client.get(f"/v1/assets/{asset_id}/objections", headers=holder.headers).json()["items"] == []


def test_objection_before_the_notice_is_refused(api: LifecycleDriver) -> None:
    holder, objector = api.participant("enterprise"), api.participant("enterprise")
    asset_id = api.register(holder)["assetId"]

    assert_problem(api.objection(objector, asset_id), 409, "invalid-asset-status")


def test_objection_signed_by_another_key_is_refused(api: LifecycleDriver) -> None:
    holder, registrar, objector = api.participants("enterprise", "registrar", "enterprise")
    asset_id = api.in_notice(holder, registrar)["assetId"]

    forged = api.act(
        objector,
        f"/v1/assets/{asset_id}/objection-requests",
        f"/v1/assets/{asset_id}/objections",
        {"reason": "ours"},
        signer=Account.create(),
    )

    assert_problem(forged, 422, "invalid-signature")


def test_replayed_objection_signature_is_refused(api: LifecycleDriver) -> None:
    holder, registrar, objector = api.participants("enterprise", "registrar", "enterprise")
    asset_id = api.in_notice(holder, registrar)["assetId"]
    submission = api.signed(objector, f"/v1/assets/{asset_id}/objection-requests", {"reason": "ours"})
    assert (
        api.client.post(
            f"/v1/assets/{asset_id}/objections", json=submission, headers=objector.headers
        ).status_code
        == 201
    )

    replay = api.client.post(f"/v1/assets/{asset_id}/objections", json=submission, headers=objector.headers)

    assert_problem(replay, 409, "nonce-replayed")


def test_failed_review_rejects_with_its_reason(api: LifecycleDriver) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    asset_id = api.register(holder)["assetId"]
    api.review(registrar, asset_id, "formal")

    rejected = api.review(
        registrar, asset_id, "substantive", passed=False, reason="single raw records, not a collection"
    )

    assert rejected["state"] == "rejected"
    history = api.client.get(f"/v1/assets/{asset_id}/history?act=rejected", headers=holder.headers).json()
    assert [h["detail"]["reason"] for h in history["items"]] == ["single raw records, not a collection"]


def test_registrar_rejects_an_application_under_notice(api: LifecycleDriver) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    asset_id = api.in_notice(holder, registrar)["assetId"]

    response = api.registrar_act(
        registrar,
        f"/v1/assets/{asset_id}/rejection-requests",
        f"/v1/assets/{asset_id}/rejection",
        {"reason": "core national data"},
    )

    assert response.status_code == 200 and response.json()["state"] == "rejected"


def test_reviews_out_of_order_are_refused(api: LifecycleDriver) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    asset_id = api.register(holder)["assetId"]

    response = api.registrar_act(
        registrar,
        f"/v1/assets/{asset_id}/review-requests",
        f"/v1/assets/{asset_id}/reviews",
        {"stage": "substantive", "reason": "x"},
    )

    assert_problem(response, 409, "invalid-asset-status")


def test_procedure_acts_by_others_than_the_registrar_are_forbidden(api: LifecycleDriver) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    asset_id = api.in_notice(holder, registrar)["assetId"]
    objection = api.objection(api.participant("enterprise"), asset_id).json()

    review = api.client.post(
        f"/v1/assets/{asset_id}/review-requests",
        json={"stage": "formal", "reason": "x"},
        headers=holder.headers,
    )
    resolve = api.registrar_act(
        holder,
        f"/v1/objections/{objection['objectionId']}/resolution-requests",
        f"/v1/objections/{objection['objectionId']}/resolution",
        {"upheld": False, "resolution": "x"},
    )
    notice = api.client.put("/v1/registry/notice-period", json={"seconds": 0}, headers=registrar.headers)

    for response in (review, resolve, notice):
        assert_problem(response, 403, "not-authorised")


def test_notice_period_is_configurable_by_the_administrator(api: LifecycleDriver) -> None:
    api.set_notice_period(7 * 24 * 3600)
    assert api.client.get("/v1/registry/notice-period").json() == {"seconds": 7 * 24 * 3600}
    too_long = api.client.put(
        "/v1/registry/notice-period", json={"seconds": 400 * 24 * 3600}, headers=api.admin_headers
    )
    assert_problem(too_long, 422, "validation-failed")


def test_objection_evidence_hash_is_recorded_on_chain(api: LifecycleDriver) -> None:
    holder, registrar, objector = api.participants("enterprise", "registrar", "enterprise")
    asset_id = api.in_notice(holder, registrar)["assetId"]
    evidence = request_hash("contract of 2024 with the franchise")

    filed = api.act(
        objector,
        f"/v1/assets/{asset_id}/objection-requests",
        f"/v1/assets/{asset_id}/objections",
        {"reason": "ours", "evidenceHash": evidence},
    ).json()

    on_chain = api.client.app.state.services.registry.objection(filed["objectionId"])  # type: ignore[attr-defined]
    assert on_chain.evidence_hash == evidence and on_chain.objector == objector.account.address  # type: ignore[union-attr]
