"""The registrar's P-256 signing key and its public half, named as ``did:key`` Multikeys.

Signing uses the pure-Python ``ecdsa`` package with deterministic nonces (RFC 6979, SHA-256), so the same
key and message always give the same 64-byte ``r || s`` signature (IEEE P1363), as the
``ecdsa-jcs-2019`` cryptosuite asks. Verification goes through OpenSSL (``cryptography``) when it is
installed, for speed, and falls back to ``ecdsa``; both paths are kept and tested to agree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

import ecdsa
from ecdsa.util import sigdecode_string, sigencode_string

from dataledger.registry.errors import ValidationFailed
from dataledger.registry.multibase import P256_PRIV, P256_PUB, multikey_decode, multikey_encode

try:  # OpenSSL is optional: the ecdsa package is the reference implementation.
    from cryptography.exceptions import InvalidSignature as _OpenSSLInvalidSignature
    from cryptography.hazmat.primitives import hashes as _hashes
    from cryptography.hazmat.primitives.asymmetric import ec as _ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    OPENSSL_AVAILABLE = True
    _ECDSA_SHA256 = _ec.ECDSA(_hashes.SHA256())
except ImportError:  # pragma: no cover - cryptography is a declared dependency
    OPENSSL_AVAILABLE = False

DID_KEY_PREFIX = "did:key:"
SIGNATURE_LENGTH = 64
_CURVE = ecdsa.NIST256p
_ORDER = _CURVE.order


@lru_cache(maxsize=256)
def _ecdsa_verifying_key(compressed: bytes) -> ecdsa.VerifyingKey:
    return ecdsa.VerifyingKey.from_string(compressed, curve=_CURVE, hashfunc=hashlib.sha256)


@lru_cache(maxsize=256)
def _multikey_of(compressed: bytes) -> str:
    # A verifier compares the proof's verification method with the trusted key's on every
    # certificate: encode each key's base58 name once.
    return multikey_encode(P256_PUB, compressed)


@lru_cache(maxsize=256)
def _openssl_public_key(compressed: bytes) -> Any:
    return _ec.EllipticCurvePublicKey.from_encoded_point(_ec.SECP256R1(), compressed)


@dataclass(frozen=True, slots=True)
class RegistrarPublicKey:
    """A registrar's P-256 public key (compressed SEC1 point), valid by construction."""

    compressed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.compressed, bytes) or len(self.compressed) != 33:
            raise ValidationFailed("a P-256 public key is a 33-byte compressed point")
        try:
            _ecdsa_verifying_key(self.compressed)
        except (ecdsa.MalformedPointError, ValueError, AssertionError):
            raise ValidationFailed("not a point on P-256") from None

    def __repr__(self) -> str:
        return f"RegistrarPublicKey({self.did})"

    # -- construction ------------------------------------------------------------------------------
    @classmethod
    def from_multikey(cls, multikey: str) -> RegistrarPublicKey:
        """From a ``publicKeyMultibase`` value (``zDn...``)."""
        return _public_key_from_multikey(multikey)

    @classmethod
    def from_did(cls, did: str) -> RegistrarPublicKey:
        """From ``did:key:zDn...`` or a verification method id ``did:key:zDn...#zDn...``."""
        if not isinstance(did, str) or not did.startswith(DID_KEY_PREFIX):
            raise ValidationFailed("not a did:key identifier")
        method_specific, _, fragment = did[len(DID_KEY_PREFIX) :].partition("#")
        if fragment and fragment != method_specific:
            raise ValidationFailed("the did:key fragment must repeat the key")
        return _public_key_from_multikey(method_specific)

    @classmethod
    def from_pem(cls, pem: str | bytes) -> RegistrarPublicKey:
        """From a PEM ``PUBLIC KEY`` (SubjectPublicKeyInfo) on P-256."""
        try:
            vk = ecdsa.VerifyingKey.from_pem(pem)
        except Exception:  # ecdsa raises a zoo of DER/PEM errors
            raise ValidationFailed("not a PEM P-256 public key") from None
        if vk.curve != _CURVE:
            raise ValidationFailed("the key is not on P-256")
        return cls(vk.to_string("compressed"))

    # -- names -------------------------------------------------------------------------------------
    @property
    def multikey(self) -> str:
        return _multikey_of(self.compressed)

    @property
    def did(self) -> str:
        return DID_KEY_PREFIX + self.multikey

    @property
    def verification_method_id(self) -> str:
        return f"{self.did}#{self.multikey}"

    def to_pem(self) -> str:
        return cast(str, _ecdsa_verifying_key(self.compressed).to_pem().decode("ascii"))

    # -- verification ------------------------------------------------------------------------------
    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (64-byte r||s) signs SHA-256(``message``); OpenSSL when available."""
        if OPENSSL_AVAILABLE:
            return self.verify_with_openssl(message, signature)
        return self.verify_with_ecdsa(message, signature)  # pragma: no cover

    def verify_with_ecdsa(self, message: bytes, signature: bytes) -> bool:
        """Reference path: the pure-Python ``ecdsa`` package."""
        if not _is_p1363(signature):
            return False
        try:
            return cast(
                bool,
                _ecdsa_verifying_key(self.compressed).verify(
                    signature, message, hashfunc=hashlib.sha256, sigdecode=sigdecode_string
                ),
            )
        except ecdsa.BadSignatureError:
            return False

    def verify_with_openssl(self, message: bytes, signature: bytes) -> bool:
        """Fast path: OpenSSL through ``cryptography`` (r||s converted to DER)."""
        if not OPENSSL_AVAILABLE:  # pragma: no cover
            raise RuntimeError("the cryptography package is not installed")
        scalars = _p1363_scalars(signature)
        if scalars is None:
            return False
        try:
            _openssl_public_key(self.compressed).verify(
                encode_dss_signature(*scalars), message, _ECDSA_SHA256
            )
        except _OpenSSLInvalidSignature:
            return False
        return True


def _is_p1363(signature: bytes) -> bool:
    """A 64-byte r||s with 0 < r, s < n: anything else is refused before either backend sees it."""
    return _p1363_scalars(signature) is not None


def _p1363_scalars(signature: bytes) -> tuple[int, int] | None:
    """(r, s) of a 64-byte r||s signature with 0 < r, s < n; None for anything else."""
    if not isinstance(signature, bytes | bytearray) or len(signature) != SIGNATURE_LENGTH:
        return None
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    return (r, s) if 0 < r < _ORDER and 0 < s < _ORDER else None


@lru_cache(maxsize=256)
def _public_key_from_multikey(multikey: str) -> RegistrarPublicKey:
    codec, key_bytes = multikey_decode(multikey)
    if codec != P256_PUB:
        raise ValidationFailed("the Multikey is not a P-256 public key (multicodec 0x1200)")
    return RegistrarPublicKey(key_bytes)


@dataclass(frozen=True, slots=True, eq=False)
class RegistrarKey:
    """The registrar's private P-256 key. Never printed; compare keys by their public half."""

    signing_key: ecdsa.SigningKey

    def __post_init__(self) -> None:
        if not isinstance(self.signing_key, ecdsa.SigningKey) or self.signing_key.curve != _CURVE:
            raise ValidationFailed("a registrar key is an ecdsa.SigningKey on NIST P-256")

    def __repr__(self) -> str:
        return f"RegistrarKey({self.did})"

    @classmethod
    def generate(cls) -> RegistrarKey:
        return cls(ecdsa.SigningKey.generate(curve=_CURVE, hashfunc=hashlib.sha256))

    @classmethod
    def from_secret_bytes(cls, secret: bytes) -> RegistrarKey:
        """From the 32-byte big-endian private scalar."""
        if len(secret) != 32:
            raise ValidationFailed("a P-256 private key is 32 bytes")
        try:
            return cls(ecdsa.SigningKey.from_string(secret, curve=_CURVE, hashfunc=hashlib.sha256))
        except ecdsa.MalformedPointError:
            raise ValidationFailed("not a valid P-256 private key") from None

    @classmethod
    def from_secret_multikey(cls, multikey: str) -> RegistrarKey:
        """From a ``secretKeyMultibase`` value (multicodec p256-priv 0x1306)."""
        codec, secret = multikey_decode(multikey)
        if codec != P256_PRIV:
            raise ValidationFailed("the Multikey is not a P-256 private key (multicodec 0x1306)")
        return cls.from_secret_bytes(secret)

    @classmethod
    def from_pem(cls, pem: str | bytes) -> RegistrarKey:
        """From a PEM private key (SEC1 ``EC PRIVATE KEY`` or PKCS#8) on P-256."""
        try:
            key = ecdsa.SigningKey.from_pem(pem, hashfunc=hashlib.sha256)
        except Exception:  # ecdsa raises a zoo of DER/PEM errors
            raise ValidationFailed("not a PEM P-256 private key") from None
        return cls(key)

    def to_pem(self) -> str:
        """PKCS#8 PEM of the private key (keep it secret)."""
        return cast(str, self.signing_key.to_pem(format="pkcs8").decode("ascii"))

    def to_secret_multikey(self) -> str:
        return multikey_encode(P256_PRIV, self.signing_key.to_string())

    @property
    def public_key(self) -> RegistrarPublicKey:
        return RegistrarPublicKey(self.signing_key.get_verifying_key().to_string("compressed"))

    @property
    def did(self) -> str:
        return self.public_key.did

    @property
    def verification_method_id(self) -> str:
        return self.public_key.verification_method_id

    def sign(self, message: bytes) -> bytes:
        """ECDSA P-256 over SHA-256(``message``), deterministic (RFC 6979); 64 bytes r||s."""
        return cast(
            bytes,
            self.signing_key.sign_deterministic(message, hashfunc=hashlib.sha256, sigencode=sigencode_string),
        )
