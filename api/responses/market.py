"""Response shapes of the market: licence templates, listings, the catalogue."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from dataledger.api.responses.assets import REGISTRATION_NUMBER_EXAMPLE, IsoDateTime, RegistrationNumber
from dataledger.api.responses.common import (
    ADDRESS_EXAMPLE,
    ASSET_ID_EXAMPLE,
    CHAIN_EVIDENCE_EXAMPLE,
    ChainAddress,
    ChainEvidence,
    HexHash,
    Page,
    Wire,
    example,
)
from dataledger.registry.market.catalogue import COUNT_LIMIT

TEMPLATE_ID_EXAMPLE = "0f5e9a52-7a0b-4d7c-9b7a-5a2e1c3d4f60"
EXCHANGE_ID_EXAMPLE = "7d3c1b2a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
LISTING_ID_EXAMPLE = "0x" + "5e" * 32
TERMS_HASH_EXAMPLE = "0x" + "7e" * 32
REPORT_HASH_EXAMPLE = "0x" + "9a" * 32
LISTING_HASH_EXAMPLE = "0x" + "6c" * 32

ProductFormName = Literal["dataset", "api", "report", "index", "model", "service"]
UpdateFrequencyName = Literal[
    "real-time", "daily", "weekly", "monthly", "quarterly", "yearly", "one-off", "irregular"
]
PricingUnitName = Literal[
    "per-use", "per-call", "per-record", "per-month", "per-year", "one-off", "negotiable"
]
ExclusivityName = Literal["exclusive", "sole", "non-exclusive"]

TERMS_EXAMPLE: dict[str, Any] = {
    "exclusivity": "non-exclusive",
    "territory": "Hainan Free Trade Port",
    "businessSectors": ["retail", "logistics"],
    "acceptableUses": ["demand forecasting"],
    "prohibitedUses": ["re-identification of persons"],
    "termDays": 365,
    "maxUses": 100,
    "resaleAllowed": False,
    "derivativesAllowed": True,
    "commercial": True,
    "attributionRequired": True,
    "attributionText": "Data: Hainan duty-free retailer",
}


class LicenceTermsPublic(Wire):
    """What a licence made from the template allows."""

    model_config = example(TERMS_EXAMPLE)

    exclusivity: ExclusivityName
    territory: str
    business_sectors: list[str] = Field(description="Empty: any sector")
    acceptable_uses: list[str]
    prohibited_uses: list[str]
    term_days: int = Field(description="How long a licence runs from its grant, in days")
    max_uses: int = Field(description="Uses a licence allows (one authorisation per use)")
    resale_allowed: bool
    derivatives_allowed: bool
    commercial: bool
    attribution_required: bool
    attribution_text: str


TEMPLATE_EXAMPLE: dict[str, Any] = {
    "templateId": TEMPLATE_ID_EXAMPLE,
    "version": 2,
    "exchangeId": EXCHANGE_ID_EXAMPLE,
    "name": "Standard non-exclusive data product licence",
    "terms": TERMS_EXAMPLE,
    "termsHash": TERMS_HASH_EXAMPLE,
    "createdAt": "2026-03-02T09:41:07+00:00",
}


class LicenceTemplate(Wire):
    """One version of an exchange's licence template. A version never changes: a revision is the next
    version, and listings (and orders) keep the version and ``termsHash`` they were made with."""

    model_config = example(TEMPLATE_EXAMPLE)

    template_id: str
    version: int = Field(description="1 for the first, +1 per revision")
    exchange_id: str = Field(description="The exchange participant that offers it")
    name: str
    terms: LicenceTermsPublic
    terms_hash: HexHash = Field(description="SHA-256 of the RFC 8785 canonical terms: what a listing records")
    created_at: IsoDateTime


DATA_FIELD_EXAMPLE = {"name": "category", "type": "string", "description": "product category"}
PERSONAL_DATA_EXAMPLE = {
    "containsPersonalData": False,
    "containsSensitiveData": False,
    "legalBasis": "",
    "protection": "",
}
PRICE_EXAMPLE = {"amount": "1200.00", "currency": "CNY", "unit": "per-month"}


class DataField(Wire):
    """An entry of the product's data dictionary."""

    model_config = example(DATA_FIELD_EXAMPLE)

    name: str
    type: str
    description: str


class PersonalDataDeclaration(Wire):
    """Whether the product holds personal (or sensitive personal) information, and on what basis."""

    model_config = example(PERSONAL_DATA_EXAMPLE)

    contains_personal_data: bool
    contains_sensitive_data: bool
    legal_basis: str = Field(description="Required when the product holds personal data")
    protection: str = Field(description="How the personal data is protected (de-identification...)")


class Price(Wire):
    """A price in a currency's major unit, as a decimal string with two decimals."""

    model_config = example(PRICE_EXAMPLE)

    amount: str = Field(pattern=r"^\d{1,13}\.\d{2}$")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    unit: PricingUnitName


CONTENT_EXAMPLE: dict[str, Any] = {
    "title": "离岛免税销售指数 Duty-free sales index",
    "subtitle": "Monthly sales by category, Hainan offshore duty-free",
    "description": "按品类汇总的海南离岛免税月度销售数据。Aggregated monthly sales by category.",
    "productForm": "index",
    "category": "消费零售",
    "industry": "retail",
    "updateFrequency": "monthly",
    "dataDictionary": [DATA_FIELD_EXAMPLE],
    "samplePreview": "month,category,sales\n2026-01,cosmetics,1200",
    "usageExamples": ["Forecast next quarter's demand per category"],
    "personalData": PERSONAL_DATA_EXAMPLE,
    "price": PRICE_EXAMPLE,
    "licenceTemplateId": TEMPLATE_ID_EXAMPLE,
    "licenceTemplateVersion": 2,
}


class ListingContent(Wire):
    """What the exchange published about the product; ``contentHash`` on the listing is its hash."""

    model_config = example(CONTENT_EXAMPLE)

    title: str
    subtitle: str
    description: str
    product_form: ProductFormName
    category: str
    industry: str
    update_frequency: UpdateFrequencyName
    data_dictionary: list[DataField]
    sample_preview: str
    usage_examples: list[str]
    personal_data: PersonalDataDeclaration
    price: Price
    licence_template_id: str
    licence_template_version: int


EXCHANGE_EXAMPLE = {"id": EXCHANGE_ID_EXAMPLE, "name": "Hainan International Data Exchange"}


class ExchangeRef(Wire):
    model_config = example(EXCHANGE_EXAMPLE)

    id: str = Field(description="The exchange participant's id")
    name: str


class OfferedTemplate(Wire):
    """The licence template version the listing offers, and the hash of its terms (recorded on chain)."""

    model_config = example({"templateId": TEMPLATE_ID_EXAMPLE, "version": 2, "termsHash": TERMS_HASH_EXAMPLE})

    template_id: str
    version: int
    terms_hash: HexHash


class PledgeStatus(Wire):
    """Whether the asset is pledged now, to whom, and which pledgee consented to the listing."""

    model_config = example({"pledged": False, "pledgee": None, "pledgeeConsented": None})

    pledged: bool
    pledgee: ChainAddress | None
    pledgee_consented: ChainAddress | None


class Delisting(Wire):
    model_config = example(
        {
            "reason": "the holder withdrew the product",
            "delistedAt": "2026-04-01T10:00:00+00:00",
            "chainEvidence": CHAIN_EVIDENCE_EXAMPLE,
        }
    )

    reason: str | None
    delisted_at: IsoDateTime | None
    chain_evidence: ChainEvidence | None


LISTING_EXAMPLE: dict[str, Any] = {
    "listingId": LISTING_ID_EXAMPLE,
    "assetId": ASSET_ID_EXAMPLE,
    "registrationNumber": REGISTRATION_NUMBER_EXAMPLE,
    "certificateNumber": "DIP-202603-460100-000042",
    "exchange": EXCHANGE_EXAMPLE,
    "lister": ADDRESS_EXAMPLE,
    "status": "listed",
    "suspension": None,
    "content": CONTENT_EXAMPLE,
    "licenceTemplate": {"templateId": TEMPLATE_ID_EXAMPLE, "version": 2, "termsHash": TERMS_HASH_EXAMPLE},
    "pledge": {"pledged": False, "pledgee": None, "pledgeeConsented": None},
    "reportId": "urn:dataledger:listing-verification:6f1c2a9e-0b7d-4e3a-9c58-2d4f1e6b8a70",
    "reportHash": REPORT_HASH_EXAMPLE,
    "contentHash": LISTING_HASH_EXAMPLE,
    "listedAt": "2026-03-02T09:45:00+00:00",
    "chainEvidence": CHAIN_EVIDENCE_EXAMPLE,
    "delisting": None,
}


class Listing(Wire):
    """A listed data product. ``status`` follows the asset: ``suspended`` (with why) once it is revoked,
    no longer certified, transferred, or pledged to someone who did not consent to the listing."""

    model_config = example(LISTING_EXAMPLE)

    listing_id: HexHash = Field(description="Derived from the asset, the exchange and the report")
    asset_id: HexHash
    registration_number: RegistrationNumber | None = Field(
        description="The asset's registration number; null for an asset registered before registration"
        " numbers (its id names it)"
    )
    certificate_number: str | None = Field(description="The asset's valid registration certificate")
    exchange: ExchangeRef
    lister: ChainAddress = Field(description="The holder whose product it is")
    status: Literal["listed", "suspended", "delisted"]
    suspension: str | None = Field(description="Why the listing is suspended")
    content: ListingContent
    licence_template: OfferedTemplate
    pledge: PledgeStatus
    report_id: str = Field(description="The id of the listing verification report it was listed with")
    report_hash: HexHash = Field(description="SHA-256 of the RFC 8785 canonical report, recorded on chain")
    content_hash: HexHash = Field(description="SHA-256 of the canonical published content, recorded on chain")
    listed_at: IsoDateTime
    chain_evidence: ChainEvidence = Field(description="The market contract's Listed event")
    delisting: Delisting | None


class ListingList(Page):
    model_config = example({"items": [LISTING_EXAMPLE], "total": 1, "limit": 50, "offset": 0})

    items: list[Listing]
    total: int


ENTRY_EXAMPLE: dict[str, Any] = {
    "listingId": LISTING_ID_EXAMPLE,
    "assetId": ASSET_ID_EXAMPLE,
    "registrationNumber": REGISTRATION_NUMBER_EXAMPLE,
    "certificateNumber": "DIP-202603-460100-000042",
    "exchange": EXCHANGE_EXAMPLE,
    "title": "离岛免税销售指数 Duty-free sales index",
    "subtitle": "Monthly sales by category, Hainan offshore duty-free",
    "productForm": "index",
    "category": "消费零售",
    "industry": "retail",
    "updateFrequency": "monthly",
    "containsPersonalData": False,
    "price": PRICE_EXAMPLE,
    "listedAt": "2026-03-02T09:45:00+00:00",
}


class CatalogueEntry(Wire):
    """A listed product as the catalogue shows it (``getListing`` has the whole listing)."""

    model_config = example(ENTRY_EXAMPLE)

    listing_id: HexHash
    asset_id: HexHash
    registration_number: RegistrationNumber | None
    certificate_number: str | None
    exchange: ExchangeRef
    title: str
    subtitle: str
    product_form: ProductFormName
    category: str
    industry: str
    update_frequency: UpdateFrequencyName
    contains_personal_data: bool
    price: Price
    listed_at: IsoDateTime


class FacetCount(Wire):
    model_config = example({"value": "index", "count": 12})

    value: str
    count: int
    label: str | None = Field(default=None, description="A readable name (an exchange's)")


FACETS_EXAMPLE: dict[str, Any] = {
    "categories": [{"value": "消费零售", "count": 12}],
    "productForms": [{"value": "index", "count": 7}, {"value": "api", "count": 5}],
    "exchanges": [{"value": EXCHANGE_ID_EXAMPLE, "count": 12, "label": "Hainan International Data Exchange"}],
}


class CatalogueFacets(Wire):
    """Counts of every match (not only this page) per category, product form and exchange; lower
    bounds when the page's ``totalExact`` is false."""

    model_config = example(FACETS_EXAMPLE)

    categories: list[FacetCount]
    product_forms: list[FacetCount]
    exchanges: list[FacetCount]


class CataloguePage(Page):
    """A page of the catalogue, the number of matches and their facets."""

    model_config = example(
        {
            "items": [ENTRY_EXAMPLE],
            "total": 12,
            "totalExact": True,
            "limit": 20,
            "offset": 0,
            "facets": FACETS_EXAMPLE,
        }
    )

    items: list[CatalogueEntry]
    total: int
    total_exact: bool = Field(
        description=f"False when a text search stopped counting at {COUNT_LIMIT:,} matches: the total and"
        " the facet counts are then lower bounds."
    )
    facets: CatalogueFacets


# -- demands ------------------------------------------------------------------------------------------

DEMAND_ID_EXAMPLE = "3a7c9e21-5b4d-4f6a-8e2c-1d0b9a8f7e6d"
RESPONSE_EXAMPLE: dict[str, Any] = {
    "responseId": "9b1d2c3e-4f5a-4b6c-8d7e-0f1a2b3c4d5e",
    "demandId": DEMAND_ID_EXAMPLE,
    "listingId": LISTING_ID_EXAMPLE,
    "responderId": "5b0f3f8e-2c1d-4c55-9d8e-6a1f0b7c2e41",
    "note": "monthly aggregates by category, from 2021",
    "createdAt": "2026-03-05T10:00:00+00:00",
}


class DemandResponse(Wire):
    """A holder's answer to a demand: one of its listed products."""

    model_config = example(RESPONSE_EXAMPLE)

    response_id: str
    demand_id: str
    listing_id: HexHash
    responder_id: str = Field(description="The holder participant that responded")
    note: str
    created_at: IsoDateTime


class Budget(Wire):
    model_config = example({"amount": "50000.00", "currency": "CNY"})

    amount: str = Field(pattern=r"^\d{1,13}\.\d{2}$")
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class Publisher(Wire):
    model_config = example({"id": EXCHANGE_ID_EXAMPLE, "name": "Hainan International Data Exchange"})

    id: str
    name: str


DEMAND_EXAMPLE: dict[str, Any] = {
    "demandId": DEMAND_ID_EXAMPLE,
    "publisher": {"id": EXCHANGE_ID_EXAMPLE, "name": "Hainan International Data Exchange"},
    "title": "离岛免税客流数据 Duty-free passenger flows",
    "description": "Daily passenger counts per duty-free store, 2023 onwards",
    "purpose": "staffing and replenishment planning",
    "category": "消费零售",
    "budget": {"amount": "50000.00", "currency": "CNY"},
    "deadline": "2026-04-01T00:00:00+00:00",
    "status": "closed",
    "createdAt": "2026-03-01T09:00:00+00:00",
    "chosenResponseId": RESPONSE_EXAMPLE["responseId"],
    "closedAt": "2026-03-10T12:00:00+00:00",
    "responses": [RESPONSE_EXAMPLE],
}


class Demand(Wire):
    """A published demand, its responses, and the one chosen when it closed."""

    model_config = example(DEMAND_EXAMPLE)

    demand_id: str
    publisher: Publisher
    title: str
    description: str = Field(description="What data is needed")
    purpose: str
    category: str
    budget: Budget | None
    deadline: IsoDateTime = Field(description="Responses are taken until then, while it is open")
    status: Literal["open", "closed"]
    created_at: IsoDateTime
    chosen_response_id: str | None
    closed_at: IsoDateTime | None
    responses: list[DemandResponse] = Field(description="Empty in lists of demands")


class DemandList(Page):
    """A page of demands, newest first (without their responses)."""

    model_config = example(
        {"items": [DEMAND_EXAMPLE | {"responses": []}], "total": 1, "limit": 50, "offset": 0}
    )

    items: list[Demand]
    total: int


CERTIFIED_ASSET_EXAMPLE: dict[str, Any] = {
    "assetId": ASSET_ID_EXAMPLE,
    "name": "离岛免税销售数据 Duty-free sales records",
    "rightClaimed": "data-resource-holding",
    "holderAddress": ADDRESS_EXAMPLE,
}


class CertifiedAsset(Wire):
    """A certified asset as anyone may see it: its public facts (never the facts under commitment)."""

    model_config = example(CERTIFIED_ASSET_EXAMPLE)

    asset_id: HexHash = Field(description="Also its registration number")
    name: str
    right_claimed: str
    holder_address: ChainAddress


class CertifiedAssetPage(Page):
    """A page of certified assets, the most recently certified first, and how many match."""

    model_config = example({"items": [CERTIFIED_ASSET_EXAMPLE], "total": 1, "limit": 20, "offset": 0})

    items: list[CertifiedAsset]
    total: int
