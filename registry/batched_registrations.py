"""Batched registrations: holder-signed registrations anchored in Merkle batches instead of one by one.

A batched registration is checked exactly like a direct one (the holder's EIP-712 ``Registration``
signature in the ``DataRightsRegistry`` domain, the deadline, the commitments), stored durably with
its outbox entry, and later anchored as one leaf of a batch root in ``AnchorRegistry``. Its first
act on chain *materialises* it in ``DataRightsRegistry`` storage by presenting the leaf fields, the
proof and the signature, which the contract checks (``DataRightsRegistry.materialise``,
``registry.materialisation``).

**Nonces.** The contract's nonces (OpenZeppelin ``Nonces``) are sequential and consumed by direct
registrations in order; batched registrations are anchored and materialised in any order, so they
cannot share that sequence. They use a separate, *unordered* nonce space inside the same signed
``Registration`` message: a batched nonce has bit 255 set (:data:`BATCH_NONCE_FLAG`) plus an index
``0 <= k < 2**63`` that the holder picks (a random one is fine). Consequences:

* a batched signature can never be relayed through ``register`` (the contract's sequential nonce
  never reaches 2**255), and a direct signature is refused by the bulk path (flag missing), so
  neither path can replay the other's authorisations or burn the other's nonces;
* each (holder, batched nonce) is accepted once (a unique key off chain; the materialising contract
  marks it used on chain, ``batchNonceUsed``);
* the deadline bounds the *anchoring*: materialisation checks that the root was anchored at or
  before the deadline (``AnchorRegistry.anchorOf(root).anchoredAt``), not the time of
  materialisation. The bulk path therefore refuses deadlines closer than
  :data:`MIN_DEADLINE_MARGIN_S`.

**Leaf.** ``leaf = keccak256(bytes.concat(keccak256(abi.encode(REGISTRATION_LEAF_TYPEHASH,
hashStruct(registration), keccak256(signature)))))`` (see ``registry.merkle``): the EIP-712 struct
hash of exactly the ``Registration`` the holder signed (whatever its fields) and the signature's
hash, so the anchored leaf commits to the holder's authorisation, and a contract that recomputes the
struct hash to check the signature rebuilds the leaf from it at no extra cost.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any, Protocol

from eth_utils import to_checksum_address

from dataledger.registry.assets import AssetFacts, RightClaimed, metadata_commitment, new_salt
from dataledger.registry.canonical import sha256_hex
from dataledger.registry.canonical_fast import canonical_json_fast
from dataledger.registry.errors import (
    AssetAlreadyRegistered,
    ContentAlreadyRegistered,
    DataLedgerError,
    InvalidSignature,
    NonceReplayed,
    SignatureExpired,
    ValidationFailed,
)
from dataledger.registry.fast_holder_signatures import (
    RegistrationDigester,
    address_word,
    hex32_bytes,
    recover_signer,
    registration_message,
    registration_struct_hash,
)
from dataledger.registry.holder_signatures import Eip712Domain, RegistrationAuthorisation
from dataledger.registry.keccak import keccak256
from dataledger.registry.merkle import leaf_hash
from dataledger.registry.participants import Participant, Role

BATCH_NONCE_FLAG = 1 << 255
MAX_BATCH_NONCE_INDEX = 2**63 - 1
MIN_DEADLINE_MARGIN_S = 60
_SALT = re.compile(r"^0x[0-9a-f]{32,64}$")  # as registry.assets
MAX_ITEMS_PER_REQUEST = 5_000
#: How long a prepared bulk registration stays signable by default, in seconds of chain time.
DEFAULT_SIGNATURE_LIFETIME_S = 3600

REGISTRATION_KIND = "registration"
REGISTRATION_LEAF_TYPEHASH = keccak256(
    b"dataledger.BatchedRegistration(bytes32 registrationHash,bytes32 signatureHash)"
)


def kind_hash(kind: str) -> bytes:
    """The on-chain ``kind`` of a batch of entries of ``kind``: ``keccak256(kind)``."""
    return keccak256(kind.encode())


def batched_nonce(index: int) -> int:
    """The signed nonce of batched-nonce ``index``: bit 255 set, so the contract never accepts it directly."""
    if not 0 <= index <= MAX_BATCH_NONCE_INDEX:
        raise ValidationFailed(f"a batched nonce index is in 0..{MAX_BATCH_NONCE_INDEX}", field="nonce")
    return BATCH_NONCE_FLAG | index


def batch_nonce_index(nonce: int) -> int:
    """The index of a batched nonce; refuses a nonce of the contract's sequential space."""
    if nonce < BATCH_NONCE_FLAG or nonce - BATCH_NONCE_FLAG > MAX_BATCH_NONCE_INDEX:
        raise ValidationFailed(
            "a batched registration's nonce must be 2**255 + k with 0 <= k < 2**63 "
            "(the batched nonce space); sequential nonces are for direct registrations",
            field="nonce",
        )
    return nonce - BATCH_NONCE_FLAG


def asset_id_bytes(holder: str, content_hash: str, metadata_hash: str) -> bytes:
    """``keccak256(abi.encode(holder, contentHash, metadataHash))``, as ``assets.asset_id_for`` (faster)."""
    return keccak256(address_word(holder) + hex32_bytes(content_hash) + hex32_bytes(metadata_hash))


def registration_leaf_preimage(registration_hash: bytes, signature: bytes) -> bytes:
    """``abi.encode(REGISTRATION_LEAF_TYPEHASH, hashStruct(registration), keccak256(signature))``."""
    return REGISTRATION_LEAF_TYPEHASH + registration_hash + keccak256(signature)


def registration_leaf(auth: RegistrationAuthorisation, signature: bytes) -> bytes:
    """The Merkle leaf of a batched registration (double hashed, see ``registry.merkle``)."""
    return leaf_hash(registration_leaf_preimage(registration_struct_hash(auth), signature))


@dataclass(frozen=True, slots=True)
class BatchedRegistrationRequest:
    """One item of a bulk request: facts and the holder's signed authorisation (batched nonce)."""

    facts: AssetFacts
    salt: str
    nonce: int
    deadline: int
    signature: str


@dataclass(frozen=True, slots=True)
class BatchedRegistration:
    """An accepted batched registration, as stored. ``leaf`` is its Merkle leaf (0x-hex)."""

    asset_id: str
    holder_id: str
    holder_address: str
    facts: AssetFacts
    salt: str
    metadata_hash: str
    nonce: int
    deadline: int
    signature: str
    leaf: str
    facts_json: str  # RFC 8785 canonical JSON of the facts, as committed to by the metadata hash

    @property
    def batch_nonce_index(self) -> int:
        return batch_nonce_index(self.nonce)

    @property
    def authorisation(self) -> RegistrationAuthorisation:
        return authorisation_for(
            self.holder_address, self.facts, self.metadata_hash, self.nonce, self.deadline
        )

    def leaf_fields(self) -> dict[str, Any]:
        """The signed ``Registration`` message and the signature: what rebuilds the leaf (nonce as text)."""
        message = registration_message(self.authorisation)
        message["nonce"] = str(message["nonce"])
        return {"registration": message, "signature": self.signature}


def authorisation_for(
    holder: str, facts: AssetFacts, metadata_hash: str, nonce: int, deadline: int
) -> RegistrationAuthorisation:
    """The ``Registration`` a batched item is signed as: the right claimed is the facts' one, and the
    lawful-source statement stays within the committed facts (zero hash)."""
    return RegistrationAuthorisation(
        holder=holder,
        content_hash=facts.content_hash,
        metadata_hash=metadata_hash,
        nonce=nonce,
        deadline=deadline,
        right=facts.right_claimed,
    )


_RIGHT_INDEX = {right: index for index, right in enumerate(RightClaimed)}
_ZERO_HASH = "0x" + "00" * 32


@dataclass(frozen=True, slots=True)
class _SignedFields:
    """The fields of :func:`authorisation_for`, already valid (the bulk path checked them): building a
    ``RegistrationAuthorisation`` per item would re-validate and re-checksum the holder each time."""

    holder: str
    content_hash: str
    metadata_hash: str
    nonce: int
    deadline: int
    right_index: int
    lawful_source_hash: str = _ZERO_HASH


def signed_fields_for(
    holder: str, facts: AssetFacts, metadata_hash: str, nonce: int, deadline: int
) -> _SignedFields:
    """What :func:`authorisation_for` gives, for hashing only (a test proves the two hash alike)."""
    return _SignedFields(
        holder, facts.content_hash, metadata_hash, nonce, deadline, _RIGHT_INDEX[facts.right_claimed]
    )


_COMMITMENT_VERSION = b'"dataledger.asset.v1"'
_FACT_FIELDS = tuple(f.name for f in fields(AssetFacts))


def facts_as_json(facts: AssetFacts) -> dict[str, Any]:
    """``AssetFacts.as_json()`` without ``dataclasses.asdict``'s deep copy (about 70 µs); a test
    proves the two equal. The result shares ``extra`` with ``facts``: read it, do not change it."""
    data = {name: getattr(facts, name) for name in _FACT_FIELDS}
    data["right_claimed"] = facts.right_claimed.value
    return data


def metadata_commitment_of_canonical(facts_canonical: bytes, holder: str, salt: str) -> str:
    """``assets.metadata_commitment`` from the facts' canonical JSON, so the bulk path canonicalises
    the facts once for both the commitment and storage (a test proves the two commitments equal).

    RFC 8785 sorts the keys "facts" < "holder" < "salt" < "v", and a JSON string of hex is its own
    canonical form, so the document's canonical bytes are assembled rather than re-serialised.
    """
    if not isinstance(salt, str) or not _SALT.match(salt):
        raise ValidationFailed("salt must be 16 to 32 random bytes as 0x-hex", field="salt")
    document = b"".join(
        (
            b'{"facts":',
            facts_canonical,
            b',"holder":"',
            holder.lower().encode(),
            b'","salt":"',
            salt.encode(),
            b'","v":',
            _COMMITMENT_VERSION,
            b"}",
        )
    )
    return sha256_hex(document)


@dataclass(frozen=True, slots=True)
class BulkItemResult:
    """The outcome of one item: accepted (``record``) or refused (``error``), in request order."""

    index: int
    asset_id: str | None
    record: BatchedRegistration | None = None
    error: DataLedgerError | None = None

    @property
    def accepted(self) -> bool:
        return self.record is not None


class BatchedRegistrationStore(Protocol):
    """The database port of the bulk path (``ledger.sql.batched_registration_store``)."""

    def add_batched(self, records: Sequence[BatchedRegistration]) -> list[DataLedgerError | None]:
        """Store ``records`` and their outbox entries in ONE transaction; return, per record, the
        error that kept it out (already registered, content taken, nonce used) or None if stored."""
        ...


@dataclass(frozen=True)
class BulkPreparation:
    """An item to prepare: its facts, and optionally its salt and the ``k`` of its nonce."""

    facts: AssetFacts
    salt: str | None = None
    nonce_index: int | None = None


class BulkRegistrationService:
    """Checks bulk items like the direct path does, then stores the accepted ones for anchoring."""

    def __init__(
        self,
        domain: Eip712Domain,
        store: BatchedRegistrationStore,
        clock: Callable[[], int],
        *,
        min_deadline_margin_s: int = MIN_DEADLINE_MARGIN_S,
    ) -> None:
        self._digester = RegistrationDigester(domain)
        self._store = store
        self._clock = clock
        self._margin = min_deadline_margin_s

    @property
    def domain(self) -> Eip712Domain:
        return self._digester.domain

    def prepare_many(
        self, holder: Participant, items: Sequence[BulkPreparation], deadline: int | None = None
    ) -> list[dict[str, Any]]:
        """One ``Registration`` to sign per item: a batched nonce (``2**255 + k``, the item's ``k`` or a
        random one, as a string: JSON clients lose integers past 2**53), a salt unless given, the
        asset id it will have, and a deadline (default: an hour after the next block). Nothing is
        stored."""
        holder.require_role(Role.ENTERPRISE)
        if holder.address is None:
            raise ValidationFailed("this participant has no chain address", field="address")
        address = holder.address
        deadline = deadline or self._clock() + DEFAULT_SIGNATURE_LIFETIME_S
        prepared = []
        for item in items:
            salt = item.salt or new_salt()
            index = item.nonce_index if item.nonce_index is not None else secrets.randbits(63)
            metadata_hash = metadata_commitment(item.facts, address, salt)
            auth = authorisation_for(address, item.facts, metadata_hash, batched_nonce(index), deadline)
            typed = auth.typed_data(self.domain)
            typed["message"]["nonce"] = str(auth.nonce)
            asset_id = asset_id_bytes(address, item.facts.content_hash, metadata_hash)
            prepared.append(
                {
                    "assetId": "0x" + asset_id.hex(),
                    "salt": salt,
                    "nonce": str(auth.nonce),
                    "deadline": deadline,
                    "metadataHash": metadata_hash,
                    "typedData": typed,
                }
            )
        return prepared

    def register_many(
        self, holder: Participant, requests: Sequence[BatchedRegistrationRequest]
    ) -> list[BulkItemResult]:
        """Check every item; store the valid ones (one transaction); report each item's outcome.

        A refused item does not refuse the others. Raises only for what concerns the whole request
        (the caller is not an enterprise with a chain address, too many items).
        """
        holder.require_role(Role.ENTERPRISE)
        if holder.address is None:
            raise ValidationFailed("the holder has no chain address registered", field="address")
        if len(requests) > MAX_ITEMS_PER_REQUEST:
            raise ValidationFailed(f"at most {MAX_ITEMS_PER_REQUEST} items per request", field="items")
        address = to_checksum_address(holder.address)
        now = self._clock()
        results: list[BulkItemResult] = []
        accepted: list[tuple[int, BatchedRegistration]] = []
        seen_assets: set[str] = set()
        seen_contents: set[str] = set()
        seen_nonces: set[int] = set()
        for index, request in enumerate(requests):
            try:
                record = self._check(address, holder.id, request, now)
                if record.asset_id in seen_assets:
                    raise AssetAlreadyRegistered(
                        "the asset is already in this request", asset_id=record.asset_id
                    )
                if record.facts.content_hash in seen_contents:
                    raise ContentAlreadyRegistered(
                        "this content hash is already in this request", content_hash=record.facts.content_hash
                    )
                if record.nonce in seen_nonces:
                    raise NonceReplayed("this nonce is already used in this request", nonce=str(record.nonce))
            except DataLedgerError as exc:
                results.append(BulkItemResult(index, None, error=exc))
                continue
            seen_assets.add(record.asset_id)
            seen_contents.add(record.facts.content_hash)
            seen_nonces.add(record.nonce)
            accepted.append((index, record))
            results.append(BulkItemResult(index, record.asset_id, record=record))
        if accepted:
            refusals = self._store.add_batched([record for _, record in accepted])
            for (index, record), refusal in zip(accepted, refusals, strict=True):
                if refusal is not None:
                    results[index] = BulkItemResult(index, record.asset_id, error=refusal)
        return results

    def _check(
        self, holder: str, holder_id: str, request: BatchedRegistrationRequest, now: int
    ) -> BatchedRegistration:
        batch_nonce_index(request.nonce)
        facts_canonical = canonical_json_fast(facts_as_json(request.facts))
        metadata_hash = metadata_commitment_of_canonical(facts_canonical, holder, request.salt)
        signed = signed_fields_for(holder, request.facts, metadata_hash, request.nonce, request.deadline)
        if now > request.deadline:
            raise SignatureExpired("the signature's deadline has passed", deadline=request.deadline, now=now)
        if request.deadline < now + self._margin:
            raise SignatureExpired(
                "the deadline is too close: a batched registration must be anchored before it",
                deadline=request.deadline,
                now=now,
                minimum_margin_s=self._margin,
            )
        try:
            signature = bytes.fromhex(request.signature.removeprefix("0x"))
        except ValueError:
            raise InvalidSignature("malformed signature: not hex") from None
        registration_hash = registration_struct_hash(signed)
        signer = recover_signer(self._digester.digest_of(registration_hash), signature)
        if signer != bytes.fromhex(holder[2:]):
            raise InvalidSignature(
                f"the Registration is not signed by {holder}",
                expected=holder,
                signer=to_checksum_address(signer),
            )
        return BatchedRegistration(
            asset_id="0x" + asset_id_bytes(holder, signed.content_hash, metadata_hash).hex(),
            holder_id=holder_id,
            holder_address=holder,
            facts=request.facts,
            salt=request.salt,
            metadata_hash=metadata_hash,
            nonce=request.nonce,
            deadline=request.deadline,
            signature="0x" + signature.hex(),
            leaf="0x" + leaf_hash(registration_leaf_preimage(registration_hash, signature)).hex(),
            facts_json=facts_canonical.decode(),
        )
