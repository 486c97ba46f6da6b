"""The registration procedure: reviews, public notice, objections and their resolution, rejection."""

from __future__ import annotations

from fastapi import APIRouter, status

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.schemas import (
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


@router.get("/registry/notice-period", summary="The public notice period given to notices that start now")
def notice_period(services: ServicesDep) -> dict:
    return {"seconds": services.procedure.notice_period()}


@router.put("/registry/notice-period", summary="Set the public notice period (administrator only)")
def set_notice_period(body: NoticePeriodBody, me: CurrentParticipant, services: ServicesDep) -> dict:
    return {"seconds": services.procedure.set_notice_period(me, body.seconds)}


@router.get(
    "/assets/{asset_id}/procedure", summary="Where the asset stands in the procedure, as the chain says"
)
def procedure_status(asset_id: str, _: CurrentParticipant, services: ServicesDep) -> dict:
    return services.procedure.status(asset_id)


@router.post("/assets/{asset_id}/reviews", summary="Record the formal or substantive review (registrar only)")
def review(asset_id: str, body: ReviewBody, me: CurrentParticipant, services: ServicesDep) -> dict:
    stage = ReviewStage[body.stage.upper()]
    return services.procedure.review(me, asset_id, stage, body.passed, body.reason).as_json()


@router.post("/assets/{asset_id}/rejection", summary="Reject the application with a reason (registrar only)")
def reject(asset_id: str, body: ReasonPrepare, me: CurrentParticipant, services: ServicesDep) -> dict:
    return services.procedure.reject(me, asset_id, body.reason).as_json()


@router.post(
    "/assets/{asset_id}/objection-requests", summary="Prepare the EIP-712 objection the objector signs"
)
def prepare_objection(
    asset_id: str, body: ObjectionPrepare, me: CurrentParticipant, services: ServicesDep
) -> dict:
    return services.procedure.prepare_objection(me, asset_id, body.reason, body.evidence_hash)


@router.post(
    "/assets/{asset_id}/objections",
    status_code=status.HTTP_201_CREATED,
    summary="File a signed objection during the public notice (any participant with a chain key)",
)
def file_objection(
    asset_id: str, body: ObjectionSubmit, me: CurrentParticipant, services: ServicesDep
) -> dict:
    return services.procedure.file_objection(
        me, asset_id, body.reason, body.evidence_hash, body.nonce, body.deadline, body.signature
    )


@router.get("/assets/{asset_id}/objections", summary="The objections filed against the registration")
def objections(asset_id: str, _: CurrentParticipant, services: ServicesDep) -> dict:
    return {"items": services.procedure.objections(asset_id)}


@router.get("/objections/{objection_id}", summary="One objection")
def objection(objection_id: ObjectionId, _: CurrentParticipant, services: ServicesDep) -> dict:
    return services.procedure.objection(objection_id)


@router.post(
    "/objections/{objection_id}/resolution", summary="Uphold or dismiss an objection (registrar only)"
)
def resolve(
    objection_id: ObjectionId, body: ResolutionBody, me: CurrentParticipant, services: ServicesDep
) -> dict:
    return services.procedure.resolve_objection(me, objection_id, body.upheld, body.resolution)
