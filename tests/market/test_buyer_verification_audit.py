"""The audit holds every decided buyer application to the holder's signed ``BuyerDecision``: an edit of
the verdict, the reason, the deadline, the holder or the signature is a finding naming the
application; a clean ledger has none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from dataledger.composition import Services
from dataledger.ledger.workers.audit import AuditReport, audit
from tests.lifecycle.driver import LifecycleDriver
from tests.market.test_buyer_verification_api import apply, decide, enrol, require_verified_buyers
from tests.market.test_trades_api import listed_by_keyed_exchange


def run_audit(services: Services) -> AuditReport:
    return audit(services.store, services.registry, services.store.engine, market=services.market_contract)


def decided_applications(api: LifecycleDriver) -> list[dict[str, Any]]:
    """Two applications to one listing, by two buyers: one approved, one declined."""
    case = listed_by_keyed_exchange(api)
    exchange, holder = case["exchange"], case["holder"]
    listing_id = case["listing"]["listingId"]
    require_verified_buyers(api, holder, listing_id)
    decided = []
    for approved, buyer in ((True, case["buyer"]), (False, api.participant("enterprise"))):
        enrol(api, exchange, buyer, "buyer")
        application_id = apply(api, buyer, listing_id).json()["applicationId"]
        response = decide(api, holder, application_id, approved, "approved" if approved else "declined")
        assert response.status_code == 200, response.text
        decided.append(response.json())
    return decided


EDITS: dict[str, str] = {
    "verdict": "UPDATE market_buyer_applications SET status = 'approved' WHERE application_id = :declined",
    "reason": "UPDATE market_buyer_applications SET reason = 'no reason' WHERE application_id = :approved",
    "deadline": "UPDATE market_buyer_applications SET decision_deadline = decision_deadline + 1"
    " WHERE application_id = :approved",
    "holder": "UPDATE market_buyer_applications SET holder = '0x"
    + "42" * 20
    + "' WHERE application_id = :approved",
    "signature": "UPDATE market_buyer_applications SET decision_signature ="
    " (SELECT decision_signature FROM market_buyer_applications WHERE application_id = :declined)"
    " WHERE application_id = :approved",
}


def test_a_clean_ledger_passes_and_every_edited_decision_is_named(
    api: LifecycleDriver, services: Services
) -> None:
    approved, declined = decided_applications(api)
    ids = {"approved": approved["applicationId"], "declined": declined["applicationId"]}
    clean = run_audit(services)
    assert clean.counts["buyer_applications"] == 2
    assert [f for f in clean.findings if f.record_type == "buyer-application"] == []

    columns = "status, reason, decision_deadline, holder, decision_signature"
    for edit, sql in sorted(EDITS.items()):  # each edit alone, undone before the next
        edited = ids["declined"] if edit == "verdict" else ids["approved"]
        with services.store.engine.begin() as connection:
            before = connection.execute(
                text(f"SELECT {columns} FROM market_buyer_applications WHERE application_id = :id"),
                {"id": edited},
            ).one()
            connection.execute(text(sql), ids)

        findings = run_audit(services).findings_for("buyer-application", edited)
        assert [f.field for f in findings] == ["decision_signature"], (edit, [f.format() for f in findings])
        with services.store.engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE market_buyer_applications SET status = :status, reason = :reason,"
                    " decision_deadline = :decision_deadline, holder = :holder,"
                    " decision_signature = :decision_signature WHERE application_id = :id"
                ),
                {**before._asdict(), "id": edited},
            )
    assert [f for f in run_audit(services).findings if f.record_type == "buyer-application"] == []
