"""Data-product lineage: derivations between registered assets form a DAG traced like items."""

from __future__ import annotations

from typing import Any

import pytest

from dataledger.composition import Services
from tests.factories import Actor, ApiDriver, asset_facts
from tests.lifecycle.driver import LifecycleDriver


class ChainNow:
    """The embedded chain's time, as the lifecycle driver asks for it."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def now(self) -> int:
        return self.services.registry.latest_timestamp()


@pytest.fixture
def lifecycle(api: ApiDriver, services: Services) -> LifecycleDriver:
    return LifecycleDriver(api.client, services.settings.admin_api_key.get_secret_value(), ChainNow(services))  # type: ignore[arg-type]


def licensed(driver: LifecycleDriver, maker: Actor, **terms: Any) -> tuple[dict[str, Any], int]:
    """A certified upstream asset of another holder, and a licence on it granted to ``maker``."""
    source, registrar = driver.participant("enterprise"), driver.participant("registrar")
    upstream, _ = driver.certified(source, registrar)
    granted = driver.grant(source, driver.licence_terms(upstream["assetId"], maker, **terms))
    assert granted.status_code == 201, granted.text
    return upstream, granted.json()["licenceId"]


def derive(api: ApiDriver, actor: Actor, product: str, *parents: tuple[str, int | None]) -> Any:
    body = {"productId": product, "parents": [{"assetId": a, "licenceId": lic} for a, lic in parents]}
    return api.client.post("/v1/lineage/derivations", json=body, headers=actor.headers)


def node(asset: dict[str, Any]) -> str:
    return "asset:" + asset["assetId"]


def test_a_product_derived_from_registered_assets_is_traced_back_and_forward(
    lifecycle: LifecycleDriver,
) -> None:
    api = lifecycle
    maker = api.participant("enterprise")
    source_a, licence_id = licensed(lifecycle, maker, derivatives_allowed=True)
    source_b = api.register(api.participant("enterprise"))
    product = api.register(maker, asset_facts(extra={"derived_from": [source_a["assetId"]]}))
    report = api.register(maker)

    first = derive(
        api, maker, product["assetId"], (source_a["assetId"], licence_id), (source_b["assetId"], None)
    )
    second = derive(api, maker, report["assetId"], (product["assetId"], None))

    assert first.status_code == 201, first.text
    assert [(p["assetId"], p["licenceId"]) for p in first.json()["parents"]] == [
        (source_a["assetId"], licence_id),
        (source_b["assetId"], None),
    ]
    assert second.status_code == 201, second.text
    back = api.client.get(f"/v1/lineage/{node(report)}", headers=maker.headers).json()
    forward = api.client.get(
        f"/v1/lineage/{node(source_a)}", params={"direction": "forward"}, headers=maker.headers
    ).json()
    assert {i["id"] for i in back["items"]} == {node(report), node(product), node(source_a), node(source_b)}
    assert {i["kind"] for i in back["items"]} == {"asset"}
    assert back["assets"][node(product)]["name"] == product["facts"]["name"]
    assert {i["id"]: i["level"] for i in forward["items"]} == {
        node(source_a): 0,
        node(product): 1,
        node(report): 2,
    }
    licence_edges = [e for e in back["edges"] if e["from"] == node(source_a)]
    assert licence_edges == [
        {
            "from": node(source_a),
            "to": node(product),
            "kind": "derived",
            "time": licence_edges[0]["time"],
            "licenceId": licence_id,
        }
    ]


def test_recording_a_derivation_twice_is_idempotent(api: ApiDriver) -> None:
    maker = api.participant("enterprise")
    source, product = api.register(maker), api.register(maker)

    derive(api, maker, product["assetId"], (source["assetId"], None))
    again = derive(api, maker, product["assetId"], (source["assetId"], None))

    assert again.status_code == 201
    assert len(again.json()["parents"]) == 1


def test_a_derivation_that_closes_a_cycle_is_refused(api: ApiDriver) -> None:
    maker = api.participant("enterprise")
    a, b = api.register(maker), api.register(maker)
    assert derive(api, maker, b["assetId"], (a["assetId"], None)).status_code == 201

    cycle = derive(api, maker, a["assetId"], (b["assetId"], None))
    itself = derive(api, maker, a["assetId"], (a["assetId"], None))

    assert cycle.status_code == 409 and cycle.json()["code"] == "derivation-cycle"
    assert itself.status_code == 409 and itself.json()["code"] == "derivation-cycle"


def test_a_derivation_must_name_every_upstream_asset_the_facts_declare(api: ApiDriver) -> None:
    maker = api.participant("enterprise")
    declared, other = api.register(maker), api.register(maker)
    product = api.register(maker, asset_facts(extra={"derived_from": [declared["assetId"]]}))

    response = derive(api, maker, product["assetId"], (other["assetId"], None))

    assert response.status_code == 409
    assert response.json()["code"] == "derivation-incomplete"
    assert response.json()["missing"] == [declared["assetId"]]


def test_only_the_products_holder_or_a_registrar_records_its_derivation(api: ApiDriver) -> None:
    maker, stranger, registrar = api.participants("enterprise", "enterprise", "registrar")
    source, product = api.register(maker), api.register(maker)

    refused = derive(api, stranger, product["assetId"], (source["assetId"], None))
    by_registrar = derive(api, registrar, product["assetId"], (source["assetId"], None))
    unknown = derive(api, maker, product["assetId"], ("0x" + "12" * 32, None))

    assert refused.status_code == 403 and refused.json()["code"] == "not-authorised"
    assert by_registrar.status_code == 201
    assert unknown.status_code == 404 and unknown.json()["code"] == "asset-not-found"


def test_a_licence_that_does_not_cover_the_derivation_is_refused(lifecycle: LifecycleDriver) -> None:
    maker = lifecycle.participant("enterprise")
    upstream, no_derivatives = licensed(lifecycle, maker, derivatives_allowed=False)
    other, for_other = licensed(lifecycle, maker, derivatives_allowed=True)
    product = lifecycle.register(maker)

    refused = derive(lifecycle, maker, product["assetId"], (upstream["assetId"], no_derivatives))
    wrong_asset = derive(lifecycle, maker, product["assetId"], (upstream["assetId"], for_other))
    unknown = derive(lifecycle, maker, product["assetId"], (upstream["assetId"], 999))

    assert refused.status_code == 409 and refused.json()["code"] == "derivation-licence-invalid"
    assert "derivatives" in refused.json()["detail"]
    assert wrong_asset.status_code == 409 and "another asset" in wrong_asset.json()["detail"]
    assert unknown.status_code == 404 and unknown.json()["code"] == "licence-not-found"
    assert derive(lifecycle, maker, product["assetId"], (other["assetId"], for_other)).status_code == 201


def test_a_licence_expired_before_the_derivation_is_refused(
    lifecycle: LifecycleDriver, services: Services
) -> None:
    maker = lifecycle.participant("enterprise")
    upstream, licence_id = licensed(
        lifecycle, maker, derivatives_allowed=True, valid_until=lifecycle.clock.now() + 600
    )
    product = lifecycle.register(maker)
    services.w3.provider.make_request("evm_increaseTime", [3600])  # the chain's clock, not a sleep
    services.w3.provider.make_request("evm_mine", [])

    expired = derive(lifecycle, maker, product["assetId"], (upstream["assetId"], licence_id))

    assert expired.status_code == 409 and expired.json()["code"] == "derivation-licence-invalid"
    assert "expired" in expired.json()["detail"]
