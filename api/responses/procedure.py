"""Response shapes of the registration procedure: the notice period, where an asset stands on chain,
objections, and the certificates a registrar is given to sign."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from dataledger.api.responses.assets import PREPARED_ACT_EXAMPLE, ChainLocation, IsoDateTime, PreparedAct
from dataledger.api.responses.certificates import (
    CERTIFICATE_EXAMPLE,
    Certificate,
    CertificateSummary,
    ChainAssetStatus,
)
from dataledger.api.responses.common import (
    ADDRESS_EXAMPLE,
    ASSET_ID_EXAMPLE,
    TX_HASH_EXAMPLE,
    ChainAddress,
    HexHash,
    Wire,
    example,
)
from dataledger.registry.assets import AssetState, RightClaimed


class NoticePeriod(Wire):
    """The public notice period given to notices that start from now."""

    model_config = example({"seconds": 1209600})

    seconds: int = Field(description="The length of a public notice, in seconds")


OBJECTION_EXAMPLE: dict[str, Any] = {
    "objectionId": 7,
    "assetId": ASSET_ID_EXAMPLE,
    "objectorId": "9e2b6a43-7d15-4f0c-8b3e-1a2c4d6f8e90",
    "objectorAddress": "0x" + "5d" * 20,
    "reason": "The data set includes gate counts we collected under contract 2024-31",
    "evidenceHash": "0x" + "ed" * 32,
    "status": "open",
    "resolution": None,
    "resolvedBy": None,
    "chainEvidence": {"txHash": TX_HASH_EXAMPLE, "blockNumber": 48, "logIndex": 0},
}

REGISTRAR_EXAMPLE: dict[str, Any] = {
    "address": "0x" + "4c" * 20,
    "participantId": "3f9c2b1e-5a7d-4e8f-9b0a-1c2d3e4f5a6b",
    "name": "海南省数据产品登记中心 Hainan Data Product Registration Centre",
}


class RegistrarRef(Wire):
    """A registration institution as the chain names it (the address that signed its act) and, when the
    registry knows that address, its participant."""

    model_config = example(REGISTRAR_EXAMPLE)

    address: ChainAddress = Field(description="The registrar's address the chain's event names")
    participant_id: str | None = Field(description="Its participant id, if the registry knows the address")
    name: str | None = Field(description="Its participant's name, if known")


class RegistrarAct(Wire):
    """One act of a registrar on the asset (a review, the notice, a resolution, a certificate...)."""

    model_config = example(
        {
            "act": "notice-started",
            "registrar": REGISTRAR_EXAMPLE,
            "at": "2026-03-02T09:14:27+00:00",
            "chainEvidence": {"txHash": TX_HASH_EXAMPLE, "blockNumber": 47, "logIndex": 1},
        }
    )

    act: str = Field(description="The history's name of the act")
    registrar: RegistrarRef
    at: IsoDateTime | None = Field(description="The block's time")
    chain_evidence: ChainLocation


class Objection(Wire):
    """An objection filed during the public notice, and the registrar's resolution once decided."""

    model_config = example(OBJECTION_EXAMPLE)

    objection_id: int = Field(description="The registry contract's objection id")
    asset_id: HexHash
    objector_id: str | None = Field(description="The objector's participant id")
    objector_address: ChainAddress = Field(description="The address that signed the objection")
    reason: str
    evidence_hash: HexHash = Field(description="SHA-256 of the objector's evidence (zero if none)")
    status: Literal["open", "upheld", "dismissed"]
    resolution: str | None = Field(description="The registrar's resolution, once decided")
    resolved_by: RegistrarRef | None = Field(description="The registrar that decided it, once decided")
    chain_evidence: ChainLocation = Field(description="Where the objection was filed")


class ObjectionList(Wire):
    """The objections filed against the registration, oldest first."""

    model_config = example({"items": [OBJECTION_EXAMPLE]})

    items: list[Objection]


PROCEDURE_EXAMPLE: dict[str, Any] = {
    "rightClaimed": "data-resource-holding",
    "version": 1,
    "openObjections": 1,
    "enforcements": 0,
    "noticeEndsAt": 1773657667,
    "certificateValidUntil": None,
    "pledgee": None,
    "lawfulSourceHash": "0x" + "1f" * 32,
    "currentCertificateHash": None,
}


class OnChainProcedure(Wire):
    """The registry contract's record of the asset's procedure (``IDataRightsRegistry.Procedure``)."""

    model_config = example(PROCEDURE_EXAMPLE)

    right_claimed: RightClaimed
    version: int = Field(description="The version of the data; 1 until the first change")
    open_objections: int
    enforcements: int = Field(description="How many pledges of the asset were enforced")
    notice_ends_at: int | None = Field(description="Unix time the public notice ends; null before it starts")
    certificate_valid_until: int | None = Field(description="Unix time the current certificate's term ends")
    pledgee: ChainAddress | None = Field(description="The pledgee while the asset is pledged")
    lawful_source_hash: HexHash
    current_certificate_hash: HexHash | None


class ProcedureStatus(Wire):
    """Where the asset stands in the procedure, as the chain says, with its objections and certificates."""

    model_config = example(
        {
            "assetId": ASSET_ID_EXAMPLE,
            "state": "in_notice",
            "chainStatus": "in_notice",
            "holder": ADDRESS_EXAMPLE,
            "procedure": PROCEDURE_EXAMPLE,
            "noticePeriod": 1209600,
            "chainTime": 1772448067,
            "objections": [OBJECTION_EXAMPLE],
            "certificates": [],
            "registrarActs": [],
        }
    )

    asset_id: HexHash
    state: AssetState = Field(description="The state the registry stored")
    chain_status: ChainAssetStatus | None = Field(description="The asset's status on chain")
    holder: ChainAddress | None = Field(description="The holder on chain")
    procedure: OnChainProcedure | None
    notice_period: int = Field(description="The notice period, in seconds, for notices that start now")
    chain_time: int = Field(description="The next block's Unix time")
    objections: list[Objection]
    certificates: list[CertificateSummary]
    registrar_acts: list[RegistrarAct] = Field(
        description="The registrars' acts on the asset, oldest first, each naming its registrar"
    )


class PreparedCertificate(PreparedAct):
    """A certificate prepared for a registrar: the credential, and the ``Certificate`` (or ``Renewal``)
    the registrar signs over its hash. Submit the signature with the number and the issue time."""

    model_config = example(
        {
            **PREPARED_ACT_EXAMPLE,
            "certificate": CERTIFICATE_EXAMPLE,
            "certificateNumber": "DIP-202603-460100-000042",
            "issuedAt": "2026-03-02T09:14:27+00:00",
            "kind": "first",
        }
    )

    certificate: Certificate = Field(description="The credential the registrar's signature will record")
    certificate_number: str = Field(description="The number reserved for it")
    issued_at: IsoDateTime = Field(description="Its issue time, to submit back")
    kind: Literal["first", "transfer", "change", "pledge-enforcement", "renewal"] = Field(
        description="Why it is issued: the first certificate, a successor after a holder's act, a renewal"
    )
