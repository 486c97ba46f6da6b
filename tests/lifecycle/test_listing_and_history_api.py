"""Exchange verification before listing (a signed, check-by-check report) and the auditor's history."""

from __future__ import annotations

import copy

from pydantic.alias_generators import to_camel
from sqlalchemy import text

from tests.factories import Actor, asset_facts
from tests.lifecycle.driver import LifecycleDriver, assert_problem


def product_with_licensed_upstream(api: LifecycleDriver, **licence: object) -> dict:
    """An upstream dataset licensed to a product maker, and the maker's certified product derived from it."""
    source, maker, registrar = api.participants("enterprise", "enterprise", "registrar")
    upstream, _ = api.certified(source, registrar)
    terms = api.licence_terms(
        upstream["assetId"], maker, derivatives_allowed=True, commercial=True, max_uses=10
    )
    granted = api.grant(source, {**terms, **{to_camel(name): value for name, value in licence.items()}})
    assert granted.status_code == 201, granted.text
    facts = asset_facts(
        name="Duty-free demand index (API product)",
        right_claimed="data-product-operation",
        extra={"derived_from": [upstream["assetId"]]},
    )
    product, _ = api.certified(maker, registrar, facts)
    return {
        "maker": maker,
        "registrar": registrar,
        "product": product,
        "upstream": upstream,
        "licence": granted.json(),
        "request": {
            "assetId": product["assetId"],
            "lister": maker.account.address,  # type: ignore[union-attr]
            "contentHash": product["contentHash"],
            "upstream": [{"assetId": upstream["assetId"], "licenceId": granted.json()["licenceId"]}],
        },
    }


def verify_listing(api: LifecycleDriver, exchange: Actor, request: dict) -> dict:
    response = api.client.post("/v1/listings/verify", json=request, headers=exchange.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_listable_product_gets_a_report_signed_by_the_registrar(api: LifecycleDriver) -> None:
    case = product_with_licensed_upstream(api)
    exchange = api.participant("exchange")

    report = verify_listing(api, exchange, case["request"])

    subject = report["credentialSubject"]
    assert subject["listable"] is True, subject["checks"]
    assert [c["name"] for c in subject["checks"]] == [
        "registered-and-certified",
        "holder-is-lister",
        "not-revoked",
        "not-pledged",
        "hashes-match",
        "upstream-declared",
        "upstream-licensed",
    ]
    assert report["type"] == ["VerifiableCredential", "DataProductListingVerification"]
    assert report["proof"]["cryptosuite"] == "ecdsa-jcs-2019"
    assert api.client.post("/v1/listings/reports/verify", json=report).json()["valid"] is True
    tampered = copy.deepcopy(report)
    tampered["credentialSubject"]["listable"] = False
    assert api.client.post("/v1/listings/reports/verify", json=tampered).json()["valid"] is False


def test_report_names_every_failed_check(api: LifecycleDriver) -> None:
    case = product_with_licensed_upstream(api, derivatives_allowed=False)
    exchange, someone_else = api.participant("exchange"), api.participant("enterprise")
    request = {**case["request"], "lister": someone_else.account.address, "contentHash": "0x" + "ab" * 32}  # type: ignore[union-attr]

    subject = verify_listing(api, exchange, request)["credentialSubject"]

    assert subject["listable"] is False
    assert subject["failedChecks"] == ["holder-is-lister", "hashes-match", "upstream-licensed"]
    upstream = next(c for c in subject["checks"] if c["name"] == "upstream-licensed")
    assert "granted to" in upstream["detail"] or "derivatives" in upstream["detail"]


def test_undeclared_upstream_licence_fails_upstream_declared(api: LifecycleDriver) -> None:
    case = product_with_licensed_upstream(api)
    subject = verify_listing(api, api.participant("exchange"), {**case["request"], "upstream": []})[
        "credentialSubject"
    ]
    assert subject["failedChecks"] == ["upstream-declared"]


def test_pledged_product_lists_only_with_the_pledgees_signed_consent(api: LifecycleDriver) -> None:
    case = product_with_licensed_upstream(api)
    maker, product, bank = case["maker"], case["product"], api.participant("enterprise")
    assert api.pledge(maker, product["assetId"], bank, terms="RMB 2m").status_code == 201
    exchange = api.participant("exchange")

    assert verify_listing(api, exchange, case["request"])["credentialSubject"]["failedChecks"] == [
        "not-pledged"
    ]

    asked = api.client.post(
        "/v1/listings/pledgee-consent-requests",
        json={"assetId": product["assetId"], "lister": case["request"]["lister"]},
        headers=bank.headers,
    ).json()
    from dataledger.registry.holder_signatures import sign_typed_data

    consent = sign_typed_data(bank.account.key, asked["typedData"])  # type: ignore[union-attr]
    subject = verify_listing(api, exchange, {**case["request"], "pledgeeConsent": consent})[
        "credentialSubject"
    ]
    assert subject["listable"] is True


def test_only_exchanges_registrars_and_auditors_verify_listings(api: LifecycleDriver) -> None:
    case = product_with_licensed_upstream(api)
    response = api.client.post("/v1/listings/verify", json=case["request"], headers=case["maker"].headers)
    assert_problem(response, 403, "not-authorised")


def test_history_is_filterable_paginated_and_checkable_against_the_chain(api: LifecycleDriver) -> None:
    holder, registrar, auditor = api.participants("enterprise", "registrar", "auditor")
    asset, _ = api.certified(holder, registrar)
    path = f"/v1/assets/{asset['assetId']}/history"

    everything = api.client.get(path, headers=auditor.headers).json()
    assert everything["total"] == 5
    page = api.client.get(f"{path}?limit=2&offset=1", headers=auditor.headers).json()
    assert [h["act"] for h in page["items"]] == ["reviewed", "reviewed"] and page["total"] == 5
    reviews = api.client.get(f"{path}?act=reviewed", headers=auditor.headers).json()
    assert reviews["total"] == 2
    by_holder = api.client.get(
        f"{path}?actor={holder.account.address.lower()}", headers=auditor.headers
    ).json()  # type: ignore[union-attr]
    assert [h["act"] for h in by_holder["items"]] == ["registered"]
    last_block = everything["items"][-1]["chainEvidence"]["blockNumber"]
    assert api.client.get(f"{path}?fromBlock={last_block}", headers=auditor.headers).json()["total"] == 1

    checked = api.client.get(f"{path}?check=true", headers=auditor.headers).json()
    assert all(h["chainCheck"]["passed"] for h in checked["items"]), checked["items"]

    with api.client.app.state.services.store.engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(
            text(
                "UPDATE asset_history SET act = 'revoked' "
                "WHERE asset_id = :a AND act = 'certificate-recorded'"
            ),
            {"a": asset["assetId"]},
        )
    tampered = api.client.get(f"{path}?check=true&act=revoked", headers=auditor.headers).json()["items"]
    assert [h["chainCheck"]["passed"] for h in tampered] == [False]
    assert "CertificateRecorded" in tampered[0]["chainCheck"]["detail"]
