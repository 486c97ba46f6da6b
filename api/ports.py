"""What the HTTP edge needs from the rest of the system, declared here, beside the app.

The edge depends on these Protocols, never on the composition root or on an adapter: the composition
root's ``Services`` provides them (``cli.main`` hands it to :func:`api.app.create_app`, and mypy checks
that it fits). Each Protocol lists only what the routes use; what the routes return is built from
the domain's values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from pydantic import SecretStr

from dataledger.registry.asset_queries import AssetQueries
from dataledger.registry.assets import AssetRecord
from dataledger.registry.batched_registrations import (
    BatchedRegistration,
    BatchedRegistrationRequest,
    BulkItemResult,
    BulkPreparation,
)
from dataledger.registry.certificate_verifier import CertificateVerifier
from dataledger.registry.chain_records import OnChainProcedure
from dataledger.registry.consents import ConsentService
from dataledger.registry.derivations import DerivationService
from dataledger.registry.epcis import EpcisDocument
from dataledger.registry.epcis.capture import CaptureResult, StoredEvent
from dataledger.registry.holder_acts import HolderActsService
from dataledger.registry.holder_signatures import Eip712Domain
from dataledger.registry.licences import LicensingService
from dataledger.registry.lineage import Direction, Trace
from dataledger.registry.listing_verification import ListingVerifier
from dataledger.registry.market.demands import DemandService
from dataledger.registry.market.service import MarketService
from dataledger.registry.participant_service import ParticipantService
from dataledger.registry.participants import Participant
from dataledger.registry.procedure import ProcedureService
from dataledger.registry.readiness import Health, Readiness
from dataledger.registry.registrar_keys import RegistrarKey
from dataledger.registry.registration_service import RegistrationService
from dataledger.registry.transparency_log import CheckpointRecord


class JsonView(Protocol):
    """A record the edge only shows (an anchor and its inclusion proof, say)."""

    def as_json(self) -> dict[str, Any]: ...


class InclusionView(JsonView, Protocol):
    """Where a batched entry stands: ``status`` is pending, sealed or anchored."""

    @property
    def status(self) -> str: ...


class EdgeSettings(Protocol):
    """The settings the edge reads."""

    @property
    def admin_api_key(self) -> SecretStr: ...
    @property
    def registrar_name(self) -> str: ...
    @property
    def max_body_bytes(self) -> int: ...
    @property
    def max_document_body_bytes(self) -> int: ...
    @property
    def max_json_depth(self) -> int: ...
    @property
    def public_rate_per_s(self) -> float: ...
    @property
    def public_burst(self) -> int: ...
    @property
    def cors_origins(self) -> list[str]: ...


class RegistryChain(Protocol):
    """Reads of the data-rights registry contract and its chain."""

    @property
    def chain_id(self) -> int: ...
    @property
    def registry_address(self) -> str: ...
    @property
    def domain(self) -> Eip712Domain: ...
    # the portal's (``portal.ports.RegistryReads``): the notice board's clock and procedures
    def next_block_timestamp(self) -> int: ...
    def procedure(self, asset_id: str) -> OnChainProcedure | None: ...


class RecordQueries(Protocol):
    """The stored records the portal still reads directly (``portal.ports.AssetQueries``); the API's
    routes read them through ``AssetQueries`` and the other services."""

    def list_assets(
        self, *, holder_id: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[AssetRecord]: ...
    def history_page(
        self,
        asset_id: str,
        *,
        act: str | None = None,
        actor: str | None = None,
        from_block: int | None = None,
        to_block: int | None = None,
        limit: int | None = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, object]], int]: ...


class EventCapture(Protocol):
    """EPCIS capture and queries."""

    def capture(
        self, document: EpcisDocument, *, captured_by: str, ignore_fields: Sequence[str] = ()
    ) -> CaptureResult: ...
    def get(self, hash_id: str) -> StoredEvent: ...
    def query(
        self,
        *,
        epc: str | None = None,
        biz_step: str | None = None,
        from_us: int | None = None,
        to_us: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[StoredEvent]: ...
    def export_context(self, events: Iterable[StoredEvent]) -> Any: ...
    def ignored_fields_of(self, capture_id: str) -> list[str]: ...
    def inclusion(self, hash_id: str) -> JsonView: ...
    def inclusions(self, hash_ids: Sequence[str]) -> Mapping[str, JsonView]: ...
    def declaration_inclusion(self, declaration_id: str) -> JsonView: ...
    def resolve_event_ids(self, event_ids: Sequence[str]) -> dict[str, list[str]]: ...


class LineageQueries(Protocol):
    def trace(self, start: str, direction: Direction, depth: int = 20) -> Trace: ...
    def history(
        self, item: str, *, limit: int = 1000, offset: int = 0, via_containers: bool = True
    ) -> list[dict[str, Any]]: ...
    def where_is(self, item: str) -> dict[str, Any]: ...
    def derivation(self, product_id: str) -> list[dict[str, Any]]: ...


class AnchorWaiter(Protocol):
    def wait_anchored(self, kind: str, refs: Sequence[str], timeout_s: float) -> bool: ...


class BatchedRegistrations(Protocol):
    def get(self, asset_id: str) -> BatchedRegistration: ...
    def inclusion(self, asset_id: str) -> InclusionView: ...


class BulkRegistration(Protocol):
    @property
    def domain(self) -> Eip712Domain: ...
    def prepare_many(
        self, holder: Participant, items: Sequence[BulkPreparation], deadline: int | None = None
    ) -> list[dict[str, Any]]: ...
    def register_many(
        self, holder: Participant, requests: Sequence[BatchedRegistrationRequest]
    ) -> list[BulkItemResult]: ...


class Materialisation(Protocol):
    def materialise_for(self, participant: Participant, asset_id: str) -> AssetRecord: ...


class AnchorOutbox(Protocol):
    def recent_batches(self, limit: int = 10) -> list[dict[str, object]]: ...


class AnchoringServices(Protocol):
    """Batch anchoring: bulk registration, batched registrations, the batcher, materialisation, and
    the outbox's recent anchors (the portal's workbench shows them)."""

    @property
    def batcher(self) -> AnchorWaiter: ...
    @property
    def registrations(self) -> BatchedRegistrations: ...
    @property
    def bulk(self) -> BulkRegistration: ...
    @property
    def materialisation(self) -> Materialisation: ...
    @property
    def outbox(self) -> AnchorOutbox: ...


class LogCheckpoints(Protocol):
    """The append-only log's checkpoints and proofs (``registry.checkpoints.CheckpointService``)."""

    @property
    def verifier_key(self) -> str: ...
    @property
    def origin(self) -> str: ...
    def issue(self, by: Participant | None = None) -> CheckpointRecord: ...
    def latest(self) -> CheckpointRecord: ...
    def entry(self, index: int, tree_size: int | None = None) -> dict[str, Any]: ...
    def consistency(self, old_size: int, new_size: int | None = None) -> dict[str, Any]: ...


class ApiServices(Protocol):
    """Everything the routes use."""

    @property
    def settings(self) -> EdgeSettings: ...
    @property
    def registrar_key(self) -> RegistrarKey: ...
    @property
    def registry(self) -> RegistryChain: ...
    @property
    def store(self) -> RecordQueries: ...
    @property
    def participants(self) -> ParticipantService: ...
    @property
    def registration(self) -> RegistrationService: ...
    @property
    def asset_queries(self) -> AssetQueries: ...
    @property
    def procedure(self) -> ProcedureService: ...
    @property
    def holder_acts(self) -> HolderActsService: ...
    @property
    def licensing(self) -> LicensingService: ...
    @property
    def consents(self) -> ConsentService: ...
    @property
    def derivations(self) -> DerivationService: ...
    @property
    def listing_verifier(self) -> ListingVerifier: ...
    @property
    def market(self) -> MarketService: ...
    @property
    def demands(self) -> DemandService: ...
    @property
    def verifier(self) -> CertificateVerifier: ...
    @property
    def offline_verifier(self) -> CertificateVerifier: ...
    @property
    def events(self) -> EventCapture: ...
    @property
    def lineage(self) -> LineageQueries: ...
    @property
    def anchoring(self) -> AnchoringServices | None: ...
    @property
    def checkpoints(self) -> LogCheckpoints: ...
    def health(self) -> Health: ...
    def readiness(self) -> Readiness: ...
    def operational_figures(self) -> dict[str, float]: ...
