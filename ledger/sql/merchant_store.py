"""The SQL side of data merchants and buyer verification (``registry.market.merchants``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from dataledger.ledger.sql.market_tables import aware
from dataledger.ledger.sql.merchant_tables import APPLICATIONS, MERCHANT_TABLES, MERCHANTS, POLICIES
from dataledger.ledger.sql.outbox import writer_engine
from dataledger.registry.errors import BuyerApplicationDecided, BuyerApplicationNotFound, MerchantNotFound
from dataledger.registry.market.merchants import (
    ApplicationStatus,
    BuyerApplication,
    BuyerPolicy,
    MerchantEnrolment,
    MerchantKind,
)


class MerchantStore:
    """Enrolments, buyer policies and buyer applications."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = writer_engine(engine)  # on SQLite, BEGIN IMMEDIATE: a check, then a write
        with engine.begin() as conn:
            for table in MERCHANT_TABLES:
                table.create(conn, checkfirst=True)

    # -- enrolments -------------------------------------------------------------------------------

    def save_enrolment(self, enrolment: MerchantEnrolment) -> MerchantEnrolment:
        """Insert the enrolment, or update the kinds and note of the exchange's enrolment of the
        participant (enrolled again if it was withdrawn); the enrolment as stored."""
        values = {
            "exchange_name": enrolment.exchange_name,
            "participant_name": enrolment.participant_name,
            "kinds": " " + " ".join(k.value for k in enrolment.kinds) + " ",
            "note": enrolment.note,
            "updated_at": enrolment.updated_at,
            "withdrawn_at": None,
        }
        where = (MERCHANTS.c.exchange_id == enrolment.exchange_id) & (
            MERCHANTS.c.participant_id == enrolment.participant_id
        )
        for _ in range(2):  # an insert that lost a race with another becomes an update
            with self._engine.begin() as conn:
                if conn.execute(MERCHANTS.update().where(where).values(**values)).rowcount == 0:
                    try:
                        with conn.begin_nested():
                            conn.execute(
                                MERCHANTS.insert(),
                                {
                                    **values,
                                    "exchange_id": enrolment.exchange_id,
                                    "participant_id": enrolment.participant_id,
                                    "enrolled_at": enrolment.enrolled_at,
                                },
                            )
                    except IntegrityError:
                        continue
                break
        return self.enrolment(enrolment.exchange_id, enrolment.participant_id)

    def withdraw_enrolment(self, exchange_id: str, participant_id: str, at: datetime) -> MerchantEnrolment:
        with self._engine.begin() as conn:
            updated = conn.execute(
                MERCHANTS.update()
                .where(
                    (MERCHANTS.c.exchange_id == exchange_id)
                    & (MERCHANTS.c.participant_id == participant_id)
                    & MERCHANTS.c.withdrawn_at.is_(None)
                )
                .values(withdrawn_at=at, updated_at=at)
            )
        if updated.rowcount == 0:
            raise MerchantNotFound(
                "the exchange has no standing enrolment of this participant",
                exchangeId=exchange_id,
                participantId=participant_id,
            )
        return self.enrolment(exchange_id, participant_id)

    def enrolment(self, exchange_id: str, participant_id: str) -> MerchantEnrolment:
        with self._engine.connect() as conn:
            row = conn.execute(
                MERCHANTS.select().where(
                    (MERCHANTS.c.exchange_id == exchange_id) & (MERCHANTS.c.participant_id == participant_id)
                )
            ).first()
        if row is None:
            raise MerchantNotFound(
                "the exchange has not enrolled this participant",
                exchangeId=exchange_id,
                participantId=participant_id,
            )
        return _enrolment_of(row._mapping)

    def enrolments(
        self,
        *,
        kind: MerchantKind | None,
        exchange_id: str | None,
        participant_id: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[MerchantEnrolment], int]:
        """Standing enrolments, by exchange then newest first, and how many there are."""
        condition = MERCHANTS.c.withdrawn_at.is_(None)
        if kind is not None:
            condition &= MERCHANTS.c.kinds.like(f"% {kind.value} %")
        if exchange_id is not None:
            condition &= MERCHANTS.c.exchange_id == exchange_id
        if participant_id is not None:
            condition &= MERCHANTS.c.participant_id == participant_id
        with self._engine.connect() as conn:
            rows = conn.execute(
                MERCHANTS.select()
                .where(condition)
                .order_by(MERCHANTS.c.exchange_name, MERCHANTS.c.seq.desc())
                .limit(limit)
                .offset(offset)
            ).all()
            total = int(
                conn.execute(select(func.count()).select_from(MERCHANTS).where(condition)).scalar_one()
            )
        return [_enrolment_of(row._mapping) for row in rows], total

    # -- buyer policies ---------------------------------------------------------------------------

    def set_policy(self, policy: BuyerPolicy) -> None:
        values = {"verification_required": policy.verification_required, "set_by": policy.set_by}
        with self._engine.begin() as conn:
            updated = conn.execute(
                POLICIES.update()
                .where(POLICIES.c.listing_id == policy.listing_id)
                .values(**values, set_at=policy.set_at)
            )
            if updated.rowcount == 0:
                conn.execute(
                    POLICIES.insert(), {**values, "listing_id": policy.listing_id, "set_at": policy.set_at}
                )

    def policy(self, listing_id: str) -> BuyerPolicy | None:
        with self._engine.connect() as conn:
            row = conn.execute(POLICIES.select().where(POLICIES.c.listing_id == listing_id)).first()
        if row is None:
            return None
        return BuyerPolicy(row.listing_id, bool(row.verification_required), row.set_by, aware(row.set_at))

    # -- buyer applications -----------------------------------------------------------------------

    def add_application(self, application: BuyerApplication) -> None:
        """Store a pending application, unless the buyer already has one pending or approved for the
        listing (then BuyerApplicationDecided). The check and the insert are one transaction."""
        with self._writer.begin() as conn:
            if conn.dialect.name == "postgresql":  # serialise the applications to one listing
                conn.exec_driver_sql(
                    "SELECT pg_advisory_xact_lock(1145848905, hashtext(%(listing)s))",
                    {"listing": application.listing_id},
                )
            standing = conn.execute(
                select(APPLICATIONS.c.application_id, APPLICATIONS.c.status).where(
                    (APPLICATIONS.c.listing_id == application.listing_id)
                    & (APPLICATIONS.c.buyer_address == application.buyer_address)
                    & APPLICATIONS.c.status.in_(
                        [ApplicationStatus.PENDING.value, ApplicationStatus.APPROVED.value]
                    )
                )
            ).first()
            if standing is not None:
                raise BuyerApplicationDecided(
                    f"this buyer already has an application {standing.status} for the listing",
                    applicationId=standing.application_id,
                    status=standing.status,
                )
            conn.execute(
                APPLICATIONS.insert(),
                {
                    "application_id": application.application_id,
                    "listing_id": application.listing_id,
                    "exchange_id": application.exchange_id,
                    "holder": application.holder,
                    "buyer_id": application.buyer_id,
                    "buyer_name": application.buyer_name,
                    "buyer_address": application.buyer_address,
                    "purpose": application.purpose,
                    "status": application.status.value,
                    "applied_at": application.applied_at,
                },
            )

    def application(self, application_id: str) -> BuyerApplication:
        with self._engine.connect() as conn:
            row = conn.execute(
                APPLICATIONS.select().where(APPLICATIONS.c.application_id == application_id.lower())
            ).first()
        if row is None:
            raise BuyerApplicationNotFound("no buyer application with this id", applicationId=application_id)
        return application_of(row._mapping)

    def applications(
        self,
        *,
        listing_id: str | None = None,
        holder: str | None = None,
        buyer_id: str | None = None,
        status: ApplicationStatus | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[BuyerApplication], int]:
        """Applications, newest first, and how many there are."""
        condition = APPLICATIONS.c.seq.is_not(None)
        if listing_id is not None:
            condition &= APPLICATIONS.c.listing_id == listing_id
        if holder is not None:
            condition &= APPLICATIONS.c.holder == holder.lower()
        if buyer_id is not None:
            condition &= APPLICATIONS.c.buyer_id == buyer_id
        if status is not None:
            condition &= APPLICATIONS.c.status == status.value
        with self._engine.connect() as conn:
            rows = conn.execute(
                APPLICATIONS.select()
                .where(condition)
                .order_by(APPLICATIONS.c.seq.desc())
                .limit(limit)
                .offset(offset)
            ).all()
            total = int(
                conn.execute(select(func.count()).select_from(APPLICATIONS).where(condition)).scalar_one()
            )
        return [application_of(row._mapping) for row in rows], total

    def decide(
        self,
        application_id: str,
        status: ApplicationStatus,
        reason: str,
        deadline: int,
        signature: str,
        at: datetime,
    ) -> BuyerApplication:
        """Record the holder's decision on a pending application (BuyerApplicationDecided if it is not
        pending any more: two decisions never both land)."""
        with self._engine.begin() as conn:
            updated = conn.execute(
                APPLICATIONS.update()
                .where(
                    (APPLICATIONS.c.application_id == application_id)
                    & (APPLICATIONS.c.status == ApplicationStatus.PENDING.value)
                )
                .values(
                    status=status.value,
                    reason=reason,
                    decision_deadline=deadline,
                    decision_signature=signature,
                    decided_at=at,
                )
            )
        if updated.rowcount == 0:
            current = self.application(application_id)
            raise BuyerApplicationDecided(
                f"the application is already {current.status.value}",
                applicationId=application_id,
                status=current.status.value,
            )
        return self.application(application_id)

    def approved(self, listing_id: str, buyer_address: str) -> bool:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(APPLICATIONS.c.seq).where(
                    (APPLICATIONS.c.listing_id == listing_id)
                    & (APPLICATIONS.c.buyer_address == buyer_address.lower())
                    & (APPLICATIONS.c.status == ApplicationStatus.APPROVED.value)
                )
            ).first()
        return row is not None


def _enrolment_of(row: Any) -> MerchantEnrolment:
    return MerchantEnrolment(
        exchange_id=row["exchange_id"],
        exchange_name=row["exchange_name"],
        participant_id=row["participant_id"],
        participant_name=row["participant_name"],
        kinds=tuple(MerchantKind(k) for k in row["kinds"].split()),
        note=row["note"],
        enrolled_at=aware(row["enrolled_at"]),
        updated_at=aware(row["updated_at"]),
        withdrawn_at=aware(row["withdrawn_at"]) if row["withdrawn_at"] is not None else None,
    )


def application_of(row: Any) -> BuyerApplication:
    return BuyerApplication(
        application_id=row["application_id"],
        listing_id=row["listing_id"],
        exchange_id=row["exchange_id"],
        holder=row["holder"],
        buyer_id=row["buyer_id"],
        buyer_name=row["buyer_name"],
        buyer_address=row["buyer_address"],
        purpose=row["purpose"],
        status=ApplicationStatus(row["status"]),
        applied_at=aware(row["applied_at"]),
        reason=row["reason"],
        decision_deadline=int(row["decision_deadline"]) if row["decision_deadline"] is not None else None,
        decision_signature=row["decision_signature"],
        decided_at=aware(row["decided_at"]) if row["decided_at"] is not None else None,
    )
