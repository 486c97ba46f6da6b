"""``evm_snapshot`` ids and what they remember (head block hash, clock offset), persisted in ``meta``.

Reverting to a snapshot consumes it and every later one, as hardhat and anvil do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from dataledger_devnet.store import Store

_KEY = b"snapshots"


@dataclass(frozen=True)
class Snapshot:
    head_hash: bytes
    clock_offset: int


class Snapshots:
    def __init__(self, store: Store) -> None:
        self._store = store

    def take(self, snapshot: Snapshot) -> int:
        state = self._load()
        snapshot_id = state["next"]
        state["next"] += 1
        state["items"][str(snapshot_id)] = [snapshot.head_hash.hex(), snapshot.clock_offset]
        self._save(state)
        return snapshot_id

    def get(self, snapshot_id: int) -> Snapshot | None:
        item = self._load()["items"].get(str(snapshot_id))
        return Snapshot(bytes.fromhex(item[0]), item[1]) if item else None

    def consume(self, snapshot_id: int) -> None:
        """Forget ``snapshot_id`` and every snapshot taken after it."""
        state = self._load()
        state["items"] = {key: item for key, item in state["items"].items() if int(key) < snapshot_id}
        self._save(state)

    def _load(self) -> dict:
        raw = self._store.get("meta", _KEY)
        return json.loads(raw) if raw else {"next": 1, "items": {}}

    def _save(self, state: dict) -> None:
        self._store.put("meta", _KEY, json.dumps(state, sort_keys=True).encode())
