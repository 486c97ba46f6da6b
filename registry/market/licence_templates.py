"""Licence templates: the terms an exchange offers with its listings, versioned and hashed.

A template's terms are the parameters exchanges use (exclusivity, territory, business sectors,
acceptable uses, term, number of uses, resale, derivatives, commercial use, attribution). The hash of
a version's terms (RFC 8785, SHA-256) is what a listing records on chain and what an order will bind
to, so a version never changes: editing a template makes the next version.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dataledger.registry.canonical import json_hash
from dataledger.registry.errors import ValidationFailed
from dataledger.registry.market.listings import bounded_text, choice

TERMS_VERSION = "dataledger.licence-template.v1"
MAX_NAME = 120
MAX_TERRITORY = 200
MAX_ITEMS = 20
MAX_SECTOR = 60
MAX_USE = 200
MAX_ATTRIBUTION = 200
MAX_TERM_DAYS = 3650
MAX_USES = 1_000_000_000


class Exclusivity(enum.StrEnum):
    EXCLUSIVE = "exclusive"  # only the licensee, not even the holder, may use the data in the scope
    SOLE = "sole"  # the licensee and the holder, nobody else
    NON_EXCLUSIVE = "non-exclusive"


def _items(values: Sequence[str], name: str, limit: int) -> tuple[str, ...]:
    if isinstance(values, str) or len(values) > MAX_ITEMS:
        raise ValidationFailed(f"{name} is a list of at most {MAX_ITEMS} entries", field=name)
    items = tuple(bounded_text(v, name, limit, required=True) for v in values)
    if len(set(items)) != len(items):
        raise ValidationFailed(f"{name} lists an entry twice", field=name)
    return items


@dataclass(frozen=True, slots=True)
class LicenceTerms:
    """What a licence made from the template allows, valid by construction."""

    exclusivity: Exclusivity
    territory: str
    term_days: int
    max_uses: int
    business_sectors: tuple[str, ...] = ()  # empty: any sector
    acceptable_uses: tuple[str, ...] = ()
    prohibited_uses: tuple[str, ...] = ()
    resale_allowed: bool = False
    derivatives_allowed: bool = False
    commercial: bool = True
    attribution_required: bool = False
    attribution_text: str = ""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "exclusivity", choice(Exclusivity, self.exclusivity, "terms.exclusivity"))
        set_(self, "territory", bounded_text(self.territory, "terms.territory", MAX_TERRITORY, required=True))
        if not isinstance(self.term_days, int) or not 1 <= self.term_days <= MAX_TERM_DAYS:
            raise ValidationFailed(f"terms.termDays must be 1 to {MAX_TERM_DAYS}", field="terms.termDays")
        if not isinstance(self.max_uses, int) or not 1 <= self.max_uses <= MAX_USES:
            raise ValidationFailed(f"terms.maxUses must be 1 to {MAX_USES}", field="terms.maxUses")
        set_(self, "business_sectors", _items(self.business_sectors, "terms.businessSectors", MAX_SECTOR))
        set_(self, "acceptable_uses", _items(self.acceptable_uses, "terms.acceptableUses", MAX_USE))
        set_(self, "prohibited_uses", _items(self.prohibited_uses, "terms.prohibitedUses", MAX_USE))
        text = bounded_text(self.attribution_text, "terms.attributionText", MAX_ATTRIBUTION)
        if self.attribution_required and not text:
            raise ValidationFailed(
                "an attribution requirement states the attribution text", field="terms.attributionText"
            )
        set_(self, "attribution_text", text)
        if self.exclusivity is Exclusivity.EXCLUSIVE and self.resale_allowed:
            # an exclusive licence that may be resold would let the licensee grant what it alone holds
            raise ValidationFailed("an exclusive licence cannot allow resale", field="terms.resaleAllowed")

    def as_json(self) -> dict[str, Any]:
        return {
            "exclusivity": self.exclusivity.value,
            "territory": self.territory,
            "businessSectors": list(self.business_sectors),
            "acceptableUses": list(self.acceptable_uses),
            "prohibitedUses": list(self.prohibited_uses),
            "termDays": self.term_days,
            "maxUses": self.max_uses,
            "resaleAllowed": self.resale_allowed,
            "derivativesAllowed": self.derivatives_allowed,
            "commercial": self.commercial,
            "attributionRequired": self.attribution_required,
            "attributionText": self.attribution_text,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LicenceTerms:
        return cls(
            exclusivity=data["exclusivity"],
            territory=data["territory"],
            business_sectors=tuple(data.get("businessSectors", ())),
            acceptable_uses=tuple(data.get("acceptableUses", ())),
            prohibited_uses=tuple(data.get("prohibitedUses", ())),
            term_days=data["termDays"],
            max_uses=data["maxUses"],
            resale_allowed=data.get("resaleAllowed", False),
            derivatives_allowed=data.get("derivativesAllowed", False),
            commercial=data.get("commercial", True),
            attribution_required=data.get("attributionRequired", False),
            attribution_text=data.get("attributionText", ""),
        )

    def terms_hash(self) -> str:
        """The hash a listing records and an order binds to (RFC 8785 canonical JSON, SHA-256)."""
        return json_hash({"v": TERMS_VERSION, "terms": self.as_json()})


@dataclass(frozen=True, slots=True)
class LicenceTemplate:
    """One version of an exchange's licence template; versions are never edited, only added."""

    template_id: str
    version: int
    exchange_id: str
    name: str
    terms: LicenceTerms
    created_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", bounded_text(self.name, "name", MAX_NAME, required=True))
        if self.version < 1:
            raise ValidationFailed("template versions start at 1", field="version")

    @property
    def terms_hash(self) -> str:
        return self.terms.terms_hash()

    def revised(self, name: str | None, terms: LicenceTerms, at: datetime) -> LicenceTemplate:
        """The next version, with new terms (and name); this version stays as it is."""
        return LicenceTemplate(
            self.template_id, self.version + 1, self.exchange_id, name or self.name, terms, at
        )

    @classmethod
    def first(cls, exchange_id: str, name: str, terms: LicenceTerms, at: datetime) -> LicenceTemplate:
        return cls(str(uuid.uuid4()), 1, exchange_id, name, terms, at)

    def as_json(self) -> dict[str, Any]:
        return {
            "templateId": self.template_id,
            "version": self.version,
            "exchangeId": self.exchange_id,
            "name": self.name,
            "terms": self.terms.as_json(),
            "termsHash": self.terms_hash,
            "createdAt": self.created_at.isoformat(),
        }
