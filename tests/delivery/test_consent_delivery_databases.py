"""A consent delivery and its replay on SQLite and on PostgreSQL (the store's uniqueness of a consent is
the database's); and a database made before consent deliveries gains their columns at start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from dataledger.ledger.sql.delivery_store import DeliveryStore
from tests.conftest import make_settings
from tests.delivery.driver import DeliveryDriver
from tests.delivery.test_consent_delivery import (
    test_a_consumed_consent_delivers_the_subjects_record_once as consent_delivered_once,
)
from tests.lifecycle.driver import ChainClock


@pytest.fixture
def services(clock: ChainClock, tmp_path: Path, database_url: str | None) -> Iterator[Services]:
    overrides = {"rpc_url": clock.url, "delivery_cache_s": 0, "delivery_private_upstreams": True}
    built = build_services(
        make_settings(tmp_path, **overrides, **({"database_url": database_url} if database_url else {}))
    )
    yield built
    built.close()


@pytest.fixture
def api(services: Services, clock: ChainClock) -> DeliveryDriver:
    return DeliveryDriver(
        TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value(), clock
    )


def test_a_consent_is_delivered_once_on_either_database(
    api: DeliveryDriver, records_api: str, services: Services
) -> None:
    consent_delivered_once(api, records_api, services)


def test_a_database_from_before_consent_deliveries_gains_their_columns(services: Services) -> None:
    engine = create_engine(str(services.store.engine.url))
    with engine.begin() as conn:  # as the tables were before: no personal data, no consents
        conn.exec_driver_sql("DROP INDEX uq_delivery_uses_consent")
        conn.exec_driver_sql("ALTER TABLE delivery_uses DROP COLUMN consent_id")
        conn.exec_driver_sql("ALTER TABLE delivery_uses DROP COLUMN subject")
        conn.exec_driver_sql("ALTER TABLE delivery_deposits DROP COLUMN personal_data")
    assert services.anchoring is not None
    DeliveryStore(services.anchoring.outbox).close()

    columns = inspect(engine)
    assert {"consent_id", "subject"} <= {c["name"] for c in columns.get_columns("delivery_uses")}
    assert "personal_data" in {c["name"] for c in columns.get_columns("delivery_deposits")}
    assert "uq_delivery_uses_consent" in {i["name"] for i in columns.get_indexes("delivery_uses")}
    engine.dispose()
