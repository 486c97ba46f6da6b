"""The FastAPI application: routes under /v1, problem+json errors, OpenAPI at /openapi.json."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from pydantic.alias_generators import to_camel

from dataledger.api.observability import Metrics, ObservabilityMiddleware
from dataledger.api.openapi import openapi_builder
from dataledger.api.ports import ApiServices
from dataledger.api.problems import http_status_of, install_problem_handlers
from dataledger.api.rate_limit import PublicRateLimitMiddleware, RateLimit
from dataledger.api.request_limits import BodyLimits, RequestLimitsMiddleware
from dataledger.api.routes import (
    assets,
    audit,
    bulk,
    certificates,
    consents,
    delivery,
    demands,
    events,
    health,
    holder_acts,
    licences,
    lineage,
    listings,
    log,
    market,
    merchants,
    participants,
    pledges,
    procedure,
    trades,
    vouchers,
)
from dataledger.portal.app import install_portal
from dataledger.portal.ports import PortalServices

# Routes that take whole documents: EPCIS capture and bulk registration.
DOCUMENT_ROUTES = ("/v1/events", "/v1/bulk/")
# Routes whose body is streamed to its route unread (the route bounds it): deposits of delivered files.
STREAMED_ROUTES = (r"^/v1/deliveries/assets/[^/]+/file$",)


def operation_id(route: APIRoute) -> str:
    """An operation's id: its handler's name in camelCase (``registerAsset``), an SDK method's name."""
    return to_camel(route.name)


class AppServices(ApiServices, PortalServices, Protocol):
    """What the app's two edges use: the API's routes and the portal's pages."""


def create_app(services: AppServices, on_shutdown: Sequence[Callable[[], object]] = ()) -> FastAPI:
    """The app over ``services``; ``on_shutdown`` runs when the server stops gracefully (draining)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        for hook in on_shutdown:
            await run_in_threadpool(hook)

    app = FastAPI(
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        title="dataledger",
        version="0.1.0",
        description="Data-rights registration and provenance ledger: registrations anchored on an EVM chain, "
        "verifiable registration certificates (W3C VC 2.0, ecdsa-jcs-2019).",
    )
    app.openapi = openapi_builder(app)  # type: ignore[method-assign]
    app.state.services = services
    install_problem_handlers(app)
    settings = services.settings
    app.add_middleware(
        RequestLimitsMiddleware,
        limits=BodyLimits(
            max_bytes=settings.max_body_bytes,
            max_document_bytes=settings.max_document_body_bytes,
            document_routes=DOCUMENT_ROUTES,
            max_json_depth=settings.max_json_depth,
            streamed_routes=STREAMED_ROUTES,
        ),
    )
    for module in (health, participants, assets, certificates, audit, bulk):
        app.include_router(module.router)
    for module in (procedure, holder_acts, licences, consents, listings, log):
        app.include_router(module.router)
    app.include_router(pledges.router)  # pledge financing
    app.include_router(pledges.book_router)
    app.include_router(delivery.router)  # the delivery gateway: data against a licence use, redeemed once
    # the market: licence templates, listings, the public catalogue
    for router in (market.templates_router, market.listings_router, market.catalogue_router, demands.router):
        app.include_router(router)
    for router in (trades.router, trades.mandates_router, trades.statistics_router):  # orders and trades
        app.include_router(router)
    app.include_router(vouchers.router)  # data vouchers
    app.include_router(vouchers.fees_router)  # registration fees, which vouchers pay part of
    for router in (merchants.router, merchants.policies_router, merchants.applications_router):
        app.include_router(router)  # data merchants by kind, and buyer verification
    # traceability: EPCIS capture and events, item and data-product lineage
    app.include_router(events.router)
    app.include_router(lineage.items_router)
    app.include_router(lineage.router)
    install_portal(
        app, services, status_of=http_status_of
    )  # the pages people use; not in the OpenAPI document
    # Middleware added later runs earlier: an anonymous flood is cut before any body is read, and
    # every request, refused or not, gets its request id, its log line and its metrics.
    app.add_middleware(
        PublicRateLimitMiddleware,
        limit=RateLimit(rate_per_s=settings.public_rate_per_s, burst=settings.public_burst),
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    metrics = Metrics(services.operational_figures)
    app.state.metrics = metrics
    app.add_middleware(ObservabilityMiddleware, metrics=metrics)
    return app
