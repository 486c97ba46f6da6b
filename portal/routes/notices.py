"""``/notices``: the public notice board, its search, and a permalink per record."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from dataledger.portal.deps import PortalServicesDep
from dataledger.portal.notice_board import in_notice, notice_record
from dataledger.portal.rendering import PageError, PageRoute, language_of, render
from dataledger.portal.signing import signing_data
from dataledger.registry.asset_queries import HistoryQuery
from dataledger.registry.chain_types import require_hex32
from dataledger.registry.errors import ValidationFailed

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_QUERY = 200
MAX_PAGE = 10_000


@router.get("/notices", response_class=HTMLResponse)
def notice_board(
    request: Request,
    services: PortalServicesDep,
    q: str = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    query = q.strip()[:MAX_QUERY]
    board = in_notice(services, query, page)
    return render(request, "notices.html", {"notices": board.notices, "board": board, "query": query})


@router.get("/notices/{asset_id}", response_class=HTMLResponse)
def notice_permalink(asset_id: str, request: Request, services: PortalServicesDep) -> HTMLResponse:
    try:
        asset_id = require_hex32(asset_id, "assetId")
    except ValidationFailed:
        raise PageError(404, "problem.asset-not-found") from None
    notice = notice_record(services, asset_id)
    filed = services.asset_queries.history(None, asset_id, HistoryQuery(act="objection-filed", limit=100))
    return render(
        request,
        "notice.html",
        {
            "notice": notice,
            "objections": [
                {**item, "at": datetime.fromisoformat(str(item["at"])) if item.get("at") else None}
                for item in filed["items"]
            ],
            # the objection is signed in the page, by the objector's own key
            "signing": signing_data(services, language_of(request), frozenset({"Objection"}), "object."),
        },
    )
