"""The SQL side of the procedure: objections, each act with its history (pledges: ``pledge_store``).

Works on the same database as :class:`ledger.sql.store.SqlStore` (it borrows its sessions). Each method
is one transaction that stores the record and the history rows of the act that produced it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select

from dataledger.ledger.sql.store import SqlStore, history_rows
from dataledger.ledger.sql.tables import AssetRow, ObjectionRow, utcnow
from dataledger.registry.assets import AssetState
from dataledger.registry.chain_records import ChainAct, act_of
from dataledger.registry.errors import ObjectionNotFound


class LifecycleStore:
    """Objections and pledges: the store side of ``registry.procedure`` and ``registry.holder_acts``."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    # -- objections -------------------------------------------------------------------------------

    def add_objection(
        self,
        asset_id: str,
        *,
        objector_id: str | None,
        objector_address: str,
        reason: str,
        evidence_hash: str,
        acts: tuple[ChainAct, ...],
    ) -> dict[str, Any]:
        filed = act_of(acts, "ObjectionFiled")
        row = ObjectionRow(
            objection_id=int(filed.args["objectionId"]),
            asset_id=asset_id,
            objector_id=objector_id,
            objector_address=objector_address,
            reason=reason,
            evidence_hash=evidence_hash,
            tx_hash=filed.evidence.tx_hash,
            block_number=filed.evidence.block_number,
            log_index=filed.evidence.log_index,
        )
        with self._store.session() as session:
            session.add(row)
            session.add_all(history_rows(asset_id, acts, objector_address, {"reason": reason}))
            session.commit()
            return _objection_json(row)

    def get_objection(self, objection_id: int) -> dict[str, Any]:
        with self._store.session() as session:
            row = session.get(ObjectionRow, objection_id)
        if row is None:
            raise ObjectionNotFound("no objection with this id", objection_id=objection_id)
        return _objection_json(row)

    def objections_of(self, asset_id: str) -> list[dict[str, Any]]:
        with self._store.session() as session:
            rows = session.exec(
                select(ObjectionRow)
                .where(ObjectionRow.asset_id == asset_id)
                .order_by(col(ObjectionRow.objection_id))
            ).all()
        return [_objection_json(r) for r in rows]

    def objections_of_assets(self, asset_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """The objections of each of ``asset_ids`` in one query (``asset_id IN (…)``, on its index)."""
        found: dict[str, list[dict[str, Any]]] = {}
        if not asset_ids:
            return found
        with self._store.session() as session:
            rows = session.exec(
                select(ObjectionRow)
                .where(col(ObjectionRow.asset_id).in_(list(dict.fromkeys(asset_ids))))
                .order_by(col(ObjectionRow.objection_id))
            ).all()
        for row in rows:
            found.setdefault(row.asset_id, []).append(_objection_json(row))
        return found

    def resolve_objection(
        self, objection_id: int, *, upheld: bool, resolution: str, acts: tuple[ChainAct, ...], actor: str
    ) -> dict[str, Any]:
        """The registrar's decision; an upheld objection rejects the application."""
        with self._store.session() as session:
            row = session.get(ObjectionRow, objection_id)
            if row is None:
                raise ObjectionNotFound("no objection with this id", objection_id=objection_id)
            row.status = "upheld" if upheld else "dismissed"
            row.resolution = resolution
            session.add(row)
            if any(act.event == "ApplicationRejected" for act in acts):
                asset = session.get(AssetRow, row.asset_id)
                if asset is not None:
                    asset.state = AssetState.REJECTED.value
                    asset.updated_at = utcnow()
                    session.add(asset)
            session.add_all(history_rows(row.asset_id, acts, actor, {"resolution": resolution}))
            session.commit()
            return _objection_json(row)


def _objection_json(row: ObjectionRow) -> dict[str, Any]:
    return {
        "objectionId": row.objection_id,
        "assetId": row.asset_id,
        "objectorId": row.objector_id,
        "objectorAddress": row.objector_address,
        "reason": row.reason,
        "evidenceHash": row.evidence_hash,
        "status": row.status,
        "resolution": row.resolution,
        "chainEvidence": {"txHash": row.tx_hash, "blockNumber": row.block_number, "logIndex": row.log_index},
    }
