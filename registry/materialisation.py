"""Materialisation: a batched registration becomes an asset in ``DataRightsRegistry`` storage.

A batched registration is accepted off chain and anchored as one leaf of a Merkle root; until its
first act on chain it exists only there. Materialising it relays the signed ``Registration``, the
anchored root and the inclusion proof to the contract, which checks all three and stores the asset
exactly as a direct registration (status ``Registered``, awaiting the formal review: the batch
proves the application, not its review). The database then records it as a registered asset, so
the procedure, the holder's acts and certificates treat it like any other.

It happens on request (``POST /v1/bulk/assets/{id}/materialise``) or by itself on the first act
asked on the asset (``RegistrationService.asset_for_act``). Effects are ordered as for a direct
registration: the asset is stored as *pending* before the chain sees it and marked registered from
the chain's own event, and :meth:`MaterialisationService.recover_pending` finishes what a crash
interrupted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from dataledger.registry.assets import AssetRecord, AssetState
from dataledger.registry.batched_registrations import BATCH_NONCE_FLAG, BatchedRegistration
from dataledger.registry.chain_types import RegistrationEvent
from dataledger.registry.errors import (
    AlreadyMaterialised,
    BatchNotAnchored,
    DataLedgerError,
    MaterialisationInProgress,
    NotAuthorised,
)
from dataledger.registry.numbering import DEFAULT_INSTITUTION_CODE, require_institution_code
from dataledger.registry.participants import Participant, Role
from dataledger.registry.ports import Acts, BatchLedger, RegistryStore

ZERO_HASH = "0x" + "00" * 32


class AnchoredInclusion(Protocol):
    """Where a batched entry stands (``ledger.sql.outbox.Inclusion``)."""

    @property
    def status(self) -> str: ...  # pending | sealed | anchored

    @property
    def root(self) -> bytes | None: ...

    @property
    def proof(self) -> Sequence[bytes]: ...

    @property
    def batch_id(self) -> int | None: ...


class BatchedRegistrationReader(Protocol):
    """The stored batched registrations (``ledger.sql.batched_registration_store``)."""

    def get(self, asset_id: str) -> BatchedRegistration:
        """The batched registration ``asset_id``; raises ``AssetNotFound``."""
        ...

    def inclusion(self, asset_id: str) -> AnchoredInclusion: ...

    def asset_id_by_content(self, content_hash: str) -> str | None: ...

    def contains(self, asset_id: str) -> bool: ...


def is_batched_nonce(nonce: int) -> bool:
    """Whether ``nonce`` is of the batched space (a materialised asset) rather than a sequential one."""
    return nonce >= BATCH_NONCE_FLAG


class MaterialisationService:
    """Materialises anchored batched registrations; implements ``registry.ports.BatchedAssets``."""

    def __init__(
        self,
        ledger: BatchLedger,
        store: RegistryStore,
        batched: BatchedRegistrationReader,
        institution_code: str = DEFAULT_INSTITUTION_CODE,
    ) -> None:
        """``institution_code`` numbers the registrations it materialises, as the direct path does."""
        self._institution = require_institution_code(institution_code)
        self._ledger = ledger
        self._store = store
        self._batched = batched

    def batched_asset_by_content(self, content_hash: str) -> str | None:
        return self._batched.asset_id_by_content(content_hash.lower())

    def is_batched(self, asset_id: str) -> bool:
        return self._batched.contains(asset_id.lower())

    def holder_of(self, asset_id: str) -> str:
        return self._batched.get(asset_id.lower()).holder_address

    def materialise_for(self, participant: Participant, asset_id: str) -> AssetRecord:
        """:meth:`materialise` asked by ``participant``: the holder, a registrar or an administrator."""
        record = self._batched.get(asset_id.lower())
        if participant.id != record.holder_id and participant.role not in (Role.REGISTRAR, Role.ADMIN):
            raise NotAuthorised(
                "only the holder or a registrar may materialise a batched registration",
                asset_id=record.asset_id,
            )
        return self.materialise(record.asset_id)

    def materialise(self, asset_id: str) -> AssetRecord:
        """Materialise ``asset_id`` on chain; the registered asset as the database now records it.

        Refuses an asset that is not a batched registration (``asset-not-found``), one whose batch is
        not anchored yet (``batch-not-anchored``) and one already materialised
        (``already-materialised``); the contract's own refusals come back as their domain errors.
        """
        record = self._batched.get(asset_id.lower())
        existing = self._store.get_asset(record.asset_id)
        if existing is not None:
            if existing.state is AssetState.PENDING:
                raise MaterialisationInProgress(
                    "the batched registration is being materialised", asset_id=record.asset_id
                )
            raise AlreadyMaterialised(
                "the batched registration is already materialised", asset_id=record.asset_id
            )
        inclusion = self._batched.inclusion(record.asset_id)
        if inclusion.status != "anchored" or inclusion.root is None:
            raise BatchNotAnchored(
                "the batch of this registration is not anchored yet: retry once it is",
                asset_id=record.asset_id,
                status=inclusion.status,
            )
        self._store.add_pending_asset(_pending_asset(record))
        try:
            event, acts = self._ledger.materialise(
                record.authorisation, record.signature, inclusion.root, tuple(inclusion.proof)
            )
        except DataLedgerError:
            self._store.discard_pending_asset(record.asset_id)
            raise
        return self._record(record, event, acts)

    def recover_pending(self) -> list[str]:
        """Finish the materialisations a crash interrupted: complete those the chain holds, discard
        the others (their batched registrations stay, to be materialised again). Returns the ids
        completed."""
        completed = []
        for pending in self._store.pending_assets():
            if not is_batched_nonce(pending.nonce):
                continue  # a direct registration: RegistrationService.recover_pending's
            event = self._ledger.find_registration_event(pending.asset_id)
            acts = self._ledger.acts_of_transaction(event.evidence.tx_hash) if event else None
            if event is None or acts is None:
                self._store.discard_pending_asset(pending.asset_id)
                continue
            self._record(self._batched.get(pending.asset_id), event, acts)
            completed.append(pending.asset_id)
        return completed

    def _record(self, record: BatchedRegistration, event: RegistrationEvent, acts: Acts) -> AssetRecord:
        materialised = tuple(act for act in acts if act.event == "AssetMaterialised")
        batch = dict(materialised[0].args) if materialised else {}
        self._store.mark_registered(
            record.asset_id,
            event,
            block_timestamp=self._ledger.block_timestamp(event.evidence.block_number),
            detail={
                "rightClaimed": record.facts.right_claimed.value,
                "lawfulSourceHash": ZERO_HASH,
                "batched": True,
                "root": batch.get("root"),
                "batchId": batch.get("batchId"),
            },
            institution=self._institution,
        )
        return self._store.record_acts(record.asset_id, materialised, actor=self._ledger.operator)


def _pending_asset(record: BatchedRegistration) -> AssetRecord:
    return AssetRecord(
        asset_id=record.asset_id,
        holder_id=record.holder_id,
        holder_address=record.holder_address,
        facts=record.facts,
        salt=record.salt,
        metadata_hash=record.metadata_hash,
        nonce=record.nonce,
        deadline=record.deadline,
        signature=record.signature,
        state=AssetState.PENDING,
    )
