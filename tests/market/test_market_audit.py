"""The audit holds every listing to the market contract: an edit to what buyers read (the published
content, its report, the hashes, the status) is a finding naming the listing and the field."""

from __future__ import annotations

from collections.abc import Callable

from dataledger.composition import Services
from dataledger.ledger.workers.audit import AuditReport, audit
from tests.lifecycle.driver import LifecycleDriver
from tests.market.edits import edited
from tests.market.test_market_api import listed


def run_audit(services: Services) -> AuditReport:
    return audit(services.store, services.registry, services.store.engine, market=services.market_contract)


EDITS: dict[str, tuple[str, Callable[[dict[str, object]], dict[str, object]]]] = {
    "content_json": (
        "UPDATE market_listings SET content_json = replace(content_json, '离岛免税', '全国免税')"
        " WHERE listing_id = :id",
        lambda listing: {},
    ),
    "terms_hash": (
        "UPDATE market_listings SET terms_hash = :other WHERE listing_id = :id",
        lambda listing: {"other": "0x" + "ab" * 32},
    ),
    "status": ("UPDATE market_listings SET status = 'delisted' WHERE listing_id = :id", lambda listing: {}),
    "report_json": (
        "UPDATE market_listing_reports SET report_json = replace(report_json, 'true', 'false')"
        " WHERE listing_id = :id",
        lambda listing: {},
    ),
}


def test_a_clean_listing_passes_the_audit_and_every_edit_is_named(
    api: LifecycleDriver, services: Services
) -> None:
    listing = listed(api)["listing"]
    report = run_audit(services)
    assert report.counts["listings"] == 1
    assert [f for f in report.findings if f.record_type == "listing"] == []

    for field, (statement, values) in sorted(EDITS.items()):  # each edit alone, undone before the next
        table = "market_listing_reports" if field == "report_json" else "market_listings"
        with edited(services.store.engine, table, statement, {"id": listing["listingId"], **values(listing)}):
            findings = run_audit(services).findings_for("listing", listing["listingId"])
        assert field in {f.field for f in findings}, (field, [f.format() for f in findings])
    assert run_audit(services).findings_for("listing", listing["listingId"]) == []
