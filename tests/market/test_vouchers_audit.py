"""The audit holds every voucher programme to the vouchers contract: an edit of its rules, or of an issue
or redemption (its value, or a movement deleted), is a finding naming the programme and what no longer
adds up. Every recorded registration fee is held to the contract's record of it."""

from __future__ import annotations

from typing import Any

from dataledger.composition import Services
from dataledger.ledger.workers.audit import AuditReport, audit
from tests.lifecycle.driver import LifecycleDriver
from tests.market.edits import edited
from tests.market.test_trades_api import listed_by_keyed_exchange
from tests.market.test_vouchers_api import issue, programme, record_fee, redeem, traded


def run_audit(services: Services) -> AuditReport:
    return audit(
        services.store, services.registry, services.store.engine, vouchers=services.vouchers_contract
    )


def spent(api: LifecycleDriver) -> dict[str, Any]:
    """A programme whose authority issued the buyer 50,000 fen, 12,000 of them redeemed against a trade."""
    case = listed_by_keyed_exchange(api)
    authority = api.keyed("authority")
    created = programme(api, authority)
    programme_id = created["programmeId"]
    assert issue(api, authority, programme_id, case["buyer"], 50_000).status_code == 201
    order_id = traded(api, case)
    redeemed = redeem(api, case["buyer"], programme_id, purpose="trade", referenceId=order_id, value=12_000)
    assert redeemed.status_code == 201, redeemed.text
    return {"programmeId": programme_id, "buyer": case["buyer"]}


EDITS: dict[str, tuple[str, str]] = {
    "budget": ("UPDATE voucher_programmes SET budget = budget + 1 WHERE programme_id = :id", "budget"),
    "share_cap_bps": (
        "UPDATE voucher_programmes SET share_cap_bps = 5000 WHERE programme_id = :id",
        "share_cap_bps",
    ),
    "redemption value": (
        "UPDATE voucher_movements SET value = 1 WHERE programme_id = :id AND kind = 'redemption'",
        "redeemed",
    ),
    "issue deleted": ("DELETE FROM voucher_movements WHERE programme_id = :id AND kind = 'issue'", "issued"),
}


def test_a_clean_programme_passes_the_audit_and_every_edit_is_named(
    api: LifecycleDriver, services: Services
) -> None:
    case = spent(api)
    report = run_audit(services)
    assert report.counts["voucher_programmes"] == 1
    assert [f for f in report.findings if f.record_type == "voucher_programme"] == []

    for edit, (statement, field) in sorted(EDITS.items()):  # each edit alone, undone before the next
        table = "voucher_programmes" if edit in ("budget", "share_cap_bps") else "voucher_movements"
        with edited(services.store.engine, table, statement, {"id": case["programmeId"]}):
            findings = run_audit(services).findings_for("voucher_programme", case["programmeId"])
        fields = {f.field for f in findings}
        assert field in fields, (edit, [f.format() for f in findings])
        if table == "voucher_movements":  # a movement: the buyer's balance no longer adds up
            assert any(str(f).startswith("balance of ") for f in fields), (edit, fields)
    assert run_audit(services).findings_for("voucher_programme", case["programmeId"]) == []


def fee_redeemed(api: LifecycleDriver) -> str:
    """A registration fee of 5,000 fen a registrar recorded, 500 of it paid by vouchers: its asset id."""
    case = listed_by_keyed_exchange(api)
    authority, holder, asset_id = api.keyed("authority"), case["holder"], case["listing"]["assetId"]
    programme_id = programme(api, authority)["programmeId"]
    assert issue(api, authority, programme_id, holder, 1_000).status_code == 201
    assert record_fee(api, case["registrar"], asset_id, 5_000).status_code == 201
    redeemed = redeem(api, holder, programme_id, purpose="registration-fee", referenceId=asset_id, value=500)
    assert redeemed.status_code == 201, redeemed.text
    return str(asset_id)


FEE_EDITS: dict[str, str] = {
    "amount": "UPDATE registration_fees SET amount = amount * 10",
    "currency": "UPDATE registration_fees SET currency = 'USD'",
    "payer_address": "UPDATE registration_fees SET payer_address = '0x" + "42" * 20 + "'",
    "redeemed_in": "UPDATE registration_fees SET redeemed_in = NULL",
}


def test_a_recorded_and_redeemed_fee_passes_the_audit_and_every_edit_is_named(
    api: LifecycleDriver, services: Services
) -> None:
    asset_id = fee_redeemed(api)
    report = run_audit(services)
    assert report.counts["registration_fees"] == 1
    assert report.findings_for("registration_fee", asset_id) == []

    for field, statement in sorted(FEE_EDITS.items()):  # each edit alone, undone before the next
        with edited(services.store.engine, "registration_fees", statement):
            findings = run_audit(services).findings_for("registration_fee", asset_id)
        assert field in {f.field for f in findings}, (field, [f.format() for f in findings])
    assert run_audit(services).findings_for("registration_fee", asset_id) == []
