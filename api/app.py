"""The FastAPI application: routes under /v1, problem+json errors, OpenAPI at /openapi.json."""

from __future__ import annotations

from fastapi import FastAPI

from api.problems import install_problem_handlers
from api.routes import assets, audit, certificates, health, participants
from scripts.composition import Services


def create_app(services: Services) -> FastAPI:
    app = FastAPI(
        title="dataledger",
        version="0.1.0",
        description="Data-rights registration and provenance ledger: registrations anchored on an EVM chain, "
        "verifiable registration certificates (W3C VC 2.0, ecdsa-jcs-2019).",
    )
    app.state.services = services
    install_problem_handlers(app)
    for module in (health, participants, assets, certificates, audit):
        app.include_router(module.router)
    return app
