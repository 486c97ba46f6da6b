"""The market's value objects and rules, without a chain or a database: bounded listing contents, licence
terms whose hash changes with every term and never otherwise, short terms for CJK queries, the query
object, and when a listing is suspended by its asset's standing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataledger.registry.errors import ValidationFailed
from dataledger.registry.market.catalogue import CatalogueQuery, short_terms
from dataledger.registry.market.licence_templates import Exclusivity, LicenceTemplate, LicenceTerms
from dataledger.registry.market.listings import (
    AssetStanding,
    ListingContent,
    PersonalDataDeclaration,
    Price,
    PricingUnit,
    suspension_of,
)
from tests.market.factories import HOLDER, PLEDGEE, content_json, licence_terms, listing_content


def test_listing_content_round_trips_through_its_wire_form() -> None:
    content = ListingContent.from_json(content_json(licenceTemplateId="t", licenceTemplateVersion=3))
    assert ListingContent.from_json(content.as_json()) == content
    assert content.price.minor_units == 120_000


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": " "}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"description": "x" * 5001}, "description"),
        ({"productForm": "car"}, "productForm"),
        ({"usageExamples": ["x"] * 11}, "usageExamples"),
        ({"price": {"amount": "1.005", "currency": "CNY", "unit": "per-use"}}, "price.amount"),
        ({"price": {"amount": "-1", "currency": "CNY", "unit": "per-use"}}, "price.amount"),
        ({"price": {"amount": "1", "currency": "yuan", "unit": "per-use"}}, "price.currency"),
        ({"personalData": {"containsPersonalData": True}}, "personalData.legalBasis"),
        ({"personalData": {"containsPersonalData": False, "containsSensitiveData": True}}, "personalData"),
    ],
)
def test_listing_content_is_bounded_and_valid_by_construction(overrides: dict, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        ListingContent.from_json(content_json(licenceTemplateId="t", licenceTemplateVersion=1) | overrides)
    assert refused.value.extra.get("field") == field


def test_a_declaration_of_personal_data_states_its_basis() -> None:
    declared = PersonalDataDeclaration(True, True, legal_basis="each person's separate consent")
    assert declared.as_json()["containsSensitiveData"] is True


def test_price_keeps_two_decimals() -> None:
    assert Price(Decimal("0.5"), "CNY", PricingUnit.PER_CALL).as_json()["amount"] == "0.50"


def test_revising_a_template_makes_a_new_version_and_leaves_the_old_one() -> None:
    now = datetime.now(UTC)
    first = LicenceTemplate.first("exchange-1", "Standard", licence_terms(), now)
    second = first.revised(None, licence_terms(max_uses=10), now)
    assert (first.version, second.version, second.template_id) == (1, 2, first.template_id)
    assert first.terms_hash == licence_terms().terms_hash() != second.terms_hash


def test_exclusive_licences_cannot_be_resold_and_attribution_states_its_text() -> None:
    with pytest.raises(ValidationFailed):
        licence_terms(exclusivity=Exclusivity.EXCLUSIVE, resale_allowed=True)
    with pytest.raises(ValidationFailed):
        licence_terms(attribution_required=True, attribution_text="")


@given(
    max_uses=st.integers(1, 10**6),
    term_days=st.integers(1, 3650),
    resale=st.booleans(),
    sectors=st.lists(st.sampled_from(["retail", "logistics", "finance", "health"]), unique=True, max_size=4),
)
def test_the_terms_hash_is_a_function_of_the_terms(
    max_uses: int, term_days: int, resale: bool, sectors: list
) -> None:
    terms = licence_terms(
        max_uses=max_uses, term_days=term_days, resale_allowed=resale, business_sectors=tuple(sectors)
    )
    again = LicenceTerms.from_json(terms.as_json())
    assert again.terms_hash() == terms.terms_hash()
    assert replace(terms, max_uses=max_uses % 10**6 + 1).terms_hash() != terms.terms_hash()


def test_short_terms_are_the_cjk_characters_and_pairs_and_the_other_words() -> None:
    assert short_terms(["海南气象 API", "5G基站"]) == [
        "海",
        "海南",
        "南",
        "南气",
        "气",
        "气象",
        "象",
        "api",
        "基",
        "基站",
        "站",
        "5g",
    ]


def test_a_query_splits_long_and_short_terms_and_folds_width_and_case() -> None:
    query = CatalogueQuery(text="  气象 ＡＰＩ 港，Weather  ")
    assert query.long_terms == ("api", "weather")
    assert query.short_terms == ("气象", "港")
    with pytest.raises(ValidationFailed):
        CatalogueQuery(text="a b c d e f g h i")
    with pytest.raises(ValidationFailed):
        CatalogueQuery(price_min=Decimal(10), price_max=Decimal(1))


CERTIFIED = AssetStanding("certified", HOLDER, None)


@pytest.mark.parametrize(
    ("standing", "consented", "why"),
    [
        (CERTIFIED, None, None),
        (None, None, "not registered"),
        (replace(CERTIFIED, state="revoked"), None, "revoked"),
        (replace(CERTIFIED, state="in_notice"), None, "in notice, not certified"),
        (replace(CERTIFIED, holder=PLEDGEE), None, "transferred"),
        (replace(CERTIFIED, pledgee=PLEDGEE), None, "did not consent"),
        (replace(CERTIFIED, pledgee=PLEDGEE), PLEDGEE.upper().replace("0X", "0x"), None),
        (replace(CERTIFIED, pledgee="0x" + "99" * 20), PLEDGEE, "did not consent"),
        (replace(CERTIFIED, certificate_valid_until=100), None, "expired"),
    ],
)
def test_a_listing_is_suspended_by_its_assets_standing(
    standing: AssetStanding | None, consented: str | None, why: str | None
) -> None:
    found = suspension_of(HOLDER.upper().replace("0X", "0x"), consented, standing, now=200)
    assert (found is None) if why is None else (found is not None and why in found), found


def test_listing_content_factory_is_valid() -> None:
    assert listing_content().licence_template_version == 1
