"""Application service for the registration path: register an asset, certify it, revoke it.

It holds the rules and the order of effects; the chain and the database are reached only through
the ports (``RegistryLedger``, ``RegistryStore``), so this module does no I/O of its own.
Effects are ordered so that a crash never loses an acknowledged act: the request is stored as
*pending* before the chain sees it, and marked registered from the chain's own event afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from registry.assets import (
    AssetFacts,
    AssetRecord,
    AssetState,
    asset_id_for,
    metadata_commitment,
)
from registry.canonical import json_hash
from registry.certificate import CertificateFacts, certificate_hash, issue_certificate
from registry.errors import (
    AssetAlreadyRegistered,
    AssetNotFound,
    AssetRevoked,
    ContentAlreadyRegistered,
    DataLedgerError,
    NonceReplayed,
    ValidationFailed,
)
from registry.holder_signatures import RegistrationAuthorisation, require_holder_signature
from registry.participants import Participant, Role
from registry.ports import RegistryLedger, RegistryStore
from registry.registrar_keys import RegistrarKey

CERTIFICATE_TERM = timedelta(days=3 * 365)  # Beijing and Shanghai issue for three years


@dataclass
class RecoveryReport:
    """What ``recover_pending`` did: completed from the chain (incl. relayed again), or discarded."""

    completed: list[str] = field(default_factory=list)
    relayed: list[str] = field(default_factory=list)
    discarded: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RegistrationRequest:
    """A holder's signed request to register ``facts``."""

    facts: AssetFacts
    salt: str
    nonce: int
    deadline: int
    signature: str


class RegistrationService:
    def __init__(
        self,
        ledger: RegistryLedger,
        store: RegistryStore,
        registrar_key: RegistrarKey,
        registrar_name: str,
        certificate_term: timedelta = CERTIFICATE_TERM,
    ) -> None:
        self._ledger = ledger
        self._store = store
        self._registrar_key = registrar_key
        self._registrar_name = registrar_name
        self._term = certificate_term

    # -- registration -----------------------------------------------------------------------------

    def authorisation_for(
        self, holder: Participant, request: RegistrationRequest
    ) -> RegistrationAuthorisation:
        if holder.address is None:
            raise ValidationFailed("the holder has no chain address registered", field="address")
        metadata_hash = metadata_commitment(request.facts, holder.address, request.salt)
        return RegistrationAuthorisation(
            holder=holder.address,
            content_hash=request.facts.content_hash,
            metadata_hash=metadata_hash,
            nonce=request.nonce,
            deadline=request.deadline,
        )

    def register(self, holder: Participant, request: RegistrationRequest) -> AssetRecord:
        """Check, store as pending, relay to the chain, then record the chain's evidence."""
        holder.require_role(Role.ENTERPRISE)
        auth = self.authorisation_for(holder, request)
        require_holder_signature(
            auth, self._ledger.domain, request.signature, now=self._ledger.latest_timestamp()
        )
        asset_id = asset_id_for(auth.holder, auth.content_hash, auth.metadata_hash)
        if self._store.get_asset(asset_id) is not None:
            raise AssetAlreadyRegistered("the asset is already registered", asset_id=asset_id)
        existing = self._store.asset_by_content(auth.content_hash)
        if existing is not None:
            raise ContentAlreadyRegistered(
                "this content hash is already registered under another asset",
                existing_asset_id=existing.asset_id,
            )
        expected_nonce = self._ledger.nonce_of(auth.holder)
        if auth.nonce < expected_nonce:
            raise NonceReplayed(
                "the holder's nonce was already used", nonce=auth.nonce, expected=expected_nonce
            )
        if auth.nonce > expected_nonce:
            raise ValidationFailed(
                "the nonce is ahead of the holder's next nonce", field="nonce", expected=expected_nonce
            )
        record = AssetRecord(
            asset_id=asset_id,
            holder_id=holder.id,
            holder_address=auth.holder,
            facts=request.facts,
            salt=request.salt,
            metadata_hash=auth.metadata_hash,
            nonce=auth.nonce,
            deadline=auth.deadline,
            signature=request.signature,
            state=AssetState.PENDING,
        )
        self._store.add_pending_asset(record)
        try:
            event = self._ledger.register(auth, request.signature)
        except DataLedgerError:
            self._store.discard_pending_asset(asset_id)
            raise
        return self._store.mark_registered(asset_id, event)

    def recover_pending(self) -> RecoveryReport:
        """Finish registrations a crash interrupted between storing them and recording the chain's answer.

        A pending registration already on chain is marked registered from the chain's event; one that
        never reached the chain is relayed again while its signature is still valid (the contract's
        unique asset id and nonce make this safe: nothing is registered twice), else discarded.
        """
        report = RecoveryReport()
        for record in self._store.pending_assets():
            event = self._ledger.find_registration_event(record.asset_id)
            if event is None and self._still_relayable(record):
                auth = RegistrationAuthorisation(
                    holder=record.holder_address,
                    content_hash=record.facts.content_hash,
                    metadata_hash=record.metadata_hash,
                    nonce=record.nonce,
                    deadline=record.deadline,
                )
                try:
                    event = self._ledger.register(auth, record.signature)
                except DataLedgerError:
                    event = None
                else:
                    report.relayed.append(record.asset_id)
            if event is None:
                self._store.discard_pending_asset(record.asset_id)
                report.discarded.append(record.asset_id)
                continue
            self._store.mark_registered(record.asset_id, event)
            report.completed.append(record.asset_id)
        return report

    def _still_relayable(self, record: AssetRecord) -> bool:
        return (
            self._ledger.latest_timestamp() <= record.deadline
            and self._ledger.nonce_of(record.holder_address) == record.nonce
        )

    def get_asset(self, asset_id: str) -> AssetRecord:
        record = self._store.get_asset(asset_id.lower())
        if record is None:
            raise AssetNotFound("no asset with this id", asset_id=asset_id)
        return record

    # -- certificates -----------------------------------------------------------------------------

    def issue_certificate(self, registrar: Participant, asset_id: str) -> dict:
        """Issue the registration certificate of a registered asset, and anchor its hash on chain."""
        registrar.require_role(Role.REGISTRAR)
        record = self.get_asset(asset_id)
        if record.state is AssetState.REVOKED:
            raise AssetRevoked("a revoked asset gets no certificate", asset_id=asset_id)
        if record.state is not AssetState.REGISTERED or record.evidence is None:
            raise AssetNotFound("the asset is not registered on chain yet", asset_id=asset_id)
        holder = self._store.get_participant(record.holder_id)
        issued_at = datetime.now(UTC).replace(microsecond=0)
        number = self._store.reserve_certificate_number(record.asset_id, issued_at.year)
        facts = CertificateFacts(
            certificate_number=number,
            asset={
                "asset_id": record.asset_id,
                "name": record.facts.name,
                "description": record.facts.description,
                "source": record.facts.source,
                "collection_method": record.facts.collection_method,
                "scale": record.facts.scale,
                "update_frequency": record.facts.update_frequency,
                "industry": record.facts.industry,
                "right_claimed": record.facts.right_claimed.value,
                "content_hash": record.facts.content_hash,
                "metadata_hash": record.metadata_hash,
            },
            holder_address=record.holder_address,
            holder_name=holder.name,
            evidence=record.evidence,
            issued_at=issued_at,
            valid_until=issued_at + self._term,
            registrar_name=self._registrar_name,
        )
        vc = issue_certificate(facts, self._registrar_key)
        cert_hash = certificate_hash(vc)
        try:
            anchor = self._ledger.record_certificate(record.asset_id, cert_hash)
        except DataLedgerError:
            self._store.release_certificate_number(number)
            raise
        self._store.store_certificate(
            number, record.asset_id, vc, cert_hash, anchor, actor=self._ledger.operator
        )
        return vc

    def get_certificate(self, number: str) -> dict:
        return self._store.get_certificate(number)

    # -- revocation -------------------------------------------------------------------------------

    def revoke(self, registrar: Participant, asset_id: str, reason: str) -> AssetRecord:
        registrar.require_role(Role.REGISTRAR)
        if not reason.strip():
            raise ValidationFailed("a revocation needs a reason", field="reason")
        record = self.get_asset(asset_id)
        if record.state is AssetState.REVOKED:
            raise AssetRevoked("the asset is already revoked", asset_id=asset_id)
        evidence = self._ledger.revoke(record.asset_id, json_hash({"reason": reason}))
        return self._store.mark_revoked(record.asset_id, reason, evidence, actor=self._ledger.operator)
