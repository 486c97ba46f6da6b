"""The audit holds every listing to the market contract: an edit to what buyers read (the published
content, its report, the hashes, the status) is a finding naming the listing and the field."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text

from dataledger.composition import Services
from dataledger.ledger.workers.audit import AuditReport, audit
from tests.lifecycle.driver import LifecycleDriver
from tests.market.test_market_api import listed


def run_audit(services: Services) -> AuditReport:
    return audit(services.store, services.registry, services.store.engine, market=services.market_contract)


def edit(services: Services, statement: str, **values: object) -> None:
    with services.store.engine.begin() as connection:
        connection.execute(text(statement), values)


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


def test_a_clean_listing_passes_the_audit(api: LifecycleDriver, services: Services) -> None:
    listed(api)
    report = run_audit(services)
    assert report.counts["listings"] == 1
    assert [f for f in report.findings if f.record_type == "listing"] == []


@pytest.mark.parametrize("field", sorted(EDITS))
def test_an_edited_listing_is_named_by_the_audit(
    api: LifecycleDriver, services: Services, field: str
) -> None:
    listing = listed(api)["listing"]
    statement, values = EDITS[field]
    edit(services, statement, id=listing["listingId"], **values(listing))

    findings = run_audit(services).findings_for("listing", listing["listingId"])
    assert field in {f.field for f in findings}, [f.format() for f in findings]
