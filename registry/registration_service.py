"""Application service of registrations and certificates: register, certify, reissue, renew, revoke.

It holds the rules and the order of effects; the chain and the database are reached only through
the ports (``RegistryLedger``, ``RegistryStore``), so this module does no I/O of its own.
Effects are ordered so that a crash never loses an acknowledged act: the request is stored as
*pending* before the chain sees it, and marked registered from the chain's own event afterwards.

The contract enforces the procedure (a first certificate only after the public notice ended with no
objection open); this service checks the same rules first, so a refusal costs no gas and burns no
certificate number, and answers with the same error the contract would.

Certificates, renewals and revocations are a registrar's acts, signed by the institution's own key
(``RegistrarActRelay``); certificates and renewals are prepared and recorded by ``CertificateIssuance``
(``certificate_issuance``). A transfer, an enforcement or a change leaves the asset certified under
its former certificate until a registrar issues the one that supersedes it (the same route as a first
certificate).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from dataledger.registry.act_journal import ActJournal, Acts, JournalledActs, Recorder
from dataledger.registry.assets import (
    AssetFacts,
    AssetRecord,
    AssetState,
    asset_id_for,
    lawful_source_commitment,
    metadata_commitment,
    new_salt,
    reason_hash,
)
from dataledger.registry.batched_registrations import BATCH_NONCE_FLAG
from dataledger.registry.certificate_issuance import (
    CertificateIssuance,
    CertificateSubmission,
)
from dataledger.registry.chain_types import OnChainAssetStatus
from dataledger.registry.errors import (
    AssetAlreadyRegistered,
    AssetNotFound,
    AssetRevoked,
    ContentAlreadyBatched,
    ContentAlreadyRegistered,
    DataLedgerError,
    NonceReplayed,
    NotAuthorised,
    ValidationFailed,
)
from dataledger.registry.holder_signatures import (
    ActAuthorisation,
    RegistrationAuthorisation,
    prepared_act,
    require_holder_signature,
)
from dataledger.registry.numbering import DEFAULT_INSTITUTION_CODE, require_institution_code
from dataledger.registry.participants import Participant, Role
from dataledger.registry.ports import BatchedAssets, RegistryLedger, RegistryStore
from dataledger.registry.registrar_acts import RegistrarActRelay
from dataledger.registry.registrar_keys import RegistrarKey

SIGNATURE_LIFETIME_S = 3600  # a prepared act's default deadline, after the next block
CERTIFICATE_TERM = timedelta(days=3 * 365)  # Beijing and Shanghai issue for three years


@dataclass
class RecoveryReport:
    """What ``recover_pending`` did: completed from the chain (incl. relayed again), or discarded."""

    completed: list[str] = field(default_factory=list)
    relayed: list[str] = field(default_factory=list)
    discarded: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RegistrationRequest:
    """A holder's signed request to register ``facts`` (the evidence deposit and the application)."""

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
        clock: Callable[[], datetime] | None = None,
        batches: BatchedAssets | None = None,
        institution_code: str = DEFAULT_INSTITUTION_CODE,
        journal: ActJournal | None = None,
    ) -> None:
        """``institution_code``: the registry's institution in its certificate and registration numbers
        (one per registry, whichever registrar signs: ``DATALEDGER_INSTITUTION_CODE``)."""
        self._ledger = ledger
        self._institution = require_institution_code(institution_code)
        self._batches = batches
        self._store = store
        self._registrar_key = registrar_key
        self._registrar_name = registrar_name
        self._clock = clock or (lambda: datetime.now(UTC))
        acts = JournalledActs(ledger, ledger.registry_address, journal, self._own_recorders)
        self._registrar_acts = RegistrarActRelay(ledger, acts)
        self._issuance = CertificateIssuance(
            ledger,
            store,
            registrar_key,
            registrar_name,
            certificate_term,
            self._now,
            institution_code=self._institution,
            journal=journal,
        )

    @property
    def _own_recorders(self) -> Mapping[str, Recorder]:
        return {"registrar.revocation": self._record_revocation}

    @property
    def recorders(self) -> Mapping[str, Recorder]:
        """What records the result of each registrar act this service relays (certificates included)."""
        return {**self._own_recorders, **self._issuance.recorders}

    @property
    def ledger(self) -> RegistryLedger:
        return self._ledger

    # -- registration -----------------------------------------------------------------------------

    def prepare_registration(
        self, holder: Participant, facts: AssetFacts, salt: str | None, deadline: int | None
    ) -> dict[str, Any]:
        """The EIP-712 registration the holder signs: a fresh salt unless given, its next nonce, and a
        deadline an hour after the next block unless given."""
        holder.require_role(Role.ENTERPRISE)
        if holder.address is None:
            raise ValidationFailed("this participant has no chain address", field="address")
        salt = salt or new_salt()
        deadline = deadline or self._ledger.next_block_timestamp() + SIGNATURE_LIFETIME_S
        nonce = self._ledger.nonce_of(holder.address)
        auth = self.authorisation_for(
            holder, RegistrationRequest(facts, salt, nonce, deadline, signature="0x")
        )
        return {
            "assetId": asset_id_for(auth.holder, auth.content_hash, auth.metadata_hash),
            "salt": salt,
            "nonce": nonce,
            "deadline": deadline,
            "metadataHash": auth.metadata_hash,
            "lawfulSourceHash": auth.lawful_source_hash,
            "typedData": auth.typed_data(self._ledger.domain),
        }

    def certificates(self, asset_id: str) -> dict[str, Any]:
        """The asset's certificates, oldest first, with their status."""
        record = self.get_asset(asset_id)
        return {"assetId": record.asset_id, "items": self._store.certificates_of(record.asset_id)}

    def certificate_number_of(self, certificate_hash: str) -> str | None:
        """The number of the certificate whose hash the chain names (a successor, say)."""
        return self._store.certificate_number_of(certificate_hash)

    def check_against_chain(self, asset_id: str) -> dict[str, Any]:
        """The stored record of ``asset_id`` compared with the registry contract, field by field."""
        record = self.get_asset(asset_id)
        on_chain = self._ledger.asset(record.asset_id)
        event = self._ledger.registration_event(record.evidence.tx_hash) if record.evidence else None
        checks = [
            _check("on-chain-record", on_chain is not None, "the registry contract holds the asset"),
            _check(
                "registration-event",
                event is not None and event.asset_id == record.asset_id,
                "the recorded transaction emitted AssetRegistered for this asset",
            ),
        ]
        if on_chain is not None:
            checks += [
                _check("holder", on_chain.holder == record.holder_address, on_chain.holder),
                _check(
                    "content-hash", on_chain.content_hash == record.facts.content_hash, on_chain.content_hash
                ),
                _check(
                    "metadata-hash", on_chain.metadata_hash == record.metadata_hash, on_chain.metadata_hash
                ),
                _check(
                    "status", on_chain.status.name.lower() == record.state.value, on_chain.status.name.lower()
                ),
            ]
        if event is not None and record.evidence is not None:
            checks.append(
                _check("evidence", event.evidence == record.evidence, "tx hash, block and log index")
            )
        return {
            "assetId": record.asset_id,
            "consistent": all(c["passed"] for c in checks),
            "checks": checks,
            "record": record.as_json(),
        }

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
            right=request.facts.right_claimed,
            lawful_source_hash=lawful_source_commitment(request.facts, request.salt),
        )

    def register(self, holder: Participant, request: RegistrationRequest) -> AssetRecord:
        """Check, store as pending, relay to the chain, then record the chain's evidence."""
        holder.require_role(Role.ENTERPRISE)
        auth = self.authorisation_for(holder, request)
        require_holder_signature(
            auth, self._ledger.domain, request.signature, now=self._ledger.next_block_timestamp()
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
        batched = self._batches.batched_asset_by_content(auth.content_hash) if self._batches else None
        if batched is not None:
            raise ContentAlreadyBatched(
                "this content hash is already registered in a batch (anchored or queued for anchoring)",
                existing_asset_id=batched,
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
        return self._mark_registered(record, auth, event)

    def recover_pending(self) -> RecoveryReport:
        """Finish registrations a crash interrupted between storing them and recording the chain's answer.

        A pending registration already on chain is marked registered from the chain's event; one that
        never reached the chain is relayed again while its signature is still valid (the contract's
        unique asset id and nonce make this safe: nothing is registered twice), else discarded.
        """
        report = RecoveryReport()
        for record in self._store.pending_assets():
            if record.nonce >= BATCH_NONCE_FLAG:
                continue  # a materialisation: MaterialisationService.recover_pending finishes it
            auth = RegistrationAuthorisation(
                holder=record.holder_address,
                content_hash=record.facts.content_hash,
                metadata_hash=record.metadata_hash,
                nonce=record.nonce,
                deadline=record.deadline,
                right=record.facts.right_claimed,
                lawful_source_hash=lawful_source_commitment(record.facts, record.salt),
            )
            event = self._ledger.find_registration_event(record.asset_id)
            if event is None and self._still_relayable(record):
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
            self._mark_registered(record, auth, event)
            report.completed.append(record.asset_id)
        return report

    def _mark_registered(
        self, record: AssetRecord, auth: RegistrationAuthorisation, event: Any
    ) -> AssetRecord:
        return self._store.mark_registered(
            record.asset_id,
            event,
            block_timestamp=self._ledger.block_timestamp(event.evidence.block_number),
            detail={"rightClaimed": auth.right.value, "lawfulSourceHash": auth.lawful_source_hash},
            institution=self._institution,
        )

    def _still_relayable(self, record: AssetRecord) -> bool:
        return (
            self._ledger.next_block_timestamp() <= record.deadline
            and self._ledger.nonce_of(record.holder_address) == record.nonce
        )

    def registrar_info(self) -> dict[str, Any]:
        """The certificate signer's keys and the registry contract with its EIP-712 domain: what an
        offline verifier and a signing wallet need, without trusting this service later."""
        key = self._registrar_key
        return {
            "name": self._registrar_name,
            "did": key.did,
            "verificationMethod": key.verification_method_id,
            "publicKeyPem": key.public_key.to_pem(),
            "registry": {
                "chainId": self._ledger.chain_id,
                "contract": self._ledger.registry_address,
                "eip712Domain": self._ledger.domain.as_json(),
            },
        }

    def get_asset(self, asset_id: str) -> AssetRecord:
        record = self._store.get_asset(asset_id.lower())
        if record is None:
            raise AssetNotFound("no asset with this id", asset_id=asset_id)
        return record

    def asset_for_act(self, asset_id: str, *, holder: str | None = None) -> AssetRecord:
        """The asset an act on chain is asked for: as :meth:`get_asset`, but a batched registration
        not on chain yet is materialised first (its first act brings it into the registry).

        With ``holder`` (an act only the holder may ask for), a batched registration is materialised
        only for its holder: anyone else is refused before the operator pays for a transaction."""
        record = self._store.get_asset(asset_id.lower())
        if record is not None:
            return record
        if self._batches is not None and self._batches.is_batched(asset_id):
            batched_holder = self._batches.holder_of(asset_id)
            if holder is not None and holder.lower() != batched_holder.lower():
                raise NotAuthorised("only the asset's holder may do this", holder=batched_holder)
            return self._batches.materialise(asset_id)
        raise AssetNotFound("no asset with this id", asset_id=asset_id)

    # -- certificates (signed by a registrar, see certificate_issuance) ------------------------------

    def prepare_certificate(self, registrar: Participant, asset_id: str) -> dict[str, Any]:
        """The asset's next certificate and the ``Certificate`` the registrar signs over its hash."""
        self._registrar_acts.require_registrar(registrar)
        return self._issuance.prepare_certificate(registrar, self.get_asset(asset_id))

    def issue_certificate(
        self, registrar: Participant, asset_id: str, submission: CertificateSubmission
    ) -> dict[str, Any]:
        """Record the prepared certificate, signed by the registrar, on chain; answers the credential."""
        self._registrar_acts.require_registrar(registrar)
        return self._issuance.issue_certificate(registrar, self.get_asset(asset_id), submission)

    def prepare_renewal(self, registrar: Participant, asset_id: str) -> dict[str, Any]:
        """A certificate for a new term and the ``Renewal`` the registrar signs over its hash."""
        self._registrar_acts.require_registrar(registrar)
        return self._issuance.prepare_renewal(registrar, self.get_asset(asset_id))

    def renew_certificate(
        self, registrar: Participant, asset_id: str, submission: CertificateSubmission
    ) -> dict[str, Any]:
        """Renew the registration before its certificate expires, signed by the registrar."""
        self._registrar_acts.require_registrar(registrar)
        return self._issuance.renew_certificate(registrar, self.get_asset(asset_id), submission)

    def _now(self) -> datetime:
        return self._clock().astimezone(UTC).replace(microsecond=0)

    def get_certificate(self, number: str) -> dict[str, Any]:
        return self._store.get_certificate(number)

    def certificate_status(self, number: str) -> dict[str, Any]:
        """The certificate's standing on chain: valid, superseded (and by which), revoked, cancelled or
        expired; and whether the asset is pledged."""
        stored = self._store.certificate_record(number)
        cert_hash = str(stored["certificateHash"])
        record = self._ledger.certificate_record(cert_hash)
        asset = self._ledger.asset(str(stored["assetId"]))
        procedure = self._ledger.procedure(str(stored["assetId"]))
        status = "valid"
        superseded_by = None
        if record is None:
            status = "not-anchored"
        elif record.superseded_by is not None:
            status = "superseded"
            superseded_by = self._store.certificate_number_of(record.superseded_by)
        elif asset is None or asset.status is not OnChainAssetStatus.CERTIFIED:
            status = asset.status.name.lower() if asset else "not-registered"
        elif record.valid_until and self._ledger.next_block_timestamp() > record.valid_until:
            status = "expired"
        return {
            "number": number,
            "assetId": stored["assetId"],
            "certificateHash": cert_hash,
            "status": status,
            "supersededBy": superseded_by,
            "supersededByHash": record.superseded_by if record else None,
            # The holder the certificate names (a superseded one names its own, not today's), and the
            # transaction that recorded it on chain.
            "holder": stored.get("holder"),
            "currentHolder": asset.holder if asset else None,
            "recordedIn": stored.get("recordedIn"),
            "pledgedTo": procedure.pledgee if procedure and status == "valid" else None,
            "validUntil": record.valid_until or None if record else None,
        }

    # -- revocation -------------------------------------------------------------------------------

    def prepare_revocation(self, registrar: Participant, asset_id: str, reason: str) -> dict[str, Any]:
        """The ``Revocation`` the registrar signs."""
        auth, _ = self._revocation(registrar, asset_id, reason, None, None)
        return prepared_act(auth, self._ledger.domain)

    def revoke(
        self, registrar: Participant, asset_id: str, reason: str, nonce: int, deadline: int, signature: str
    ) -> AssetRecord:
        """Revoke the registration, signed by the registrar; its valid certificates are revoked with it."""
        auth, _ = self._revocation(registrar, asset_id, reason, nonce, deadline)
        revoked: AssetRecord = self._registrar_acts.relay(
            auth, signature, "registrar.revocation", {"reason": reason}
        )
        return revoked

    def _record_revocation(
        self, auth: ActAuthorisation, payload: Mapping[str, Any], acts: Acts
    ) -> AssetRecord:
        return self._store.mark_revoked(auth.message["assetId"], payload["reason"], acts, actor=auth.signer)

    def _revocation(
        self, registrar: Participant, asset_id: str, reason: str, nonce: int | None, deadline: int | None
    ) -> tuple[ActAuthorisation, AssetRecord]:
        self._registrar_acts.require_registrar(registrar)
        if not reason.strip():
            raise ValidationFailed("a revocation needs a reason", field="reason")
        record = self.asset_for_act(asset_id)
        if record.state is AssetState.REVOKED:
            raise AssetRevoked("the asset is already revoked", asset_id=asset_id)
        auth = self._registrar_acts.authorisation(
            registrar, "Revocation", nonce, deadline, assetId=record.asset_id, reasonHash=reason_hash(reason)
        )
        return auth, record


def _check(name: str, passed: bool, detail: str) -> dict[str, Any]:
    return {"name": name, "passed": bool(passed), "detail": detail}
