"""The registration path end to end over HTTP, including every refusal, on each of the three chains
(the embedded chain, the hardhat-free devnet over JSON-RPC, and anvil) and on PostgreSQL."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator

import pytest
from eth_account import Account
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from dataledger.registry.numbering import DEFAULT_INSTITUTION_CODE, CertificateNumber, RegistrationNumber
from tests.conftest import make_settings
from tests.factories import ApiDriver, asset_facts
from tests.nodes import fresh_postgres_database, postgres_reachable


@pytest.fixture(scope="module", params=["embedded", "devnet", "anvil", "embedded+postgresql"])
def services(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Services]:
    """The API's services on each chain, and on PostgreSQL, for the module: every test acts as
    participants of its own, on assets of its own."""
    chain, _, database = request.param.partition("+")
    rpc_url = None if chain == "embedded" else request.getfixturevalue(f"{chain}_url")
    with contextlib.ExitStack() as stack:
        database_url = None
        if database == "postgresql":
            if not postgres_reachable():
                pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
            database_url = stack.enter_context(fresh_postgres_database())
        data_dir = tmp_path_factory.mktemp("registration-flow")
        built = build_services(make_settings(data_dir, rpc_url=rpc_url, database_url=database_url))
        stack.callback(built.close)
        yield built


@pytest.fixture(scope="module")
def api(services: Services) -> ApiDriver:
    return ApiDriver(TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value())


PROBLEM = "application/problem+json"

# Refusals decided before the chain is asked: run on each database, not on every chain.
on_each_database = pytest.mark.parametrize("services", ["embedded", "embedded+postgresql"], indirect=True)


def assert_problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["code"] == code
    assert body["type"].endswith("/" + code)
    assert body["status"] == status
    return body


def test_health_and_openapi_answer(api: ApiDriver) -> None:
    health = api.client.get("/healthz").json()
    assert health["status"] == "ok" and health["database"] is True
    assert health["registry"].startswith("0x")
    paths = api.client.get("/openapi.json").json()["paths"]
    assert "/v1/assets" in paths and "/v1/certificates/verify" in paths


def test_registered_asset_carries_chain_evidence_and_history(api: ApiDriver) -> None:
    holder = api.participant("enterprise")
    facts = asset_facts()
    asset = api.register(holder, facts)
    assert asset["state"] == "registered"
    assert asset["contentHash"] == facts["contentHash"]
    evidence = asset["chainEvidence"]
    assert evidence["txHash"].startswith("0x") and len(evidence["txHash"]) == 66
    fetched = api.client.get(f"/v1/assets/{asset['assetId']}", headers=holder.headers).json()
    assert fetched == asset
    history = api.client.get(f"/v1/assets/{asset['assetId']}/history", headers=holder.headers).json()
    assert [h["act"] for h in history["items"]] == ["registered"]
    assert history["items"][0]["chainEvidence"] == evidence


def test_certificate_issued_by_registrar_verifies_online(api: ApiDriver) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    asset = api.register(holder)
    certificate = api.certify(registrar, asset["assetId"])
    number = certificate["credentialSubject"]["certificateNumber"]
    fetched = api.client.get(f"/v1/certificates/{number}")
    assert fetched.status_code == 200 and fetched.json() == certificate
    report = api.client.post("/v1/certificates/verify", json=certificate).json()
    assert report["valid"] is True, report
    names = [c["name"] for c in report["checks"]]
    assert {
        "proof-signature",
        "chain-transaction",
        "chain-event-matches",
        "certificate-current",
        "asset-not-revoked",
    } <= set(names)
    history = api.client.get(f"/v1/assets/{asset['assetId']}/history", headers=holder.headers).json()
    assert [h["act"] for h in history["items"]] == [
        "registered",
        "reviewed",
        "reviewed",
        "notice-started",
        "certificate-recorded",
    ]


def test_registration_and_certificate_numbers_follow_the_national_scheme(api: ApiDriver) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    asset = api.register(holder)
    registration_number = RegistrationNumber.parse(asset["registrationNumber"])  # its check holds
    assert registration_number.institution == DEFAULT_INSTITUTION_CODE
    certificate = api.certify(registrar, asset["assetId"])
    subject = certificate["credentialSubject"]
    assert subject["registrationNumber"] == asset["registrationNumber"]
    number = CertificateNumber.parse(subject["certificateNumber"])
    assert (number.institution, f"{number.year:04d}-{number.month:02d}") == (
        DEFAULT_INSTITUTION_CODE,
        certificate["validFrom"][:7],
    )
    summary = api.client.get(f"/v1/assets/{asset['assetId']}/certificates", headers=holder.headers)
    assert summary.status_code == 200 and summary.json()["items"][0]["number"] == str(number)

    tampered = copy.deepcopy(certificate)
    check = subject["registrationNumber"][-1]
    tampered["credentialSubject"]["registrationNumber"] = subject["registrationNumber"][:-1] + (
        "0" if check != "0" else "1"
    )
    report = api.client.post("/v1/certificates/verify", json=tampered).json()
    assert (report["valid"], report["failedCheck"]) == (False, "format")


def test_tampered_certificate_is_rejected_naming_the_check(api: ApiDriver) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    certificate = api.certify(registrar, api.register(holder)["assetId"])
    tampered = copy.deepcopy(certificate)
    tampered["credentialSubject"]["asset"]["contentHash"] = "0x" + "00" * 31 + "01"
    report = api.client.post("/v1/certificates/verify", json=tampered).json()
    assert report["valid"] is False
    assert report["failedCheck"] == "proof-signature"


def test_revoked_asset_fails_online_verification(api: ApiDriver) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    asset = api.register(holder)
    certificate = api.certify(registrar, asset["assetId"])
    revoked = api.revoke(registrar, asset["assetId"], "unlawful source")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    report = api.client.post("/v1/certificates/verify", json=certificate).json()
    assert report["failedCheck"] == "asset-not-revoked"
    offline = api.client.post("/v1/certificates/verify?online=false", json=certificate).json()
    assert offline["valid"] is True


@on_each_database
def test_malformed_body_is_a_problem_and_stores_nothing(api: ApiDriver) -> None:
    holder = api.participant("enterprise")
    response = api.client.post("/v1/assets", json={"facts": {"name": ""}}, headers=holder.headers)
    body = assert_problem(response, 422, "validation-failed")
    assert body["errors"]
    assert api.client.get("/v1/assets", headers=holder.headers).json()["items"] == []


def test_registration_signed_by_another_key_is_refused(api: ApiDriver) -> None:
    holder = api.participant("enterprise")
    facts = asset_facts()
    prepared = api.prepare(holder, facts)
    forged = api.submission(prepared, facts, Account.create())
    assert_problem(
        api.client.post("/v1/assets", json=forged, headers=holder.headers), 422, "invalid-signature"
    )
    assert api.client.get(f"/v1/assets/{prepared['assetId']}", headers=holder.headers).status_code == 404
    assert api.prepare(holder, facts)["nonce"] == prepared["nonce"]


def test_replayed_registration_is_refused(api: ApiDriver) -> None:
    holder = api.participant("enterprise")
    facts = asset_facts()
    prepared = api.prepare(holder, facts)
    submission = api.submission(prepared, facts, holder.account)
    assert api.client.post("/v1/assets", json=submission, headers=holder.headers).status_code == 201
    replay = api.client.post("/v1/assets", json=submission, headers=holder.headers)
    assert_problem(replay, 409, "asset-already-registered")


def test_reused_nonce_for_new_asset_is_refused(api: ApiDriver) -> None:
    holder = api.participant("enterprise")
    first, second = asset_facts(), asset_facts()
    stale = api.prepare(holder, second)
    api.register(holder, first)
    submission = api.submission(stale, second, holder.account)
    assert_problem(
        api.client.post("/v1/assets", json=submission, headers=holder.headers), 409, "nonce-replayed"
    )


def test_same_content_cannot_be_registered_twice(api: ApiDriver) -> None:
    holder, other = api.participant("enterprise"), api.participant("enterprise")
    facts = asset_facts()
    api.register(holder, facts)
    prepared = api.prepare(other, facts)
    submission = api.submission(prepared, facts, other.account)
    response = api.client.post("/v1/assets", json=submission, headers=other.headers)
    assert_problem(response, 409, "content-already-registered")


@on_each_database
def test_unknown_certificate_is_not_found(api: ApiDriver) -> None:
    assert_problem(api.client.get("/v1/certificates/DLC-2026-999999"), 404, "certificate-not-found")


@on_each_database
def test_registrar_actions_by_non_registrar_are_forbidden(api: ApiDriver) -> None:
    holder, exchange = api.participant("enterprise"), api.participant("exchange")
    asset = api.register(holder)
    for actor in (holder, exchange):
        for prepare in ("certificate-requests", "revocation-requests", "review-requests"):
            body = {"reason": "x", **({"stage": "formal"} if prepare == "review-requests" else {})}
            if prepare == "certificate-requests":
                body = {}
            path = f"/v1/assets/{asset['assetId']}/{prepare}"
            assert_problem(api.client.post(path, json=body, headers=actor.headers), 403, "not-authorised")
    assert (
        api.client.get(f"/v1/assets/{asset['assetId']}", headers=holder.headers).json()["state"]
        == "registered"
    )


@on_each_database
def test_requests_without_a_valid_key_are_unauthenticated(api: ApiDriver) -> None:
    assert_problem(api.client.get("/v1/assets"), 401, "not-authenticated")
    assert_problem(api.client.get("/v1/assets", headers={"X-API-Key": "dlk_wrong"}), 401, "not-authenticated")


@on_each_database
def test_only_the_administrator_creates_participants(api: ApiDriver) -> None:
    holder = api.participant("enterprise")
    response = api.client.post(
        "/v1/participants", json={"name": "x", "role": "registrar"}, headers=holder.headers
    )
    assert_problem(response, 403, "not-authorised")


@on_each_database
def test_unknown_route_is_a_problem(api: ApiDriver) -> None:
    assert_problem(api.client.get("/v1/nothing-here"), 404, "not-found")
