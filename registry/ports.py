"""Ports: what the domain core needs from the outside world, as ``typing.Protocol`` classes.

``ledger/`` implements the chain ports; the store implements the repositories; tests may pass fakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from dataledger.registry.assets import AssetFacts, AssetRecord, AssetState
from dataledger.registry.chain_records import (
    ChainAct,
    LicenceTerms,
    OnChainCertificate,
    OnChainConsent,
    OnChainLicence,
    OnChainObjection,
    OnChainPledge,
    OnChainPledgeCertificate,
    OnChainProcedure,
)
from dataledger.registry.chain_types import OnChainAsset, RegistrationEvent
from dataledger.registry.holder_signatures import ActAuthorisation, Eip712Domain, RegistrationAuthorisation
from dataledger.registry.participants import Participant

Acts = tuple[ChainAct, ...]


class ChainEvidenceReader(Protocol):
    """Read-only view of the chain used by verifiers (online certificate checks, audits)."""

    @property
    def chain_id(self) -> int: ...

    @property
    def registry_address(self) -> str: ...

    def registration_event(self, tx_hash: str) -> RegistrationEvent | None:
        """The event of ``tx_hash`` that states an asset's holder and commitments (``AssetRegistered``,
        ``AssetChanged`` or ``AssetTransferred``) on the registry, or None if absent."""
        ...

    def asset(self, asset_id: str) -> OnChainAsset | None:
        """The registry contract's current record of ``asset_id``, or None if never registered."""
        ...

    def certificate_record(self, certificate_hash: str) -> OnChainCertificate | None:
        """The registry's record of a certificate (with its successor), or None if never recorded."""
        ...

    def procedure(self, asset_id: str) -> OnChainProcedure | None:
        """Where ``asset_id`` stands in the procedure (pledge included), or None if never registered."""
        ...


class Clock(Protocol):
    def now(self) -> int:
        """Seconds since the Unix epoch."""
        ...


class RegistryLedger(ChainEvidenceReader, Protocol):
    """The chain port of the registry (implemented by ``ledger.DataRightsRegistryClient``)."""

    @property
    def domain(self) -> Eip712Domain: ...

    @property
    def operator(self) -> str:
        """The address that sends the registry's transactions: it relays acts others signed (a
        registrar's among them) and holds the administrator role, never the registrar role."""
        ...

    def next_block_timestamp(self) -> int:
        """The timestamp the next block will carry: the time the contract will judge the next act by.

        Never the last mined block's: a chain that mines on demand may have been idle for hours."""
        ...

    def block_timestamp(self, block_number: int) -> int: ...

    def nonce_of(self, holder: str) -> int: ...

    def notice_period(self) -> int: ...

    def register(self, auth: RegistrationAuthorisation, signature: str) -> RegistrationEvent: ...

    def find_registration_event(self, asset_id: str) -> RegistrationEvent | None: ...

    def objection(self, objection_id: int) -> OnChainObjection | None: ...

    def facts_act(self, asset_id: str) -> ChainAct | None:
        """The latest event stating the asset's holder and commitments (``AssetRegistered``,
        ``AssetChanged`` or ``AssetTransferred``), or None for an asset never registered."""
        ...

    def acts_of_transaction(self, tx_hash: str) -> Acts | None: ...

    def latest_block_number(self) -> int: ...

    def find_act(self, signature: str, from_block: int) -> Acts | None:
        """The registry's events in the transaction that carried ``signature`` (an act's), mined at or
        after ``from_block``; None if there is none (``registry.act_journal``)."""
        ...

    def is_registrar(self, address: str) -> bool:
        """Whether ``address`` holds the registrar role on the registry now."""
        ...

    def pledge(
        self,
        by_holder: ActAuthorisation,
        holder_signature: str,
        by_pledgee: ActAuthorisation,
        pledgee_signature: str,
    ) -> Acts:
        """Relay a pledge both parties signed (the holder's ``Pledge``, the pledgee's
        ``PledgeAcceptance``)."""
        ...

    def pledge_record(self, asset_id: str) -> OnChainPledge | None:
        """The last pledge of ``asset_id`` (active or ended); None if never pledged."""
        ...

    def pledge_certificate_record(self, certificate_hash: str) -> OnChainPledgeCertificate | None:
        """Which pledge a pledge registration certificate certifies; None if never recorded."""
        ...

    def set_notice_period(self, seconds: int) -> Acts: ...

    def submit_act(self, auth: ActAuthorisation, signature: str) -> Acts:
        """Relay a signed act: an objection, change, transfer, pledge, release, enforcement or
        cancellation, or a registrar's review, rejection, objection resolution, certificate, renewal
        or revocation (see ``REGISTRAR_ACT_TYPES``)."""
        ...


class RegistrarRoles(Protocol):
    """The administrator's hold on the registrar role (``ledger.DataRightsRegistryClient``): granted to
    each registration institution's key, revoked from it."""

    def is_registrar(self, address: str) -> bool: ...

    def grant_registrar(self, registrar: str) -> Acts: ...

    def revoke_registrar(self, registrar: str) -> Acts: ...


class BatchLedger(Protocol):
    """The chain port of materialising batched registrations (``ledger.DataRightsRegistryClient``)."""

    @property
    def operator(self) -> str: ...

    def block_timestamp(self, block_number: int) -> int: ...

    def materialise(
        self, auth: RegistrationAuthorisation, signature: str, root: bytes, proof: Sequence[bytes]
    ) -> tuple[RegistrationEvent, Acts]:
        """Relay an anchored batched registration; its ``AssetRegistered`` event and every event."""
        ...

    def find_registration_event(self, asset_id: str) -> RegistrationEvent | None: ...

    def acts_of_transaction(self, tx_hash: str) -> Acts | None: ...


class BatchedAssets(Protocol):
    """Batched registrations as the direct path and the lifecycle see them
    (``registry.materialisation.MaterialisationService``)."""

    def batched_asset_by_content(self, content_hash: str) -> str | None:
        """The asset id of the batched registration binding ``content_hash``, or None."""
        ...

    def is_batched(self, asset_id: str) -> bool:
        """Whether ``asset_id`` was accepted as a batched registration."""
        ...

    def holder_of(self, asset_id: str) -> str:
        """The chain address of the batched registration's holder; raises ``AssetNotFound``."""
        ...

    def materialise(self, asset_id: str) -> AssetRecord:
        """Materialise batched registration ``asset_id`` on chain and record it as a registered asset."""
        ...


class LicenceLedger(Protocol):
    """The chain port of licences and consents (implemented by ``ledger.LicenceRegistryClient``)."""

    @property
    def address(self) -> str: ...

    @property
    def domain(self) -> Eip712Domain: ...

    def nonce_of(self, signer: str) -> int: ...

    def latest_block_number(self) -> int: ...

    def find_act(self, signature: str, from_block: int) -> Acts | None:
        """As ``RegistryLedger.find_act``, on the licence registry."""
        ...

    def submit_act(self, auth: ActAuthorisation, signature: str) -> Acts:
        """Relay a signed licence, licence use or revocation, consent, consent use or withdrawal."""
        ...

    def licence(self, licence_id: int) -> OnChainLicence | None: ...

    def consent(self, consent_id: int) -> OnChainConsent | None: ...


class RegistryStore(Protocol):
    """The database port of assets and certificates (implemented by ``ledger.sql.store.SqlStore``)."""

    def get_participant(self, participant_id: str) -> Participant: ...

    def participant_by_address(self, address: str) -> Participant | None: ...

    def get_asset(self, asset_id: str) -> AssetRecord | None: ...

    def asset_by_content(self, content_hash: str) -> AssetRecord | None: ...

    def pending_assets(self) -> list[AssetRecord]: ...

    def add_pending_asset(self, record: AssetRecord) -> None: ...

    def discard_pending_asset(self, asset_id: str) -> None: ...

    def mark_registered(
        self,
        asset_id: str,
        event: RegistrationEvent,
        *,
        block_timestamp: int | None = None,
        detail: dict[str, Any] | None = None,
        institution: str = ...,
    ) -> AssetRecord:
        """The pending asset registered by ``event``, given the next registration number of
        ``institution`` (``registry.numbering.RegistrationNumber``) unless it has one."""
        ...

    def mark_revoked(self, asset_id: str, reason: str, acts: Acts, *, actor: str) -> AssetRecord: ...

    def record_acts(
        self,
        asset_id: str,
        acts: Acts,
        *,
        actor: str,
        detail: dict[str, Any] | None = None,
        state: AssetState | None = None,
        reason: str | None = None,
    ) -> AssetRecord: ...

    def set_holder(
        self,
        asset_id: str,
        holder_id: str,
        holder_address: str,
        acts: Acts,
        *,
        actor: str,
        detail: dict[str, Any] | None = None,
    ) -> AssetRecord: ...

    def record_new_version(
        self, asset_id: str, facts: AssetFacts, salt: str, metadata_hash: str, acts: Acts, *, actor: str
    ) -> AssetRecord: ...

    def reserve_certificate_number(self, asset_id: str, year: int, month: int, institution: str) -> str:
        """The next certificate number of ``institution`` in ``year``-``month``
        (``registry.numbering.CertificateNumber``), reserved for ``asset_id``: never given twice."""
        ...

    def reserved_certificate_asset(self, number: str) -> str | None:
        """The asset for which ``number`` is reserved and not issued yet (status ``issuing``), or None."""
        ...

    def release_certificate_number(self, number: str) -> None: ...

    def store_certificate(
        self,
        number: str,
        asset_id: str,
        vc: dict[str, Any],
        cert_hash: str,
        acts: Acts,
        *,
        actor: str,
        valid_until: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None: ...

    def get_certificate(self, number: str) -> dict[str, Any]: ...

    def certificate_record(self, number: str) -> dict[str, Any]: ...

    def certificate_number_of(self, cert_hash: str) -> str | None: ...

    def certificates_of(self, asset_id: str) -> list[dict[str, Any]]: ...


class ProcedureStore(Protocol):
    """Objections (implemented by ``ledger.sql.lifecycle_store.LifecycleStore``)."""

    def add_objection(
        self,
        asset_id: str,
        *,
        objector_id: str | None,
        objector_address: str,
        reason: str,
        evidence_hash: str,
        acts: Acts,
    ) -> dict[str, Any]: ...

    def get_objection(self, objection_id: int) -> dict[str, Any]: ...

    def objections_of(self, asset_id: str) -> list[dict[str, Any]]: ...

    def registrar_acts_of(self, asset_id: str) -> list[dict[str, Any]]:
        """The asset's acts by registrars, oldest first, each naming the registrar its event names."""
        ...

    def objections_of_assets(self, asset_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """The objections of each of ``asset_ids`` (one query; an asset without any is left out)."""
        ...

    def resolve_objection(
        self, objection_id: int, *, upheld: bool, resolution: str, acts: Acts, actor: str
    ) -> dict[str, Any]: ...


class PledgeRecords(Protocol):
    """Pledges with what they secure, their valuations and certificates
    (implemented by ``ledger.sql.pledge_store.PledgeStore``)."""

    def add_pledge(
        self,
        asset_id: str,
        *,
        pledgor_address: str,
        pledgee_id: str | None,
        terms: str,
        salt: str,
        valuation: str,
        valuation_salt: str,
        acts: Acts,
    ) -> dict[str, Any]: ...

    def record_revaluation(
        self, asset_id: str, valuation: str, salt: str, acts: Acts, *, actor: str
    ) -> dict[str, Any]: ...

    def close_pledge(self, asset_id: str, status: str, acts: Acts, *, actor: str) -> dict[str, Any]: ...

    def active_pledge(self, asset_id: str) -> dict[str, Any] | None: ...

    def pledges_of(self, asset_id: str) -> list[dict[str, Any]]: ...

    def pledges_of_pledgee(
        self, pledgee: str, *, status: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]: ...

    def reserve_pledge_certificate_number(
        self, asset_id: str, year: int, month: int, institution: str
    ) -> str:
        """The number of the active pledge's certificate: reserved once, the same at each call after."""
        ...

    def store_pledge_certificate(
        self, asset_id: str, number: str, vc: dict[str, Any], acts: Acts, *, actor: str
    ) -> None: ...

    def pledge_certificate(self, number: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The issued pledge certificate ``number`` and the pledge it certifies."""
        ...


class LicenceRecords(Protocol):
    """Licences and consents (implemented by ``ledger.sql.licence_store.LicenceStore``)."""

    def add_licence(
        self,
        terms: LicenceTerms,
        *,
        licensor_address: str,
        licensee_id: str | None,
        texts: dict[str, str],
        salt: str,
        acts: Acts,
    ) -> dict[str, Any]: ...

    def get_licence(self, licence_id: int) -> dict[str, Any]: ...

    def licences(
        self,
        *,
        asset_id: str | None = None,
        licensee: str | None = None,
        party: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]: ...

    def record_licence_use(self, licence_id: int, acts: Acts, *, actor: str) -> dict[str, Any]: ...

    def record_licence_revocation(
        self, licence_id: int, reason: str, acts: Acts, *, actor: str
    ) -> dict[str, Any]: ...

    def add_consent(
        self, *, enterprise_id: str | None, purpose: str, salt: str, acts: Acts
    ) -> dict[str, Any]: ...

    def get_consent(self, consent_id: int) -> dict[str, Any]: ...

    def consent_acts(self, consent_id: int) -> list[dict[str, Any]]:
        """The consent's acts, in chain order (act, actor, time, detail, chain evidence)."""
        ...

    def consents(
        self, *, subject: str | None = None, enterprise: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]: ...

    def record_consent_act(
        self, consent_id: int, status: str, acts: Acts, *, actor: str
    ) -> dict[str, Any]: ...
