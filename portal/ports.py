"""What the portal needs from the rest of the system, declared beside it (the API's services fit).

Each Protocol lists only what the pages use; the composition root's ``Services`` provides them, and
mypy checks the fit where ``api.app`` hands its services to the portal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from pydantic import AnyUrl

from dataledger.registry.asset_queries import HistoryQuery
from dataledger.registry.assets import AssetRecord, AssetState
from dataledger.registry.certificate_verifier import CertificateVerifier
from dataledger.registry.chain_records import OnChainProcedure
from dataledger.registry.holder_signatures import Eip712Domain
from dataledger.registry.lineage import Direction, Trace
from dataledger.registry.market.trades import TradeStatistics
from dataledger.registry.market.vouchers import Programme, VoucherMovement
from dataledger.registry.participants import Participant
from dataledger.registry.pledge_certificate import PledgeCertificateReport
from dataledger.registry.public_notice import NoticePage, NoticeSearch


class PortalSettings(Protocol):
    @property
    def registrar_name(self) -> str: ...
    @property
    def public_url(self) -> AnyUrl | None:
        """The base URL people reach the registry at (``None``: the request's own)."""


class RegistryReads(Protocol):
    """Reads of the registry contract: where a procedure stands, and the chain's clock."""

    @property
    def chain_id(self) -> int: ...
    @property
    def registry_address(self) -> str: ...
    def next_block_timestamp(self) -> int: ...
    def procedure(self, asset_id: str) -> OnChainProcedure | None: ...


class AssetQueries(Protocol):
    """The registry's queries of assets (``registry.asset_queries.AssetQueries``), each as the reader
    may see it (``None``: an anonymous reader)."""

    def in_notice(self, search: NoticeSearch, *, limit: int = 50, offset: int = 0) -> NoticePage: ...
    def history(self, viewer: Participant | None, asset_id: str, query: HistoryQuery) -> dict[str, Any]: ...
    def pledges(self, viewer: Participant | None, asset_id: str) -> list[dict[str, Any]]: ...
    def queue(
        self, viewer: Participant, state: AssetState, *, limit: int = 50, offset: int = 0
    ) -> tuple[list[AssetRecord], int]: ...


class CertificateRegistry(Protocol):
    """Certificates as issued, and assets by id (``NotFound`` for unknown ones)."""

    def get_certificate(self, number: str) -> dict[str, Any]: ...
    def certificate_number_of(self, certificate_hash: str) -> str | None: ...
    def get_asset(self, asset_id: str) -> AssetRecord: ...
    def certificates(self, asset_id: str) -> dict[str, Any]: ...


class LineageReads(Protocol):
    """Traces of items and data products, and the parents a data product was derived from."""

    def trace(self, start: str, direction: Direction, depth: int = 20) -> Trace: ...
    def history(
        self, item: str, *, limit: int = 1000, offset: int = 0, via_containers: bool = True
    ) -> list[dict[str, Any]]: ...
    def derivation(self, product_id: str) -> list[dict[str, Any]]: ...


class JsonView(Protocol):
    def as_json(self) -> dict[str, Any]: ...


class EventReads(Protocol):
    """Captured EPCIS events: each one's anchor (Merkle proof, root, transaction)."""

    def inclusion(self, hash_id: str) -> JsonView: ...
    def inclusions(self, hash_ids: Sequence[str]) -> Mapping[str, JsonView]: ...


class ParticipantDirectory(Protocol):
    """Participants by id (``NotFound`` for an unknown one): a notice names its holder."""

    def get(self, participant_id: str) -> Participant: ...
    def names(self, participant_ids: Sequence[str]) -> dict[str, str]: ...
    def authenticate(self, api_key: str | None) -> Participant: ...


class ProcedureReads(Protocol):
    """The registration procedure: an asset's objections, open and resolved."""

    def objections_of_assets(self, asset_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]: ...


class OutboxReads(Protocol):
    def recent_batches(self, limit: int = 10) -> list[dict[str, object]]: ...


class AnchoringReads(Protocol):
    """The batch anchoring: its recent anchors on chain."""

    @property
    def outbox(self) -> OutboxReads: ...


class RegistrarIdentity(Protocol):
    """The registrar's key, as the browser checks a certificate's signature against it."""

    @property
    def did(self) -> str: ...


class LicensingReads(Protocol):
    """Licences: the EIP-712 domain of the licence registry, whose acts a page has signed."""

    @property
    def domain(self) -> Eip712Domain: ...


class CertificateTerms(Protocol):
    """When the valid certificates of assets expire, as anchored (one query for a page of them)."""

    def valid_until_of(self, asset_ids: list[str]) -> dict[str, int]: ...


class TradeReads(Protocol):
    """The market's public statistics, and the EIP-712 domain of the trades contract, whose acts (an
    order's acceptance) a page has signed (``registry.market.trade_service.TradeService``)."""

    @property
    def domain(self) -> Eip712Domain: ...
    def statistics(self, exchange_id: str | None, start: datetime, end: datetime) -> TradeStatistics: ...


class MarketReads(Protocol):
    """The exchanges that listed products, ``(id, name)``, for the statistics' choice of exchange."""

    def exchanges(self) -> list[tuple[str, str]]: ...


class VoucherReads(Protocol):
    """Voucher programmes (their totals as the chain counts them) and, for their authority and
    oversight, the spend by enterprise and purpose (``NotAuthorised`` for anyone else)."""

    def programme(self, programme_id: str) -> Programme: ...
    def spend(self, viewer: Participant, programme_id: str) -> dict[str, Any]: ...


class VoucherRecordReads(Protocol):
    """What the voucher records hold per authority and per enterprise."""

    def programme_ids_of_authority(self, authority_id: str) -> list[str]: ...
    def holdings_of(self, enterprise_address: str) -> list[dict[str, Any]]: ...
    def movements_of(self, enterprise_address: str, *, limit: int = 50) -> list[VoucherMovement]: ...


class PledgeQueue(Protocol):
    """Pledges both parties signed that wait for their registration certificate."""

    def uncertified_pledges(
        self, *, limit: int = 20, offset: int = 0
    ) -> tuple[list[dict[str, Any]], int]: ...


class PledgeCertificates(Protocol):
    """Pledge registration certificates as issued (``CertificateNotFound`` for an unknown number), and
    their check against the chain."""

    def certificate(self, number: str) -> dict[str, Any]: ...
    def check_certificate(self, vc: Mapping[str, Any]) -> PledgeCertificateReport: ...


class PortalServices(Protocol):
    """Everything the pages use."""

    @property
    def settings(self) -> PortalSettings: ...
    @property
    def registry(self) -> RegistryReads: ...
    @property
    def licensing(self) -> LicensingReads: ...
    @property
    def asset_queries(self) -> AssetQueries: ...
    @property
    def registration(self) -> CertificateRegistry: ...
    @property
    def participants(self) -> ParticipantDirectory: ...
    @property
    def registrar_key(self) -> RegistrarIdentity: ...
    @property
    def procedure(self) -> ProcedureReads: ...
    @property
    def anchoring(self) -> AnchoringReads | None: ...
    def operational_figures(self) -> dict[str, float]: ...
    @property
    def lineage(self) -> LineageReads: ...
    @property
    def events(self) -> EventReads: ...
    @property
    def verifier(self) -> CertificateVerifier: ...
    @property
    def offline_verifier(self) -> CertificateVerifier: ...
    @property
    def store(self) -> CertificateTerms: ...
    @property
    def trades(self) -> TradeReads: ...
    @property
    def market_store(self) -> MarketReads: ...
    @property
    def vouchers(self) -> VoucherReads: ...
    @property
    def voucher_store(self) -> VoucherRecordReads: ...
    @property
    def pledge_store(self) -> PledgeQueue: ...
    @property
    def pledges(self) -> PledgeCertificates: ...
