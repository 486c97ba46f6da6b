"""Registration and certificate numbers given by the services: a registration number when an application
is registered (directly or by materialising a batched registration), certificate numbers by the month of
issue, both of the registry's institution, whichever registrar signs."""

from __future__ import annotations

import pytest

from dataledger.registry.certificate import parse_certificate
from dataledger.registry.certificate_verifier import CertificateVerifier
from dataledger.registry.errors import ValidationFailed
from dataledger.registry.numbering import CertificateNumber, RegistrationNumber
from dataledger.registry.participants import Participant, Role
from dataledger.registry.registration_service import RegistrationService
from tests.registry.certificate_factories import registrar_key
from tests.registry.service_factories import World


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def holder(world: World) -> Participant:
    return world.participant(Role.ENTERPRISE, "holder")


def test_registered_applications_get_the_institutions_next_registration_numbers(
    world: World, holder: Participant
) -> None:
    first, second = world.register(holder), world.register(holder)

    assert first.registration_number == str(RegistrationNumber("460100", 2026, 1))
    assert second.registration_number == str(RegistrationNumber("460100", 2026, 2))
    assert world.registration.get_asset(first.asset_id).as_json()["registrationNumber"] == str(
        first.registration_number
    )


def test_the_institution_code_of_the_registry_numbers_registrations_and_certificates() -> None:
    world = World(institution_code="310000")
    holder = world.participant(Role.ENTERPRISE, "holder")
    asset, certificate = world.certified(holder)

    assert RegistrationNumber.parse(asset.registration_number or "").institution == "310000"
    number = CertificateNumber.parse(certificate["credentialSubject"]["certificateNumber"])
    assert (number.institution, number.serial) == ("310000", 1)


def test_a_certificate_is_numbered_by_its_month_of_issue_and_states_the_registration_number(
    world: World, holder: Participant
) -> None:
    asset, certificate = world.certified(holder)

    subject = certificate["credentialSubject"]
    issued = parse_certificate(certificate).valid_from
    assert subject["certificateNumber"] == f"DIP-{issued:%Y%m}-460100-000001"
    assert subject["registrationNumber"] == asset.registration_number
    report = CertificateVerifier([registrar_key().public_key], clock=lambda: issued).verify(certificate)
    assert report.valid, report
    assert report.checks[1].name == "format" and report.checks[1].passed


def test_certificates_of_two_registrars_share_the_registrys_serials(
    world: World, holder: Participant
) -> None:
    sanya = world.participant(Role.REGISTRAR, "Sanya registration station")
    world.certified(holder)
    other = world.in_notice(holder)
    world.end_notice(other.asset_id)
    second = world.certify(other.asset_id, registrar=sanya)

    serial = CertificateNumber.parse(second["credentialSubject"]["certificateNumber"]).serial
    assert serial == 2


def test_a_batched_registration_gets_its_registration_number_when_materialised(
    world: World, holder: Participant
) -> None:
    direct = world.register(holder)
    asset_id = world.batched(holder)
    assert world.store.get_asset(asset_id) is None  # accepted and anchored: no number before the chain has it

    materialised = world.batches.materialise(asset_id)

    assert materialised.registration_number == str(RegistrationNumber("460100", 2026, 2))
    assert materialised.registration_number != direct.registration_number


def test_a_malformed_institution_code_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        RegistrationService(world.ledger, world.store, registrar_key(), "Registry", institution_code="46010")
    assert caught.value.extra["field"] == "institutionCode"
