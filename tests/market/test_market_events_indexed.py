"""The event indexer follows the market's contracts: a listing, an order, its acceptance and its
settlement are in the index, and the audit re-reads each of those logs from its receipt."""

from __future__ import annotations

from dataledger.composition import Services
from dataledger.ledger.workers.audit import audit
from tests.lifecycle.driver import LifecycleDriver
from tests.market.test_trades_audit import settled_trade


def test_the_indexer_follows_listings_and_trades_and_the_audit_rereads_them(
    api: LifecycleDriver, services: Services
) -> None:
    trade = settled_trade(api)
    assert services.market_contract is not None and services.trades_contract is not None

    services.indexer.sync()
    market_events = services.indexer.events(contract=services.market_contract.address, limit=None)
    trade_events = services.indexer.events(contract=services.trades_contract.address, limit=None)

    listing_id = trade["listingId"]
    assert {"ExchangeEnrolled", "ListingVerificationRecorded", "Listed"} <= {e.event for e in market_events}
    assert [e.args["listingId"] for e in market_events if e.event == "Listed"] == [listing_id]
    assert [e.event for e in trade_events if e.args.get("orderId") == trade["orderId"]] == [
        "OrderPlaced",
        "OrderAccepted",
        "TradeSettled",
    ]
    report = audit(
        services.store,
        services.registry,
        services.indexer,
        licences=services.licences,
        chain=services.w3,  # as `dataledger audit` runs it
        market=services.market_contract,
        trades=services.trades_contract,
        vouchers=services.vouchers_contract,
    )
    assert report.findings == [], [f.format() for f in report.findings]
    assert report.counts["trades"] == 1
