"""A listing: an exchange's published offer of a certified data product, valid by construction.

What an exchange publishes (title, description, form, data dictionary, sample, price...) is a
:class:`ListingContent`; its canonical hash is recorded on chain with the listing, beside the hash of
the passing verification report and the hash of the licence terms offered, so none of the three can
change under a buyer. A :class:`Listing` is that content with its asset, exchange, report, chain
evidence and status. A listing follows its asset: :func:`suspension_of` says why a listed product is
suspended (revoked, no longer certified, transferred, pledged without the pledgee's consent).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from dataledger.registry.canonical import json_hash
from dataledger.registry.chain_types import ChainEvidence, require_address, require_hex32
from dataledger.registry.errors import ValidationFailed
from dataledger.registry.keccak import keccak256

LISTING_CONTENT_VERSION = "dataledger.listing.v1"

MAX_TITLE = 120
MAX_SUBTITLE = 200
MAX_DESCRIPTION = 5000
MAX_LABEL = 60  # category, industry
MAX_DICTIONARY_FIELDS = 200
MAX_FIELD_NAME = 100
MAX_FIELD_TEXT = 500
MAX_SAMPLE_PREVIEW = 4000
MAX_USAGE_EXAMPLES = 10
MAX_USAGE_EXAMPLE = 1000
MAX_DECLARATION_TEXT = 1000
MAX_REASON = 1000
MAX_PRICE = Decimal("1000000000000")  # 10^12 in the currency's major unit
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class ProductForm(enum.StrEnum):
    DATASET = "dataset"
    API = "api"
    REPORT = "report"
    INDEX = "index"
    MODEL = "model"
    SERVICE = "service"


class UpdateFrequency(enum.StrEnum):
    REAL_TIME = "real-time"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"
    ONE_OFF = "one-off"
    IRREGULAR = "irregular"


class PricingUnit(enum.StrEnum):
    PER_USE = "per-use"
    PER_CALL = "per-call"
    PER_RECORD = "per-record"
    PER_MONTH = "per-month"
    PER_YEAR = "per-year"
    ONE_OFF = "one-off"
    NEGOTIABLE = "negotiable"


class ListingStatus(enum.StrEnum):
    LISTED = "listed"
    SUSPENDED = "suspended"  # listed, but its asset no longer allows it (see suspension_of)
    DELISTED = "delisted"


def bounded_text(value: object, name: str, limit: int, *, required: bool = False) -> str:
    """``value`` as a stripped string of at most ``limit`` characters (non-empty if ``required``)."""
    if not isinstance(value, str):
        raise ValidationFailed(f"{name} must be a string", field=name)
    text = value.strip()
    if required and not text:
        raise ValidationFailed(f"{name} must not be empty", field=name)
    if len(text) > limit:
        raise ValidationFailed(f"{name} is longer than {limit} characters", field=name, limit=limit)
    return text


E = TypeVar("E", bound=enum.StrEnum)


def choice(kind: type[E], value: object, name: str) -> E:
    try:
        return kind(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ValidationFailed(f"{name} must be one of {allowed}", field=name) from None


@dataclass(frozen=True, slots=True)
class DataField:
    """One entry of a product's data dictionary."""

    name: str
    type: str
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "name", bounded_text(self.name, "dataDictionary.name", MAX_FIELD_NAME, required=True)
        )
        object.__setattr__(
            self, "type", bounded_text(self.type, "dataDictionary.type", MAX_FIELD_NAME, required=True)
        )
        object.__setattr__(
            self, "description", bounded_text(self.description, "dataDictionary.description", MAX_FIELD_TEXT)
        )

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "description": self.description}


@dataclass(frozen=True, slots=True)
class PersonalDataDeclaration:
    """Whether the product holds personal or sensitive personal information and, if so, on what basis
    (consent, contract, law...) and how it is protected."""

    contains_personal_data: bool
    contains_sensitive_data: bool = False
    legal_basis: str = ""
    protection: str = ""

    def __post_init__(self) -> None:
        basis = bounded_text(self.legal_basis, "personalData.legalBasis", MAX_DECLARATION_TEXT)
        protection = bounded_text(self.protection, "personalData.protection", MAX_DECLARATION_TEXT)
        if self.contains_sensitive_data and not self.contains_personal_data:
            raise ValidationFailed(
                "sensitive personal data is personal data: declare both", field="personalData"
            )
        if self.contains_personal_data and not basis:
            raise ValidationFailed(
                "a product with personal data must state its legal basis", field="personalData.legalBasis"
            )
        object.__setattr__(self, "legal_basis", basis)
        object.__setattr__(self, "protection", protection)

    def as_json(self) -> dict[str, Any]:
        return {
            "containsPersonalData": self.contains_personal_data,
            "containsSensitiveData": self.contains_sensitive_data,
            "legalBasis": self.legal_basis,
            "protection": self.protection,
        }


@dataclass(frozen=True, slots=True)
class Price:
    """A price in a currency's major unit (at most two decimals) per pricing unit."""

    amount: Decimal
    currency: str
    unit: PricingUnit

    def __post_init__(self) -> None:
        try:
            amount = Decimal(str(self.amount))
            exact = amount.is_finite() and amount == amount.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            exact = False
        if not exact:
            raise ValidationFailed(
                "price.amount must be a decimal number with at most two decimals", field="price.amount"
            )
        amount = amount.quantize(Decimal("0.01"))
        if not amount.is_finite() or amount < 0 or amount > MAX_PRICE:
            raise ValidationFailed(f"price.amount must be between 0 and {MAX_PRICE}", field="price.amount")
        if not isinstance(self.currency, str) or not _CURRENCY.match(self.currency):
            raise ValidationFailed(
                "price.currency must be an ISO 4217 code such as CNY", field="price.currency"
            )
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "unit", choice(PricingUnit, self.unit, "price.unit"))

    @property
    def minor_units(self) -> int:
        """The amount in hundredths (fen, cents): what the catalogue filters and sorts by."""
        return int(self.amount * 100)

    def as_json(self) -> dict[str, Any]:
        return {"amount": str(self.amount), "currency": self.currency, "unit": self.unit.value}


@dataclass(frozen=True, slots=True)
class ListingContent:
    """What an exchange publishes about a listed product; its hash is recorded on chain."""

    title: str
    product_form: ProductForm
    category: str
    price: Price
    personal_data: PersonalDataDeclaration
    licence_template_id: str
    licence_template_version: int
    subtitle: str = ""
    description: str = ""
    industry: str = ""
    update_frequency: UpdateFrequency = UpdateFrequency.IRREGULAR
    data_dictionary: tuple[DataField, ...] = ()
    sample_preview: str = ""
    usage_examples: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "title", bounded_text(self.title, "title", MAX_TITLE, required=True))
        set_(self, "subtitle", bounded_text(self.subtitle, "subtitle", MAX_SUBTITLE))
        set_(self, "description", bounded_text(self.description, "description", MAX_DESCRIPTION))
        set_(self, "category", bounded_text(self.category, "category", MAX_LABEL, required=True))
        set_(self, "industry", bounded_text(self.industry, "industry", MAX_LABEL))
        set_(self, "product_form", choice(ProductForm, self.product_form, "productForm"))
        set_(self, "update_frequency", choice(UpdateFrequency, self.update_frequency, "updateFrequency"))
        if len(self.data_dictionary) > MAX_DICTIONARY_FIELDS:
            raise ValidationFailed(
                f"a data dictionary has at most {MAX_DICTIONARY_FIELDS} fields", field="dataDictionary"
            )
        set_(self, "sample_preview", bounded_text(self.sample_preview, "samplePreview", MAX_SAMPLE_PREVIEW))
        if len(self.usage_examples) > MAX_USAGE_EXAMPLES:
            raise ValidationFailed(f"at most {MAX_USAGE_EXAMPLES} usage examples", field="usageExamples")
        set_(
            self,
            "usage_examples",
            tuple(
                bounded_text(e, "usageExamples", MAX_USAGE_EXAMPLE, required=True)
                for e in self.usage_examples
            ),
        )
        if self.licence_template_version < 1:
            raise ValidationFailed("licence template versions start at 1", field="licenceTemplateVersion")

    def as_json(self) -> dict[str, Any]:
        """The content on the wire (camelCase), and what its hash is taken over."""
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "description": self.description,
            "productForm": self.product_form.value,
            "category": self.category,
            "industry": self.industry,
            "updateFrequency": self.update_frequency.value,
            "dataDictionary": [f.as_json() for f in self.data_dictionary],
            "samplePreview": self.sample_preview,
            "usageExamples": list(self.usage_examples),
            "personalData": self.personal_data.as_json(),
            "price": self.price.as_json(),
            "licenceTemplateId": self.licence_template_id,
            "licenceTemplateVersion": self.licence_template_version,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ListingContent:
        """The content from its wire form (as :meth:`as_json` writes it)."""
        try:
            return cls(
                title=data["title"],
                subtitle=data.get("subtitle", ""),
                description=data.get("description", ""),
                product_form=data["productForm"],
                category=data["category"],
                industry=data.get("industry", ""),
                update_frequency=data.get("updateFrequency", UpdateFrequency.IRREGULAR),
                data_dictionary=tuple(DataField(**f) for f in data.get("dataDictionary", ())),
                sample_preview=data.get("samplePreview", ""),
                usage_examples=tuple(data.get("usageExamples", ())),
                personal_data=PersonalDataDeclaration(
                    contains_personal_data=data["personalData"]["containsPersonalData"],
                    contains_sensitive_data=data["personalData"].get("containsSensitiveData", False),
                    legal_basis=data["personalData"].get("legalBasis", ""),
                    protection=data["personalData"].get("protection", ""),
                ),
                price=Price(
                    Decimal(str(data["price"]["amount"])), data["price"]["currency"], data["price"]["unit"]
                ),
                licence_template_id=data["licenceTemplateId"],
                licence_template_version=int(data["licenceTemplateVersion"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValidationFailed(f"listing content is incomplete: {exc}") from None

    def search_text(self) -> str:
        """Everything the catalogue's full-text search reads, one field a line."""
        parts = [
            self.title,
            self.subtitle,
            self.category,
            self.industry,
            self.description,
            *self.usage_examples,
        ]
        parts += [f"{f.name} {f.description}" for f in self.data_dictionary]
        return "\n".join(p for p in parts if p)


def listing_hash(content: ListingContent, asset_id: str, exchange_id: str) -> str:
    """The hash recorded on chain of what the exchange published for this asset (RFC 8785, SHA-256)."""
    return json_hash(
        {
            "v": LISTING_CONTENT_VERSION,
            "assetId": asset_id,
            "exchangeId": exchange_id,
            "content": content.as_json(),
        }
    )


def exchange_key(participant_id: str) -> str:
    """The 32-byte id by which the market contract knows an exchange participant."""
    return "0x" + keccak256(f"dataledger.exchange:{participant_id}".encode()).hex()


def listing_id_for(asset_id: str, exchange: str, report_hash: str) -> str:
    """A listing's id: derived from what it lists, where, and on which report (one listing per report)."""
    return (
        "0x"
        + keccak256(
            bytes.fromhex(asset_id[2:]) + bytes.fromhex(exchange[2:]) + bytes.fromhex(report_hash[2:])
        ).hex()
    )


@dataclass(frozen=True, slots=True)
class Listing:
    """A listed (or delisted) product, as the registry keeps it."""

    listing_id: str
    asset_id: str
    exchange_id: str  # the exchange participant's id
    exchange_name: str
    lister: str  # the holder's chain address the verification checked
    content: ListingContent
    report_id: str
    report_hash: str
    terms_hash: str
    content_hash: str  # listing_hash(content, ...), recorded on chain
    certificate_number: str | None
    pledgee_consented: str | None  # the pledgee who consented to the listing, if it was pledged
    status: ListingStatus
    listed_at: datetime
    evidence: ChainEvidence
    suspension: str | None = None
    delisting_reason: str | None = None
    delisted_at: datetime | None = None
    delisting_evidence: ChainEvidence | None = None
    asset_pledgee: str | None = field(default=None)  # the asset's pledgee now, when known
    # The asset's registration number (IIIIII-YYYY-NNNNNNNN-C); None for an asset registered before
    # registration numbers, which its id alone names.
    registration_number: str | None = None

    def __post_init__(self) -> None:
        for name in ("listing_id", "asset_id", "report_hash", "terms_hash", "content_hash"):
            object.__setattr__(self, name, require_hex32(getattr(self, name), name))
        object.__setattr__(self, "lister", require_address(self.lister, "lister").lower())
        for name in ("pledgee_consented", "asset_pledgee"):
            address = getattr(self, name)
            if address is not None:
                object.__setattr__(self, name, require_address(address, name).lower())

    def as_json(self) -> dict[str, Any]:
        """The listing on the wire (camelCase)."""
        content = self.content
        delisting = None
        if self.status is ListingStatus.DELISTED:
            delisting = {
                "reason": self.delisting_reason,
                "delistedAt": self.delisted_at.isoformat() if self.delisted_at else None,
                "chainEvidence": self.delisting_evidence.as_json() if self.delisting_evidence else None,
            }
        return {
            "listingId": self.listing_id,
            "assetId": self.asset_id,
            "registrationNumber": self.registration_number,
            "certificateNumber": self.certificate_number,
            "exchange": {"id": self.exchange_id, "name": self.exchange_name},
            "lister": self.lister,
            "status": self.status.value,
            "suspension": self.suspension,
            "content": content.as_json(),
            "licenceTemplate": {
                "templateId": content.licence_template_id,
                "version": content.licence_template_version,
                "termsHash": self.terms_hash,
            },
            "pledge": {
                "pledged": self.asset_pledgee is not None,
                "pledgee": self.asset_pledgee,
                "pledgeeConsented": self.pledgee_consented,
            },
            "reportId": self.report_id,
            "reportHash": self.report_hash,
            "contentHash": self.content_hash,
            "listedAt": self.listed_at.isoformat(),
            "chainEvidence": self.evidence.as_json(),
            "delisting": delisting,
        }


@dataclass(frozen=True, slots=True)
class AssetStanding:
    """What a listing's status depends on: where its asset stands now (from the chain, or the store's
    mirror of it)."""

    state: str  # an AssetState value: certified, revoked, cancelled...
    holder: str
    pledgee: str | None
    certificate_valid_until: int = 0  # Unix seconds; 0: no expiry known


def suspension_of(
    lister: str, pledgee_consented: str | None, standing: AssetStanding | None, now: int | None = None
) -> str | None:
    """Why a listing by ``lister`` (with the consent of ``pledgee_consented``, if the asset was pledged)
    is suspended by its asset's standing, or None if the asset still allows it."""
    if standing is None:
        return "the asset is not registered"
    if standing.state in ("revoked", "cancelled", "rejected"):
        return f"the asset's registration is {standing.state}"
    if standing.state != "certified":
        return f"the asset is {standing.state.replace('_', ' ')}, not certified"
    if now is not None and standing.certificate_valid_until and now > standing.certificate_valid_until:
        return "the asset's certificate has expired"
    if standing.holder.lower() != lister.lower():
        return f"the asset was transferred to {standing.holder}"
    if standing.pledgee is not None and (
        pledgee_consented is None or standing.pledgee.lower() != pledgee_consented.lower()
    ):
        return f"the asset is pledged to {standing.pledgee}, who did not consent to this listing"
    return None


def listed_status(listing: Listing, reason: str | None) -> ListingStatus:
    """A listing's status given its suspension reason (a delisting is final)."""
    if listing.status is ListingStatus.DELISTED:
        return ListingStatus.DELISTED
    return ListingStatus.SUSPENDED if reason is not None else ListingStatus.LISTED


__all__: Sequence[str] = (
    "AssetStanding",
    "DataField",
    "Listing",
    "ListingContent",
    "ListingStatus",
    "PersonalDataDeclaration",
    "Price",
    "PricingUnit",
    "ProductForm",
    "UpdateFrequency",
    "exchange_key",
    "listing_hash",
    "listing_id_for",
    "suspension_of",
)
