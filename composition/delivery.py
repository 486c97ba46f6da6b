"""Composition of the delivery gateway: content store, licence view, store, recorder, receipt key.

Called by ``composition.Services``; kept apart so the gateway's pieces are wired in one place. The
recorder runs in the process holding the lease (like the batcher); every process redeems and delivers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dataledger.composition.anchoring import Anchoring
from dataledger.composition.settings import Settings
from dataledger.ledger.chain.data_rights_registry import DataRightsRegistryClient
from dataledger.ledger.chain.licence_registry import LicenceRegistryClient
from dataledger.ledger.files.content_store import FileContentStore
from dataledger.ledger.sql.delivery_store import DeliveryStore
from dataledger.ledger.upstream.http_api import HttpUpstream
from dataledger.ledger.workers.use_recorder import RecorderConfig, UseRecorder
from dataledger.registry.delivery.gateway import DeliveryGateway, GatewayConfig
from dataledger.registry.delivery.licence_view import LicenceView
from dataledger.registry.delivery.receipts import GatewayKey
from dataledger.registry.errors import ConfigurationError


@dataclass
class Delivery:
    """The delivery services of one process."""

    gateway: DeliveryGateway
    store: DeliveryStore
    recorder: UseRecorder
    upstream: HttpUpstream

    def close(self) -> None:
        self.recorder.stop()
        self.upstream.close()
        self.store.close()


def load_or_create_gateway_key(path: Path) -> GatewayKey:
    """The gateway's Ed25519 receipt key (PEM), created on first start."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigurationError(f"{path} does not hold an Ed25519 key")
        return GatewayKey(key)
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.write_bytes(pem)
    path.chmod(0o600)
    return GatewayKey(key)


# A thousand receipts a second need not wake the batcher a thousand times (each wake-up counts the
# outbox): at most this often; it anchors what is due by size or age as it polls anyway.
RECEIPT_NOTIFY_INTERVAL_S = 0.2


def throttled(notify: Callable[[], None], interval_s: float) -> Callable[[], None]:
    """``notify``, called at most once every ``interval_s`` seconds whatever the calls."""
    last = [0.0]

    def call() -> None:
        now = time.monotonic()
        if now - last[0] >= interval_s:
            last[0] = now
            notify()

    return call


def build_delivery(
    settings: Settings,
    licences: LicenceRegistryClient,
    registry: DataRightsRegistryClient,
    anchoring: Anchoring,
) -> Delivery:
    store = DeliveryStore(anchoring.outbox)
    recorder = UseRecorder(store, licences, RecorderConfig(interval_s=settings.delivery_record_interval_s))
    upstream = HttpUpstream(allow_private=settings.delivery_private_upstreams)
    gateway = DeliveryGateway(
        licences,
        LicenceView(licences, registry, ttl_s=settings.delivery_cache_s),
        store,
        FileContentStore(settings.data_dir / "content"),
        upstream,
        load_or_create_gateway_key(settings.delivery_key_file or settings.data_dir / "gateway-key.pem"),
        GatewayConfig(
            window_s=settings.delivery_window_s, max_deposit_bytes=settings.delivery_max_deposit_bytes
        ),
        on_redeemed=recorder.notify,
        on_receipt=throttled(anchoring.batcher.notify, RECEIPT_NOTIFY_INTERVAL_S),
    )
    return Delivery(gateway, store, recorder, upstream)
