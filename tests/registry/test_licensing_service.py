"""LicensingService against in-memory fakes: licences granted by the holder, consumed one signed use
at a time, refused once used up, outside their period, revoked or voided by an enforcement."""

from __future__ import annotations

import pytest

from dataledger.registry.assets import AssetRecord
from dataledger.registry.errors import (
    AssetNotCertified,
    InvalidSignature,
    LicenceExpired,
    LicenceNotFound,
    LicenceNotYetValid,
    LicenceRevoked,
    LicenceUsedUp,
    LicenceVoidedByEnforcement,
    NonceReplayed,
    NotAuthorised,
    ValidationFailed,
)
from dataledger.registry.participants import Participant, Role
from tests.registry.service_factories import DAY_S, World, hash_of, refused
from tests.registry.test_pledge_service import pledged, pledgee_act


@pytest.fixture
def holder(world: World) -> Participant:
    return world.participant(Role.ENTERPRISE, "Hainan duty-free operator")


@pytest.fixture
def licensee(world: World) -> Participant:
    return world.participant(Role.ENTERPRISE, "Forecasting start-up")


@pytest.fixture
def certified(world: World, holder: Participant) -> AssetRecord:
    return world.certified(holder)[0]


def revoke(world: World, holder: Participant, licence_id: int, reason: str = "unpaid invoice") -> None:
    prepared = world.licensing.prepare_revocation(holder, licence_id, reason)
    world.licensing.revoke(holder, licence_id, reason, *world.sign(prepared, holder))


# -- grant ------------------------------------------------------------------------------------------


def test_the_holder_grants_a_licence_to_a_participant(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    offer = world.offer(certified.asset_id, licensee, max_uses=3, derivatives_allowed=True)

    licence_id = world.licence(holder, offer)

    stored = world.licence_records.get_licence(licence_id)
    assert (stored["licenseeId"], stored["maxUses"], stored["uses"]) == (licensee.id, 3, 0)
    assert (stored["scope"], stored["purpose"], stored["territory"]) == (offer.scope, offer.purpose, "CN-HI")
    on_chain = world.licensing.on_chain(licence_id)
    assert (on_chain.licensor, on_chain.uses, on_chain.revoked) == (holder.address, 0, False)
    assert on_chain.terms.derivatives_allowed
    assert world.store.acts_of(certified.asset_id)[-1] == "licence-granted"


def test_a_licence_on_an_asset_not_yet_certified_is_refused(
    world: World, holder: Participant, licensee: Participant
) -> None:
    asset = world.in_notice(holder)

    with refused(AssetNotCertified, "asset-not-certified"):
        world.licensing.prepare_grant(holder, world.offer(asset.asset_id, licensee), None)


def test_only_the_holder_grants_a_licence(
    world: World, licensee: Participant, certified: AssetRecord
) -> None:
    with refused(NotAuthorised, "not-authorised"):
        world.licensing.prepare_grant(licensee, world.offer(certified.asset_id, licensee), None)


def test_the_licensee_must_be_a_participant(
    world: World, holder: Participant, certified: AssetRecord
) -> None:
    stranger = world.subject()  # a key, but no participant

    with refused(ValidationFailed, "validation-failed"):
        world.licensing.prepare_grant(holder, world.offer(certified.asset_id, stranger), None)


def test_a_licence_to_the_holder_itself_is_refused_by_the_contract(
    world: World, holder: Participant, certified: AssetRecord
) -> None:
    with refused(ValidationFailed, "validation-failed", by_contract="LicenceInvalidCounterparty"):
        world.licence(holder, world.offer(certified.asset_id, holder))


def test_a_grant_signed_with_another_key_is_refused(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    offer = world.offer(certified.asset_id, licensee)
    prepared = world.licensing.prepare_grant(holder, offer, None)

    with refused(InvalidSignature, "invalid-signature"):
        world.licensing.grant(holder, offer, prepared["salt"], *world.sign(prepared, licensee))


# -- use --------------------------------------------------------------------------------------------


def test_each_use_consumes_one_signed_authorisation(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    licence_id = world.licence(holder, world.offer(certified.asset_id, licensee, max_uses=2))

    first = world.use_licence(licensee, licence_id, "march forecast")
    second = world.use_licence(licensee, licence_id, "april forecast")

    assert (first["use"]["number"], second["use"]["number"]) == (1, 2)
    assert first["use"]["requestHash"] == hash_of("march forecast")
    assert second["licence"]["uses"] == 2
    assert world.licensing.on_chain(licence_id).uses == 2


def test_a_signed_use_counts_only_once(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    licence_id = world.licence(holder, world.offer(certified.asset_id, licensee, max_uses=5))
    request = hash_of("march forecast")
    prepared = world.licensing.prepare_use(licensee, licence_id, request)
    signed = world.sign(prepared, licensee)
    world.licensing.use(licensee, licence_id, request, *signed)

    with refused(NonceReplayed, "nonce-replayed", by_contract="InvalidAccountNonce"):
        world.licensing.use(licensee, licence_id, request, *signed)

    assert world.licensing.on_chain(licence_id).uses == 1


def test_a_used_up_licence_is_refused(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    licence_id = world.licence(holder, world.offer(certified.asset_id, licensee, max_uses=1))
    world.use_licence(licensee, licence_id)

    with refused(LicenceUsedUp, "licence-used-up"):
        world.use_licence(licensee, licence_id)


def test_a_use_prepared_before_the_last_use_is_refused_when_submitted(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    licence_id = world.licence(holder, world.offer(certified.asset_id, licensee, max_uses=1))
    request = hash_of("late request")
    prepared = world.licensing.prepare_use(licensee, licence_id, request)
    world.use_licence(licensee, licence_id)

    with refused(LicenceUsedUp, "licence-used-up"):
        world.licensing.use(licensee, licence_id, request, *world.sign(prepared, licensee))


def test_a_licence_is_usable_until_the_last_second_of_its_term(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    offer = world.offer(certified.asset_id, licensee)
    licence_id = world.licence(holder, offer)
    world.clock.seconds = offer.valid_until

    assert world.use_licence(licensee, licence_id)["use"]["number"] == 1


def test_an_expired_licence_is_refused(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    offer = world.offer(certified.asset_id, licensee)
    licence_id = world.licence(holder, offer)
    world.clock.seconds = offer.valid_until + 1

    with refused(LicenceExpired, "licence-expired"):
        world.use_licence(licensee, licence_id)


def test_a_licence_is_not_usable_before_its_term(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    start = world.ledger.next_block_timestamp() + 7 * DAY_S
    licence_id = world.licence(
        holder, world.offer(certified.asset_id, licensee, valid_from=start, valid_until=start + DAY_S)
    )

    with refused(LicenceNotYetValid, "licence-not-yet-valid"):
        world.use_licence(licensee, licence_id)


def test_only_the_licensee_uses_the_licence(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    licence_id = world.licence(holder, world.offer(certified.asset_id, licensee))

    with refused(NotAuthorised, "not-authorised"):
        world.use_licence(holder, licence_id)  # its licensor, who may see it, but not use it


def test_a_licence_is_not_disclosed_to_a_stranger_asking_to_use_it(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    licence_id = world.licence(holder, world.offer(certified.asset_id, licensee))

    with refused(LicenceNotFound, "licence-not-found"):
        world.use_licence(world.participant(Role.ENTERPRISE, "Free rider"), licence_id)


def test_a_use_signed_with_another_key_is_refused(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    licence_id = world.licence(holder, world.offer(certified.asset_id, licensee))
    request = hash_of("request")
    prepared = world.licensing.prepare_use(licensee, licence_id, request)

    with refused(InvalidSignature, "invalid-signature"):
        world.licensing.use(licensee, licence_id, request, *world.sign(prepared, holder))


def test_a_use_of_an_unknown_licence_is_refused(world: World, licensee: Participant) -> None:
    with refused(LicenceNotFound, "licence-not-found"):
        world.licensing.prepare_use(licensee, 404, hash_of("request"))


def test_a_licence_is_voided_by_the_enforcement_of_a_pledge(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    licence_id = world.licence(holder, world.offer(certified.asset_id, licensee, max_uses=5))
    bank = world.participant(Role.ENTERPRISE, "Bank of Hainan")
    pledged(world, holder, certified.asset_id, bank)
    pledgee_act(world, bank, certified.asset_id, "enforce")

    with refused(LicenceVoidedByEnforcement, "licence-voided-by-enforcement"):
        world.use_licence(licensee, licence_id)


def test_a_licence_of_a_revoked_asset_is_refused(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    licence_id = world.licence(holder, world.offer(certified.asset_id, licensee))
    world.revoke(certified.asset_id, "court order 2026-17")

    with refused(AssetNotCertified, "asset-not-certified"):
        world.use_licence(licensee, licence_id)


# -- revocation -------------------------------------------------------------------------------------


def test_a_revoked_licence_is_refused(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    licence_id = world.licence(holder, world.offer(certified.asset_id, licensee, max_uses=5))

    revoke(world, holder, licence_id)

    stored = world.licence_records.get_licence(licence_id)
    assert (stored["revoked"], stored["revocationReason"]) == (True, "unpaid invoice")
    with refused(LicenceRevoked, "licence-revoked"):
        world.use_licence(licensee, licence_id)


def test_a_licence_is_revoked_only_once(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    licence_id = world.licence(holder, world.offer(certified.asset_id, licensee))
    revoke(world, holder, licence_id)

    with refused(LicenceRevoked, "licence-revoked"):
        revoke(world, holder, licence_id)


def test_only_the_holder_revokes_a_licence(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    licence_id = world.licence(holder, world.offer(certified.asset_id, licensee))

    with refused(NotAuthorised, "not-authorised"):
        revoke(world, licensee, licence_id)


# -- reads ------------------------------------------------------------------------------------------


def test_a_licence_is_shown_to_its_parties_and_hidden_from_others(
    world: World, holder: Participant, licensee: Participant, certified: AssetRecord
) -> None:
    licence_id = world.licence(holder, world.offer(certified.asset_id, licensee, max_uses=2))
    world.use_licence(licensee, licence_id)

    assert world.licensing.get(licensee, licence_id)["uses"] == 1
    assert world.licensing.get(world.registrar, licence_id)["revoked"] is False
    with refused(LicenceNotFound, "licence-not-found"):
        world.licensing.get(world.participant(Role.ENTERPRISE, "Competitor"), licence_id)
