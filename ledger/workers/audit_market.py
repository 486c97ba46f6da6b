"""The audit of the market: every stored listing against the ``DataMarket`` contract's record of it.

The chain holds a listing's asset, exchange, report hash, terms hash, the hash of the published
content, and whether it was delisted. The database holds the content itself and the signed report:
both are hashed again here, so an edit to what a buyer reads is a finding even when the hash columns
were left alone.
"""

from __future__ import annotations

import json

from dataledger.ledger.sql.market_tables import MarketListingRow, MarketReportRow
from dataledger.ledger.workers.audit_context import AuditContext
from dataledger.ledger.workers.audit_findings import FindingKind
from dataledger.registry.canonical import json_hash
from dataledger.registry.market.listings import ListingContent, exchange_key, listing_hash, listing_id_for


def check_listings(ctx: AuditContext) -> int:
    market = ctx.market
    if market is None:
        return 0
    reports = {row.listing_id: row for row in ctx.rows(MarketReportRow, MarketReportRow.report_hash)}
    rows = ctx.rows(MarketListingRow, MarketListingRow.seq)
    for row in rows:
        subject = ctx.findings.subject("listing", row.listing_id)
        with ctx.unreadable_is_a_finding(subject):
            on_chain = market.listing_of(row.listing_id)
            if on_chain is None:
                subject.add(FindingKind.MISSING_ON_CHAIN, "listing_id", row.listing_id, None, "contract")
                continue
            subject.compare(
                "contract",
                ("asset_id", row.asset_id, on_chain["assetId"]),
                ("exchange_id", exchange_key(row.exchange_id), on_chain["exchangeKey"]),
                ("report_hash", row.report_hash, on_chain["reportHash"]),
                ("terms_hash", row.terms_hash, on_chain["termsHash"]),
                ("content_hash", row.content_hash, on_chain["listingHash"]),
                ("status", row.status == "delisted", on_chain["delistedAt"] is not None),
            )
            content = ListingContent.from_json(json.loads(row.content_json))
            subject.commitment(
                "content_json", listing_hash(content, row.asset_id, row.exchange_id), on_chain["listingHash"]
            )
            subject.commitment(
                "listing_id",
                listing_id_for(row.asset_id, exchange_key(row.exchange_id), row.report_hash),
                row.listing_id,
            )
            report = reports.get(row.listing_id)
            if report is None:
                subject.add(
                    FindingKind.MISSING_IN_DATABASE, "report", None, on_chain["reportHash"], "database"
                )
            else:
                subject.commitment(
                    "report_json", json_hash(json.loads(report.report_json)), on_chain["reportHash"]
                )
    return len(rows)
