"""Mounts the portal on an app: its pages (kept out of the OpenAPI document) and its static files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from dataledger.portal.ports import PortalServices
from dataledger.portal.rendering import PortalConfig
from dataledger.portal.routes import (
    assets,
    certificates,
    desks,
    home,
    market,
    notices,
    pledge_certificates,
    resolver,
    trace,
    verify,
    workbench,
    workspace,
)
from dataledger.registry.errors import DataLedgerError

STATIC = Path(__file__).parent / "static"


def install_portal(
    app: FastAPI, services: PortalServices, *, status_of: Callable[[DataLedgerError], int]
) -> None:
    """Serve the portal's pages on ``app``, over ``services``; ``status_of`` gives a domain error's HTTP
    status, the same table the API answers with."""
    app.state.portal = PortalConfig(services=services, status_of=status_of)
    for module in (
        home,
        verify,
        resolver,
        notices,
        certificates,
        assets,
        trace,
        workbench,
        workspace,
        desks,
        market,
        pledge_certificates,
    ):
        app.include_router(module.router, include_in_schema=False)
    for data in (workbench.data_router, desks.data_router):
        app.include_router(data, include_in_schema=False)
    app.mount("/static/portal", StaticFiles(directory=STATIC), name="portal-static")
