"""ProcedureService (and the first certificate of RegistrationService) against in-memory fakes:
reviews, the public notice judged by chain time, objections filed and resolved, the certificate."""

from __future__ import annotations

from typing import Any

from dataledger.registry.assets import AssetRecord, AssetState
from dataledger.registry.certificate import certificate_hash
from dataledger.registry.chain_records import ReviewStage
from dataledger.registry.chain_types import OnChainAssetStatus
from dataledger.registry.errors import (
    InvalidAssetStatus,
    InvalidSignature,
    NonceReplayed,
    NotAuthorised,
    NoticePeriodEnded,
    NoticePeriodNotEnded,
    ObjectionAlreadyResolved,
    ObjectionNotFound,
    ObjectionsOpen,
    SignatureExpired,
    ValidationFailed,
)
from dataledger.registry.participants import Participant, Role
from dataledger.registry.procedure import address_of
from tests.registry.service_factories import DAY_S, NOTICE_S, World, hash_of, refused

FORMAL, SUBSTANTIVE = ReviewStage.FORMAL, ReviewStage.SUBSTANTIVE


def chain_status(world: World, asset_id: str) -> OnChainAssetStatus:
    on_chain = world.ledger.asset(asset_id)
    assert on_chain is not None
    return on_chain.status


def file_objection(
    world: World, objector: Participant, asset: AssetRecord, signer: Participant | None = None
) -> dict[str, Any]:
    evidence = hash_of("our collection logs")
    prepared = world.procedure.prepare_objection(objector, asset.asset_id, "we collected this data", evidence)
    signed = world.sign(prepared, signer or objector)
    return world.procedure.file_objection(
        objector, asset.asset_id, "we collected this data", evidence, *signed
    )


# -- reviews ----------------------------------------------------------------------------------------


def test_passing_the_formal_review_puts_the_application_under_review(world: World) -> None:
    asset = world.register(world.participant(Role.ENTERPRISE))

    reviewed = world.review(asset.asset_id, FORMAL, True, "complete")

    assert reviewed.state is AssetState.UNDER_REVIEW
    assert chain_status(world, asset.asset_id) is OnChainAssetStatus.UNDER_REVIEW
    assert world.store.acts_of(asset.asset_id) == ["registered", "reviewed"]


def test_failing_a_review_rejects_the_application(world: World) -> None:
    asset = world.register(world.participant(Role.ENTERPRISE))

    reviewed = world.review(asset.asset_id, FORMAL, False, "no source stated")

    assert reviewed.state is AssetState.REJECTED
    assert chain_status(world, asset.asset_id) is OnChainAssetStatus.REJECTED
    assert world.store.acts_of(asset.asset_id)[-2:] == ["reviewed", "rejected"]


def test_the_substantive_review_before_the_formal_one_is_refused(world: World) -> None:
    asset = world.register(world.participant(Role.ENTERPRISE))

    with refused(InvalidAssetStatus, "invalid-asset-status", by_contract="DataRightsInvalidStatus"):
        world.review(asset.asset_id, SUBSTANTIVE, True, "lawful")

    assert world.registration.get_asset(asset.asset_id).state is AssetState.REGISTERED


def test_passing_the_substantive_review_opens_the_public_notice_for_the_notice_period(world: World) -> None:
    world.procedure.set_notice_period(world.admin, 7 * DAY_S)
    asset = world.register(world.participant(Role.ENTERPRISE))
    world.review(asset.asset_id, FORMAL, True, "complete")
    reviewed_at = world.ledger.next_block_timestamp()

    reviewed = world.review(asset.asset_id, SUBSTANTIVE, True, "lawful")

    assert reviewed.state is AssetState.IN_NOTICE
    assert world.notice_ends_at(asset.asset_id) == reviewed_at + 7 * DAY_S
    status = world.procedure.status(asset.asset_id)
    assert (status["chainStatus"], status["noticePeriod"]) == ("in_notice", 7 * DAY_S)
    assert status["procedure"]["noticeEndsAt"] == reviewed_at + 7 * DAY_S
    assert world.store.acts_of(asset.asset_id)[-2:] == ["reviewed", "notice-started"]


def test_only_a_registrar_reviews(world: World) -> None:
    holder = world.participant(Role.ENTERPRISE)
    asset = world.register(holder)

    with refused(NotAuthorised, "not-authorised"):
        world.review(asset.asset_id, FORMAL, True, "looks complete to me", registrar=holder)


def test_a_review_needs_a_reason(world: World) -> None:
    asset = world.register(world.participant(Role.ENTERPRISE))

    with refused(ValidationFailed, "validation-failed"):
        world.review(asset.asset_id, FORMAL, True, "  ")


def test_the_registrar_rejects_an_application_in_notice(world: World) -> None:
    asset = world.in_notice(world.participant(Role.ENTERPRISE))

    rejected = world.reject(asset.asset_id, "the data was scraped")

    assert rejected.state is AssetState.REJECTED
    assert chain_status(world, asset.asset_id) is OnChainAssetStatus.REJECTED


def test_a_certified_asset_cannot_be_rejected(world: World) -> None:
    asset, _ = world.certified(world.participant(Role.ENTERPRISE))

    with refused(InvalidAssetStatus, "invalid-asset-status", by_contract="DataRightsInvalidStatus"):
        world.reject(asset.asset_id, "too late")


def test_the_first_review_of_a_batched_registration_materialises_it(world: World) -> None:
    holder = world.participant(Role.ENTERPRISE)
    asset_id = world.batched(holder)
    assert world.store.get_asset(asset_id) is None

    reviewed = world.review(asset_id, FORMAL, True, "complete")

    assert reviewed.state is AssetState.UNDER_REVIEW
    assert chain_status(world, asset_id) is OnChainAssetStatus.UNDER_REVIEW
    assert world.store.acts_of(asset_id) == ["registered", "materialised", "reviewed"]


# -- the notice period ------------------------------------------------------------------------------


def test_only_the_administrator_sets_the_notice_period(world: World) -> None:
    with refused(NotAuthorised, "not-authorised"):
        world.procedure.set_notice_period(world.registrar, DAY_S)

    assert world.procedure.set_notice_period(world.admin, DAY_S) == DAY_S
    assert world.procedure.notice_period() == DAY_S


def test_a_notice_period_longer_than_a_year_is_refused(world: World) -> None:
    with refused(ValidationFailed, "validation-failed", by_contract="DataRightsInvalidNoticePeriod"):
        world.procedure.set_notice_period(world.admin, 366 * DAY_S)


# -- objections -------------------------------------------------------------------------------------


def test_an_objection_filed_during_the_notice_is_recorded_and_counted_on_chain(world: World) -> None:
    asset = world.in_notice(world.participant(Role.ENTERPRISE))
    objector = world.participant(Role.ENTERPRISE)

    objection = file_objection(world, objector, asset)

    assert objection["status"] == "open"
    assert (objection["objectorId"], objection["objectorAddress"]) == (objector.id, objector.address)
    assert world.procedure.objections(asset.asset_id) == [objection]
    procedure = world.ledger.procedure(asset.asset_id)
    assert procedure is not None and procedure.open_objections == 1
    on_chain = world.ledger.objection(objection["objectionId"])
    assert on_chain is not None and on_chain.objector == objector.address


def test_an_objection_in_the_last_second_of_the_notice_is_taken(world: World) -> None:
    asset = world.in_notice(world.participant(Role.ENTERPRISE))
    world.clock.seconds = world.notice_ends_at(asset.asset_id) - 1

    objection = file_objection(world, world.participant(Role.ENTERPRISE), asset)

    assert objection["status"] == "open"


def test_an_objection_once_the_notice_has_ended_is_refused(world: World) -> None:
    asset = world.in_notice(world.participant(Role.ENTERPRISE))
    world.end_notice(asset.asset_id)

    with refused(NoticePeriodEnded, "notice-period-ended", by_contract="DataRightsNoticePeriodEnded"):
        file_objection(world, world.participant(Role.ENTERPRISE), asset)

    assert world.procedure.objections(asset.asset_id) == []


def test_an_objection_before_the_notice_is_refused(world: World) -> None:
    asset = world.register(world.participant(Role.ENTERPRISE))

    with refused(InvalidAssetStatus, "invalid-asset-status", by_contract="DataRightsInvalidStatus"):
        file_objection(world, world.participant(Role.ENTERPRISE), asset)


def test_an_objection_signed_with_another_key_is_refused_before_the_chain(world: World) -> None:
    asset = world.in_notice(world.participant(Role.ENTERPRISE))
    objector, impostor = world.participant(Role.ENTERPRISE), world.participant(Role.ENTERPRISE)

    with refused(InvalidSignature, "invalid-signature"):
        file_objection(world, objector, asset, signer=impostor)

    assert world.ledger.nonce_of(address_of(objector)) == 0


def test_an_objection_signed_past_its_deadline_is_refused(world: World) -> None:
    asset = world.in_notice(world.participant(Role.ENTERPRISE), notice_s=2 * DAY_S)
    objector = world.participant(Role.ENTERPRISE)
    evidence = hash_of("logs")
    prepared = world.procedure.prepare_objection(objector, asset.asset_id, "ours", evidence)
    world.clock.seconds = prepared["deadline"] + 1

    with refused(SignatureExpired, "signature-expired"):
        world.procedure.file_objection(
            objector, asset.asset_id, "ours", evidence, *world.sign(prepared, objector)
        )


def test_a_signed_objection_is_relayed_only_once(world: World) -> None:
    asset = world.in_notice(world.participant(Role.ENTERPRISE))
    objector = world.participant(Role.ENTERPRISE)
    evidence = hash_of("logs")
    prepared = world.procedure.prepare_objection(objector, asset.asset_id, "ours", evidence)
    signed = world.sign(prepared, objector)
    world.procedure.file_objection(objector, asset.asset_id, "ours", evidence, *signed)

    with refused(NonceReplayed, "nonce-replayed", by_contract="InvalidAccountNonce"):
        world.procedure.file_objection(objector, asset.asset_id, "ours", evidence, *signed)

    assert len(world.procedure.objections(asset.asset_id)) == 1


def test_a_dismissed_objection_leaves_the_application_in_notice(world: World) -> None:
    asset = world.in_notice(world.participant(Role.ENTERPRISE))
    objection = file_objection(world, world.participant(Role.ENTERPRISE), asset)

    resolved = world.resolve(objection["objectionId"], False, "the holder's logs predate the objector's")

    assert (resolved["status"], resolved["resolution"]) == (
        "dismissed",
        "the holder's logs predate the objector's",
    )
    assert world.registration.get_asset(asset.asset_id).state is AssetState.IN_NOTICE
    procedure = world.ledger.procedure(asset.asset_id)
    assert procedure is not None and procedure.open_objections == 0


def test_an_upheld_objection_rejects_the_application(world: World) -> None:
    asset = world.in_notice(world.participant(Role.ENTERPRISE))
    objection = file_objection(world, world.participant(Role.ENTERPRISE), asset)

    resolved = world.resolve(objection["objectionId"], True, "upheld")

    assert resolved["status"] == "upheld"
    assert world.registration.get_asset(asset.asset_id).state is AssetState.REJECTED
    assert chain_status(world, asset.asset_id) is OnChainAssetStatus.REJECTED
    assert world.store.acts_of(asset.asset_id)[-2:] == ["objection-resolved", "rejected"]


def test_an_objection_is_resolved_only_once(world: World) -> None:
    asset = world.in_notice(world.participant(Role.ENTERPRISE))
    objection = file_objection(world, world.participant(Role.ENTERPRISE), asset)
    world.resolve(objection["objectionId"], False, "dismissed")

    with refused(
        ObjectionAlreadyResolved,
        "objection-already-resolved",
        by_contract="DataRightsObjectionAlreadyResolved",
    ):
        world.resolve(objection["objectionId"], True, "changed my mind")


def test_resolving_an_unknown_objection_is_refused(world: World) -> None:
    with refused(ObjectionNotFound, "objection-not-found"):
        world.resolve(404, True, "upheld")


def test_only_a_registrar_resolves_an_objection(world: World) -> None:
    holder = world.participant(Role.ENTERPRISE)
    asset = world.in_notice(holder)
    objection = file_objection(world, world.participant(Role.ENTERPRISE), asset)

    with refused(NotAuthorised, "not-authorised"):
        world.resolve(objection["objectionId"], False, "not my problem", registrar=holder)


# -- the certificate --------------------------------------------------------------------------------


def test_the_certificate_is_refused_before_the_notice_ends_and_burns_no_number(world: World) -> None:
    asset = world.in_notice(world.participant(Role.ENTERPRISE))
    world.clock.seconds = world.notice_ends_at(asset.asset_id) - 1

    with refused(NoticePeriodNotEnded, "notice-period-not-ended"):
        world.certify(asset.asset_id)

    assert world.store.reserved_numbers() == []
    assert chain_status(world, asset.asset_id) is OnChainAssetStatus.IN_NOTICE


def test_the_certificate_is_refused_while_an_objection_is_open(world: World) -> None:
    asset = world.in_notice(world.participant(Role.ENTERPRISE))
    file_objection(world, world.participant(Role.ENTERPRISE), asset)
    world.end_notice(asset.asset_id)

    with refused(ObjectionsOpen, "objections-open"):
        world.certify(asset.asset_id)

    assert world.store.reserved_numbers() == []


def test_the_certificate_is_issued_once_the_notice_ended_with_every_objection_resolved(world: World) -> None:
    asset = world.in_notice(world.participant(Role.ENTERPRISE))
    objection = file_objection(world, world.participant(Role.ENTERPRISE), asset)
    world.resolve(objection["objectionId"], False, "dismissed")
    world.end_notice(asset.asset_id)

    certificate = world.certify(asset.asset_id)

    assert world.registration.get_asset(asset.asset_id).state is AssetState.CERTIFIED
    assert chain_status(world, asset.asset_id) is OnChainAssetStatus.CERTIFIED
    procedure = world.ledger.procedure(asset.asset_id)
    assert procedure is not None and procedure.current_certificate == certificate_hash(certificate)
    (stored,) = world.store.certificates_of(asset.asset_id)
    assert world.registration.certificate_status(stored["number"])["status"] == "valid"


def test_the_certificate_is_refused_for_an_application_not_in_notice(world: World) -> None:
    asset = world.register(world.participant(Role.ENTERPRISE))

    with refused(InvalidAssetStatus, "invalid-asset-status"):
        world.certify(asset.asset_id)


def test_the_status_states_where_the_asset_stands_on_chain(world: World) -> None:
    holder = world.participant(Role.ENTERPRISE)
    asset = world.in_notice(holder)
    objection = file_objection(world, world.participant(Role.ENTERPRISE), asset)

    status = world.procedure.status(asset.asset_id)

    assert status["state"] == "in_notice"
    assert status["holder"] == holder.address
    assert status["procedure"]["openObjections"] == 1
    assert status["objections"] == [objection]
    assert status["chainTime"] == world.ledger.next_block_timestamp()
    assert status["noticePeriod"] == NOTICE_S
