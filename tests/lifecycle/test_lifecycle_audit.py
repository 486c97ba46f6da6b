"""The reconciliation audit covers the whole lifecycle: procedure acts, transfers and licence acts
(recorded by the licence registry) are checked against the chain, and an edited row is named."""

from __future__ import annotations

from sqlalchemy import text

from dataledger.composition import Services
from dataledger.ledger.workers.audit import FindingKind, audit
from tests.lifecycle.driver import LifecycleDriver
from tests.lifecycle.test_licences_api import licensed


def test_a_licensed_and_used_asset_audits_clean_with_its_licence_acts(
    api: LifecycleDriver, services: Services
) -> None:
    _, licensee, _, asset, licence = licensed(api)
    assert api.use(licensee, licence["licenceId"]).status_code == 201

    report = audit(services.store, services.registry, services.indexer)

    assert report.ok, report.format()
    history = api.client.get(
        f"/v1/assets/{asset['assetId']}/history", params={"check": "true"}, headers=licensee.headers
    )
    assert history.status_code == 200, history.text
    items = history.json()["items"]
    assert [item["act"] for item in items][-2:] == ["licence-granted", "licence-used"]
    assert all(item["chainCheck"]["passed"] for item in items), items


def test_an_edited_licence_act_is_named_by_the_audit(api: LifecycleDriver, services: Services) -> None:
    _, licensee, _, asset, licence = licensed(api)
    assert api.use(licensee, licence["licenceId"]).status_code == 201
    with services.store.engine.begin() as connection:
        row_id = connection.execute(
            text("SELECT id FROM asset_history WHERE asset_id = :a AND act = 'licence-used'"),
            {"a": asset["assetId"]},
        ).scalar_one()
        connection.execute(
            text("UPDATE asset_history SET act = 'licence-revoked' WHERE id = :i"), {"i": row_id}
        )

    report = audit(services.store, services.registry, services.indexer)

    (finding,) = report.findings
    assert (finding.kind, finding.record_type, finding.record_id, finding.field) == (
        FindingKind.FIELD_MISMATCH,
        "asset-history",
        str(row_id),
        "act",
    )
    assert (finding.database_value, finding.chain_value) == ("LicenceRevoked", "LicenceUsed")
