"""Licences over HTTP: granted by the holder, one use per authorisation, refused when used up,
expired, revoked, or when the asset is revoked or enforced; and data subjects' consents."""

from __future__ import annotations

from eth_account import Account

from tests.factories import Actor
from tests.lifecycle.driver import LifecycleDriver, assert_problem, request_hash


def licensed(api: LifecycleDriver, **terms: object) -> tuple[Actor, Actor, Actor, dict, dict]:
    """A certified asset and a licence on it: (holder, licensee, registrar, asset, licence)."""
    holder, licensee, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)
    response = api.grant(holder, api.licence_terms(asset["assetId"], licensee, **terms))
    assert response.status_code == 201, response.text
    return holder, licensee, registrar, asset, response.json()


def test_licence_granted_for_one_use_is_used_once_and_refused_the_second_time(api: LifecycleDriver) -> None:
    holder, licensee, _, asset, licence = licensed(api, max_uses=1)
    assert licence["maxUses"] == 1 and licence["uses"] == 0 and licence["territory"] == "CN-HI"
    query = request_hash("forecast query 2026-11")

    first = api.use(licensee, licence["licenceId"], query)

    assert first.status_code == 201, first.text
    use = first.json()["use"]
    assert (use["number"], use["requestHash"], use["licensee"]) == (1, query, licensee.account.address)  # type: ignore[union-attr]
    assert_problem(api.use(licensee, licence["licenceId"]), 409, "licence-used-up")
    assert api.client.get(f"/v1/licences/{licence['licenceId']}", headers=holder.headers).json()["uses"] == 1
    history = api.client.get(
        f"/v1/assets/{asset['assetId']}/history?act=licence-used", headers=holder.headers
    ).json()
    assert [h["detail"]["requestHash"] for h in history["items"]] == [query]
    assert history["items"][0]["actor"] == licensee.account.address  # type: ignore[union-attr]


def test_a_licence_of_three_uses_allows_exactly_three(api: LifecycleDriver) -> None:
    _, licensee, _, _, licence = licensed(api, max_uses=3)
    for _ in range(3):
        assert api.use(licensee, licence["licenceId"]).status_code == 201
    assert_problem(api.use(licensee, licence["licenceId"]), 409, "licence-used-up")


def test_use_after_expiry_is_refused(api: LifecycleDriver) -> None:
    _, licensee, _, _, licence = licensed(api, max_uses=5, valid_until=api.clock.now() + 3600)
    api.clock.advance(3601)
    assert_problem(api.use(licensee, licence["licenceId"]), 409, "licence-expired")


def test_use_by_another_participant_or_key_is_refused(api: LifecycleDriver) -> None:
    _, licensee, _, _, licence = licensed(api)
    stranger = api.participant("enterprise")
    response = api.client.post(
        f"/v1/licences/{licence['licenceId']}/use-requests",
        json={"requestHash": request_hash()},
        headers=stranger.headers,
    )
    assert_problem(response, 404, "licence-not-found")  # to a stranger the licence does not exist
    assert_problem(api.use(licensee, licence["licenceId"], signer=Account.create()), 422, "invalid-signature")


def test_revoked_licence_is_refused_and_only_the_holder_revokes(api: LifecycleDriver) -> None:
    holder, licensee, _, _, licence = licensed(api, max_uses=5)
    path = f"/v1/licences/{licence['licenceId']}"

    stranger = api.client.post(f"{path}/revocation-requests", json={"reason": "x"}, headers=licensee.headers)
    assert_problem(stranger, 403, "not-authorised")
    forged = api.act(
        holder, f"{path}/revocation-requests", f"{path}/revocation", {"reason": "x"}, signer=Account.create()
    )
    assert_problem(forged, 422, "invalid-signature")
    revoked = api.act(
        holder, f"{path}/revocation-requests", f"{path}/revocation", {"reason": "licence fee unpaid"}
    )
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True

    assert_problem(api.use(licensee, licence["licenceId"]), 409, "licence-revoked")


def test_licence_on_a_revoked_asset_is_refused(api: LifecycleDriver) -> None:
    _, licensee, registrar, asset, licence = licensed(api, max_uses=5)
    api.revoke(registrar, asset["assetId"], "unlawful")
    assert_problem(api.use(licensee, licence["licenceId"]), 409, "asset-not-certified")


def test_licence_granted_before_an_enforced_pledge_is_refused(api: LifecycleDriver) -> None:
    holder, licensee, _, asset, licence = licensed(api, max_uses=5)
    asset_id, bank = asset["assetId"], api.participant("enterprise")
    assert api.pledge(holder, asset_id, bank, terms="RMB 1m").status_code == 201
    assert api.use(licensee, licence["licenceId"]).status_code == 201  # a pledge alone does not stop licences
    api.act(
        bank,
        f"/v1/assets/{asset_id}/pledge-enforcement-requests",
        f"/v1/assets/{asset_id}/pledge-enforcement",
    )

    assert_problem(api.use(licensee, licence["licenceId"]), 409, "licence-voided-by-enforcement")


def test_only_the_holder_of_a_certified_asset_grants_licences(api: LifecycleDriver) -> None:
    holder, licensee, registrar = api.participants("enterprise", "enterprise", "registrar")
    uncertified = api.register(holder)
    assert_problem(
        api.client.post(
            "/v1/licences/requests",
            json=api.licence_terms(uncertified["assetId"], licensee),
            headers=holder.headers,
        ),
        409,
        "asset-not-certified",
    )
    asset, _ = api.certified(holder, registrar)
    by_licensee = api.client.post(
        "/v1/licences/requests", json=api.licence_terms(asset["assetId"], licensee), headers=licensee.headers
    )
    assert_problem(by_licensee, 403, "not-authorised")
    assert_problem(
        api.grant(holder, api.licence_terms(asset["assetId"], licensee), signer=Account.create()),
        422,
        "invalid-signature",
    )


def test_replayed_licence_use_signature_is_refused(api: LifecycleDriver) -> None:
    _, licensee, _, _, licence = licensed(api, max_uses=5)
    path = f"/v1/licences/{licence['licenceId']}"
    submission = api.signed(licensee, f"{path}/use-requests", {"requestHash": request_hash()})
    assert api.client.post(f"{path}/uses", json=submission, headers=licensee.headers).status_code == 201

    assert_problem(
        api.client.post(f"{path}/uses", json=submission, headers=licensee.headers), 409, "nonce-replayed"
    )


# -- consents ------------------------------------------------------------------------------------------


def consent(api: LifecycleDriver, employer: Actor, person, valid_s: int = 7 * 24 * 3600) -> dict:  # type: ignore[no-untyped-def]
    """The person's key signs the employer's consent request; the employer submits it."""
    body = {
        "subject": person.address,
        "purpose": "verify the CV's employment history",
        "validUntil": api.clock.now() + valid_s,
    }
    response = api.act(employer, "/v1/consents/requests", "/v1/consents", body, signer=person)
    assert response.status_code == 201, response.text
    return response.json()


def use_consent(api: LifecycleDriver, employer: Actor, consent_id: int, **kw):  # type: ignore[no-untyped-def]
    return api.act(
        employer, f"/v1/consents/{consent_id}/use-requests", f"/v1/consents/{consent_id}/uses",
        {"requestHash": request_hash()}, **kw,
    )  # fmt: skip


def test_consent_lets_one_enterprise_query_once(api: LifecycleDriver) -> None:
    employer, person = api.participant("enterprise"), Account.create()
    given = consent(api, employer, person)
    assert given["status"] == "active" and given["subject"] == person.address

    used = use_consent(api, employer, given["consentId"])

    assert used.status_code == 201 and used.json()["status"] == "consumed"
    assert_problem(use_consent(api, employer, given["consentId"]), 409, "consent-not-active")
    detail = api.client.get(f"/v1/consents/{given['consentId']}", headers=employer.headers).json()
    assert [h["act"] for h in detail["history"]] == ["consent-granted", "consent-consumed"]


def test_consent_given_to_another_enterprise_cannot_be_used(api: LifecycleDriver) -> None:
    employer, other, person = api.participant("enterprise"), api.participant("enterprise"), Account.create()
    given = consent(api, employer, person)
    response = api.client.post(
        f"/v1/consents/{given['consentId']}/use-requests",
        json={"requestHash": request_hash()},
        headers=other.headers,
    )
    assert_problem(response, 403, "not-authorised")
    assert_problem(
        use_consent(api, employer, given["consentId"], signer=Account.create()), 422, "invalid-signature"
    )


def test_consent_not_signed_by_the_subject_is_refused(api: LifecycleDriver) -> None:
    employer, person = api.participant("enterprise"), Account.create()
    body = {"subject": person.address, "purpose": "background check", "validUntil": api.clock.now() + 3600}
    response = api.act(employer, "/v1/consents/requests", "/v1/consents", body, signer=Account.create())
    assert_problem(response, 422, "invalid-signature")


def test_expired_consent_is_refused(api: LifecycleDriver) -> None:
    employer, person = api.participant("enterprise"), Account.create()
    given = consent(api, employer, person, valid_s=600)
    api.clock.advance(601)
    assert_problem(use_consent(api, employer, given["consentId"]), 409, "consent-expired")


def test_subject_lists_and_withdraws_consents_with_their_key(api: LifecycleDriver) -> None:
    employer, person = api.participant("enterprise"), Account.create()
    first, second = consent(api, employer, person), consent(api, employer, person)

    listing = api.prepared(None, "/v1/consents/listing-requests", {"subject": person.address})
    signature = _sign(person, listing["typedData"])
    listed = api.client.post(
        "/v1/consents/by-subject",
        json={"subject": person.address, "issuedAt": listing["issuedAt"], "signature": signature},
    )
    assert [c["consentId"] for c in listed.json()["items"]] == [first["consentId"], second["consentId"]]
    forged = api.client.post(
        "/v1/consents/by-subject",
        json={
            "subject": person.address,
            "issuedAt": listing["issuedAt"],
            "signature": _sign(Account.create(), listing["typedData"]),
        },
    )
    assert_problem(forged, 422, "invalid-signature")

    path = f"/v1/consents/{first['consentId']}"
    withdrawn = api.act(None, f"{path}/withdrawal-requests", f"{path}/withdrawal", signer=person)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert_problem(use_consent(api, employer, first["consentId"]), 409, "consent-not-active")
    assert use_consent(api, employer, second["consentId"]).status_code == 201
    not_theirs = api.act(
        None, f"/v1/consents/{second['consentId']}/withdrawal-requests", "/v1/consents/x", signer=person
    )
    assert not_theirs.status_code in (404, 409, 422)  # consumed: nothing left to withdraw


def _sign(account, typed_data: dict) -> str:  # type: ignore[no-untyped-def]
    from dataledger.registry.holder_signatures import sign_typed_data

    return sign_typed_data(account.key, typed_data)


def test_a_licence_is_seen_by_its_parties_and_oversight_and_by_no_other_enterprise(
    api: LifecycleDriver,
) -> None:
    holder, licensee, registrar, asset, licence = licensed(api)
    stranger, auditor, exchange = api.participants("enterprise", "auditor", "exchange")
    path = f"/v1/licences/{licence['licenceId']}"
    listing = f"/v1/licences?assetId={asset['assetId']}"

    for party in (holder, licensee, registrar, auditor):
        assert api.client.get(path, headers=party.headers).status_code == 200
        assert [
            item["licenceId"] for item in api.client.get(listing, headers=party.headers).json()["items"]
        ] == [licence["licenceId"]]
    for outsider in (stranger, exchange):
        assert_problem(api.client.get(path, headers=outsider.headers), 404, "licence-not-found")
        assert api.client.get(listing, headers=outsider.headers).json()["items"] == []
        assert api.client.get("/v1/licences", headers=outsider.headers).json()["items"] == []


def test_a_pledged_asset_takes_no_exclusive_licence_and_an_exclusive_one_stands_alone(
    api: LifecycleDriver,
) -> None:
    holder, licensee, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)
    asset_id, bank = asset["assetId"], api.participant("enterprise")
    assert api.pledge(holder, asset_id, bank).status_code == 201

    for exclusivity in ("sole", "exclusive"):  # refused while pledged (the contract refuses it too)
        refused = api.grant(holder, api.licence_terms(asset_id, licensee, exclusivity=exclusivity))
        assert_problem(refused, 409, "asset-pledged")
    assert api.grant(holder, api.licence_terms(asset_id, licensee)).status_code == 201  # non-exclusive: yes
    released = api.act(
        bank, f"/v1/assets/{asset_id}/pledge-release-requests", f"/v1/assets/{asset_id}/pledge-release"
    )
    assert released.status_code == 200, released.text
    # released, but the non-exclusive licence is in force: an exclusive one would overlap it
    assert_problem(
        api.grant(holder, api.licence_terms(asset_id, licensee, exclusivity="exclusive")),
        409,
        "licence-exclusivity-conflict",
    )

    other, registrar2 = api.participants("enterprise", "registrar")
    fresh, _ = api.certified(other, registrar2)
    exclusive = api.grant(other, api.licence_terms(fresh["assetId"], licensee, exclusivity="exclusive"))
    assert exclusive.status_code == 201, exclusive.text
    assert exclusive.json()["exclusivity"] == "exclusive"
    # no other licence of the asset while the exclusive one is in force
    second = api.participant("enterprise")
    assert_problem(
        api.grant(other, api.licence_terms(fresh["assetId"], second)), 409, "licence-exclusivity-conflict"
    )
