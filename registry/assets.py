"""The data asset: what an enterprise registers, and the commitments the chain records about it.

A registration publishes commitments, never content: the content hash (of the data or its manifest)
and a *salted* metadata hash, so low-entropy facts (a name, an industry) cannot be guessed from the
chain. The asset id is content-derived, exactly as the registry contract derives it.
"""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

from dataledger.registry.canonical import json_hash
from dataledger.registry.chain_types import ChainEvidence, require_address, require_hex32
from dataledger.registry.errors import ValidationFailed


class RightClaimed(enum.StrEnum):
    """The three separated data rights of the "data twenty measures" (2022)."""

    RESOURCE_HOLDING = "data-resource-holding"
    PROCESSING_AND_USE = "data-processing-and-use"
    PRODUCT_OPERATION = "data-product-operation"


_SALT = re.compile(r"^0x[0-9a-f]{32,64}$")


def new_salt() -> str:
    """A fresh 128-bit salt for the metadata commitment."""
    return "0x" + secrets.token_hex(16)


@dataclass(frozen=True, slots=True)
class AssetFacts:
    """The registered facts of a data asset (name, provenance, scale), valid by construction."""

    name: str
    content_hash: str
    description: str = ""
    source: str = ""
    collection_method: str = ""
    scale: str = ""
    update_frequency: str = ""
    industry: str = ""
    right_claimed: RightClaimed = RightClaimed.RESOURCE_HOLDING
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValidationFailed("an asset needs a non-empty name", field="name")
        if len(self.name) > 200:
            raise ValidationFailed("asset name longer than 200 characters", field="name")
        object.__setattr__(self, "content_hash", require_hex32(self.content_hash, "content_hash"))
        if int(self.content_hash, 16) == 0:
            raise ValidationFailed("content_hash must not be zero", field="content_hash")
        try:
            object.__setattr__(self, "right_claimed", RightClaimed(self.right_claimed))
        except ValueError:
            allowed = ", ".join(r.value for r in RightClaimed)
            raise ValidationFailed(f"right_claimed must be one of {allowed}", field="right_claimed") from None

    def as_json(self) -> dict[str, Any]:
        """The facts as the metadata commitment hashes them (``dataledger.asset.v1``: snake_case keys)."""
        data = asdict(self)
        data["right_claimed"] = self.right_claimed.value
        return data

    def wire_json(self) -> dict[str, Any]:
        """The facts as the API shows them: camelCase, like every other name on the wire."""
        return {_WIRE_NAMES.get(name, name): value for name, value in self.as_json().items()}


_WIRE_NAMES = {
    "content_hash": "contentHash",
    "collection_method": "collectionMethod",
    "update_frequency": "updateFrequency",
    "right_claimed": "rightClaimed",
}


def metadata_commitment(facts: AssetFacts, holder: str, salt: str) -> str:
    """The salted hash of the asset's facts and holder: sha256 over RFC 8785 canonical JSON."""
    if not isinstance(salt, str) or not _SALT.match(salt):
        raise ValidationFailed("salt must be 16 to 32 random bytes as 0x-hex", field="salt")
    document = {"facts": facts.as_json(), "holder": holder.lower(), "salt": salt, "v": "dataledger.asset.v1"}
    return json_hash(document)


def asset_id_for(holder: str, content_hash: str, metadata_hash: str) -> str:
    """Content-derived asset id; equals ``DataRightsRegistry.assetIdFor`` on chain."""
    holder = to_checksum_address(require_address(holder, "holder"))
    encoded = abi_encode(
        ["address", "bytes32", "bytes32"],
        [holder, bytes.fromhex(content_hash[2:]), bytes.fromhex(metadata_hash[2:])],
    )
    return "0x" + keccak(encoded).hex()


def lawful_source_commitment(facts: AssetFacts, salt: str) -> str:
    """The salted hash of the statement of how the data was lawfully obtained (its source and method)."""
    if not isinstance(salt, str) or not _SALT.match(salt):
        raise ValidationFailed("salt must be 16 to 32 random bytes as 0x-hex", field="salt")
    document = {
        "collection_method": facts.collection_method,
        "salt": salt,
        "source": facts.source,
        "v": "dataledger.lawful-source.v1",
    }
    return json_hash(document)


def text_commitment(kind: str, text: str, salt: str) -> str:
    """The salted hash of a free text of the lifecycle (licence scope, consent purpose...).

    Texts such as purposes have low entropy: without the salt they could be guessed from the chain.
    """
    if not isinstance(salt, str) or not _SALT.match(salt):
        raise ValidationFailed("salt must be 16 to 32 random bytes as 0x-hex", field="salt")
    return json_hash({"kind": kind, "salt": salt, "text": text, "v": "dataledger.text.v1"})


def reason_hash(reason: str) -> str:
    """The hash of a public reason (review, rejection, objection, resolution, revocation)."""
    return json_hash({"reason": reason})


class AssetState(enum.StrEnum):
    """Where an asset stands; every value but ``pending`` names an ``IDataRightsRegistry.AssetStatus``."""

    PENDING = "pending"  # accepted, stored, on its way to the chain
    REGISTERED = "registered"  # evidence deposited and applied for; awaiting the formal review
    REVOKED = "revoked"
    UNDER_REVIEW = "under_review"  # formal review passed; awaiting the substantive review
    IN_NOTICE = "in_notice"
    CERTIFIED = "certified"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class AssetRecord:
    """A registered (or pending) asset as the registry knows it, with its chain evidence."""

    asset_id: str
    holder_id: str
    holder_address: str
    facts: AssetFacts
    salt: str
    metadata_hash: str
    nonce: int
    deadline: int
    signature: str
    state: AssetState
    evidence: ChainEvidence | None = None
    revocation_reason: str | None = None
    #: ``IIIIII-YYYY-NNNNNNNN-C`` (``registry.numbering``), given when the application is registered;
    #: ``None`` while pending and on assets registered before registration numbers.
    registration_number: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "assetId": self.asset_id,
            "registrationNumber": self.registration_number,
            "holderId": self.holder_id,
            "holderAddress": self.holder_address,
            "facts": self.facts.wire_json(),
            "contentHash": self.facts.content_hash,
            "metadataHash": self.metadata_hash,
            "salt": self.salt,
            "state": self.state.value,
            "chainEvidence": self.evidence.as_json() if self.evidence else None,
            "revocationReason": self.revocation_reason,
        }
