"""``/market/statistics``: the market's public statistics per period, for an exchange or the whole
market (``portal.market_statistics``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from dataledger.portal.deps import PortalServicesDep
from dataledger.portal.market_statistics import month_of, period_of, statistics_page, today
from dataledger.portal.rendering import PageRoute, language_of, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/market/statistics", response_class=HTMLResponse)
async def market_statistics(
    request: Request,
    services: PortalServicesDep,
    exchange: Annotated[str | None, Query(max_length=36)] = None,
    first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    last: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> HTMLResponse:
    period = period_of(first or None, last or None)
    chosen = exchange.strip() or None if exchange is not None else None
    page = await run_in_threadpool(statistics_page, services, chosen, period, language_of(request))
    this_month = month_of(today())
    last_month = month_of(this_month.first - timedelta(days=1))
    this_year = (today().replace(month=1, day=1), today().replace(month=12, day=31))
    return render(
        request,
        "market_statistics.html",
        {
            "page": page,
            "shortcuts": [
                ("market.this_month", this_month.first, this_month.last),
                ("market.last_month", last_month.first, last_month.last),
                ("market.this_year", *this_year),
            ],
        },
    )
