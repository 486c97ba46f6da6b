"""The reconciliation audit on anvil: a clean database audits ok; a row edited behind the service's back,
a deleted row, or a chain act the database lacks is named by record and field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text

from dataledger.composition import Services
from dataledger.ledger.workers.audit import AuditReport, Finding, FindingKind, audit
from dataledger.ledger.workers.indexer import EventIndexer
from tests.factories import ApiDriver
from tests.ledger.test_indexer import api, fresh_registry_client, indexer_for, register_directly, services

__all__ = ["api", "services"]  # fixtures shared with the indexer tests (anvil, SQLite and PostgreSQL)


@dataclass
class Records:
    certified: dict[str, Any]  # an asset with a certificate
    certificate_number: str
    revoked: dict[str, Any]  # an asset whose registration was revoked
    plain: dict[str, Any]  # an asset registered and nothing more


@pytest.fixture
def records(api: ApiDriver) -> Records:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    certified, revoked, plain = api.register(holder), api.register(holder), api.register(holder)
    certificate = api.certify(registrar, certified["assetId"])
    response = api.revoke(registrar, revoked["assetId"], "unlawful")
    assert response.status_code == 200, response.text
    return Records(certified, certificate["credentialSubject"]["certificateNumber"], revoked, plain)


@pytest.fixture
def indexer(services: Services) -> EventIndexer:
    return indexer_for(services)


def run_audit(services: Services, indexer: EventIndexer) -> AuditReport:
    return audit(services.store, services.registry, indexer)


def sql(services: Services, statement: str, **params: object) -> None:
    with services.store.engine.begin() as connection:
        result = connection.execute(text(statement), params)
        assert result.rowcount >= 1, statement  # type: ignore[attr-defined]


def only(report: AuditReport) -> Finding:
    assert len(report.findings) == 1, report.format()
    return report.findings[0]


def test_clean_database_audits_ok(services: Services, indexer: EventIndexer, records: Records) -> None:
    report = run_audit(services, indexer)

    assert report.ok, report.format()
    assert report.counts["assets"] == 3 and report.counts["certificates"] == 1
    # 3 registrations, 2 reviews and a public notice on the way to 1 certificate, 1 revocation
    assert report.counts["history"] == 8
    assert report.indexed_to_block == services.w3.eth.block_number
    assert "OK: every record agrees with the chain." in report.format()
    assert json.loads(json.dumps(report.as_json()))["ok"] is True


def test_edited_content_hash_is_named(services: Services, indexer: EventIndexer, records: Records) -> None:
    asset_id = records.plain["assetId"]
    forged = "0x" + "ab" * 32
    sql(services, "UPDATE assets SET content_hash = :h WHERE asset_id = :a", h=forged, a=asset_id)

    report = run_audit(services, indexer)

    assert not report.ok
    assert only(report) == Finding(
        FindingKind.FIELD_MISMATCH,
        "asset",
        asset_id,
        "content_hash",
        forged,
        records.plain["contentHash"],
        "contract",
    )
    assert f"asset {asset_id} content_hash" in report.format()


def test_edited_transaction_hash_is_named(
    services: Services, indexer: EventIndexer, records: Records
) -> None:
    asset_id = records.certified["assetId"]
    forged = "0x" + "cd" * 32
    sql(services, "UPDATE assets SET tx_hash = :t WHERE asset_id = :a", t=forged, a=asset_id)

    finding = only(run_audit(services, indexer))

    assert (finding.kind, finding.record_type, finding.record_id, finding.field) == (
        FindingKind.FIELD_MISMATCH,
        "asset",
        asset_id,
        "tx_hash",
    )
    assert (finding.database_value, finding.chain_value) == (
        forged,
        records.certified["chainEvidence"]["txHash"],
    )


def test_edited_certificate_hash_is_named(
    services: Services, indexer: EventIndexer, records: Records
) -> None:
    forged = "0x" + "ef" * 32
    statement = "UPDATE certificates SET certificate_hash = :h WHERE number = :n"
    sql(services, statement, h=forged, n=records.certificate_number)

    report = run_audit(services, indexer)

    fields = {(f.kind, f.field) for f in report.findings_for("certificate", records.certificate_number)}
    assert (FindingKind.FIELD_MISMATCH, "certificate_hash") in fields
    assert (FindingKind.FIELD_MISMATCH, "vc_json") not in fields  # the credential itself is intact
    (finding,) = [f for f in report.findings if f.field == "certificate_hash"]
    assert finding.database_value == forged and finding.source == "event"


def test_edited_stored_credential_is_named(
    services: Services, indexer: EventIndexer, records: Records
) -> None:
    with services.store.engine.connect() as connection:
        vc_json = connection.execute(
            text("SELECT vc_json FROM certificates WHERE number = :n"), {"n": records.certificate_number}
        ).scalar_one()
    vc = json.loads(vc_json)
    vc["credentialSubject"]["asset"]["scale"] = "12M rows"
    statement = "UPDATE certificates SET vc_json = :v WHERE number = :n"
    sql(services, statement, v=json.dumps(vc), n=records.certificate_number)

    finding = only(run_audit(services, indexer))

    assert (finding.record_type, finding.record_id, finding.field) == (
        "certificate",
        records.certificate_number,
        "vc_json",
    )


def test_deleted_asset_row_is_missing_in_database(
    services: Services, indexer: EventIndexer, records: Records
) -> None:
    asset_id = records.plain["assetId"]
    sql(services, "DELETE FROM asset_history WHERE asset_id = :a", a=asset_id)
    sql(services, "DELETE FROM assets WHERE asset_id = :a", a=asset_id)

    finding = only(run_audit(services, indexer))

    assert (finding.kind, finding.record_type, finding.record_id) == (
        FindingKind.MISSING_IN_DATABASE,
        "asset",
        asset_id,
    )
    evidence = records.plain["chainEvidence"]
    assert finding.chain_value == f"{evidence['txHash']}#{evidence['logIndex']}"


def test_chain_registration_without_a_database_row_is_reported(
    services: Services, indexer: EventIndexer, records: Records
) -> None:
    unrecorded = register_directly(fresh_registry_client(services))

    finding = only(run_audit(services, indexer))

    assert (finding.kind, finding.record_type, finding.record_id) == (
        FindingKind.MISSING_IN_DATABASE,
        "asset",
        unrecorded,
    )


def test_state_disagreeing_with_the_contract_is_a_status_mismatch(
    services: Services, indexer: EventIndexer, records: Records
) -> None:
    asset_id = records.revoked["assetId"]
    sql(services, "UPDATE assets SET state = 'registered' WHERE asset_id = :a", a=asset_id)

    finding = only(run_audit(services, indexer))

    assert finding == Finding(
        FindingKind.STATUS_MISMATCH, "asset", asset_id, "state", "registered", "revoked", "contract"
    )


def test_history_row_pointing_nowhere_is_missing_on_chain(
    services: Services, indexer: EventIndexer, records: Records
) -> None:
    with services.store.engine.connect() as connection:
        history_id, tx_hash = connection.execute(
            text("SELECT id, tx_hash FROM asset_history WHERE act = 'certificate-recorded'")
        ).one()
    sql(services, "UPDATE asset_history SET log_index = log_index + 7 WHERE id = :i", i=history_id)

    report = run_audit(services, indexer)

    missing = [
        f for f in report.findings if f.record_type == "asset-history" and f.record_id == str(history_id)
    ]
    assert [(f.kind, f.field) for f in missing] == [(FindingKind.MISSING_ON_CHAIN, "tx_hash")]
    # and the real event, now without its history row, is reported from the chain's side
    (unmatched,) = [f for f in report.findings if f.kind is FindingKind.MISSING_IN_DATABASE]
    assert unmatched.record_id.startswith(tx_hash) and unmatched.chain_value == "CertificateRecorded"


def test_records_above_the_index_are_not_yet_indexed(services: Services, records: Records) -> None:
    held_back = indexer_for(services, confirmations=1)  # the revocation is in the newest block

    report = audit(services.store, services.registry, held_back)

    finding = only(report)
    assert (finding.kind, finding.record_type, finding.field) == (
        FindingKind.NOT_YET_INDEXED,
        "asset-history",
        "tx_hash",
    )
    assert report.indexed_to_block == services.w3.eth.block_number - 1
