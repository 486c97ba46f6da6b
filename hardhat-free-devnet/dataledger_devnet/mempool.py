"""Transactions accepted but not yet mined (manual or interval mining), persisted in ``meta``.

Acknowledging a transaction (returning its hash) and recording it here happen in one write scope,
so an acknowledged transaction survives a crash even before it is mined.
"""

from __future__ import annotations

import rlp

from dataledger_devnet.store import Store

_KEY = b"mempool"


class Mempool:
    def __init__(self, store: Store) -> None:
        self._store = store

    def raw_transactions(self) -> list[bytes]:
        raw = self._store.get("meta", _KEY)
        return list(rlp.decode(raw)) if raw else []

    def add(self, raw_transaction: bytes) -> None:
        self._save([*self.raw_transactions(), raw_transaction])

    def clear(self) -> None:
        self._store.delete("meta", _KEY)

    def _save(self, raw_transactions: list[bytes]) -> None:
        self._store.put("meta", _KEY, rlp.encode(raw_transactions))
