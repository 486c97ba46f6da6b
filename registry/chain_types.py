"""Chain-facing value objects of the domain core: evidence that an act was recorded on chain.

These are plain frozen dataclasses: the core describes what the chain said without importing any
chain library. ``ledger/`` produces them, the store persists them, certificates embed them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dataledger.registry.errors import ValidationFailed

_HEX32 = re.compile(r"^0x[0-9a-f]{64}$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def require_hex32(value: str, field: str) -> str:
    """Return ``value`` lower-cased if it is a 0x-prefixed 32-byte hex string, else raise."""
    lowered = value.lower() if isinstance(value, str) else value
    if not isinstance(lowered, str) or not _HEX32.match(lowered):
        raise ValidationFailed(f"{field} must be a 0x-prefixed 32-byte hex string", field=field)
    return lowered


def require_address(value: str, field: str) -> str:
    """Return ``value`` if it is a 0x-prefixed 20-byte hex address, else raise."""
    if not isinstance(value, str) or not _ADDRESS.match(value):
        raise ValidationFailed(f"{field} must be a 0x-prefixed 20-byte hex address", field=field)
    return value


@dataclass(frozen=True, slots=True)
class ChainEvidence:
    """Where and how an act was recorded: enough for anyone to find it again on the chain."""

    chain_id: int
    contract: str
    tx_hash: str
    block_number: int
    log_index: int

    def __post_init__(self) -> None:
        require_address(self.contract, "contract")
        require_hex32(self.tx_hash, "tx_hash")
        if self.block_number < 0 or self.log_index < 0 or self.chain_id <= 0:
            raise ValidationFailed("chain evidence numbers must be non-negative (chain id positive)")

    def as_json(self) -> dict[str, object]:
        return {
            "chainId": self.chain_id,
            "contract": self.contract,
            "txHash": self.tx_hash,
            "blockNumber": self.block_number,
            "logIndex": self.log_index,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> ChainEvidence:
        """The evidence :meth:`as_json` wrote."""
        return cls(
            int(value["chainId"]),
            str(value["contract"]),
            str(value["txHash"]),
            int(value["blockNumber"]),
            int(value["logIndex"]),
        )


class OnChainAssetStatus(enum.IntEnum):
    """Mirrors ``IDataRightsRegistry.AssetStatus`` in the contract (same order)."""

    NONE = 0
    REGISTERED = 1
    REVOKED = 2
    UNDER_REVIEW = 3
    IN_NOTICE = 4
    CERTIFIED = 5
    REJECTED = 6
    CANCELLED = 7


@dataclass(frozen=True, slots=True)
class OnChainAsset:
    """The registry contract's view of an asset."""

    asset_id: str
    holder: str
    content_hash: str
    metadata_hash: str
    registered_at: int
    status: OnChainAssetStatus


@dataclass(frozen=True, slots=True)
class RegistrationEvent:
    """An ``AssetRegistered`` event as read from a transaction receipt on the chain."""

    asset_id: str
    holder: str
    content_hash: str
    metadata_hash: str
    evidence: ChainEvidence
