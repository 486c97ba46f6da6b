"""Response shapes of licences: the licence as stored (texts behind its commitments, terms, uses), a
page of them, one use consumed, and the EIP-712 messages the holder and the licensee sign.

The EIP-712 messages of the licence registry (licences, uses, revocations, consents) share the
``LICENCE_DOMAIN_EXAMPLE`` domain; consents (``api.responses.consents``) reuse it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from dataledger.api.responses.assets import SALT_EXAMPLE, ChainLocation, PreparedAct, Salt
from dataledger.api.responses.common import (
    ADDRESS_EXAMPLE,
    ASSET_ID_EXAMPLE,
    CHAIN_EVIDENCE_EXAMPLE,
    TX_HASH_EXAMPLE,
    ChainAddress,
    ChainEvidence,
    HexHash,
    Page,
    Wire,
    example,
)
from dataledger.registry.holder_signatures import ACT_TYPES

LICENSEE_EXAMPLE = "0x" + "7e" * 20
REQUEST_HASH_EXAMPLE = "0x" + "9f" * 32
PURPOSE_HASH_EXAMPLE = "0x" + "2b" * 32
LICENCE_DOMAIN_EXAMPLE: dict[str, Any] = {
    "name": "DataLedger LicenceRegistry",
    "version": "1",
    "chainId": 31337,
    "verifyingContract": "0x" + "1d" * 20,
}
EIP712_DOMAIN_TYPE: list[dict[str, str]] = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def licence_typed_data(
    primary_type: str, fields: list[tuple[str, str]], message: dict[str, Any]
) -> dict[str, Any]:
    """An example EIP-712 message of the licence registry (``fields``: name and type, in order)."""
    return {
        "types": {
            "EIP712Domain": EIP712_DOMAIN_TYPE,
            primary_type: [{"name": name, "type": kind} for name, kind in fields],
        },
        "primaryType": primary_type,
        "domain": LICENCE_DOMAIN_EXAMPLE,
        "message": message,
    }


# -- the licence -----------------------------------------------------------------------------------

LICENCE_EXAMPLE: dict[str, Any] = {
    "licenceId": 12,
    "assetId": ASSET_ID_EXAMPLE,
    "licensorAddress": ADDRESS_EXAMPLE,
    "licenseeAddress": LICENSEE_EXAMPLE,
    "licenseeId": "4c1e9a27-6b3d-4f8a-9e52-0d7b3c6a1f84",
    "assetVersion": 1,
    "scope": "Station-level hourly flows, read-only, for model training",
    "purpose": "Timetable optimisation for line 14",
    "territory": "CN-SH",
    "validFrom": 1772448067,
    "validUntil": 1804070467,
    "maxUses": 10,
    "uses": 2,
    "derivativesAllowed": True,
    "commercial": False,
    "exclusivity": "non-exclusive",
    "salt": SALT_EXAMPLE,
    "revoked": False,
    "revocationReason": None,
    "chainEvidence": {"txHash": TX_HASH_EXAMPLE, "blockNumber": 61, "logIndex": 0},
}


class Licence(Wire):
    """A licence as the registry stored it: the texts behind its on-chain commitments, its terms, and
    the chain's count of uses."""

    model_config = example(LICENCE_EXAMPLE)

    licence_id: int = Field(description="The licence registry's licence id")
    asset_id: HexHash = Field(description="The licensed asset")
    licensor_address: ChainAddress = Field(description="The asset's holder who signed the licence")
    licensee_address: ChainAddress
    licensee_id: str | None = Field(description="The licensee's participant id")
    asset_version: int = Field(description="The version of the asset licensed (0: any)")
    scope: str = Field(description="What may be done with the data (committed on chain as a salted hash)")
    purpose: str = Field(description="What for (committed on chain as a salted hash)")
    territory: str | None = Field(description="Where (committed on chain as a salted hash); null: anywhere")
    valid_from: int = Field(description="Unix time (chain time) the licence starts")
    valid_until: int = Field(description="Unix time (chain time) the licence ends")
    max_uses: int
    uses: int = Field(description="Uses consumed so far")
    derivatives_allowed: bool
    commercial: bool = Field(description="Whether commercial use is allowed")
    exclusivity: Literal["non-exclusive", "sole", "exclusive"] = Field(
        description="sole or exclusive: the only licence of the asset in force in its term"
    )
    salt: Salt = Field(description="The salt of the scope, purpose and territory commitments")
    revoked: bool
    revocation_reason: str | None = Field(description="The holder's reason, once revoked")
    chain_evidence: ChainLocation = Field(description="Where the licence was granted (the licence registry)")


class LicenceList(Page):
    """A page of licences in id order: all of them for oversight, those it granted or holds for others."""

    model_config = example({"items": [LICENCE_EXAMPLE], "limit": 50, "offset": 0})

    items: list[Licence]


USE_EXAMPLE: dict[str, Any] = {
    "number": 3,
    "licensee": LICENSEE_EXAMPLE,
    "requestHash": REQUEST_HASH_EXAMPLE,
    "purposeHash": PURPOSE_HASH_EXAMPLE,
    "blockTimestamp": 1775040067,
    "chainEvidence": {**CHAIN_EVIDENCE_EXAMPLE, "contract": LICENCE_DOMAIN_EXAMPLE["verifyingContract"]},
}


class LicenceUse(Wire):
    """One use of a licence, as the ``LicenceUsed`` event records it."""

    model_config = example(USE_EXAMPLE)

    number: int = Field(description="The use's number: 1 for the first")
    licensee: ChainAddress = Field(description="The licensee that signed the use")
    request_hash: HexHash = Field(description="The hash of the request the use was consumed for")
    purpose_hash: HexHash = Field(description="The licence's purpose commitment")
    block_timestamp: int = Field(description="Unix time of the block")
    chain_evidence: ChainEvidence


class LicenceUsed(Wire):
    """The licence after the use, and the use."""

    model_config = example({"licence": {**LICENCE_EXAMPLE, "uses": 3}, "use": USE_EXAMPLE})

    licence: Licence
    use: LicenceUse


# -- messages to sign ------------------------------------------------------------------------------

TERMS_EXAMPLE: dict[str, Any] = {
    "assetId": ASSET_ID_EXAMPLE,
    "licensee": LICENSEE_EXAMPLE,
    "assetVersion": 1,
    "maxUses": 10,
    "validFrom": 1772448067,
    "validUntil": 1804070467,
    "derivativesAllowed": True,
    "commercial": False,
    "scopeHash": "0x" + "5c" * 32,
    "purposeHash": PURPOSE_HASH_EXAMPLE,
    "territoryHash": "0x" + "7d" * 32,
    "exclusivity": 0,
}


class LicenceTerms(Wire):
    """The licence's terms as the contract records them: texts as salted commitments."""

    model_config = example(TERMS_EXAMPLE)

    asset_id: HexHash
    licensee: ChainAddress
    asset_version: int
    max_uses: int
    valid_from: int = Field(description="Unix time (chain time)")
    valid_until: int = Field(description="Unix time (chain time)")
    derivatives_allowed: bool
    commercial: bool
    scope_hash: HexHash
    purpose_hash: HexHash
    territory_hash: HexHash = Field(description="Zero when the licence names no territory")
    exclusivity: int = Field(ge=0, le=2, description="On chain: 0 non-exclusive, 1 sole, 2 exclusive")


class PreparedLicence(PreparedAct):
    """The licence the holder signs, with the salt of its commitments and its terms to submit back."""

    model_config = example(
        {
            "typedData": licence_typed_data(
                "Licence",
                list(ACT_TYPES["Licence"]),  # the domain's field list, as the contract hashes it
                {**TERMS_EXAMPLE, "nonce": 4, "deadline": 1772451667},
            ),
            "nonce": 4,
            "deadline": 1772451667,
            "salt": SALT_EXAMPLE,
            "terms": TERMS_EXAMPLE,
        }
    )

    salt: Salt = Field(description="The salt of the scope, purpose and territory commitments")
    terms: LicenceTerms
