"""Ports: what the domain core needs from the outside world, as ``typing.Protocol`` classes.

``ledger/`` implements the chain ports; the store implements the repository; tests may pass fakes.
"""

from __future__ import annotations

from typing import Protocol

from registry.assets import AssetRecord
from registry.chain_types import ChainEvidence, OnChainAsset, RegistrationEvent
from registry.holder_signatures import Eip712Domain, RegistrationAuthorisation
from registry.participants import Participant


class ChainEvidenceReader(Protocol):
    """Read-only view of the chain used by verifiers (online certificate checks, audits)."""

    @property
    def chain_id(self) -> int: ...

    @property
    def registry_address(self) -> str: ...

    def registration_event(self, tx_hash: str) -> RegistrationEvent | None:
        """The ``AssetRegistered`` event emitted by ``tx_hash`` on the registry, or None if absent."""
        ...

    def asset(self, asset_id: str) -> OnChainAsset | None:
        """The registry contract's current record of ``asset_id``, or None if never registered."""
        ...


class Clock(Protocol):
    def now(self) -> int:
        """Seconds since the Unix epoch."""
        ...


class RegistryLedger(ChainEvidenceReader, Protocol):
    """The chain port of the registration path (implemented by ``ledger.DataRightsRegistryClient``)."""

    @property
    def domain(self) -> Eip712Domain: ...

    @property
    def operator(self) -> str:
        """The address that sends the registry's transactions (relayer and registrar operator)."""
        ...

    def latest_timestamp(self) -> int: ...

    def nonce_of(self, holder: str) -> int: ...

    def register(self, auth: RegistrationAuthorisation, signature: str) -> RegistrationEvent: ...

    def find_registration_event(self, asset_id: str) -> RegistrationEvent | None: ...

    def revoke(self, asset_id: str, reason_hash: str) -> ChainEvidence: ...

    def record_certificate(self, asset_id: str, certificate_hash: str) -> ChainEvidence: ...


class RegistryStore(Protocol):
    """The database port of the registration path (implemented by ``ledger.store.SqlStore``)."""

    def get_participant(self, participant_id: str) -> Participant: ...

    def get_asset(self, asset_id: str) -> AssetRecord | None: ...

    def asset_by_content(self, content_hash: str) -> AssetRecord | None: ...

    def pending_assets(self) -> list[AssetRecord]: ...

    def add_pending_asset(self, record: AssetRecord) -> None: ...

    def discard_pending_asset(self, asset_id: str) -> None: ...

    def mark_registered(self, asset_id: str, event: RegistrationEvent) -> AssetRecord: ...

    def mark_revoked(
        self, asset_id: str, reason: str, evidence: ChainEvidence, *, actor: str
    ) -> AssetRecord: ...

    def reserve_certificate_number(self, asset_id: str, year: int) -> str: ...

    def release_certificate_number(self, number: str) -> None: ...

    def store_certificate(
        self, number: str, asset_id: str, vc: dict, cert_hash: str, anchor: ChainEvidence, *, actor: str
    ) -> None: ...

    def get_certificate(self, number: str) -> dict: ...
