"""The SQL side of data vouchers: programmes, their issues and redemptions, the spend by enterprise and
purpose the programme authority reads, and the registration fees registrars recorded."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from dataledger.ledger.sql.market_tables import aware
from dataledger.ledger.sql.voucher_tables import FEES, MOVEMENTS, PROGRAMMES
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.errors import (
    AlreadyExists,
    RegistrationFeeAlreadyRecorded,
    RegistrationFeeNotFound,
    VoucherProgrammeNotFound,
)
from dataledger.registry.market.vouchers import (
    Programme,
    ProgrammeRules,
    RegistrationFee,
    VoucherMovement,
    VoucherPurpose,
)


class VoucherStore:
    """Programmes and movements (``registry.market.voucher_service.VoucherRecords``)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        with engine.begin() as conn:
            PROGRAMMES.create(conn, checkfirst=True)
            MOVEMENTS.create(conn, checkfirst=True)
            FEES.create(conn, checkfirst=True)

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

    # -- registration fees ------------------------------------------------------------------------

    def add_fee(self, fee: RegistrationFee) -> None:
        row = {
            "asset_id": fee.asset_id,
            "registrar_id": fee.registrar_id,
            "registrar_address": fee.registrar_address,
            "payer_id": fee.payer_id,
            "payer_address": fee.payer_address,
            "amount": fee.amount,
            "currency": fee.currency,
            "recorded_at": fee.recorded_at,
            "evidence_json": json.dumps(fee.evidence.as_json()),
            "redeemed_in": fee.redeemed_in,
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(FEES.insert(), row)
        except IntegrityError:
            raise RegistrationFeeAlreadyRecorded(
                "a registration fee is already recorded for this asset", assetId=fee.asset_id
            ) from None

    def fee(self, asset_id: str) -> RegistrationFee:
        with self._engine.connect() as conn:
            row = conn.execute(FEES.select().where(FEES.c.asset_id == asset_id.lower())).first()
        if row is None:
            raise RegistrationFeeNotFound("no registration fee recorded for this asset", assetId=asset_id)
        r = row._mapping
        return RegistrationFee(
            asset_id=r["asset_id"],
            registrar_id=r["registrar_id"],
            registrar_address=r["registrar_address"],
            payer_id=r["payer_id"],
            payer_address=r["payer_address"],
            amount=int(r["amount"]),
            currency=r["currency"],
            recorded_at=aware(r["recorded_at"]),
            evidence=ChainEvidence.from_json(json.loads(r["evidence_json"])),
            redeemed_in=r["redeemed_in"],
        )

    def fee_redeemed(self, asset_id: str, programme_id: str) -> None:
        """Note the programme whose vouchers were redeemed against the fee (idempotent: recovery may
        record the same redemption again)."""
        with self._engine.begin() as conn:
            conn.execute(
                FEES.update()
                .where(FEES.c.asset_id == asset_id.lower(), FEES.c.redeemed_in.is_(None))
                .values(redeemed_in=programme_id.lower())
            )

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

    # -- reads for the portal (additive) ----------------------------------------------------------

    def programme_ids_of_authority(self, authority_id: str) -> list[str]:
        """The ids of the programmes ``authority_id`` created, the newest first."""
        c = PROGRAMMES.c
        query = select(c.programme_id).where(c.authority_id == authority_id).order_by(c.created_at.desc())
        with self._engine.connect() as conn:
            return [str(row[0]) for row in conn.execute(query).all()]

    def holdings_of(self, enterprise_address: str) -> list[dict[str, Any]]:
        """Per programme, what ``enterprise_address`` was issued and redeemed (by purpose), as recorded."""
        c = MOVEMENTS.c
        query = (
            select(
                c.programme_id, PROGRAMMES.c.name, PROGRAMMES.c.currency, c.kind, c.purpose, func.sum(c.value)
            )
            .join(PROGRAMMES, PROGRAMMES.c.programme_id == c.programme_id)
            .where(c.enterprise_address == enterprise_address.lower())
            .group_by(c.programme_id, PROGRAMMES.c.name, PROGRAMMES.c.currency, c.kind, c.purpose)
            .order_by(PROGRAMMES.c.name, c.programme_id)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        held: dict[str, dict[str, Any]] = {}
        for programme_id, name, currency, kind, purpose, total in rows:
            entry = held.setdefault(
                programme_id,
                {
                    "programmeId": programme_id,
                    "name": name,
                    "currency": currency,
                    "issued": 0,
                    "redeemed": 0,
                    "byPurpose": {},
                },
            )
            if kind == "issue":
                entry["issued"] += int(total)
            else:
                entry["redeemed"] += int(total)
                entry["byPurpose"][purpose] = entry["byPurpose"].get(purpose, 0) + int(total)
        return list(held.values())

    def movements_of(self, enterprise_address: str, *, limit: int = 50) -> list[VoucherMovement]:
        """The issues to and redemptions by ``enterprise_address``, the newest first."""
        c = MOVEMENTS.c
        query = (
            MOVEMENTS.select()
            .where(c.enterprise_address == enterprise_address.lower())
            .order_by(c.seq.desc())
            .limit(limit)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            VoucherMovement(
                programme_id=r["programme_id"],
                kind=r["kind"],
                enterprise_address=r["enterprise_address"],
                enterprise_id=r["enterprise_id"],
                value=int(r["value"]),
                at=aware(r["at"]),
                evidence=ChainEvidence.from_json(json.loads(r["evidence_json"])),
                purpose=VoucherPurpose(r["purpose"]) if r["purpose"] else None,
                reference_id=r["reference_id"],
                base_amount=int(r["base_amount"]) if r["base_amount"] is not None else None,
            )
            for r in (row._mapping for row in rows)
        ]
