"""The registration procedure: reviews, public notice, objections and their resolution, rejection."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.responses.assets import Asset, PreparedAct
from dataledger.api.responses.procedure import NoticePeriod, Objection, ObjectionList, ProcedureStatus
from dataledger.api.schemas import (
    AssetIdPath,
    NoticePeriodBody,
    ObjectionId,
    ObjectionPrepare,
    ObjectionSubmit,
    ReasonPrepare,
    ResolutionBody,
    ReviewBody,
)
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
    "/assets/{assetId}/reviews",
    response_model=Asset,
    summary="Record the formal or substantive review (registrar only)",
)
def review_asset(
    asset_id: AssetIdPath, body: ReviewBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The registrar records a review on chain: failing it rejects the application, passing the
    substantive one opens the public notice. Answers the asset; 409 when its status does not allow it."""
    stage = ReviewStage[body.stage.upper()]
    return services.procedure.review(me, asset_id, stage, body.passed, body.reason).as_json()


@router.post(
    "/assets/{assetId}/rejection",
    response_model=Asset,
    summary="Reject the application with a reason (registrar only)",
)
def reject_asset(
    asset_id: AssetIdPath, body: ReasonPrepare, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The registrar rejects the application on chain with a public reason. Answers the asset; 409 when
    its status does not allow it."""
    return services.procedure.reject(me, asset_id, body.reason).as_json()


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
    "/objections/{objectionId}/resolution",
    response_model=Objection,
    summary="Uphold or dismiss an objection (registrar only)",
)
def resolve_objection(
    objection_id: ObjectionId, body: ResolutionBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The registrar decides on chain: upholding rejects the application, dismissing lets the procedure
    go on. 404 for an unknown id; 409 once resolved."""
    return services.procedure.resolve_objection(me, objection_id, body.upheld, body.resolution)
