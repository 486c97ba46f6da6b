"""Listings and licence templates: what an exchange does, checked, recorded on chain, then stored.

An exchange lists a certified data product with the signed report of a listing verification that
passed (``registry.listing_verification``): the report must be the registrar's, about this exchange,
recent, and the asset must still stand as the report found it. The report's hash is recorded on the
market contract as a passing verification, then the listing with it (the contract refuses a report
that is not recorded as passing, an exchange it does not know, an asset that is not certified), and
the report is stored beside the listing. Only the exchange that listed a product delists it, with a
reason. A listing is derived from its report (one listing per report): if the process stops between
the chain and the database, listing again with the same report and content stores what the chain holds.

A listing follows its asset. Reading one listing asks the chain where its asset stands
(:func:`~dataledger.registry.market.listings.suspension_of`) and writes the answer through to the
store; the catalogue reads the store, whose copy of each listing's asset standing the store itself
keeps in step with its records of assets and pledges (``ledger.sql.market_store``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from dataledger.registry.assets import reason_hash
from dataledger.registry.canonical import json_hash
from dataledger.registry.chain_types import ChainEvidence, OnChainAssetStatus
from dataledger.registry.errors import (
    AlreadyExists,
    ListingNotActive,
    ListingNotFound,
    ListingReportNotPassing,
    NotAuthorised,
    PersonalDataDeclarationMismatch,
    ValidationFailed,
)
from dataledger.registry.listing_verification import verify_report
from dataledger.registry.market.catalogue import CataloguePage, CatalogueQuery
from dataledger.registry.market.licence_templates import LicenceTemplate, LicenceTerms
from dataledger.registry.market.listings import (
    MAX_REASON,
    AssetStanding,
    Listing,
    ListingContent,
    ListingStatus,
    bounded_text,
    exchange_key,
    listed_status,
    listing_hash,
    listing_id_for,
    suspension_of,
)
from dataledger.registry.market.ports import CertificateNumbers, MarketChain, MarketRecords, RegistryReads
from dataledger.registry.participants import Participant, Role
from dataledger.registry.registrar_keys import RegistrarPublicKey
from dataledger.registry.visibility import oversees

#: How old a listing verification report may be when the exchange lists with it.
REPORT_MAX_AGE = timedelta(hours=24)
_CONSENTING_PLEDGEE = re.compile(r"^pledged to (0x[0-9a-fA-F]{40}), who consents")


def _require_exchange(me: Participant) -> None:
    # Not require_role: the administrator is no exchange, and a listing is an exchange's act.
    if me.role is not Role.EXCHANGE:
        raise NotAuthorised("only an exchange lists and delists products", role=me.role.value)


class MarketService:
    def __init__(
        self,
        chain: MarketChain,
        registry: RegistryReads,
        records: MarketRecords,
        certificates: CertificateNumbers,
        registrar: RegistrarPublicKey,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._chain = chain
        self._registry = registry
        self._records = records
        self._certificates = certificates
        self._registrar = registrar
        self._clock = clock or (lambda: datetime.now(UTC))

    # -- licence templates ------------------------------------------------------------------------

    def create_template(self, me: Participant, name: str, terms: LicenceTerms) -> LicenceTemplate:
        """An exchange's new licence template, at version 1."""
        _require_exchange(me)
        template = LicenceTemplate.first(me.id, name, terms, self._clock())
        self._records.add_template(template)
        return template

    def revise_template(
        self, me: Participant, template_id: str, terms: LicenceTerms, name: str | None = None
    ) -> LicenceTemplate:
        """The template's next version; earlier versions (and what listed or ordered under them) stay."""
        _require_exchange(me)
        latest = self._records.template(template_id)
        if latest.exchange_id != me.id:
            raise NotAuthorised("only the exchange that made a template revises it")
        revised = latest.revised(name, terms, self._clock())
        try:
            self._records.add_template(revised)
        except AlreadyExists:  # another revision took this version number first
            raise ValidationFailed(
                "the template was revised meanwhile; read it and revise again", field="templateId"
            ) from None
        return revised

    def template(self, template_id: str, version: int | None = None) -> LicenceTemplate:
        return self._records.template(template_id, version)

    # -- listings ---------------------------------------------------------------------------------

    def list_product(self, me: Participant, report: dict[str, Any], content: ListingContent) -> Listing:
        """List the product the passing ``report`` verified, with ``content``, on chain then in the store."""
        _require_exchange(me)
        verify_report(report, self._registrar)  # VerificationFailed: not as the registrar signed it
        subject = report.get("credentialSubject") or {}
        asset_id, lister = str(subject.get("assetId", "")).lower(), str(subject.get("lister", ""))
        self._require_listable(report, subject, me)
        template = self._records.template(content.licence_template_id, content.licence_template_version)
        if template.exchange_id != me.id:
            raise NotAuthorised("an exchange offers its own licence templates", field="licenceTemplateId")

        deposited = self._records.deposited_personal_data(asset_id)
        if deposited is not None and deposited != content.personal_data.contains_personal_data:
            raise PersonalDataDeclarationMismatch(
                "the listing and the holder's deposit at the delivery gateway disagree on personal data:"
                f" the listing declares {'' if content.personal_data.contains_personal_data else 'no '}"
                f"personal data, the deposit {'does' if deposited else 'does not'}",
                field="personalData.containsPersonalData",
                assetId=asset_id,
            )
        consented = self._consenting_pledgee(subject)
        standing = self.standing(asset_id)
        now = self._registry.next_block_timestamp()
        why = suspension_of(lister, consented, standing, now)
        if why is not None:
            raise ListingReportNotPassing(
                f"the asset changed since the verification: {why}", assetId=asset_id
            )

        report_hash = json_hash(report)
        key = exchange_key(me.id)
        if not self._chain.is_exchange(key):
            self._chain.enrol_exchange(key)
        listing_id = listing_id_for(asset_id, key, report_hash)
        content_hash = listing_hash(content, asset_id, me.id)
        recorded = self._chain.verification_of(report_hash)
        if recorded is not None and recorded.used:
            evidence = self._unstored_listing(listing_id, template.terms_hash, content_hash)
        else:
            if recorded is None:
                self._chain.record_verification(report_hash, asset_id, True)
            evidence = self._chain.list_product(
                listing_id, asset_id, key, report_hash, template.terms_hash, content_hash
            )
        listing = Listing(
            listing_id=listing_id,
            asset_id=asset_id,
            exchange_id=me.id,
            exchange_name=me.name,
            lister=lister,
            content=content,
            report_id=str(report.get("id", "")),
            report_hash=report_hash,
            terms_hash=template.terms_hash,
            content_hash=content_hash,
            certificate_number=self._certificate_number(asset_id),
            pledgee_consented=consented,
            status=ListingStatus.LISTED,
            listed_at=self._clock(),
            evidence=evidence,
            asset_pledgee=standing.pledgee if standing else None,
        )
        assert standing is not None  # suspension_of refused an unregistered asset
        self._records.add_listing(listing, report, standing)
        return self._records.listing(listing_id)  # as every later read tells it (its registration number)

    def listing(self, listing_id: str) -> Listing:
        """The listing, its status as its asset stands on chain now (written through to the store)."""
        listing = self._records.listing(listing_id)
        if listing.status is ListingStatus.DELISTED:
            return listing
        standing = self.standing(listing.asset_id)
        now = self._registry.next_block_timestamp()
        why = suspension_of(listing.lister, listing.pledgee_consented, standing, now)
        if why != listing.suspension:
            self._records.set_suspension(listing_id, why, standing)
        suspended = replace(listing, suspension=why, asset_pledgee=standing.pledgee if standing else None)
        return replace(suspended, status=listed_status(listing, why))

    def listings(
        self, viewer: Participant, *, status: ListingStatus | None, limit: int, offset: int
    ) -> tuple[list[Listing], int]:
        """The viewer's listings, newest first: those listed from its chain address (it held the asset
        then; a transfer since suspends them) and those at its exchange; every listing for oversight.
        Statuses as the store last saw each asset."""
        if oversees(viewer):
            return self._records.listings_of(
                lister=None, exchange_id=None, status=status, limit=limit, offset=offset
            )
        return self._records.listings_of(
            lister=viewer.address or "", exchange_id=viewer.id, status=status, limit=limit, offset=offset
        )

    def report(self, listing_id: str) -> dict[str, Any]:
        """The signed verification report a listing was made with."""
        return self._records.listing_report(listing_id)

    def delist(self, me: Participant, listing_id: str, reason: str) -> Listing:
        """The exchange that listed the product takes it off, with a reason (recorded by its hash)."""
        _require_exchange(me)
        reason = bounded_text(reason, "reason", MAX_REASON, required=True)
        listing = self._records.listing(listing_id)
        if listing.exchange_id != me.id:
            raise NotAuthorised("only the exchange that listed a product delists it")
        if listing.status is ListingStatus.DELISTED:
            raise ListingNotActive("the listing is already delisted", listingId=listing_id)
        evidence = self._chain.delist(listing_id, exchange_key(me.id), reason_hash(reason))
        return self._records.delist(listing_id, reason, self._clock(), evidence)

    # -- the catalogue ----------------------------------------------------------------------------

    def search(self, query: CatalogueQuery) -> CataloguePage:
        return self._records.search(query)

    def search_assets(self, query: CatalogueQuery) -> tuple[list[dict[str, str]], int]:
        """Certified assets whose name holds every term of ``query``: their public facts (name, right
        claimed, holder), as anyone may see them; the other filters of a listing search do not apply."""
        terms = (*query.long_terms, *query.short_terms)
        return self._records.search_assets(terms, limit=query.limit, offset=query.offset)

    # -- helpers ----------------------------------------------------------------------------------

    def standing(self, asset_id: str) -> AssetStanding | None:
        """Where the asset stands on the registry contract now."""
        asset = self._registry.asset(asset_id)
        if asset is None or asset.status is OnChainAssetStatus.NONE:
            return None
        procedure = self._registry.procedure(asset_id)
        return AssetStanding(
            state=asset.status.name.lower(),
            holder=asset.holder,
            pledgee=procedure.pledgee if procedure else None,
            certificate_valid_until=procedure.certificate_valid_until if procedure else 0,
        )

    def _require_listable(self, report: dict[str, Any], subject: dict[str, Any], me: Participant) -> None:
        if subject.get("listable") is not True:
            failed = ", ".join(subject.get("failedChecks") or ()) or "unknown"
            raise ListingReportNotPassing(f"the verification failed: {failed}", failedChecks=failed)
        if subject.get("exchange") != me.name:
            raise ListingReportNotPassing(
                "the report was made for another exchange", exchange=subject.get("exchange")
            )
        try:
            made = datetime.fromisoformat(str(report.get("validFrom", "")).replace("Z", "+00:00"))
        except ValueError:
            raise ListingReportNotPassing("the report has no valid time") from None
        if self._clock() - made > REPORT_MAX_AGE:
            hours = int(REPORT_MAX_AGE.total_seconds() // 3600)
            raise ListingReportNotPassing(
                f"the report is older than {hours} hours: verify again", validFrom=str(made)
            )

    def _unstored_listing(self, listing_id: str, terms_hash: str, content_hash: str) -> ChainEvidence:
        """The evidence of a listing the chain holds and the store does not (the process stopped between
        the two), when this request lists the very same; else the report already served a listing."""
        served = ListingReportNotPassing("this report already served a listing", listingId=listing_id)
        try:
            self._records.listing(listing_id)
            raise served
        except ListingNotFound:
            pass
        on_chain = self._chain.listing_of(listing_id)
        evidence = self._chain.listed_evidence(listing_id)
        if on_chain is None or evidence is None:
            raise served
        if (on_chain["termsHash"], on_chain["listingHash"]) != (terms_hash, content_hash):
            raise ListingReportNotPassing(
                "this report already served a listing with other terms or content", listingId=listing_id
            )
        return evidence

    @staticmethod
    def _consenting_pledgee(subject: dict[str, Any]) -> str | None:
        """The pledgee whose consent the report checked, if the product was pledged."""
        for check in subject.get("checks") or ():
            if check.get("name") == "not-pledged":
                found = _CONSENTING_PLEDGEE.match(str(check.get("detail", "")))
                return found.group(1) if found else None
        return None

    def _certificate_number(self, asset_id: str) -> str | None:
        valid = [c for c in self._certificates.certificates_of(asset_id) if c.get("status") == "valid"]
        return str(valid[-1]["number"]) if valid else None
