"""The audit holds every order and trade to the trades contract: an edit of its parties, amount,
currency, status or settlement record is a finding naming the trade and the field. A holder's standing
mandate (or its revocation) is held to the contract's mandate the same way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from dataledger.composition import Services
from dataledger.ledger.workers.audit import AuditReport, audit
from tests.lifecycle.driver import LifecycleDriver
from tests.market.edits import edited
from tests.market.test_trades_api import accept, listed_by_keyed_exchange, mandate, order, revoke, settle


def run_audit(services: Services) -> AuditReport:
    return audit(services.store, services.registry, services.store.engine, trades=services.trades_contract)


def settled_trade(api: LifecycleDriver) -> dict[str, Any]:
    case = listed_by_keyed_exchange(api)
    order_id = order(api, case["buyer"], case["listing"]["listingId"])["orderId"]
    assert accept(api, case["holder"], order_id).status_code == 200
    response = settle(api, case["exchange"], order_id, "bank transfer no. 88")
    assert response.status_code == 200, response.text
    return dict(response.json())


EDITS: dict[str, str] = {
    "amount": "UPDATE market_trades SET amount = amount * 10 WHERE order_id = :id",
    "currency": "UPDATE market_trades SET currency = 'USD' WHERE order_id = :id",
    "buyer_address": "UPDATE market_trades SET buyer_address = '0x" + "42" * 20 + "' WHERE order_id = :id",
    "status": "UPDATE market_trades SET status = 'cancelled' WHERE order_id = :id",
    "settlement_reference": "UPDATE market_trades SET settlement_reference = 'cash' WHERE order_id = :id",
}


def test_a_clean_trade_passes_the_audit_and_every_edit_is_named(
    api: LifecycleDriver, services: Services
) -> None:
    trade = settled_trade(api)
    report = run_audit(services)
    assert report.counts["trades"] == 1
    assert [f for f in report.findings if f.record_type == "trade"] == []

    for field, statement in sorted(EDITS.items()):  # each edit alone, undone before the next
        with edited(services.store.engine, "market_trades", statement, {"id": trade["orderId"]}):
            findings = run_audit(services).findings_for("trade", trade["orderId"])
        assert field in {f.field for f in findings}, (field, [f.format() for f in findings])
    assert run_audit(services).findings_for("trade", trade["orderId"]) == []


def revoked_mandate(api: LifecycleDriver) -> str:
    """A listing whose holder granted its exchange a mandate, then revoked it: the mandate's subject."""
    case = listed_by_keyed_exchange(api)
    holder, listing_id = case["holder"], case["listing"]["listingId"]
    assert mandate(api, holder, listing_id, api.clock.now() + 86400).status_code == 201
    revoked = revoke(api, holder, listing_id)
    assert revoked.status_code == 200, revoked.text
    return f"{revoked.json()['holder']}/{revoked.json()['agent']}/{listing_id}"


MANDATE_EDITS: dict[str, tuple[str, str]] = {
    # the store forgets the revocation: it claims a mandate the chain no longer holds
    "revocation forgotten": (
        "UPDATE market_mandates SET ended = NULL, revoked_at = NULL, revocation_evidence = NULL",
        "valid_until",
    ),
    # a later grant invented in the store, standing where the chain holds none
    "grant invented": (
        "UPDATE market_mandates SET ended = NULL, valid_until = valid_until + 1",
        "valid_until",
    ),
}


def test_a_revoked_mandate_in_the_store_matches_the_chain_and_every_edit_is_named(
    api: LifecycleDriver, services: Services
) -> None:
    subject = revoked_mandate(api)
    report = run_audit(services)
    assert report.counts["mandates"] == 1
    assert [f.format() for f in report.findings if f.record_type == "mandate"] == []
    assert report.findings_for("mandate", subject) == []

    for edit, (statement, field) in sorted(MANDATE_EDITS.items()):  # each alone, undone before the next
        with edited(services.store.engine, "market_mandates", statement):
            findings = run_audit(services).findings_for("mandate", subject)
        assert field in {f.field for f in findings}, (edit, [f.format() for f in findings])
    assert run_audit(services).findings_for("mandate", subject) == []


def test_a_standing_mandate_marked_revoked_in_the_store_is_named(
    api: LifecycleDriver, services: Services
) -> None:
    case = listed_by_keyed_exchange(api)
    holder, listing_id = case["holder"], case["listing"]["listingId"]
    granted = mandate(api, holder, listing_id, api.clock.now() + 86400)
    assert granted.status_code == 201, granted.text
    with services.store.engine.begin() as connection:
        connection.execute(text("UPDATE market_mandates SET ended = 'revoked'"))

    subject = f"{granted.json()['holder']}/{granted.json()['agent']}/{listing_id}"
    findings = run_audit(services).findings_for("mandate", subject)
    assert "ended" in {f.field for f in findings}, [f.format() for f in findings]
