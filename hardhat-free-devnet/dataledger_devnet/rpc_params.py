"""Parsing JSON-RPC parameters into Python values; anything malformed is ``InvalidParams`` (-32602)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dataledger_devnet.call_request import CallRequest
from dataledger_devnet.chain import BlockRef
from dataledger_devnet.errors import InvalidParams

BLOCK_TAGS = ("latest", "earliest", "pending", "safe", "finalized")


def positional(params: Any, required: int, total: int) -> list[Any]:
    """``params`` as a list of ``total`` items (missing optional ones are ``None``)."""
    if params is None:
        params = []
    if not isinstance(params, list):
        raise InvalidParams("params must be an array")
    if not required <= len(params) <= total:
        raise InvalidParams(f"expected {required} to {total} params, got {len(params)}")
    return params + [None] * (total - len(params))


def quantity(value: Any, name: str = "quantity") -> int:
    if isinstance(value, bool):
        raise InvalidParams(f"{name}: expected a hex quantity")
    if isinstance(value, int):
        if value < 0:
            raise InvalidParams(f"{name}: must not be negative")
        return value
    if isinstance(value, str) and value[:2] in ("0x", "0X") and len(value) > 2:
        try:
            return int(value, 16)
        except ValueError:
            pass
    raise InvalidParams(f"{name}: expected a hex quantity, got {value!r}")


def hex_data(value: Any, name: str = "data") -> bytes:
    if isinstance(value, str) and value[:2] in ("0x", "0X"):
        digits = value[2:]
        if len(digits) % 2:
            digits = "0" + digits
        try:
            return bytes.fromhex(digits)
        except ValueError:
            pass
    raise InvalidParams(f"{name}: expected 0x-prefixed hex data, got {value!r}")


def fixed(value: Any, size: int, name: str) -> bytes:
    raw = hex_data(value, name)
    if len(raw) != size:
        raise InvalidParams(f"{name}: expected {size} bytes, got {len(raw)}")
    return raw


def address(value: Any, name: str = "address") -> bytes:
    return fixed(value, 20, name)


def hash32(value: Any, name: str = "hash") -> bytes:
    return fixed(value, 32, name)


def block_ref(value: Any, default: str = "latest") -> BlockRef:
    """A block tag, number, hash, or EIP-1898 object ``{"blockNumber": ..}`` / ``{"blockHash": ..}``."""
    if value is None:
        return default
    if isinstance(value, dict):
        if "blockHash" in value:
            return hash32(value["blockHash"], "blockHash")
        if "blockNumber" in value:
            return block_ref(value["blockNumber"], default)
        raise InvalidParams("block object needs blockNumber or blockHash")
    if isinstance(value, str) and value in BLOCK_TAGS:
        return value
    if isinstance(value, str) and len(value) == 66:
        return hash32(value, "block hash")
    return quantity(value, "block number")


def call_request(value: Any) -> CallRequest:
    if not isinstance(value, dict):
        raise InvalidParams("transaction must be an object")

    def optional(key: str, parse: Any) -> Any:
        item = value.get(key)
        return None if item is None else parse(item, key)

    payload = value.get("input", value.get("data"))
    return CallRequest(
        sender=optional("from", address),
        to=optional("to", address),
        gas=optional("gas", quantity),
        value=optional("value", quantity) or 0,
        data=hex_data(payload, "input") if payload is not None else b"",
        nonce=optional("nonce", quantity),
        gas_price=optional("gasPrice", quantity),
        max_fee_per_gas=optional("maxFeePerGas", quantity),
        max_priority_fee_per_gas=optional("maxPriorityFeePerGas", quantity),
        access_list=_access_list(value.get("accessList") or []),
        chain_id=optional("chainId", quantity),
    )


def _access_list(entries: Any) -> tuple[tuple[bytes, tuple[int, ...]], ...]:
    if not isinstance(entries, list):
        raise InvalidParams("accessList must be an array")
    try:
        return tuple(
            (
                address(entry["address"]),
                tuple(
                    int.from_bytes(hash32(key, "storageKey"), "big") for key in entry.get("storageKeys", [])
                ),
            )
            for entry in entries
        )
    except (KeyError, TypeError, AttributeError):
        raise InvalidParams("accessList entries need an address and storageKeys") from None


def log_filter_params(
    value: Any,
) -> tuple[BlockRef, BlockRef, bytes | None, frozenset[bytes], tuple[frozenset[bytes] | None, ...]]:
    """``(fromBlock, toBlock, blockHash, addresses, topics)`` of an ``eth_getLogs`` filter object."""
    if not isinstance(value, dict):
        raise InvalidParams("filter must be an object")
    block_hash = hash32(value["blockHash"], "blockHash") if value.get("blockHash") is not None else None
    if block_hash is not None and (value.get("fromBlock") is not None or value.get("toBlock") is not None):
        raise InvalidParams("blockHash excludes fromBlock and toBlock")
    raw_addresses = value.get("address")
    if raw_addresses is None:
        addresses: frozenset[bytes] = frozenset()
    elif isinstance(raw_addresses, list):
        addresses = frozenset(address(item) for item in raw_addresses)
    else:
        addresses = frozenset([address(raw_addresses)])
    topics = tuple(_topic_position(item) for item in (value.get("topics") or []))
    return block_ref(value.get("fromBlock")), block_ref(value.get("toBlock")), block_hash, addresses, topics


def _topic_position(item: Any) -> frozenset[bytes] | None:
    if item is None:
        return None
    if isinstance(item, list):
        return None if not item else frozenset(hash32(topic, "topic") for topic in item)
    return frozenset([hash32(item, "topic")])


def percentiles(value: Any) -> Sequence[float]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(p, int | float) and not isinstance(p, bool) for p in value
    ):
        raise InvalidParams("reward percentiles must be an array of numbers")
    return [float(p) for p in value]
