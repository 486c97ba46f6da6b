"""The market's public statistics as a page shows them: the figures data-element programmes publish
(listings made, orders placed, trades accepted and settled, the amounts traded and settled per currency)
for a period of days in China Standard Time, for one exchange or the whole market with each exchange's
share.

The figures are the trades service's (``GET /v1/market/statistics`` answers the same); a period is given
as its first and last day, both included, and defaults to the current month. Each scope's figures are
kept for :data:`CACHE_SECONDS` (published aggregates, the same for every reader): a busy exchange's
year is hundreds of milliseconds of counting, which a page read many times a minute need not repeat.
"""

from __future__ import annotations

import threading
import time as clock
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dataledger.portal.money import format_money
from dataledger.portal.ports import PortalServices
from dataledger.portal.rendering import PageError
from dataledger.registry.market.trades import TradeStatistics

CHINA = ZoneInfo("Asia/Shanghai")
MAX_PERIOD_DAYS = 3660  # ten years: a longer period is a typing mistake, not a question
EARLIEST = date(2000, 1, 1)
MAX_EXCHANGES = 50  # the whole market's table names at most this many exchanges
CACHE_SECONDS = 60.0  # how stale the published figures may be
CACHE_ENTRIES = 512


@dataclass(frozen=True, slots=True)
class Period:
    """The days ``first`` to ``last`` (both included), in China Standard Time."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), CHINA).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The start of the day after ``last`` (the statistics' period ends there, excluded)."""
        return datetime.combine(self.last + timedelta(days=1), time(), CHINA).astimezone(UTC)


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1))


def today() -> date:
    return datetime.now(CHINA).date()


def period_of(first: str | None, last: str | None) -> Period:
    """The period a reader asked for (``YYYY-MM-DD`` days; no first day: the current month's; no last
    day: the end of the first day's month), or a :class:`PageError` in the reader's language."""
    start = _day(first, "from") if first else month_of(today()).first
    end = _day(last, "to") if last else month_of(start).last
    if end < start:
        raise PageError(422, "market.error.period_order")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise PageError(422, "market.error.period_length", {"days": MAX_PERIOD_DAYS})
    return Period(start, end)


def _day(value: str, name: str) -> date:
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        raise PageError(422, "market.error.date", {"name": name}) from None
    if not EARLIEST <= parsed <= date(9998, 12, 31):
        raise PageError(422, "market.error.date", {"name": name})
    return parsed


@dataclass(frozen=True, slots=True)
class Figures:
    """One scope's figures, its amounts written for the reader."""

    exchange_id: str | None
    exchange_name: str | None
    listings: int
    orders: int
    trades: int
    settled: int
    amounts: tuple[tuple[str, str, str], ...]  # (currency, traded, settled), formatted


def figures_of(statistics: TradeStatistics, name: str | None, lang: str) -> Figures:
    return Figures(
        statistics.exchange_id,
        name,
        statistics.listings,
        statistics.orders,
        statistics.trades,
        statistics.settled,
        tuple(
            (currency, format_money(traded, currency, lang), format_money(settled, currency, lang))
            for currency, traded, settled in statistics.amounts
        ),
    )


@dataclass(frozen=True, slots=True)
class StatisticsPage:
    period: Period
    exchanges: tuple[tuple[str, str], ...]  # every exchange that listed, (id, name)
    chosen: str | None  # the exchange asked for (None: the whole market)
    total: Figures
    by_exchange: tuple[Figures, ...]  # the whole market's: each exchange's share


class StatisticsCache:
    """The figures of recent (scope, period) questions, each kept :data:`CACHE_SECONDS`; the oldest
    question is forgotten first beyond :data:`CACHE_ENTRIES`."""

    def __init__(self, ttl_s: float = CACHE_SECONDS, entries: int = CACHE_ENTRIES) -> None:
        self._ttl_s, self._entries = ttl_s, entries
        self._kept: OrderedDict[tuple[int, str | None, datetime, datetime], tuple[float, TradeStatistics]]
        self._kept = OrderedDict()
        self._lock = threading.Lock()

    def figures(self, services: PortalServices, exchange_id: str | None, period: Period) -> TradeStatistics:
        key = (id(services), exchange_id, period.start, period.end)
        now = clock.monotonic()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and now - kept[0] < self._ttl_s:
                return kept[1]
        counted = services.trades.statistics(exchange_id, period.start, period.end)
        with self._lock:
            self._kept[key] = (now, counted)
            self._kept.move_to_end(key)
            while len(self._kept) > self._entries:
                self._kept.popitem(last=False)
        return counted


CACHE = StatisticsCache()


def statistics_page(
    services: PortalServices, exchange: str | None, period: Period, lang: str
) -> StatisticsPage:
    """The figures of ``exchange`` (an exchange's id; ``None``: the whole market, with each exchange's)."""
    exchanges = tuple(services.market_store.exchanges())
    names = dict(exchanges)
    if exchange is not None and exchange not in names:
        raise PageError(404, "market.error.exchange_unknown")
    total = figures_of(CACHE.figures(services, exchange, period), names.get(exchange or ""), lang)
    by_exchange: tuple[Figures, ...] = ()
    if exchange is None:
        by_exchange = tuple(
            figures_of(CACHE.figures(services, exchange_id, period), name, lang)
            for exchange_id, name in exchanges[:MAX_EXCHANGES]
        )
    return StatisticsPage(period, exchanges, exchange, total, by_exchange)
