"""One decoder of contract events for the whole ledger: web3's, by topic, into JSON-ready arguments.

The contract clients (the receipts of their transactions) and the event indexer (the logs it follows)
decode with it, so an event's arguments read the same wherever they were read: bytes as 0x-hex,
structs as objects, addresses checksummed, integers beyond 2**53 as decimal strings (RFC 8785 JSON,
in which the index stores them, cannot carry them exactly). A log the ABI does not describe, or one
with the same signature but other indexing, decodes to None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from eth_abi.codec import ABICodec
from eth_abi.exceptions import DecodingError
from eth_typing import ABIEvent
from eth_utils import event_abi_to_log_topic
from web3._utils.events import get_event_data
from web3.exceptions import LogTopicError, MismatchedABI, Web3ValueError

from dataledger.registry.canonical import MAX_SAFE_INTEGER


def event_args_json(value: Any) -> Any:
    """Event arguments as JSON values (see the module docstring)."""
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(k): event_args_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [event_args_json(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER:
        return str(value)
    return value


class EventDecoder:
    """Decodes the logs of contracts with these ABIs."""

    def __init__(self, codec: ABICodec, abi: Sequence[Mapping[str, Any]]) -> None:
        self._codec = codec
        self._by_topic: dict[bytes, ABIEvent] = {}
        for entry in abi:
            if entry.get("type") == "event" and not entry.get("anonymous", False):
                event = cast(ABIEvent, dict(entry))
                self._by_topic[bytes(event_abi_to_log_topic(event))] = event

    def decode(self, log: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """``(event name, arguments)`` of ``log`` (a receipt's or ``eth_getLogs``' entry), or None."""
        topics = log.get("topics") or []
        event = self._by_topic.get(bytes(topics[0])) if topics else None
        if event is None:
            return None
        try:
            data = get_event_data(self._codec, event, cast(Any, log))
        except (MismatchedABI, LogTopicError, DecodingError, Web3ValueError, ValueError, TypeError):
            return None  # same signature, other indexing; or data that does not decode
        return str(event["name"]), event_args_json(dict(data["args"]))
