"""Response shapes of the acts a holder or pledgee signs on a certified asset: the messages to sign,
pledges, and the acts after which a registrar reissues the certificate (change, transfer, enforcement)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from dataledger.api.responses.assets import (
    ASSET_EXAMPLE,
    METADATA_HASH_EXAMPLE,
    PREPARED_ACT_EXAMPLE,
    SALT_EXAMPLE,
    Asset,
    ChainLocation,
    PreparedAct,
    Salt,
)
from dataledger.api.responses.certificates import PLEDGE_CERTIFICATE_EXAMPLE, PledgeCertificate
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

# -- pledges ---------------------------------------------------------------------------------------

PLEDGE_EXAMPLE: dict[str, Any] = {
    "assetId": ASSET_ID_EXAMPLE,
    "pledgorAddress": ADDRESS_EXAMPLE,
    "pledgeeAddress": "0x" + "b4" * 20,
    "pledgeeId": "0d7c4b1e-8f61-4a57-b1f2-3e9a6c5d8f20",
    "terms": "Security for loan 2026-117, CNY 5,000,000, until 2027-03-01",
    "termsHash": "0x" + "7a" * 32,
    "status": "active",
    "chainEvidence": {"txHash": TX_HASH_EXAMPLE, "blockNumber": 57, "logIndex": 1},
}


class PledgeValuation(Wire):
    """One valuation the pledgee stated, with where the chain recorded its hash."""

    valuation: str | SkipJsonSchema[None] = Field(default=None, description="Its text (parties only)")
    valuation_hash: HexHash
    chain_evidence: ChainLocation
    recorded_at: str


class Pledge(Wire):
    """A pledge of the asset: active, released by the pledgee, or enforced."""

    model_config = example(PLEDGE_EXAMPLE)

    asset_id: HexHash
    pledgor_address: ChainAddress
    pledgee_address: ChainAddress
    pledgee_id: str | None = Field(description="The pledgee's participant id")
    terms: str | SkipJsonSchema[None] = Field(
        default=None, description="The pledge's terms; absent for those who are not a party or oversight"
    )
    terms_hash: HexHash = Field(description="Salted hash of the terms, as on chain")
    status: Literal["active", "released", "enforced"]
    chain_evidence: ChainLocation = Field(description="Where the pledge was recorded")
    secured_amount: int | SkipJsonSchema[None] = Field(
        default=None, description="The secured amount in the currency's minor unit, as on chain"
    )
    currency: str | SkipJsonSchema[None] = Field(default=None, description="ISO 4217")
    maturity: int | SkipJsonSchema[None] = Field(default=None, description="When the debt falls due")
    valuation: str | SkipJsonSchema[None] = Field(
        default=None, description="The current valuation; absent for those who are not a party or oversight"
    )
    valuation_hash: HexHash | SkipJsonSchema[None] = Field(default=None, description="As on chain")
    valuations: list[PledgeValuation] | SkipJsonSchema[None] = Field(
        default=None, description="Every valuation the pledgee stated, oldest first"
    )
    certificate_number: str | SkipJsonSchema[None] = Field(
        default=None, description="The pledge registration certificate, once a registrar issued it"
    )


class PledgeList(Wire):
    """The pledges of the asset, active and ended, oldest first."""

    model_config = example({"items": [PLEDGE_EXAMPLE]})

    items: list[Pledge]


class PreparedChange(PreparedAct):
    """The change the holder signs, with the salt and the new metadata commitment to submit back."""

    model_config = example(
        {**PREPARED_ACT_EXAMPLE, "salt": SALT_EXAMPLE, "metadataHash": METADATA_HASH_EXAMPLE}
    )

    salt: Salt
    metadata_hash: HexHash


class PreparedPledge(Wire):
    """The pledge both parties sign: the holder's ``Pledge`` and the pledgee's ``PledgeAcceptance`` of
    the same terms, with the salt of the texts and their commitments. Either party submits both
    signatures."""

    model_config = example(
        {
            "salt": SALT_EXAMPLE,
            "termsHash": "0x" + "7a" * 32,
            "valuationHash": "0x" + "7b" * 32,
            "holder": PREPARED_ACT_EXAMPLE,
            "pledgee": PREPARED_ACT_EXAMPLE,
        }
    )

    salt: Salt
    terms_hash: HexHash = Field(description="Salted hash of the pledge's terms, as the chain records it")
    valuation_hash: HexHash = Field(description="Salted hash of the valuation, as the chain records it")
    holder: PreparedAct = Field(description="The Pledge the holder signs")
    pledgee: PreparedAct = Field(description="The PledgeAcceptance the pledgee signs")


class PreparedRevaluation(PreparedAct):
    """The revaluation the pledgee signs, with the salt of its text and its commitment."""

    model_config = example({**PREPARED_ACT_EXAMPLE, "salt": SALT_EXAMPLE, "valuationHash": "0x" + "7b" * 32})

    salt: Salt
    valuation_hash: HexHash


class PreparedPledgeCertificate(PreparedAct):
    """The pledge registration certificate and the ``PledgeCertificate`` over its hash the registrar
    signs; submit the signature with the number and issue time."""

    model_config = example(
        {
            **PREPARED_ACT_EXAMPLE,
            "certificateNumber": "DPL-202611-460100-000001",
            "issuedAt": "2026-11-30T12:00:00+00:00",
            "certificate": PLEDGE_CERTIFICATE_EXAMPLE,
        }
    )

    certificate_number: str
    issued_at: str
    certificate: PledgeCertificate = Field(description="The credential whose hash is signed")


class PledgeBook(Wire):
    """A pledgee's pledges on every asset, newest first."""

    model_config = example({"items": [PLEDGE_EXAMPLE]})

    items: list[Pledge]


class PledgeCertificateCheck(Wire):
    check: str
    passed: bool
    detail: str


class PledgeCertificateReport(Wire):
    """Whether a pledge registration certificate holds: its proof, its record on chain, and whether the
    pledge it certifies still stands (``active``) or ended (released or enforced)."""

    model_config = example(
        {
            "valid": True,
            "standing": "active",
            "checks": [{"check": "proof-signature", "passed": True, "detail": "…"}],
        }
    )

    valid: bool
    standing: Literal["active", "ended", "unknown", "tampered"]
    checks: list[PledgeCertificateCheck]


# -- acts after which a registrar reissues the certificate -------------------------------------------

FACTS_CHANGED_EXAMPLE: dict[str, Any] = {
    "asset": ASSET_EXAMPLE,
    "transaction": CHAIN_EVIDENCE_EXAMPLE,
}


class FactsChanged(Wire):
    """The asset after a change or a transfer. It stays certified under its current certificate until a
    registrar issues, signed by its own key, the one that supersedes it (``prepareCertificate``)."""

    model_config = example(FACTS_CHANGED_EXAMPLE)

    asset: Asset
    transaction: ChainEvidence = Field(description="Where the chain recorded the act")


class PledgeEnforcement(FactsChanged):
    """The enforced pledge and the asset now held by the pledgee (a registrar then issues the certificate
    in its name)."""

    model_config = example({**FACTS_CHANGED_EXAMPLE, "pledge": {**PLEDGE_EXAMPLE, "status": "enforced"}})

    pledge: Pledge
