"""Clients share one TLS context a process: the certificate authorities are loaded once, not per client."""

from __future__ import annotations

import asyncio

from dataledger.client import AsyncClient, Client
from dataledger.client.tls import default_tls_context


def test_every_client_of_a_process_uses_the_one_tls_context() -> None:
    context = default_tls_context()
    sync_clients = [Client("https://ledger.example"), Client("https://other.example", "dlk_key")]
    async_client = AsyncClient("https://ledger.example")
    try:
        pools = [c._http._transport._pool for c in sync_clients] + [async_client._http._transport._pool]  # type: ignore[attr-defined]
        assert all(pool._ssl_context is context for pool in pools)
        assert context.verify_mode.name == "CERT_REQUIRED" and context.check_hostname
    finally:
        for client in sync_clients:
            client.close()
        asyncio.run(async_client.aclose())
