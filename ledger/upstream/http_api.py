"""The holder's API behind the delivery gateway: one GET, bounded in time and size.

Deliberately minimal: GET only, no cookies, no redirects followed (a redirect is handed back as it
came), no header of the caller's but ``Accept`` (the gateway adds its own: a consent use's data
subject), the answer read whole up to a bound (a proxied answer is delivered once, whole, and hashed
for its receipt). A holder's API that cannot be reached is ``upstream-failed``, never a 5xx of ours.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from dataledger.registry.delivery.ports import UpstreamResponse
from dataledger.registry.errors import UpstreamFailed, ValidationFailed

_PASSED_HEADERS = ("content-type", "cache-control", "etag", "last-modified", "location")


class HttpUpstream:
    def __init__(
        self, timeout_s: float = 10.0, max_bytes: int = 16 * 1024 * 1024, *, allow_private: bool = False
    ) -> None:
        self._timeout_s = timeout_s
        self._opened: httpx.Client | None = None  # opened at the first call: loading the CAs costs ~20 ms
        self._opening = threading.Lock()
        self._max_bytes = max_bytes
        self._allow_private = allow_private

    def _client(self) -> httpx.Client:
        with self._opening:  # requests are served on several threads: one client for them all
            if self._opened is None:
                self._opened = httpx.Client(timeout=self._timeout_s, follow_redirects=False)
            return self._opened

    def require_public(self, url: str) -> None:
        """Refuse a URL whose host is, or resolves to, a non-public address (unless allowed)."""
        if self._allow_private:
            return
        host = urlsplit(url).hostname or ""
        try:
            resolved = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
        except (OSError, UnicodeError):
            raise ValidationFailed(
                "the holder's API host does not resolve", field="baseUrl", host=host
            ) from None
        for address in resolved:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global:
                raise ValidationFailed(
                    "the holder's API must be on a public address, not a loopback, private or link-local one",
                    field="baseUrl",
                    host=host,
                    address=str(ip),
                )

    def get(self, url: str, accept: str | None, headers: Mapping[str, str] | None = None) -> UpstreamResponse:
        try:  # checked again at each call: the name may resolve elsewhere since the deposit
            self.require_public(url)
        except ValidationFailed as refused:
            raise UpstreamFailed(refused.detail, **refused.extra) from None
        sent = dict(headers or {})  # the gateway's own (a consent use's data subject), never the caller's
        if accept:
            sent["accept"] = accept
        try:
            with self._client().stream("GET", url, headers=sent) as response:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > self._max_bytes:
                        raise UpstreamFailed(
                            f"the holder's API answered more than {self._max_bytes} bytes",
                            max_bytes=self._max_bytes,
                        )
                passed = {k: v for k, v in response.headers.items() if k.lower() in _PASSED_HEADERS}
                media_type = response.headers.get("content-type", "application/octet-stream")
                return UpstreamResponse(response.status_code, media_type, bytes(body), passed)
        except httpx.HTTPError as exc:
            raise UpstreamFailed(f"the holder's API did not answer: {type(exc).__name__}") from None

    def close(self) -> None:
        with self._opening:
            if self._opened is not None:
                self._opened.close()
