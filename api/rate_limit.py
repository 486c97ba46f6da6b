"""Requests without credentials are rate-limited per client address (a token bucket each).

The public routes (certificate verification, the notice board's reads, the log's checkpoints, a data
subject's withdrawal) answer anyone; a client that sends faster than ``rate`` per second after a
``burst`` gets 429 ``rate-limited`` with ``Retry-After``. Authenticated requests are not limited
here: a participant is known and accountable, and neither are the operator's probes and scrapers
(``/healthz``, ``/readyz``, ``/metrics``): a load balancer throttled into 429s would take a healthy
server out of service. The buckets live in the worker's memory; ``serve --workers N`` gives each
worker 1/N of the rate and of the burst, so a client meets the configured limit whichever worker the
kernel hands its connections to. At most ``max_clients`` addresses are remembered (the least
recently seen are forgotten first), so memory stays bounded whatever the traffic.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from dataledger.api.asgi import header
from dataledger.api.request_limits import send_problem
from dataledger.registry.errors import RateLimited

OPERATIONS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


@dataclass(frozen=True)
class RateLimit:
    rate_per_s: float
    burst: int
    max_clients: int = 10_000

    def share(self, workers: int) -> RateLimit:
        """One worker's part when ``workers`` processes share the limit (the burst rounded up)."""
        return RateLimit(self.rate_per_s / workers, max(1, math.ceil(self.burst / workers)), self.max_clients)


class TokenBuckets:
    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, updated at
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Take a token for ``client``: 0 if granted, else the seconds until one is available."""
        now = self._clock()
        with self._lock:
            tokens, updated = self._buckets.pop(client, (float(self._limit.burst), now))
            tokens = min(float(self._limit.burst), tokens + (now - updated) * self._limit.rate_per_s)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self._limit.rate_per_s
            self._buckets[client] = (tokens - 1 if tokens >= 1 else tokens, now)
            while len(self._buckets) > self._limit.max_clients:
                self._buckets.popitem(last=False)
        return wait


class PublicRateLimitMiddleware:
    def __init__(self, app: ASGIApp, limit: RateLimit) -> None:
        self.app = app
        self.buckets = TokenBuckets(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in OPERATIONS_PATHS and not _has_credentials(scope):
            client = scope.get("client") or ("unknown", 0)
            wait = self.buckets.take(str(client[0]))
            if wait > 0:
                retry = str(max(1, math.ceil(wait)))
                error = RateLimited(
                    "too many requests without credentials; slow down", retry_after_s=int(retry)
                )
                await send_problem(scope, send, error, [(b"retry-after", retry.encode())])
                return
        await self.app(scope, receive, send)


def _has_credentials(scope: Scope) -> bool:
    return header(scope, b"authorization") is not None or header(scope, b"x-api-key") is not None
