"""Request bodies and parameters of the data-merchant and buyer-verification routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

from dataledger.api.responses.merchants import MerchantKindName
from dataledger.api.schemas import MAX_INT64, Body, Signature
from dataledger.registry.market import merchants

ApplicationIdPath = Annotated[
    str,
    Path(
        alias="applicationId",
        pattern=r"^0x[0-9a-fA-F]{64}$",
        description="The buyer application's id (0x and 64 hex digits)",
    ),
]
ParticipantIdPath = Annotated[
    str, Path(alias="participantId", min_length=1, max_length=36, description="The participant's id")
]


class MerchantEnrolmentBody(Body):
    participant_id: Annotated[str, Field(min_length=1, max_length=36)]
    kinds: list[MerchantKindName] = Field(min_length=1, max_length=len(merchants.MerchantKind))
    note: Annotated[str, Field(max_length=merchants.MAX_NOTE)] = ""


class BuyerPolicyBody(Body):
    verification_required: bool


class BuyerApplicationBody(Body):
    purpose: Annotated[str, Field(min_length=1, max_length=merchants.MAX_PURPOSE)]


class BuyerDecisionBody(Body):
    approved: bool
    reason: Annotated[str, Field(max_length=merchants.MAX_REASON)] = ""


class SignedBuyerDecision(BuyerDecisionBody):
    deadline: Annotated[int, Field(ge=0, le=MAX_INT64)]
    signature: Signature
