"""``/market/statistics``: the market's public figures for a period, per exchange or for the whole market
with each exchange's share, in both languages; a bad period or an unknown exchange is a page saying so."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest

from dataledger.portal.market_statistics import CHINA, Period, StatisticsCache, month_of, period_of
from dataledger.portal.money import format_money
from dataledger.portal.rendering import PageError
from dataledger.registry.market.trades import TradeStatistics
from tests.portal.conftest import Portal
from tests.portal.story import EXCHANGE_NAME


def around_now() -> dict[str, str]:
    """A period of three days around now in China Standard Time (the story's trades are in it)."""
    today = datetime.now(CHINA).date()
    return {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}


def statistics(portal: Portal, lang: str, **params: str) -> httpx.Response:
    return httpx.get(f"{portal.url}/market/statistics", params={**params, "lang": lang}, timeout=30)


def figure(page: str, test_id: str) -> str:
    start = page.index(f'data-testid="{test_id}">') + len(f'data-testid="{test_id}">')
    return page[start : page.index("</dd>", start)].strip()


def api_figures(portal: Portal, exchange: str | None = None) -> dict[str, Any]:
    """The API's statistics for the same period (the page shows the same figures, written out)."""
    period = Period(*(date.fromisoformat(day) for day in around_now().values()))
    params = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    answer = httpx.get(
        f"{portal.url}/v1/market/statistics",
        params={**params, **({"exchange": exchange} if exchange else {})},
    )
    assert answer.status_code == 200
    figures: dict[str, Any] = answer.json()
    return figures


def test_an_exchanges_figures_count_its_listings_orders_trades_and_amounts(portal: Portal) -> None:
    exchange = portal.story.market.exchange_id
    page = statistics(portal, "en", exchange=exchange, **around_now())
    assert page.status_code == 200
    text = page.text
    assert EXCHANGE_NAME in figure(text, "scope")
    expected = api_figures(portal, exchange)
    # the story's (other tests of this session may add orders): two orders, one trade settled at least
    assert expected["orders"] >= 2 and expected["settledTrades"] >= 1
    shown = [figure(text, name) for name in ("listings", "orders", "trades", "settled")]
    assert shown == [str(expected[k]) for k in ("listings", "orders", "trades", "settledTrades")]
    (amounts,) = expected["amounts"]
    assert figure(text, "amount-traded") == format_money(amounts["traded"], "CNY", "en")
    assert figure(text, "amount-settled") == format_money(amounts["settled"], "CNY", "en") == "CN¥1,200.00"
    assert f'<option value="{exchange}" selected>' in text


def test_the_whole_market_shows_each_exchanges_share_in_chinese(portal: Portal) -> None:
    page = statistics(portal, "zh", **around_now())
    assert page.status_code == 200 and '<html lang="zh-Hans">' in page.text
    assert "数据交易市场统计" in page.text and "全部交易所" in page.text
    (amounts,) = api_figures(portal)["amounts"]
    assert figure(page.text, "amount-traded") == format_money(amounts["traded"], "CNY", "zh")
    assert figure(page.text, "amount-settled") == "¥1,200.00"
    assert 'data-testid="by-exchange"' in page.text
    assert f'data-exchange-id="{portal.story.market.exchange_id}"' in page.text


def test_a_period_without_trades_counts_nothing(portal: Portal) -> None:
    page = statistics(portal, "en", **{"from": "2001-01-01", "to": "2001-01-31"})
    assert page.status_code == 200
    assert (figure(page.text, "orders"), figure(page.text, "trades")) == ("0", "0")
    assert figure(page.text, "amount-traded") == "—"


@pytest.mark.parametrize(
    ("params", "status", "zh", "en"),
    [
        ({"from": "2026-13-01"}, 422, "应写作 YYYY-MM-DD", "is written YYYY-MM-DD"),
        ({"from": "yesterday"}, 422, "应写作 YYYY-MM-DD", "is written YYYY-MM-DD"),
        (
            {"from": "2026-11-30", "to": "2026-11-01"},
            422,
            "截止日期早于起始日期",
            "comes before the first day",
        ),
        ({"from": "2000-01-01", "to": "2026-11-30"}, 422, "期间过长", "too long"),
        ({"exchange": "no-such-exchange"}, 404, "没有挂牌过产品的此交易所", "No exchange with this id"),
        ({"exchange": "x" * 37}, 422, "参数", "parameter"),
    ],
)
def test_a_bad_period_or_exchange_is_a_page_in_the_readers_language(
    portal: Portal, params: dict[str, str], status: int, zh: str, en: str
) -> None:
    for lang, message in (("zh", zh), ("en", en)):
        page = statistics(portal, lang, **params)
        assert page.status_code == status
        assert page.headers["content-type"].startswith("text/html")
        assert message in page.text


def test_a_period_is_its_days_in_china_standard_time_the_current_month_by_default() -> None:
    period = Period(date(2026, 11, 1), date(2026, 11, 30))
    assert period.start.isoformat() == "2026-10-31T16:00:00+00:00"
    assert period.end.isoformat() == "2026-11-30T16:00:00+00:00"
    assert period_of("2026-02-03", None) == Period(date(2026, 2, 3), date(2026, 2, 28))
    assert period_of(None, None) == month_of(datetime.now(CHINA).date())
    with pytest.raises(PageError) as refused:
        period_of("2026-02-03", "2026-02-02")
    assert refused.value.key == "market.error.period_order"


class CountingTrades:
    """The trades service's statistics, counting how often it is asked."""

    def __init__(self) -> None:
        self.asked = 0

    def statistics(self, exchange_id: str | None, start: datetime, end: datetime) -> TradeStatistics:
        self.asked += 1
        return TradeStatistics(exchange_id, start, end, 1, self.asked, 0, 0, ())


class FakeServices:
    def __init__(self) -> None:
        self.trades = CountingTrades()


def test_the_figures_of_a_question_are_counted_once_a_minute_and_old_questions_forgotten() -> None:
    services, period = FakeServices(), Period(date(2026, 11, 1), date(2026, 11, 30))
    cache = StatisticsCache(ttl_s=60, entries=2)
    first = cache.figures(services, "ex", period)  # type: ignore[arg-type]
    assert cache.figures(services, "ex", period) is first  # type: ignore[arg-type]
    assert services.trades.asked == 1
    cache.figures(services, None, period)  # type: ignore[arg-type]
    cache.figures(services, "other", period)  # type: ignore[arg-type]  # "ex" is the oldest: forgotten
    assert cache.figures(services, "ex", period).orders == 4  # type: ignore[arg-type]
    expired = StatisticsCache(ttl_s=0, entries=2)
    expired.figures(services, "ex", period)  # type: ignore[arg-type]
    expired.figures(services, "ex", period)  # type: ignore[arg-type]
    assert services.trades.asked == 6
