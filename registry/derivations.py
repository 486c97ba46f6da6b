"""Data-product derivations: a product registered as derived from other registered assets.

A product's facts may declare its upstream (``facts.extra["derived_from"]``, the list the exchange's
listing check reads); a derivation record states the parents and the licence each was used under.
Together they form a DAG that the same trace queries as EPCIS items walk (nodes ``asset:0x…``).
The rules live here; ``ledger.sql.lineage_store`` stores the record.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from dataledger.registry.chain_records import OnChainLicence
from dataledger.registry.chain_types import require_hex32
from dataledger.registry.errors import (
    ConfigurationError,
    DerivationCycle,
    DerivationIncomplete,
    DerivationLicenceInvalid,
    NotAuthorised,
    ValidationFailed,
)
from dataledger.registry.participants import Participant, Role

DERIVED_FROM_KEY = "derived_from"


@dataclass(frozen=True, slots=True)
class Parent:
    """An upstream asset of a product, and the licence id the product's holder used it under (if any)."""

    asset_id: str
    licence_id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "asset_id", require_hex32(self.asset_id, "parents.asset_id"))
        if self.licence_id is not None and self.licence_id < 1:
            raise ValidationFailed("a licence id is a positive integer", field="parents.licence_id")


def declared_upstream(facts_extra: Mapping[str, Any]) -> tuple[str, ...]:
    """The upstream asset ids a product's registered facts declare (``derived_from``)."""
    declared = facts_extra.get(DERIVED_FROM_KEY, [])
    if not isinstance(declared, list):
        return ()
    return tuple(a.lower() for a in declared if isinstance(a, str))


def check_derivation(
    product_id: str,
    parents: Sequence[Parent],
    *,
    declared: Collection[str],
    recorded: Collection[str],
    descendants: Collection[str],
) -> None:
    """Refuse a derivation that is empty, cyclic, or leaves out a declared upstream asset.

    ``recorded`` are the parents already on record, ``descendants`` every asset derived (directly or
    not) from the product: a parent among them, or the product itself, would close a cycle.
    """
    if not parents:
        raise ValidationFailed("a derivation names at least one parent", field="parents")
    product_id = product_id.lower()
    for parent in parents:
        if parent.asset_id == product_id or parent.asset_id in descendants:
            raise DerivationCycle(
                "the parent is the product or derived from it",
                product_id=product_id,
                parent_id=parent.asset_id,
            )
    covered = {p.asset_id for p in parents} | set(recorded)
    missing = [asset_id for asset_id in declared if asset_id not in covered]
    if missing:
        raise DerivationIncomplete(
            "the product's facts declare upstream assets this derivation does not name",
            missing=missing,
        )


def check_parent_licence(parent: Parent, licence: OnChainLicence, product_holder: str, now: int) -> None:
    """Refuse a licence that does not let the product's holder derive from ``parent``.

    It must be a licence on that very asset, granted to the product's holder, allowing derivatives,
    not revoked, and in force at ``now`` (chain time). Its count of uses is the listing check's
    business, at listing time: deriving a product is not itself a use of the data.
    """

    def refuse(reason: str) -> DerivationLicenceInvalid:
        return DerivationLicenceInvalid(reason, licence_id=licence.licence_id, parent_id=parent.asset_id)

    if licence.terms.asset_id.lower() != parent.asset_id:
        raise refuse("the licence is for another asset")
    if licence.terms.licensee.lower() != product_holder.lower():
        raise refuse("the licence was granted to someone other than the product's holder")
    if not licence.terms.derivatives_allowed:
        raise refuse("the licence does not allow derivatives")
    if licence.revoked:
        raise refuse("the licence is revoked")
    if now > licence.terms.valid_until:
        raise refuse("the licence has expired")
    if now < licence.terms.valid_from:
        raise refuse("the licence is not yet in force")


class HeldAsset(Protocol):
    """A registered asset as the derivation rules need it (direct or batched registration)."""

    @property
    def holder_id(self) -> str: ...

    @property
    def holder_address(self) -> str: ...


class LicenceReader(Protocol):
    def on_chain(self, licence_id: int) -> OnChainLicence:
        """The licence as the chain holds it; raises LicenceNotFound if there is none."""
        ...


class DerivationRecords(Protocol):
    def record_derivation(
        self, product_id: str, parents: Sequence[Parent], *, recorded_by: str, now_us: int
    ) -> list[dict[str, Any]]: ...


class DerivationService:
    """Records a data product's parents: by its holder (or a registrar), each parent's licence checked
    on chain at chain time; the DAG rules (registered, no cycle, declared upstream) in the store's
    transaction."""

    def __init__(
        self,
        records: DerivationRecords,
        licences: LicenceReader,
        chain_time: Callable[[], int],
        now_us: Callable[[], int],
        find_product: Callable[[str], HeldAsset] | None = None,
    ) -> None:
        """``find_product`` finds a registered asset by id, direct or batched (raises AssetNotFound)."""
        self._records = records
        self._licences = licences
        self._chain_time = chain_time
        self._now_us = now_us
        self._find_product = find_product

    def record_for(
        self, actor: Participant, product_id: str, parents: Sequence[Parent]
    ) -> list[dict[str, Any]]:
        """As :meth:`record`, for the registered product ``product_id`` (direct or batched)."""
        if self._find_product is None:
            raise ConfigurationError("this derivation service cannot look products up")
        return self.record(actor, product_id, self._find_product(product_id), parents)

    def record(
        self, actor: Participant, product_id: str, product: HeldAsset, parents: Sequence[Parent]
    ) -> list[dict[str, Any]]:
        if actor.role not in (Role.REGISTRAR, Role.ADMIN) and actor.id != product.holder_id:
            raise NotAuthorised("only the product's holder or a registrar records its derivation")
        now = self._chain_time()
        for parent in parents:
            if parent.licence_id is not None:
                licence = self._licences.on_chain(parent.licence_id)
                check_parent_licence(parent, licence, product.holder_address, now)
        return self._records.record_derivation(
            product_id, parents, recorded_by=actor.id, now_us=self._now_us()
        )
