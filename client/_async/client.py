"""The asynchronous client: the source from which scripts/generate_sync_client.py writes the other."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from dataledger.client._async.delivery import Deliveries
from dataledger.client._async.market import Market
from dataledger.client._async.resources import (
    Assets,
    Bulk,
    Certificates,
    Consents,
    Events,
    Health,
    Licences,
    Lineage,
    Listings,
    Log,
    Participants,
    Procedure,
)
from dataledger.client._async.trades import Trades
from dataledger.client._async.vouchers import Vouchers
from dataledger.client.errors import error_for
from dataledger.client.tls import default_tls_context

Model = TypeVar("Model", bound=BaseModel)
USER_AGENT = "dataledger-python"


class AsyncClient:
    """One participant's connection to a dataledger server (its API key, if any, on every request).

    Resources mirror the API: ``participants``, ``assets``, ``procedure``, ``certificates``,
    ``licences``, ``consents``, ``listings``, ``market``, ``trades``, ``vouchers``, ``deliveries``,
    ``bulk``, ``events``, ``lineage``, ``log``, ``health``.
    A non-2xx answer raises the :class:`~dataledger.client.errors.ApiError` of its problem ``code``.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
        if api_key:
            all_headers["Authorization"] = f"Bearer {api_key}"
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers=all_headers,
            timeout=timeout,
            transport=transport,
            verify=default_tls_context(),
        )
        self.participants = Participants(self)
        self.assets = Assets(self)
        self.procedure = Procedure(self)
        self.certificates = Certificates(self)
        self.licences = Licences(self)
        self.consents = Consents(self)
        self.listings = Listings(self)
        self.market = Market(self)  # licence templates, listings, the catalogue
        self.trades = Trades(self)  # orders, acceptances, settlements, mandates, statistics
        self.vouchers = Vouchers(self)  # data voucher programmes, issues, redemptions
        self.deliveries = Deliveries(self)  # the delivery gateway: deposits, uses redeemed, data received
        self.bulk = Bulk(self)
        self.events = Events(self)
        self.lineage = Lineage(self)
        self.log = Log(self)
        self.health = Health(self)

    @property
    def base_url(self) -> str:
        return str(self._http.base_url)

    async def call(
        self,
        operation_id: str,
        method: str,
        template: str,
        *,
        path: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        json: Any = None,
        content: bytes | AsyncIterator[bytes] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send the operation ``operation_id`` (``method`` on ``template``); raise its problem if any."""
        url = template.format(**{name: quote(str(value), safe="") for name, value in (path or {}).items()})
        if params:
            params = {k: _param(v) for k, v in params.items() if v is not None}
        response = await self._http.request(
            method,
            url,
            params=params,
            json=json,
            content=content,
            headers=headers,
            extensions={"operation_id": operation_id},
        )
        if response.status_code >= 400:
            try:
                body: Any = response.json()
            except ValueError:
                body = response.text
            raise error_for(response.status_code, body, dict(response.headers))
        return response

    async def json(self, operation_id: str, method: str, template: str, **kwargs: Any) -> Any:
        return (await self.call(operation_id, method, template, **kwargs)).json()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
