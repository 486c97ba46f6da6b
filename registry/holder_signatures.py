"""EIP-712 typed signatures by which holders authorise acts on their assets.

The API may relay a holder's act to the chain but can never forge it: the contract checks the same
typed-data signature. This module builds the typed data, signs it (client side: SDKs, the demo,
tests) and recovers the signer (server side, to refuse a bad signature before spending gas).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import to_checksum_address

from registry.chain_types import require_address, require_hex32
from registry.errors import InvalidSignature, SignatureExpired

REGISTRY_DOMAIN_NAME = "DataLedger DataRightsRegistry"
REGISTRY_DOMAIN_VERSION = "1"

REGISTRATION_TYPES: dict[str, list[dict[str, str]]] = {
    "Registration": [
        {"name": "holder", "type": "address"},
        {"name": "contentHash", "type": "bytes32"},
        {"name": "metadataHash", "type": "bytes32"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}


@dataclass(frozen=True, slots=True)
class Eip712Domain:
    """The EIP-712 domain of one deployed registry contract on one chain."""

    chain_id: int
    verifying_contract: str
    name: str = REGISTRY_DOMAIN_NAME
    version: str = REGISTRY_DOMAIN_VERSION

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": to_checksum_address(self.verifying_contract),
        }


@dataclass(frozen=True, slots=True)
class RegistrationAuthorisation:
    """What a holder signs to register an asset: the commitments, a nonce and a deadline."""

    holder: str
    content_hash: str
    metadata_hash: str
    nonce: int
    deadline: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "holder", to_checksum_address(require_address(self.holder, "holder")))
        object.__setattr__(self, "content_hash", require_hex32(self.content_hash, "content_hash"))
        object.__setattr__(self, "metadata_hash", require_hex32(self.metadata_hash, "metadata_hash"))
        if self.nonce < 0 or self.deadline < 0:
            raise InvalidSignature("nonce and deadline must be non-negative")

    def typed_data(self, domain: Eip712Domain) -> dict[str, Any]:
        """The full EIP-712 message, as ``eth_signTypedData_v4`` and wallets take it."""
        return {
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                **REGISTRATION_TYPES,
            },
            "primaryType": "Registration",
            "domain": domain.as_json(),
            "message": {
                "holder": self.holder,
                "contentHash": self.content_hash,
                "metadataHash": self.metadata_hash,
                "nonce": self.nonce,
                "deadline": self.deadline,
            },
        }


def sign_registration(private_key: bytes | str, auth: RegistrationAuthorisation, domain: Eip712Domain) -> str:
    """Sign ``auth`` with the holder's secp256k1 key; returns the 65-byte signature as 0x-hex."""
    signed = Account.sign_message(encode_typed_data(full_message=auth.typed_data(domain)), private_key)
    return "0x" + signed.signature.hex().removeprefix("0x")


def recover_registration_signer(auth: RegistrationAuthorisation, domain: Eip712Domain, signature: str) -> str:
    """The address that signed ``auth``; raises InvalidSignature if the signature is malformed."""
    try:
        raw = bytes.fromhex(signature.removeprefix("0x"))
        if len(raw) != 65:
            raise ValueError("signature must be 65 bytes")
        return Account.recover_message(encode_typed_data(full_message=auth.typed_data(domain)), signature=raw)
    except Exception as exc:  # eth_account raises several unrelated types for malformed signatures
        raise InvalidSignature(f"malformed signature: {exc}") from None


def require_holder_signature(
    auth: RegistrationAuthorisation, domain: Eip712Domain, signature: str, *, now: int
) -> None:
    """Check off chain what the contract will check on chain, to refuse early and spend no gas."""
    if now > auth.deadline:
        raise SignatureExpired("the holder's signature deadline has passed", deadline=auth.deadline, now=now)
    signer = recover_registration_signer(auth, domain, signature)
    if signer != auth.holder:
        raise InvalidSignature(
            "the registration is not signed by the holder", holder=auth.holder, signer=signer
        )


def sign_registration_typed_data(private_key: bytes | str, typed_data: dict[str, Any]) -> str:
    """Sign a full EIP-712 message as the API hands it out (``typedData``): what a wallet does."""
    signed = Account.sign_message(encode_typed_data(full_message=typed_data), private_key)
    return "0x" + signed.signature.hex().removeprefix("0x")
