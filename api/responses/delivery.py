"""Response shapes of the delivery gateway: deposits, the DeliveryUse to sign, redeemed uses with
their proof against the chain, and signed delivery receipts with their anchoring proof."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from dataledger.api.responses.common import (
    ADDRESS_EXAMPLE,
    ASSET_ID_EXAMPLE,
    TX_HASH_EXAMPLE,
    ChainAddress,
    HexHash,
    Page,
    TypedData,
    Wire,
    example,
)
from dataledger.api.responses.licences import LICENSEE_EXAMPLE, REQUEST_HASH_EXAMPLE, licence_typed_data
from dataledger.registry.delivery.uses import DELIVERY_USE_FIELDS, DELIVERY_USE_TYPE

USE_ID_EXAMPLE = "0x" + "5d" * 32
CONTENT_HASH_EXAMPLE = "0x" + "c4" * 32
ROOT_EXAMPLE = "0x" + "e7" * 32

DEPOSIT_EXAMPLE: dict[str, Any] = {
    "depositId": "0b8f3c52-7a61-4d2e-9f4b-2c1a5e6d7f80",
    "assetId": ASSET_ID_EXAMPLE,
    "kind": "file",
    "holder": ADDRESS_EXAMPLE,
    "createdAt": 1772448067,
    "contentHash": CONTENT_HASH_EXAMPLE,
    "size": 1048576,
    "mediaType": "text/csv",
    "derivative": False,
    "personalData": False,
}


class Deposit(Wire):
    """What the holder deposited for delivery: a file kept by its hash, or its API's base URL."""

    model_config = example(DEPOSIT_EXAMPLE)

    deposit_id: str
    asset_id: HexHash
    kind: Literal["file", "api"]
    holder: ChainAddress
    created_at: int = Field(description="Unix time (chain time)")
    content_hash: HexHash | None = Field(description="A file's SHA-256, as checked on the way in")
    size: int | None = Field(description="A file's size in bytes")
    media_type: str
    derivative: bool = Field(description="The file is a declared derivative, not the registered content")
    personal_data: bool = Field(
        default=False,
        description="An API serving data subjects' records: delivered only against a consumed consent",
    )
    base_url: str | None = Field(default=None, description="An API deposit's base URL")


class DepositList(Wire):
    model_config = example({"items": [DEPOSIT_EXAMPLE]})

    items: list[Deposit] = Field(description="Newest first: the first is the one delivered")


USE_MESSAGE_EXAMPLE: dict[str, Any] = {
    "licenceId": 12,
    "consumer": LICENSEE_EXAMPLE,
    "requestHash": REQUEST_HASH_EXAMPLE,
    "useNonce": "0x" + "6a" * 32,
    "deadline": 1772448667,
}


class PreparedDeliveryUse(Wire):
    """The ``DeliveryUse`` the licensee signs (never sent to a contract), and its id once signed."""

    model_config = example(
        {
            "typedData": licence_typed_data(
                DELIVERY_USE_TYPE, list(DELIVERY_USE_FIELDS), USE_MESSAGE_EXAMPLE
            ),
            "use": USE_MESSAGE_EXAMPLE,
            "useId": USE_ID_EXAMPLE,
        }
    )

    typed_data: TypedData
    use: dict[str, Any] = Field(description="The message to send back with the signature")
    use_id: HexHash = Field(description="The use's id: its EIP-712 digest")


ON_CHAIN_EXAMPLE: dict[str, Any] = {
    "status": "recorded",
    "leaf": "0x" + "1f" * 32,
    "root": ROOT_EXAMPLE,
    "leafIndex": 3,
    "leafCount": 250,
    "proof": ["0x" + "2e" * 32],
    "useNumber": 4,
    "chainEvidence": {
        "chainId": 31337,
        "contract": "0x" + "1d" * 20,
        "txHash": TX_HASH_EXAMPLE,
        "blockNumber": 77,
        "logIndex": 0,
    },
}


class UseOnChain(Wire):
    """Where a use stands on chain: a chain use's transaction; a batched use's leaf, its batch's root
    and the inclusion proof, and (once ``recorded``) the ``recordUses`` transaction."""

    model_config = example(ON_CHAIN_EXAMPLE)

    status: Literal["pending", "sealed", "recorded", "refused"]
    leaf: HexHash | None = None
    root: HexHash | None = None
    leaf_index: int | None = None
    leaf_count: int | None = None
    proof: list[HexHash] | None = None
    use_number: int | None = Field(default=None, description="The use's number on chain")
    chain_evidence: dict[str, Any] | None = None
    tx_hash: HexHash | None = None
    log_index: int | None = None
    refusal: str | None = Field(default=None, description="Why the contract refused the batch")


REDEEMED_EXAMPLE: dict[str, Any] = {
    "useId": USE_ID_EXAMPLE,
    "source": "batched",
    "licenceId": 12,
    "assetId": ASSET_ID_EXAMPLE,
    "consumer": LICENSEE_EXAMPLE,
    "requestHash": REQUEST_HASH_EXAMPLE,
    "depositId": DEPOSIT_EXAMPLE["depositId"],
    "redeemedAt": 1772448100,
    "windowEndsAt": 1772448700,
    "sequence": 4,
    "chainUse": None,
    "txHash": None,
    "logIndex": None,
    "consentId": None,
    "subject": None,
    "completed": False,
}


class RedeemedUse(Wire):
    """A use redeemed at the gateway: the object may be fetched until ``windowEndsAt`` or until sent whole."""

    model_config = example(REDEEMED_EXAMPLE)

    use_id: str
    source: Literal["batched", "chain", "consent"]
    licence_id: int = Field(description="The licence used; consent: the enterprise's licence of the asset")
    asset_id: HexHash
    consumer: ChainAddress
    request_hash: HexHash
    deposit_id: str
    redeemed_at: int = Field(description="Unix time (chain time)")
    window_ends_at: int = Field(description="Unix time (chain time) the delivery window ends")
    sequence: int = Field(description="Batched: the gateway's number of the use; chain: the use's number")
    chain_use: int | None = Field(description="The use's number on chain, once recorded")
    tx_hash: HexHash | None
    log_index: int | None
    consent_id: int | None = Field(default=None, description="Consent uses: the consent consumed")
    subject: ChainAddress | None = Field(
        default=None, description="Consent uses: the data subject whose record alone is delivered"
    )
    completed: bool = Field(description="The object was delivered whole")
    on_chain: UseOnChain | None = None


class RedeemedUseList(Page):
    model_config = example({"items": [REDEEMED_EXAMPLE], "limit": 50, "offset": 0})

    items: list[RedeemedUse]


RECEIPT_EXAMPLE: dict[str, Any] = {
    "type": "DeliveryReceipt",
    "useId": USE_ID_EXAMPLE,
    "source": "batched",
    "licenceId": 12,
    "assetId": ASSET_ID_EXAMPLE,
    "consumer": LICENSEE_EXAMPLE,
    "deliveredAt": 1772448101,
    "contentHash": CONTENT_HASH_EXAMPLE,
    "size": 1048576,
    "depositKind": "file",
}


class ReceiptBody(Wire):
    """The receipt as signed: RFC 8785 canonical JSON of these members."""

    model_config = example(RECEIPT_EXAMPLE)

    type: Literal["DeliveryReceipt"]
    use_id: str
    source: Literal["batched", "chain", "consent"]
    licence_id: int
    asset_id: HexHash
    consumer: ChainAddress
    delivered_at: int = Field(description="Unix time (chain time) of the delivery")
    content_hash: HexHash = Field(description="SHA-256 of the object delivered")
    size: int
    deposit_kind: Literal["file", "api"]
    consent_id: int | None = Field(
        default=None, description="A delivery against a data subject's consent: the consent (else absent)"
    )


class DeliveryReceipt(Wire):
    """A delivery's receipt, the gateway's Ed25519 signature over its canonical bytes, the key, and the
    receipt's anchoring (``pending``, then its batch, root, proof and anchor transaction)."""

    model_config = example(
        {
            "receipt": RECEIPT_EXAMPLE,
            "signature": "q0Zr" * 21 + "Aw",
            "publicKey": "M2xZ" * 10 + "abc",
            "anchoring": {
                "status": "pending",
                "kind": "delivery-receipt",
                "ref": USE_ID_EXAMPLE,
                "leaf": ROOT_EXAMPLE,
            },
        }
    )

    receipt: ReceiptBody
    signature: str = Field(description="Ed25519 signature, base64url without padding")
    public_key: str = Field(description="The gateway's Ed25519 public key, base64url without padding")
    anchoring: dict[str, Any] = Field(description="The receipt's outbox entry: status, root, proof, anchor")


class GatewayKeyView(Wire):
    model_config = example({"algorithm": "Ed25519", "publicKey": "M2xZ" * 10 + "abc"})

    algorithm: Literal["Ed25519"]
    public_key: str = Field(description="base64url without padding")
