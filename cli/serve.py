"""``dataledger serve``: the HTTP API in one process, or in ``--workers N`` processes over one PostgreSQL.

One process (the default) builds its services, starts the background work and runs uvicorn on the
app. With ``--workers N`` (N > 1) uvicorn runs N worker processes on one socket; each builds its own
services from the same settings (handed to it as ``DATALEDGER_*`` environment variables) through
:func:`worker_app`. The process holding the database's lease (``ledger.sql.lease``) runs the
background work; the others serve requests and take the lease over if its holder dies. Before the
workers start, this process prepares the database once (schema, contracts, keys, and the recovery
of what a previous run left), so the workers never race to deploy or to create a key.

Several processes need a database they can share, PostgreSQL, and a chain they can share, a node
reached over JSON-RPC: SQLite and the embedded chain live in one process.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from dataledger.registry.errors import ConfigurationError

if TYPE_CHECKING:
    from fastapi import FastAPI

    from dataledger.composition.settings import Settings

WORKER_APP = "dataledger.cli.serve:worker_app"
EXIT_ERROR = 1


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> int:
    """Serve until SIGTERM or Ctrl-C; the exit code."""
    if workers > 1:
        return _serve_workers(settings, host, port, workers)
    import uvicorn

    from dataledger.api.app import create_app
    from dataledger.api.observability import configure_json_logging
    from dataledger.composition import build_services

    json_logs = settings.log_format == "json"
    if json_logs:  # one JSON object per line, with the request id; the access line is ours
        configure_json_logging()
    services = build_services(settings)
    services.start_background_indexer()
    services.start_background_checkpoints()
    try:
        # SIGTERM or Ctrl-C: anchor what was acknowledged before the server stops (uvicorn runs
        # the shutdown hooks, then re-raises the signal, so nothing after uvicorn.run would run).
        app = create_app(services, on_shutdown=[services.drain])
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="info",
            log_config=None if json_logs else uvicorn.config.LOGGING_CONFIG,
            access_log=not json_logs,
        )
    finally:
        services.close()
    return 0


def require_shared_backends(settings: Settings, workers: int) -> None:
    """Several processes need PostgreSQL and an external chain node; refuse anything else."""
    if not settings.effective_database_url.startswith("postgresql"):
        raise ConfigurationError(
            f"--workers {workers} needs a PostgreSQL database (--database-url postgresql://…): "
            "SQLite cannot be shared by several processes safely"
        )
    if not settings.rpc_url:
        raise ConfigurationError(
            f"--workers {workers} needs an external chain node (--rpc-url): "
            "the embedded chain lives inside one process"
        )


def _serve_workers(settings: Settings, host: str, port: int, workers: int) -> int:
    require_shared_backends(settings, workers)
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    from dataledger.api.observability import configure_json_logging

    json_logs = settings.log_format == "json"
    if json_logs:
        configure_json_logging()
    _prepare(settings)
    _hand_to_workers(settings, workers)
    config = uvicorn.Config(
        WORKER_APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        log_config=None if json_logs else uvicorn.config.LOGGING_CONFIG,
        access_log=not json_logs,
    )
    # uvicorn's own supervisor (what uvicorn.run uses for workers), kept at hand to read how its
    # workers ended: one that failed to start stops the server with a non-zero exit code.
    supervisor = Multiprocess(config, sockets=[config.bind_socket()])
    supervisor.run()
    return EXIT_ERROR if any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes) else 0


def _prepare(settings: Settings) -> None:
    """Once, before the workers: tables, contracts, the registrar's and the log's keys, and (holding
    the lease, alone on the database) the recovery of what a previous run left pending."""
    from dataledger.composition import build_services, load_or_create_log_key

    services = build_services(settings)
    try:
        load_or_create_log_key(settings)
    finally:
        services.close()


def _hand_to_workers(settings: Settings, workers: int) -> None:
    """The options given on the command line, as the environment the worker processes inherit; each
    worker limits anonymous clients to its share of the public rate (see ``api.rate_limit``)."""
    from dataledger.api.rate_limit import RateLimit

    share = RateLimit(settings.public_rate_per_s, settings.public_burst).share(workers)
    os.environ["DATALEDGER_PUBLIC_RATE_PER_S"] = repr(share.rate_per_s)
    os.environ["DATALEDGER_PUBLIC_BURST"] = str(share.burst)
    os.environ["DATALEDGER_DATA_DIR"] = str(settings.data_dir.resolve())
    os.environ["DATALEDGER_DATABASE_URL"] = settings.effective_database_url
    if settings.rpc_url:
        os.environ["DATALEDGER_RPC_URL"] = settings.rpc_url


def worker_app() -> FastAPI:
    """The app of one worker process (uvicorn's factory): its own services, from the environment."""
    from dataledger.api.app import create_app
    from dataledger.api.observability import configure_json_logging
    from dataledger.composition import build_services
    from dataledger.composition.settings import Settings

    settings = Settings()
    if settings.log_format == "json":
        configure_json_logging()
    services = build_services(settings)
    services.start_background_indexer()
    services.start_background_checkpoints()
    # The worker's process ends with its server: drain, then close, as its shutdown hooks.
    return create_app(services, on_shutdown=[services.drain, services.close])
