"""Response shapes of assets: the asset whole and public, its history and versions, and the EIP-712
messages participants are given to sign (``PreparedAct`` and the registration's).

Also the small shapes other resources reuse: ``IsoDateTime``, ``Salt``, ``ChainLocation`` (an act's place
on the registry's chain without the chain id and contract) and ``HistoryAct``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from dataledger.api.responses.common import (
    ADDRESS_EXAMPLE,
    ASSET_ID_EXAMPLE,
    CHAIN_EVIDENCE_EXAMPLE,
    TX_HASH_EXAMPLE,
    ChainAddress,
    ChainEvidence,
    HexHash,
    Page,
    TypedData,
    Wire,
    example,
)
from dataledger.registry.assets import AssetState, RightClaimed
from dataledger.registry.holder_signatures import REGISTRATION_TYPES

#: ``IIIIII-YYYY-NNNNNNNN-C``: institution, year of application, serial, ISO 7064 MOD 11-2 check character.
RegistrationNumber = Annotated[
    str, Field(pattern=r"^[0-9]{6}-[0-9]{4}-[0-9]{8}-[0-9X]$", examples=["460100-2026-00000042-3"])
]

#: A date and time as the registry writes it (ISO 8601 with its offset), passed through unchanged.
IsoDateTime = Annotated[
    str, Field(json_schema_extra={"format": "date-time"}, examples=["2026-03-02T09:41:07+00:00"])
]
Salt = Annotated[str, Field(pattern=r"^0x[0-9a-f]{32,64}$", description="The salt of a commitment")]

HOLDER_ID_EXAMPLE = "5b0f3f8e-2c1d-4c55-9d8e-6a1f0b7c2e41"
CONTENT_HASH_EXAMPLE = "0x" + "c0" * 32
#: The registration number of the examples (``registry.numbering``; its check character is right).
REGISTRATION_NUMBER_EXAMPLE = "460100-2026-00000042-3"
METADATA_HASH_EXAMPLE = "0x" + "3d" * 32
SALT_EXAMPLE = "0x" + "5a" * 16
TYPED_DATA_EXAMPLE: dict[str, Any] = {
    "types": {
        "EIP712Domain": [
            {"name": "name", "type": "string"},
            {"name": "version", "type": "string"},
            {"name": "chainId", "type": "uint256"},
            {"name": "verifyingContract", "type": "address"},
        ],
        "Transfer": [
            {"name": "assetId", "type": "bytes32"},
            {"name": "to", "type": "address"},
            {"name": "nonce", "type": "uint256"},
            {"name": "deadline", "type": "uint256"},
        ],
    },
    "primaryType": "Transfer",
    "domain": {
        "name": "DataRightsRegistry",
        "version": "1",
        "chainId": 31337,
        "verifyingContract": ADDRESS_EXAMPLE,
    },
    "message": {
        "assetId": ASSET_ID_EXAMPLE,
        "to": "0x" + "7e" * 20,
        "nonce": 3,
        "deadline": 1772448067,
    },
}


class ChainLocation(Wire):
    """Where on the registry's chain an act was recorded (its chain and contract are the registry's)."""

    model_config = example({"txHash": TX_HASH_EXAMPLE, "blockNumber": 42, "logIndex": 0})

    tx_hash: HexHash
    block_number: int
    log_index: int


FACTS_EXAMPLE: dict[str, Any] = {
    "name": "Urban rail passenger flows 2025",
    "contentHash": CONTENT_HASH_EXAMPLE,
    "description": "Hourly boardings and alightings per station, anonymised",
    "source": "Automatic fare collection gates",
    "collectionMethod": "Gate counts aggregated per hour",
    "scale": "1.2 TB, 38 million rows",
    "updateFrequency": "daily",
    "industry": "transport",
    "rightClaimed": "data-resource-holding",
    "extra": {},
}


class AssetFacts(Wire):
    """The registered facts of an asset; the chain holds them only as the salted ``metadataHash``."""

    model_config = example(FACTS_EXAMPLE)

    name: str
    content_hash: HexHash = Field(description="SHA-256 of the data or of its manifest")
    description: str
    source: str
    collection_method: str
    scale: str
    update_frequency: str
    industry: str
    right_claimed: RightClaimed = Field(description="Which of the three separated data rights is claimed")
    extra: dict[str, Any] = Field(description="Further facts the holder chose to state (an open object)")


ASSET_EXAMPLE: dict[str, Any] = {
    "assetId": ASSET_ID_EXAMPLE,
    "registrationNumber": REGISTRATION_NUMBER_EXAMPLE,
    "holderId": HOLDER_ID_EXAMPLE,
    "holderAddress": ADDRESS_EXAMPLE,
    "facts": FACTS_EXAMPLE,
    "contentHash": CONTENT_HASH_EXAMPLE,
    "metadataHash": METADATA_HASH_EXAMPLE,
    "salt": SALT_EXAMPLE,
    "state": "certified",
    "chainEvidence": CHAIN_EVIDENCE_EXAMPLE,
    "revocationReason": None,
}


class Asset(Wire):
    """An asset whole, as its holder, the registrar and auditors see it: facts, salt and chain evidence."""

    model_config = example(ASSET_EXAMPLE)

    asset_id: HexHash = Field(description="Content-derived id, as the registry contract derives it")
    registration_number: RegistrationNumber | None = Field(
        description="Given when the application is registered; null while pending (and on assets "
        "registered before registration numbers)"
    )
    holder_id: str = Field(description="The holder's participant id")
    holder_address: ChainAddress = Field(description="The holder's chain address")
    facts: AssetFacts
    content_hash: HexHash
    metadata_hash: HexHash = Field(description="Salted hash of the facts and holder, as on chain")
    salt: Salt
    state: AssetState = Field(description="Where the asset stands; pending until the chain has it")
    chain_evidence: ChainEvidence | None = Field(description="Where it was registered; null while pending")
    revocation_reason: str | None = Field(description="The registrar's reason, once revoked")


ASSET_PUBLIC_EXAMPLE: dict[str, Any] = {
    "assetId": ASSET_ID_EXAMPLE,
    "registrationNumber": REGISTRATION_NUMBER_EXAMPLE,
    "holderId": HOLDER_ID_EXAMPLE,
    "holderAddress": ADDRESS_EXAMPLE,
    "name": FACTS_EXAMPLE["name"],
    "rightClaimed": "data-resource-holding",
    "contentHash": CONTENT_HASH_EXAMPLE,
    "metadataHash": METADATA_HASH_EXAMPLE,
    "state": "in_notice",
    "chainEvidence": CHAIN_EVIDENCE_EXAMPLE,
    "revocationReason": None,
    "view": "public",
}

#: A revoked asset as an outsider sees it (an example in which no field is null).
REVOKED_ASSET_PUBLIC_EXAMPLE: dict[str, Any] = {
    **ASSET_PUBLIC_EXAMPLE,
    "state": "revoked",
    "revocationReason": "The holder's licence to collect the gate counts was annulled (case 2026-0117)",
}


class AssetPublic(Wire):
    """What public notice needs of an asset, for everyone but its holder and oversight: no facts beyond
    the name, no salt."""

    model_config = example(ASSET_PUBLIC_EXAMPLE)

    asset_id: HexHash
    registration_number: RegistrationNumber | None
    holder_id: str
    holder_address: ChainAddress
    name: str
    right_claimed: RightClaimed
    content_hash: HexHash
    metadata_hash: HexHash
    state: AssetState
    chain_evidence: ChainEvidence | None
    revocation_reason: str | None
    view: Literal["public"] = Field(description="Marks the public view")


class AssetList(Page):
    """A page of assets: enterprises list their own; each asset whole or public as the caller may see it."""

    model_config = example({"items": [ASSET_PUBLIC_EXAMPLE], "limit": 50, "offset": 0})

    items: list[Asset | AssetPublic]


# -- history and versions --------------------------------------------------------------------------

HistoryAct = Literal[
    "registered",
    "materialised",
    "reviewed",
    "notice-started",
    "rejected",
    "objection-filed",
    "objection-resolved",
    "certificate-recorded",
    "certificate-superseded",
    "certificate-renewed",
    "changed",
    "transferred",
    "pledged",
    "pledge-released",
    "pledge-enforced",
    "pledge-revalued",
    "pledge-certificate-recorded",
    "cancelled",
    "revoked",
    "licence-granted",
    "licence-used",
    "licence-revoked",
]


class ChainCheck(Wire):
    """Whether the chain confirms a history entry (only with ``check=true``)."""

    model_config = example({"passed": True, "detail": "AssetTransferred at block 42, log 0"})

    passed: bool
    detail: str


HISTORY_ENTRY_EXAMPLE: dict[str, Any] = {
    "act": "transferred",
    "actor": ADDRESS_EXAMPLE,
    "at": "2026-03-02T09:41:07+00:00",
    "detail": {"from": ADDRESS_EXAMPLE, "to": "0x" + "7e" * 20},
    "chainEvidence": CHAIN_EVIDENCE_EXAMPLE,
    "recordedAt": "2026-03-02T09:41:08.412077+00:00",
}


class HistoryEntry(Wire):
    """One act on the asset, with who did it, when, and where on chain."""

    model_config = example(HISTORY_ENTRY_EXAMPLE)

    act: HistoryAct
    actor: str = Field(
        description="The chain address that acted: the key that signed the act (a holder, pledgee or "
        "objector; for a review, resolution, rejection, certificate, renewal or revocation, the registrar "
        "institution's own key), or the registry's operator for a materialisation it relayed"
    )
    at: IsoDateTime | None = Field(description="The block's time; null if not known")
    detail: dict[str, Any] = Field(
        description="The event's arguments and the act's texts (reasons, terms); empty for those who do "
        "not see the asset whole"
    )
    chain_evidence: ChainEvidence
    recorded_at: IsoDateTime = Field(description="When the registry stored the entry")
    chain_check: ChainCheck | SkipJsonSchema[None] = Field(
        default=None, description="Present only with check=true"
    )


class AssetHistory(Page):
    """A page of the asset's acts in chain order, with how many match the filters in all."""

    model_config = example(
        {"assetId": ASSET_ID_EXAMPLE, "items": [HISTORY_ENTRY_EXAMPLE], "total": 1, "limit": 100, "offset": 0}
    )

    asset_id: HexHash
    items: list[HistoryEntry]
    total: int = Field(description="How many entries match the filters in all")


VERSION_EXAMPLE: dict[str, Any] = {
    "version": 1,
    "contentHash": CONTENT_HASH_EXAMPLE,
    "metadataHash": METADATA_HASH_EXAMPLE,
    "facts": FACTS_EXAMPLE,
    "txHash": TX_HASH_EXAMPLE,
    "blockNumber": 42,
    "logIndex": 0,
}


class AssetVersion(Wire):
    """One version of the asset's data and where the chain recorded it."""

    model_config = example(VERSION_EXAMPLE)

    version: int = Field(description="1 for the registration, then one more per change")
    content_hash: HexHash
    metadata_hash: HexHash
    facts: AssetFacts
    tx_hash: HexHash
    block_number: int
    log_index: int


class AssetVersions(Wire):
    """Every version of the asset's data, oldest first (the version chain)."""

    model_config = example({"assetId": ASSET_ID_EXAMPLE, "items": [VERSION_EXAMPLE]})

    asset_id: HexHash
    items: list[AssetVersion]


# -- messages to sign ------------------------------------------------------------------------------

PREPARED_ACT_EXAMPLE: dict[str, Any] = {"typedData": TYPED_DATA_EXAMPLE, "nonce": 3, "deadline": 1772448067}


class PreparedAct(Wire):
    """An act to sign with ``eth_signTypedData_v4``; submit the signature with the same nonce and deadline."""

    model_config = example(PREPARED_ACT_EXAMPLE)

    typed_data: TypedData = Field(description="The EIP-712 message to sign as is")
    nonce: int = Field(description="The signer's next nonce on the contract")
    deadline: int = Field(description="Unix time (chain time) after which the signature is refused")


class PreparedRegistration(PreparedAct):
    """The registration the holder signs, with the salt and the commitments to submit back."""

    model_config = example(
        {
            "assetId": ASSET_ID_EXAMPLE,
            "salt": SALT_EXAMPLE,
            "nonce": 0,
            "deadline": 1772448067,
            "metadataHash": METADATA_HASH_EXAMPLE,
            "lawfulSourceHash": "0x" + "1f" * 32,
            "typedData": {
                **TYPED_DATA_EXAMPLE,
                "types": {
                    "EIP712Domain": TYPED_DATA_EXAMPLE["types"]["EIP712Domain"],
                    **REGISTRATION_TYPES,
                },
                "primaryType": "Registration",
                "message": {
                    "holder": ADDRESS_EXAMPLE,
                    "contentHash": CONTENT_HASH_EXAMPLE,
                    "metadataHash": METADATA_HASH_EXAMPLE,
                    "right": 0,
                    "lawfulSourceHash": "0x" + "1f" * 32,
                    "nonce": 0,
                    "deadline": 1772448067,
                },
            },
        }
    )

    asset_id: HexHash = Field(description="The id the asset will have once registered")
    salt: Salt
    metadata_hash: HexHash
    lawful_source_hash: HexHash = Field(description="Salted hash of the data's source and collection method")
