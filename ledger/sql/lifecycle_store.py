"""The SQL side of the procedure: objections, each act with its history (pledges: ``pledge_store``).

Works on the same database as :class:`ledger.sql.store.SqlStore` (it borrows its sessions). Each method
is one transaction that stores the record and the history rows of the act that produced it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from eth_utils import to_checksum_address
from sqlmodel import Session, col, select

from dataledger.ledger.sql.store import SqlStore, history_rows
from dataledger.ledger.sql.tables import AssetRow, HistoryRow, ObjectionRow, ParticipantRow, utcnow
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
            return _objection_json(row, {})  # open: nobody resolved it yet

    def get_objection(self, objection_id: int) -> dict[str, Any]:
        with self._store.session() as session:
            row = session.get(ObjectionRow, objection_id)
            if row is None:
                raise ObjectionNotFound("no objection with this id", objection_id=objection_id)
            return _objection_json(row, _resolvers(session, [row.asset_id]))

    def objections_of(self, asset_id: str) -> list[dict[str, Any]]:
        with self._store.session() as session:
            rows = session.exec(
                select(ObjectionRow)
                .where(ObjectionRow.asset_id == asset_id)
                .order_by(col(ObjectionRow.objection_id))
            ).all()
            resolvers = _resolvers(session, [asset_id]) if rows else {}
        return [_objection_json(r, resolvers) for r in rows]

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
            resolvers = _resolvers(session, {row.asset_id for row in rows}) if rows else {}
        for row in rows:
            found.setdefault(row.asset_id, []).append(_objection_json(row, resolvers))
        return found

    def registrar_acts_of(self, asset_id: str) -> list[dict[str, Any]]:
        """The acts of registrars on the asset, oldest first, each naming the registrar the chain's event
        names (with its participant, when the registry knows the address)."""
        with self._store.session() as session:
            rows = session.exec(
                select(HistoryRow).where(HistoryRow.asset_id == asset_id).order_by(col(HistoryRow.id))
            ).all()
            acts = [
                (row, str(detail["registrar"])) for row, detail in _details(rows) if "registrar" in detail
            ]
            named = _registrars(session, {registrar for _, registrar in acts})
        return [
            {
                "act": row.act,
                "registrar": named[registrar.lower()],
                "at": _iso(row.block_timestamp),
                "chainEvidence": {
                    "txHash": row.tx_hash,
                    "blockNumber": row.block_number,
                    "logIndex": row.log_index,
                },
            }
            for row, registrar in acts
        ]

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
            return _objection_json(row, _resolvers(session, [row.asset_id]))


def _details(rows: Iterable[HistoryRow]) -> list[tuple[HistoryRow, dict[str, Any]]]:
    return [(row, json.loads(row.detail_json)) for row in rows]


def _iso(timestamp: int | None) -> str | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, UTC).isoformat()


def _registrars(session: Session, addresses: set[str]) -> dict[str, dict[str, Any]]:
    """Each address (lower case) as a registrar reference: the address, and its participant if known."""
    known: dict[str, ParticipantRow] = {}
    if addresses:  # participants' addresses are stored checksummed, as events give them
        spelled = addresses | {to_checksum_address(a) for a in addresses} | {a.lower() for a in addresses}
        for participant in session.exec(
            select(ParticipantRow).where(col(ParticipantRow.address).in_(spelled))
        ):
            known[str(participant.address).lower()] = participant
    named = {}
    for address in addresses:
        found = known.get(address.lower())
        named[address.lower()] = {
            "address": address,
            "participantId": found.id if found else None,
            "name": found.name if found else None,
        }
    return named


def _resolvers(session: Session, asset_ids: Iterable[str]) -> dict[int, dict[str, Any]]:
    """Who resolved each resolved objection of ``asset_ids``: the registrar its ``ObjectionResolved``
    event names, by objection id."""
    rows = session.exec(
        select(HistoryRow).where(
            col(HistoryRow.asset_id).in_(list(asset_ids)), HistoryRow.act == "objection-resolved"
        )
    ).all()
    resolved = {int(detail["objectionId"]): str(detail["registrar"]) for _, detail in _details(rows)}
    named = _registrars(session, set(resolved.values()))
    return {objection_id: named[registrar.lower()] for objection_id, registrar in resolved.items()}


def _objection_json(row: ObjectionRow, resolvers: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return {
        "objectionId": row.objection_id,
        "assetId": row.asset_id,
        "objectorId": row.objector_id,
        "objectorAddress": row.objector_address,
        "reason": row.reason,
        "evidenceHash": row.evidence_hash,
        "status": row.status,
        "resolution": row.resolution,
        "resolvedBy": resolvers.get(row.objection_id),
        "chainEvidence": {"txHash": row.tx_hash, "blockNumber": row.block_number, "logIndex": row.log_index},
    }
