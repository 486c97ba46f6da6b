"""The SQL side of data vouchers: programmes, their issues and redemptions, and the spend by enterprise
and purpose the programme authority reads."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from dataledger.ledger.sql.market_tables import aware
from dataledger.ledger.sql.voucher_tables import MOVEMENTS, PROGRAMMES
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.errors import AlreadyExists, VoucherProgrammeNotFound
from dataledger.registry.market.vouchers import Programme, ProgrammeRules, VoucherMovement


class VoucherStore:
    """Programmes and movements (``registry.market.voucher_service.VoucherRecords``)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        with engine.begin() as conn:
            PROGRAMMES.create(conn, checkfirst=True)
            MOVEMENTS.create(conn, checkfirst=True)

    def add_programme(self, programme: Programme) -> None:
        rules = programme.rules
        row = {
            "programme_id": programme.programme_id,
            "name": programme.name,
            "authority_id": programme.authority_id,
            "authority_address": programme.authority_address,
            "currency": rules.currency,
            "budget": rules.budget,
            "share_cap_bps": rules.share_cap_bps,
            "enterprise_cap": rules.enterprise_cap,
            "period_seconds": rules.period_seconds,
            "created_at": programme.created_at,
            "evidence_json": json.dumps(programme.evidence.as_json()),
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(PROGRAMMES.insert(), row)
        except IntegrityError:
            raise AlreadyExists("this programme exists", programmeId=programme.programme_id) from None

    def programme(self, programme_id: str) -> Programme:
        with self._engine.connect() as conn:
            row = conn.execute(PROGRAMMES.select().where(PROGRAMMES.c.programme_id == programme_id)).first()
        if row is None:
            raise VoucherProgrammeNotFound("no voucher programme with this id", programmeId=programme_id)
        r = row._mapping
        return Programme(
            programme_id=r["programme_id"],
            name=r["name"],
            authority_id=r["authority_id"],
            authority_address=r["authority_address"],
            rules=ProgrammeRules(
                r["currency"],
                int(r["budget"]),
                int(r["share_cap_bps"]),
                int(r["enterprise_cap"]),
                int(r["period_seconds"]),
            ),
            created_at=aware(r["created_at"]),
            evidence=ChainEvidence.from_json(json.loads(r["evidence_json"])),
        )

    def add_movement(self, movement: VoucherMovement) -> None:
        row = {
            "programme_id": movement.programme_id,
            "kind": movement.kind,
            "enterprise_address": movement.enterprise_address,
            "enterprise_id": movement.enterprise_id,
            "value": movement.value,
            "purpose": movement.purpose.value if movement.purpose else None,
            "reference_id": movement.reference_id,
            "base_amount": movement.base_amount,
            "at": movement.at,
            "tx_hash": movement.evidence.tx_hash,
            "evidence_json": json.dumps(movement.evidence.as_json()),
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(MOVEMENTS.insert(), row)
        except IntegrityError:
            raise AlreadyExists("this movement is recorded", txHash=movement.evidence.tx_hash) from None

    def spend(self, programme_id: str) -> list[dict[str, Any]]:
        """Per enterprise: what it was issued, what it redeemed, and its redemptions by purpose."""
        c = MOVEMENTS.c
        query = (
            select(c.enterprise_address, c.enterprise_id, c.kind, c.purpose, func.count(), func.sum(c.value))
            .where(c.programme_id == programme_id)
            .group_by(c.enterprise_address, c.enterprise_id, c.kind, c.purpose)
            .order_by(c.enterprise_address, c.kind, c.purpose)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        enterprises: dict[str, dict[str, Any]] = {}
        for address, enterprise_id, kind, purpose, count, total in rows:
            entry = enterprises.setdefault(
                address,
                {
                    "enterprise": {"id": enterprise_id, "address": address},
                    "issued": 0,
                    "redeemed": 0,
                    "byPurpose": [],
                },
            )
            if kind == "issue":
                entry["issued"] += int(total)
            else:
                entry["redeemed"] += int(total)
                entry["byPurpose"].append(
                    {"purpose": purpose, "redemptions": int(count), "value": int(total)}
                )
        return list(enterprises.values())
