"""The registration procedure: reviews, public notice, objections and their resolution, rejection,
certificates, renewals and revocations.

Every act of a registrar takes two steps, like a holder's: a ``…-requests`` route answers the EIP-712
act for the registrar to sign with its own key (its participant address, which holds the registrar
role on the registry contract), and the act's route takes the signature and relays it. The chain
checks the signature and the role and names the registrar in its events; the API never holds a
registrar's key.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.responses.assets import Asset, PreparedAct
from dataledger.api.responses.certificates import Certificate
from dataledger.api.responses.procedure import (
    NoticePeriod,
    Objection,
    ObjectionList,
    PreparedCertificate,
    ProcedureStatus,
)
from dataledger.api.schemas import (
    AssetIdPath,
    CertificateSubmit,
    NoticePeriodBody,
    ObjectionId,
    ObjectionPrepare,
    ObjectionSubmit,
    ReasonPrepare,
    ReasonSubmit,
    ResolutionBody,
    ResolutionSubmit,
    ReviewBody,
    ReviewSubmit,
)
from dataledger.registry.certificate_issuance import CertificateSubmission
from dataledger.registry.chain_records import ReviewStage

router = APIRouter(prefix="/v1", tags=["procedure"])


@router.get(
    "/registry/notice-period",
    response_model=NoticePeriod,
    summary="The public notice period given to notices that start now",
)
def get_notice_period(services: ServicesDep) -> dict[str, Any]:
    """Public: the length of the public notice the registry contract gives, in seconds."""
    return {"seconds": services.procedure.notice_period()}


@router.put(
    "/registry/notice-period",
    response_model=NoticePeriod,
    summary="Set the public notice period (administrator only)",
)
def set_notice_period(
    body: NoticePeriodBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The administrator sets the period on the contract, for notices that start from now; answers the
    period the contract now gives. 403 for anyone else."""
    return {"seconds": services.procedure.set_notice_period(me, body.seconds)}


@router.get(
    "/assets/{assetId}/procedure",
    response_model=ProcedureStatus,
    summary="Where the asset stands in the procedure, as the chain says",
)
def get_procedure_status(
    asset_id: AssetIdPath, _: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """Any participant: the stored state beside the contract's status and procedure record, the chain's
    time, the objections and the certificates. 404 for an unknown asset."""
    return services.procedure.status(asset_id)


@router.post(
    "/assets/{assetId}/review-requests",
    response_model=PreparedAct,
    summary="Prepare the formal or substantive review the registrar signs (registrar only)",
)
def prepare_review(
    asset_id: AssetIdPath, body: ReviewBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """A registrar gets the EIP-712 ``Review`` to sign with its own key (a batched registration is
    brought on chain first). 403 for anyone but a registrar with a chain address; 404 for an unknown
    asset."""
    stage = ReviewStage[body.stage.upper()]
    return services.procedure.prepare_review(me, asset_id, stage, body.passed, body.reason)


@router.post(
    "/assets/{assetId}/reviews",
    response_model=Asset,
    summary="Record the formal or substantive review (registrar-signed)",
)
def review_asset(
    asset_id: AssetIdPath, body: ReviewSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The registrar submits its signed review; the chain checks the signature and its registrar role:
    failing the review rejects the application, passing the substantive one opens the public notice.
    Answers the asset; 403 when the key lacks the registrar role, 409 when the status does not allow it
    or the nonce was used, 422 for a bad or expired signature."""
    stage = ReviewStage[body.stage.upper()]
    return services.procedure.review(
        me, asset_id, stage, body.passed, body.reason, body.nonce, body.deadline, body.signature
    ).as_json()


@router.post(
    "/assets/{assetId}/rejection-requests",
    response_model=PreparedAct,
    summary="Prepare the rejection of the application the registrar signs (registrar only)",
)
def prepare_rejection(
    asset_id: AssetIdPath, body: ReasonPrepare, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """A registrar gets the EIP-712 ``Rejection`` to sign. 403 for anyone but a registrar."""
    return services.procedure.prepare_rejection(me, asset_id, body.reason)


@router.post(
    "/assets/{assetId}/rejection",
    response_model=Asset,
    summary="Reject the application with a reason (registrar-signed)",
)
def reject_asset(
    asset_id: AssetIdPath, body: ReasonSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The registrar submits its signed rejection with a public reason. Answers the asset; 409 when its
    status does not allow it; 403 / 422 as for a review."""
    return services.procedure.reject(
        me, asset_id, body.reason, body.nonce, body.deadline, body.signature
    ).as_json()


@router.post(
    "/assets/{assetId}/objection-requests",
    response_model=PreparedAct,
    summary="Prepare the EIP-712 objection the objector signs",
)
def prepare_objection(
    asset_id: AssetIdPath, body: ObjectionPrepare, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """Any participant with a chain address gets the objection to sign (422 without one). 404 for an
    unknown asset."""
    return services.procedure.prepare_objection(me, asset_id, body.reason, body.evidence_hash)


@router.post(
    "/assets/{assetId}/objections",
    status_code=status.HTTP_201_CREATED,
    response_model=Objection,
    summary="File a signed objection during the public notice (any participant with a chain key)",
)
def file_objection(
    asset_id: AssetIdPath, body: ObjectionSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The objector submits the signed objection; the chain records it as open. 409 outside the public
    notice; 422 for a bad signature."""
    return services.procedure.file_objection(
        me, asset_id, body.reason, body.evidence_hash, body.nonce, body.deadline, body.signature
    )


@router.get(
    "/assets/{assetId}/objections",
    response_model=ObjectionList,
    summary="The objections filed against the registration",
)
def list_objections(asset_id: AssetIdPath, _: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """Any participant: the objections, oldest first, with their status and resolution. 404 for an
    unknown asset."""
    return {"items": services.procedure.objections(asset_id)}


@router.get("/objections/{objectionId}", response_model=Objection, summary="One objection")
def get_objection(objection_id: ObjectionId, _: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """Any participant: the objection with its status and resolution. 404 for an unknown id."""
    return services.procedure.objection(objection_id)


@router.post(
    "/objections/{objectionId}/resolution-requests",
    response_model=PreparedAct,
    summary="Prepare the resolution of an objection the registrar signs (registrar only)",
)
def prepare_objection_resolution(
    objection_id: ObjectionId, body: ResolutionBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """A registrar gets the EIP-712 ``ObjectionResolution`` to sign. 404 for an unknown objection."""
    return services.procedure.prepare_resolution(me, objection_id, body.upheld, body.resolution)


@router.post(
    "/objections/{objectionId}/resolution",
    response_model=Objection,
    summary="Uphold or dismiss an objection (registrar-signed)",
)
def resolve_objection(
    objection_id: ObjectionId, body: ResolutionSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The registrar submits its signed decision: upholding rejects the application, dismissing lets the
    procedure go on. 404 for an unknown id; 409 once resolved; 403 / 422 as for a review."""
    return services.procedure.resolve_objection(
        me, objection_id, body.upheld, body.resolution, body.nonce, body.deadline, body.signature
    )


# -- certificates, renewals, revocations --------------------------------------------------------------


@router.post(
    "/assets/{assetId}/certificate-requests",
    response_model=PreparedCertificate,
    response_model_exclude_unset=True,
    summary="Prepare the asset's next certificate for the registrar to sign (registrar only)",
)
def prepare_certificate(
    asset_id: AssetIdPath, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """A registrar gets the credential and the EIP-712 ``Certificate`` over its hash: the first
    certificate once the notice ended with no objection open, or the one superseding the current
    certificate after a transfer, an enforcement or a change. 409 while the notice runs or an objection
    is open, or when nothing is to be certified."""
    return services.registration.prepare_certificate(me, asset_id)


@router.post(
    "/assets/{assetId}/certificates",
    status_code=status.HTTP_201_CREATED,
    response_model=Certificate,
    response_model_exclude_unset=True,
    summary="Record the prepared certificate on chain (registrar-signed)",
)
def issue_certificate(
    asset_id: AssetIdPath, body: CertificateSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The registrar submits its signature over the prepared certificate; the chain records its hash
    and names the registrar. Answers the credential; 409 when the asset's state moved on; 422 for a
    number not prepared for this asset or a bad signature; 403 when the key lacks the registrar role."""
    return services.registration.issue_certificate(me, asset_id, _submission(body))


@router.post(
    "/assets/{assetId}/renewal-requests",
    response_model=PreparedCertificate,
    response_model_exclude_unset=True,
    summary="Prepare the certificate renewing the registration, for the registrar to sign (registrar only)",
)
def prepare_renewal(asset_id: AssetIdPath, me: CurrentParticipant, services: ServicesDep) -> dict[str, Any]:
    """A registrar gets a certificate for a new term and the EIP-712 ``Renewal`` over its hash. 409
    unless the asset is certified or once the certificate has expired."""
    return services.registration.prepare_renewal(me, asset_id)


@router.post(
    "/assets/{assetId}/renewal",
    status_code=status.HTTP_201_CREATED,
    response_model=Certificate,
    response_model_exclude_unset=True,
    summary="Renew the registration before its certificate expires (registrar-signed)",
)
def renew_certificate(
    asset_id: AssetIdPath, body: CertificateSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The registrar submits its signed renewal; the new certificate supersedes the current one."""
    return services.registration.renew_certificate(me, asset_id, _submission(body))


@router.post(
    "/assets/{assetId}/revocation-requests",
    response_model=PreparedAct,
    summary="Prepare the revocation of the registration the registrar signs (registrar only)",
)
def prepare_revocation(
    asset_id: AssetIdPath, body: ReasonPrepare, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """A registrar gets the EIP-712 ``Revocation`` to sign. 409 when the asset is already revoked."""
    return services.registration.prepare_revocation(me, asset_id, body.reason)


@router.post(
    "/assets/{assetId}/revocation", response_model=Asset, summary="Revoke the registration (registrar-signed)"
)
def revoke_asset(
    asset_id: AssetIdPath, body: ReasonSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The registrar submits its signed revocation with a public reason; the asset's valid certificates
    are revoked with it. 409 when it is already revoked; 403 / 422 as for a review."""
    return services.registration.revoke(
        me, asset_id, body.reason, body.nonce, body.deadline, body.signature
    ).as_json()


def _submission(body: CertificateSubmit) -> CertificateSubmission:
    return CertificateSubmission(
        body.certificate_number, body.issued_at, body.nonce, body.deadline, body.signature
    )
