"""Registrars are accountable: each registration institution signs its own acts, the service relays
them, and the history records which institution acted. Every forged, foreign, replayed, late or
misdirected signature is refused before the chain sees it; the fake contract (held to the real one by
``test_fake_contracts``) refuses the same acts when the service's checks are bypassed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataledger.registry.assets import AssetRecord, AssetState
from dataledger.registry.certificate import certificate_hash, parse_certificate
from dataledger.registry.chain_records import ReviewStage
from dataledger.registry.chain_types import OnChainAssetStatus
from dataledger.registry.errors import (
    InvalidAssetStatus,
    InvalidSignature,
    NonceReplayed,
    NotAuthorised,
    SignatureExpired,
    ValidationFailed,
)
from dataledger.registry.holder_signatures import (
    ACT_TYPES,
    REGISTRAR_ACT_TYPES,
    Eip712Domain,
    act_authorisation,
    recover_typed_data_signer,
    sign_act,
)
from dataledger.registry.participants import Participant, Role
from tests.registry.service_factories import World, key_of, refused

FORMAL, SUBSTANTIVE = ReviewStage.FORMAL, ReviewStage.SUBSTANTIVE


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def holder(world: World) -> Participant:
    return world.participant(Role.ENTERPRISE, "holder")


@pytest.fixture
def sanya(world: World) -> Participant:
    """A second registration institution sharing the registry."""
    return world.participant(Role.REGISTRAR, "Sanya registration station")


def status_of(world: World, asset_id: str) -> OnChainAssetStatus:
    on_chain = world.ledger.asset(asset_id)
    assert on_chain is not None
    return on_chain.status


def untouched(world: World, asset: AssetRecord, registrar: Participant, nonce: int = 0) -> None:
    """Nothing changed: the asset as registered, the registrar's nonce unused, no act recorded."""
    assert registrar.address is not None
    assert status_of(world, asset.asset_id) is OnChainAssetStatus.REGISTERED
    assert world.ledger.nonce_of(registrar.address) == nonce
    assert world.store.acts_of(asset.asset_id) == ["registered"]


# -- two institutions, each accountable ---------------------------------------------------------------


def test_two_institutions_sign_their_own_acts_and_the_history_names_each(
    world: World, holder: Participant, sanya: Participant
) -> None:
    haikou = world.registrar
    world.procedure.set_notice_period(world.admin, 0)
    asset = world.register(holder)

    world.review(asset.asset_id, FORMAL, registrar=haikou)
    world.review(asset.asset_id, SUBSTANTIVE, reason="lawful", registrar=sanya)
    certificate = world.certify(asset.asset_id, registrar=haikou)

    named = [
        (entry.act, entry.actor, entry.detail.get("registrar"))
        for entry in world.store.history
        if entry.asset_id == asset.asset_id and entry.act != "registered"
    ]
    assert named == [
        ("reviewed", haikou.address, haikou.address),
        ("reviewed", sanya.address, sanya.address),
        ("notice-started", sanya.address, sanya.address),
        ("certificate-recorded", haikou.address, haikou.address),
    ]
    assert world.ledger.operator not in {actor for _, actor, _ in named}  # the operator only relayed
    assert world.registration.get_asset(asset.asset_id).state is AssetState.CERTIFIED
    assert world.ledger.procedure(asset.asset_id).current_certificate == certificate_hash(certificate)  # type: ignore[union-attr]


def test_each_institution_uses_its_own_nonces(world: World, holder: Participant, sanya: Participant) -> None:
    first, second = world.register(holder), world.register(holder)

    world.review(first.asset_id, FORMAL)
    world.review(second.asset_id, FORMAL, registrar=sanya)
    world.reject(first.asset_id, "no lawful source", registrar=sanya)

    assert world.ledger.nonce_of(world.registrar.address or "") == 1
    assert world.ledger.nonce_of(sanya.address or "") == 2


# -- attacks ------------------------------------------------------------------------------------------


def test_a_strangers_signature_in_a_registrars_name_is_refused(world: World, holder: Participant) -> None:
    asset = world.register(holder)
    prepared = world.procedure.prepare_review(world.registrar, asset.asset_id, FORMAL, True, "complete")
    stranger = world.subject("stranger")

    with refused(InvalidSignature, "invalid-signature"):
        world.procedure.review(
            world.registrar, asset.asset_id, FORMAL, True, "complete", *world.sign(prepared, stranger)
        )
    untouched(world, asset, world.registrar)


def test_a_holder_neither_prepares_nor_submits_a_registrars_act(world: World, holder: Participant) -> None:
    asset = world.register(holder)
    with refused(NotAuthorised, "not-authorised"):
        world.procedure.prepare_review(holder, asset.asset_id, FORMAL, True, "my own")
    own = act_authorisation(
        "Review",
        holder.address or "",
        registrar=holder.address,
        assetId=asset.asset_id,
        stage=0,
        passed=True,
        reasonHash="0x" + "11" * 32,
        nonce=0,
        deadline=2**40,
    )
    signature = sign_act(world.keys[(holder.address or "").lower()].key, own, world.ledger.domain)

    with refused(NotAuthorised, "not-authorised"):
        world.procedure.review(holder, asset.asset_id, FORMAL, True, "my own", 0, 2**40, signature)
    # and were the service's checks bypassed, the contract would refuse the holder's key for want of the role
    with refused(NotAuthorised, "not-authorised", by_contract="AccessControlUnauthorizedAccount"):
        world.ledger.submit_act(own, signature)
    untouched(world, asset, world.registrar)


def test_a_registrar_whose_role_was_revoked_is_refused(world: World, holder: Participant) -> None:
    asset = world.register(holder)
    prepared = world.registration.prepare_revocation(world.registrar, asset.asset_id, "court order")
    signed = world.sign(prepared, world.registrar)
    world.ledger.revoke_registrar(world.registrar.address or "")

    with refused(NotAuthorised, "not-authorised"):
        world.registration.revoke(world.registrar, asset.asset_id, "court order", *signed)
    auth = act_authorisation(
        "Revocation",
        world.registrar.address or "",
        registrar=world.registrar.address,
        assetId=asset.asset_id,
        reasonHash=prepared["typedData"]["message"]["reasonHash"],
        nonce=signed.nonce,
        deadline=signed.deadline,
    )
    with refused(NotAuthorised, "not-authorised", by_contract="AccessControlUnauthorizedAccount"):
        world.ledger.submit_act(auth, signed.signature)
    untouched(world, asset, world.registrar)


def test_a_revoked_registrar_prepares_nothing_and_reserves_no_certificate_number(
    world: World, holder: Participant
) -> None:
    asset = world.in_notice(holder)
    world.end_notice(asset.asset_id)
    world.ledger.revoke_registrar(world.registrar.address or "")

    with refused(NotAuthorised, "not-authorised"):
        world.registration.prepare_certificate(world.registrar, asset.asset_id)
    with refused(NotAuthorised, "not-authorised"):
        world.procedure.prepare_rejection(world.registrar, asset.asset_id, "too late")
    assert world.store.reserved_numbers() == []


def test_a_replayed_registrar_signature_is_refused(world: World, holder: Participant) -> None:
    asset = world.register(holder)
    prepared = world.procedure.prepare_review(world.registrar, asset.asset_id, FORMAL, True, "complete")
    signed = world.sign(prepared, world.registrar)
    world.procedure.review(world.registrar, asset.asset_id, FORMAL, True, "complete", *signed)

    with refused(NonceReplayed, "nonce-replayed"):
        world.procedure.review(world.registrar, asset.asset_id, FORMAL, True, "complete", *signed)
    assert world.store.acts_of(asset.asset_id) == ["registered", "reviewed"]


def test_an_expired_registrar_signature_is_refused_by_the_next_blocks_time(
    world: World, holder: Participant
) -> None:
    asset = world.register(holder)
    prepared = world.procedure.prepare_rejection(world.registrar, asset.asset_id, "incomplete")
    signed = world.sign(prepared, world.registrar)
    world.clock.seconds = signed.deadline + 1  # the chain is idle: only the next block's time has moved

    with refused(SignatureExpired, "signature-expired"):
        world.procedure.reject(world.registrar, asset.asset_id, "incomplete", *signed)
    untouched(world, asset, world.registrar)


def test_a_signature_for_another_asset_is_refused(world: World, holder: Participant) -> None:
    asset, other = world.register(holder), world.register(holder)
    prepared = world.registration.prepare_revocation(world.registrar, other.asset_id, "unlawful")

    with refused(InvalidSignature, "invalid-signature"):
        world.registration.revoke(
            world.registrar, asset.asset_id, "unlawful", *world.sign(prepared, world.registrar)
        )
    untouched(world, asset, world.registrar)
    untouched(world, other, world.registrar)


def test_a_signature_for_another_act_is_refused(world: World, holder: Participant) -> None:
    """A signed rejection cannot be relayed as a revocation, though both carry the same fields."""
    asset = world.register(holder)
    rejection = world.procedure.prepare_rejection(world.registrar, asset.asset_id, "unlawful")

    with refused(InvalidSignature, "invalid-signature"):
        world.registration.revoke(
            world.registrar, asset.asset_id, "unlawful", *world.sign(rejection, world.registrar)
        )
    untouched(world, asset, world.registrar)


def test_one_institution_cannot_act_in_anothers_name(
    world: World, holder: Participant, sanya: Participant
) -> None:
    asset = world.register(holder)
    prepared = world.procedure.prepare_review(world.registrar, asset.asset_id, FORMAL, True, "complete")

    with refused(InvalidSignature, "invalid-signature"):
        world.procedure.review(
            world.registrar, asset.asset_id, FORMAL, True, "complete", *world.sign(prepared, sanya)
        )
    untouched(world, asset, world.registrar)
    untouched(world, asset, sanya)


def test_the_review_submitted_must_be_the_review_signed(world: World, holder: Participant) -> None:
    asset = world.register(holder)
    failed = world.procedure.prepare_review(world.registrar, asset.asset_id, FORMAL, False, "no source")

    with refused(InvalidSignature, "invalid-signature"):
        world.procedure.review(
            world.registrar, asset.asset_id, FORMAL, True, "no source", *world.sign(failed, world.registrar)
        )
    untouched(world, asset, world.registrar)


# -- certificates: prepared for the registrar, rebuilt from what it signed ------------------------------


def ready(world: World, holder: Participant) -> AssetRecord:
    asset = world.in_notice(holder)
    world.end_notice(asset.asset_id)
    return asset


def test_the_certificate_submitted_is_the_credential_prepared(world: World, holder: Participant) -> None:
    asset = ready(world, holder)
    prepared = world.registration.prepare_certificate(world.registrar, asset.asset_id)
    message = prepared["typedData"]["message"]
    assert message["certificateHash"] == certificate_hash(prepared["certificate"])
    assert message["registrar"] == world.registrar.address

    issued = world.registration.issue_certificate(
        world.registrar, asset.asset_id, world.certificate_submission(prepared, world.registrar)
    )

    assert issued == prepared["certificate"]
    assert parse_certificate(issued).number == prepared["certificateNumber"]


def test_a_certificate_number_prepared_for_another_asset_is_refused(
    world: World, holder: Participant
) -> None:
    asset, other = ready(world, holder), ready(world, holder)
    for_other = world.registration.prepare_certificate(world.registrar, other.asset_id)
    prepared = world.registration.prepare_certificate(world.registrar, asset.asset_id)
    submission = world.certificate_submission(prepared, world.registrar)

    with refused(ValidationFailed, "validation-failed"):
        world.registration.issue_certificate(
            world.registrar, asset.asset_id, replace(submission, number=for_other["certificateNumber"])
        )
    assert status_of(world, asset.asset_id) is OnChainAssetStatus.IN_NOTICE


@pytest.mark.parametrize("shift", [timedelta(seconds=-1), timedelta(days=1)])
def test_a_certificate_with_another_issue_time_is_refused(
    world: World, holder: Participant, shift: timedelta
) -> None:
    asset = ready(world, holder)
    prepared = world.registration.prepare_certificate(world.registrar, asset.asset_id)
    submission = world.certificate_submission(prepared, world.registrar)

    with pytest.raises((InvalidSignature, ValidationFailed)):
        world.registration.issue_certificate(
            world.registrar, asset.asset_id, replace(submission, issued_at=submission.issued_at + shift)
        )
    assert status_of(world, asset.asset_id) is OnChainAssetStatus.IN_NOTICE


def test_a_certificate_signed_by_a_stranger_is_refused(world: World, holder: Participant) -> None:
    asset = ready(world, holder)
    prepared = world.registration.prepare_certificate(world.registrar, asset.asset_id)

    with refused(InvalidSignature, "invalid-signature"):
        world.registration.issue_certificate(
            world.registrar, asset.asset_id, world.certificate_submission(prepared, world.subject("forger"))
        )
    assert status_of(world, asset.asset_id) is OnChainAssetStatus.IN_NOTICE


def test_after_a_transfer_a_registrar_issues_the_successor_and_nothing_more_is_due(
    world: World, holder: Participant, sanya: Participant
) -> None:
    asset, _ = world.certified(holder)
    buyer = world.participant(Role.ENTERPRISE, "buyer")
    prepared: dict[str, Any] = world.holder_acts.prepare_transfer(holder, asset.asset_id, buyer.address or "")
    world.holder_acts.transfer(holder, asset.asset_id, buyer.address or "", *world.sign(prepared, holder))

    successor = world.certify(asset.asset_id, registrar=sanya)

    assert parse_certificate(successor).holder_address == buyer.address
    assert world.store.history[-2].actor == sanya.address  # certificate-recorded, then -superseded
    with refused(InvalidAssetStatus, "invalid-asset-status"):
        world.registration.prepare_certificate(world.registrar, asset.asset_id)


def test_the_administrator_is_no_registrar_it_has_no_key_to_sign_with(
    world: World, holder: Participant
) -> None:
    asset = world.register(holder)
    admin = replace(world.admin, address=None)
    with refused(NotAuthorised, "not-authorised"):
        world.procedure.prepare_review(admin, asset.asset_id, FORMAL, True, "complete")


# -- a property: a registrar's signature covers every field of its act ---------------------------------


def _value(kind: str) -> st.SearchStrategy[Any]:
    if kind == "address":
        return st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
    if kind == "bytes32":
        return st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex())
    if kind == "bool":
        return st.booleans()
    return st.integers(0, 2 ** int(kind.removeprefix("uint")) - 1)


@settings(max_examples=60, deadline=None)
@given(primary=st.sampled_from(sorted(REGISTRAR_ACT_TYPES)), data=st.data())
def test_changing_any_field_of_a_signed_registrar_act_changes_who_signed_it(
    primary: str, data: st.DataObject
) -> None:
    key = key_of("property registrar")
    domain = Eip712Domain(31337, "0x" + "22" * 20)
    fields = dict(ACT_TYPES[primary])
    message = {name: data.draw(_value(kind), label=name) for name, kind in fields.items()}
    message["registrar"] = key.address
    auth = act_authorisation(primary, key.address, **message)
    signature = sign_act(key.key, auth, domain)
    assert recover_typed_data_signer(auth.typed_data(domain), signature) == key.address

    name = data.draw(st.sampled_from(sorted(fields)), label="changed field")
    # another value, not the same one spelled otherwise (an address's case is its checksum, not its value)
    changed = data.draw(
        _value(fields[name]).filter(lambda v: str(v).lower() != str(auth.message[name]).lower()), label="to"
    )
    altered = act_authorisation(primary, key.address, **{**dict(auth.message), name: changed})
    assert recover_typed_data_signer(altered.typed_data(domain), signature) != key.address
