"""DerivationService against in-memory fakes: who may record a data product's parents, each parent's
licence checked on chain at chain time, and the lineage rules (no cycle, declared upstream covered)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from dataledger.registry.assets import AssetRecord
from dataledger.registry.derivations import DERIVED_FROM_KEY, DerivationService, Parent
from dataledger.registry.errors import (
    DerivationCycle,
    DerivationIncomplete,
    DerivationLicenceInvalid,
    LicenceNotFound,
    NotAuthorised,
    ValidationFailed,
)
from dataledger.registry.participants import Participant, Role
from tests.registry.service_factories import DAY_S, World, facts, refused


@dataclass
class Lineage:
    """A certified upstream asset of one enterprise, and the data product another derives from it."""

    upstream_holder: Participant
    upstream: AssetRecord
    product_holder: Participant
    product: AssetRecord


@pytest.fixture
def lineage(world: World) -> Lineage:
    upstream_holder = world.participant(Role.ENTERPRISE, "Port operator")
    upstream = world.certified(upstream_holder)[0]
    product_holder = world.participant(Role.ENTERPRISE, "Analytics firm")
    product = world.register(product_holder, facts(name="Port congestion index"))
    return Lineage(upstream_holder, upstream, product_holder, product)


def derivation_licence(world: World, lineage: Lineage, **changes: Any) -> int:
    """A licence on the upstream asset to the product's holder; derivatives allowed unless changed."""
    terms: dict[str, Any] = {"derivatives_allowed": True, **changes}
    return world.licence(
        lineage.upstream_holder, world.offer(lineage.upstream.asset_id, lineage.product_holder, **terms)
    )


def record(world: World, actor: Participant, product: AssetRecord, *parents: Parent) -> list[dict[str, Any]]:
    return world.derivations.record(actor, product.asset_id, product, parents)


# -- who may record ---------------------------------------------------------------------------------


def test_the_products_holder_records_its_derivation_under_a_licence_in_force(
    world: World, lineage: Lineage
) -> None:
    licence_id = derivation_licence(world, lineage)

    recorded = record(
        world, lineage.product_holder, lineage.product, Parent(lineage.upstream.asset_id, licence_id)
    )

    assert recorded == [
        {
            "assetId": lineage.upstream.asset_id,
            "licenceId": licence_id,
            "recordedBy": lineage.product_holder.id,
            "recordedAtUs": world.clock.now() * 1_000_000,
        }
    ]


@pytest.mark.parametrize("role", [Role.REGISTRAR, Role.ADMIN])
def test_a_registrar_or_an_administrator_records_a_derivation(
    world: World, lineage: Lineage, role: Role
) -> None:
    officer = world.participant(role)

    recorded = record(world, officer, lineage.product, Parent(lineage.upstream.asset_id))

    assert [(r["assetId"], r["recordedBy"]) for r in recorded] == [(lineage.upstream.asset_id, officer.id)]


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.EXCHANGE, Role.AUDITOR])
def test_nobody_else_records_a_products_derivation(world: World, lineage: Lineage, role: Role) -> None:
    with refused(NotAuthorised, "not-authorised"):
        record(world, world.participant(role), lineage.product, Parent(lineage.upstream.asset_id))


def test_the_upstream_holder_does_not_record_the_products_derivation(world: World, lineage: Lineage) -> None:
    with refused(NotAuthorised, "not-authorised"):
        record(world, lineage.upstream_holder, lineage.product, Parent(lineage.upstream.asset_id))


# -- each parent's licence, on chain, at chain time -------------------------------------------------


def test_a_licence_for_another_asset_does_not_cover_the_parent(world: World, lineage: Lineage) -> None:
    other = world.certified(lineage.upstream_holder)[0]
    licence_id = world.licence(
        lineage.upstream_holder, world.offer(other.asset_id, lineage.product_holder, derivatives_allowed=True)
    )

    with refused(DerivationLicenceInvalid, "derivation-licence-invalid"):
        record(world, lineage.product_holder, lineage.product, Parent(lineage.upstream.asset_id, licence_id))


def test_a_licence_granted_to_someone_else_does_not_cover_the_parent(world: World, lineage: Lineage) -> None:
    someone = world.participant(Role.ENTERPRISE, "Someone else")
    licence_id = world.licence(
        lineage.upstream_holder, world.offer(lineage.upstream.asset_id, someone, derivatives_allowed=True)
    )

    with refused(DerivationLicenceInvalid, "derivation-licence-invalid"):
        record(world, lineage.product_holder, lineage.product, Parent(lineage.upstream.asset_id, licence_id))


def test_a_licence_without_derivatives_does_not_cover_the_parent(world: World, lineage: Lineage) -> None:
    licence_id = derivation_licence(world, lineage, derivatives_allowed=False)

    with refused(DerivationLicenceInvalid, "derivation-licence-invalid"):
        record(world, lineage.product_holder, lineage.product, Parent(lineage.upstream.asset_id, licence_id))


def test_a_revoked_licence_does_not_cover_the_parent(world: World, lineage: Lineage) -> None:
    licence_id = derivation_licence(world, lineage)
    prepared = world.licensing.prepare_revocation(lineage.upstream_holder, licence_id, "breach")
    world.licensing.revoke(
        lineage.upstream_holder, licence_id, "breach", *world.sign(prepared, lineage.upstream_holder)
    )

    with refused(DerivationLicenceInvalid, "derivation-licence-invalid"):
        record(world, lineage.product_holder, lineage.product, Parent(lineage.upstream.asset_id, licence_id))


def test_a_licence_covers_the_parent_until_the_last_second_of_its_term(
    world: World, lineage: Lineage
) -> None:
    licence_id = derivation_licence(world, lineage)
    world.clock.seconds = world.licensing.on_chain(licence_id).terms.valid_until

    recorded = record(
        world, lineage.product_holder, lineage.product, Parent(lineage.upstream.asset_id, licence_id)
    )

    assert [r["licenceId"] for r in recorded] == [licence_id]


def test_a_licence_expired_at_chain_time_does_not_cover_the_parent(world: World, lineage: Lineage) -> None:
    licence_id = derivation_licence(world, lineage)
    world.clock.seconds = world.licensing.on_chain(licence_id).terms.valid_until + 1

    with refused(DerivationLicenceInvalid, "derivation-licence-invalid"):
        record(world, lineage.product_holder, lineage.product, Parent(lineage.upstream.asset_id, licence_id))


def test_a_licence_not_yet_in_force_at_chain_time_does_not_cover_the_parent(
    world: World, lineage: Lineage
) -> None:
    start = world.ledger.next_block_timestamp() + 7 * DAY_S
    licence_id = derivation_licence(world, lineage, valid_from=start, valid_until=start + DAY_S)

    with refused(DerivationLicenceInvalid, "derivation-licence-invalid"):
        record(world, lineage.product_holder, lineage.product, Parent(lineage.upstream.asset_id, licence_id))


def test_a_licence_is_judged_by_the_chains_time_not_the_recording_clock(
    world: World, lineage: Lineage
) -> None:
    licence_id = derivation_licence(world, lineage)
    valid_until = world.licensing.on_chain(licence_id).terms.valid_until
    assert world.clock.now() < valid_until  # still in force by the wall clock...
    chain_ahead = DerivationService(  # ...but no longer on a chain whose time has moved past its term
        world.lineage, world.licensing, lambda: valid_until + 1, lambda: world.clock.now() * 1_000_000
    )

    with refused(DerivationLicenceInvalid, "derivation-licence-invalid"):
        chain_ahead.record(
            lineage.product_holder,
            lineage.product.asset_id,
            lineage.product,
            [Parent(lineage.upstream.asset_id, licence_id)],
        )


def test_an_unknown_licence_is_refused(world: World, lineage: Lineage) -> None:
    with refused(LicenceNotFound, "licence-not-found"):
        record(world, lineage.product_holder, lineage.product, Parent(lineage.upstream.asset_id, 404))


def test_a_licence_id_is_a_positive_integer() -> None:
    with refused(ValidationFailed, "validation-failed"):
        Parent("0x" + "11" * 32, 0)


# -- the lineage rules ------------------------------------------------------------------------------


def test_a_product_cannot_be_its_own_parent(world: World, lineage: Lineage) -> None:
    with refused(DerivationCycle, "derivation-cycle"):
        record(world, lineage.product_holder, lineage.product, Parent(lineage.product.asset_id))


def test_a_parent_derived_from_the_product_is_refused(world: World, lineage: Lineage) -> None:
    record(world, lineage.product_holder, lineage.product, Parent(lineage.upstream.asset_id))

    with refused(DerivationCycle, "derivation-cycle"):
        record(world, world.registrar, lineage.upstream, Parent(lineage.product.asset_id))


def test_a_cycle_through_several_products_is_refused(world: World, lineage: Lineage) -> None:
    downstream = world.register(lineage.product_holder, facts(name="Port congestion forecast"))
    record(world, lineage.product_holder, lineage.product, Parent(lineage.upstream.asset_id))
    record(world, lineage.product_holder, downstream, Parent(lineage.product.asset_id))

    with refused(DerivationCycle, "derivation-cycle"):
        record(world, world.registrar, lineage.upstream, Parent(downstream.asset_id))


def test_a_derivation_must_name_the_upstream_its_facts_declare(world: World, lineage: Lineage) -> None:
    product = world.register(
        lineage.product_holder,
        facts(name="Declared blend", extra={DERIVED_FROM_KEY: [lineage.upstream.asset_id]}),
    )
    other = world.register(world.participant(Role.ENTERPRISE))

    with refused(DerivationIncomplete, "derivation-incomplete"):
        record(world, lineage.product_holder, product, Parent(other.asset_id))

    recorded = record(world, lineage.product_holder, product, Parent(lineage.upstream.asset_id))
    assert [r["assetId"] for r in recorded] == [lineage.upstream.asset_id]


def test_a_derivation_names_at_least_one_parent(world: World, lineage: Lineage) -> None:
    with refused(ValidationFailed, "validation-failed"):
        record(world, lineage.product_holder, lineage.product)


def test_recording_a_parent_again_changes_nothing(world: World, lineage: Lineage) -> None:
    first = record(world, lineage.product_holder, lineage.product, Parent(lineage.upstream.asset_id))
    world.clock.advance(60)

    assert record(world, lineage.product_holder, lineage.product, Parent(lineage.upstream.asset_id)) == first
