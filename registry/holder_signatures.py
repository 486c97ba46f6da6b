"""EIP-712 typed signatures by which holders, objectors, pledgees, licensees, data subjects and
registrars act.

The API may relay an act to the chain but can never forge it: the contract checks the same
typed-data signature, with a per-signer nonce and a deadline, in a domain bound to the contract and
the chain. This module builds the typed data, signs it (client side: SDKs, the demo, tests) and
recovers the signer (server side, to refuse a bad signature before spending gas).

``RegistrationAuthorisation`` is the registration; every later act is an :class:`ActAuthorisation`
of one of the primary types in :data:`ACT_TYPES`, exactly as the contracts declare them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, cast

from eth_utils import to_checksum_address

from dataledger.registry.assets import RightClaimed
from dataledger.registry.chain_types import require_address, require_hex32
from dataledger.registry.errors import InvalidSignature, SignatureExpired, ValidationFailed

REGISTRY_DOMAIN_NAME = "DataLedger DataRightsRegistry"
REGISTRY_DOMAIN_VERSION = "2"
LICENCE_DOMAIN_NAME = "DataLedger LicenceRegistry"
LICENCE_DOMAIN_VERSION = "1"
ZERO_HASH = "0x" + "00" * 32

REGISTRATION_TYPES: dict[str, list[dict[str, str]]] = {
    "Registration": [
        {"name": "holder", "type": "address"},
        {"name": "contentHash", "type": "bytes32"},
        {"name": "metadataHash", "type": "bytes32"},
        {"name": "right", "type": "uint8"},
        {"name": "lawfulSourceHash", "type": "bytes32"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}

_NONCE_DEADLINE = (("nonce", "uint256"), ("deadline", "uint256"))
# What a pledge secures, as both parties sign it (``IDataRightsRegistry.PledgeTerms`` without the pledgee).
_PLEDGE_TERMS = (
    ("termsHash", "bytes32"),
    ("securedAmount", "uint256"),
    ("currency", "string"),
    ("maturity", "uint64"),
    ("valuationHash", "bytes32"),
)

#: The acts after registration: primary type -> its fields, as the contracts hash them.
ACT_TYPES: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        # DataRightsRegistry
        "Objection": (
            ("objector", "address"),
            ("assetId", "bytes32"),
            ("reasonHash", "bytes32"),
            ("evidenceHash", "bytes32"),
            *_NONCE_DEADLINE,
        ),
        "Change": (
            ("assetId", "bytes32"),
            ("contentHash", "bytes32"),
            ("metadataHash", "bytes32"),
            *_NONCE_DEADLINE,
        ),
        "Transfer": (("assetId", "bytes32"), ("to", "address"), *_NONCE_DEADLINE),
        "Pledge": (
            ("assetId", "bytes32"),
            ("pledgee", "address"),
            *_PLEDGE_TERMS,
            *_NONCE_DEADLINE,
        ),
        "PledgeAcceptance": (
            ("assetId", "bytes32"),
            ("holder", "address"),
            *_PLEDGE_TERMS,
            *_NONCE_DEADLINE,
        ),
        "PledgeRevaluation": (
            ("assetId", "bytes32"),
            ("pledgee", "address"),
            ("valuationHash", "bytes32"),
            *_NONCE_DEADLINE,
        ),
        "PledgeRelease": (("assetId", "bytes32"), ("pledgee", "address"), *_NONCE_DEADLINE),
        "PledgeEnforcement": (("assetId", "bytes32"), ("pledgee", "address"), *_NONCE_DEADLINE),
        "Cancellation": (("assetId", "bytes32"), *_NONCE_DEADLINE),
        # DataRightsRegistry, signed by a registrar (an institution holding REGISTRAR_ROLE)
        "Review": (
            ("registrar", "address"),
            ("assetId", "bytes32"),
            ("stage", "uint8"),
            ("passed", "bool"),
            ("reasonHash", "bytes32"),
            *_NONCE_DEADLINE,
        ),
        "Rejection": (
            ("registrar", "address"),
            ("assetId", "bytes32"),
            ("reasonHash", "bytes32"),
            *_NONCE_DEADLINE,
        ),
        "ObjectionResolution": (
            ("registrar", "address"),
            ("objectionId", "uint256"),
            ("upheld", "bool"),
            ("resolutionHash", "bytes32"),
            *_NONCE_DEADLINE,
        ),
        "Certificate": (
            ("registrar", "address"),
            ("assetId", "bytes32"),
            ("certificateHash", "bytes32"),
            ("validUntil", "uint64"),
            *_NONCE_DEADLINE,
        ),
        "Renewal": (
            ("registrar", "address"),
            ("assetId", "bytes32"),
            ("certificateHash", "bytes32"),
            ("validUntil", "uint64"),
            *_NONCE_DEADLINE,
        ),
        "Revocation": (
            ("registrar", "address"),
            ("assetId", "bytes32"),
            ("reasonHash", "bytes32"),
            *_NONCE_DEADLINE,
        ),
        "PledgeCertificate": (
            ("registrar", "address"),
            ("assetId", "bytes32"),
            ("pledgee", "address"),
            ("certificateHash", "bytes32"),
            *_NONCE_DEADLINE,
        ),
        # LicenceRegistry
        "Licence": (
            ("assetId", "bytes32"),
            ("licensee", "address"),
            ("assetVersion", "uint32"),
            ("maxUses", "uint32"),
            ("validFrom", "uint64"),
            ("validUntil", "uint64"),
            ("derivativesAllowed", "bool"),
            ("commercial", "bool"),
            ("scopeHash", "bytes32"),
            ("purposeHash", "bytes32"),
            ("territoryHash", "bytes32"),
            ("exclusivity", "uint8"),
            *_NONCE_DEADLINE,
        ),
        "LicenceUse": (("licenceId", "uint256"), ("requestHash", "bytes32"), *_NONCE_DEADLINE),
        "LicenceRevocation": (("licenceId", "uint256"), ("reasonHash", "bytes32"), *_NONCE_DEADLINE),
        "Consent": (
            ("subject", "address"),
            ("enterprise", "address"),
            ("purposeHash", "bytes32"),
            ("validUntil", "uint64"),
            *_NONCE_DEADLINE,
        ),
        "ConsentUse": (("consentId", "uint256"), ("requestHash", "bytes32"), *_NONCE_DEADLINE),
        "ConsentWithdrawal": (("consentId", "uint256"), *_NONCE_DEADLINE),
        # DataTrades (the market's orders and trades; its own EIP-712 domain)
        "TradeOrder": (
            ("listingId", "bytes32"),
            ("buyer", "address"),
            ("amount", "uint256"),
            ("currency", "string"),
            ("termsHash", "bytes32"),
            *_NONCE_DEADLINE,
        ),
        "TradeAcceptance": (
            ("orderId", "bytes32"),
            ("accepter", "address"),
            ("amount", "uint256"),
            *_NONCE_DEADLINE,
        ),
        "TradeMandate": (
            ("holder", "address"),
            ("agent", "address"),
            ("listingId", "bytes32"),
            ("validUntil", "uint64"),
            *_NONCE_DEADLINE,
        ),
        "TradeMandateRevocation": (
            ("holder", "address"),
            ("agent", "address"),
            ("listingId", "bytes32"),
            *_NONCE_DEADLINE,
        ),
        # DataVouchers (data vouchers: an authority's programmes and issues, enterprises' redemptions)
        "VoucherProgramme": (
            ("authority", "address"),
            ("programmeId", "bytes32"),
            ("currency", "string"),
            ("budget", "uint256"),
            ("shareCapBps", "uint16"),
            ("enterpriseCap", "uint256"),
            ("periodSeconds", "uint64"),
            *_NONCE_DEADLINE,
        ),
        "VoucherIssue": (
            ("authority", "address"),
            ("programmeId", "bytes32"),
            ("enterprise", "address"),
            ("amount", "uint256"),
            *_NONCE_DEADLINE,
        ),
        "VoucherRedemption": (
            ("enterprise", "address"),
            ("programmeId", "bytes32"),
            ("purpose", "uint8"),
            ("referenceId", "bytes32"),
            ("baseAmount", "uint256"),
            ("value", "uint256"),
            *_NONCE_DEADLINE,
        ),
        # a registrar's record of the registration fee it charged (DataVouchers' domain and nonces)
        "RegistrationFee": (
            ("registrar", "address"),
            ("assetId", "bytes32"),
            ("payer", "address"),
            ("amount", "uint256"),
            ("currency", "string"),
            *_NONCE_DEADLINE,
        ),
        # Signed statements checked off chain (never sent to a contract, so without nonce).
        "ListingConsent": (("assetId", "bytes32"), ("pledgee", "address"), ("lister", "address")),
        "ConsentListing": (("subject", "address"), ("issuedAt", "uint256")),
    }
)

#: The acts a registrar signs (each names its ``registrar``, the signer the contract checks for the role).
REGISTRAR_ACT_TYPES = frozenset(
    {
        "Review",
        "Rejection",
        "ObjectionResolution",
        "Certificate",
        "Renewal",
        "Revocation",
        "PledgeCertificate",
    }
)

#: The acts the licence registry checks (its own EIP-712 domain: :data:`LICENCE_DOMAIN_NAME`).
LICENCE_REGISTRY_ACT_TYPES = frozenset(
    {"Licence", "LicenceUse", "LicenceRevocation", "Consent", "ConsentUse", "ConsentWithdrawal"}
)

_EIP712_DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


@dataclass(frozen=True, slots=True)
class Eip712Domain:
    """The EIP-712 domain of one deployed contract on one chain (the registry's unless named)."""

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


def licence_domain(chain_id: int, verifying_contract: str) -> Eip712Domain:
    """The domain of a ``LicenceRegistry``."""
    return Eip712Domain(chain_id, verifying_contract, LICENCE_DOMAIN_NAME, LICENCE_DOMAIN_VERSION)


@dataclass(frozen=True, slots=True)
class RegistrationAuthorisation:
    """What a holder signs to deposit evidence of an asset and apply for its registration.

    ``lawful_source_hash`` commits to the statement of how the data was lawfully obtained; zero means
    the statement is only within the committed facts.
    """

    holder: str
    content_hash: str
    metadata_hash: str
    nonce: int
    deadline: int
    right: RightClaimed = RightClaimed.RESOURCE_HOLDING
    lawful_source_hash: str = ZERO_HASH

    def __post_init__(self) -> None:
        object.__setattr__(self, "holder", to_checksum_address(require_address(self.holder, "holder")))
        object.__setattr__(self, "content_hash", require_hex32(self.content_hash, "content_hash"))
        object.__setattr__(self, "metadata_hash", require_hex32(self.metadata_hash, "metadata_hash"))
        object.__setattr__(
            self, "lawful_source_hash", require_hex32(self.lawful_source_hash, "lawful_source_hash")
        )
        object.__setattr__(self, "right", RightClaimed(self.right))
        if self.nonce < 0 or self.deadline < 0:
            raise InvalidSignature("nonce and deadline must be non-negative")

    @property
    def signer(self) -> str:
        return self.holder

    @property
    def right_index(self) -> int:
        return list(RightClaimed).index(self.right)

    def typed_data(self, domain: Eip712Domain) -> dict[str, Any]:
        """The full EIP-712 message, as ``eth_signTypedData_v4`` and wallets take it."""
        return {
            "types": {"EIP712Domain": _EIP712_DOMAIN_TYPE, **REGISTRATION_TYPES},
            "primaryType": "Registration",
            "domain": domain.as_json(),
            "message": {
                "holder": self.holder,
                "contentHash": self.content_hash,
                "metadataHash": self.metadata_hash,
                "right": self.right_index,
                "lawfulSourceHash": self.lawful_source_hash,
                "nonce": self.nonce,
                "deadline": self.deadline,
            },
        }


def _normalise(kind: str, value: Any, name: str) -> Any:
    if kind == "address":
        return to_checksum_address(require_address(value, name))
    if kind == "bytes32":
        return require_hex32(value, name)
    if kind == "string":  # short codes only (a currency): a wallet shows them as they are
        if not isinstance(value, str) or len(value) > 64:
            raise ValidationFailed(f"{name} must be a string of at most 64 characters", field=name)
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValidationFailed(f"{name} must be true or false", field=name)
        return value
    bits = int(kind.removeprefix("uint"))
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**bits:
        raise ValidationFailed(f"{name} must be an unsigned {bits}-bit integer", field=name)
    return value


@dataclass(frozen=True, slots=True)
class ActAuthorisation:
    """An act of ``signer`` of type ``primary_type`` (see :data:`ACT_TYPES`), valid by construction."""

    primary_type: str
    signer: str
    message: Mapping[str, Any]

    def __post_init__(self) -> None:
        fields = ACT_TYPES.get(self.primary_type)
        if fields is None:
            raise ValidationFailed(f"unknown act {self.primary_type!r}", field="primaryType")
        names = [name for name, _ in fields]
        if set(self.message) != set(names):
            raise ValidationFailed(f"a {self.primary_type} carries exactly {names}", field="message")
        normalised = {name: _normalise(kind, self.message[name], name) for name, kind in fields}
        object.__setattr__(self, "message", MappingProxyType(normalised))
        object.__setattr__(self, "signer", to_checksum_address(require_address(self.signer, "signer")))

    @property
    def nonce(self) -> int:
        return int(self.message["nonce"])

    @property
    def deadline(self) -> int | None:
        deadline = self.message.get("deadline")
        return None if deadline is None else int(deadline)

    def typed_data(self, domain: Eip712Domain) -> dict[str, Any]:
        """The full EIP-712 message, as ``eth_signTypedData_v4`` and wallets take it."""
        fields = ACT_TYPES[self.primary_type]
        return {
            "types": {
                "EIP712Domain": _EIP712_DOMAIN_TYPE,
                self.primary_type: [{"name": name, "type": kind} for name, kind in fields],
            },
            "primaryType": self.primary_type,
            "domain": domain.as_json(),
            "message": dict(self.message),
        }


def act_authorisation(primary_type: str, signer: str, **message: Any) -> ActAuthorisation:
    """Build an :class:`ActAuthorisation` from keyword fields (``assetId=..., nonce=..., deadline=...``)."""
    return ActAuthorisation(primary_type, signer, message)


def sign_typed_data(private_key: bytes | str, typed_data: dict[str, Any]) -> str:
    """Sign a full EIP-712 message with a secp256k1 key, as a wallet does; 65-byte signature as 0x-hex."""
    from eth_account import Account  # loaded on first use: 0.4 s a process that signs nothing saves
    from eth_account.messages import encode_typed_data

    signed = Account.sign_message(encode_typed_data(full_message=typed_data), private_key)
    return "0x" + cast(str, signed.signature.hex().removeprefix("0x"))


def recover_typed_data_signer(typed_data: dict[str, Any], signature: str) -> str:
    """The address that signed ``typed_data``; raises InvalidSignature if the signature is malformed."""
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    try:
        raw = bytes.fromhex(signature.removeprefix("0x"))
        if len(raw) != 65:
            raise ValueError("signature must be 65 bytes")
        return cast(str, Account.recover_message(encode_typed_data(full_message=typed_data), signature=raw))
    except Exception as exc:  # eth_account raises several unrelated types for malformed signatures
        raise InvalidSignature(f"malformed signature: {exc}") from None


def sign_registration(private_key: bytes | str, auth: RegistrationAuthorisation, domain: Eip712Domain) -> str:
    """Sign ``auth`` with the holder's secp256k1 key; returns the 65-byte signature as 0x-hex."""
    return sign_typed_data(private_key, auth.typed_data(domain))


def sign_act(private_key: bytes | str, auth: ActAuthorisation, domain: Eip712Domain) -> str:
    """Sign the act ``auth`` with the signer's key; returns the 65-byte signature as 0x-hex."""
    return sign_typed_data(private_key, auth.typed_data(domain))


def recover_registration_signer(auth: RegistrationAuthorisation, domain: Eip712Domain, signature: str) -> str:
    """The address that signed ``auth``; raises InvalidSignature if the signature is malformed."""
    return recover_typed_data_signer(auth.typed_data(domain), signature)


def require_holder_signature(
    auth: RegistrationAuthorisation | ActAuthorisation, domain: Eip712Domain, signature: str, *, now: int
) -> None:
    """Check off chain what the contract will check on chain, to refuse early and spend no gas."""
    deadline = auth.deadline
    if deadline is not None and now > deadline:
        raise SignatureExpired("the signature's deadline has passed", deadline=deadline, now=now)
    signer = recover_typed_data_signer(auth.typed_data(domain), signature)
    if signer != auth.signer:
        raise InvalidSignature(
            f"the {auth.typed_data(domain)['primaryType']} is not signed by {auth.signer}",
            expected=auth.signer,
            signer=signer,
        )


# The name the API and the demo have used since the first release.
sign_registration_typed_data = sign_typed_data


def prepared_act(auth: ActAuthorisation, domain: Eip712Domain, **extra: Any) -> dict[str, Any]:
    """What the API hands out for a signer to sign: the ``typedData``, its nonce and deadline, and
    whatever else the submission must repeat (a salt, the hashes of texts)."""
    return {"typedData": auth.typed_data(domain), "nonce": auth.nonce, "deadline": auth.deadline, **extra}
