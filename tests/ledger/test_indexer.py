"""The event indexer on anvil, with SQLite and PostgreSQL: it follows the chain, survives restarts and
undoes reorganisations. Records are made through the HTTP API, as users make them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from fastapi.testclient import TestClient

from dataledger.api.app import create_app
from dataledger.composition import Services, build_services
from dataledger.composition.settings import DEV_OPERATOR_KEY
from dataledger.ledger.chain.data_rights_registry import (
    REGISTRY_CONTRACT,
    DataRightsRegistryClient,
    decoder_for_all_contracts,
)
from dataledger.ledger.chain.transactions import TransactionSender, wait_until
from dataledger.ledger.sql.store import SqlStore
from dataledger.ledger.workers.indexer import EventIndex, EventIndexer
from dataledger.registry.assets import AssetFacts, metadata_commitment, new_salt
from dataledger.registry.holder_signatures import RegistrationAuthorisation, sign_registration
from tests.conftest import make_settings
from tests.factories import ApiDriver, content_hash
from tests.nodes import rpc

FAR_FUTURE = 2**40


def database_url_for(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'dataledger.db'}"
    url = request.getfixturevalue("postgres_url")
    SqlStore.open(url).drop_schema()  # a database of its own registry: start empty
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def services(request: pytest.FixtureRequest, anvil_url: str, tmp_path: Path) -> Iterator[Services]:
    """Services on the shared anvil, with a registry of their own, on SQLite or PostgreSQL."""
    built = build_services(
        make_settings(tmp_path, rpc_url=anvil_url, database_url=database_url_for(request, tmp_path))
    )
    yield built
    built.close()


@pytest.fixture
def api(services: Services) -> ApiDriver:
    return ApiDriver(TestClient(create_app(services)), services.settings.admin_api_key.get_secret_value())


def indexer_for(services: Services, **options: object) -> EventIndexer:
    """An indexer of this test's registry and licence registry, from the registry's deployment block
    (anvil is shared by the session)."""
    deployment = services.store.deployment(services.registry.chain_id, REGISTRY_CONTRACT)
    assert deployment is not None
    return EventIndexer(
        services.w3,
        services.store,
        [
            (services.registry.registry_address, services.registry.abi),
            (services.licences.address, services.licences.abi),
        ],
        start_block=deployment.block_number,
        **options,  # type: ignore[arg-type]
    )


def fresh_registry_client(services: Services) -> DataRightsRegistryClient:
    """A client with its own sender: its nonce comes from the chain (needed after ``evm_revert``)."""
    sender = TransactionSender(services.w3, Account.from_key(DEV_OPERATOR_KEY), decoder_for_all_contracts())
    return DataRightsRegistryClient.attach(services.w3, sender, services.registry.registry_address)


def register_directly(registry: DataRightsRegistryClient) -> str:
    """Register an asset on chain without the API (so the database knows nothing of it)."""
    holder = Account.create()
    facts = AssetFacts(name="sales records", content_hash=content_hash())
    auth = RegistrationAuthorisation(
        holder=holder.address,
        content_hash=facts.content_hash,
        metadata_hash=metadata_commitment(facts, holder.address, new_salt()),
        nonce=registry.nonce_of(holder.address),
        deadline=FAR_FUTURE,
    )
    return registry.register(auth, sign_registration(holder.key, auth, registry.domain)).asset_id


def positions(indexer: EventIndexer, **filters: object) -> list[tuple[str, int]]:
    return [(e.tx_hash, e.log_index) for e in indexer.events(limit=None, **filters)]  # type: ignore[arg-type]


def test_registrations_certificates_and_revocations_are_indexed(api: ApiDriver, services: Services) -> None:
    holder, registrar = api.participant("enterprise"), api.participant("registrar")
    first, second = api.register(holder), api.register(holder)
    certificate = api.certify(registrar, first["assetId"])
    revoked = api.revoke(registrar, second["assetId"], "unlawful")
    assert revoked.status_code == 200, revoked.text
    indexer = indexer_for(services)

    result = indexer.sync()

    assert result.complete and result.reorg_depth == 0 and result.events_rolled_back == 0
    assert result.to_block == services.w3.eth.block_number
    contract = services.registry.registry_address
    acts = [e.event for e in indexer.events(contract=contract, limit=None) if e.asset_id is not None]
    assert acts == [
        "AssetRegistered",
        "AssetRegistered",
        "ApplicationReviewed",  # formal review
        "ApplicationReviewed",  # substantive review
        "PublicNoticeStarted",
        "CertificateRecorded",
        "AssetRevoked",
    ]
    (registered,) = indexer.events(asset_id=first["assetId"], event="AssetRegistered")
    evidence = first["chainEvidence"]
    assert (registered.tx_hash, registered.block_number, registered.log_index) == (
        evidence["txHash"],
        evidence["blockNumber"],
        evidence["logIndex"],
    )
    assert registered.args["holder"] == holder.account.address  # type: ignore[union-attr]
    assert registered.args["contentHash"] == first["contentHash"]
    (recorded,) = indexer.events(event="CertificateRecorded")
    assert recorded.asset_id == first["assetId"]
    assert recorded.args["certificateHash"].startswith("0x") and certificate["proof"]
    assert [e.event for e in indexer.events(asset_id=second["assetId"])] == [
        "AssetRegistered",
        "AssetRevoked",
    ]


def test_sync_twice_adds_nothing(api: ApiDriver, services: Services) -> None:
    api.register(api.participant("enterprise"))
    indexer = indexer_for(services)
    assert indexer.sync().events_added > 0
    stored = positions(indexer)

    again = indexer.sync()

    assert again.events_added == 0 and again.from_block is None
    assert positions(indexer) == stored


def test_restart_continues_without_missing_or_doubling(api: ApiDriver, services: Services) -> None:
    holder = api.participant("enterprise")
    before = api.register(holder)
    indexer_for(services).sync()
    after = api.register(holder)

    reopened = SqlStore.open(services.settings.effective_database_url)  # a new process: new engine
    try:
        deployment = services.store.deployment(services.registry.chain_id, REGISTRY_CONTRACT)
        restarted = EventIndexer(
            services.w3,
            reopened.engine,
            [(services.registry.registry_address, services.registry.abi)],
            start_block=deployment.block_number,  # type: ignore[union-attr]
        )
        result = restarted.sync()
        assert result.events_added == 1
        assert result.from_block == after["chainEvidence"]["blockNumber"]
        registered = restarted.events(event="AssetRegistered", limit=None)
        assert [e.asset_id for e in registered] == [before["assetId"], after["assetId"]]
        all_positions = positions(restarted)
        assert len(all_positions) == len(set(all_positions))
    finally:
        reopened.engine.dispose()


def test_small_batches_index_the_same_events_as_one_large_range(api: ApiDriver, services: Services) -> None:
    holder = api.participant("enterprise")
    for _ in range(3):
        api.register(holder)
    indexer = indexer_for(services, batch_blocks=1)
    result = indexer.sync()
    in_small_batches = positions(indexer)
    assert result.events_added == len(in_small_batches)

    other = SqlStore.open(f"sqlite:///{services.settings.data_dir / 'other.db'}")
    try:
        deployment = services.store.deployment(services.registry.chain_id, REGISTRY_CONTRACT)
        one_range = EventIndexer(
            services.w3,
            other,
            [  # the same contracts as indexer_for (the licence registry grants its roles at deployment)
                (services.registry.registry_address, services.registry.abi),
                (services.licences.address, services.licences.abi),
            ],
            start_block=deployment.block_number,  # type: ignore[union-attr]
        )
        one_range.sync()
        assert positions(one_range) == in_small_batches
    finally:
        other.engine.dispose()


def test_confirmations_hold_back_the_newest_blocks(
    api: ApiDriver, services: Services, anvil_url: str
) -> None:
    holder = api.participant("enterprise")
    indexer = indexer_for(services, confirmations=2)
    asset = api.register(holder)
    head = services.w3.eth.block_number

    held_back = indexer.sync()

    assert held_back.target == head - 2
    assert indexer.events(asset_id=asset["assetId"]) == []
    rpc(anvil_url, "evm_mine")
    assert indexer.sync().to_block == head - 1  # one block on top is not enough
    assert indexer.events(asset_id=asset["assetId"]) == []
    rpc(anvil_url, "evm_mine")
    assert indexer.sync().to_block == head
    assert [e.event for e in indexer.events(asset_id=asset["assetId"])] == ["AssetRegistered"]


def test_reorg_rolls_back_dropped_blocks_and_applies_the_new_chain(
    api: ApiDriver, services: Services, anvil_url: str
) -> None:
    kept = api.register(api.participant("enterprise"))
    snapshot = rpc(anvil_url, "evm_snapshot")
    registry = fresh_registry_client(services)
    dropped = [register_directly(registry), register_directly(registry)]
    indexer = indexer_for(services)
    indexer.sync()
    assert {e.asset_id for e in indexer.events(event="AssetRegistered")} == {kept["assetId"], *dropped}

    assert rpc(anvil_url, "evm_revert", [snapshot]) is True
    registry = fresh_registry_client(services)  # the operator's nonce went back with the chain
    replacement = register_directly(registry)
    result = indexer.sync()

    assert result.reorg_depth == 2
    assert result.events_rolled_back == 2
    assert result.common_ancestor == kept["chainEvidence"]["blockNumber"]
    registered = indexer.events(event="AssetRegistered", limit=None)
    assert [e.asset_id for e in registered] == [kept["assetId"], replacement]
    on_chain = services.w3.eth.get_block(registered[-1].block_number)["hash"]
    assert registered[-1].block_hash == "0x" + bytes(on_chain).hex()
    assert indexer.sync().events_added == 0


def test_reorg_at_the_same_height_is_detected(api: ApiDriver, services: Services, anvil_url: str) -> None:
    kept = api.register(api.participant("enterprise"))
    replaced = api.register(api.participant("enterprise"))
    indexer = indexer_for(services)
    indexer.sync()
    head = services.w3.eth.block_number

    rpc(anvil_url, "anvil_reorg", [1, []])  # the last block is replaced by an empty one
    result = indexer.sync()

    assert services.w3.eth.block_number == head
    assert (result.reorg_depth, result.events_rolled_back) == (1, 1)
    assert [e.asset_id for e in indexer.events(event="AssetRegistered")] == [kept["assetId"]]
    assert replaced["chainEvidence"]["blockNumber"] == head


def test_logs_outside_the_abi_are_kept_raw(api: ApiDriver, services: Services) -> None:
    asset = api.register(api.participant("enterprise"))
    abi_without_registrations = [e for e in services.registry.abi if e.get("name") != "AssetRegistered"]
    deployment = services.store.deployment(services.registry.chain_id, REGISTRY_CONTRACT)
    indexer = EventIndexer(
        services.w3,
        services.store,
        [(services.registry.registry_address, abi_without_registrations)],
        start_block=deployment.block_number,  # type: ignore[union-attr]
    )

    indexer.sync()

    (unknown,) = indexer.events(tx_hash=asset["chainEvidence"]["txHash"])
    assert unknown.event is None and unknown.asset_id is None
    assert unknown.args["topics"][1] == asset["assetId"]
    assert unknown.args["data"].startswith("0x")


def test_queries_need_only_the_database(api: ApiDriver, services: Services) -> None:
    asset = api.register(api.participant("enterprise"))
    indexer_for(services).sync()

    index = EventIndex(services.store.engine)  # no chain connection at all

    (event,) = index.events(services.registry.chain_id, asset_id=asset["assetId"].upper().replace("0X", "0x"))
    assert event.event == "AssetRegistered"
    assert index.event_at(event.tx_hash, event.log_index, chain_id=event.chain_id) == event
    assert index.cursor(services.registry.registry_address, chain_id=event.chain_id) == (
        services.w3.eth.block_number
    )
    assert index.events(services.registry.chain_id, contract=Account.create().address) == []


def test_run_forever_follows_the_chain_until_stopped(api: ApiDriver, services: Services) -> None:
    indexer = indexer_for(services)
    stop = threading.Event()
    thread = threading.Thread(target=indexer.run_forever, args=(stop, 0.02), daemon=True)
    thread.start()
    try:
        asset = api.register(api.participant("enterprise"))
        assert wait_until(lambda: indexer.events(asset_id=asset["assetId"]) != [], timeout_s=10)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_reorg_deeper_than_the_header_window_is_found_through_event_blocks(
    api: ApiDriver, services: Services, anvil_url: str
) -> None:
    kept = api.register(api.participant("enterprise"))
    snapshot = rpc(anvil_url, "evm_snapshot")
    registry = fresh_registry_client(services)
    dropped = [register_directly(registry), register_directly(registry)]
    indexer = indexer_for(services, reorg_window=1)  # only the newest header is kept
    indexer.sync()

    rpc(anvil_url, "evm_revert", [snapshot])
    replacement = register_directly(fresh_registry_client(services))
    result = indexer.sync()

    assert result.common_ancestor == kept["chainEvidence"]["blockNumber"]
    assert (result.reorg_depth, result.events_rolled_back) == (2, 2)
    registered = [e.asset_id for e in indexer.events(event="AssetRegistered", limit=None)]
    assert registered == [kept["assetId"], replacement]
    assert not set(dropped) & set(registered)


def test_indexer_follows_the_embedded_chain(tmp_path: Path) -> None:
    pytest.importorskip("dataledger_devnet.provider")
    embedded = build_services(make_settings(tmp_path))  # no RPC URL: the in-process chain
    try:
        api = ApiDriver(TestClient(create_app(embedded)), embedded.settings.admin_api_key.get_secret_value())
        asset = api.register(api.participant("enterprise"))
        api.certify(api.participant("registrar"), asset["assetId"])
        indexer = indexer_for(embedded)

        assert indexer.sync().to_block == embedded.w3.eth.block_number
        assert [e.event for e in indexer.events(asset_id=asset["assetId"])] == [
            "AssetRegistered",
            "ApplicationReviewed",
            "ApplicationReviewed",
            "PublicNoticeStarted",
            "CertificateRecorded",
        ]
        assert indexer.sync().events_added == 0
    finally:
        embedded.close()
