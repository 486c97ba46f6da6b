"""Uses of a licence as the gateway redeems them: signed off chain (batched) or consumed on chain.

A batched use is an EIP-712 ``DeliveryUse`` the licensee signs where its key is, in the licence
registry's domain; it names the licence, the consumer, the request (by hash), a random nonce of its own
and a deadline. Its EIP-712 digest is the use's id: the gateway stores it under a unique key, so a
replayed signature gets nothing. It is never sent to a contract (the licence registry's own
``LicenceUse`` carries an on-chain nonce; this type has none), so it cannot also be consumed on chain.

Each redeemed batched use becomes a Merkle leaf (:func:`use_leaf`); the gateway records the uses of a
licence in batches with ``LicenceRegistry.recordUses(licenceId, count, root)``, so each use is provable
against that transaction with its inclusion proof.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from eth_utils import to_checksum_address

from dataledger.registry.chain_types import require_address, require_hex32
from dataledger.registry.errors import InvalidSignature, SignatureExpired, ValidationFailed
from dataledger.registry.fast_holder_signatures import (
    address_word,
    domain_separator,
    hex32_bytes,
    recover_signer,
    word,
)
from dataledger.registry.holder_signatures import Eip712Domain
from dataledger.registry.keccak import keccak256
from dataledger.registry.merkle import leaf_hash

DELIVERY_USE_TYPE = "DeliveryUse"
DELIVERY_USE_FIELDS: tuple[tuple[str, str], ...] = (
    ("licenceId", "uint256"),
    ("consumer", "address"),
    ("requestHash", "bytes32"),
    ("useNonce", "bytes32"),
    ("deadline", "uint256"),
)
_TYPEHASH = keccak256(
    (
        DELIVERY_USE_TYPE + "(" + ",".join(f"{kind} {name}" for name, kind in DELIVERY_USE_FIELDS) + ")"
    ).encode()
)
_EIP712_DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def new_use_nonce() -> str:
    """A fresh random 32-byte nonce: what makes each signed use unique."""
    return "0x" + secrets.token_bytes(32).hex()


@dataclass(frozen=True, slots=True)
class DeliveryUse:
    """One use of licence ``licence_id`` by ``consumer`` for the request ``request_hash``, signable
    until ``deadline`` (the chain's time, as the gateway judges it)."""

    licence_id: int
    consumer: str
    request_hash: str
    use_nonce: str
    deadline: int

    def __post_init__(self) -> None:
        if not 0 < self.licence_id < 2**256:
            raise ValidationFailed("licenceId must be a positive integer", field="licenceId")
        if not 0 <= self.deadline < 2**64:
            raise ValidationFailed("deadline must be a unix time", field="deadline")
        object.__setattr__(self, "consumer", require_address(self.consumer, "consumer"))
        object.__setattr__(self, "request_hash", require_hex32(self.request_hash, "requestHash"))
        object.__setattr__(self, "use_nonce", require_hex32(self.use_nonce, "useNonce"))
        if int(self.request_hash, 16) == 0 or int(self.use_nonce, 16) == 0:
            raise ValidationFailed("requestHash and useNonce must not be zero", field="useNonce")

    def message(self) -> dict[str, Any]:
        return {
            "licenceId": self.licence_id,
            "consumer": to_checksum_address(self.consumer),
            "requestHash": self.request_hash,
            "useNonce": self.use_nonce,
            "deadline": self.deadline,
        }

    def typed_data(self, domain: Eip712Domain) -> dict[str, Any]:
        """The full EIP-712 message, as ``eth_signTypedData_v4`` and wallets take it."""
        return {
            "types": {
                "EIP712Domain": _EIP712_DOMAIN_TYPE,
                DELIVERY_USE_TYPE: [{"name": name, "type": kind} for name, kind in DELIVERY_USE_FIELDS],
            },
            "primaryType": DELIVERY_USE_TYPE,
            "domain": domain.as_json(),
            "message": self.message(),
        }

    def struct_hash(self) -> bytes:
        return keccak256(
            _TYPEHASH
            + word(self.licence_id)
            + address_word(self.consumer)
            + hex32_bytes(self.request_hash)
            + hex32_bytes(self.use_nonce)
            + word(self.deadline)
        )

    def digest(self, domain: Eip712Domain) -> bytes:
        """``keccak256(0x1901 || domainSeparator || hashStruct(DeliveryUse))``: what the key signs."""
        return keccak256(b"\x19\x01" + _separator(domain) + self.struct_hash())

    def use_id(self, domain: Eip712Domain) -> str:
        """The use's id at the gateway: its EIP-712 digest, as 0x-hex."""
        return "0x" + self.digest(domain).hex()


_SEPARATORS: dict[Eip712Domain, bytes] = {}


def _separator(domain: Eip712Domain) -> bytes:
    separator = _SEPARATORS.get(domain)
    if separator is None:
        separator = _SEPARATORS[domain] = domain_separator(domain)
    return separator


def require_use_signature(use: DeliveryUse, domain: Eip712Domain, signature: str, *, now: int) -> str:
    """Check that the consumer signed ``use`` before its deadline; returns the use id.

    As strict as OpenZeppelin's ``ECDSA.recover`` (65 bytes, v 27 or 28, low s), at about 60 µs.
    """
    if now > use.deadline:
        raise SignatureExpired("the use's deadline has passed", deadline=use.deadline, now=now)
    try:
        raw = bytes.fromhex(signature.removeprefix("0x"))
    except ValueError:
        raise InvalidSignature("malformed signature: not hex") from None
    digest = use.digest(domain)
    signer = recover_signer(digest, raw)
    if signer != bytes.fromhex(use.consumer[2:]):
        raise InvalidSignature(
            f"the DeliveryUse is not signed by {use.consumer}",
            expected=use.consumer,
            signer=to_checksum_address(signer),
        )
    return "0x" + digest.hex()


def use_leaf(licence_id: int, consumer: str, use_id: str) -> bytes:
    """The Merkle leaf of a batched use: ``keccak256(keccak256(abi.encode(licenceId, consumer, useId)))``,
    as a contract would rebuild it. The use's number on chain is its place in the batch: the batch's
    ``firstUse`` plus the leaf's index."""
    return leaf_hash(word(licence_id) + address_word(consumer.lower()) + hex32_bytes(use_id))
