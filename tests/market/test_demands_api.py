"""Demands through the API: an exchange (or a buyer) publishes a demand, holders respond with their listed
products, the publisher closes it with the response it chose; each refusal with its code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.factories import Actor
from tests.lifecycle.driver import LifecycleDriver, assert_problem
from tests.market.test_market_api import listed

DEMAND: dict[str, Any] = {
    "title": "离岛免税客流数据 Duty-free passenger flows",
    "description": "Daily passenger counts per duty-free store, 2023 onwards",
    "purpose": "staffing and replenishment planning",
    "category": "消费零售",
    "budget": {"amount": "50000.00", "currency": "CNY"},
}


def publish(api: LifecycleDriver, publisher: Actor, **overrides: Any) -> Any:
    deadline = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    return api.client.post(
        "/v1/demands", json=DEMAND | {"deadline": deadline} | overrides, headers=publisher.headers
    )


def respond(api: LifecycleDriver, holder: Actor, demand_id: str, listing_id: str) -> Any:
    return api.client.post(
        f"/v1/demands/{demand_id}/responses",
        json={"listingId": listing_id, "note": "monthly aggregates by category"},
        headers=holder.headers,
    )


def test_a_demand_is_answered_with_listings_and_closed_with_the_chosen_one(api: LifecycleDriver) -> None:
    case = listed(api)
    exchange, holder, listing_id = case["exchange"], case["holder"], case["listing"]["listingId"]
    published = publish(api, exchange)
    assert published.status_code == 201, published.text
    demand = published.json()
    assert demand["status"] == "open" and demand["budget"] == {"amount": "50000.00", "currency": "CNY"}
    assert [d["demandId"] for d in api.client.get("/v1/demands").json()["items"]] == [demand["demandId"]]

    response = respond(api, holder, demand["demandId"], listing_id)
    assert response.status_code == 201, response.text
    assert_problem(respond(api, holder, demand["demandId"], listing_id), 422, "validation-failed")
    stranger = api.participant("enterprise")
    assert_problem(respond(api, stranger, demand["demandId"], listing_id), 403, "not-authorised")
    assert_problem(respond(api, holder, demand["demandId"], "0x" + "00" * 32), 404, "listing-not-found")

    path = f"/v1/demands/{demand['demandId']}/closing"
    chosen = {"responseId": response.json()["responseId"]}
    assert_problem(api.client.post(path, json=chosen, headers=holder.headers), 403, "not-authorised")
    assert_problem(
        api.client.post(path, json={"responseId": "nope"}, headers=exchange.headers), 422, "validation-failed"
    )
    closed = api.client.post(path, json=chosen, headers=exchange.headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["chosenResponseId"] == chosen["responseId"]
    assert [r["listingId"] for r in closed.json()["responses"]] == [listing_id]
    assert api.client.get(f"/v1/demands/{demand['demandId']}").json() == closed.json()

    assert_problem(api.client.post(path, json=chosen, headers=exchange.headers), 409, "demand-closed")
    assert_problem(respond(api, holder, demand["demandId"], listing_id), 409, "demand-closed")
    assert api.client.get("/v1/demands").json()["total"] == 0
    assert api.client.get("/v1/demands", params={"status": "closed"}).json()["total"] == 1


def test_who_publishes_and_what_a_demand_must_state(api: LifecycleDriver) -> None:
    buyer, auditor = api.participant("enterprise"), api.participant("auditor")
    assert publish(api, buyer).status_code == 201
    assert_problem(publish(api, auditor), 403, "not-authorised")
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert_problem(publish(api, buyer, deadline=past), 422, "validation-failed")
    assert_problem(publish(api, buyer, deadline="2026-04-01T00:00:00"), 422, "validation-failed")  # no zone
    assert_problem(publish(api, buyer, title=""), 422, "validation-failed")
    assert_problem(api.client.get("/v1/demands/nope"), 404, "demand-not-found")


def test_a_suspended_listing_cannot_respond(api: LifecycleDriver) -> None:
    case = listed(api)
    demand = publish(api, case["exchange"]).json()
    assert api.revoke(case["registrar"], case["asset"]["assetId"], "unlawful source").status_code == 200
    refused = respond(api, case["holder"], demand["demandId"], case["listing"]["listingId"])
    assert_problem(refused, 422, "validation-failed")
    assert "suspended" in refused.json()["detail"]
