"""The SQL side of pledge financing (``registry.pledges``): pledges with what they secure, their
valuations, and their registration certificates.

Works on the database of :class:`ledger.sql.store.SqlStore` (it borrows its sessions). Each write is one
transaction that stores the record and the history rows of the act that produced it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from dataledger.ledger.sql.asset_store import history_rows
from dataledger.ledger.sql.number_counters import draw_serial
from dataledger.ledger.sql.tables import PledgeRow, PledgeValuationRow, utcnow
from dataledger.registry.chain_records import ChainAct, act_of
from dataledger.registry.errors import AssetNotPledged, CertificateNotFound
from dataledger.registry.numbering import PledgeCertificateNumber, pledge_certificate_scope

if TYPE_CHECKING:  # the store imports this module for its schema upgrade
    from dataledger.ledger.sql.store import SqlStore

#: The columns pledge financing added to ``pledges`` (a database from before gets them at start-up).
PLEDGE_FINANCING_COLUMNS = {
    "secured_amount": "BIGINT",
    "currency": "VARCHAR(3)",
    "maturity": "BIGINT",
    "valuation": "TEXT",
    "valuation_salt": "VARCHAR(66)",
    "valuation_hash": "VARCHAR(66)",
    "serial": "INTEGER",
    "certificate_number": "VARCHAR(40)",
    "certificate_json": "TEXT",
}


def add_pledge_financing_columns(engine: Engine) -> None:
    """Add the pledge financing columns to a ``pledges`` table created before them (a new one has them)."""
    missing = _missing_columns(engine)
    for name in missing:
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    f"ALTER TABLE pledges ADD COLUMN {name} {PLEDGE_FINANCING_COLUMNS[name]}"
                )
        except DBAPIError:
            if name in _missing_columns(engine):  # else another process added it meanwhile
                raise


def _missing_columns(engine: Engine) -> list[str]:
    present = {column["name"] for column in inspect(engine).get_columns("pledges")}
    return [name for name in PLEDGE_FINANCING_COLUMNS if name not in present]


class PledgeStore:
    def __init__(self, store: SqlStore) -> None:
        self._store = store

    # -- pledges ----------------------------------------------------------------------------------

    def add_pledge(
        self,
        asset_id: str,
        *,
        pledgor_address: str,
        pledgee_id: str | None,
        terms: str,
        salt: str,
        valuation: str,
        valuation_salt: str,
        acts: tuple[ChainAct, ...],
    ) -> dict[str, Any]:
        """The pledge both parties signed, as the chain's ``AssetPledged`` states it, with its texts."""
        pledged = act_of(acts, "AssetPledged")
        args = pledged.args
        row = PledgeRow(
            asset_id=asset_id,
            pledgor_address=pledgor_address,
            pledgee_address=args["pledgee"],
            pledgee_id=pledgee_id,
            terms=terms,
            salt=salt,
            terms_hash=args["termsHash"],
            tx_hash=pledged.evidence.tx_hash,
            block_number=pledged.evidence.block_number,
            log_index=pledged.evidence.log_index,
            secured_amount=int(args["securedAmount"]),
            currency=str(args["currency"]),
            maturity=int(args["maturity"]),
            valuation=valuation,
            valuation_salt=valuation_salt,
            valuation_hash=args["valuationHash"],
        )
        with self._store.session() as session:
            earlier = session.exec(select(func.count()).where(PledgeRow.asset_id == asset_id)).one()
            row.serial = int(earlier) + 1  # as the chain counts the asset's pledges
            session.add(row)
            session.flush()
            assert row.id is not None
            session.add(_valuation(row.id, valuation, valuation_salt, args["valuationHash"], pledged))
            session.add_all(history_rows(asset_id, acts, pledgor_address))
            session.commit()
            return self._json(session, row)

    def record_revaluation(
        self, asset_id: str, valuation: str, salt: str, acts: tuple[ChainAct, ...], *, actor: str
    ) -> dict[str, Any]:
        revalued = act_of(acts, "PledgeRevalued")
        with self._store.session() as session:
            row = self._active(session, asset_id)
            assert row.id is not None
            row.valuation, row.valuation_salt = valuation, salt
            row.valuation_hash = revalued.args["valuationHash"]
            session.add(row)
            session.add(_valuation(row.id, valuation, salt, row.valuation_hash, revalued))
            session.add_all(history_rows(asset_id, acts, actor))
            session.commit()
            return self._json(session, row)

    def close_pledge(
        self, asset_id: str, status: str, acts: tuple[ChainAct, ...], *, actor: str
    ) -> dict[str, Any]:
        """The pledge ended: ``released`` by the pledgee, or ``enforced``."""
        with self._store.session() as session:
            row = self._active(session, asset_id)
            row.status, row.closed_at = status, utcnow()
            session.add(row)
            session.add_all(history_rows(asset_id, acts, actor))
            session.commit()
            return self._json(session, row)

    def active_pledge(self, asset_id: str) -> dict[str, Any] | None:
        with self._store.session() as session:
            row = _active_row(session, asset_id)
            return self._json(session, row) if row is not None else None

    def pledges_of(self, asset_id: str) -> list[dict[str, Any]]:
        """The pledges of the asset, active and ended, oldest first."""
        with self._store.session() as session:
            rows = session.exec(
                select(PledgeRow).where(PledgeRow.asset_id == asset_id).order_by(col(PledgeRow.id))
            ).all()
            return [self._json(session, row) for row in rows]

    def pledges_of_pledgee(
        self, pledgee: str, *, status: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]:
        """A pledgee's pledges on every asset (what a bank sees), newest first."""
        query = select(PledgeRow).where(func.lower(PledgeRow.pledgee_address) == pledgee.lower())
        if status is not None:
            query = query.where(PledgeRow.status == status)
        query = query.order_by(col(PledgeRow.id).desc()).offset(offset).limit(limit)
        with self._store.session() as session:
            return [self._json(session, row) for row in session.exec(query).all()]

    # -- pledge registration certificates ----------------------------------------------------------

    def reserve_pledge_certificate_number(
        self, asset_id: str, year: int, month: int, institution: str
    ) -> str:
        """The number of the active pledge's certificate: reserved at the first preparation, kept after."""
        with self._store.session() as session:
            row = self._active(session, asset_id)
            if row.certificate_number is None:
                serial = draw_serial(session, pledge_certificate_scope(institution, year, month))
                row.certificate_number = str(PledgeCertificateNumber(year, month, institution, serial))
                session.add(row)
                session.commit()
            return row.certificate_number

    def store_pledge_certificate(
        self, asset_id: str, number: str, vc: dict[str, Any], acts: tuple[ChainAct, ...], *, actor: str
    ) -> None:
        with self._store.session() as session:
            row = self._active(session, asset_id)
            row.certificate_number, row.certificate_json = number, json.dumps(vc, sort_keys=True)
            session.add(row)
            session.add_all(history_rows(asset_id, acts, actor, {"number": number}))
            session.commit()

    def pledge_certificate(self, number: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The issued pledge certificate ``number`` and the pledge it certifies."""
        with self._store.session() as session:
            row = session.exec(select(PledgeRow).where(PledgeRow.certificate_number == number)).first()
            if row is None or row.certificate_json is None:
                raise CertificateNotFound("no pledge certificate with this number", number=number)
            return json.loads(row.certificate_json), self._json(session, row)

    def uncertified_pledges(self, *, limit: int = 20, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """Active pledges both parties signed whose registration certificate is not issued yet (what a
        registrar files next), the oldest first, and how many there are."""
        where = (
            PledgeRow.status == "active",
            col(PledgeRow.secured_amount).is_not(None),
            col(PledgeRow.certificate_json).is_(None),
        )
        with self._store.session() as session:
            total = session.exec(select(func.count()).select_from(PledgeRow).where(*where)).one()
            rows = session.exec(
                select(PledgeRow).where(*where).order_by(col(PledgeRow.id)).offset(offset).limit(limit)
            ).all()
            return [pledge_json(row) for row in rows], int(total)

    # -- rows -------------------------------------------------------------------------------------

    @staticmethod
    def _active(session: Any, asset_id: str) -> PledgeRow:
        row = _active_row(session, asset_id)
        if row is None:
            raise AssetNotPledged("the asset has no active pledge", asset_id=asset_id)
        return row

    @staticmethod
    def _json(session: Any, row: PledgeRow) -> dict[str, Any]:
        valuations = session.exec(
            select(PledgeValuationRow)
            .where(PledgeValuationRow.pledge_id == row.id)
            .order_by(col(PledgeValuationRow.id))
        ).all()
        return pledge_json(row, valuations)


def _active_row(session: Any, asset_id: str) -> PledgeRow | None:
    return session.exec(
        select(PledgeRow).where(PledgeRow.asset_id == asset_id, PledgeRow.status == "active")
    ).first()


def _valuation(
    pledge_id: int, valuation: str, salt: str, valuation_hash: str, act: ChainAct
) -> PledgeValuationRow:
    return PledgeValuationRow(
        pledge_id=pledge_id,
        valuation=valuation,
        salt=salt,
        valuation_hash=valuation_hash,
        tx_hash=act.evidence.tx_hash,
        block_number=act.evidence.block_number,
        log_index=act.evidence.log_index,
    )


def pledge_json(row: PledgeRow, valuations: Any = ()) -> dict[str, Any]:
    """A pledge as the API shows it (the visibility of its texts is the service's business)."""
    data: dict[str, Any] = {
        "assetId": row.asset_id,
        "pledgorAddress": row.pledgor_address,
        "pledgeeAddress": row.pledgee_address,
        "pledgeeId": row.pledgee_id,
        "terms": row.terms,
        "termsHash": row.terms_hash,
        "status": row.status,
        "chainEvidence": {"txHash": row.tx_hash, "blockNumber": row.block_number, "logIndex": row.log_index},
    }
    if row.secured_amount is not None:
        data |= {
            "securedAmount": row.secured_amount,
            "currency": row.currency,
            "maturity": row.maturity,
            "valuation": row.valuation,
            "valuationHash": row.valuation_hash,
            "valuations": [
                {
                    "valuation": v.valuation,
                    "valuationHash": v.valuation_hash,
                    "chainEvidence": {
                        "txHash": v.tx_hash,
                        "blockNumber": v.block_number,
                        "logIndex": v.log_index,
                    },
                    "recordedAt": v.recorded_at.isoformat(),
                }
                for v in valuations
            ],
        }
    if row.certificate_json is not None:
        data["certificateNumber"] = row.certificate_number
    return data
