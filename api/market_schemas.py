"""Request bodies and parameters of the market routes, converted to the domain's values at the edge."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import Path
from pydantic import AwareDatetime, Field

from dataledger.api.responses.market import (
    ExclusivityName,
    PricingUnitName,
    ProductFormName,
    UpdateFrequencyName,
)
from dataledger.api.schemas import Body
from dataledger.registry.market import demands
from dataledger.registry.market import licence_templates as templates
from dataledger.registry.market import listings as listings

ListingIdPath = Annotated[
    str,
    Path(
        alias="listingId", pattern=r"^0x[0-9a-fA-F]{64}$", description="The listing id (0x and 64 hex digits)"
    ),
]
TemplateIdPath = Annotated[
    str, Path(alias="templateId", min_length=1, max_length=36, description="The licence template's id")
]


class LicenceTermsBody(Body):
    exclusivity: ExclusivityName
    territory: Annotated[str, Field(min_length=1, max_length=templates.MAX_TERRITORY)]
    business_sectors: list[Annotated[str, Field(min_length=1, max_length=templates.MAX_SECTOR)]] = Field(
        default_factory=list, max_length=templates.MAX_ITEMS, description="Empty: any sector"
    )
    acceptable_uses: list[Annotated[str, Field(min_length=1, max_length=templates.MAX_USE)]] = Field(
        default_factory=list, max_length=templates.MAX_ITEMS
    )
    prohibited_uses: list[Annotated[str, Field(min_length=1, max_length=templates.MAX_USE)]] = Field(
        default_factory=list, max_length=templates.MAX_ITEMS
    )
    term_days: Annotated[int, Field(ge=1, le=templates.MAX_TERM_DAYS)]
    max_uses: Annotated[int, Field(ge=1, le=templates.MAX_USES)]
    resale_allowed: bool = False
    derivatives_allowed: bool = False
    commercial: bool = True
    attribution_required: bool = False
    attribution_text: Annotated[str, Field(max_length=templates.MAX_ATTRIBUTION)] = ""

    def to_domain(self) -> templates.LicenceTerms:
        return templates.LicenceTerms(
            exclusivity=templates.Exclusivity(self.exclusivity),
            territory=self.territory,
            term_days=self.term_days,
            max_uses=self.max_uses,
            business_sectors=tuple(self.business_sectors),
            acceptable_uses=tuple(self.acceptable_uses),
            prohibited_uses=tuple(self.prohibited_uses),
            resale_allowed=self.resale_allowed,
            derivatives_allowed=self.derivatives_allowed,
            commercial=self.commercial,
            attribution_required=self.attribution_required,
            attribution_text=self.attribution_text,
        )


class LicenceTemplateCreate(Body):
    name: Annotated[str, Field(min_length=1, max_length=templates.MAX_NAME)]
    terms: LicenceTermsBody


class LicenceTemplateRevision(Body):
    name: Annotated[str | None, Field(min_length=1, max_length=templates.MAX_NAME)] = Field(
        default=None, description="A new name; the current one if omitted"
    )
    terms: LicenceTermsBody


class DataFieldBody(Body):
    name: Annotated[str, Field(min_length=1, max_length=listings.MAX_FIELD_NAME)]
    type: Annotated[str, Field(min_length=1, max_length=listings.MAX_FIELD_NAME)]
    description: Annotated[str, Field(max_length=listings.MAX_FIELD_TEXT)] = ""


class PersonalDataBody(Body):
    contains_personal_data: bool
    contains_sensitive_data: bool = False
    legal_basis: Annotated[str, Field(max_length=listings.MAX_DECLARATION_TEXT)] = Field(
        default="", description="Required when the product holds personal data"
    )
    protection: Annotated[str, Field(max_length=listings.MAX_DECLARATION_TEXT)] = ""


class PriceBody(Body):
    amount: Annotated[Decimal, Field(ge=0, le=listings.MAX_PRICE, decimal_places=2)] = Field(
        description="In the currency's major unit (yuan), at most two decimals"
    )
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CNY"
    unit: PricingUnitName


class ListingContentBody(Body):
    title: Annotated[str, Field(min_length=1, max_length=listings.MAX_TITLE)]
    subtitle: Annotated[str, Field(max_length=listings.MAX_SUBTITLE)] = ""
    description: Annotated[str, Field(max_length=listings.MAX_DESCRIPTION)] = ""
    product_form: ProductFormName
    category: Annotated[str, Field(min_length=1, max_length=listings.MAX_LABEL)]
    industry: Annotated[str, Field(max_length=listings.MAX_LABEL)] = ""
    update_frequency: UpdateFrequencyName = "irregular"
    data_dictionary: list[DataFieldBody] = Field(
        default_factory=list, max_length=listings.MAX_DICTIONARY_FIELDS
    )
    sample_preview: Annotated[str, Field(max_length=listings.MAX_SAMPLE_PREVIEW)] = ""
    usage_examples: list[Annotated[str, Field(min_length=1, max_length=listings.MAX_USAGE_EXAMPLE)]] = Field(
        default_factory=list, max_length=listings.MAX_USAGE_EXAMPLES
    )
    personal_data: PersonalDataBody
    price: PriceBody
    licence_template_id: Annotated[str, Field(min_length=1, max_length=36)]
    licence_template_version: Annotated[int, Field(ge=1, le=2**31 - 1)]

    def to_domain(self) -> listings.ListingContent:
        personal = self.personal_data
        return listings.ListingContent(
            title=self.title,
            subtitle=self.subtitle,
            description=self.description,
            product_form=listings.ProductForm(self.product_form),
            category=self.category,
            industry=self.industry,
            update_frequency=listings.UpdateFrequency(self.update_frequency),
            data_dictionary=tuple(
                listings.DataField(f.name, f.type, f.description) for f in self.data_dictionary
            ),
            sample_preview=self.sample_preview,
            usage_examples=tuple(self.usage_examples),
            personal_data=listings.PersonalDataDeclaration(
                personal.contains_personal_data,
                personal.contains_sensitive_data,
                personal.legal_basis,
                personal.protection,
            ),
            price=listings.Price(
                self.price.amount, self.price.currency, listings.PricingUnit(self.price.unit)
            ),
            licence_template_id=self.licence_template_id,
            licence_template_version=self.licence_template_version,
        )


class ListingCreate(Body):
    report: dict[str, Any] = Field(
        description="The signed report of a passing listing verification (verifyListing), as answered"
    )
    content: ListingContentBody


class DelistingBody(Body):
    reason: Annotated[str, Field(min_length=1, max_length=listings.MAX_REASON)]


DemandIdPath = Annotated[
    str, Path(alias="demandId", min_length=1, max_length=36, description="The demand's id")
]


class BudgetBody(Body):
    amount: Annotated[Decimal, Field(ge=0, le=listings.MAX_PRICE, decimal_places=2)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CNY"


class DemandCreate(Body):
    title: Annotated[str, Field(min_length=1, max_length=listings.MAX_TITLE)]
    description: Annotated[str, Field(min_length=1, max_length=listings.MAX_DESCRIPTION)] = Field(
        description="What data is needed"
    )
    purpose: Annotated[str, Field(min_length=1, max_length=demands.MAX_PURPOSE)]
    category: Annotated[str, Field(max_length=listings.MAX_LABEL)] = ""
    budget: BudgetBody | None = None
    deadline: AwareDatetime = Field(description="Until when responses are taken (with its time zone)")

    def budget_value(self) -> demands.Budget | None:
        return demands.Budget(self.budget.amount, self.budget.currency) if self.budget else None


class DemandResponseCreate(Body):
    listing_id: Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{64}$")] = Field(
        description="The responder's listed product"
    )
    note: Annotated[str, Field(max_length=demands.MAX_NOTE)] = ""


class DemandClosing(Body):
    response_id: Annotated[str, Field(min_length=1, max_length=36)] = Field(description="The chosen response")
