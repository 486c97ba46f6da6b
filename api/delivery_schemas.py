"""Request bodies and parameters of the delivery gateway's routes, converted to domain values at the edge."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

from dataledger.api.schemas import MAX_INT64, Address, Body, Hex32, Signature, UnixTime
from dataledger.registry.delivery.uses import DeliveryUse

UseIdPath = Annotated[
    str,
    Path(
        alias="useId",
        pattern=r"^0x[0-9a-fA-F]{64}(-[0-9]{1,6})?$",
        description="The use's id: a batched use's EIP-712 digest, or a chain use's txHash-logIndex",
    ),
]
LicenceIdField = Annotated[int, Field(ge=1, le=MAX_INT64, description="The licence registry's licence id")]


class ApiDeposit(Body):
    asset_id: Hex32 = Field(description="The asset whose data the API serves")
    base_url: Annotated[str, Field(min_length=8, max_length=2000, description="The holder's API base URL")]
    personal_data: bool = Field(
        default=False,
        description="The API serves data subjects' records: each call only against a consumed consent",
    )


class DeliveryUseRequest(Body):
    licence_id: LicenceIdField
    request_hash: Hex32 | None = Field(
        default=None, description="Hash of the request this use serves (a random one when absent)"
    )


class DeliveryUseMessage(Body):
    """The signed ``DeliveryUse`` message, as prepared."""

    licence_id: LicenceIdField
    consumer: Address
    request_hash: Hex32
    use_nonce: Hex32
    deadline: UnixTime

    def to_domain(self) -> DeliveryUse:
        return DeliveryUse(
            licence_id=self.licence_id,
            consumer=self.consumer,
            request_hash=self.request_hash,
            use_nonce=self.use_nonce,
            deadline=self.deadline,
        )


class SignedDeliveryUse(Body):
    use: DeliveryUseMessage
    signature: Signature = Field(description="The licensee's EIP-712 signature of the DeliveryUse")


class ChainUseRedemption(Body):
    licence_id: LicenceIdField
    tx_hash: Hex32 = Field(description="The useLicence transaction")
    log_index: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = Field(
        default=None, description="The LicenceUsed event's log index (the first in the transaction if absent)"
    )


class ConsentUseRedemption(Body):
    licence_id: LicenceIdField = Field(description="The enterprise's licence of the asset delivered")
    tx_hash: Hex32 = Field(description="The consumeConsent transaction")
    log_index: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = Field(
        default=None,
        description="The ConsentConsumed event's log index (the first in the transaction if absent)",
    )
