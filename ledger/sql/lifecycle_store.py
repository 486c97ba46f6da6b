"""The SQL side of the procedure and of pledges: objections and pledges, each act with its history.

Works on the same database as :class:`ledger.sql.store.SqlStore` (it borrows its sessions). Each method
is one transaction that stores the record and the history rows of the act that produced it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from dataledger.ledger.sql.store import SqlStore, history_rows
from dataledger.ledger.sql.tables import AssetRow, ObjectionRow, PledgeRow, utcnow
from dataledger.registry.assets import AssetState
from dataledger.registry.chain_records import ChainAct, act_of
from dataledger.registry.errors import AssetNotPledged, ObjectionNotFound


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

    # -- pledges ----------------------------------------------------------------------------------

    def add_pledge(
        self,
        asset_id: str,
        *,
        pledgor_address: str,
        pledgee_address: str,
        pledgee_id: str | None,
        terms: str,
        salt: str,
        terms_hash: str,
        acts: tuple[ChainAct, ...],
    ) -> dict[str, Any]:
        pledged = act_of(acts, "AssetPledged")
        row = PledgeRow(
            asset_id=asset_id,
            pledgor_address=pledgor_address,
            pledgee_address=pledgee_address,
            pledgee_id=pledgee_id,
            terms=terms,
            salt=salt,
            terms_hash=terms_hash,
            tx_hash=pledged.evidence.tx_hash,
            block_number=pledged.evidence.block_number,
            log_index=pledged.evidence.log_index,
        )
        with self._store.session() as session:
            session.add(row)
            session.add_all(history_rows(asset_id, acts, pledgor_address))
            session.commit()
            return _pledge_json(row)

    def active_pledge(self, asset_id: str) -> dict[str, Any] | None:
        with self._store.session() as session:
            row = self._active(session, asset_id)
        return _pledge_json(row) if row else None

    def pledges_of(self, asset_id: str) -> list[dict[str, Any]]:
        with self._store.session() as session:
            rows = session.exec(
                select(PledgeRow).where(PledgeRow.asset_id == asset_id).order_by(col(PledgeRow.id))
            ).all()
        return [_pledge_json(r) for r in rows]

    def close_pledge(
        self, asset_id: str, status: str, acts: tuple[ChainAct, ...], *, actor: str
    ) -> dict[str, Any]:
        """The pledge ended: ``released`` by the pledgee, or ``enforced`` (the history of the transfer
        that enforcement made is recorded with the new holder by ``SqlStore.set_holder``)."""
        with self._store.session() as session:
            row = self._active(session, asset_id)
            if row is None:
                raise AssetNotPledged("the asset has no active pledge", asset_id=asset_id)
            row.status, row.closed_at = status, utcnow()
            session.add(row)
            session.add_all(history_rows(asset_id, acts, actor))
            session.commit()
            return _pledge_json(row)

    @staticmethod
    def _active(session: Any, asset_id: str) -> PledgeRow | None:
        return session.exec(
            select(PledgeRow).where(PledgeRow.asset_id == asset_id, PledgeRow.status == "active")
        ).first()


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


def _pledge_json(row: PledgeRow) -> dict[str, Any]:
    return {
        "assetId": row.asset_id,
        "pledgorAddress": row.pledgor_address,
        "pledgeeAddress": row.pledgee_address,
        "pledgeeId": row.pledgee_id,
        "terms": row.terms,
        "termsHash": row.terms_hash,
        "status": row.status,
        "chainEvidence": {"txHash": row.tx_hash, "blockNumber": row.block_number, "logIndex": row.log_index},
    }
