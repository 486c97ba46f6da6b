"""Data merchants (数商) by kind, and the buyer verification a holder may require for its listings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from dataledger.api.deps import CurrentParticipant, ServicesDep
from dataledger.api.market_schemas import ListingIdPath
from dataledger.api.merchant_schemas import (
    ApplicationIdPath,
    BuyerApplicationBody,
    BuyerDecisionBody,
    BuyerPolicyBody,
    MerchantEnrolmentBody,
    ParticipantIdPath,
    SignedBuyerDecision,
)
from dataledger.api.responses.merchants import (
    ApplicationStatusName,
    BuyerApplication,
    BuyerApplicationList,
    BuyerPolicy,
    Merchant,
    MerchantKindName,
    MerchantList,
    PreparedBuyerDecision,
)
from dataledger.api.schemas import Offset
from dataledger.registry.market.merchants import ApplicationStatus, MerchantKind

router = APIRouter(prefix="/v1/merchants", tags=["market"])
policies_router = APIRouter(prefix="/v1/listings", tags=["market"])
applications_router = APIRouter(prefix="/v1/buyer-applications", tags=["market"])


# -- data merchants -----------------------------------------------------------------------------------


@router.post("", response_model=Merchant, status_code=201, summary="Enrol a data merchant")
def enrol_merchant(
    body: MerchantEnrolmentBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """An exchange enrols an enterprise as a data merchant of one or more kinds (supplier, buyer,
    delivery, evaluation, intermediary, consulting); enrolling it again sets its kinds anew."""
    return services.merchants.enrol(me, body.participant_id, list(body.kinds), body.note).as_json()


@router.get("", response_model=MerchantList, summary="The data merchants (public)")
def list_merchants(
    services: ServicesDep,
    kind: Annotated[MerchantKindName | None, Query(description="Only merchants of this kind")] = None,
    exchange: Annotated[str | None, Query(max_length=36, description="Only this exchange's")] = None,
    participant: Annotated[str | None, Query(max_length=36, description="Only this participant's")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Anyone: the standing enrolments, by exchange then newest first."""
    items, total = services.merchants.directory(
        kind=MerchantKind(kind) if kind else None,
        exchange_id=exchange,
        participant_id=participant,
        limit=limit,
        offset=offset,
    )
    return {"items": [m.as_json() for m in items], "total": total, "limit": limit, "offset": offset}


@router.post("/{participantId}/withdrawal", response_model=Merchant, summary="Withdraw a data merchant")
def withdraw_merchant(
    participant_id: ParticipantIdPath, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The exchange withdraws its enrolment of the participant (it leaves the directory)."""
    return services.merchants.withdraw(me, participant_id).as_json()


# -- the holder's buyer policy, and buyers' applications ------------------------------------------------


@policies_router.get(
    "/{listingId}/buyer-policy", response_model=BuyerPolicy, summary="A listing's buyer policy (public)"
)
def get_buyer_policy(listing_id: ListingIdPath, services: ServicesDep) -> dict[str, Any]:
    """Anyone: whether the holder requires buyers of the listing to be verified before they order."""
    return services.merchants.policy(listing_id.lower()).as_json()


@policies_router.put(
    "/{listingId}/buyer-policy", response_model=BuyerPolicy, summary="Set a listing's buyer policy"
)
def set_buyer_policy(
    listing_id: ListingIdPath, body: BuyerPolicyBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The holder of the listed product: require (or stop requiring) that its buyers be verified. While
    required, an order is refused (``buyer-not-verified``) unless the buyer's application was approved."""
    return services.merchants.set_policy(me, listing_id.lower(), body.verification_required).as_json()


@policies_router.post(
    "/{listingId}/buyer-applications",
    response_model=BuyerApplication,
    status_code=201,
    summary="Apply to be verified as a buyer",
)
def apply_as_buyer(
    listing_id: ListingIdPath, body: BuyerApplicationBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """A buyer enrolled as such at the listing's exchange asks the holder to verify it, stating its
    purpose; one application stands at a time (pending or approved) per buyer and listing."""
    return services.merchants.apply(me, listing_id.lower(), body.purpose).as_json()


@applications_router.get("", response_model=BuyerApplicationList, summary="Buyer applications")
def list_buyer_applications(
    me: CurrentParticipant,
    services: ServicesDep,
    side: Annotated[
        Literal["holder", "buyer"], Query(description="holder: to my listings (default); buyer: my own")
    ] = "holder",
    listing: Annotated[str | None, Query(alias="listingId", pattern=r"^0x[0-9a-fA-F]{64}$")] = None,
    status: Annotated[ApplicationStatusName | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """A holder: the applications to its listings; a buyer: its own; oversight: all. Newest first."""
    items, total = services.merchants.applications(
        me,
        side=side,
        listing_id=listing.lower() if listing else None,
        status=ApplicationStatus(status) if status else None,
        limit=limit,
        offset=offset,
    )
    return {"items": [a.as_json() for a in items], "total": total, "limit": limit, "offset": offset}


@applications_router.get("/{applicationId}", response_model=BuyerApplication, summary="A buyer application")
def get_buyer_application(
    application_id: ApplicationIdPath, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """Its holder, its buyer and oversight: the application and the holder's signed decision."""
    return services.merchants.application(me, application_id.lower()).as_json()


@applications_router.post(
    "/{applicationId}/decision/prepare",
    response_model=PreparedBuyerDecision,
    summary="Prepare a decision on a buyer application",
)
def prepare_buyer_decision(
    application_id: ApplicationIdPath, body: BuyerDecisionBody, me: CurrentParticipant, services: ServicesDep
) -> dict[str, Any]:
    """The holder: the EIP-712 ``BuyerDecision`` to sign (approve or decline, with a reason), valid for an
    hour of chain time. Sign it where the key is, then submit it."""
    return services.merchants.decision_to_sign(me, application_id.lower(), body.approved, body.reason)


@applications_router.post(
    "/{applicationId}/decision", response_model=BuyerApplication, summary="Decide on a buyer application"
)
def decide_buyer_application(
    application_id: ApplicationIdPath,
    body: SignedBuyerDecision,
    me: CurrentParticipant,
    services: ServicesDep,
) -> dict[str, Any]:
    """The holder submits its signed decision; it is checked against the listing's holder and kept with
    its signature. A decided application is not decided again (``buyer-application-decided``)."""
    application = services.merchants.decide(
        me, application_id.lower(), body.approved, body.reason, body.deadline, body.signature
    )
    return application.as_json()
