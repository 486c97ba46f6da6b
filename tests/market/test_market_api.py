"""An exchange's day on the market, through the API: it makes a licence template, verifies a product,
lists it, finds it in the public catalogue (Chinese and English), delists it; a listing follows its
asset (revoked, transferred, pledged without the pledgee's consent: suspended). On anvil, on SQLite
and on PostgreSQL."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest

from dataledger.registry.holder_signatures import sign_typed_data
from dataledger.registry.numbering import RegistrationNumber
from tests.factories import Actor, asset_facts
from tests.lifecycle.driver import LifecycleDriver, assert_problem
from tests.market.factories import content_json

TERMS: dict[str, Any] = {
    "exclusivity": "non-exclusive",
    "territory": "Hainan Free Trade Port",
    "businessSectors": ["retail"],
    "acceptableUses": ["demand forecasting"],
    "termDays": 365,
    "maxUses": 100,
    "resaleAllowed": False,
    "attributionRequired": True,
    "attributionText": "Data: Hainan duty-free retailer",
}


def template(api: LifecycleDriver, exchange: Actor, **terms: Any) -> dict[str, Any]:
    response = api.client.post(
        "/v1/licence-templates",
        json={"name": "Standard product licence", "terms": TERMS | terms},
        headers=exchange.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


def verified(
    api: LifecycleDriver, exchange: Actor, holder: Actor, product: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    request = {
        "assetId": product["assetId"],
        "lister": holder.account.address,  # type: ignore[union-attr]
        "contentHash": product["contentHash"],
    }
    response = api.client.post("/v1/listings/verify", json=request | extra, headers=exchange.headers)
    assert response.status_code == 200, response.text
    return response.json()


def product(api: LifecycleDriver, name: str = "离岛免税销售指数") -> tuple[Actor, Actor, dict[str, Any]]:
    holder, registrar = api.participants("enterprise", "registrar")
    asset, _ = api.certified(
        holder, registrar, asset_facts(name=name, right_claimed="data-product-operation")
    )
    return holder, registrar, asset


def list_product(
    api: LifecycleDriver, exchange: Actor, report: dict[str, Any], offered: dict[str, Any], **content: Any
) -> Any:
    body = {
        "report": report,
        "content": content_json(
            licenceTemplateId=offered["templateId"], licenceTemplateVersion=offered["version"], **content
        ),
    }
    return api.client.post("/v1/listings", json=body, headers=exchange.headers)


def listed(api: LifecycleDriver, **content: Any) -> dict[str, Any]:
    """A product listed by an exchange: the parties, the listing and what it was made with."""
    holder, registrar, asset = product(api)
    exchange = api.participant("exchange", "Hainan International Data Exchange")
    offered = template(api, exchange)
    report = verified(api, exchange, holder, asset)
    response = list_product(api, exchange, report, offered, **content)
    assert response.status_code == 201, response.text
    return {
        "holder": holder,
        "registrar": registrar,
        "asset": asset,
        "exchange": exchange,
        "template": offered,
        "report": report,
        "listing": response.json(),
    }


def search(api: LifecycleDriver, **params: Any) -> dict[str, Any]:
    response = api.client.get("/v1/catalogue", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_exchange_lists_a_verified_product_and_buyers_find_it_in_chinese_and_english(
    api: LifecycleDriver,
) -> None:
    case = listed(api)
    listing, exchange = case["listing"], case["exchange"]

    assert listing["status"] == "listed" and listing["suspension"] is None
    assert listing["assetId"] == case["asset"]["assetId"]
    holder = case["holder"]
    asset_view = api.client.get(f"/v1/assets/{listing['assetId']}", headers=holder.headers).json()
    registration_number = asset_view["registrationNumber"]
    assert listing["registrationNumber"] == registration_number  # the asset's: IIIIII-YYYY-NNNNNNNN-C
    assert RegistrationNumber.parse(registration_number)
    assert listing["certificateNumber"]
    assert listing["licenceTemplate"] == {
        "templateId": case["template"]["templateId"],
        "version": 1,
        "termsHash": case["template"]["termsHash"],
    }
    assert listing["pledge"] == {"pledged": False, "pledgee": None, "pledgeeConsented": None}
    assert listing["exchange"] == {"id": exchange.id, "name": "Hainan International Data Exchange"}
    assert listing["chainEvidence"]["txHash"].startswith("0x")
    # the stored report is the one the registrar signed, and it still verifies
    report = api.client.get(f"/v1/listings/{listing['listingId']}/report").json()
    assert report == case["report"]
    assert api.client.post("/v1/listings/reports/verify", json=report).json()["valid"] is True
    assert api.client.get(f"/v1/listings/{listing['listingId']}").json() == listing

    for query in ("离岛免税", "免税", "税", "duty-free SALES", "demand"):
        found = search(api, q=query)
        assert [i["listingId"] for i in found["items"]] == [listing["listingId"]], query
    assert search(api, q="气象数据")["total"] == 0
    page = search(
        api, q="销售指数", productForm="index", exchange=exchange.id, priceMin="1000", priceMax="2000"
    )
    assert page["items"][0]["registrationNumber"] == registration_number
    assert page["total"] == 1 and page["items"][0]["price"] == {
        "amount": "1200.00",
        "currency": "CNY",
        "unit": "per-month",
    }
    assert page["facets"]["exchanges"] == [
        {"value": exchange.id, "count": 1, "label": "Hainan International Data Exchange"}
    ]
    assert search(api, q="销售指数", priceMax="999")["total"] == 0
    # the certified asset itself, by its registered name (public facts only)
    assets = api.client.get("/v1/catalogue/assets", params={"q": "销售指数"}).json()
    assert [a["assetId"] for a in assets["items"]] == [listing["assetId"]] and assets["total"] == 1
    assert set(assets["items"][0]) == {"assetId", "name", "rightClaimed", "holderAddress"}


def test_listing_needs_the_registrars_passing_report_for_this_exchange(api: LifecycleDriver) -> None:
    holder, _, asset = product(api)
    exchange, other_exchange = api.participant("exchange"), api.participant("exchange")
    offered = template(api, exchange)

    failed = verified(api, exchange, holder, asset, contentHash="0x" + "ab" * 32)
    assert failed["credentialSubject"]["listable"] is False
    body = assert_problem(list_product(api, exchange, failed, offered), 409, "listing-report-not-passing")
    assert "hashes-match" in body["detail"]

    report = verified(api, exchange, holder, asset)
    tampered = copy.deepcopy(report)
    tampered["credentialSubject"]["lister"] = "0x" + "11" * 20
    assert_problem(list_product(api, exchange, tampered, offered), 422, "verification-failed")

    theirs = verified(api, other_exchange, holder, asset)
    assert_problem(list_product(api, exchange, theirs, offered), 409, "listing-report-not-passing")

    assert list_product(api, exchange, report, offered).status_code == 201
    again = assert_problem(list_product(api, exchange, report, offered), 409, "listing-report-not-passing")
    assert "already served" in again["detail"]


def test_only_an_exchange_lists_with_its_own_template_and_only_the_listing_exchange_delists(
    api: LifecycleDriver,
) -> None:
    case = listed(api)
    listing_id = case["listing"]["listingId"]
    other_exchange = api.participant("exchange")
    holder = case["holder"]

    report = verified(api, case["exchange"], holder, case["asset"])
    assert_problem(list_product(api, holder, report, case["template"]), 403, "not-authorised")
    others = template(api, other_exchange)
    assert_problem(list_product(api, case["exchange"], report, others), 403, "not-authorised")

    path = f"/v1/listings/{listing_id}/delisting"
    for stranger in (other_exchange, holder):
        assert_problem(
            api.client.post(path, json={"reason": "not ours"}, headers=stranger.headers),
            403,
            "not-authorised",
        )
    delisted = api.client.post(
        path, json={"reason": "the holder withdrew it"}, headers=case["exchange"].headers
    )
    assert delisted.status_code == 200, delisted.text
    assert delisted.json()["status"] == "delisted"
    assert delisted.json()["delisting"]["reason"] == "the holder withdrew it"
    assert delisted.json()["delisting"]["chainEvidence"]["txHash"].startswith("0x")
    assert search(api, q="离岛免税")["total"] == 0
    assert api.client.get(f"/v1/listings/{listing_id}").json()["status"] == "delisted"
    assert_problem(
        api.client.post(path, json={"reason": "again"}, headers=case["exchange"].headers),
        409,
        "listing-not-active",
    )
    assert_problem(api.client.get("/v1/listings/0x" + "00" * 32), 404, "listing-not-found")


def test_a_revision_makes_a_new_template_version_and_listings_keep_theirs(api: LifecycleDriver) -> None:
    case = listed(api)
    exchange, first = case["exchange"], case["template"]
    path = f"/v1/licence-templates/{first['templateId']}"

    revised = api.client.post(
        f"{path}/versions",
        json={"terms": TERMS | {"maxUses": 10, "resaleAllowed": True}},
        headers=exchange.headers,
    )
    assert revised.status_code == 201, revised.text
    second = revised.json()
    assert (second["version"], second["name"]) == (2, first["name"])
    assert second["termsHash"] != first["termsHash"]
    assert api.client.get(path).json() == second
    assert api.client.get(f"{path}?version=1").json() == first
    listing = api.client.get(f"/v1/listings/{case['listing']['listingId']}").json()
    assert listing["licenceTemplate"]["termsHash"] == first["termsHash"]

    stranger = api.participant("exchange")
    assert_problem(
        api.client.post(f"{path}/versions", json={"terms": TERMS}, headers=stranger.headers),
        403,
        "not-authorised",
    )
    assert_problem(api.client.get(f"{path}?version=3"), 404, "licence-template-not-found")
    exclusive_resale = TERMS | {"exclusivity": "exclusive", "resaleAllowed": True}
    assert_problem(
        api.client.post(
            "/v1/licence-templates", json={"name": "x", "terms": exclusive_resale}, headers=exchange.headers
        ),
        422,
        "validation-failed",
    )


def test_a_listing_is_suspended_when_its_asset_is_pledged_without_consent_transferred_or_revoked(
    api: LifecycleDriver,
) -> None:
    case = listed(api)
    holder, asset_id = case["holder"], case["asset"]["assetId"]
    path = f"/v1/listings/{case['listing']['listingId']}"
    bank, buyer = api.participants("enterprise", "enterprise")

    pledged = api.pledge(holder, asset_id, bank, terms="RMB 2m")
    assert pledged.status_code == 201, pledged.text
    assert search(api, q="离岛免税")["total"] == 0  # the store's copy of the asset followed the pledge
    listing = api.client.get(path).json()
    assert listing["status"] == "suspended" and "did not consent" in listing["suspension"]
    assert listing["pledge"]["pledged"] is True

    released = api.act(
        bank, f"/v1/assets/{asset_id}/pledge-release-requests", f"/v1/assets/{asset_id}/pledge-release"
    )
    assert released.status_code in (200, 201), released.text
    assert api.client.get(path).json()["status"] == "listed"
    assert search(api, q="离岛免税")["total"] == 1

    transferred = api.act(
        holder, f"/v1/assets/{asset_id}/transfer-requests", f"/v1/assets/{asset_id}/transfers",
        {"to": buyer.account.address},  # type: ignore[union-attr]
    )  # fmt: skip
    assert transferred.status_code in (200, 201), transferred.text
    listing = api.client.get(path).json()
    assert listing["status"] == "suspended" and "transferred" in listing["suspension"]
    assert search(api, q="离岛免税")["total"] == 0


def test_a_revoked_assets_listing_is_suspended(api: LifecycleDriver) -> None:
    case = listed(api)
    assert api.revoke(case["registrar"], case["asset"]["assetId"], "unlawful source").status_code == 200
    assert api.client.get("/v1/catalogue/assets", params={"q": "离岛免税"}).json()["total"] == 0
    listing = api.client.get(f"/v1/listings/{case['listing']['listingId']}").json()
    assert listing["status"] == "suspended" and "revoked" in listing["suspension"]
    assert search(api, q="离岛免税")["total"] == 0


def test_a_pledged_product_lists_with_the_pledgees_consent_and_stays_listed(api: LifecycleDriver) -> None:
    holder, _, asset = product(api)
    bank = api.participant("enterprise")
    asset_id = asset["assetId"]
    assert api.pledge(holder, asset_id, bank, terms="RMB 2m").status_code == 201
    asked = api.client.post(
        "/v1/listings/pledgee-consent-requests",
        json={"assetId": asset_id, "lister": holder.account.address},  # type: ignore[union-attr]
        headers=bank.headers,
    ).json()
    consent = sign_typed_data(bank.account.key, asked["typedData"])  # type: ignore[union-attr]
    exchange = api.participant("exchange")
    report = verified(api, exchange, holder, asset, pledgeeConsent=consent)

    response = list_product(api, exchange, report, template(api, exchange))

    assert response.status_code == 201, response.text
    listing = response.json()
    assert listing["status"] == "listed"
    bank_address = bank.account.address.lower()  # type: ignore[union-attr]
    assert listing["pledge"] == {"pledged": True, "pledgee": bank_address, "pledgeeConsented": bank_address}
    assert api.client.get(f"/v1/listings/{listing['listingId']}").json()["status"] == "listed"
    assert search(api, q="离岛免税")["total"] == 1


def test_the_catalogue_is_public_and_checks_its_parameters(api: LifecycleDriver) -> None:
    assert search(api)["total"] == 0
    assert_problem(api.client.get("/v1/catalogue", params={"limit": 0}), 422, "validation-failed")
    assert_problem(api.client.get("/v1/catalogue", params={"productForm": "car"}), 422, "validation-failed")
    assert_problem(
        api.client.get("/v1/catalogue", params={"priceMin": "10", "priceMax": "1"}), 422, "validation-failed"
    )


def test_a_listing_recorded_on_chain_but_not_stored_is_stored_when_the_exchange_lists_again(
    api: LifecycleDriver, services: Any, monkeypatch: Any
) -> None:
    """The process stops between the chain and the database: the report is used on chain, the listing
    is not stored. Listing again with the same report and content stores the listing the chain holds."""
    holder, _, asset = product(api)
    exchange = api.participant("exchange")
    offered = template(api, exchange)
    report = verified(api, exchange, holder, asset)
    store = services.market_store

    def stopped(*_: Any) -> None:
        raise RuntimeError("the process stopped before the database write")

    monkeypatch.setattr(store, "add_listing", stopped)
    with pytest.raises(RuntimeError):
        list_product(api, exchange, report, offered)
    monkeypatch.undo()

    changed = list_product(api, exchange, report, offered, title="another title")
    assert_problem(changed, 409, "listing-report-not-passing")
    again = list_product(api, exchange, report, offered)
    assert again.status_code == 201, again.text
    assert api.client.get(f"/v1/listings/{again.json()['listingId']}").json()["status"] == "listed"
    assert_problem(list_product(api, exchange, report, offered), 409, "listing-report-not-passing")


PERSONAL = {
    "containsPersonalData": True,
    "containsSensitiveData": False,
    "legalBasis": "each data subject's separate consent (PIPL art. 13 and 14)",
}


def deposit_file(api: LifecycleDriver, holder: Actor, asset_id: str, content: bytes) -> Any:
    declared = "0x" + hashlib.sha256(content).hexdigest()  # a derivative the holder declares
    return api.client.put(
        f"/v1/deliveries/assets/{asset_id}/file?declaredHash={declared}",
        content=content,
        headers={**holder.headers, "Content-Type": "application/octet-stream"},
    )


def deposit_api(api: LifecycleDriver, holder: Actor, asset_id: str, personal_data: bool) -> Any:
    body = {"assetId": asset_id, "baseUrl": "https://93.184.216.34/records", "personalData": personal_data}
    return api.client.post("/v1/deliveries/deposits", json=body, headers=holder.headers)


def test_a_product_listed_with_personal_data_is_deposited_only_as_an_api_serving_consents(
    api: LifecycleDriver,
) -> None:
    case = listed(api, personalData=PERSONAL)
    holder, asset_id = case["holder"], case["listing"]["assetId"]

    as_file = assert_problem(
        deposit_file(api, holder, asset_id, b"sku,passenger\n1,0x42\n"),
        409,
        "personal-data-declaration-mismatch",
    )
    assert "a file" in as_file["detail"]
    assert_problem(deposit_api(api, holder, asset_id, False), 409, "personal-data-declaration-mismatch")
    deposited = deposit_api(api, holder, asset_id, True)
    assert deposited.status_code == 201, deposited.text
    assert deposited.json()["personalData"] is True


def test_a_listing_must_declare_what_the_holders_deposit_declares(api: LifecycleDriver) -> None:
    holder, _, asset = product(api)
    exchange = api.participant("exchange", "Hainan International Data Exchange")
    offered = template(api, exchange)
    assert deposit_file(api, holder, asset["assetId"], b"sku,qty\n1,3\n").status_code == 201

    report = verified(api, exchange, holder, asset)
    refused = assert_problem(
        list_product(api, exchange, report, offered, personalData=PERSONAL),
        409,
        "personal-data-declaration-mismatch",
    )
    assert refused["field"] == "personalData.containsPersonalData"
    # declared as the deposit is, it lists
    assert list_product(api, exchange, report, offered).status_code == 201

    # and an API serving data subjects' records cannot be listed as holding none
    holder, _, asset = product(api, name="旅客画像")
    assert deposit_api(api, holder, asset["assetId"], True).status_code == 201
    report = verified(api, exchange, holder, asset)
    assert_problem(list_product(api, exchange, report, offered), 409, "personal-data-declaration-mismatch")
    assert list_product(api, exchange, report, offered, personalData=PERSONAL).status_code == 201


def test_a_holder_and_an_exchange_list_their_own_listings_by_status(api: LifecycleDriver) -> None:
    case = listed(api)
    exchange, first = case["exchange"], case["listing"]
    other_holder, _, other_asset = product(api, name="港口物流指数")
    second = list_product(api, exchange, verified(api, exchange, other_holder, other_asset), case["template"])
    assert second.status_code == 201, second.text
    second_id = second.json()["listingId"]

    def listed_for(actor: Actor | None, **params: str) -> list[str]:
        headers = actor.headers if actor is not None else api.admin_headers
        found = api.client.get("/v1/listings", params={"limit": "100", **params}, headers=headers)
        assert found.status_code == 200, found.text
        return [item["listingId"] for item in found.json()["items"]]

    assert listed_for(exchange) == [second_id, first["listingId"]]  # newest first
    assert listed_for(case["holder"]) == [first["listingId"]]
    assert listed_for(other_holder) == [second_id]
    assert listed_for(api.participant("exchange")) == []
    assert {first["listingId"], second_id} <= set(listed_for(None))  # oversight sees every listing

    assert api.revoke(case["registrar"], case["asset"]["assetId"], "unlawful source").status_code == 200
    delisted = api.client.post(
        f"/v1/listings/{second_id}/delisting", json={"reason": "withdrawn"}, headers=exchange.headers
    )
    assert delisted.status_code == 200, delisted.text
    assert listed_for(case["holder"], status="suspended") == [first["listingId"]]
    assert listed_for(case["holder"], status="listed") == []
    assert listed_for(exchange, status="delisted") == [second_id]
    page = api.client.get("/v1/listings", params={"limit": 1, "offset": 1}, headers=exchange.headers).json()
    assert (page["total"], [item["listingId"] for item in page["items"]]) == (2, [first["listingId"]])
    lost = api.client.get("/v1/listings", params={"status": "lost"}, headers=exchange.headers)
    assert_problem(lost, 422, "validation-failed")
    assert_problem(api.client.get("/v1/listings"), 401, "not-authenticated")
