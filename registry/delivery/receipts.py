"""Delivery receipts: what the gateway signs each time it delivers, anchored in Merkle batches.

A receipt names the use it redeemed, the licence, the asset, the consumer, the time of delivery and
the SHA-256 of what was delivered (the object as a whole: a resumed download is one delivery); a
delivery against a data subject's consent also names the consent (``consentId``). Its
canonical bytes are RFC 8785 JSON; the gateway signs them with its Ed25519 key; the receipt's leaf
in the anchoring outbox (kind :data:`RECEIPT_KIND`) is the double keccak of those bytes, so anyone
holding the receipt, its proof and the anchor transaction can check it against the chain.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from dataledger.registry.canonical_fast import canonical_json_fast
from dataledger.registry.errors import VerificationFailed
from dataledger.registry.merkle import leaf_hash

RECEIPT_KIND = "delivery-receipt"
RECEIPT_TYPE = "DeliveryReceipt"


@dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    """What was delivered against which use, to whom and when."""

    use_id: str
    source: str  # batched | chain | consent
    licence_id: int
    asset_id: str
    consumer: str
    delivered_at: int  # unix seconds
    content_hash: str  # 0x-hex SHA-256 of the object delivered
    size: int
    deposit_kind: str  # file | api
    consent_id: int | None = None  # consent deliveries: the consent consumed

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": RECEIPT_TYPE,
            "useId": self.use_id,
            "source": self.source,
            "licenceId": self.licence_id,
            "assetId": self.asset_id,
            "consumer": self.consumer.lower(),
            "deliveredAt": self.delivered_at,
            "contentHash": self.content_hash,
            "size": self.size,
            "depositKind": self.deposit_kind,
        }
        if self.consent_id is not None:  # absent otherwise: a licence use's receipt keeps its bytes
            body["consentId"] = self.consent_id
        return body

    def canonical(self) -> bytes:
        return canonical_json_fast(self.payload())

    @property
    def leaf(self) -> bytes:
        return leaf_hash(self.canonical())

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> DeliveryReceipt:
        return cls(
            use_id=payload["useId"],
            source=payload["source"],
            licence_id=int(payload["licenceId"]),
            asset_id=payload["assetId"],
            consumer=payload["consumer"],
            delivered_at=int(payload["deliveredAt"]),
            content_hash=payload["contentHash"],
            size=int(payload["size"]),
            deposit_kind=payload["depositKind"],
            consent_id=None if payload.get("consentId") is None else int(payload["consentId"]),
        )


@dataclass(frozen=True, slots=True)
class GatewayKey:
    """The gateway's Ed25519 key: it signs every receipt."""

    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> str:
        """The raw public key, base64url without padding (what a verifier configures)."""
        raw = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return _b64(raw)

    def sign(self, receipt: DeliveryReceipt) -> str:
        return _b64(self.private_key.sign(receipt.canonical()))


def verify_receipt(receipt: DeliveryReceipt, signature: str, public_key: str) -> None:
    """Raise VerificationFailed unless ``signature`` is the gateway's over ``receipt``."""
    try:
        key = Ed25519PublicKey.from_public_bytes(_unb64(public_key))
        key.verify(_unb64(signature), receipt.canonical())
    except (CryptoInvalidSignature, ValueError) as exc:
        raise VerificationFailed(
            f"the receipt's signature does not verify ({exc or 'bad signature'})", check="receipt-signature"
        ) from None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
