"""Pledge financing over HTTP, as a bank lives it: the holder and the bank both sign a pledge (the bank
files it), the bank states a new valuation, a registrar files the pledge and issues its registration
certificate, anyone checks the certificate, the bank sees its book, and the release ends both the
pledge and its certificate; a pledge the bank did not sign is refused on chain and off."""

from __future__ import annotations

from eth_account import Account

from tests.factories import PLEDGE_MATURITY, pledge_terms, signed_pledge
from tests.lifecycle.driver import LifecycleDriver, assert_problem


def test_a_banks_pledge_is_signed_by_both_filed_certified_and_released(api: LifecycleDriver) -> None:
    holder, bank, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)
    asset_id = asset["assetId"]

    filed = api.pledge(holder, asset_id, bank, by=bank)  # prepared and filed by the bank

    assert filed.status_code == 201, filed.text
    pledge = filed.json()
    assert (pledge["securedAmount"], pledge["currency"], pledge["maturity"]) == (
        500_000_000,
        "CNY",
        PLEDGE_MATURITY,
    )
    assert pledge["pledgorAddress"] == holder.account.address  # type: ignore[union-attr]
    revalued = api.act(
        bank,
        f"/v1/assets/{asset_id}/pledge-revaluation-requests",
        f"/v1/assets/{asset_id}/pledge-revaluations",
        {"valuation": "Re-appraised at RMB 7.5m after the quarterly review"},
    )
    assert revalued.status_code == 200, revalued.text
    assert len(revalued.json()["valuations"]) == 2
    issued = api.registrar_act(
        registrar,
        f"/v1/assets/{asset_id}/pledge-certificate-requests",
        f"/v1/assets/{asset_id}/pledge-certificates",
    )
    assert issued.status_code == 201, issued.text
    certificate = issued.json()
    number = certificate["credentialSubject"]["pledgeCertificateNumber"]

    public = api.client.get(f"/v1/pledge-certificates/{number}")  # anyone, no key
    assert public.status_code == 200 and public.json() == certificate
    checked = api.client.post("/v1/pledge-certificates/verify", json=certificate).json()
    assert (checked["valid"], checked["standing"]) == (True, "active")
    (booked,) = api.client.get("/v1/pledges?status=active", headers=bank.headers).json()["items"]
    assert booked["assetId"] == asset_id and booked["certificateNumber"] == number
    assert api.client.get("/v1/pledges", headers=holder.headers).json()["items"] == []  # not its book
    stranger = api.participant("enterprise")
    (seen,) = api.client.get(f"/v1/assets/{asset_id}/pledges", headers=stranger.headers).json()["items"]
    assert "terms" not in seen and "valuation" not in seen and seen["securedAmount"] == 500_000_000
    transfer = api.act(
        holder,
        f"/v1/assets/{asset_id}/transfer-requests",
        f"/v1/assets/{asset_id}/transfers",
        {"to": stranger.account.address},  # type: ignore[union-attr]
    )
    assert_problem(transfer, 409, "asset-pledged")

    released = api.act(
        bank, f"/v1/assets/{asset_id}/pledge-release-requests", f"/v1/assets/{asset_id}/pledge-release"
    )

    assert released.status_code == 200 and released.json()["status"] == "released"
    ended = api.client.post("/v1/pledge-certificates/verify", json=certificate).json()
    assert (ended["valid"], ended["standing"]) == (False, "ended")
    edited = {**certificate, "credentialSubject": {**certificate["credentialSubject"], "currency": "USD"}}
    assert api.client.post("/v1/pledge-certificates/verify", json=edited).json()["standing"] == "tampered"


def test_a_pledge_the_bank_did_not_sign_is_refused(api: LifecycleDriver) -> None:
    holder, bank, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)
    asset_id = asset["assetId"]
    body = pledge_terms(bank)
    prepared = api.client.post(f"/v1/assets/{asset_id}/pledge-requests", json=body, headers=holder.headers)
    assert prepared.status_code == 200, prepared.text
    impostor = api.participant("enterprise")
    impostor.account = Account.create()  # signs in the bank's name with another key
    forged = signed_pledge(body, prepared.json(), holder, impostor)

    refused = api.client.post(f"/v1/assets/{asset_id}/pledges", json=forged, headers=holder.headers)

    assert_problem(refused, 422, "invalid-signature")
    assert api.client.get(f"/v1/assets/{asset_id}/pledges", headers=holder.headers).json()["items"] == []


def test_only_the_holder_or_the_named_pledgee_prepares_a_pledge(api: LifecycleDriver) -> None:
    holder, bank, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)
    stranger = api.participant("enterprise")

    response = api.client.post(
        f"/v1/assets/{asset['assetId']}/pledge-requests", json=pledge_terms(bank), headers=stranger.headers
    )

    assert_problem(response, 403, "not-authorised")


def test_bad_pledge_terms_are_refused_with_a_clear_error(api: LifecycleDriver) -> None:
    holder, bank, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)
    path = f"/v1/assets/{asset['assetId']}/pledge-requests"

    for bad in ({"currency": "yuan"}, {"securedAmount": 0}, {"maturity": 2**40}, {"maturity": 1}):
        response = api.client.post(path, json=pledge_terms(bank, **bad), headers=holder.headers)
        assert_problem(response, 422, "validation-failed")


def test_only_a_registrar_files_a_pledge_and_only_once(api: LifecycleDriver) -> None:
    holder, bank, registrar = api.participants("enterprise", "enterprise", "registrar")
    asset, _ = api.certified(holder, registrar)
    asset_id = asset["assetId"]
    prepare = f"/v1/assets/{asset_id}/pledge-certificate-requests"
    assert_problem(api.client.post(prepare, headers=registrar.headers), 409, "asset-not-pledged")
    assert api.pledge(holder, asset_id, bank).status_code == 201

    assert_problem(api.client.post(prepare, headers=bank.headers), 403, "not-authorised")
    issued = api.registrar_act(registrar, prepare, f"/v1/assets/{asset_id}/pledge-certificates")
    assert issued.status_code == 201, issued.text
    assert_problem(api.client.post(prepare, headers=registrar.headers), 409, "pledge-already-certified")
