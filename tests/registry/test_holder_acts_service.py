"""HolderActsService against in-memory fakes: change, transfer and cancellation, each prepared, signed by
the holder's key and relayed (pledges: ``test_pledge_service``)."""

from __future__ import annotations

from typing import Any

from dataledger.registry.assets import AssetRecord, AssetState, RightClaimed
from dataledger.registry.certificate import certificate_hash, parse_certificate
from dataledger.registry.chain_types import OnChainAssetStatus
from dataledger.registry.errors import (
    AssetPledged,
    ContentAlreadyRegistered,
    InvalidAssetStatus,
    InvalidSignature,
    NonceReplayed,
    NotAuthorised,
    ValidationFailed,
)
from dataledger.registry.participants import Participant, Role
from dataledger.registry.procedure import address_of
from tests.registry.service_factories import World, facts, refused
from tests.registry.test_pledge_service import pledged

TERMS = "loan 2026-118: the asset secures CNY 5M until repaid"


def transfer(world: World, holder: Participant, asset_id: str, to: Participant) -> dict[str, Any]:
    prepared = world.holder_acts.prepare_transfer(holder, asset_id, address_of(to))
    return world.holder_acts.transfer(holder, asset_id, address_of(to), *world.sign(prepared, holder))


def pledge(world: World, holder: Participant, asset_id: str, bank: Participant) -> dict[str, Any]:
    return pledged(world, holder, asset_id, bank)


def cancel(world: World, holder: Participant, asset_id: str) -> AssetRecord:
    prepared = world.holder_acts.prepare_cancellation(holder, asset_id)
    return world.holder_acts.cancel(holder, asset_id, *world.sign(prepared, holder))


def certificate_statuses(world: World, asset_id: str) -> list[str]:
    return [c["status"] for c in world.store.certificates_of(asset_id)]


# -- change -----------------------------------------------------------------------------------------


def test_a_change_records_the_new_version_and_a_registrar_supersedes_the_certificate(
    world: World, holder: Participant, certified: AssetRecord
) -> None:
    new_facts = facts(name="Offshore duty-free sales records, v2")
    prepared = world.holder_acts.prepare_change(holder, certified.asset_id, new_facts, None)
    signed = world.sign(prepared, holder)

    changed = world.holder_acts.change(holder, certified.asset_id, new_facts, prepared["salt"], *signed)
    assert "certificate" not in changed  # the registry issues no certificate in a registrar's name
    assert certificate_statuses(world, certified.asset_id) == ["valid"]
    reissued = world.certify(certified.asset_id)

    assert changed["asset"]["contentHash"] == new_facts.content_hash
    on_chain = world.ledger.asset(certified.asset_id)
    procedure = world.ledger.procedure(certified.asset_id)
    assert on_chain is not None and on_chain.content_hash == new_facts.content_hash
    assert procedure is not None and procedure.version == 2
    assert procedure.current_certificate == certificate_hash(reissued)
    assert parse_certificate(reissued).content_hash == new_facts.content_hash
    assert world.store.history[-1].detail["kind"] == "change"
    assert certificate_statuses(world, certified.asset_id) == ["superseded", "valid"]


def test_a_change_cannot_alter_the_right_claimed(
    world: World, holder: Participant, certified: AssetRecord
) -> None:
    with refused(ValidationFailed, "validation-failed"):
        world.holder_acts.prepare_change(
            holder, certified.asset_id, facts(right_claimed=RightClaimed.PRODUCT_OPERATION), None
        )


def test_only_the_holder_changes_the_asset(world: World, bank: Participant, certified: AssetRecord) -> None:
    with refused(NotAuthorised, "not-authorised"):
        world.holder_acts.prepare_change(bank, certified.asset_id, facts(), None)


def test_a_change_to_content_registered_under_another_asset_is_refused(
    world: World, holder: Participant, certified: AssetRecord
) -> None:
    other = world.register(world.participant(Role.ENTERPRISE))
    taken = facts(content_hash=other.facts.content_hash)
    prepared = world.holder_acts.prepare_change(holder, certified.asset_id, taken, None)

    with refused(
        ContentAlreadyRegistered,
        "content-already-registered",
        by_contract="DataRightsContentAlreadyRegistered",
    ):
        world.holder_acts.change(
            holder, certified.asset_id, taken, prepared["salt"], *world.sign(prepared, holder)
        )

    assert world.ledger.nonce_of(address_of(holder)) == prepared["nonce"]  # a refused act uses no nonce


def test_a_signed_change_is_relayed_only_once(
    world: World, holder: Participant, certified: AssetRecord
) -> None:
    new_facts = facts()
    prepared = world.holder_acts.prepare_change(holder, certified.asset_id, new_facts, None)
    signed = world.sign(prepared, holder)
    world.holder_acts.change(holder, certified.asset_id, new_facts, prepared["salt"], *signed)

    with refused(NonceReplayed, "nonce-replayed", by_contract="InvalidAccountNonce"):
        world.holder_acts.change(holder, certified.asset_id, new_facts, prepared["salt"], *signed)


# -- transfer ---------------------------------------------------------------------------------------


def test_a_transfer_passes_the_rights_with_a_certificate_in_the_new_holders_name(
    world: World, holder: Participant, certified: AssetRecord
) -> None:
    buyer = world.participant(Role.ENTERPRISE, "Buyer")

    transfer(world, holder, certified.asset_id, buyer)
    reissued = world.certify(certified.asset_id)

    record = world.registration.get_asset(certified.asset_id)
    assert (record.holder_id, record.holder_address) == (buyer.id, buyer.address)
    on_chain = world.ledger.asset(certified.asset_id)
    assert on_chain is not None and on_chain.holder == buyer.address
    assert parse_certificate(reissued).holder_address == buyer.address
    assert certificate_statuses(world, certified.asset_id) == ["superseded", "valid"]
    assert world.store.acts_of(certified.asset_id)[-3:] == [
        "transferred",
        "certificate-recorded",
        "certificate-superseded",
    ]


def test_a_transfer_while_pledged_is_refused(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    pledge(world, holder, certified.asset_id, bank)
    buyer = world.participant(Role.ENTERPRISE, "Buyer")

    with refused(AssetPledged, "asset-pledged", by_contract="DataRightsAssetIsPledged"):
        transfer(world, holder, certified.asset_id, buyer)

    assert world.registration.get_asset(certified.asset_id).holder_id == holder.id
    on_chain = world.ledger.asset(certified.asset_id)
    assert on_chain is not None and on_chain.holder == holder.address


def test_a_transfer_to_an_address_of_no_participant_is_refused(
    world: World, holder: Participant, certified: AssetRecord
) -> None:
    stranger = world.subject()

    with refused(ValidationFailed, "validation-failed"):
        world.holder_acts.prepare_transfer(holder, certified.asset_id, stranger.address)


def test_a_transfer_to_the_holder_itself_is_refused(
    world: World, holder: Participant, certified: AssetRecord
) -> None:
    with refused(ValidationFailed, "validation-failed", by_contract="DataRightsInvalidCounterparty"):
        transfer(world, holder, certified.asset_id, holder)


def test_a_transfer_before_certification_is_refused(world: World, holder: Participant) -> None:
    asset = world.in_notice(holder)

    with refused(InvalidAssetStatus, "invalid-asset-status", by_contract="DataRightsInvalidStatus"):
        transfer(world, holder, asset.asset_id, world.participant(Role.ENTERPRISE))


def test_a_transfer_signed_with_another_key_is_refused_before_the_chain(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    prepared = world.holder_acts.prepare_transfer(holder, certified.asset_id, address_of(bank))

    with refused(InvalidSignature, "invalid-signature"):
        world.holder_acts.transfer(holder, certified.asset_id, address_of(bank), *world.sign(prepared, bank))


# -- cancellation -----------------------------------------------------------------------------------


def test_the_holder_cancels_the_registration_and_its_certificate(
    world: World, holder: Participant, certified: AssetRecord
) -> None:
    cancelled = cancel(world, holder, certified.asset_id)

    assert cancelled.state is AssetState.CANCELLED
    assert certificate_statuses(world, certified.asset_id) == ["cancelled"]
    (certificate,) = world.store.certificates_of(certified.asset_id)
    assert world.registration.certificate_status(certificate["number"])["status"] == "cancelled"


def test_the_holder_withdraws_an_application_in_review(world: World, holder: Participant) -> None:
    asset = world.register(holder)

    assert cancel(world, holder, asset.asset_id).state is AssetState.CANCELLED
    on_chain = world.ledger.asset(asset.asset_id)
    assert on_chain is not None and on_chain.status is OnChainAssetStatus.CANCELLED


def test_a_cancellation_while_pledged_is_refused(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    pledge(world, holder, certified.asset_id, bank)

    with refused(AssetPledged, "asset-pledged", by_contract="DataRightsAssetIsPledged"):
        cancel(world, holder, certified.asset_id)

    assert world.registration.get_asset(certified.asset_id).state is AssetState.CERTIFIED


def test_a_cancelled_asset_cannot_be_transferred(
    world: World, holder: Participant, certified: AssetRecord
) -> None:
    cancel(world, holder, certified.asset_id)

    with refused(InvalidAssetStatus, "invalid-asset-status", by_contract="DataRightsInvalidStatus"):
        transfer(world, holder, certified.asset_id, world.participant(Role.ENTERPRISE))


def test_only_the_holder_cancels(world: World, bank: Participant, certified: AssetRecord) -> None:
    with refused(NotAuthorised, "not-authorised"):
        world.holder_acts.prepare_cancellation(bank, certified.asset_id)


# -- batched registrations --------------------------------------------------------------------------


def test_the_holders_first_act_materialises_a_batched_registration(world: World, holder: Participant) -> None:
    asset_id = world.batched(holder)

    cancelled = cancel(world, holder, asset_id)

    assert cancelled.state is AssetState.CANCELLED
    assert world.store.acts_of(asset_id) == ["registered", "materialised", "cancelled"]


def test_a_strangers_act_on_a_batched_registration_is_refused(
    world: World, holder: Participant, bank: Participant
) -> None:
    asset_id = world.batched(holder)

    with refused(NotAuthorised, "not-authorised"):
        world.holder_acts.prepare_cancellation(bank, asset_id)


def test_a_strangers_refused_request_leaves_a_batched_registration_off_chain(
    world: World, holder: Participant, bank: Participant
) -> None:
    asset_id = world.batched(holder)

    with refused(NotAuthorised, "not-authorised"):
        world.holder_acts.prepare_cancellation(bank, asset_id)

    assert world.ledger.asset(asset_id) is None
