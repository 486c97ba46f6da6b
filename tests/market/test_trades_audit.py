"""The audit holds every order and trade to the trades contract: an edit of its parties, amount,
currency, status or settlement record is a finding naming the trade and the field."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from dataledger.composition import Services
from dataledger.ledger.workers.audit import AuditReport, audit
from tests.lifecycle.driver import LifecycleDriver
from tests.market.test_trades_api import accept, listed_by_keyed_exchange, order, settle


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


def test_a_clean_trade_passes_the_audit(api: LifecycleDriver, services: Services) -> None:
    settled_trade(api)
    report = run_audit(services)
    assert report.counts["trades"] == 1
    assert [f for f in report.findings if f.record_type == "trade"] == []


@pytest.mark.parametrize("field", sorted(EDITS))
def test_an_edited_trade_is_named_by_the_audit(api: LifecycleDriver, services: Services, field: str) -> None:
    trade = settled_trade(api)
    with services.store.engine.begin() as connection:
        connection.execute(text(EDITS[field]), {"id": trade["orderId"]})

    findings = run_audit(services).findings_for("trade", trade["orderId"])
    assert field in {f.field for f in findings}, [f.format() for f in findings]
