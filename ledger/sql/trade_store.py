"""The SQL side of orders and trades, the holders' mandates, and the market's statistics per exchange and
period.

Works on the database of :class:`ledger.sql.store.SqlStore`, beside the market's listings (which the
statistics count). Each step of a trade updates its one row only from the status the step follows, so
two concurrent steps cannot both apply.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from dataledger.ledger.sql.market_tables import LISTINGS, aware
from dataledger.ledger.sql.trade_tables import MANDATES, TRADES
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.errors import (
    AlreadyExists,
    TradeInvalidStatus,
    TradeLicenceMismatch,
    TradeMandateNotInForce,
    TradeNotFound,
)
from dataledger.registry.market.trades import Mandate, Trade, TradeRole, TradeStatistics, TradeStatus


def _evidence_json(evidence: ChainEvidence | None) -> str | None:
    return json.dumps(evidence.as_json()) if evidence else None


def _evidence(value: str | None) -> ChainEvidence | None:
    return ChainEvidence.from_json(json.loads(value)) if value else None


class TradeStore:
    """Orders and trades (``registry.market.trade_ports.TradeRecords``)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        with engine.begin() as conn:
            TRADES.create(conn, checkfirst=True)
            MANDATES.create(conn, checkfirst=True)

    def add_trade(self, trade: Trade) -> None:
        row = {
            "order_id": trade.order_id,
            "listing_id": trade.listing_id,
            "asset_id": trade.asset_id,
            "exchange_id": trade.exchange_id,
            "exchange_name": trade.exchange_name,
            "buyer_id": trade.buyer_id,
            "buyer_address": trade.buyer_address,
            "seller_address": trade.seller_address,
            "amount": trade.amount,
            "currency": trade.currency,
            "terms_hash": trade.terms_hash,
            "licence_template_id": trade.licence_template_id,
            "licence_template_version": trade.licence_template_version,
            "status": trade.status.value,
            "ordered_at": trade.ordered_at,
            "order_evidence": _evidence_json(trade.order_evidence),
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(TRADES.insert(), row)
        except IntegrityError:
            raise AlreadyExists("this order is already recorded", orderId=trade.order_id) from None

    def trade(self, order_id: str) -> Trade:
        with self._engine.connect() as conn:
            row = conn.execute(TRADES.select().where(TRADES.c.order_id == order_id.lower())).first()
        if row is None:
            raise TradeNotFound("no order with this id", orderId=order_id)
        return _trade_of(row._mapping)

    def trades(
        self,
        *,
        party_id: str | None,
        party_address: str | None,
        limit: int,
        offset: int,
        status: TradeStatus | None = None,
        role: TradeRole | None = None,
    ) -> tuple[list[Trade], int]:
        """A page of trades, newest first, of a party (in ``role``, else as buyer, exchange or seller), or
        of everyone; only those in ``status`` if given."""
        condition: Any = true()
        if party_id is not None:
            parts = {
                TradeRole.BUYER: TRADES.c.buyer_id == party_id,
                TradeRole.EXCHANGE: TRADES.c.exchange_id == party_id,
                TradeRole.SELLER: TRADES.c.seller_address == (party_address or "").lower(),
            }
            condition = parts[role] if role is not None else or_(*parts.values())
        if status is not None:
            condition = and_(condition, TRADES.c.status == status.value)
        with self._engine.connect() as conn:
            rows = conn.execute(
                TRADES.select().where(condition).order_by(TRADES.c.seq.desc()).limit(limit).offset(offset)
            ).all()
            total = int(conn.execute(select(func.count()).select_from(TRADES).where(condition)).scalar_one())
        return [_trade_of(row._mapping) for row in rows], total

    def accept(self, order_id: str, accepted_by: str, at: datetime, evidence: ChainEvidence) -> Trade:
        values = {
            "status": TradeStatus.ACCEPTED.value,
            "accepted_by": accepted_by.lower(),
            "accepted_at": at,
            "acceptance_evidence": _evidence_json(evidence),
        }
        return self._step(order_id, (TradeStatus.ORDERED,), values)

    def close(
        self,
        order_id: str,
        settled: bool,
        at: datetime,
        evidence: ChainEvidence,
        *,
        reference: str | None = None,
        settlement_hash: str | None = None,
        reason: str | None = None,
    ) -> Trade:
        values = {
            "status": (TradeStatus.SETTLED if settled else TradeStatus.CANCELLED).value,
            "closed_at": at,
            "closing_evidence": _evidence_json(evidence),
            "settlement_reference": reference,
            "settlement_hash": settlement_hash,
            "cancellation_reason": reason,
        }
        before = (TradeStatus.ACCEPTED,) if settled else (TradeStatus.ORDERED, TradeStatus.ACCEPTED)
        return self._step(order_id, before, values)

    def link_licence(self, order_id: str, licence_id: int, evidence: ChainEvidence) -> Trade:
        with self._engine.begin() as conn:
            linked = conn.execute(
                TRADES.update()
                .where(TRADES.c.order_id == order_id, TRADES.c.licence_id.is_(None))
                .values(licence_id=licence_id, licence_evidence=_evidence_json(evidence))
            ).rowcount
        if linked != 1:
            raise TradeLicenceMismatch("the trade already has its licence", orderId=order_id)
        return self.trade(order_id)

    # -- mandates --------------------------------------------------------------------------------

    def add_mandate(self, mandate: Mandate) -> None:
        """Record a grant; an earlier grant of the same holder, agent and listing still standing is
        superseded (the chain keeps only the latest)."""
        c = MANDATES.c
        row = {
            "listing_id": mandate.listing_id,
            "holder": mandate.holder,
            "agent": mandate.agent,
            "valid_until": mandate.valid_until,
            "granted_at": mandate.granted_at,
            "grant_tx_hash": mandate.grant_evidence.tx_hash,
            "grant_evidence": _evidence_json(mandate.grant_evidence),
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    MANDATES.update()
                    .where(*self._same_mandate(mandate.holder, mandate.agent, mandate.listing_id))
                    .where(c.ended.is_(None))
                    .values(ended="superseded")
                )
                conn.execute(MANDATES.insert(), row)
        except IntegrityError:
            raise AlreadyExists(
                "this mandate is already recorded", txHash=mandate.grant_evidence.tx_hash
            ) from None

    def revoke_mandate(
        self, holder: str, agent: str, listing_id: str, at: datetime, evidence: ChainEvidence
    ) -> Mandate:
        """Mark the standing grant revoked; refused if none stands (never granted, or revoked)."""
        c = MANDATES.c
        with self._engine.begin() as conn:
            changed = conn.execute(
                MANDATES.update()
                .where(*self._same_mandate(holder, agent, listing_id))
                .where(c.ended.is_(None))
                .values(ended="revoked", revoked_at=at, revocation_evidence=_evidence_json(evidence))
            ).rowcount
        if changed != 1:
            raise TradeMandateNotInForce(
                "no standing mandate of this holder for this agent and listing",
                holder=holder,
                agent=agent,
                listingId=listing_id,
            )
        current = self.current_mandate(holder, agent, listing_id)
        assert current is not None  # just revoked
        return current

    def current_mandate(self, holder: str, agent: str, listing_id: str) -> Mandate | None:
        """The latest grant of ``holder`` to ``agent`` for ``listing_id`` (revoked or not), or None."""
        with self._engine.connect() as conn:
            row = conn.execute(
                MANDATES.select()
                .where(*self._same_mandate(holder, agent, listing_id))
                .order_by(MANDATES.c.seq.desc())
                .limit(1)
            ).first()
        return None if row is None else _mandate_of(row._mapping)

    def mandates(self, listing_id: str) -> list[Mandate]:
        """Every grant for ``listing_id``, newest first: the mandates' history."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                MANDATES.select()
                .where(MANDATES.c.listing_id == listing_id.lower())
                .order_by(MANDATES.c.seq.desc())
            ).all()
        return [_mandate_of(row._mapping) for row in rows]

    @staticmethod
    def _same_mandate(holder: str, agent: str, listing_id: str) -> tuple[Any, ...]:
        c = MANDATES.c
        return (c.holder == holder.lower(), c.agent == agent.lower(), c.listing_id == listing_id.lower())

    # -- statistics -------------------------------------------------------------------------------

    def statistics(self, exchange_id: str | None, start: datetime, end: datetime) -> TradeStatistics:
        """Listings made, orders placed, trades accepted (not cancelled since) and settled in
        ``[start, end)``, with the amounts traded and settled per currency."""

        def within(column: Any) -> Any:
            clause = and_(column >= start, column < end)
            return clause if exchange_id is None else and_(clause, TRADES.c.exchange_id == exchange_id)

        listed = and_(LISTINGS.c.listed_at >= start, LISTINGS.c.listed_at < end)
        if exchange_id is not None:
            listed = and_(listed, LISTINGS.c.exchange_id == exchange_id)
        traded = and_(within(TRADES.c.accepted_at), TRADES.c.status != TradeStatus.CANCELLED.value)
        settled = and_(within(TRADES.c.closed_at), TRADES.c.status == TradeStatus.SETTLED.value)
        count = func.count()
        with self._engine.connect() as conn:
            listings = conn.execute(select(count).select_from(LISTINGS).where(listed)).scalar_one()
            ordered = within(TRADES.c.ordered_at)
            orders = conn.execute(select(count).select_from(TRADES).where(ordered)).scalar_one()
            amounts: dict[str, list[int]] = {}
            trades = settled_count = 0
            for index, condition in enumerate((traded, settled)):
                per_currency = conn.execute(
                    select(TRADES.c.currency, count, func.sum(TRADES.c.amount))
                    .where(condition)
                    .group_by(TRADES.c.currency)
                ).all()
                for currency, n, total in per_currency:
                    amounts.setdefault(currency, [0, 0])[index] = int(total or 0)
                    if index == 0:
                        trades += int(n)
                    else:
                        settled_count += int(n)
        return TradeStatistics(
            exchange_id=exchange_id,
            period_from=start,
            period_to=end,
            listings=int(listings),
            orders=int(orders),
            trades=trades,
            settled=settled_count,
            amounts=tuple((c, a[0], a[1]) for c, a in sorted(amounts.items())),
        )

    def _step(self, order_id: str, before: tuple[TradeStatus, ...], values: dict[str, Any]) -> Trade:
        with self._engine.begin() as conn:
            changed = conn.execute(
                TRADES.update()
                .where(TRADES.c.order_id == order_id, TRADES.c.status.in_([s.value for s in before]))
                .values(**values)
            ).rowcount
        if changed != 1:
            current = self.trade(order_id)
            raise TradeInvalidStatus(
                f"the trade is {current.status.value}", orderId=order_id, status=current.status.value
            )
        return self.trade(order_id)


def _trade_of(row: Any) -> Trade:
    def when(value: Any) -> datetime | None:
        return aware(value) if value is not None else None

    order_evidence = _evidence(row["order_evidence"])
    assert order_evidence is not None  # every stored order was placed on chain
    return Trade(
        order_id=row["order_id"],
        listing_id=row["listing_id"],
        asset_id=row["asset_id"],
        exchange_id=row["exchange_id"],
        exchange_name=row["exchange_name"],
        buyer_id=row["buyer_id"],
        buyer_address=row["buyer_address"],
        seller_address=row["seller_address"],
        amount=int(row["amount"]),
        currency=row["currency"],
        terms_hash=row["terms_hash"],
        licence_template_id=row["licence_template_id"],
        licence_template_version=int(row["licence_template_version"]),
        status=TradeStatus(row["status"]),
        ordered_at=aware(row["ordered_at"]),
        order_evidence=order_evidence,
        accepted_by=row["accepted_by"],
        accepted_at=when(row["accepted_at"]),
        acceptance_evidence=_evidence(row["acceptance_evidence"]),
        settlement_reference=row["settlement_reference"],
        settlement_hash=row["settlement_hash"],
        cancellation_reason=row["cancellation_reason"],
        closed_at=when(row["closed_at"]),
        closing_evidence=_evidence(row["closing_evidence"]),
        licence_id=row["licence_id"],
        licence_evidence=_evidence(row["licence_evidence"]),
    )


def _mandate_of(row: Any) -> Mandate:
    grant_evidence = _evidence(row["grant_evidence"])
    assert grant_evidence is not None  # every stored mandate was granted on chain
    return Mandate(
        listing_id=row["listing_id"],
        holder=row["holder"],
        agent=row["agent"],
        valid_until=int(row["valid_until"]),
        granted_at=aware(row["granted_at"]),
        grant_evidence=grant_evidence,
        revoked_at=aware(row["revoked_at"]) if row["revoked_at"] is not None else None,
        revocation_evidence=_evidence(row["revocation_evidence"]),
        superseded=row["ended"] == "superseded",
    )
