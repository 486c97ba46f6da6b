"""Composition root: the one place that wires settings, chain, store and domain services together."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property

from eth_account import Account
from web3 import Web3

from ledger.chain import connect
from ledger.indexer import EventIndexer
from ledger.registry_client import REGISTRY_CONTRACT, DataRightsRegistryClient, decoder_for_all_contracts
from ledger.store import SqlStore
from ledger.transactions import TransactionSender
from registry.certificate_verifier import CertificateVerifier
from registry.errors import LedgerInconsistent
from registry.registrar_keys import RegistrarKey
from registry.registration_service import RegistrationService
from scripts.settings import Settings


@dataclass
class Services:
    settings: Settings
    store: SqlStore
    w3: Web3
    registry: DataRightsRegistryClient
    registrar_key: RegistrarKey
    registration: RegistrationService
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _threads: list[threading.Thread] = field(default_factory=list, repr=False)

    @cached_property
    def verifier(self) -> CertificateVerifier:
        """Online verifier: trusts this registry's registrar key and checks against this chain."""
        return CertificateVerifier([self.registrar_key.public_key], chain=self.registry)

    @cached_property
    def offline_verifier(self) -> CertificateVerifier:
        return CertificateVerifier([self.registrar_key.public_key])

    @cached_property
    def indexer(self) -> EventIndexer:
        """Follows the registry's events into SQL, from the block the registry was deployed in."""
        deployment = self.store.deployment(self.registry.chain_id, REGISTRY_CONTRACT)
        return EventIndexer(
            self.w3,
            self.store,
            [(self.registry.registry_address, self.registry.abi)],
            confirmations=self.settings.confirmations,
            start_block=deployment.block_number if deployment else 0,
        )

    def start_background_indexer(self) -> None:
        """Keep the event index current in a daemon thread until ``close``."""
        thread = threading.Thread(
            target=self.indexer.run_forever,
            args=(self._stop, self.settings.indexer_poll_s),
            name="event-indexer",
            daemon=True,
        )
        thread.start()
        self._threads.append(thread)

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self.store.engine.dispose()
        provider = self.w3.provider
        if hasattr(provider, "close"):
            provider.close()


def load_or_create_registrar_key(settings: Settings) -> RegistrarKey:
    path = settings.effective_registrar_key_file
    if path.exists():
        return RegistrarKey.from_pem(path.read_bytes())
    key = RegistrarKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key.to_pem())
    path.chmod(0o600)
    return key


def attach_or_deploy_registry(
    w3: Web3, sender: TransactionSender, store: SqlStore
) -> DataRightsRegistryClient:
    """Attach to the registry this database knows for this chain, or deploy it once and remember it."""
    chain_id = sender.chain_id
    known = store.deployment(chain_id, REGISTRY_CONTRACT)
    if known is not None:
        return DataRightsRegistryClient.attach(w3, sender, known.address)
    other = store.any_deployment()
    if other is not None:
        raise LedgerInconsistent(
            "this database belongs to another chain; refusing to mix records of two chains",
            database_chain_id=other.chain_id,
            node_chain_id=chain_id,
        )
    client, sent = DataRightsRegistryClient.deploy(w3, sender, admin=sender.address, registrar=sender.address)
    store.save_deployment(
        chain_id, REGISTRY_CONTRACT, client.registry_address, sent.tx_hash, sent.block_number
    )
    return client


def build_services(settings: Settings) -> Services:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = SqlStore.open(settings.effective_database_url)
    w3 = connect(settings.rpc_url, settings.chain_dir)
    operator = Account.from_key(settings.operator_private_key.get_secret_value())
    sender = TransactionSender(
        w3, operator, decoder_for_all_contracts(), receipt_timeout_s=settings.receipt_timeout_s
    )
    registry = attach_or_deploy_registry(w3, sender, store)
    registrar_key = load_or_create_registrar_key(settings)
    registration = RegistrationService(registry, store, registrar_key, settings.registrar_name)
    registration.recover_pending()
    return Services(settings, store, w3, registry, registrar_key, registration)
