"""PledgeService against in-memory fakes: a pledge both parties sign (filed by either), its valuations,
its registration certificate, its release and enforcement, and a bank's book."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from dataledger.registry.assets import AssetRecord
from dataledger.registry.certificate import parse_certificate
from dataledger.registry.certificate_issuance import CertificateSubmission
from dataledger.registry.errors import (
    AssetNotPledged,
    AssetPledged,
    InvalidSignature,
    NotAuthorised,
    PledgeAlreadyCertified,
    ValidationFailed,
)
from dataledger.registry.participants import Participant, Role
from dataledger.registry.pledge_certificate import PledgeStanding
from dataledger.registry.pledges import PartySigned, PledgeOffer
from dataledger.registry.procedure import address_of
from tests.registry.service_factories import DAY_S, World, refused

TERMS = "loan 2026-118: the asset secures CNY 5M until repaid"
VALUATION = "Appraised at CNY 8M by Hainan Data Appraisal, report 2026-311"


def offer(world: World, bank: Participant, **changes: Any) -> PledgeOffer:
    values: dict[str, Any] = {
        "pledgee": address_of(bank),
        "terms": TERMS,
        "secured_amount": 500_000_000,
        "currency": "CNY",
        "maturity": world.clock.now() + 365 * DAY_S,
        "valuation": VALUATION,
    }
    return PledgeOffer(**(values | changes))


def pledged(
    world: World,
    holder: Participant,
    asset_id: str,
    bank: Participant,
    *,
    by: Participant | None = None,
    forged_acceptance: Participant | None = None,
) -> dict[str, Any]:
    """Prepared by ``by`` (default: the holder), signed by each party with its own key, filed by ``by``."""
    filer = by or holder
    terms = offer(world, bank)
    prepared = world.pledges.prepare_pledge(filer, asset_id, terms, None)
    by_holder = PartySigned(*world.sign(prepared["holder"], holder))
    by_bank = PartySigned(*world.sign(prepared["pledgee"], forged_acceptance or bank))
    return world.pledges.pledge(filer, asset_id, terms, prepared["salt"], by_holder, by_bank)


def pledgee_act(world: World, pledgee: Participant, asset_id: str, act: str) -> dict[str, Any]:
    primary_type = {"release": "PledgeRelease", "enforce": "PledgeEnforcement"}[act]
    prepared = world.pledges.prepare_pledgee_act(pledgee, asset_id, primary_type)
    signed = PartySigned(*world.sign(prepared, pledgee))
    if act == "release":
        return world.pledges.release(pledgee, asset_id, signed)
    return world.pledges.enforce(pledgee, asset_id, signed)


def certify_pledge(world: World, asset_id: str) -> dict[str, Any]:
    prepared = world.pledges.prepare_certificate(world.registrar, asset_id)
    signed = world.sign(prepared, world.registrar)
    submission = CertificateSubmission(
        prepared["certificateNumber"],
        datetime.fromisoformat(prepared["issuedAt"]),
        signed.nonce,
        signed.deadline,
        signed.signature,
    )
    return world.pledges.issue_certificate(world.registrar, asset_id, submission)


# -- the pledge, signed by both parties -------------------------------------------------------------


def test_a_pledge_both_parties_signed_records_what_it_secures(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    pledge = pledged(world, holder, certified.asset_id, bank)

    assert (pledge["status"], pledge["pledgeeId"], pledge["terms"]) == ("active", bank.id, TERMS)
    assert (pledge["securedAmount"], pledge["currency"], pledge["valuation"]) == (
        500_000_000,
        "CNY",
        VALUATION,
    )
    on_chain = world.ledger.pledge_record(certified.asset_id)
    assert on_chain is not None and on_chain.active and on_chain.secured_amount == 500_000_000
    assert on_chain.terms_hash == pledge["termsHash"] and on_chain.valuation_hash == pledge["valuationHash"]
    (certificate,) = world.store.certificates_of(certified.asset_id)
    assert world.registration.certificate_status(certificate["number"])["pledgedTo"] == bank.address


def test_the_pledgee_may_file_the_pledge_itself(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    pledge = pledged(world, holder, certified.asset_id, bank, by=bank)

    assert pledge["status"] == "active" and pledge["pledgorAddress"] == holder.address


def test_a_pledge_without_the_pledgees_signature_is_refused(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    nonces = [world.ledger.nonce_of(address_of(p)) for p in (holder, bank)]

    with refused(InvalidSignature, "invalid-signature"):
        pledged(world, holder, certified.asset_id, bank, forged_acceptance=holder)

    assert world.ledger.pledge_record(certified.asset_id) is None
    assert [world.ledger.nonce_of(address_of(p)) for p in (holder, bank)] == nonces  # neither used


def test_a_stranger_cannot_prepare_nor_file_a_pledge(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    stranger = world.participant(Role.ENTERPRISE, "Stranger")
    with refused(NotAuthorised, "not-authorised"):
        world.pledges.prepare_pledge(stranger, certified.asset_id, offer(world, bank), None)


def test_an_asset_is_pledged_only_once_at_a_time(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    pledged(world, holder, certified.asset_id, bank)

    with refused(AssetPledged, "asset-pledged"):
        pledged(world, holder, certified.asset_id, world.participant(Role.ENTERPRISE, "Other bank"))


@pytest.mark.parametrize(
    "changes",
    [{"terms": ""}, {"currency": "yuan"}, {"secured_amount": 0}, {"maturity": 0}, {"valuation": ""}],
    ids=["no terms", "no currency code", "nothing secured", "no maturity", "no valuation"],
)
def test_a_pledge_needs_terms_an_amount_a_currency_a_maturity_and_a_valuation(
    world: World, bank: Participant, changes: dict[str, Any]
) -> None:
    with pytest.raises(ValidationFailed):
        offer(world, bank, **changes)


def test_a_pledge_maturing_before_the_chains_time_is_refused(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    with refused(ValidationFailed, "validation-failed"):
        world.pledges.prepare_pledge(
            holder, certified.asset_id, offer(world, bank, maturity=world.clock.now() - 1), None
        )


# -- valuations, release, enforcement ---------------------------------------------------------------


def test_the_pledgee_revalues_and_every_valuation_is_kept(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    pledged(world, holder, certified.asset_id, bank)
    prepared = world.pledges.prepare_revaluation(bank, certified.asset_id, "Re-appraised at CNY 7.5M", None)

    pledge = world.pledges.revalue(
        bank,
        certified.asset_id,
        "Re-appraised at CNY 7.5M",
        prepared["salt"],
        PartySigned(*world.sign(prepared, bank)),
    )

    assert [v["valuation"] for v in pledge["valuations"]] == [VALUATION, "Re-appraised at CNY 7.5M"]
    on_chain = world.ledger.pledge_record(certified.asset_id)
    assert on_chain is not None and on_chain.valuation_hash == prepared["valuationHash"]
    with refused(NotAuthorised, "not-authorised"):
        world.pledges.prepare_revaluation(holder, certified.asset_id, "mine is worth more", None)


def test_the_pledgee_releases_the_pledge_and_the_asset_is_free_again(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    pledged(world, holder, certified.asset_id, bank)

    released = pledgee_act(world, bank, certified.asset_id, "release")

    assert released["status"] == "released"
    procedure = world.ledger.procedure(certified.asset_id)
    assert procedure is not None and procedure.pledgee is None
    on_chain = world.ledger.pledge_record(certified.asset_id)
    assert on_chain is not None and not on_chain.active


def test_only_the_pledgee_releases_the_pledge(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    pledged(world, holder, certified.asset_id, bank)

    with refused(NotAuthorised, "not-authorised"):
        pledgee_act(world, holder, certified.asset_id, "release")


def test_releasing_an_asset_that_is_not_pledged_is_refused(
    world: World, bank: Participant, certified: AssetRecord
) -> None:
    with refused(AssetNotPledged, "asset-not-pledged"):
        pledgee_act(world, bank, certified.asset_id, "release")


def test_enforcement_passes_the_rights_to_the_pledgee_with_a_new_certificate(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    pledged(world, holder, certified.asset_id, bank)

    enforced = pledgee_act(world, bank, certified.asset_id, "enforce")
    reissued = world.certify(certified.asset_id)

    assert enforced["pledge"]["status"] == "enforced"
    assert enforced["asset"]["holderId"] == bank.id
    assert parse_certificate(reissued).holder_address == bank.address
    procedure = world.ledger.procedure(certified.asset_id)
    assert procedure is not None and (procedure.pledgee, procedure.enforcements) == (None, 1)
    assert "pledge-enforced" in world.store.acts_of(certified.asset_id)


def test_enforcing_a_released_pledge_is_refused(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    pledged(world, holder, certified.asset_id, bank)
    pledgee_act(world, bank, certified.asset_id, "release")

    with refused(AssetNotPledged, "asset-not-pledged"):
        pledgee_act(world, bank, certified.asset_id, "enforce")


# -- the pledge registration certificate -------------------------------------------------------------


def test_a_registrar_certifies_the_pledge_and_the_certificate_holds_until_release(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    pledged(world, holder, certified.asset_id, bank)

    vc = certify_pledge(world, certified.asset_id)

    subject = vc["credentialSubject"]
    assert subject["pledgeCertificateNumber"].startswith("DPL-")
    assert (subject["securedAmount"], subject["currency"]) == (500_000_000, "CNY")
    assert subject["pledgee"]["address"] == bank.address and subject["pledgor"]["address"] == holder.address
    assert subject["asset"]["registrationNumber"] == certified.registration_number
    assert world.pledges.check_certificate(vc).standing is PledgeStanding.ACTIVE
    assert world.pledges.certificate(subject["pledgeCertificateNumber"]) == vc
    with refused(PledgeAlreadyCertified, "pledge-already-certified"):
        world.pledges.prepare_certificate(world.registrar, certified.asset_id)

    pledgee_act(world, bank, certified.asset_id, "release")

    assert world.pledges.check_certificate(vc).standing is PledgeStanding.ENDED


def test_an_edited_pledge_certificate_is_found_out(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    pledged(world, holder, certified.asset_id, bank)
    vc = certify_pledge(world, certified.asset_id)
    edited = {**vc, "credentialSubject": {**vc["credentialSubject"], "securedAmount": 900_000_000}}

    report = world.pledges.check_certificate(edited)

    assert report.standing is PledgeStanding.TAMPERED and not report.valid


def test_only_a_registrar_certifies_a_pledge(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    pledged(world, holder, certified.asset_id, bank)

    with refused(NotAuthorised, "not-authorised"):
        world.pledges.prepare_certificate(bank, certified.asset_id)


def test_a_bank_sees_all_its_pledges_and_no_one_elses(
    world: World, holder: Participant, bank: Participant, certified: AssetRecord
) -> None:
    other, _ = world.certified(holder)
    pledged(world, holder, certified.asset_id, bank)
    pledged(world, holder, other.asset_id, bank)
    pledgee_act(world, bank, other.asset_id, "release")

    book = world.pledges.pledges_of(bank, status=None, limit=50, offset=0)
    active = world.pledges.pledges_of(bank, status="active", limit=50, offset=0)

    assert {p["assetId"] for p in book} == {certified.asset_id, other.asset_id}
    assert [p["assetId"] for p in active] == [certified.asset_id]
    assert world.pledges.pledges_of(holder, status=None, limit=50, offset=0) == []
