"""Shapes every resource shares: the base of response models, chain evidence, pages, EIP-712 messages."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

TX_HASH_EXAMPLE = "0x" + "4e" * 32
ASSET_ID_EXAMPLE = "0x" + "a1" * 32
ADDRESS_EXAMPLE = "0x" + "3c" * 20

HexHash = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{64}$", examples=[TX_HASH_EXAMPLE])]
ChainAddress = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$", examples=[ADDRESS_EXAMPLE])]


class Wire(BaseModel):
    """A response body: camelCase on the wire, and a field the model does not name is a bug, not data.

    Routes return the domain's JSON (already camelCase); FastAPI validates it against the model, so a
    drift between the code and the document fails the tests instead of reaching a client.
    """

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, extra="forbid")


def example(value: dict[str, Any]) -> ConfigDict:
    """A model's config with one example (the OpenAPI completeness test validates it against the schema)."""
    return ConfigDict(json_schema_extra={"examples": [value]})


CHAIN_EVIDENCE_EXAMPLE = {
    "chainId": 31337,
    "contract": ADDRESS_EXAMPLE,
    "txHash": TX_HASH_EXAMPLE,
    "blockNumber": 42,
    "logIndex": 0,
}


class ChainEvidence(Wire):
    """Where an act was recorded: enough for anyone to find it again on the chain."""

    model_config = example(CHAIN_EVIDENCE_EXAMPLE)

    chain_id: int = Field(description="EIP-155 chain id")
    contract: ChainAddress
    tx_hash: HexHash
    block_number: int
    log_index: int


class Page(Wire):
    """The paging fields of a list: ``limit`` and ``offset`` as asked, ``total`` where counted."""

    limit: int
    offset: int


class TypedData(Wire):
    """An EIP-712 message to sign as is (``eth_signTypedData_v4``): types, primary type, domain, message."""

    model_config = ConfigDict(alias_generator=None, extra="forbid")

    types: dict[str, list[dict[str, str]]]
    primaryType: str
    domain: dict[str, Any]
    message: dict[str, Any]
