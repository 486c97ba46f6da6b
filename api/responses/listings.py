"""Response shapes of listing verification: the signed report (a W3C Verifiable Credential), the
consent a pledgee signs, and the check of a report's signature."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from dataledger.api.responses.assets import CONTENT_HASH_EXAMPLE, IsoDateTime
from dataledger.api.responses.certificates import (
    ISSUER_EXAMPLE,
    PROOF_EXAMPLE,
    CertificateIssuer,
    DataIntegrityProof,
)
from dataledger.api.responses.common import (
    ADDRESS_EXAMPLE,
    ASSET_ID_EXAMPLE,
    ChainAddress,
    HexHash,
    TypedData,
    Wire,
    example,
)
from dataledger.api.responses.licences import EIP712_DOMAIN_TYPE

ListingCheckName = Literal[
    "registered-and-certified",
    "holder-is-lister",
    "not-revoked",
    "not-pledged",
    "hashes-match",
    "upstream-declared",
    "upstream-licensed",
]
UPSTREAM_ASSET_EXAMPLE = "0x" + "b2" * 32
REGISTRY_EXAMPLE = "0x" + "1c" * 20
LICENCE_REGISTRY_EXAMPLE = "0x" + "1d" * 20
PLEDGEE_EXAMPLE = "0x" + "b4" * 20


class ListingCheck(Wire):
    """One check of the verification; every check runs (``upstream-licensed`` once per upstream asset)."""

    model_config = example(
        {"name": "holder-is-lister", "passed": True, "detail": f"held by {ADDRESS_EXAMPLE}"}
    )

    name: ListingCheckName
    passed: bool
    detail: str = Field(description="What the check found, in words")


class UpstreamClaim(Wire):
    """An upstream asset the product derives from, and the licence the lister holds on it."""

    model_config = example({"assetId": UPSTREAM_ASSET_EXAMPLE, "licenceId": 12})

    asset_id: HexHash
    licence_id: int


CHAIN_READ_EXAMPLE: dict[str, Any] = {
    "chainId": 31337,
    "registry": REGISTRY_EXAMPLE,
    "licenceRegistry": LICENCE_REGISTRY_EXAMPLE,
    "blockNumber": 118,
}


class ChainRead(Wire):
    """The chain and contracts the checks read, and the latest block when they ran."""

    model_config = example(CHAIN_READ_EXAMPLE)

    chain_id: int = Field(description="EIP-155 chain id")
    registry: ChainAddress = Field(description="The data-rights registry contract")
    licence_registry: ChainAddress = Field(description="The licence registry contract")
    block_number: int


CHECKS_EXAMPLE: list[dict[str, Any]] = [
    {"name": "registered-and-certified", "passed": True, "detail": "certified by certificate 0x" + "e7" * 32},
    {"name": "holder-is-lister", "passed": True, "detail": f"held by {ADDRESS_EXAMPLE}"},
    {"name": "not-revoked", "passed": True, "detail": "neither revoked nor cancelled"},
    {"name": "not-pledged", "passed": True, "detail": "not pledged"},
    {"name": "hashes-match", "passed": True, "detail": "the product is the registered content"},
    {"name": "upstream-declared", "passed": True, "detail": "1 upstream asset(s) stated"},
    {
        "name": "upstream-licensed",
        "passed": False,
        "detail": f"{UPSTREAM_ASSET_EXAMPLE} (licence 12): the licence does not allow commercial derivatives",
    },
]
LISTING_SUBJECT_EXAMPLE: dict[str, Any] = {
    "id": f"urn:dataledger:asset:{ASSET_ID_EXAMPLE}",
    "assetId": ASSET_ID_EXAMPLE,
    "lister": ADDRESS_EXAMPLE,
    "exchange": "Shanghai Data Exchange",
    "contentHash": CONTENT_HASH_EXAMPLE,
    "upstream": [{"assetId": UPSTREAM_ASSET_EXAMPLE, "licenceId": 12}],
    "listable": False,
    "failedChecks": ["upstream-licensed"],
    "checks": CHECKS_EXAMPLE,
    "chain": CHAIN_READ_EXAMPLE,
}


class ListingSubject(Wire):
    """What the report attests: the product, the lister, every check and whether the product may list."""

    model_config = example(LISTING_SUBJECT_EXAMPLE)

    id: str = Field(description="urn:dataledger:asset:<assetId>")
    asset_id: HexHash = Field(description="The data product's registered asset id")
    lister: ChainAddress = Field(description="The chain address that lists the product")
    exchange: str | None = Field(description="The exchange that asked for the verification")
    content_hash: HexHash = Field(description="The hash of what the exchange is about to list")
    upstream: list[UpstreamClaim] = Field(description="The upstream assets stated, with their licences")
    listable: bool = Field(description="Whether every check passed")
    failed_checks: list[ListingCheckName]
    checks: list[ListingCheck]
    chain: ChainRead


LISTING_REPORT_EXAMPLE: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "urn:dataledger:listing-verification:6f1c2a9e-0b7d-4e3a-9c58-2d4f1e6b8a70",
    "type": ["VerifiableCredential", "DataProductListingVerification"],
    "issuer": ISSUER_EXAMPLE,
    "validFrom": "2026-03-02T09:41:07Z",
    "credentialSubject": LISTING_SUBJECT_EXAMPLE,
    "proof": PROOF_EXAMPLE,
}


class ListingReport(Wire):
    """A listing verification report: a W3C Verifiable Credential signed by the registrar, which the
    exchange keeps as evidence of what the registry said at that block. Check it as is with
    ``POST /v1/listings/reports/verify``."""

    model_config = example(LISTING_REPORT_EXAMPLE)

    context: list[str] = Field(alias="@context")
    id: str = Field(description="urn:dataledger:listing-verification:<uuid>")
    type: list[str] = Field(description="VerifiableCredential, DataProductListingVerification")
    issuer: CertificateIssuer
    valid_from: IsoDateTime = Field(description="When the checks ran")
    credential_subject: ListingSubject
    proof: DataIntegrityProof


LISTING_CONSENT_TYPED_DATA_EXAMPLE: dict[str, Any] = {
    "types": {
        "EIP712Domain": EIP712_DOMAIN_TYPE,
        "ListingConsent": [
            {"name": "assetId", "type": "bytes32"},
            {"name": "pledgee", "type": "address"},
            {"name": "lister", "type": "address"},
        ],
    },
    "primaryType": "ListingConsent",
    "domain": {
        "name": "DataLedger DataRightsRegistry",
        "version": "2",
        "chainId": 31337,
        "verifyingContract": REGISTRY_EXAMPLE,
    },
    "message": {"assetId": ASSET_ID_EXAMPLE, "pledgee": PLEDGEE_EXAMPLE, "lister": ADDRESS_EXAMPLE},
}


class PledgeeConsentRequest(Wire):
    """Whether the product is pledged and, if so, the ``ListingConsent`` its pledgee signs (no nonce: it
    is checked off chain, by the listing verification)."""

    model_config = example(
        {"pledged": True, "pledgee": PLEDGEE_EXAMPLE, "typedData": LISTING_CONSENT_TYPED_DATA_EXAMPLE}
    )

    pledged: bool
    pledgee: ChainAddress | None = Field(description="The pledgee; null when not pledged")
    typed_data: TypedData | None = Field(description="The message the pledgee signs; null when not pledged")


class ReportCheck(Wire):
    """Whether a listing report's registrar signature holds."""

    model_config = example({"valid": True, "detail": "signed by the registrar"})

    valid: bool
    detail: str = Field(description="Why not, when it does not hold")
