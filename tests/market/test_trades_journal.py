"""A process that dies between relaying a signed order, acceptance, mandate revocation, registration fee
or voucher redemption and recording it: the restart records it from the chain, once
(``registry.act_journal``), as for the holder acts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dataledger.composition import Services
from tests.lifecycle.driver import LifecycleDriver
from tests.lifecycle.test_act_journal import Crash, crash, journal_size, restart  # noqa: F401 - a fixture
from tests.market.test_trades_api import accept, listed_by_keyed_exchange, mandate, order, revoke
from tests.market.test_vouchers_api import issue, programme, record_fee, redeem, traded


def test_an_order_and_its_acceptance_on_chain_but_not_stored_are_recorded_at_restart(
    api: LifecycleDriver,
    services: Services,
    restart: Callable[[], LifecycleDriver],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = listed_by_keyed_exchange(api)
    prepared = api.prepared(
        case["buyer"], "/v1/trades/order-requests", {"listingId": case["listing"]["listingId"]}
    )
    monkeypatch.setattr(services.trade_store, "add_trade", crash)
    with pytest.raises(Crash):
        order(api, case["buyer"], case["listing"]["listingId"])
    assert services.act_journal.count() == 1

    after = restart()
    stored = after.client.get(f"/v1/trades/{prepared['orderId']}", headers=case["buyer"].headers)
    assert stored.status_code == 200, stored.text
    assert stored.json()["status"] == "ordered" and stored.json()["buyer"]["id"] == case["buyer"].id
    assert journal_size(after) == 0

    after_services: Services = after.client.app.state.services  # type: ignore[attr-defined]
    monkeypatch.setattr(after_services.trade_store, "accept", crash)
    with pytest.raises(Crash):
        accept(after, case["holder"], prepared["orderId"])
    again = restart()
    accepted = again.client.get(f"/v1/trades/{prepared['orderId']}", headers=case["holder"].headers).json()
    assert accepted["status"] == "accepted" and accepted["acceptance"]["chainEvidence"]["txHash"]
    assert journal_size(again) == 0


def test_a_voucher_redemption_on_chain_but_not_stored_is_recorded_at_restart(
    api: LifecycleDriver,
    services: Services,
    restart: Callable[[], LifecycleDriver],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = listed_by_keyed_exchange(api)
    authority = api.keyed("authority")
    programme_id = programme(api, authority)["programmeId"]
    assert issue(api, authority, programme_id, case["buyer"], 50_000).status_code == 201
    order_id = traded(api, case)
    monkeypatch.setattr(services.voucher_store, "add_movement", crash)
    with pytest.raises(Crash):
        redeem(api, case["buyer"], programme_id, purpose="trade", referenceId=order_id, value=12_000)

    after = restart()
    spend = after.client.get(f"/v1/voucher-programmes/{programme_id}/spend", headers=authority.headers).json()
    (buyer,) = [e for e in spend["enterprises"] if e["enterprise"]["id"] == case["buyer"].id]
    assert buyer["byPurpose"] == [{"purpose": "trade", "redemptions": 1, "value": 12_000}]
    assert journal_size(after) == 0


def test_a_mandate_revocation_on_chain_but_not_stored_is_recorded_at_restart(
    api: LifecycleDriver,
    services: Services,
    restart: Callable[[], LifecycleDriver],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = listed_by_keyed_exchange(api)
    holder, listing_id = case["holder"], case["listing"]["listingId"]
    assert mandate(api, holder, listing_id, api.clock.now() + 86400).status_code == 201
    monkeypatch.setattr(services.trade_store, "revoke_mandate", crash)
    with pytest.raises(Crash):
        revoke(api, holder, listing_id)
    assert services.act_journal.count() == 1

    after = restart()
    history = after.client.get(f"/v1/listings/{listing_id}/mandates", headers=holder.headers).json()
    assert [m["status"] for m in history["items"]] == ["revoked"]
    assert history["items"][0]["revocation"]["chainEvidence"]["txHash"].startswith("0x")
    assert journal_size(after) == 0


def test_a_registration_fee_on_chain_but_not_stored_is_recorded_at_restart(
    api: LifecycleDriver,
    services: Services,
    restart: Callable[[], LifecycleDriver],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = listed_by_keyed_exchange(api)
    registrar, asset_id = case["registrar"], case["listing"]["assetId"]
    monkeypatch.setattr(services.voucher_store, "add_fee", crash)
    with pytest.raises(Crash):
        record_fee(api, registrar, asset_id, 5_000)
    assert services.act_journal.count() == 1

    after = restart()
    fee = after.client.get(f"/v1/registration-fees/{asset_id}", headers=registrar.headers)
    assert fee.status_code == 200, fee.text
    assert (fee.json()["amount"], fee.json()["registrar"]["id"]) == (5_000, registrar.id)
    assert journal_size(after) == 0
