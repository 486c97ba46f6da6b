"""EPCIS 2.0 error declarations: an event said to be wrong, with a reason and its corrective events.

An error declaration is the erroneous event captured again, unchanged, with an ``errorDeclaration``
``{declarationTime, reason, correctiveEventIDs}`` (EPCIS 2.0 §7.4.1.5). The CBV 2.0 hash algorithm
leaves ``errorDeclaration`` (and ``eventID``, ``recordTime``) out, so the declaration has the hash ID of
the event it corrects: that is how it is linked to it. A repository must not take it for a duplicate:
it records the declaration beside the event (``ledger.sql.event_store``), shows it, and marks the
event erroneous in histories, traces and where-is-it-now. A declaration may arrive before its event
(capture order is free); it applies once the event is stored.

A declaration is identified by the event's hash ID and the SHA-256 of the RFC 8785 canonical JSON of
its ``errorDeclaration`` object (the *declaration hash*); the same declaration captured twice is stored
once. It is anchored as its own Merkle leaf::

    leaf = keccak256(keccak256(abi.encode(TYPEHASH, eventSha256, declarationHash)))

(``TYPEHASH`` is :data:`EPCIS_ERROR_DECLARATION_LEAF_TYPEHASH`, ``eventSha256`` the digest in the hash ID)

so a verifier rebuilds the leaf from the event hash ID and the declaration as shown, and checks the
proof against the anchored root: a declaration cannot be removed later without the proof failing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from dataledger.registry.canonical_fast import canonical_json_fast
from dataledger.registry.epcis.event_leaf import event_digest, event_row_id
from dataledger.registry.epcis.lineage import iso_time, time_us
from dataledger.registry.epcis.rfc3339 import parse_date_time
from dataledger.registry.errors import ValidationFailed
from dataledger.registry.keccak import keccak256
from dataledger.registry.merkle import leaf_hash

EPCIS_ERROR_DECLARATION_KIND = "epcis-error-declaration"
EPCIS_ERROR_DECLARATION_LEAF_TYPEHASH = keccak256(
    b"dataledger.EpcisErrorDeclaration(bytes32 eventHash,bytes32 declarationHash)"
)
ERROR_DECLARATION_FIELD = "errorDeclaration"
_ER_PREFIXES = ("https://ref.gs1.org/cbv/ER-", "urn:epcglobal:cbv:er:")


class PreparedDeclaration(NamedTuple):
    """An event's ``errorDeclaration``, ready to store: its hash, time, reason, corrective IDs, JSON."""

    declaration_hash: bytes  # SHA-256 of the canonical JSON of the errorDeclaration object
    declaration_time_us: int
    reason: str | None  # the CBV error reason as its bare word (incorrect_data, did_not_occur)
    corrective_event_ids: tuple[str, ...]
    canonical_json: str  # the errorDeclaration object, RFC 8785


def short_reason(value: str | None) -> str | None:
    """A CBV error reason as its bare word (``incorrect_data``), whichever form it came in."""
    if value is None:
        return None
    for prefix in _ER_PREFIXES:
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def prepare_declaration(event: Mapping[str, Any]) -> PreparedDeclaration | None:
    """The error declaration a valid event carries, or None (validate first: ``validate_event``)."""
    declaration = event.get(ERROR_DECLARATION_FIELD)
    if not isinstance(declaration, Mapping):
        return None
    canonical = canonical_json_fast(dict(declaration))
    reason = declaration.get("reason")
    corrective = declaration.get("correctiveEventIDs")
    return PreparedDeclaration(
        declaration_hash=hashlib.sha256(canonical).digest(),
        declaration_time_us=time_us(parse_date_time(declaration["declarationTime"])),
        reason=short_reason(reason) if isinstance(reason, str) else None,
        corrective_event_ids=tuple(
            dict.fromkeys(i for i in corrective if isinstance(i, str)) if isinstance(corrective, list) else ()
        ),
        canonical_json=canonical.decode("utf-8"),
    )


def declaration_hash_of(declaration: Mapping[str, Any]) -> bytes:
    """The declaration hash of an ``errorDeclaration`` object (as a verifier recomputes it)."""
    return hashlib.sha256(canonical_json_fast(dict(declaration))).digest()


def declaration_id(event_hash_id: str, declaration_hash: bytes) -> str:
    """The declaration's identifier: the event hash ID, ``#``, the declaration hash in hex.

    It is the declaration's reference in the anchoring outbox (``kind`` :data:`EPCIS_ERROR_DECLARATION_KIND`).
    """
    return f"{event_hash_id}#{declaration_hash.hex()}"


def declaration_leaf(event_hash_id: str, declaration_hash: bytes) -> bytes:
    """The Merkle leaf of the declaration ``declaration_hash`` on the event ``event_hash_id``."""
    if len(declaration_hash) != 32:
        raise ValueError("a declaration hash is 32 bytes")
    return leaf_hash(EPCIS_ERROR_DECLARATION_LEAF_TYPEHASH + event_digest(event_hash_id) + declaration_hash)


def event_id_key(event_id: str) -> int:
    """The storage key of a declared ``eventID``: the first 63 bits of its SHA-256."""
    return event_row_id(hashlib.sha256(event_id.encode("utf-8")).digest())


def is_event_hash_id(value: str) -> bool:
    """Whether ``value`` is a CBV 2.0 event hash ID (so a corrective event ID can name a stored event)."""
    try:
        event_digest(value)
    except ValidationFailed:
        return False
    return True


def corrective_ids(declarations: Iterable[StoredDeclaration]) -> list[str]:
    """Every corrective event ID of ``declarations``, each once, in declaration order."""
    return list(dict.fromkeys(i for d in declarations for i in d.corrective_event_ids))


@dataclass(frozen=True, slots=True)
class StoredDeclaration:
    """A recorded error declaration: on which event, when, why, its corrective events, who and from where."""

    event_hash_id: str
    declaration_hash: bytes
    declaration_time_us: int
    reason: str | None
    corrective_event_ids: tuple[str, ...]
    declaration: dict[str, Any]  # the errorDeclaration object as captured
    capture_id: str  # the declaring document
    declared_by: str  # the participant who captured it
    record_time_us: int  # when it was captured here
    event: dict[str, Any] = field(default_factory=dict)  # the declaring copy of the event, as captured

    @property
    def id(self) -> str:
        return declaration_id(self.event_hash_id, self.declaration_hash)

    @property
    def leaf(self) -> bytes:
        return declaration_leaf(self.event_hash_id, self.declaration_hash)

    def as_json(self) -> dict[str, Any]:
        return {
            "declarationId": self.id,
            "declarationHash": "0x" + self.declaration_hash.hex(),
            "declarationTime": iso_time(self.declaration_time_us),
            "reason": self.reason,
            "correctiveEventIds": list(self.corrective_event_ids),
            "declaredBy": self.declared_by,
            "captureId": self.capture_id,
            "recordTime": iso_time(self.record_time_us),
            "errorDeclaration": self.declaration,
        }
