"""The SQL store on SQLite and on PostgreSQL (real connections), and the API path on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import build_services
from dataledger.ledger.sql.store import SqlStore
from dataledger.registry import errors
from dataledger.registry.assets import AssetFacts, AssetRecord, AssetState
from dataledger.registry.chain_types import ChainEvidence, RegistrationEvent
from dataledger.registry.participants import Participant, Role, new_api_key
from tests.conftest import make_settings
from tests.factories import ApiDriver, content_hash


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = SqlStore.open(url)
    opened.drop_schema()
    opened.create_schema()
    yield opened
    opened.engine.dispose()


def enterprise(address: str = "0x" + "12" * 20) -> Participant:
    return Participant(
        id=f"p-{address[-6:]}",
        name="Sanya Duty-Free",
        role=Role.ENTERPRISE,
        address=address,
        created_at=datetime.now(UTC),
    )


def pending(holder: Participant) -> AssetRecord:
    return AssetRecord(
        asset_id=content_hash("asset"),
        holder_id=holder.id,
        holder_address=holder.address or "",
        facts=AssetFacts(name="sales", content_hash=content_hash("content")),
        salt="0x" + "aa" * 16,
        metadata_hash=content_hash("metadata"),
        nonce=0,
        deadline=10**10,
        signature="0x" + "11" * 65,
        state=AssetState.PENDING,
    )


def test_participant_is_found_by_api_key_only(store: SqlStore) -> None:
    participant, key = enterprise(), new_api_key()
    store.add_participant(participant, key)
    assert store.participant_by_api_key(key) == participant
    assert store.participant_by_api_key(new_api_key()) is None
    with pytest.raises(errors.AlreadyExists):
        store.add_participant(enterprise(), new_api_key())


def test_pending_asset_becomes_registered_from_the_chain_event(store: SqlStore) -> None:
    holder = enterprise()
    store.add_participant(holder, new_api_key())
    record = pending(holder)
    store.add_pending_asset(record)
    assert [a.asset_id for a in store.pending_assets()] == [record.asset_id]
    evidence = ChainEvidence(31337, "0x" + "34" * 20, content_hash("tx"), 7, 0)
    event = RegistrationEvent(
        record.asset_id, record.holder_address, record.facts.content_hash, record.metadata_hash, evidence
    )
    registered = store.mark_registered(record.asset_id, event)
    assert registered.state is AssetState.REGISTERED and registered.evidence == evidence
    assert store.pending_assets() == []
    assert [h["act"] for h in store.history(record.asset_id)] == ["registered"]


def test_chain_event_disagreeing_with_the_database_is_not_accepted_silently(store: SqlStore) -> None:
    holder = enterprise()
    store.add_participant(holder, new_api_key())
    record = pending(holder)
    store.add_pending_asset(record)
    evidence = ChainEvidence(31337, "0x" + "34" * 20, content_hash("tx"), 7, 0)
    wrong = RegistrationEvent(
        record.asset_id, record.holder_address, content_hash("other"), record.metadata_hash, evidence
    )
    with pytest.raises(errors.LedgerInconsistent):
        store.mark_registered(record.asset_id, wrong)
    assert store.get_asset(record.asset_id).state is AssetState.PENDING  # type: ignore[union-attr]


def test_certificate_numbers_are_sequential_and_released_on_failure(store: SqlStore) -> None:
    holder = enterprise()
    store.add_participant(holder, new_api_key())
    record = pending(holder)
    store.add_pending_asset(record)
    first = store.reserve_certificate_number(record.asset_id, 2026)
    store.release_certificate_number(first)
    second = store.reserve_certificate_number(record.asset_id, 2026)
    assert first.startswith("DLC-2026-") and second > first
    with pytest.raises(errors.CertificateNotFound):
        store.get_certificate(first)


def test_registration_path_over_http_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    SqlStore.open(postgres_url).drop_schema()  # a database of its own chain: start empty
    services = build_services(make_settings(tmp_path, database_url=postgres_url))
    try:
        api = ApiDriver(TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value())
        holder, registrar = api.participant("enterprise"), api.participant("registrar")
        asset = api.register(holder)
        certificate = api.certify(registrar, asset["assetId"])
        report = api.client.post("/v1/certificates/verify", json=certificate).json()
        assert report["valid"] is True, report
        assert services.store.get_asset(asset["assetId"]).state is AssetState.CERTIFIED  # type: ignore[union-attr]
    finally:
        services.close()
