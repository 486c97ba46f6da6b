"""ConsentService against in-memory fakes: a data subject's consent to one query by one enterprise,
granted with the subject's signature, used once by the enterprise, withdrawn, expired."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount

from dataledger.registry.assets import text_commitment
from dataledger.registry.chain_records import ConsentStatus
from dataledger.registry.errors import (
    ConsentExpired,
    ConsentNotActive,
    ConsentNotFound,
    InvalidSignature,
    NotAuthorised,
    ValidationFailed,
)
from dataledger.registry.holder_signatures import sign_typed_data
from dataledger.registry.participants import Participant, Role
from tests.registry.service_factories import DAY_S, World, hash_of, refused

PURPOSE = "employment background check for the role of duty-free store manager"


@pytest.fixture
def enterprise(world: World) -> Participant:
    return world.participant(Role.ENTERPRISE, "Hiring enterprise")


@pytest.fixture
def subject(world: World) -> LocalAccount:
    return world.subject("candidate")


def grant(
    world: World,
    enterprise: Participant,
    subject: LocalAccount,
    valid_for_s: int = 7 * DAY_S,
    signer: LocalAccount | None = None,
) -> int:
    valid_until = world.ledger.next_block_timestamp() + valid_for_s
    prepared = world.consents.prepare_grant(enterprise, subject.address, PURPOSE, valid_until, None)
    signed = world.sign(prepared, signer or subject)
    granted = world.consents.grant(
        enterprise, subject.address, PURPOSE, valid_until, prepared["salt"], *signed
    )
    return int(granted["consentId"])


def use(
    world: World, enterprise: Participant, consent_id: int, request: str = "query 1"
) -> dict[str, object]:
    prepared = world.consents.prepare_use(enterprise, consent_id, hash_of(request))
    return world.consents.use(enterprise, consent_id, hash_of(request), *world.sign(prepared, enterprise))


def withdraw(world: World, consent_id: int, signer: LocalAccount) -> dict[str, object]:
    prepared = world.consents.prepare_withdrawal(consent_id)
    return world.consents.withdraw(consent_id, *world.sign(prepared, signer))


def status_on_chain(world: World, consent_id: int) -> ConsentStatus:
    consent = world.licence_ledger.consent(consent_id)
    assert consent is not None
    return consent.status


# -- grant ------------------------------------------------------------------------------------------


def test_the_subject_grants_a_consent_to_one_enterprise(
    world: World, enterprise: Participant, subject: LocalAccount
) -> None:
    consent_id = grant(world, enterprise, subject)

    stored = world.consents.get(consent_id)
    assert (stored["status"], stored["enterpriseId"], stored["purpose"]) == ("active", enterprise.id, PURPOSE)
    assert stored["purposeHash"] == text_commitment("consent-purpose", PURPOSE, stored["salt"])
    consent = world.licence_ledger.consent(consent_id)
    assert consent is not None
    assert (consent.subject, consent.enterprise) == (subject.address, enterprise.address)


def test_a_consent_signed_by_anyone_but_the_subject_is_refused(
    world: World, enterprise: Participant, subject: LocalAccount
) -> None:
    with refused(InvalidSignature, "invalid-signature"):
        grant(world, enterprise, subject, signer=world.subject("impostor"))


def test_a_consent_that_has_already_expired_is_refused(
    world: World, enterprise: Participant, subject: LocalAccount
) -> None:
    with refused(ValidationFailed, "validation-failed", by_contract="LicenceInvalidPeriod"):
        grant(world, enterprise, subject, valid_for_s=-1)


def test_a_consent_needs_a_purpose(world: World, enterprise: Participant, subject: LocalAccount) -> None:
    with refused(ValidationFailed, "validation-failed"):
        world.consents.prepare_grant(enterprise, subject.address, " ", world.clock.now() + DAY_S, None)


# -- use --------------------------------------------------------------------------------------------


def test_the_enterprise_uses_the_consent_for_one_query(
    world: World, enterprise: Participant, subject: LocalAccount
) -> None:
    consent_id = grant(world, enterprise, subject)

    used = use(world, enterprise, consent_id, "query 1")

    assert (used["status"], used["requestHash"]) == ("consumed", hash_of("query 1"))
    assert status_on_chain(world, consent_id) is ConsentStatus.CONSUMED


def test_a_consent_is_used_only_once(world: World, enterprise: Participant, subject: LocalAccount) -> None:
    consent_id = grant(world, enterprise, subject)
    use(world, enterprise, consent_id, "query 1")

    with refused(ConsentNotActive, "consent-not-active"):
        use(world, enterprise, consent_id, "query 2")


def test_a_query_signed_for_one_consent_cannot_consume_another(
    world: World, enterprise: Participant, subject: LocalAccount
) -> None:
    first, second = grant(world, enterprise, subject), grant(world, enterprise, subject)
    prepared = world.consents.prepare_use(enterprise, first, hash_of("query"))

    with refused(InvalidSignature, "invalid-signature"):
        world.consents.use(enterprise, second, hash_of("query"), *world.sign(prepared, enterprise))

    assert status_on_chain(world, second) is ConsentStatus.ACTIVE


def test_only_the_enterprise_consented_to_uses_the_consent(
    world: World, enterprise: Participant, subject: LocalAccount
) -> None:
    consent_id = grant(world, enterprise, subject)

    with refused(NotAuthorised, "not-authorised"):
        use(world, world.participant(Role.ENTERPRISE, "Data broker"), consent_id)


def test_a_consent_is_usable_until_the_last_second_of_its_validity(
    world: World, enterprise: Participant, subject: LocalAccount
) -> None:
    consent_id = grant(world, enterprise, subject, valid_for_s=DAY_S)
    consent = world.licence_ledger.consent(consent_id)
    assert consent is not None
    world.clock.seconds = consent.valid_until

    assert use(world, enterprise, consent_id)["status"] == "consumed"


def test_an_expired_consent_is_refused(world: World, enterprise: Participant, subject: LocalAccount) -> None:
    consent_id = grant(world, enterprise, subject, valid_for_s=DAY_S)
    world.clock.advance(DAY_S + 1)

    with refused(ConsentExpired, "consent-expired"):
        use(world, enterprise, consent_id)


def test_an_unknown_consent_is_refused(world: World, enterprise: Participant) -> None:
    with refused(ConsentNotFound, "consent-not-found"):
        use(world, enterprise, 404)


# -- withdrawal -------------------------------------------------------------------------------------


def test_the_subject_withdraws_an_unused_consent_and_it_can_no_longer_be_used(
    world: World, enterprise: Participant, subject: LocalAccount
) -> None:
    consent_id = grant(world, enterprise, subject)

    withdrawn = withdraw(world, consent_id, subject)

    assert withdrawn["status"] == "withdrawn"
    assert status_on_chain(world, consent_id) is ConsentStatus.WITHDRAWN
    with refused(ConsentNotActive, "consent-not-active"):
        use(world, enterprise, consent_id)


def test_a_used_consent_cannot_be_withdrawn(
    world: World, enterprise: Participant, subject: LocalAccount
) -> None:
    consent_id = grant(world, enterprise, subject)
    use(world, enterprise, consent_id)

    with refused(ConsentNotActive, "consent-not-active"):
        withdraw(world, consent_id, subject)


def test_only_the_subject_withdraws_a_consent(
    world: World, enterprise: Participant, subject: LocalAccount
) -> None:
    consent_id = grant(world, enterprise, subject)

    with refused(InvalidSignature, "invalid-signature"):
        withdraw(world, consent_id, world.subject("impostor"))

    assert status_on_chain(world, consent_id) is ConsentStatus.ACTIVE


# -- listing ----------------------------------------------------------------------------------------


def test_the_subject_lists_its_consents_by_signing_a_fresh_request(
    world: World, enterprise: Participant, subject: LocalAccount
) -> None:
    consent_id = grant(world, enterprise, subject)
    grant(world, enterprise, world.subject("someone else"))
    request = world.consents.listing_request(subject.address)
    signature = sign_typed_data(subject.key, request["typedData"])

    listed = world.consents.list_for_subject(subject.address, request["issuedAt"], signature)

    assert [c["consentId"] for c in listed] == [consent_id]


def test_a_stale_listing_request_is_refused(world: World, subject: LocalAccount) -> None:
    request = world.consents.listing_request(subject.address)
    signature = sign_typed_data(subject.key, request["typedData"])
    world.clock.advance(601)

    with refused(InvalidSignature, "invalid-signature"):
        world.consents.list_for_subject(subject.address, request["issuedAt"], signature)


def test_a_listing_request_signed_by_someone_else_is_refused(world: World, subject: LocalAccount) -> None:
    request = world.consents.listing_request(subject.address)
    signature = sign_typed_data(world.subject("impostor").key, request["typedData"])

    with refused(InvalidSignature, "invalid-signature"):
        world.consents.list_for_subject(subject.address, request["issuedAt"], signature)


def test_a_consent_and_its_acts_are_shown_to_its_enterprise_and_oversight_only(
    world: World, enterprise: Participant, subject: LocalAccount
) -> None:
    consent_id = grant(world, enterprise, subject)
    use(world, enterprise, consent_id)

    shown = world.consents.get_for(enterprise, consent_id)
    assert shown["status"] == "consumed"
    assert [entry["act"] for entry in shown["history"]] == ["ConsentGranted", "ConsentConsumed"]
    assert world.consents.get_for(world.participant(Role.AUDITOR, "Auditor"), consent_id) == shown
    stranger = world.participant(Role.ENTERPRISE, "Another enterprise")
    with refused(NotAuthorised, "not-authorised"):
        world.consents.get_for(stranger, consent_id)
