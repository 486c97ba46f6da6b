"""The store as recovery sees it: only the pending registrations no live process can still be relaying.

A registration (direct, or the materialisation of a batched one) is stored *pending* before it is
relayed, and marked registered from the chain's event after; recovery finishes the ones a crash left
between the two. With several processes on one database, a pending row may instead belong to a
request another process is relaying right now: recovering it then would relay it twice, or discard
it under the relaying request. So recovery sees a pending row only when

* ``everything()`` says no other process can hold one (at start-up, before this process serves, with
  no other live process on the database; asked after the rows are read, so a row read was written
  by a process that was alive then or is dead now), or
* the row is older than ``grace_s``: longer than a relay can take (the transaction sender gives up
  after its receipt timeouts, and the request discards the row), so nobody is still working on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from dataledger.ledger.sql.store import SqlStore
from dataledger.ledger.sql.tables import AssetRow
from dataledger.registry.assets import AssetRecord, AssetState


class SettledPendingStore(SqlStore):
    """A ``SqlStore`` whose ``pending_assets`` leaves out the rows a live relay may be working on."""

    def __init__(self, engine: Engine, *, grace_s: float, everything: Callable[[], bool]) -> None:
        super().__init__(engine)
        self._grace = timedelta(seconds=grace_s)
        self._everything = everything

    def pending_assets(self) -> list[AssetRecord]:
        records = super().pending_assets()
        if not records or self._everything():
            return records
        settled = self._older_than_grace()
        return [record for record in records if record.asset_id in settled]

    def _older_than_grace(self) -> set[str]:
        # Compared in SQL: the cutoff is bound exactly as created_at was when it was written.
        cutoff = datetime.now(UTC) - self._grace
        with self.session() as session:
            rows = session.exec(
                select(AssetRow.asset_id).where(
                    AssetRow.state == AssetState.PENDING.value, AssetRow.created_at <= cutoff
                )
            ).all()
        return set(rows)
