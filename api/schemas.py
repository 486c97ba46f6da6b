"""Request and response bodies of the HTTP API (pydantic), converted to domain objects at the edge."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from registry.assets import AssetFacts, RightClaimed
from registry.participants import Role

Hex32 = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{64}$", examples=["0x" + "ab" * 32])]
MAX_INT64 = 2**63 - 1  # stored in BIGINT columns; far beyond any real nonce or deadline
Address = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParticipantCreate(Body):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role
    address: Address | None = Field(
        default=None, description="The participant's chain address (EIP-712 signer); required for enterprises"
    )


class AssetFactsBody(Body):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    content_hash: Hex32 = Field(description="SHA-256 of the data or of its manifest")
    description: str = ""
    source: str = ""
    collection_method: str = ""
    scale: str = ""
    update_frequency: str = ""
    industry: str = ""
    right_claimed: RightClaimed = RightClaimed.RESOURCE_HOLDING
    extra: dict[str, Any] = Field(default_factory=dict)

    def to_domain(self) -> AssetFacts:
        return AssetFacts(**self.model_dump())


class RegistrationPrepare(Body):
    facts: AssetFactsBody
    salt: Annotated[str, Field(pattern=r"^0x[0-9a-f]{32,64}$")] | None = None
    deadline: int | None = Field(
        default=None, ge=0, le=MAX_INT64, description="Unix time; default: one hour from now"
    )


class RegistrationSubmit(Body):
    facts: AssetFactsBody
    salt: Annotated[str, Field(pattern=r"^0x[0-9a-f]{32,64}$")]
    nonce: Annotated[int, Field(ge=0, le=MAX_INT64)]
    deadline: Annotated[int, Field(ge=0, le=MAX_INT64)]
    signature: Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{130}$")]


class RevocationBody(Body):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
