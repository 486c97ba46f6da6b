"""The SQL side of licences and consents: the texts behind the on-chain commitments, and their acts.

Licence acts are acts on an asset, so they join the asset's history; consent acts concern a data
subject, not an asset, and have a history of their own. Works on the database of
:class:`ledger.sql.store.SqlStore` (it borrows its sessions).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select

from dataledger.ledger.sql.store import SqlStore, history_rows
from dataledger.ledger.sql.tables import ConsentHistoryRow, ConsentRow, LicenceRow, utcnow
from dataledger.registry.chain_records import CONSENT_ACT_OF_EVENT, ChainAct, LicenceTerms, act_of
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.errors import ConsentNotFound, LicenceNotFound


class LicenceStore:
    """Licences and consents: the store side of ``registry.licences`` and ``registry.consents``."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    # -- licences ---------------------------------------------------------------------------------

    def add_licence(
        self,
        terms: LicenceTerms,
        *,
        licensor_address: str,
        licensee_id: str | None,
        texts: dict[str, str],
        salt: str,
        acts: tuple[ChainAct, ...],
    ) -> dict[str, Any]:
        granted = act_of(acts, "LicenceGranted")
        row = LicenceRow(
            licence_id=int(granted.args["licenceId"]),
            asset_id=terms.asset_id,
            licensor_address=licensor_address,
            licensee_address=terms.licensee,
            licensee_id=licensee_id,
            asset_version=terms.asset_version,
            max_uses=terms.max_uses,
            valid_from=terms.valid_from,
            valid_until=terms.valid_until,
            derivatives_allowed=terms.derivatives_allowed,
            commercial=terms.commercial,
            exclusivity=terms.exclusivity.value,
            scope=texts["scope"],
            purpose=texts["purpose"],
            territory=texts.get("territory", ""),
            salt=salt,
            tx_hash=granted.evidence.tx_hash,
            block_number=granted.evidence.block_number,
            log_index=granted.evidence.log_index,
        )
        with self._store.session() as session:
            session.add(row)
            session.add_all(
                history_rows(terms.asset_id, acts, licensor_address, {"purpose": texts["purpose"]})
            )
            session.commit()
            return licence_json(row)

    def get_licence(self, licence_id: int) -> dict[str, Any]:
        with self._store.session() as session:
            row = session.get(LicenceRow, licence_id)
        if row is None:
            raise LicenceNotFound("no licence with this id", licence_id=licence_id)
        return licence_json(row)

    def licences(
        self,
        *,
        asset_id: str | None = None,
        licensee: str | None = None,
        party: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Licences in id order; ``party``: only those it granted or holds (by chain address)."""
        query = select(LicenceRow).order_by(col(LicenceRow.licence_id)).offset(offset).limit(limit)
        if party is not None:
            query = query.where(
                or_(
                    func.lower(LicenceRow.licensor_address) == party.lower(),
                    func.lower(LicenceRow.licensee_address) == party.lower(),
                )
            )
        if asset_id is not None:
            query = query.where(LicenceRow.asset_id == asset_id)
        if licensee is not None:
            query = query.where(func.lower(LicenceRow.licensee_address) == licensee.lower())
        with self._store.session() as session:
            return [licence_json(r) for r in session.exec(query)]

    def record_licence_use(
        self, licence_id: int, acts: tuple[ChainAct, ...], *, actor: str
    ) -> dict[str, Any]:
        used = act_of(acts, "LicenceUsed")
        with self._store.session() as session:
            row = self._licence_row(session, licence_id)
            row.uses = int(used.args["use"])
            session.add(row)
            session.add_all(history_rows(row.asset_id, acts, actor, {"licenceId": licence_id}))
            session.commit()
            return licence_json(row)

    def record_licence_revocation(
        self, licence_id: int, reason: str, acts: tuple[ChainAct, ...], *, actor: str
    ) -> dict[str, Any]:
        with self._store.session() as session:
            row = self._licence_row(session, licence_id)
            row.revoked, row.revocation_reason = True, reason
            session.add(row)
            session.add_all(history_rows(row.asset_id, acts, actor, {"reason": reason}))
            session.commit()
            return licence_json(row)

    @staticmethod
    def _licence_row(session: Any, licence_id: int) -> LicenceRow:
        row = session.get(LicenceRow, licence_id)
        if row is None:
            raise LicenceNotFound("no licence with this id", licence_id=licence_id)
        return row

    # -- consents ---------------------------------------------------------------------------------

    def add_consent(
        self,
        *,
        enterprise_id: str | None,
        purpose: str,
        salt: str,
        acts: tuple[ChainAct, ...],
    ) -> dict[str, Any]:
        granted = act_of(acts, "ConsentGranted")
        args = granted.args
        row = ConsentRow(
            consent_id=int(args["consentId"]),
            subject_address=args["subject"],
            enterprise_address=args["enterprise"],
            enterprise_id=enterprise_id,
            purpose=purpose,
            salt=salt,
            purpose_hash=args["purposeHash"],
            valid_until=int(args["validUntil"]),
        )
        with self._store.session() as session:
            session.add(row)
            session.flush()
            session.add_all(_consent_history(row.consent_id, acts, args["subject"]))
            session.commit()
            return consent_json(row)

    def get_consent(self, consent_id: int) -> dict[str, Any]:
        with self._store.session() as session:
            row = session.get(ConsentRow, consent_id)
        if row is None:
            raise ConsentNotFound("no consent with this id", consent_id=consent_id)
        return consent_json(row)

    def consents(
        self, *, subject: str | None = None, enterprise: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]:
        query = select(ConsentRow).order_by(col(ConsentRow.consent_id)).offset(offset).limit(limit)
        if subject is not None:
            query = query.where(func.lower(ConsentRow.subject_address) == subject.lower())
        if enterprise is not None:
            query = query.where(func.lower(ConsentRow.enterprise_address) == enterprise.lower())
        with self._store.session() as session:
            return [consent_json(r) for r in session.exec(query)]

    def record_consent_act(
        self, consent_id: int, status: str, acts: tuple[ChainAct, ...], *, actor: str
    ) -> dict[str, Any]:
        """The consent was ``consumed`` by the enterprise's query or ``withdrawn`` by the subject."""
        with self._store.session() as session:
            row = session.get(ConsentRow, consent_id)
            if row is None:
                raise ConsentNotFound("no consent with this id", consent_id=consent_id)
            row.status, row.updated_at = status, utcnow()
            for act in acts:
                if act.event == "ConsentConsumed":
                    row.request_hash = act.args["requestHash"]
            session.add(row)
            session.add_all(_consent_history(consent_id, acts, actor))
            session.commit()
            return consent_json(row)

    def consent_acts(self, consent_id: int) -> list[dict[str, Any]]:
        with self._store.session() as session:
            rows = session.exec(
                select(ConsentHistoryRow)
                .where(ConsentHistoryRow.consent_id == consent_id)
                .order_by(col(ConsentHistoryRow.block_number), col(ConsentHistoryRow.log_index))
            ).all()
        return [
            {
                "act": r.act,
                "actor": r.actor,
                "at": _at(r.block_timestamp),
                "detail": json.loads(r.detail_json),
                "chainEvidence": ChainEvidence(
                    r.chain_id, r.contract, r.tx_hash, r.block_number, r.log_index
                ).as_json(),
            }
            for r in rows
        ]


def _at(timestamp: int | None) -> str | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, UTC).isoformat()


def _consent_history(consent_id: int, acts: tuple[ChainAct, ...], actor: str) -> list[ConsentHistoryRow]:
    rows = []
    for act in acts:
        name = CONSENT_ACT_OF_EVENT.get(act.event)
        if name is None:
            continue
        ev = act.evidence
        rows.append(
            ConsentHistoryRow(
                consent_id=consent_id,
                act=name,
                actor=actor,
                detail_json=json.dumps(
                    {k: v for k, v in act.args.items() if k != "consentId"}, sort_keys=True
                ),
                chain_id=ev.chain_id,
                contract=ev.contract,
                tx_hash=ev.tx_hash,
                block_number=ev.block_number,
                log_index=ev.log_index,
                block_timestamp=act.block_timestamp,
            )
        )
    return rows


def licence_json(row: LicenceRow) -> dict[str, Any]:
    return {
        "licenceId": row.licence_id,
        "assetId": row.asset_id,
        "licensorAddress": row.licensor_address,
        "licenseeAddress": row.licensee_address,
        "licenseeId": row.licensee_id,
        "assetVersion": row.asset_version,
        "scope": row.scope,
        "purpose": row.purpose,
        "territory": row.territory or None,
        "validFrom": row.valid_from,
        "validUntil": row.valid_until,
        "maxUses": row.max_uses,
        "uses": row.uses,
        "derivativesAllowed": row.derivatives_allowed,
        "commercial": row.commercial,
        "exclusivity": row.exclusivity,
        "salt": row.salt,
        "revoked": row.revoked,
        "revocationReason": row.revocation_reason,
        "chainEvidence": {"txHash": row.tx_hash, "blockNumber": row.block_number, "logIndex": row.log_index},
    }


def consent_json(row: ConsentRow) -> dict[str, Any]:
    return {
        "consentId": row.consent_id,
        "subject": row.subject_address,
        "enterpriseAddress": row.enterprise_address,
        "enterpriseId": row.enterprise_id,
        "purpose": row.purpose,
        "purposeHash": row.purpose_hash,
        "salt": row.salt,
        "validUntil": row.valid_until,
        "status": row.status,
        "requestHash": row.request_hash,
    }
