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


class PreparedPledge(PreparedAct):
    """The pledge the holder signs, with the salt of the terms and their commitment."""

    model_config = example({**PREPARED_ACT_EXAMPLE, "salt": SALT_EXAMPLE, "termsHash": "0x" + "7a" * 32})

    salt: Salt
    terms_hash: HexHash = Field(description="Salted hash of the pledge's terms, as the chain records it")


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
