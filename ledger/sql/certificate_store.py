"""Certificates in SQL: numbers reserved per institution and month, the credential, its status, and
where it was recorded."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from sqlmodel import col, select

import dataledger.ledger.sql.event_tables  # registers the EPCIS event and lineage tables in the schema
import dataledger.ledger.sql.index_tables  # registers the event index tables in the schema
import dataledger.ledger.sql.outbox_tables  # noqa: F401 - registers the outbox tables in the schema
from dataledger.ledger.sql.asset_store import history_rows
from dataledger.ledger.sql.number_counters import draw_serial
from dataledger.ledger.sql.records import SqlRecords
from dataledger.ledger.sql.tables import (
    CertificateRow,
    utcnow,
)
from dataledger.registry.assets import AssetState
from dataledger.registry.chain_records import ChainAct
from dataledger.registry.errors import (
    CertificateNotFound,
)
from dataledger.registry.numbering import CertificateNumber, certificate_scope


class CertificateRecords(SqlRecords):
    """The certificates of ``registry.ports.RegistryStore``."""

    # -- certificates -----------------------------------------------------------------------------

    def reserve_certificate_number(self, asset_id: str, year: int, month: int, institution: str) -> str:
        """The next certificate number of ``institution`` in ``year``-``month``
        (``DIP-YYYYMM-IIIIII-NNNNNN``), reserved for ``asset_id`` until its certificate is stored."""
        with self.session() as session:
            serial = draw_serial(session, certificate_scope(institution, year, month))
            number = str(CertificateNumber(year, month, institution, serial))
            session.add(CertificateRow(asset_id=asset_id, number=number))
            session.commit()
            return number

    def reserved_certificate_asset(self, number: str) -> str | None:
        """The asset ``number`` is reserved for while its certificate awaits the registrar's signature."""
        with self.session() as session:
            row = session.exec(select(CertificateRow).where(CertificateRow.number == number)).first()
        return row.asset_id if row is not None and row.status == "issuing" else None

    def release_certificate_number(self, number: str) -> None:
        with self.session() as session:
            row = session.exec(select(CertificateRow).where(CertificateRow.number == number)).first()
            if row is not None and row.status == "issuing":
                row.status = "void"  # numbers are never reused, on any database
                session.add(row)
                session.commit()

    def store_certificate(
        self,
        number: str,
        asset_id: str,
        vc: dict,
        cert_hash: str,
        acts: tuple[ChainAct, ...],
        *,
        actor: str,
        valid_until: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """The certificate is issued and anchored: store it, supersede the previous one, certify the asset."""
        (anchor,) = [act for act in acts if act.event == "CertificateRecorded"]
        with self.session() as session:
            row = session.exec(select(CertificateRow).where(CertificateRow.number == number)).one()
            row.vc_json = json.dumps(vc, sort_keys=True)
            row.certificate_hash = cert_hash
            row.status = "valid"
            row.valid_until = valid_until
            ev = anchor.evidence
            row.record_tx_hash, row.record_block_number = ev.tx_hash, ev.block_number
            row.record_log_index = ev.log_index
            session.add(row)
            for act in acts:
                if act.event == "CertificateSuperseded":
                    old = session.exec(
                        select(CertificateRow).where(
                            CertificateRow.certificate_hash == act.args["certificateHash"]
                        )
                    ).first()
                    if old is not None:
                        old.status, old.superseded_by = "superseded", number
                        session.add(old)
            asset = self._asset_row(session, asset_id)
            asset.state = AssetState.CERTIFIED.value
            asset.updated_at = utcnow()
            session.add(asset)
            session.add_all(history_rows(asset_id, acts, actor, {"number": number, **(detail or {})}))
            session.commit()

    def certificate_record(self, number: str) -> dict[str, Any]:
        """The stored record of certificate ``number``: status, hash, asset, successor, expiry."""
        with self.session() as session:
            row = session.exec(select(CertificateRow).where(CertificateRow.number == number)).first()
        if row is None or row.vc_json is None:
            raise CertificateNotFound("no certificate with this number", number=number)
        return _certificate_json(row)

    def certificate_number_of(self, cert_hash: str) -> str | None:
        with self.session() as session:
            row = session.exec(
                select(CertificateRow).where(CertificateRow.certificate_hash == cert_hash.lower())
            ).first()
        return row.number if row else None

    def certificates_of(self, asset_id: str) -> list[dict[str, Any]]:
        """The asset's issued certificates, oldest first."""
        with self.session() as session:
            rows = session.exec(
                select(CertificateRow)
                .where(CertificateRow.asset_id == asset_id, CertificateRow.vc_json.is_not(None))  # type: ignore[union-attr]
                .order_by(col(CertificateRow.seq))
            ).all()
        return [_certificate_json(r) for r in rows]

    def valid_until_of(self, asset_ids: list[str]) -> dict[str, int]:
        """When the valid certificate of each of ``asset_ids`` expires (Unix seconds, as anchored), in one
        query; an asset without a valid certificate with a term is left out."""
        if not asset_ids:
            return {}
        with self.session() as session:
            rows = session.exec(
                select(CertificateRow.asset_id, CertificateRow.valid_until).where(
                    col(CertificateRow.asset_id).in_(asset_ids),
                    CertificateRow.status == "valid",
                    col(CertificateRow.valid_until).is_not(None),
                )
            ).all()
        return {asset_id: int(until) for asset_id, until in rows if until}

    def get_certificate(self, number: str) -> dict:
        with self.session() as session:
            row = session.exec(select(CertificateRow).where(CertificateRow.number == number)).first()
        if row is None or row.vc_json is None:
            raise CertificateNotFound("no certificate with this number", number=number)
        return json.loads(row.vc_json)

    def certificate_status(self, number: str) -> str:
        with self.session() as session:
            row = session.exec(select(CertificateRow).where(CertificateRow.number == number)).first()
        if row is None:
            raise CertificateNotFound("no certificate with this number", number=number)
        return row.status


def _certificate_json(row: CertificateRow) -> dict[str, Any]:
    subject = json.loads(row.vc_json).get("credentialSubject", {}) if row.vc_json else {}
    holder = subject.get("holder", {}) if isinstance(subject, dict) else {}
    recorded = (
        {
            "txHash": row.record_tx_hash,
            "blockNumber": row.record_block_number,
            "logIndex": row.record_log_index,
        }
        if row.record_tx_hash
        else None
    )
    return {
        "number": row.number,
        "assetId": row.asset_id,
        "certificateHash": row.certificate_hash,
        "status": row.status,
        "validUntil": row.valid_until,
        "supersededBy": row.superseded_by,
        "issuedAt": row.issued_at.replace(tzinfo=UTC).isoformat(),
        "holder": holder.get("address") if isinstance(holder, dict) else None,
        "recordedIn": recorded,
    }
