"""Each actor's day of trading, through the API: a buyer orders a listed product at its price and on its
recorded terms (signed with its key); the holder accepts (or the exchange, under the holder's signed
mandate, until the holder revokes it); the holder grants the licence and links it; the exchange settles
or cancels; the statistics count it. Refusals: orders of suspended or delisted listings, acceptance by
strangers or under a revoked mandate, steps out of order, a licence that is not the trade's. On anvil,
on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dataledger.composition import Services
from dataledger.registry.errors import TradeMandateNotInForce
from dataledger.registry.holder_signatures import act_authorisation, sign_typed_data
from tests.factories import Actor
from tests.lifecycle.driver import LifecycleDriver, assert_problem
from tests.market.test_market_api import TERMS, list_product, product, template, verified


def listed_by_keyed_exchange(api: LifecycleDriver) -> dict[str, Any]:
    """A product listed at CNY 1,200.00 by an exchange with its own chain key, and a buyer."""
    holder, registrar, asset = product(api)
    exchange = api.keyed("exchange", "Hainan International Data Exchange")
    offered = template(api, exchange, maxUses=3, termDays=30)
    report = verified(api, exchange, holder, asset)
    response = list_product(api, exchange, report, offered)
    assert response.status_code == 201, response.text
    buyer = api.participant("enterprise")
    return {
        "holder": holder,
        "exchange": exchange,
        "buyer": buyer,
        "template": offered,
        "listing": response.json(),
        "registrar": registrar,
    }


def order(api: LifecycleDriver, buyer: Actor, listing_id: str) -> dict[str, Any]:
    prepared = api.prepared(buyer, "/v1/trades/order-requests", {"listingId": listing_id})
    assert buyer.account is not None
    submission = {
        "listingId": listing_id,
        "nonce": prepared["nonce"],
        "deadline": prepared["deadline"],
        "signature": sign_typed_data(buyer.account.key, prepared["typedData"]),
    }
    response = api.client.post("/v1/trades", json=submission, headers=buyer.headers)
    assert response.status_code == 201, response.text
    placed = response.json()
    assert placed["orderId"] == prepared["orderId"]
    return placed


def accept(api: LifecycleDriver, accepter: Actor, order_id: str) -> Any:
    return api.act(
        accepter, f"/v1/trades/{order_id}/acceptance-requests", f"/v1/trades/{order_id}/acceptance"
    )


def settle(api: LifecycleDriver, exchange: Actor, order_id: str, reference: str = "transfer no. 88") -> Any:
    return api.client.post(
        f"/v1/trades/{order_id}/settlement", json={"reference": reference}, headers=exchange.headers
    )


def statistics(api: LifecycleDriver, exchange: Actor) -> dict[str, Any]:
    now = datetime.now(UTC)
    period = {"from": (now - timedelta(days=1)).isoformat(), "to": (now + timedelta(days=1)).isoformat()}
    response = api.client.get("/v1/market/statistics", params=period | {"exchange": exchange.id})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_buyer_orders_the_holder_accepts_grants_the_licence_and_the_exchange_settles(
    api: LifecycleDriver,
) -> None:
    case = listed_by_keyed_exchange(api)
    holder, exchange, buyer = case["holder"], case["exchange"], case["buyer"]
    listing = case["listing"]

    placed = order(api, buyer, listing["listingId"])
    assert (placed["amount"], placed["currency"]) == (120_000, "CNY")  # fen
    assert placed["termsHash"] == listing["licenceTemplate"]["termsHash"] == case["template"]["termsHash"]
    assert placed["status"] == "ordered" and placed["settlementStatus"] == "pending"
    assert placed["buyer"]["address"] == buyer.account.address.lower()  # type: ignore[union-attr]
    assert placed["seller"]["address"] == holder.account.address.lower()  # type: ignore[union-attr]
    assert placed["orderEvidence"]["txHash"].startswith("0x")
    order_id = placed["orderId"]

    # the exchange revises its template: the order stays bound to the terms it was placed on
    revised = api.client.post(
        f"/v1/licence-templates/{case['template']['templateId']}/versions",
        json={"terms": {**_terms(), "maxUses": 99}},
        headers=exchange.headers,
    )
    assert revised.status_code == 201, revised.text
    assert revised.json()["termsHash"] != placed["termsHash"]

    accepted = accept(api, holder, order_id)
    assert accepted.status_code == 200, accepted.text
    trade = accepted.json()
    assert trade["status"] == "accepted" and trade["settlementStatus"] == "pending"
    assert trade["acceptance"]["onBehalfOfSeller"] is False
    assert trade["termsHash"] == placed["termsHash"]

    # the holder grants the licence the ordered terms describe, and links it to the trade
    granted = api.grant(
        holder,
        api.licence_terms(
            trade["assetId"], buyer, maxUses=3, commercial=True, validUntil=api.clock.now() + 20 * 86400
        ),
    )
    assert granted.status_code == 201, granted.text
    licence_id = granted.json()["licenceId"]
    linked = api.client.post(
        f"/v1/trades/{order_id}/licence", json={"licenceId": licence_id}, headers=holder.headers
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["licence"]["licenceId"] == licence_id

    settled = settle(api, exchange, order_id)
    assert settled.status_code == 200, settled.text
    body = settled.json()
    assert body["status"] == "settled" and body["settlementStatus"] == "settled"
    assert body["settlement"]["reference"] == "transfer no. 88"
    assert body["settlement"]["chainEvidence"]["txHash"].startswith("0x")

    # every party sees it; a stranger does not know it exists
    for party in (buyer, holder, exchange):
        assert api.client.get(f"/v1/trades/{order_id}", headers=party.headers).json() == body
        mine = api.client.get("/v1/trades", headers=party.headers).json()
        assert [t["orderId"] for t in mine["items"]] == [order_id] and mine["total"] == 1
    stranger = api.participant("enterprise")
    assert_problem(api.client.get(f"/v1/trades/{order_id}", headers=stranger.headers), 404, "trade-not-found")
    assert api.client.get("/v1/trades", headers=stranger.headers).json()["total"] == 0

    figures = statistics(api, exchange)
    assert (figures["listings"], figures["orders"], figures["trades"], figures["settledTrades"]) == (
        1,
        1,
        1,
        1,
    )
    assert figures["amounts"] == [{"currency": "CNY", "traded": 120_000, "settled": 120_000}]


def test_the_exchange_accepts_under_the_holders_mandate_and_nobody_else_may(api: LifecycleDriver) -> None:
    case = listed_by_keyed_exchange(api)
    holder, exchange, buyer = case["holder"], case["exchange"], case["buyer"]
    listing_id = case["listing"]["listingId"]
    order_id = order(api, buyer, listing_id)["orderId"]

    for outsider in (exchange, buyer, api.keyed("exchange")):
        refused = accept(api, outsider, order_id)
        assert refused.status_code in (403, 404), refused.text
    path = f"/v1/listings/{listing_id}/mandate-requests"
    until = api.clock.now() + 30 * 86400
    assert_problem(
        api.client.post(path, json={"validUntil": until}, headers=exchange.headers), 403, "not-authorised"
    )
    granted = api.act(holder, path, f"/v1/listings/{listing_id}/mandates", {"validUntil": until}, carry=())
    assert granted.status_code == 201, granted.text
    assert granted.json()["agent"] == exchange.account.address.lower()  # type: ignore[union-attr]

    accepted = accept(api, exchange, order_id)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["acceptance"]["onBehalfOfSeller"] is True
    assert accepted.json()["acceptance"]["acceptedBy"] == exchange.account.address.lower()  # type: ignore[union-attr]
    assert_problem(accept(api, holder, order_id), 409, "trade-invalid-status")


def test_each_party_lists_its_trades_by_role_and_status(api: LifecycleDriver) -> None:
    case = listed_by_keyed_exchange(api)
    holder, exchange, buyer = case["holder"], case["exchange"], case["buyer"]
    listing_id = case["listing"]["listingId"]
    accepted_id = order(api, buyer, listing_id)["orderId"]
    assert accept(api, holder, accepted_id).status_code == 200
    waiting_id = order(api, buyer, listing_id)["orderId"]

    def listed(actor: Actor, **params: str) -> list[str]:
        response = api.client.get("/v1/trades", params=params, headers=actor.headers)
        assert response.status_code == 200, response.text
        assert response.json()["total"] == len(response.json()["items"])
        return [t["orderId"] for t in response.json()["items"]]

    assert listed(exchange, role="exchange", status="ordered") == [waiting_id]  # what awaits acceptance
    assert listed(exchange, role="exchange") == [waiting_id, accepted_id]
    assert listed(exchange, role="buyer") == []
    assert listed(holder, role="seller", status="accepted") == [accepted_id]
    assert listed(buyer, role="buyer", status="ordered") == [waiting_id]
    assert listed(buyer, role="seller") == []
    assert listed(buyer, status="settled") == []
    auditor = api.participant("auditor")
    assert waiting_id in listed(auditor, status="ordered")
    assert_problem(api.client.get("/v1/trades?role=buyer", headers=auditor.headers), 422, "validation-failed")
    assert_problem(api.client.get("/v1/trades?status=paid", headers=buyer.headers), 422, "validation-failed")


def mandate(api: LifecycleDriver, holder: Actor, listing_id: str, valid_until: int) -> Any:
    return api.act(
        holder,
        f"/v1/listings/{listing_id}/mandate-requests",
        f"/v1/listings/{listing_id}/mandates",
        {"validUntil": valid_until},
        carry=(),
    )


def revoke(api: LifecycleDriver, holder: Actor, listing_id: str) -> Any:
    return api.act(
        holder,
        f"/v1/listings/{listing_id}/mandate-revocation-requests",
        f"/v1/listings/{listing_id}/mandate-revocation",
        carry=(),
    )


def test_the_holders_day_grant_accept_revoke_and_the_exchange_is_refused(api: LifecycleDriver) -> None:
    case = listed_by_keyed_exchange(api)
    holder, exchange, buyer = case["holder"], case["exchange"], case["buyer"]
    listing_id = case["listing"]["listingId"]
    until = api.clock.now() + 30 * 86400

    # nothing to revoke yet; only the holder revokes
    assert_problem(revoke(api, holder, listing_id), 409, "trade-mandate-not-in-force")
    granted = mandate(api, holder, listing_id, until)
    assert granted.status_code == 201, granted.text
    assert granted.json()["status"] == "in-force" and granted.json()["revocation"] is None
    assert_problem(revoke(api, exchange, listing_id), 403, "not-authorised")
    assert_problem(revoke(api, buyer, listing_id), 403, "not-authorised")

    # the exchange accepts one order in the holder's name
    first = order(api, buyer, listing_id)["orderId"]
    accepted = accept(api, exchange, first)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["acceptance"]["onBehalfOfSeller"] is True

    # the holder revokes the mandate: recorded on chain, and in the mandate's history
    revoked = revoke(api, holder, listing_id)
    assert revoked.status_code == 200, revoked.text
    body = revoked.json()
    assert body["status"] == "revoked" and body["validUntil"] == until
    assert body["revocation"]["chainEvidence"]["txHash"].startswith("0x")
    assert body["chainEvidence"] == granted.json()["chainEvidence"]  # the grant it ended
    assert_problem(revoke(api, holder, listing_id), 409, "trade-mandate-not-in-force")

    # the next order: the exchange's acceptance is refused with a clear code, the holder's goes through
    second = order(api, buyer, listing_id)["orderId"]
    refused = assert_problem(accept(api, exchange, second), 403, "trade-mandate-revoked")
    assert "revoked" in refused["detail"]
    assert accept(api, holder, second).status_code == 200

    # the history: the holder, the exchange and oversight read it; the buyer may not
    for reader in (holder, exchange, case["registrar"]):
        history = api.client.get(f"/v1/listings/{listing_id}/mandates", headers=reader.headers)
        assert history.status_code == 200, history.text
        assert [m["status"] for m in history.json()["items"]] == ["revoked"]
    assert_problem(
        api.client.get(f"/v1/listings/{listing_id}/mandates", headers=buyer.headers), 403, "not-authorised"
    )

    # granted again, the new grant is in force and the revoked one stays in the history
    regranted = mandate(api, holder, listing_id, until + 86400)
    assert regranted.status_code == 201, regranted.text
    history = api.client.get(f"/v1/listings/{listing_id}/mandates", headers=holder.headers).json()
    assert [m["status"] for m in history["items"]] == ["in-force", "revoked"]
    third = order(api, buyer, listing_id)["orderId"]
    assert accept(api, exchange, third).status_code == 200


def test_a_revocation_replayed_straight_to_the_chain_is_refused(
    api: LifecycleDriver, services: Services
) -> None:
    """Past the service's checks, the contract refuses the same signed revocation again, mapped to the
    same domain error the service answers."""
    case = listed_by_keyed_exchange(api)
    holder, listing_id = case["holder"], case["listing"]["listingId"]
    assert mandate(api, holder, listing_id, api.clock.now() + 86400).status_code == 201
    prepared = api.prepared(holder, f"/v1/listings/{listing_id}/mandate-revocation-requests")
    signature = sign_typed_data(holder.account.key, prepared["typedData"])  # type: ignore[union-attr]
    submission = {"nonce": prepared["nonce"], "deadline": prepared["deadline"], "signature": signature}
    path = f"/v1/listings/{listing_id}/mandate-revocation"
    assert api.client.post(path, json=submission, headers=holder.headers).status_code == 200
    chain = services.trades_contract
    assert chain is not None
    auth = act_authorisation(
        "TradeMandateRevocation",
        holder.account.address,  # type: ignore[union-attr]
        **{k: prepared["typedData"]["message"][k] for k in ("holder", "agent", "listingId")},
        nonce=prepared["nonce"],
        deadline=prepared["deadline"],
    )
    with pytest.raises(TradeMandateNotInForce) as refused:
        chain.submit_act(auth, signature)
    assert refused.value.extra["contract_error"] == "DataTradesMandateNotInForce"


def test_steps_out_of_order_and_by_the_wrong_party_are_refused(api: LifecycleDriver) -> None:
    case = listed_by_keyed_exchange(api)
    holder, exchange, buyer = case["holder"], case["exchange"], case["buyer"]
    listing_id = case["listing"]["listingId"]

    # the holder cannot buy its own product; an exchange buys nothing
    own = api.client.post("/v1/trades/order-requests", json={"listingId": listing_id}, headers=holder.headers)
    assert_problem(own, 422, "validation-failed")
    by_exchange = api.client.post(
        "/v1/trades/order-requests", json={"listingId": listing_id}, headers=exchange.headers
    )
    assert_problem(by_exchange, 403, "not-authorised")

    order_id = order(api, buyer, listing_id)["orderId"]
    assert_problem(settle(api, exchange, order_id), 409, "trade-invalid-status")
    assert_problem(settle(api, holder, order_id), 403, "not-authorised")
    assert_problem(
        api.client.post(f"/v1/trades/{order_id}/licence", json={"licenceId": 1}, headers=holder.headers),
        409,
        "trade-invalid-status",
    )
    assert accept(api, holder, order_id).status_code == 200
    # a licence to someone else is not the trade's
    other = api.participant("enterprise")
    granted = api.grant(
        holder, api.licence_terms(case["listing"]["assetId"], other, maxUses=3, commercial=True)
    )
    assert granted.status_code == 201, granted.text
    wrong = api.client.post(
        f"/v1/trades/{order_id}/licence",
        json={"licenceId": granted.json()["licenceId"]},
        headers=holder.headers,
    )
    assert "not the seller's to the buyer" in assert_problem(wrong, 409, "trade-licence-mismatch")["detail"]

    cancelled = api.client.post(
        f"/v1/trades/{order_id}/cancellation", json={"reason": "the buyer withdrew"}, headers=exchange.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["settlementStatus"] == "cancelled"
    assert cancelled.json()["settlement"]["cancellationReason"] == "the buyer withdrew"
    assert_problem(settle(api, exchange, order_id), 409, "trade-invalid-status")
    figures = statistics(api, exchange)
    assert (figures["orders"], figures["trades"], figures["settledTrades"]) == (1, 0, 0)
    assert figures["amounts"] == []


def test_a_delisted_or_unknown_listing_cannot_be_ordered(api: LifecycleDriver) -> None:
    case = listed_by_keyed_exchange(api)
    listing_id, buyer = case["listing"]["listingId"], case["buyer"]
    unknown = api.client.post(
        "/v1/trades/order-requests", json={"listingId": "0x" + "ab" * 32}, headers=buyer.headers
    )
    assert_problem(unknown, 404, "listing-not-found")
    prepared = api.prepared(buyer, "/v1/trades/order-requests", {"listingId": listing_id})
    delisted = api.client.post(
        f"/v1/listings/{listing_id}/delisting", json={"reason": "withdrawn"}, headers=case["exchange"].headers
    )
    assert delisted.status_code == 200, delisted.text
    submission = {
        "listingId": listing_id,
        "nonce": prepared["nonce"],
        "deadline": prepared["deadline"],
        "signature": sign_typed_data(buyer.account.key, prepared["typedData"]),  # type: ignore[union-attr]
    }
    refused = api.client.post("/v1/trades", json=submission, headers=buyer.headers)
    assert_problem(refused, 409, "listing-not-active")
    assert api.client.get("/v1/trades", headers=buyer.headers).json()["total"] == 0


def test_a_forged_order_is_refused_before_the_chain(api: LifecycleDriver) -> None:
    case = listed_by_keyed_exchange(api)
    listing_id, buyer = case["listing"]["listingId"], case["buyer"]
    forger = api.participant("enterprise")
    prepared = api.prepared(buyer, "/v1/trades/order-requests", {"listingId": listing_id})
    submission = {
        "listingId": listing_id,
        "nonce": prepared["nonce"],
        "deadline": prepared["deadline"],
        "signature": sign_typed_data(forger.account.key, prepared["typedData"]),  # type: ignore[union-attr]
    }
    assert_problem(
        api.client.post("/v1/trades", json=submission, headers=buyer.headers), 422, "invalid-signature"
    )


def _terms() -> dict[str, Any]:
    return {**TERMS, "maxUses": 3, "termDays": 30}
