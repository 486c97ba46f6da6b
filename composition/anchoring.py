"""Composition of the batch-anchoring side: anchor contract, outbox, batcher, bulk registration service,
materialisation of batched registrations.

Called by ``composition.build_services``; kept apart so the anchoring pieces are wired in one
place. The registry is pointed at the anchor registry (once, by the operator as its admin), so
anchored batched registrations can be materialised. ``build_services`` builds the batcher stopped:
it runs in the process holding the lease (``composition.leadership``), which also recovers the
materialisations a crash interrupted; the first round of a batcher that starts anchors whatever a
previous process acknowledged and did not anchor, without waiting for a new request.
"""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3

from dataledger.composition.settings import Settings
from dataledger.ledger.chain.anchor_registry import ANCHOR_CONTRACT, AnchorRegistryClient
from dataledger.ledger.chain.data_rights_registry import DataRightsRegistryClient
from dataledger.ledger.chain.transactions import TransactionSender
from dataledger.ledger.sql.batched_registration_store import SqlBatchedRegistrationStore
from dataledger.ledger.sql.outbox import AnchorOutbox
from dataledger.ledger.sql.store import SqlStore
from dataledger.ledger.workers.batcher import AnchorBatcher, BatcherConfig
from dataledger.registry.batched_registrations import BulkRegistrationService
from dataledger.registry.materialisation import MaterialisationService
from dataledger.registry.numbering import DEFAULT_INSTITUTION_CODE

# Entries sealed into one batch at most, whatever batch_max_leaves (a batch closes at that count,
# but a backlog after downtime is sealed in batches of up to this many).
MAX_BATCH_LEAVES = 50_000


@dataclass
class Anchoring:
    """The anchoring services of one process."""

    client: AnchorRegistryClient
    outbox: AnchorOutbox
    batcher: AnchorBatcher
    registrations: SqlBatchedRegistrationStore
    bulk: BulkRegistrationService
    materialisation: MaterialisationService

    def close(self) -> None:
        self.batcher.stop()
        self.outbox.close()


def batcher_config(settings: Settings) -> BatcherConfig:
    """The batcher's configuration from the one settings object."""
    return BatcherConfig(
        max_leaves=settings.batch_max_leaves,
        max_delay_s=settings.batch_max_delay_s,
        max_batch_leaves=max(settings.batch_max_leaves, MAX_BATCH_LEAVES),
    )


def attach_or_deploy_anchor_registry(
    w3: Web3, sender: TransactionSender, store: SqlStore
) -> AnchorRegistryClient:
    """Attach to the anchor registry this database knows for this chain, or deploy it once and remember it."""
    known = store.deployment(sender.chain_id, ANCHOR_CONTRACT)
    if known is not None:
        return AnchorRegistryClient.attach(w3, sender, known.address, deployed_block=known.block_number)
    client, sent = AnchorRegistryClient.deploy(w3, sender, admin=sender.address, anchorer=sender.address)
    store.save_deployment(sender.chain_id, ANCHOR_CONTRACT, client.address, sent.tx_hash, sent.block_number)
    return client


def build_anchoring(
    w3: Web3,
    sender: TransactionSender,
    store: SqlStore,
    registry: DataRightsRegistryClient,
    config: BatcherConfig | None = None,
    *,
    start: bool = True,
    institution_code: str = DEFAULT_INSTITUTION_CODE,
) -> Anchoring:
    """Wire the anchoring services; start the batcher unless ``start`` is false."""
    client = attach_or_deploy_anchor_registry(w3, sender, store)
    if registry.anchor_registry() != client.address:
        registry.set_anchor_registry(client.address)
    outbox = AnchorOutbox(store.engine)
    batcher = AnchorBatcher(outbox, client, config)
    registrations = SqlBatchedRegistrationStore(outbox, on_stored=batcher.notify)
    bulk = BulkRegistrationService(registry.domain, registrations, registry.next_block_timestamp)
    materialisation = MaterialisationService(registry, store, registrations, institution_code)
    if start:
        batcher.start()
    return Anchoring(client, outbox, batcher, registrations, bulk, materialisation)
