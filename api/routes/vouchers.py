"""Data vouchers: a programme authority creates a programme and issues vouchers to enterprises; a
registrar records the registration fee it charged for an asset; an enterprise redeems vouchers against
its trade or a recorded registration fee, within the programme's caps; the authority sees the spend by
enterprise and purpose.

Each signed act has a ``…-requests`` route answering the EIP-712 message to sign, and a route taking
the signature, which relays the act to the ``DataVouchers`` contract (which enforces every cap again).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.responses.assets import PreparedAct
from dataledger.api.responses.vouchers import (
    PreparedProgramme,
    PreparedRedemption,
    Programme,
    ProgrammeSpend,
    RegistrationFee,
    VoucherMovement,
)
from dataledger.api.voucher_schemas import (
    AssetIdPath,
    IssueBody,
    IssueSubmit,
    ProgrammeIdPath,
    ProgrammeRulesBody,
    ProgrammeSubmit,
    RedemptionBody,
    RedemptionSubmit,
    RegistrationFeeBody,
    RegistrationFeeSubmit,
)

router = APIRouter(prefix="/v1/voucher-programmes", tags=["vouchers"])
fees_router = APIRouter(prefix="/v1/registration-fees", tags=["vouchers"])


@router.post(
    "/requests", response_model=PreparedProgramme, summary="Prepare a voucher programme (programme authority)"
)
def prepare_voucher_programme(
    body: ProgrammeRulesBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """A programme authority gets the ``VoucherProgramme`` to sign: currency, budget, the cap as a share
    of the amount (basis points) and the cap per enterprise and period, and the programme's new id."""
    return services.vouchers.prepare_programme(me, body.to_domain())


@router.post(
    "",
    response_model=Programme,
    status_code=status.HTTP_201_CREATED,
    summary="Create a voucher programme (authority-signed)",
)
def create_voucher_programme(
    body: ProgrammeSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The authority submits the signed programme; the vouchers contract records its rules."""
    programme = services.vouchers.create_programme(
        me, body.name, body.programme_id, body.to_domain(), body.nonce, body.deadline, body.signature
    )
    return programme.as_json()


@router.get("/{programmeId}", response_model=Programme, summary="A voucher programme (public)")
def get_voucher_programme(programme_id: ProgrammeIdPath, services: ServicesDep) -> dict[str, Any]:
    """Anyone: the programme's rules and what it issued and had redeemed, as the chain counts them."""
    return services.vouchers.programme(programme_id).as_json()


@router.post(
    "/{programmeId}/issue-requests",
    response_model=PreparedAct,
    summary="Prepare an issue of vouchers to an enterprise (the programme's authority)",
)
def prepare_voucher_issue(
    programme_id: ProgrammeIdPath, body: IssueBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The programme's authority gets the ``VoucherIssue`` to sign. 403 for anyone else; 409 beyond the
    budget left; 422 unless the receiver is an enterprise's chain address."""
    return services.vouchers.prepare_issue(me, programme_id, body.enterprise, body.amount)


@router.post(
    "/{programmeId}/issues",
    response_model=VoucherMovement,
    status_code=status.HTTP_201_CREATED,
    summary="Issue vouchers to an enterprise (authority-signed)",
)
def issue_vouchers(
    programme_id: ProgrammeIdPath, body: IssueSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The authority submits the signed issue; the enterprise holds the vouchers."""
    return services.vouchers.issue(
        me, programme_id, body.enterprise, body.amount, body.nonce, body.deadline, body.signature
    )


@router.post(
    "/{programmeId}/redemption-requests",
    response_model=PreparedRedemption,
    summary="Prepare a redemption of vouchers (enterprise)",
)
def prepare_voucher_redemption(
    programme_id: ProgrammeIdPath, body: RedemptionBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """An enterprise gets the ``VoucherRedemption`` to sign: against its own accepted trade (its amount)
    or a registration fee a registrar recorded as charged to it (the recorded amount). 409 over the
    programme's caps or the vouchers held, for a fee not recorded or already redeemed against."""
    return services.vouchers.prepare_redemption(
        me, programme_id, body.purpose_value, body.reference_id, body.value, body.amount
    )


@router.post(
    "/{programmeId}/redemptions",
    response_model=VoucherMovement,
    status_code=status.HTTP_201_CREATED,
    summary="Redeem vouchers (enterprise-signed)",
)
def redeem_vouchers(
    programme_id: ProgrammeIdPath, body: RedemptionSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The enterprise submits the signed redemption; the contract enforces the caps again."""
    return services.vouchers.redeem(
        me,
        programme_id,
        body.purpose_value,
        body.reference_id,
        body.value,
        body.amount,
        body.nonce,
        body.deadline,
        body.signature,
    )


@router.get(
    "/{programmeId}/spend",
    response_model=ProgrammeSpend,
    summary="A programme's spend by enterprise and purpose (its authority)",
)
def voucher_spend(
    programme_id: ProgrammeIdPath, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The programme's authority and oversight: per enterprise, what it was issued and redeemed, and its
    redemptions by purpose (trade, registration fee)."""
    return services.vouchers.spend(me, programme_id)


# -- registration fees (a registrar records the fee it charged) -------------------------------------


@fees_router.post(
    "/requests",
    response_model=PreparedAct,
    summary="Prepare the record of a registration fee (registrar)",
)
def prepare_registration_fee(
    body: RegistrationFeeBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """A registrar (its own chain key, holding the registrar role) gets the ``RegistrationFee`` to sign:
    the asset, its holder as the payer, the amount and currency charged. 409 once a fee is recorded."""
    return services.vouchers.prepare_fee(me, body.asset_id, body.amount, body.currency)


@fees_router.post(
    "",
    response_model=RegistrationFee,
    status_code=status.HTTP_201_CREATED,
    summary="Record a registration fee (registrar-signed)",
)
def record_registration_fee(
    body: RegistrationFeeSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The registrar submits the signed fee; the vouchers contract records it (checking the registrar's
    role on the registry), and vouchers may then pay part of it, once."""
    fee = services.vouchers.record_fee(
        me, body.asset_id, body.amount, body.currency, body.nonce, body.deadline, body.signature
    )
    return fee.as_json()


@fees_router.get("/{assetId}", response_model=RegistrationFee, summary="An asset's registration fee")
def get_registration_fee(
    asset_id: AssetIdPath, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The payer, the registrar that recorded it, and oversight; to anyone else it does not exist (404)."""
    return services.vouchers.registration_fee(me, asset_id).as_json()
