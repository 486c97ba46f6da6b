"""The one exception hierarchy of the devnet.

Every deliberate error derives from :class:`DevnetError` and carries the JSON-RPC error ``code`` it maps
to, so the dispatcher turns any of them into an error object in one place (``rpc.py``). Kinds that are
also builtins (``ValueError``, ``LookupError``) subclass both, so callers may catch either.
"""

from __future__ import annotations

from typing import ClassVar


class DevnetError(Exception):
    """Root of every deliberate devnet error."""

    rpc_code: ClassVar[int] = -32603

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DataDirInUse(DevnetError):
    """Another process (or an unclosed chain in this one) holds the data directory."""


class ChainConfigMismatch(DevnetError, ValueError):
    """The data directory holds a chain with another configuration (e.g. another chain id)."""


class InvalidParams(DevnetError, ValueError):
    """A JSON-RPC request whose parameters cannot be parsed."""

    rpc_code = -32602


class MethodNotFound(DevnetError, LookupError):
    """A JSON-RPC method the devnet does not implement."""

    rpc_code = -32601


class UnknownBlock(DevnetError, LookupError):
    """A block tag, number or hash that names no canonical block."""

    rpc_code = -32001


class TransactionRejected(DevnetError, ValueError):
    """A transaction refused before execution (nonce, funds, fees, gas, signature, chain id).

    Messages follow geth's wording (``nonce too low``, ``insufficient funds for gas * price + value``)
    because tools match on them.
    """

    rpc_code = -32000


class ExecutionReverted(DevnetError):
    """A call or gas estimate whose execution reverted; ``data`` is the raw revert payload."""

    rpc_code = 3

    def __init__(self, message: str, data: bytes) -> None:
        super().__init__(message)
        self.data = data


class ExecutionFailed(DevnetError):
    """A call or gas estimate that failed without revert data (invalid opcode, out of gas...)."""

    rpc_code = -32000


class UnknownSnapshot(DevnetError, LookupError):
    """``evm_revert`` with an id that is not (or no longer) a snapshot."""

    rpc_code = -32000


class InvalidTimestamp(DevnetError, ValueError):
    """A requested block timestamp not later than the head block's."""

    rpc_code = -32000
