"""The reconciliation audit checks anchored Merkle batches: the root of the stored leaves is the root
on chain, so an edited or deleted entry names its batch; and `dataledger audit` reports the batches."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from dataledger.cli.main import main
from dataledger.composition import Services
from dataledger.ledger.workers.audit import FindingKind, audit
from tests.anchoring.conftest import signed_items
from tests.factories import ApiDriver


def anchored_batch(bulk_api: ApiDriver, services: Services, count: int = 5) -> int:
    holder = bulk_api.participant("enterprise")
    response = bulk_api.client.post(
        "/v1/bulk/assets?wait=true&timeout=30",
        json={"items": signed_items(services, holder, count)},
        headers=holder.headers,
    )
    assert response.status_code in (200, 201), response.text
    with services.store.engine.connect() as connection:
        return connection.execute(
            text("SELECT max(id) FROM anchor_batches WHERE status = 'anchored'")
        ).scalar_one()


def run_audit(services: Services):  # type: ignore[no-untyped-def]
    assert services.anchoring is not None
    return audit(services.store, services.registry, services.indexer, anchors=services.anchoring.client)


def test_anchored_batches_audit_clean(bulk_api: ApiDriver, anvil_services: Services) -> None:
    anchored_batch(bulk_api, anvil_services)

    report = run_audit(anvil_services)

    assert report.ok, report.format()
    assert report.counts["anchor_batches"] >= 1 and report.counts["anchored_entries"] >= 5
    assert "anchored Merkle batches" in report.format()


def test_an_edited_entry_changes_the_root_and_names_its_batch(
    bulk_api: ApiDriver, anvil_services: Services
) -> None:
    batch_id = anchored_batch(bulk_api, anvil_services)
    with anvil_services.store.engine.begin() as connection:
        connection.execute(
            text("UPDATE anchor_outbox SET leaf_hash = :forged WHERE batch_id = :b AND leaf_index = 0"),
            {"forged": "0x" + "ab" * 32, "b": batch_id},
        )

    (finding,) = run_audit(anvil_services).findings

    assert (finding.kind, finding.record_type, finding.record_id, finding.field) == (
        FindingKind.FIELD_MISMATCH,
        "anchor-batch",
        str(batch_id),
        "root",
    )


def test_a_deleted_entry_names_its_batch(bulk_api: ApiDriver, anvil_services: Services) -> None:
    batch_id = anchored_batch(bulk_api, anvil_services)
    with anvil_services.store.engine.begin() as connection:
        connection.execute(
            text("UPDATE anchor_outbox SET batch_id = NULL WHERE batch_id = :b AND leaf_index = 1"),
            {"b": batch_id},
        )

    fields = {f.field for f in run_audit(anvil_services).findings_for("anchor-batch", str(batch_id))}

    assert fields == {"leaf_count", "root"}


def test_audit_command_reports_the_anchored_batches(
    bulk_api: ApiDriver, anvil_services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    anchored_batch(bulk_api, anvil_services)
    settings = anvil_services.settings
    anvil_services.close()

    code = main(["audit", "--data-dir", str(settings.data_dir), "--rpc-url", str(settings.rpc_url)])

    out = capsys.readouterr().out
    assert code == 0, out
    assert "anchored Merkle batches" in out and "OK: every record agrees with the chain." in out
