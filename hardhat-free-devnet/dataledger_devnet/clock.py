"""The chain's controllable clock: wall time plus a persisted offset, and an optional pinned next stamp.

Block timestamps are ``max(parent + 1, now + offset)``, or exactly the pinned value set by
``evm_setNextBlockTimestamp``; after a pinned block the offset is re-based so time continues from
there (hardhat and anvil behave the same). Both values live in the store's ``meta`` database and are
read on every use, never cached, so an aborted write scope cannot leave memory and disk disagreeing.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from dataledger_devnet.errors import InvalidTimestamp
from dataledger_devnet.store import Store

_OFFSET_KEY = b"clock:offset"
_NEXT_KEY = b"clock:next"


class Clock:
    def __init__(self, store: Store, wall: Callable[[], float] = time.time) -> None:
        self._store = store
        self._wall = wall

    @property
    def offset(self) -> int:
        """Seconds added to wall time."""
        raw = self._store.get("meta", _OFFSET_KEY)
        return int(raw) if raw else 0

    @property
    def pinned_next(self) -> int | None:
        raw = self._store.get("meta", _NEXT_KEY)
        return int(raw) if raw else None

    def now(self) -> int:
        return int(self._wall()) + self.offset

    def block_timestamp(self, parent_timestamp: int) -> int:
        """The timestamp of the next block on top of a parent with ``parent_timestamp``."""
        pinned = self.pinned_next
        if pinned is not None:
            return pinned
        return max(parent_timestamp + 1, self.now())

    # -- mutations (inside a store write scope) --------------------------------------------------

    def increase(self, seconds: int) -> int:
        """Move time forward by ``seconds``; returns the total offset."""
        if seconds < 0:
            raise InvalidTimestamp("evm_increaseTime needs a non-negative number of seconds")
        return self.set_offset(self.offset + seconds)

    def set_offset(self, offset: int) -> int:
        self._store.put("meta", _OFFSET_KEY, str(offset).encode())
        return offset

    def pin_next(self, timestamp: int, parent_timestamp: int) -> None:
        """Make the next block carry exactly ``timestamp`` (must be after the head block's)."""
        if timestamp <= parent_timestamp:
            raise InvalidTimestamp(
                f"timestamp {timestamp} is not after the head block timestamp {parent_timestamp}"
            )
        self._store.put("meta", _NEXT_KEY, str(timestamp).encode())

    def block_mined(self, timestamp: int) -> None:
        """Record that a block with ``timestamp`` was mined: a pinned stamp is consumed."""
        if self.pinned_next is not None:
            self._store.delete("meta", _NEXT_KEY)
            self.set_offset(timestamp - int(self._wall()))

    def clear_pin(self) -> None:
        self._store.delete("meta", _NEXT_KEY)
