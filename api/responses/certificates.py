"""Response shapes of registration certificates: the credential itself (a W3C Verifiable Credential 2.0
secured with ``ecdsa-jcs-2019``), an asset's certificates, a certificate's standing, a verification report.

A credential is signed JSON: the routes answer it exactly as stored (keys the credential does not state
are left out, never written as null), so its hash and signature still verify.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from dataledger.api.responses.assets import (
    REGISTRATION_NUMBER_EXAMPLE,
    ChainLocation,
    IsoDateTime,
    RegistrationNumber,
)
from dataledger.api.responses.common import (
    ADDRESS_EXAMPLE,
    ASSET_ID_EXAMPLE,
    CHAIN_EVIDENCE_EXAMPLE,
    TX_HASH_EXAMPLE,
    ChainAddress,
    ChainEvidence,
    HexHash,
    Wire,
    example,
)
from dataledger.registry.assets import RightClaimed

#: ``DIP-YYYYMM-IIIIII-NNNNNN`` (month of issue, institution, serial); certificates issued before it keep
#: their ``DLC-YYYY-NNNNNN``.
CertificateNumber = Annotated[
    str,
    Field(
        pattern=r"^(?:DIP-\d{6}-\d{6}-\d{6}|[A-Z]{2,10}-\d{4}-\d{6})$",
        examples=["DIP-202603-460100-000042"],
    ),
]
CERTIFICATE_HASH_EXAMPLE = "0x" + "e7" * 32
REGISTRAR_DID_EXAMPLE = "did:key:zDnaetGJmEbt4ifALecxtcSYcgDXxuoskQiikbrtnS4WGBuP9"
HOLDER_DID_EXAMPLE = f"did:pkh:eip155:31337:{ADDRESS_EXAMPLE}"

# -- the credential --------------------------------------------------------------------------------

ISSUER_EXAMPLE = {"id": REGISTRAR_DID_EXAMPLE, "name": "Shanghai Data Exchange Registry"}


class CertificateIssuer(Wire):
    """The registrar that issued the certificate."""

    model_config = example(ISSUER_EXAMPLE)

    id: str = Field(description="The registrar's did:key")
    name: str


class CertificateHolder(Wire):
    """The holder the certificate names."""

    model_config = example({"address": ADDRESS_EXAMPLE, "name": "Metro Data Co."})

    address: ChainAddress
    name: str


CERTIFIED_ASSET_EXAMPLE: dict[str, Any] = {
    "assetId": ASSET_ID_EXAMPLE,
    "name": "Urban rail passenger flows 2025",
    "description": "Hourly boardings and alightings per station, anonymised",
    "source": "Automatic fare collection gates",
    "collectionMethod": "Gate counts aggregated per hour",
    "scale": "1.2 TB, 38 million rows",
    "updateFrequency": "daily",
    "industry": "transport",
    "rightClaimed": "data-resource-holding",
    "contentHash": "0x" + "c0" * 32,
    "metadataHash": "0x" + "3d" * 32,
}


class CertifiedAsset(Wire):
    """The asset facts a certificate states; an optional fact left empty at registration is absent."""

    model_config = example(CERTIFIED_ASSET_EXAMPLE)

    asset_id: HexHash
    name: str
    description: str | SkipJsonSchema[None] = None
    source: str | SkipJsonSchema[None] = None
    collection_method: str | SkipJsonSchema[None] = None
    scale: str | int | SkipJsonSchema[None] = None
    update_frequency: str | SkipJsonSchema[None] = None
    industry: str | SkipJsonSchema[None] = None
    right_claimed: RightClaimed | SkipJsonSchema[None] = None
    content_hash: HexHash
    metadata_hash: HexHash


SUBJECT_EXAMPLE: dict[str, Any] = {
    "id": HOLDER_DID_EXAMPLE,
    "certificateNumber": "DIP-202603-460100-000042",
    "registrationNumber": REGISTRATION_NUMBER_EXAMPLE,
    "holder": {"address": ADDRESS_EXAMPLE, "name": "Metro Data Co."},
    "asset": CERTIFIED_ASSET_EXAMPLE,
    "chainEvidence": CHAIN_EVIDENCE_EXAMPLE,
}


class CertificateSubject(Wire):
    """What the certificate attests: who holds which asset, and where the chain recorded it."""

    model_config = example(SUBJECT_EXAMPLE)

    id: str = Field(description="The holder's did:pkh on the evidence chain")
    certificate_number: CertificateNumber
    registration_number: RegistrationNumber | SkipJsonSchema[None] = Field(
        default=None,
        description="The asset's registration number (its check character checked by the verifier's "
        "format check); absent on certificates of assets registered before registration numbers",
    )
    holder: CertificateHolder
    asset: CertifiedAsset
    chain_evidence: ChainEvidence = Field(description="The registration, change or transfer certified")


PROOF_EXAMPLE: dict[str, Any] = {
    "type": "DataIntegrityProof",
    "cryptosuite": "ecdsa-jcs-2019",
    "created": "2026-03-02T09:41:07Z",
    "verificationMethod": f"{REGISTRAR_DID_EXAMPLE}#{REGISTRAR_DID_EXAMPLE.removeprefix('did:key:')}",
    "proofPurpose": "assertionMethod",
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "proofValue": "z2iAR3Gd6mJ8Bq5iRWxQdZxTcwDbo3PfRXKWF4ZrEo8c2UiSGpuz8mMNPhFcFCKDrbbZHfmhdXUxYyZEMGvmptL1P",
}


class DataIntegrityProof(Wire):
    """The registrar's ``ecdsa-jcs-2019`` Data Integrity proof over the credential."""

    model_config = example(PROOF_EXAMPLE)

    type: Literal["DataIntegrityProof"]
    cryptosuite: Literal["ecdsa-jcs-2019"]
    created: IsoDateTime
    verification_method: str = Field(description="The registrar key's did:key URL")
    proof_purpose: Literal["assertionMethod"]
    context: list[str] | SkipJsonSchema[None] = Field(
        default=None, alias="@context", description="The credential's @context, which the proof binds"
    )
    proof_value: str = Field(description="The r||s signature, base58-btc multibase")


CERTIFICATE_EXAMPLE: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "urn:dataledger:certificate:DIP-202603-460100-000042",
    "type": ["VerifiableCredential", "DataRightsRegistrationCertificate"],
    "issuer": ISSUER_EXAMPLE,
    "validFrom": "2026-03-02T09:41:07Z",
    "validUntil": "2029-03-01T09:41:07Z",
    "credentialSubject": SUBJECT_EXAMPLE,
    "proof": PROOF_EXAMPLE,
}


class Certificate(Wire):
    """A registration certificate: a W3C Verifiable Credential 2.0 signed by the registrar. Verify it as
    is (``POST /v1/certificates/verify``): its hash is what the registry contract records."""

    model_config = example(CERTIFICATE_EXAMPLE)

    context: list[str] = Field(alias="@context")
    id: str = Field(description="urn:dataledger:certificate:<number>")
    type: list[str]
    issuer: CertificateIssuer
    valid_from: IsoDateTime
    valid_until: IsoDateTime | SkipJsonSchema[None] = Field(
        default=None, description="The end of the term; absent for a certificate without one"
    )
    credential_subject: CertificateSubject
    proof: DataIntegrityProof


# -- what the registry says about certificates -----------------------------------------------------

CERTIFICATE_SUMMARY_EXAMPLE: dict[str, Any] = {
    "number": "DIP-202603-460100-000042",
    "assetId": ASSET_ID_EXAMPLE,
    "certificateHash": CERTIFICATE_HASH_EXAMPLE,
    "status": "valid",
    "validUntil": 1867138867,
    "supersededBy": None,
    "issuedAt": "2026-03-02T09:41:07.523411+00:00",
    "holder": ADDRESS_EXAMPLE,
    "recordedIn": {"txHash": TX_HASH_EXAMPLE, "blockNumber": 44, "logIndex": 0},
}


class CertificateSummary(Wire):
    """A certificate as the registry stored it: its number, hash, status and successor."""

    model_config = example(CERTIFICATE_SUMMARY_EXAMPLE)

    number: CertificateNumber
    asset_id: HexHash
    certificate_hash: HexHash = Field(description="SHA-256 of the canonical credential, as anchored")
    status: Literal["valid", "superseded", "revoked", "cancelled"]
    valid_until: int | None = Field(description="Unix time the term ends; null without a term")
    superseded_by: CertificateNumber | None = Field(description="The number of the certificate replacing it")
    issued_at: IsoDateTime
    holder: ChainAddress | None = Field(description="The holder the certificate names")
    recorded_in: ChainLocation | None = Field(description="Where the registry recorded the certificate")


class AssetCertificates(Wire):
    """The asset's certificates, oldest first."""

    model_config = example({"assetId": ASSET_ID_EXAMPLE, "items": [CERTIFICATE_SUMMARY_EXAMPLE]})

    asset_id: HexHash
    items: list[CertificateSummary]


#: An asset's status on chain, lower case (``IDataRightsRegistry.AssetStatus``).
ChainAssetStatus = Literal[
    "none", "registered", "revoked", "under_review", "in_notice", "certified", "rejected", "cancelled"
]

CERTIFICATE_STATUS_EXAMPLE: dict[str, Any] = {
    "number": "DIP-202603-460100-000042",
    "assetId": ASSET_ID_EXAMPLE,
    "certificateHash": CERTIFICATE_HASH_EXAMPLE,
    "status": "superseded",
    "supersededBy": "DIP-202605-460100-000051",
    "supersededByHash": "0x" + "9b" * 32,
    "holder": ADDRESS_EXAMPLE,
    "currentHolder": "0x" + "7e" * 20,
    "recordedIn": {"txHash": TX_HASH_EXAMPLE, "blockNumber": 44, "logIndex": 0},
    "pledgedTo": None,
    "validUntil": 1867138867,
}


class CertificateStatus(Wire):
    """A certificate's standing as the chain states it now."""

    model_config = example(CERTIFICATE_STATUS_EXAMPLE)

    number: CertificateNumber
    asset_id: HexHash
    certificate_hash: HexHash
    status: Literal["valid", "superseded", "expired", "not-anchored", "not-registered"] | ChainAssetStatus = (
        Field(
            description="valid, superseded, expired, not-anchored, not-registered, or the asset's status on "
            "chain when it is no longer certified (revoked, cancelled...)"
        )
    )
    superseded_by: CertificateNumber | None = Field(description="The number of the successor, if known")
    superseded_by_hash: HexHash | None = Field(description="The successor's hash, as the chain names it")
    holder: ChainAddress | None = Field(description="The holder the certificate names")
    current_holder: ChainAddress | None = Field(description="The asset's holder on chain today")
    recorded_in: ChainLocation | None = Field(description="Where the registry recorded the certificate")
    pledged_to: ChainAddress | None = Field(
        description="The pledgee, while a valid certificate's asset is pledged"
    )
    valid_until: int | None = Field(description="Unix time the term ends, as anchored; null without a term")


# -- verification ----------------------------------------------------------------------------------

VerificationCheckName = Literal[
    "structure",
    "format",
    "issuer-trusted",
    "proof-signature",
    "validity-period",
    "chain-transaction",
    "chain-event-matches",
    "certificate-current",
    "asset-not-revoked",
]


class VerificationCheck(Wire):
    """One check of the verification, in the order they run."""

    model_config = example(
        {
            "name": "validity-period",
            "passed": False,
            "detail": "expired at 2026-01-31T16:00:00+00:00",
            "reason": "validity.expired",
            "values": {"moment": "2026-01-31T16:00:00+00:00"},
        }
    )

    name: VerificationCheckName
    passed: bool
    detail: str = Field(description="What the check found, in English, with the values it checked")
    reason: str | None = Field(
        default=None,
        description="A stable code of what the check found (validity.expired, signature.bad, asset.revoked…),"
        " for a client that words it in its own language; null where the check names no more than passed"
        " or failed (a malformed document)",
    )
    values: dict[str, str] = Field(
        default_factory=dict,
        description="The facts the reason names (moment, number, did, tx, hash, asset, holder, status,"
        " stated, actual, timestamp; fields: the differing event fields as codes, comma-separated)",
    )


class VerificationReport(Wire):
    """The checks that ran (stopping at the first failure) and the certificate's standing."""

    model_config = example(
        {
            "valid": False,
            "failedCheck": "certificate-current",
            "status": "superseded",
            "supersededBy": "0x" + "9b" * 32,
            "pledgedTo": None,
            "checks": [
                {"name": "structure", "passed": True, "detail": "certificate DIP-202603-460100-000042"},
                {
                    "name": "format",
                    "passed": True,
                    "detail": f"registration number {REGISTRATION_NUMBER_EXAMPLE}: check character verified",
                },
                {
                    "name": "issuer-trusted",
                    "passed": True,
                    "detail": f"issued by trusted registrar {REGISTRAR_DID_EXAMPLE}",
                },
                {"name": "proof-signature", "passed": True, "detail": "ecdsa-jcs-2019 signature verified"},
                {"name": "validity-period", "passed": True, "detail": "valid at 2026-05-11T08:00:00+00:00"},
                {
                    "name": "chain-transaction",
                    "passed": True,
                    "detail": f"AssetRegistered in transaction {TX_HASH_EXAMPLE}",
                },
                {
                    "name": "chain-event-matches",
                    "passed": True,
                    "detail": "the on-chain event states the certificate's facts",
                },
                {
                    "name": "certificate-current",
                    "passed": False,
                    "detail": "the certificate is superseded by certificate " + "0x" + "9b" * 32,
                    "reason": "current.superseded",
                    "values": {"hash": "0x" + "9b" * 32},
                },
            ],
            "supersededByNumber": "DIP-202605-460100-000051",
        }
    )

    valid: bool
    failed_check: VerificationCheckName | None = Field(description="The check that failed, if any")
    status: Literal["valid", "invalid", "expired", "not-anchored", "superseded"] | ChainAssetStatus = Field(
        description="The certificate's standing: valid, invalid (offline checks failed), expired, "
        "not-anchored, superseded, or the asset's status on chain (revoked, cancelled...)"
    )
    superseded_by: HexHash | None = Field(description="The hash of the certificate that replaced it")
    pledged_to: ChainAddress | None = Field(description="The pledgee of a valid certificate's pledged asset")
    checks: list[VerificationCheck]
    superseded_by_number: CertificateNumber | None = Field(
        default=None,
        description="The successor's number, present when supersededBy is (null if unknown here)",
    )


# -- pledge registration certificates ---------------------------------------------------------------

PLEDGE_SUBJECT_EXAMPLE: dict[str, Any] = {
    "id": f"did:pkh:eip155:31337:{'0x' + 'b4' * 20}",
    "pledgeCertificateNumber": "DPL-202611-460100-000001",
    "asset": {
        "assetId": ASSET_ID_EXAMPLE,
        "name": "Offshore duty-free sales records",
        "registrationNumber": REGISTRATION_NUMBER_EXAMPLE,
        "certificateNumber": "DIP-202603-460100-000042",
    },
    "pledgor": {"address": ADDRESS_EXAMPLE, "name": "Hainan duty-free operator"},
    "pledgee": {"address": "0x" + "b4" * 20, "name": "Bank of Hainan"},
    "securedAmount": 500_000_000,
    "currency": "CNY",
    "maturity": "2027-11-30T00:00:00Z",
    "termsHash": "0x" + "7a" * 32,
    "valuationHash": "0x" + "7b" * 32,
    "chainEvidence": CHAIN_EVIDENCE_EXAMPLE,
}


class PledgedAsset(Wire):
    asset_id: HexHash
    name: str
    registration_number: RegistrationNumber | SkipJsonSchema[None] = None
    certificate_number: str | SkipJsonSchema[None] = Field(
        default=None, description="The asset's registration certificate when the pledge was filed"
    )


class PledgeParty(Wire):
    address: ChainAddress
    name: str


class PledgeCertificateSubject(Wire):
    """What the registrar certifies: the pledge both parties signed, as the chain recorded it."""

    model_config = example(PLEDGE_SUBJECT_EXAMPLE)

    id: str = Field(description="The pledgee as a did:pkh")
    pledge_certificate_number: str = Field(description="DPL-YYYYMM-IIIIII-NNNNNN")
    asset: PledgedAsset
    pledgor: PledgeParty
    pledgee: PledgeParty
    secured_amount: int = Field(description="In the currency's minor unit")
    currency: str
    maturity: IsoDateTime
    terms_hash: HexHash = Field(description="Salted hash of the pledge contract, as on chain")
    valuation_hash: HexHash = Field(description="Salted hash of the valuation the pledgee relied on")
    chain_evidence: ChainEvidence = Field(description="Where the chain recorded the pledge")


PLEDGE_CERTIFICATE_EXAMPLE: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "urn:dataledger:pledge-certificate:DPL-202611-460100-000001",
    "type": ["VerifiableCredential", "DataPledgeRegistrationCertificate"],
    "issuer": ISSUER_EXAMPLE,
    "validFrom": "2026-11-30T09:41:07Z",
    "credentialSubject": PLEDGE_SUBJECT_EXAMPLE,
    "proof": PROOF_EXAMPLE,
}


class PledgeCertificate(Wire):
    """A pledge registration certificate: a W3C Verifiable Credential 2.0 signed by the registry, its
    hash recorded on chain by the registrar who filed the pledge. Check it as is
    (``POST /v1/pledge-certificates/verify``)."""

    model_config = example(PLEDGE_CERTIFICATE_EXAMPLE)

    context: list[str] = Field(alias="@context")
    id: str = Field(description="urn:dataledger:pledge-certificate:<number>")
    type: list[str]
    issuer: CertificateIssuer
    valid_from: IsoDateTime
    credential_subject: PledgeCertificateSubject
    proof: DataIntegrityProof
