"""Pledge financing: the pledge both parties sign, the pledgee's valuations, release and enforcement, the
registrar's pledge registration certificate, a pledgee's book, and the public check of a certificate.

Each signed act has a ``…-requests`` route answering the EIP-712 message(s) to sign, and a route taking
the signature(s), which relays the act to the chain.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, status

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.responses.assets import PreparedAct
from dataledger.api.responses.certificates import PledgeCertificate
from dataledger.api.responses.holder_acts import (
    Pledge,
    PledgeBook,
    PledgeCertificateReport,
    PledgeEnforcement,
    PledgeList,
    PreparedPledge,
    PreparedPledgeCertificate,
    PreparedRevaluation,
)
from dataledger.api.schemas import (
    AssetIdPath,
    PartySignature,
    PledgeCertificateSubmit,
    PledgeFields,
    PledgePrepare,
    PledgeSubmit,
    RevaluationPrepare,
    RevaluationSubmit,
    Signed,
)
from dataledger.registry.certificate_issuance import CertificateSubmission
from dataledger.registry.pledges import PartySigned, PledgeOffer

router = APIRouter(prefix="/v1/assets", tags=["pledges"])
book_router = APIRouter(tags=["pledges"])


def _offer(body: PledgeFields) -> PledgeOffer:
    return PledgeOffer(
        pledgee=body.pledgee,
        terms=body.terms,
        secured_amount=body.secured_amount,
        currency=body.currency,
        maturity=body.maturity,
        valuation=body.valuation,
    )


def _signed(body: PartySignature | Signed) -> PartySigned:
    return PartySigned(body.nonce, body.deadline, body.signature)


@router.post(
    "/{assetId}/pledge-requests",
    response_model=PreparedPledge,
    summary="Prepare the pledge both parties sign (holder or pledgee)",
)
def prepare_pledge(
    asset_id: AssetIdPath, body: PledgePrepare, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The holder or the named pledgee gets both messages to sign: the holder's ``Pledge`` and the
    pledgee's ``PledgeAcceptance`` of the same terms. 403 for anyone else; 409 when already pledged;
    422 when the pledgee is not a participant or the maturity has passed."""
    return services.pledges.prepare_pledge(me, asset_id, _offer(body), body.salt)


@router.post(
    "/{assetId}/pledges",
    status_code=status.HTTP_201_CREATED,
    response_model=Pledge,
    response_model_exclude_unset=True,
    summary="File the pledge both parties signed (holder or pledgee)",
)
def pledge_asset(
    asset_id: AssetIdPath, body: PledgeSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """Either party submits both signatures; until the pledge is released or enforced the asset can be
    neither transferred nor cancelled. 409 when already pledged or not certified; 422 for a signature
    that does not verify."""
    return services.pledges.pledge(
        me, asset_id, _offer(body), body.salt, _signed(body.by_holder), _signed(body.by_pledgee)
    )


@router.get(
    "/{assetId}/pledges",
    response_model=PledgeList,
    response_model_exclude_unset=True,
    summary="The pledges of the asset, active and ended",
)
def asset_pledges(asset_id: AssetIdPath, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """Any participant; the terms and valuations only for the pledgor, the pledgee and oversight. 404
    for an unknown asset."""
    return {"items": services.asset_queries.pledges(me, asset_id)}


@router.post(
    "/{assetId}/pledge-revaluation-requests",
    response_model=PreparedRevaluation,
    summary="Prepare a new valuation of the pledged asset (pledgee)",
)
def prepare_pledge_revaluation(
    asset_id: AssetIdPath, body: RevaluationPrepare, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The pledgee gets the revaluation to sign. 403 for anyone but the pledgee; 409 when not pledged."""
    return services.pledges.prepare_revaluation(me, asset_id, body.valuation, body.salt)


@router.post(
    "/{assetId}/pledge-revaluations",
    response_model=Pledge,
    response_model_exclude_unset=True,
    summary="State a new valuation of the pledged asset (pledgee-signed)",
)
def revalue_pledge(
    asset_id: AssetIdPath, body: RevaluationSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The pledgee submits the signed revaluation; the pledge keeps every valuation, oldest first."""
    return services.pledges.revalue(me, asset_id, body.valuation, body.salt, _signed(body))


@router.post(
    "/{assetId}/pledge-release-requests",
    response_model=PreparedAct,
    summary="Prepare the release of the pledge (pledgee)",
)
def prepare_pledge_release(
    asset_id: AssetIdPath, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The pledgee gets the release to sign. 403 for anyone but the pledgee; 409 when not pledged."""
    return services.pledges.prepare_pledgee_act(me, asset_id, "PledgeRelease")


@router.post(
    "/{assetId}/pledge-release",
    response_model=Pledge,
    response_model_exclude_unset=True,
    summary="Release the pledge (pledgee-signed)",
)
def release_pledge(
    asset_id: AssetIdPath, body: Signed, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The pledgee submits the signed release; the pledge ends as ``released``, and so does its
    certificate. 403 for anyone but the pledgee; 409 when not pledged."""
    return services.pledges.release(me, asset_id, _signed(body))


@router.post(
    "/{assetId}/pledge-enforcement-requests",
    response_model=PreparedAct,
    summary="Prepare the enforcement of the pledge (pledgee)",
)
def prepare_pledge_enforcement(
    asset_id: AssetIdPath, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The pledgee gets the enforcement to sign. 403 for anyone but the pledgee; 409 when not pledged."""
    return services.pledges.prepare_pledgee_act(me, asset_id, "PledgeEnforcement")


@router.post(
    "/{assetId}/pledge-enforcement",
    response_model=PledgeEnforcement,
    response_model_exclude_unset=True,
    summary="Enforce the pledge: the rights pass to the pledgee (pledgee-signed)",
)
def enforce_pledge(
    asset_id: AssetIdPath, body: Signed, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The pledgee submits the signed enforcement: the pledge ends as ``enforced`` and the asset passes
    to the pledgee; a registrar then issues the registration certificate in its name."""
    return services.pledges.enforce(me, asset_id, _signed(body))


@router.post(
    "/{assetId}/pledge-certificate-requests",
    response_model=PreparedPledgeCertificate,
    summary="Prepare the pledge registration certificate for the registrar to sign (registrar only)",
)
def prepare_pledge_certificate(
    asset_id: AssetIdPath, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """A registrar files the active pledge: it gets the credential (its number reserved) and the
    EIP-712 ``PledgeCertificate`` over its hash. 409 when the asset is not pledged or the pledge is
    certified already."""
    return services.pledges.prepare_certificate(me, asset_id)


@router.post(
    "/{assetId}/pledge-certificates",
    status_code=status.HTTP_201_CREATED,
    response_model=PledgeCertificate,
    response_model_exclude_unset=True,
    summary="Record the prepared pledge certificate on chain (registrar-signed)",
)
def issue_pledge_certificate(
    asset_id: AssetIdPath, body: PledgeCertificateSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The registrar submits its signature; the chain records the certificate's hash for the pledge and
    names the registrar. Answers the credential."""
    submission = CertificateSubmission(
        body.certificate_number, body.issued_at, body.nonce, body.deadline, body.signature
    )
    return services.pledges.issue_certificate(me, asset_id, submission)


@book_router.get(
    "/v1/pledges",
    response_model=PledgeBook,
    response_model_exclude_unset=True,
    summary="The pledges the caller holds as pledgee (a bank's book)",
)
def pledge_book(
    me: CurrentParticipant,
    services: ServicesDep,
    pledge_status: Annotated[Literal["active", "released", "enforced"] | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> dict[str, Any]:
    """Every pledge on any asset whose pledgee is the caller, newest first, with what it secures, its
    valuations and its certificate."""
    return {"items": services.pledges.pledges_of(me, status=pledge_status, limit=limit, offset=offset)}


@book_router.get(
    "/v1/pledge-certificates/{number}",
    response_model=PledgeCertificate,
    response_model_exclude_unset=True,
    summary="Fetch a pledge registration certificate (public)",
)
def get_pledge_certificate(number: str, services: ServicesDep) -> dict[str, Any]:
    """Anyone: the signed credential exactly as issued. 404 for an unknown number."""
    return services.pledges.certificate(number)


@book_router.post(
    "/v1/pledge-certificates/verify",
    response_model=PledgeCertificateReport,
    summary="Check a pledge registration certificate against the chain (public)",
)
def verify_pledge_certificate(
    certificate: Annotated[dict[str, Any], Body(description="The pledge certificate (a W3C VC)")],
    services: ServicesDep,
) -> dict[str, Any]:
    """Anyone: the proof, the certificate's record on chain, and whether the pledge it certifies still
    stands. A certificate that fails is a report with ``valid: false``, not an error."""
    return services.pledges.check_certificate(certificate).as_json()
