"""Factories of the market tests: listing contents, licence terms, listings as the store keeps them."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.market.licence_templates import Exclusivity, LicenceTerms
from dataledger.registry.market.listings import (
    AssetStanding,
    DataField,
    Listing,
    ListingContent,
    ListingStatus,
    PersonalDataDeclaration,
    Price,
    PricingUnit,
    ProductForm,
    UpdateFrequency,
)

_seq = itertools.count(1)
HOLDER = "0x" + "3c" * 20
PLEDGEE = "0x" + "b4" * 20


def hex32(n: int) -> str:
    return "0x" + n.to_bytes(32, "big").hex()


def licence_terms(**overrides: Any) -> LicenceTerms:
    values: dict[str, Any] = {
        "exclusivity": Exclusivity.NON_EXCLUSIVE,
        "territory": "Hainan Free Trade Port",
        "term_days": 365,
        "max_uses": 100,
        "business_sectors": ("retail", "logistics"),
        "acceptable_uses": ("demand forecasting",),
        "resale_allowed": False,
        "attribution_required": True,
        "attribution_text": "Data: Hainan duty-free retailer",
    }
    return LicenceTerms(**(values | overrides))


def content_json(**overrides: Any) -> dict[str, Any]:
    """A listing content on the wire (camelCase), as an exchange sends it."""
    values: dict[str, Any] = {
        "title": "离岛免税销售指数 Duty-free sales index",
        "subtitle": "Monthly sales by category, Hainan offshore duty-free",
        "description": "按品类汇总的海南离岛免税月度销售数据，用于需求预测。Monthly sales by category.",
        "productForm": "index",
        "category": "消费零售",
        "industry": "retail",
        "updateFrequency": "monthly",
        "dataDictionary": [{"name": "category", "type": "string", "description": "product category"}],
        "samplePreview": "month,category,sales\n2026-01,cosmetics,1200",
        "usageExamples": ["Forecast next quarter's demand per category"],
        "personalData": {"containsPersonalData": False, "containsSensitiveData": False},
        "price": {"amount": "1200.00", "currency": "CNY", "unit": "per-month"},
    }
    return values | overrides


def listing_content(template_id: str = "t-1", version: int = 1, **overrides: Any) -> ListingContent:
    values: dict[str, Any] = {
        "title": "Duty-free sales index",
        "product_form": ProductForm.INDEX,
        "category": "retail",
        "price": Price(Decimal("1200"), "CNY", PricingUnit.PER_MONTH),
        "personal_data": PersonalDataDeclaration(contains_personal_data=False),
        "licence_template_id": template_id,
        "licence_template_version": version,
        "update_frequency": UpdateFrequency.MONTHLY,
        "data_dictionary": (DataField("category", "string"),),
    }
    return ListingContent(**(values | overrides))


def stored_listing(
    content: ListingContent | None = None,
    *,
    exchange_id: str = "exchange-1",
    exchange_name: str = "Hainan Data Exchange",
    pledgee_consented: str | None = None,
) -> Listing:
    n = next(_seq)
    return Listing(
        listing_id=hex32(10_000_000 + n + uuid.uuid4().int % 10**9 * 100),
        asset_id=hex32(n + uuid.uuid4().int % 10**9 * 100),
        exchange_id=exchange_id,
        exchange_name=exchange_name,
        lister=HOLDER,
        content=content or listing_content(),
        report_id=f"urn:dataledger:listing-verification:{uuid.uuid4()}",
        report_hash=hex32(uuid.uuid4().int),
        terms_hash=hex32(7),
        content_hash=hex32(8),
        certificate_number="DL-2026-000001",
        pledgee_consented=pledgee_consented,
        status=ListingStatus.LISTED,
        listed_at=datetime.now(UTC),
        evidence=ChainEvidence(31337, "0x" + "1c" * 20, hex32(n), 1, 0),
    )


CERTIFIED = AssetStanding(state="certified", holder=HOLDER, pledgee=None)
