"""The SQL store on SQLite and on PostgreSQL (real connections), and the API path on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from dataledger.api.app import create_app
from dataledger.composition import build_services
from dataledger.ledger.sql.store import SqlStore
from dataledger.registry import errors
from dataledger.registry.assets import AssetFacts, AssetRecord, AssetState
from dataledger.registry.chain_types import ChainEvidence, RegistrationEvent
from dataledger.registry.numbering import RegistrationNumber
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
    first = store.reserve_certificate_number(record.asset_id, 2026, 11, "460100")
    store.release_certificate_number(first)
    second = store.reserve_certificate_number(record.asset_id, 2026, 11, "460100")
    assert (first, second) == ("DIP-202611-460100-000001", "DIP-202611-460100-000002")
    with pytest.raises(errors.CertificateNotFound):
        store.get_certificate(first)


def test_certificate_serials_count_per_institution_and_month(store: SqlStore) -> None:
    holder = enterprise()
    store.add_participant(holder, new_api_key())
    record = pending(holder)
    store.add_pending_asset(record)
    reserve = store.reserve_certificate_number
    assert [
        reserve(record.asset_id, 2026, 11, "460100"),
        reserve(record.asset_id, 2026, 11, "460100"),
        reserve(record.asset_id, 2026, 12, "460100"),
        reserve(record.asset_id, 2026, 11, "310000"),
        reserve(record.asset_id, 2027, 1, "460100"),
    ] == [
        "DIP-202611-460100-000001",
        "DIP-202611-460100-000002",
        "DIP-202612-460100-000001",
        "DIP-202611-310000-000001",
        "DIP-202701-460100-000001",
    ]


def test_concurrent_reservations_never_share_a_certificate_number(store: SqlStore) -> None:
    holder = enterprise()
    store.add_participant(holder, new_api_key())
    record = pending(holder)
    store.add_pending_asset(record)
    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(
            pool.map(
                lambda _: store.reserve_certificate_number(record.asset_id, 2026, 11, "460100"), range(40)
            )
        )
    assert sorted(numbers) == [f"DIP-202611-460100-{serial:06d}" for serial in range(1, 41)]


def registered(store: SqlStore, holder: Participant, name: str, **kwargs: Any) -> AssetRecord:
    record = replace(
        pending(holder),
        asset_id=content_hash(f"asset {name}"),
        facts=AssetFacts(name=name, content_hash=content_hash(f"content {name}")),
        metadata_hash=content_hash(f"metadata {name}"),
    )
    store.add_pending_asset(record)
    evidence = ChainEvidence(31337, "0x" + "34" * 20, content_hash(f"tx {name}"), 7, 0)
    event = RegistrationEvent(
        record.asset_id, record.holder_address, record.facts.content_hash, record.metadata_hash, evidence
    )
    return store.mark_registered(record.asset_id, event, **kwargs)


def test_registration_numbers_are_given_in_sequence_with_their_check_character(store: SqlStore) -> None:
    holder = enterprise()
    store.add_participant(holder, new_api_key())
    year = datetime.now(UTC).year  # the year the application was filed: now, in this test
    first = registered(store, holder, "first", institution="460100")
    second = registered(store, holder, "second", institution="460100")
    other = registered(store, holder, "other", institution="310000")

    assert first.registration_number == str(RegistrationNumber("460100", year, 1))
    assert second.registration_number == str(RegistrationNumber("460100", year, 2))
    assert other.registration_number == str(RegistrationNumber("310000", year, 1))
    assert store.get_asset(first.asset_id).registration_number == first.registration_number  # type: ignore[union-attr]
    assert RegistrationNumber.parse(first.registration_number or "").serial == 1


def test_a_database_from_before_registration_numbers_gets_the_column(store: SqlStore) -> None:
    with store.engine.begin() as conn:  # the assets table as it was before registration numbers
        conn.exec_driver_sql("DROP INDEX ix_assets_registration_number")
        conn.exec_driver_sql("ALTER TABLE assets DROP COLUMN registration_number")
    holder = enterprise()
    store.add_participant(holder, new_api_key())

    store.create_schema()  # what opening the store does

    columns = {column["name"] for column in inspect(store.engine).get_columns("assets")}
    indexes = {index["name"] for index in inspect(store.engine).get_indexes("assets")}
    assert "registration_number" in columns and "ix_assets_registration_number" in indexes
    assert registered(store, holder, "after").registration_number is not None
    store.create_schema()  # and again: nothing left to add


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
        number = RegistrationNumber.parse(asset["registrationNumber"])  # given at registration
        assert certificate["credentialSubject"]["registrationNumber"] == str(number)
        assert certificate["credentialSubject"]["certificateNumber"].startswith("DIP-")
    finally:
        services.close()
