"""Response shapes of bulk registration, and of anchoring in Merkle batches.

An entry anchored in a batch (a batched registration, an EPCIS event, an error declaration) answers
where it stands as an :data:`Inclusion`: ``pending`` (no batch yet), ``sealed`` (its batch's root and
its inclusion proof are fixed) or ``anchored`` (the root is on chain: the anchor transaction too).
``api.responses.events`` uses the same shapes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from dataledger.api.responses.assets import (
    ASSET_EXAMPLE,
    CONTENT_HASH_EXAMPLE,
    FACTS_EXAMPLE,
    HOLDER_ID_EXAMPLE,
    METADATA_HASH_EXAMPLE,
    SALT_EXAMPLE,
    Asset,
    AssetFacts,
    Salt,
)
from dataledger.api.responses.common import (
    ADDRESS_EXAMPLE,
    ASSET_ID_EXAMPLE,
    TX_HASH_EXAMPLE,
    ChainAddress,
    HexHash,
    TypedData,
    Wire,
    example,
)
from dataledger.api.responses.licences import EIP712_DOMAIN_TYPE
from dataledger.registry.assets import RightClaimed
from dataledger.registry.holder_signatures import REGISTRATION_TYPES

# -- anchoring in batches --------------------------------------------------------------------------

AnchoredKind = Literal["registration", "epcis-event", "epcis-error-declaration"]
LEAF_EXAMPLE = "0x" + "3f" * 32
ROOT_EXAMPLE = "0x" + "8d" * 32
PROOF_PATH_EXAMPLE = ["0x" + "61" * 32, "0x" + "c4" * 32, "0x" + "0e" * 32]
BATCH_ANCHOR_EXAMPLE: dict[str, Any] = {
    "chainId": 31337,
    "contract": "0x" + "a7" * 20,
    "batchId": 17,
    "txHash": TX_HASH_EXAMPLE,
    "blockNumber": 96,
    "blockTimestamp": 1772448101,
    "logIndex": 0,
}


class BatchAnchor(Wire):
    """The ``BatchAnchored`` event that put the batch's root on chain (``AnchorRegistry``)."""

    model_config = example(BATCH_ANCHOR_EXAMPLE)

    chain_id: int = Field(description="EIP-155 chain id")
    contract: ChainAddress = Field(description="The anchor registry contract")
    batch_id: int = Field(description="The anchor registry's batch id")
    tx_hash: HexHash
    block_number: int
    block_timestamp: int = Field(description="Unix time of the block")
    log_index: int


PENDING_INCLUSION_EXAMPLE: dict[str, Any] = {
    "status": "pending",
    "kind": "registration",
    "ref": ASSET_ID_EXAMPLE,
    "leaf": LEAF_EXAMPLE,
}
SEALED_INCLUSION_EXAMPLE: dict[str, Any] = {
    **PENDING_INCLUSION_EXAMPLE,
    "status": "sealed",
    "root": ROOT_EXAMPLE,
    "leafIndex": 5,
    "leafCount": 8,
    "proof": PROOF_PATH_EXAMPLE,
}
ANCHORED_INCLUSION_EXAMPLE: dict[str, Any] = {
    **SEALED_INCLUSION_EXAMPLE,
    "status": "anchored",
    "anchor": BATCH_ANCHOR_EXAMPLE,
}


class PendingInclusion(Wire):
    """An entry acknowledged and stored, not in a batch yet."""

    model_config = example(PENDING_INCLUSION_EXAMPLE)

    status: Literal["pending"]
    kind: AnchoredKind = Field(description="What the entry is")
    ref: str = Field(description="The entry's id: an asset id, an event hash ID, or a declaration id")
    leaf: HexHash = Field(description="The entry's Merkle leaf")


class _Inclusion(Wire):
    """An entry of a sealed batch and its inclusion proof (what sealed and anchored entries share)."""

    kind: AnchoredKind = Field(description="What the entry is")
    ref: str = Field(description="The entry's id: an asset id, an event hash ID, or a declaration id")
    leaf: HexHash = Field(description="The entry's Merkle leaf")
    root: HexHash = Field(description="The batch's Merkle root")
    leaf_index: int = Field(description="The leaf's position in the batch")
    leaf_count: int = Field(description="How many leaves the batch has")
    proof: list[HexHash] = Field(description="The sibling hashes from the leaf up to the root")


class SealedInclusion(_Inclusion):
    """An entry in a sealed batch: its root and the entry's inclusion proof are fixed."""

    model_config = example(SEALED_INCLUSION_EXAMPLE)

    status: Literal["sealed"]


class AnchoredInclusion(_Inclusion):
    """An entry whose batch root is on chain: the proof and the anchor verify offline and on chain."""

    model_config = example(ANCHORED_INCLUSION_EXAMPLE)

    status: Literal["anchored"]
    anchor: BatchAnchor


Inclusion = Annotated[PendingInclusion | SealedInclusion | AnchoredInclusion, Field(discriminator="status")]
"""Where an anchored entry stands: pending, sealed or anchored."""


# -- preparing and submitting ----------------------------------------------------------------------

BATCHED_NONCE_EXAMPLE = str(2**255 + 4_812_031_007)
REGISTRATION_MESSAGE_EXAMPLE: dict[str, Any] = {
    "holder": ADDRESS_EXAMPLE,
    "contentHash": CONTENT_HASH_EXAMPLE,
    "metadataHash": METADATA_HASH_EXAMPLE,
    "right": 0,
    "lawfulSourceHash": "0x" + "00" * 32,
    "nonce": BATCHED_NONCE_EXAMPLE,
    "deadline": 1772451667,
}
PREPARED_BATCHED_EXAMPLE: dict[str, Any] = {
    "assetId": ASSET_ID_EXAMPLE,
    "salt": SALT_EXAMPLE,
    "nonce": BATCHED_NONCE_EXAMPLE,
    "deadline": 1772451667,
    "metadataHash": METADATA_HASH_EXAMPLE,
    "typedData": {
        "types": {
            "EIP712Domain": EIP712_DOMAIN_TYPE,
            **REGISTRATION_TYPES,
        },
        "primaryType": "Registration",
        "domain": {
            "name": "DataLedger DataRightsRegistry",
            "version": "2",
            "chainId": 31337,
            "verifyingContract": "0x" + "1c" * 20,
        },
        "message": REGISTRATION_MESSAGE_EXAMPLE,
    },
}
BatchedNonceText = Annotated[
    str, Field(pattern=r"^[0-9]+$", description="2**255 + k, as a decimal string (beyond 2**53)")
]


class PreparedBatchedRegistration(Wire):
    """One registration to sign, in the batched nonce space; submit it back with its signature."""

    model_config = example(PREPARED_BATCHED_EXAMPLE)

    asset_id: HexHash = Field(description="The id the asset will have")
    salt: Salt
    nonce: BatchedNonceText
    deadline: int = Field(description="Unix time (chain time) by which the batch must be anchored")
    metadata_hash: HexHash = Field(description="Salted hash of the facts and holder, as signed")
    typed_data: TypedData = Field(description="The EIP-712 Registration to sign (its nonce as a string)")


class PreparedBulk(Wire):
    """The registrations to sign, in request order."""

    model_config = example({"items": [PREPARED_BATCHED_EXAMPLE]})

    items: list[PreparedBatchedRegistration]


ITEM_PROBLEM_EXAMPLE: dict[str, Any] = {
    "type": "https://dataledger.dev/problems/content-already-registered",
    "code": "content-already-registered",
    "title": "This content is already registered under another asset",
    "status": 409,
    "detail": "this content hash is already in this request",
    "content_hash": CONTENT_HASH_EXAMPLE,
}


class ItemProblem(Wire):
    """Why an item was refused: an RFC 9457 problem, with the error's own members where it has any."""

    model_config = ConfigDict(
        alias_generator=None, extra="allow", json_schema_extra={"examples": [ITEM_PROBLEM_EXAMPLE]}
    )

    type: str = Field(description="The problem type URI")
    code: str = Field(description="The stable problem code (docs/ERRORS.md)")
    title: str
    status: int = Field(description="The status the item would have had on its own")
    detail: str


class AcceptedItem(Wire):
    """An item stored and queued for anchoring (``anchored`` once its batch is on chain, with wait=true)."""

    model_config = example({"index": 0, "status": "queued", "assetId": ASSET_ID_EXAMPLE})

    index: int = Field(description="The item's position in the request")
    status: Literal["queued", "anchored"]
    asset_id: HexHash


class RejectedItem(Wire):
    """An item refused, with its problem; the other items are not affected."""

    model_config = example(
        {"index": 1, "status": "rejected", "assetId": "0x" + "b7" * 32, "problem": ITEM_PROBLEM_EXAMPLE}
    )

    index: int = Field(description="The item's position in the request")
    status: Literal["rejected"]
    asset_id: HexHash | None = Field(description="The asset id the item names, if it could be computed")
    problem: ItemProblem


BulkItemOutcome = Annotated[AcceptedItem | RejectedItem, Field(discriminator="status")]


class BulkResult(Wire):
    """Every item's outcome, in request order."""

    model_config = example(
        {
            "accepted": 1,
            "rejected": 1,
            "items": [
                {"index": 0, "status": "queued", "assetId": ASSET_ID_EXAMPLE},
                {
                    "index": 1,
                    "status": "rejected",
                    "assetId": "0x" + "b7" * 32,
                    "problem": ITEM_PROBLEM_EXAMPLE,
                },
            ],
        }
    )

    accepted: int
    rejected: int
    items: list[BulkItemOutcome]


# -- a batched registration ------------------------------------------------------------------------

LEAF_FIELDS_EXAMPLE: dict[str, Any] = {
    "registration": REGISTRATION_MESSAGE_EXAMPLE,
    "signature": "0x" + "5e" * 65,
}


class SignedRegistration(Wire):
    """The ``Registration`` message the holder signed (what rebuilds the leaf)."""

    model_config = example(REGISTRATION_MESSAGE_EXAMPLE)

    holder: ChainAddress
    content_hash: HexHash
    metadata_hash: HexHash
    right: int = Field(description="The right claimed, as the contract's index (0, 1 or 2)")
    lawful_source_hash: HexHash = Field(description="Zero: the statement is within the committed facts")
    nonce: BatchedNonceText
    deadline: int


class LeafFields(Wire):
    """What rebuilds the registration's Merkle leaf: the signed message and the signature."""

    model_config = example(LEAF_FIELDS_EXAMPLE)

    registration: SignedRegistration
    signature: str = Field(pattern=r"^0x[0-9a-fA-F]{130}$", description="The holder's 65-byte signature")


BATCHED_REGISTRATION_EXAMPLE: dict[str, Any] = {
    "assetId": ASSET_ID_EXAMPLE,
    "holderId": HOLDER_ID_EXAMPLE,
    "holderAddress": ADDRESS_EXAMPLE,
    "contentHash": CONTENT_HASH_EXAMPLE,
    "metadataHash": METADATA_HASH_EXAMPLE,
    "leaf": LEAF_EXAMPLE,
    "status": "anchored",
    "facts": FACTS_EXAMPLE,
    "salt": SALT_EXAMPLE,
    "leafFields": LEAF_FIELDS_EXAMPLE,
}


class BatchedRegistration(Wire):
    """A batched registration whole, as its holder and oversight see it."""

    model_config = example(BATCHED_REGISTRATION_EXAMPLE)

    asset_id: HexHash
    holder_id: str = Field(description="The holder's participant id")
    holder_address: ChainAddress
    content_hash: HexHash
    metadata_hash: HexHash
    leaf: HexHash = Field(description="The registration's Merkle leaf")
    status: Literal["pending", "sealed", "anchored"] = Field(description="Where its anchoring stands")
    facts: AssetFacts
    salt: Salt
    leaf_fields: LeafFields


class BatchedRegistrationPublic(Wire):
    """A batched registration as anyone else sees it: nothing the leaf holds only as a salted commitment."""

    model_config = example(
        {
            **{
                k: v
                for k, v in BATCHED_REGISTRATION_EXAMPLE.items()
                if k not in ("facts", "salt", "leafFields")
            },
            "name": FACTS_EXAMPLE["name"],
            "rightClaimed": "data-resource-holding",
            "view": "public",
        }
    )

    asset_id: HexHash
    holder_id: str = Field(description="The holder's participant id")
    holder_address: ChainAddress
    content_hash: HexHash
    metadata_hash: HexHash
    leaf: HexHash = Field(description="The registration's Merkle leaf")
    status: Literal["pending", "sealed", "anchored"] = Field(description="Where its anchoring stands")
    name: str
    right_claimed: RightClaimed
    view: Literal["public"] = Field(description="Marks the public view")


# -- its anchor ------------------------------------------------------------------------------------


class _RegistrationLeaf(Wire):
    asset_id: HexHash
    leaf_fields: LeafFields


PENDING_REGISTRATION_ANCHOR_EXAMPLE: dict[str, Any] = {
    "assetId": ASSET_ID_EXAMPLE,
    "leafFields": LEAF_FIELDS_EXAMPLE,
    **PENDING_INCLUSION_EXAMPLE,
}
ANCHORED_REGISTRATION_ANCHOR_EXAMPLE: dict[str, Any] = {
    "assetId": ASSET_ID_EXAMPLE,
    "leafFields": LEAF_FIELDS_EXAMPLE,
    **ANCHORED_INCLUSION_EXAMPLE,
}


class PendingRegistrationAnchor(_RegistrationLeaf, PendingInclusion):
    """A batched registration not in a batch yet (202)."""

    model_config = example(PENDING_REGISTRATION_ANCHOR_EXAMPLE)


class SealedRegistrationAnchor(_RegistrationLeaf, SealedInclusion):
    """A batched registration in a sealed batch, its root not on chain yet (202)."""

    model_config = example(
        {"assetId": ASSET_ID_EXAMPLE, "leafFields": LEAF_FIELDS_EXAMPLE, **SEALED_INCLUSION_EXAMPLE}
    )


class AnchoredRegistrationAnchor(_RegistrationLeaf, AnchoredInclusion):
    """A batched registration anchored: verify the leaf, the proof and the anchor offline and on chain."""

    model_config = example(ANCHORED_REGISTRATION_ANCHOR_EXAMPLE)


RegistrationAnchor = Annotated[
    PendingRegistrationAnchor | SealedRegistrationAnchor | AnchoredRegistrationAnchor,
    Field(discriminator="status"),
]
"""A batched registration's anchor: 200 once anchored, 202 while pending or sealed."""
RegistrationAnchorPending = Annotated[
    PendingRegistrationAnchor | SealedRegistrationAnchor, Field(discriminator="status")
]


class MaterialisedRegistration(Wire):
    """The asset, now in the registry contract's storage (``registered``, awaiting the formal review),
    and the anchor its materialisation presented."""

    model_config = example(
        {"asset": {**ASSET_EXAMPLE, "state": "registered"}, "anchor": {**ANCHORED_INCLUSION_EXAMPLE}}
    )

    asset: Asset
    anchor: AnchoredInclusion
