"""Data merchants and buyer verification, through the API: an exchange enrols data merchants by kind
(a public directory); a holder requires verified buyers for its listing; a buyer enrolled as such at
the exchange applies, the holder approves or declines by signing a ``BuyerDecision`` with its key,
and only an approved buyer orders. Refusals name their problem codes."""

from __future__ import annotations

from typing import Any

from dataledger.composition import Services
from dataledger.registry.holder_signatures import sign_typed_data
from dataledger.registry.market.merchants import BuyerDecision, decision_domain
from tests.factories import Actor
from tests.lifecycle.driver import LifecycleDriver, assert_problem
from tests.market.test_trades_api import listed_by_keyed_exchange, order


def enrol(api: LifecycleDriver, exchange: Actor, participant: Actor, *kinds: str) -> Any:
    return api.client.post(
        "/v1/merchants",
        json={"participantId": participant.id, "kinds": list(kinds)},
        headers=exchange.headers,
    )


def require_verified_buyers(
    api: LifecycleDriver, holder: Actor, listing_id: str, required: bool = True
) -> Any:
    return api.client.put(
        f"/v1/listings/{listing_id}/buyer-policy",
        json={"verificationRequired": required},
        headers=holder.headers,
    )


def apply(api: LifecycleDriver, buyer: Actor, listing_id: str, purpose: str = "Occupancy forecasting") -> Any:
    return api.client.post(
        f"/v1/listings/{listing_id}/buyer-applications", json={"purpose": purpose}, headers=buyer.headers
    )


def decide(api: LifecycleDriver, holder: Actor, application_id: str, approved: bool, reason: str) -> Any:
    """The holder prepares its decision, signs it with its own key, and submits it."""
    decision = {"approved": approved, "reason": reason}
    base = f"/v1/buyer-applications/{application_id}/decision"
    prepared = api.client.post(f"{base}/prepare", json=decision, headers=holder.headers)
    assert prepared.status_code == 200, prepared.text
    assert holder.account is not None
    signature = sign_typed_data(holder.account.key, prepared.json()["typedData"])
    submission = decision | {"deadline": prepared.json()["deadline"], "signature": signature}
    return api.client.post(base, json=submission, headers=holder.headers)


def try_order(api: LifecycleDriver, buyer: Actor, listing_id: str) -> Any:
    return api.client.post("/v1/trades/order-requests", json={"listingId": listing_id}, headers=buyer.headers)


def test_an_exchange_enrols_data_merchants_by_kind_in_a_public_directory(api: LifecycleDriver) -> None:
    case = listed_by_keyed_exchange(api)
    exchange, holder, buyer = case["exchange"], case["holder"], case["buyer"]

    assert enrol(api, exchange, holder, "supplier").status_code == 201
    enrolled = enrol(api, exchange, buyer, "buyer", "evaluation", "buyer")
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["kinds"] == ["buyer", "evaluation"] and enrolled.json()["active"] is True

    buyers = api.client.get("/v1/merchants", params={"kind": "buyer"}).json()  # anyone, no key
    assert [m["participant"]["id"] for m in buyers["items"]] == [buyer.id]
    assert buyers["items"][0]["exchange"] == {"id": exchange.id, "name": "Hainan International Data Exchange"}
    assert api.client.get("/v1/merchants", params={"exchange": exchange.id}).json()["total"] == 2

    again = enrol(api, exchange, buyer, "consulting")  # enrolling again sets the kinds anew
    assert again.json()["kinds"] == ["consulting"]
    assert api.client.get("/v1/merchants", params={"kind": "buyer"}).json()["total"] == 0

    withdrawn = api.client.post(f"/v1/merchants/{buyer.id}/withdrawal", headers=exchange.headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["active"] is False
    assert api.client.get("/v1/merchants", params={"participant": buyer.id}).json()["total"] == 0
    assert_problem(
        api.client.post(f"/v1/merchants/{buyer.id}/withdrawal", headers=exchange.headers),
        404,
        "merchant-not-found",
    )
    # only an exchange enrols; only enterprises are enrolled; kinds are the programme's
    assert_problem(enrol(api, holder, buyer, "buyer"), 403, "not-authorised")
    assert_problem(enrol(api, exchange, exchange, "buyer"), 422, "validation-failed")
    assert enrol(api, exchange, buyer, "broker").status_code == 422


def test_a_holder_requires_verified_buyers_and_only_an_approved_buyer_orders(
    api: LifecycleDriver, services: Services
) -> None:
    case = listed_by_keyed_exchange(api)
    exchange, holder, buyer = case["exchange"], case["holder"], case["buyer"]
    listing_id = case["listing"]["listingId"]
    policy = api.client.get(f"/v1/listings/{listing_id}/buyer-policy").json()
    assert policy["verificationRequired"] is False  # until the holder sets it

    assert_problem(require_verified_buyers(api, buyer, listing_id), 403, "not-authorised")  # not the holder
    set_policy = require_verified_buyers(api, holder, listing_id)
    assert set_policy.status_code == 200 and set_policy.json()["verificationRequired"] is True
    assert api.client.get(f"/v1/listings/{listing_id}/buyer-policy").json()["verificationRequired"] is True

    # an unverified buyer cannot order; nor apply before the exchange enrols it as a buyer
    assert_problem(try_order(api, buyer, listing_id), 403, "buyer-not-verified")
    assert_problem(apply(api, buyer, listing_id), 409, "merchant-not-enrolled")
    enrol(api, exchange, buyer, "buyer")
    applied = apply(api, buyer, listing_id, "Forecasting hotel occupancy in Sanya")
    assert applied.status_code == 201, applied.text
    application = applied.json()
    assert application["status"] == "pending" and application["decision"] is None
    assert application["holder"] == holder.account.address.lower()  # type: ignore[union-attr]
    assert_problem(apply(api, buyer, listing_id), 409, "buyer-application-decided")  # one at a time
    assert_problem(try_order(api, buyer, listing_id), 403, "buyer-not-verified")  # pending is not approved

    # the holder sees it to decide; the buyer sees its own; a stranger sees neither
    to_decide = api.client.get("/v1/buyer-applications", headers=holder.headers).json()
    assert [a["applicationId"] for a in to_decide["items"]] == [application["applicationId"]]
    mine = api.client.get("/v1/buyer-applications", params={"side": "buyer"}, headers=buyer.headers).json()
    assert mine["total"] == 1
    stranger = api.participant("enterprise")
    one = f"/v1/buyer-applications/{application['applicationId']}"
    assert_problem(api.client.get(one, headers=stranger.headers), 403, "not-authorised")
    assert api.client.get("/v1/buyer-applications", headers=stranger.headers).json()["total"] == 0

    # only the holder decides, with its own signature
    assert_problem(
        api.client.post(f"{one}/decision/prepare", json={"approved": True}, headers=buyer.headers),
        403,
        "not-authorised",
    )
    approved = decide(api, holder, application["applicationId"], True, "Known hotel group")
    assert approved.status_code == 200, approved.text
    decided = approved.json()
    assert decided["status"] == "approved" and decided["reason"] == "Known hotel group"
    # the decision is checkable against the holder's key by anyone who reads the application
    signed = decided["decision"]
    assert services.market_contract is not None
    domain = decision_domain(services.registry.chain_id, services.market_contract.address)
    kept = BuyerDecision(
        decided["applicationId"],
        listing_id,
        decided["buyer"]["address"],
        True,
        signed["reasonHash"],
        signed["deadline"],
    )
    assert kept.signer(domain, signed["signature"]) == decided["holder"]
    again = api.client.post(f"{one}/decision/prepare", json={"approved": False}, headers=holder.headers)
    assert_problem(again, 409, "buyer-application-decided")  # decided once

    placed = order(api, buyer, listing_id)  # now the buyer orders
    assert placed["status"] == "ordered"


def test_a_declined_buyer_cannot_order_a_forged_decision_is_refused_and_the_policy_can_be_lifted(
    api: LifecycleDriver,
) -> None:
    case = listed_by_keyed_exchange(api)
    exchange, holder, buyer = case["exchange"], case["holder"], case["buyer"]
    listing_id = case["listing"]["listingId"]
    require_verified_buyers(api, holder, listing_id)
    enrol(api, exchange, buyer, "buyer")
    application_id = apply(api, buyer, listing_id).json()["applicationId"]

    # the buyer signs an approval of itself: refused, nothing recorded
    base = f"/v1/buyer-applications/{application_id}/decision"
    prepared = api.client.post(f"{base}/prepare", json={"approved": True}, headers=holder.headers).json()
    assert buyer.account is not None
    forged = {"approved": True, "reason": "", "deadline": prepared["deadline"]}
    forged["signature"] = sign_typed_data(buyer.account.key, prepared["typedData"])
    assert_problem(api.client.post(base, json=forged, headers=holder.headers), 422, "invalid-signature")
    # a signature of another decision (approve) does not carry a decline, nor the reverse
    assert holder.account is not None
    flipped = forged | {
        "approved": False,
        "signature": sign_typed_data(holder.account.key, prepared["typedData"]),
    }
    assert_problem(api.client.post(base, json=flipped, headers=holder.headers), 422, "invalid-signature")
    assert api.client.get(f"/v1/buyer-applications/{application_id}", headers=buyer.headers).json()[
        "status"
    ] == ("pending")

    declined = decide(api, holder, application_id, False, "Purpose outside the licence's acceptable uses")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert_problem(try_order(api, buyer, listing_id), 403, "buyer-not-verified")
    assert apply(api, buyer, listing_id, "A narrower purpose").status_code == 201  # declined: may apply again

    assert require_verified_buyers(api, holder, listing_id, required=False).status_code == 200
    assert order(api, buyer, listing_id)["status"] == "ordered"  # lifted: anyone orders again


def test_a_listing_that_can_no_longer_be_ordered_takes_no_decision(api: LifecycleDriver) -> None:
    case = listed_by_keyed_exchange(api)
    exchange, holder, buyer = case["exchange"], case["holder"], case["buyer"]
    listing_id = case["listing"]["listingId"]
    require_verified_buyers(api, holder, listing_id)
    enrol(api, exchange, buyer, "buyer")
    application_id = apply(api, buyer, listing_id).json()["applicationId"]
    delisted = api.client.post(
        f"/v1/listings/{listing_id}/delisting", json={"reason": "withdrawn"}, headers=exchange.headers
    )
    assert delisted.status_code == 200, delisted.text

    prepare = f"/v1/buyer-applications/{application_id}/decision/prepare"
    refused = api.client.post(prepare, json={"approved": True}, headers=holder.headers)
    assert_problem(refused, 409, "conflict")
    pending = api.client.get(f"/v1/buyer-applications/{application_id}", headers=buyer.headers)
    assert pending.json()["status"] == "pending"
