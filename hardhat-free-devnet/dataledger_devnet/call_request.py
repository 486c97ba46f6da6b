"""A transaction as a JSON-RPC caller describes it, for ``eth_call``, ``eth_estimateGas`` and
``eth_sendTransaction``: every field optional, already decoded from hex."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CallRequest:
    sender: bytes | None = None
    to: bytes | None = None  # None creates a contract
    gas: int | None = None
    value: int = 0
    data: bytes = b""
    nonce: int | None = None
    gas_price: int | None = None
    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None
    access_list: tuple[tuple[bytes, tuple[int, ...]], ...] = ()
    chain_id: int | None = None

    @property
    def is_legacy(self) -> bool:
        """A ``gasPrice`` without EIP-1559 fee fields asks for a legacy (or access-list) transaction."""
        return (
            self.gas_price is not None
            and self.max_fee_per_gas is None
            and self.max_priority_fee_per_gas is None
        )
