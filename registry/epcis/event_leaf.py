"""The Merkle leaf that anchors a captured EPCIS event, rebuilt by anyone from its event hash ID alone.

``leaf = keccak256(keccak256(abi.encode(EPCIS_EVENT_LEAF_TYPEHASH, sha256)))`` where ``sha256`` is the
32-byte digest inside the CBV 2.0 hash ID (``ni:///sha-256;<hex>?ver=CBV2.0``). The type hash keeps
event leaves apart from every other kind of leaf in the outbox; double hashing keeps leaves apart from
nodes (see :mod:`registry.merkle`). A verifier recomputes the hash ID from the event, the leaf from
the ID, and checks the proof against the root anchored on chain.
"""

from __future__ import annotations

import re

from dataledger.registry.errors import ValidationFailed
from dataledger.registry.keccak import keccak256
from dataledger.registry.merkle import leaf_hash

EPCIS_EVENT_KIND = "epcis-event"
EPCIS_EVENT_LEAF_TYPEHASH = keccak256(b"dataledger.EpcisEvent(bytes32 eventHash)")
_HASH_ID = re.compile(r"ni:///sha-256;(?P<hex>[0-9a-f]{64})\?ver=CBV2\.0")


def event_digest(hash_id: str) -> bytes:
    """The SHA-256 digest inside an event hash ID (``ValidationFailed`` if it is not one)."""
    match = _HASH_ID.fullmatch(hash_id)
    if match is None:
        raise ValidationFailed(
            "not a CBV 2.0 event hash ID (ni:///sha-256;<64 hex>?ver=CBV2.0)", field="eventHashId"
        )
    return bytes.fromhex(match["hex"])


def hash_id_of(value: str) -> str:
    """An event hash ID from either the full ID or the bare 64-hex digest."""
    if re.fullmatch(r"[0-9a-fA-F]{64}", value):
        return f"ni:///sha-256;{value.lower()}?ver=CBV2.0"
    event_digest(value)
    return value


def event_row_id(digest: bytes) -> int:
    """The stored event's integer key: the digest's first 63 bits (content-derived, no round trip)."""
    return int.from_bytes(digest[:8], "big") >> 1


def event_leaf(hash_id: str) -> bytes:
    """The Merkle leaf of the event whose hash ID is ``hash_id``."""
    return leaf_hash(EPCIS_EVENT_LEAF_TYPEHASH + event_digest(hash_id))
