"""``GET /``: the home page, linking the public surfaces."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dataledger.portal.rendering import PageRoute, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return render(request, "home.html")
