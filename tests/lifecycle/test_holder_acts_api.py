"""Acts after certification over HTTP: change, renewal, transfer, pledge (release, enforcement),
cancellation and revocation, with each refusal and what verification then says."""

from __future__ import annotations

from eth_account import Account

from tests.factories import Actor, asset_facts, content_hash
from tests.lifecycle.driver import LifecycleDriver, assert_problem

THREE_YEARS_S = 3 * 365 * 24 * 3600


def transfer(api: LifecycleDriver, holder: Actor, asset_id: str, to: Actor, **kw):  # type: ignore[no-untyped-def]
    return api.act(
        holder,
        f"/v1/assets/{asset_id}/transfer-requests",
        f"/v1/assets/{asset_id}/transfers",
        {"to": to.account.address},  # type: ignore[union-attr]
        **kw,
    )


def pledge(api: LifecycleDriver, holder: Actor, asset_id: str, bank: Actor):  # type: ignore[no-untyped-def]
    return api.pledge(holder, asset_id, bank)


def pledgee_act(api: LifecycleDriver, actor: Actor, asset_id: str, act: str, **kw):  # type: ignore[no-untyped-def]
    return api.act(
        actor, f"/v1/assets/{asset_id}/pledge-{act}-requests", f"/v1/assets/{asset_id}/pledge-{act}", **kw
    )


def test_after_a_transfer_a_second_registrar_issues_the_new_certificate_superseding_the_old_one(
    api: LifecycleDriver,
) -> None:
    holder, buyer, registrar, other_registrar = api.participants(
        "enterprise", "enterprise", "registrar", "registrar"
    )
    asset, old_certificate = api.certified(holder, registrar)
    old_number = old_certificate["credentialSubject"]["certificateNumber"]

    response = transfer(api, holder, asset["assetId"], buyer)

    assert response.status_code == 201, response.text
    assert "certificate" not in response.json()
    reissued = api.issue_certificate(other_registrar, asset["assetId"])
    assert reissued.status_code == 201, reissued.text
    new_certificate = reissued.json()
    new_number = new_certificate["credentialSubject"]["certificateNumber"]
    assert new_certificate["credentialSubject"]["holder"]["address"] == buyer.account.address  # type: ignore[union-attr]
    assert new_certificate["validUntil"] == old_certificate["validUntil"]  # the term carries over
    assert response.json()["asset"]["holderId"] == buyer.id
    old_report = api.verify(old_certificate)
    assert old_report["failedCheck"] == "certificate-current" and old_report["status"] == "superseded"
    assert old_report["supersededByNumber"] == new_number
    assert api.verify(new_certificate)["valid"] is True
    status = api.client.get(f"/v1/certificates/{old_number}/status").json()
    assert (status["status"], status["supersededBy"]) == ("superseded", new_number)
    # The superseded certificate's status names its own holder and the transaction that recorded it.
    assert (status["holder"], status["currentHolder"]) == (holder.account.address, buyer.account.address)  # type: ignore[union-attr]
    new_status = api.client.get(f"/v1/certificates/{new_number}/status").json()
    assert None not in (status["recordedIn"], new_status["recordedIn"])
    assert status["recordedIn"]["txHash"] != new_status["recordedIn"]["txHash"]
    acts = [
        h["act"]
        for h in api.client.get(f"/v1/assets/{asset['assetId']}/history", headers=buyer.headers).json()[
            "items"
        ]
    ]
    assert acts[-3:] == ["transferred", "certificate-recorded", "certificate-superseded"]
    # Each certificate names, on chain and in the history, the registration institution that signed it.
    history_items = api.client.get(
        f"/v1/assets/{asset['assetId']}/history",
        params={"act": "certificate-recorded"},
        headers=buyer.headers,
    ).json()["items"]
    assert [(h["actor"], h["detail"]["registrar"]) for h in history_items] == [
        (registrar.account.address, registrar.account.address),  # type: ignore[union-attr]
        (other_registrar.account.address, other_registrar.account.address),  # type: ignore[union-attr]
    ]
    # The response carries the evidence of the transaction the transfer made, not an earlier one.
    history = api.client.get(
        f"/v1/assets/{asset['assetId']}/history", params={"act": "transferred"}, headers=buyer.headers
    ).json()["items"]
    assert response.json()["transaction"] == history[-1]["chainEvidence"]


def test_transfer_to_someone_who_is_not_a_participant_is_refused(api: LifecycleDriver) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    asset, _ = api.certified(holder, registrar)
    response = api.client.post(
        f"/v1/assets/{asset['assetId']}/transfer-requests",
        json={"to": Account.create().address},
        headers=holder.headers,
    )
    assert_problem(response, 422, "validation-failed")


def test_transfer_by_someone_who_is_not_the_holder_is_forbidden(api: LifecycleDriver) -> None:
    holder, stranger, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)
    response = api.client.post(
        f"/v1/assets/{asset['assetId']}/transfer-requests",
        json={"to": stranger.account.address},  # type: ignore[union-attr]
        headers=stranger.headers,
    )
    assert_problem(response, 403, "not-authorised")


def test_transfer_signed_by_another_key_is_refused_by_the_contract(api: LifecycleDriver) -> None:
    holder, buyer, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)

    response = transfer(api, holder, asset["assetId"], buyer, signer=Account.create())

    assert_problem(response, 422, "invalid-signature")


def test_transfer_of_an_uncertified_asset_is_refused(api: LifecycleDriver) -> None:
    holder, buyer = api.participant("enterprise"), api.participant("enterprise")
    asset = api.register(holder)
    assert_problem(transfer(api, holder, asset["assetId"], buyer), 409, "invalid-asset-status")


def test_transfer_and_cancellation_while_pledged_are_refused(api: LifecycleDriver) -> None:
    holder, buyer, bank, registrar = (
        api.participant("enterprise"), api.participant("enterprise"), api.participant("enterprise"),
        api.participant("registrar"),
    )  # fmt: skip
    asset, certificate = api.certified(holder, registrar)
    asset_id = asset["assetId"]
    assert pledge(api, holder, asset_id, bank).status_code == 201

    assert_problem(transfer(api, holder, asset_id, buyer), 409, "asset-pledged")
    cancel = api.act(
        holder, f"/v1/assets/{asset_id}/cancellation-requests", f"/v1/assets/{asset_id}/cancellation"
    )
    assert_problem(cancel, 409, "asset-pledged")
    report = api.verify(certificate)
    assert report["valid"] is True and report["pledgedTo"] == bank.account.address  # type: ignore[union-attr]
    status = api.client.get(
        f"/v1/certificates/{certificate['credentialSubject']['certificateNumber']}/status"
    )
    assert status.json()["pledgedTo"] == bank.account.address  # type: ignore[union-attr]


def test_release_is_signed_by_the_pledgee_and_frees_the_asset(api: LifecycleDriver) -> None:
    holder, buyer, bank, registrar = (
        api.participant("enterprise"), api.participant("enterprise"), api.participant("enterprise"),
        api.participant("registrar"),
    )  # fmt: skip
    asset, _ = api.certified(holder, registrar)
    asset_id = asset["assetId"]
    pledge(api, holder, asset_id, bank)

    by_holder = api.client.post(f"/v1/assets/{asset_id}/pledge-release-requests", headers=holder.headers)
    assert_problem(by_holder, 403, "not-authorised")
    forged = pledgee_act(api, bank, asset_id, "release", signer=Account.create())
    assert_problem(forged, 422, "invalid-signature")
    released = pledgee_act(api, bank, asset_id, "release")
    assert released.status_code == 200 and released.json()["status"] == "released"

    assert transfer(api, holder, asset_id, buyer).status_code == 201
    pledges = api.client.get(f"/v1/assets/{asset_id}/pledges", headers=holder.headers).json()["items"]
    assert [p["status"] for p in pledges] == ["released"]


def test_enforcement_passes_the_rights_to_the_pledgee_with_a_new_certificate(api: LifecycleDriver) -> None:
    holder, bank, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, certificate = api.certified(holder, registrar)
    asset_id = asset["assetId"]
    pledge(api, holder, asset_id, bank)

    enforced = pledgee_act(api, bank, asset_id, "enforcement")

    assert enforced.status_code == 200, enforced.text
    body = enforced.json()
    assert body["pledge"]["status"] == "enforced"
    assert body["asset"]["holderAddress"] == bank.account.address  # type: ignore[union-attr]
    reissued = api.issue_certificate(registrar, asset_id)
    assert reissued.status_code == 201, reissued.text
    new_certificate = reissued.json()
    assert new_certificate["credentialSubject"]["holder"]["address"] == bank.account.address  # type: ignore[union-attr]
    assert api.verify(certificate)["status"] == "superseded"
    assert api.verify(new_certificate)["valid"] is True
    acts = [
        h["act"]
        for h in api.client.get(f"/v1/assets/{asset_id}/history", headers=bank.headers).json()["items"]
    ]
    assert acts[-5:] == [
        "pledged",
        "pledge-enforced",
        "transferred",
        "certificate-recorded",
        "certificate-superseded",
    ]


def test_release_or_enforcement_of_an_unpledged_asset_is_refused(api: LifecycleDriver) -> None:
    holder, bank, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)
    response = api.client.post(
        f"/v1/assets/{asset['assetId']}/pledge-enforcement-requests", headers=bank.headers
    )
    assert_problem(response, 409, "asset-not-pledged")


def test_replayed_pledge_signature_is_refused(api: LifecycleDriver) -> None:
    holder, bank, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)
    asset_id = asset["assetId"]
    submission = api.pledge_submission(holder, asset_id, bank)
    assert (
        api.client.post(f"/v1/assets/{asset_id}/pledges", json=submission, headers=holder.headers).status_code
        == 201
    )
    pledgee_act(api, bank, asset_id, "release")

    replay = api.client.post(f"/v1/assets/{asset_id}/pledges", json=submission, headers=holder.headers)

    assert_problem(replay, 409, "nonce-replayed")


def test_cancellation_by_the_holder_fails_verification_as_cancelled(api: LifecycleDriver) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    asset, certificate = api.certified(holder, registrar)
    asset_id = asset["assetId"]

    cancelled = api.act(
        holder, f"/v1/assets/{asset_id}/cancellation-requests", f"/v1/assets/{asset_id}/cancellation"
    )

    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    report = api.verify(certificate)
    assert (report["failedCheck"], report["status"]) == ("asset-not-revoked", "cancelled")
    assert "cancelled" in report["checks"][-1]["detail"]
    number = certificate["credentialSubject"]["certificateNumber"]
    assert api.client.get(f"/v1/certificates/{number}/status").json()["status"] == "cancelled"


def test_revocation_by_a_stranger_is_forbidden_and_by_the_registrar_fails_verification(
    api: LifecycleDriver,
) -> None:
    holder, stranger, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, certificate = api.certified(holder, registrar)
    path = f"/v1/assets/{asset['assetId']}/revocation-requests"

    assert_problem(
        api.client.post(path, json={"reason": "mine"}, headers=stranger.headers), 403, "not-authorised"
    )
    assert api.revoke(registrar, asset["assetId"], "objection upheld in court").status_code == 200

    report = api.verify(certificate)
    assert (report["failedCheck"], report["status"]) == ("asset-not-revoked", "revoked")


def test_change_records_a_new_version_and_reissues_the_certificate(api: LifecycleDriver) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    facts = asset_facts()
    asset, first = api.certified(holder, registrar, facts)
    asset_id = asset["assetId"]
    new_facts = {**facts, "contentHash": content_hash(), "scale": "1.3M rows"}

    changed = api.act(
        holder,
        f"/v1/assets/{asset_id}/change-requests",
        f"/v1/assets/{asset_id}/changes",
        {"facts": new_facts},
    )

    assert changed.status_code == 201, changed.text
    assert "certificate" not in changed.json()  # a registrar issues it, signed by its own key
    reissued = api.issue_certificate(registrar, asset_id)
    assert reissued.status_code == 201, reissued.text
    certificate = reissued.json()
    assert certificate["credentialSubject"]["asset"]["contentHash"] == new_facts["contentHash"]
    assert api.verify(certificate)["valid"] is True
    assert api.verify(first)["status"] == "superseded"
    versions = api.client.get(f"/v1/assets/{asset_id}/versions", headers=holder.headers).json()["items"]
    assert [(v["version"], v["contentHash"]) for v in versions] == [
        (1, facts["contentHash"]),
        (2, new_facts["contentHash"]),
    ]
    assert (
        api.client.get(f"/v1/assets/{asset_id}", headers=holder.headers).json()["contentHash"]
        == new_facts["contentHash"]
    )


def test_change_to_content_already_registered_is_refused(api: LifecycleDriver) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    facts = asset_facts()
    asset, _ = api.certified(holder, registrar, facts)
    other = api.register(holder)
    response = api.act(
        holder,
        f"/v1/assets/{asset['assetId']}/change-requests",
        f"/v1/assets/{asset['assetId']}/changes",
        {"facts": {**facts, "contentHash": other["contentHash"]}},
    )
    assert_problem(response, 409, "content-already-registered")


def test_renewal_before_expiry_extends_the_term_and_after_expiry_is_refused(api: LifecycleDriver) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    asset, first = api.certified(holder, registrar)
    path = f"/v1/assets/{asset['assetId']}/renewal-requests"

    assert_problem(api.client.post(path, headers=holder.headers), 403, "not-authorised")
    renewed = api.renew(registrar, asset["assetId"])
    assert renewed.status_code == 201, renewed.text
    second = renewed.json()
    assert second["validUntil"] > first["validUntil"]
    assert api.verify(first)["status"] == "superseded"
    acts = [
        h["act"]
        for h in api.client.get(f"/v1/assets/{asset['assetId']}/history", headers=holder.headers).json()[
            "items"
        ]
    ]
    assert acts[-3:] == ["certificate-recorded", "certificate-superseded", "certificate-renewed"]

    api.clock.advance(2 * THREE_YEARS_S + 24 * 3600)
    assert_problem(api.renew(registrar, asset["assetId"]), 409, "certificate-expired")
