"""What the market service needs from the outside: the market contract, the registry's reads, the store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from dataledger.registry.chain_records import OnChainProcedure
from dataledger.registry.chain_types import ChainEvidence, OnChainAsset
from dataledger.registry.market.catalogue import CataloguePage, CatalogueQuery
from dataledger.registry.market.licence_templates import LicenceTemplate
from dataledger.registry.market.listings import AssetStanding, Listing, ListingStatus


@dataclass(frozen=True, slots=True)
class RecordedVerification:
    """``IDataMarket.Verification``: a listing verification's outcome as the market contract holds it."""

    asset_id: str
    listable: bool
    used: bool


class MarketChain(Protocol):
    """The ``DataMarket`` contract (``ledger.chain.data_market``)."""

    def is_exchange(self, exchange_key: str) -> bool: ...
    def enrol_exchange(self, exchange_key: str) -> ChainEvidence: ...
    def verification_of(self, report_hash: str) -> RecordedVerification | None: ...
    def record_verification(self, report_hash: str, asset_id: str, listable: bool) -> ChainEvidence: ...
    def list_product(
        self,
        listing_id: str,
        asset_id: str,
        exchange_key: str,
        report_hash: str,
        terms_hash: str,
        content_hash: str,
    ) -> ChainEvidence: ...
    def delist(self, listing_id: str, exchange_key: str, reason_hash: str) -> ChainEvidence: ...
    def listing_of(self, listing_id: str) -> dict[str, Any] | None: ...
    def listed_evidence(self, listing_id: str) -> ChainEvidence | None: ...


class RegistryReads(Protocol):
    """Where an asset stands on the registry contract."""

    def asset(self, asset_id: str) -> OnChainAsset | None: ...
    def procedure(self, asset_id: str) -> OnChainProcedure | None: ...
    def next_block_timestamp(self) -> int: ...


class CertificateNumbers(Protocol):
    def certificates_of(self, asset_id: str) -> list[dict[str, Any]]: ...


class MarketRecords(Protocol):
    """Listings, their reports, licence templates and the catalogue (``ledger.sql.market_store``)."""

    def add_template(self, template: LicenceTemplate) -> None: ...
    def template(self, template_id: str, version: int | None = None) -> LicenceTemplate: ...
    def add_listing(self, listing: Listing, report: dict[str, Any], standing: AssetStanding) -> None: ...
    def listing(self, listing_id: str) -> Listing: ...
    def listing_report(self, listing_id: str) -> dict[str, Any]: ...
    def listings_of(
        self,
        *,
        lister: str | None,
        exchange_id: str | None,
        status: ListingStatus | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Listing], int]:
        """Listings newest first and their number: ``lister``'s or at ``exchange_id`` (None, None: all)."""
        ...

    def deposited_personal_data(self, asset_id: str) -> bool | None:
        """Whether the asset's current deposit at the delivery gateway declares personal data (None:
        nothing deposited)."""
        ...

    def set_suspension(self, listing_id: str, reason: str | None, standing: AssetStanding | None) -> None: ...
    def delist(self, listing_id: str, reason: str, at: datetime, evidence: ChainEvidence) -> Listing: ...
    def search(self, query: CatalogueQuery) -> CataloguePage: ...
    def search_assets(
        self, terms: Sequence[str], *, limit: int, offset: int
    ) -> tuple[list[dict[str, str]], int]: ...
