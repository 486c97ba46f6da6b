"""Request and response bodies of the HTTP API (pydantic), converted to domain objects at the edge."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from dataledger.registry.assets import AssetFacts, RightClaimed
from dataledger.registry.participants import Role

Hex32 = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{64}$", examples=["0x" + "ab" * 32])]
MAX_INT64 = 2**63 - 1  # stored in BIGINT columns; far beyond any real nonce or deadline

# Ids in paths and integers in queries fit what the database stores (BIGINT); anything else is a 422.
# Path parameters are camelCase in the document too, like every other name on the wire.
LicenceId = Annotated[
    int, Path(alias="licenceId", ge=0, le=MAX_INT64, description="The licence registry's licence id")
]
ConsentId = Annotated[
    int, Path(alias="consentId", ge=0, le=MAX_INT64, description="The licence registry's consent id")
]
ObjectionId = Annotated[
    int, Path(alias="objectionId", ge=0, le=MAX_INT64, description="The registry's objection id")
]
AssetIdPath = Annotated[
    str,
    Path(alias="assetId", pattern=r"^0x[0-9a-fA-F]{64}$", description="The asset id (0x and 64 hex digits)"),
]
ParticipantIdPath = Annotated[str, Path(alias="participantId", description="The participant's id")]
EventHashIdPath = Annotated[
    str, Path(alias="eventHashId", description="The event's GS1 event hash id (ni:///...)")
]
Offset = Annotated[int, Query(ge=0, le=MAX_INT64, description="How many items to skip")]
Address = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$")]


class Body(BaseModel):
    """A request body: camelCase on the wire (the convention of VC, EPCIS and EIP-712), nothing unknown."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel)


class ParticipantCreate(Body):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role
    address: Address | None = Field(
        default=None, description="The participant's chain address (EIP-712 signer); required for enterprises"
    )


class AssetFactsBody(Body):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    content_hash: Hex32 = Field(description="SHA-256 of the data or of its manifest")
    description: Annotated[str, Field(max_length=4000)] = ""
    source: Annotated[str, Field(max_length=500)] = ""
    collection_method: Annotated[str, Field(max_length=500)] = ""
    scale: Annotated[str, Field(max_length=200)] = ""
    update_frequency: Annotated[str, Field(max_length=200)] = ""
    industry: Annotated[str, Field(max_length=200)] = ""
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


# -- the lifecycle after registration --------------------------------------------------------------

Signature = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{130}$")]
Salt = Annotated[str, Field(pattern=r"^0x[0-9a-f]{32,64}$")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
UnixTime = Annotated[int, Field(ge=0, le=2**64 - 1)]
ZERO_HASH = "0x" + "00" * 32


class Signed(Body):
    """The signer's EIP-712 signature over the prepared message, with its nonce and deadline."""

    nonce: Annotated[int, Field(ge=0, le=MAX_INT64)]
    deadline: Annotated[int, Field(ge=0, le=MAX_INT64)]
    signature: Signature


class ReviewBody(Body):
    stage: Literal["formal", "substantive"]
    passed: bool = True
    reason: Text


class ResolutionBody(Body):
    upheld: bool
    resolution: Text


# A registrar's acts: the prepared act's fields again, with the registrar's own signature.


class ReviewSubmit(ReviewBody, Signed):
    pass


class ResolutionSubmit(ResolutionBody, Signed):
    pass


class CertificateSubmit(Signed):
    """A prepared certificate, signed by the registrar: the number and the issue time it was prepared
    with (the registry rebuilds the same credential from them), and the registrar's signature."""

    # DLC-: a number reserved before DIP- numbering, still awaiting the registrar's signature.
    certificate_number: Annotated[
        str, Field(pattern=r"^(?:DIP-[0-9]{6}-[0-9]{6}-[0-9]{6}|DLC-[0-9]{4}-[0-9]{6,12})$")
    ] = Field(description="The number the preparation reserved")
    issued_at: datetime = Field(description="The issue time the preparation answered (ISO 8601, UTC)")


class NoticePeriodBody(Body):
    seconds: Annotated[int, Field(ge=0, le=365 * 24 * 3600)]


class ObjectionPrepare(Body):
    reason: Text
    evidence_hash: Hex32 = Field(default=ZERO_HASH, description="SHA-256 of the objector's evidence")


class ObjectionSubmit(ObjectionPrepare, Signed):
    pass


class ChangePrepare(Body):
    facts: AssetFactsBody
    salt: Salt | None = None


class ChangeSubmit(Signed):
    facts: AssetFactsBody
    salt: Salt


class TransferPrepare(Body):
    to: Address


class TransferSubmit(TransferPrepare, Signed):
    pass


class PledgeFields(Body):
    """What the holder and the pledgee agree (both sign it)."""

    pledgee: Address
    terms: Text = Field(description="The pledge contract's text; the chain holds its salted hash")
    secured_amount: Annotated[int, Field(ge=1, le=MAX_INT64)] = Field(
        description="The secured amount, in the currency's minor unit (fen for CNY)"
    )
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = Field(description="ISO 4217 code")
    maturity: Annotated[int, Field(ge=1, le=253_402_300_799)] = Field(
        description="When the secured debt falls due (Unix time, before the year 10000)"
    )
    valuation: Annotated[str, Field(min_length=1, max_length=4000)] = Field(
        description="The valuation the pledgee relied on (its text, or a summary and a reference)"
    )


class PledgePrepare(PledgeFields):
    salt: Salt | None = None


class PartySignature(Body):
    """One party's signature of its prepared message, with the nonce and deadline it was prepared with."""

    nonce: Annotated[int, Field(ge=0, le=MAX_INT64)]
    deadline: Annotated[int, Field(ge=0, le=MAX_INT64)]
    signature: Signature


class PledgeSubmit(PledgeFields):
    salt: Salt
    by_holder: PartySignature = Field(description="The holder's signature of its Pledge")
    by_pledgee: PartySignature = Field(description="The pledgee's signature of its PledgeAcceptance")


class RevaluationPrepare(Body):
    valuation: Annotated[str, Field(min_length=1, max_length=4000)]
    salt: Salt | None = None


class RevaluationSubmit(Signed):
    valuation: Annotated[str, Field(min_length=1, max_length=4000)]
    salt: Salt


class PledgeCertificateSubmit(Signed):
    """A prepared pledge certificate, signed by the registrar (as ``CertificateSubmit``)."""

    certificate_number: Annotated[str, Field(pattern=r"^DPL-[0-9]{6}-[0-9]{6}-[0-9]{6}$")]
    issued_at: datetime = Field(description="The issue time the preparation answered (ISO 8601, UTC)")


class LicenceFields(Body):
    asset_id: Hex32
    licensee: Address
    scope: Text = Field(description="Which fields, version or product the licence covers")
    purpose: Text
    territory: Annotated[str, Field(max_length=200)] = ""
    valid_until: UnixTime
    max_uses: Annotated[int, Field(ge=1, le=2**32 - 1)]
    derivatives_allowed: bool = False
    commercial: bool = False
    exclusivity: Literal["non-exclusive", "sole", "exclusive"] = Field(
        default="non-exclusive",
        description="sole or exclusive: the only licence of the asset in force in its term (refused while"
        " the asset is pledged or another licence may be in force)",
    )
    asset_version: Annotated[int, Field(ge=0, le=2**32 - 1)] = Field(
        default=0, description="0: every version"
    )


class LicencePrepare(LicenceFields):
    valid_from: UnixTime | None = Field(default=None, description="Default: the time of the next block")
    salt: Salt | None = None


class LicenceSubmit(LicenceFields, Signed):
    valid_from: UnixTime
    salt: Salt


class RequestHashBody(Body):
    request_hash: Hex32 = Field(description="Hash of the request (query) this use serves")


class RequestHashSubmit(RequestHashBody, Signed):
    pass


class ReasonPrepare(Body):
    reason: Text


class ReasonSubmit(ReasonPrepare, Signed):
    pass


class ConsentPrepare(Body):
    subject: Address = Field(description="The data subject's key (address); no personal data")
    purpose: Text
    valid_until: UnixTime
    salt: Salt | None = None


class ConsentSubmit(Signed):
    subject: Address
    purpose: Text
    valid_until: UnixTime
    salt: Salt


class ConsentListingPrepare(Body):
    subject: Address


class ConsentListingBody(Body):
    subject: Address
    issued_at: UnixTime
    signature: Signature


class UpstreamBody(Body):
    asset_id: Hex32
    licence_id: Annotated[int, Field(ge=1)]


class ListingVerifyBody(Body):
    asset_id: Hex32 = Field(description="The data product's registered asset id")
    lister: Address = Field(description="The chain address of the participant listing the product")
    content_hash: Hex32 = Field(description="SHA-256 of the product (or its manifest) about to be listed")
    upstream: list[UpstreamBody] = Field(default_factory=list)
    pledgee_consent: Signature | None = Field(
        default=None, description="The pledgee's signature over ListingConsent, if the product is pledged"
    )


class ListingConsentPrepare(Body):
    asset_id: Hex32
    lister: Address
