"""The licence terms and the chain's clock as the gateway judges a use, cached briefly.

Every batched use would otherwise read the licence, the asset and the next block's time from the chain
(three or four calls): too slow for a thousand deliveries a second. Terms, revocation and the asset's
standing are cached for ``ttl_s``; the clock is the next block's time (as the contract will judge
``block.timestamp``), read at most every ``ttl_s`` and advanced by the monotonic clock between reads.
The count of uses is never taken from here: the store's counter decides it, exactly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from dataledger.registry.chain_records import OnChainLicence
from dataledger.registry.chain_types import OnChainAsset, OnChainAssetStatus
from dataledger.registry.delivery.ports import AssetChain, LicenceChain
from dataledger.registry.errors import (
    AssetNotCertified,
    LicenceExpired,
    LicenceNotFound,
    LicenceNotYetValid,
    LicenceRevoked,
    LicenceVoidedByEnforcement,
)


@dataclass(frozen=True, slots=True)
class LicenceStanding:
    """A licence with its asset's standing, as read at one moment."""

    licence: OnChainLicence
    asset_holder: str | None
    asset_status: OnChainAssetStatus
    enforcements: int | None

    def require_live(self, now: int) -> None:
        """Refuse a use the contract would refuse at ``now`` for any reason but the count of uses."""
        licence, lid = self.licence, self.licence.licence_id
        if licence.revoked:
            raise LicenceRevoked("the licence is revoked", licence_id=lid)
        if now < licence.terms.valid_from:
            raise LicenceNotYetValid(
                "the licence period has not started", licence_id=lid, valid_from=licence.terms.valid_from
            )
        if now > licence.terms.valid_until:
            raise LicenceExpired(
                "the licence has expired", licence_id=lid, valid_until=licence.terms.valid_until
            )
        if self.asset_status is not OnChainAssetStatus.CERTIFIED:
            raise AssetNotCertified(
                f"the asset is {self.asset_status.name.lower()}, not certified",
                asset_id=licence.terms.asset_id,
                asset_status=self.asset_status.name.lower(),
            )
        if self.enforcements is not None and self.enforcements != licence.enforcements_at_grant:
            raise LicenceVoidedByEnforcement(
                "a pledge on the asset was enforced after the licence was granted", licence_id=lid
            )


class LicenceView:
    """Licence standings and the chain's clock, each cached for ``ttl_s`` seconds (0: never cached)."""

    def __init__(
        self,
        licences: LicenceChain,
        assets: AssetChain,
        ttl_s: float = 2.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._licences = licences
        self._assets = assets
        self._ttl = ttl_s
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._standings: dict[int, tuple[float, LicenceStanding]] = {}
        self._clock: tuple[float, int] | None = None
        self._refreshing: set[int] = set()
        self._reading_clock = False

    def standing(self, licence_id: int) -> LicenceStanding:
        """The licence and its asset's standing; LicenceNotFound when the chain has no such licence.

        One thread refreshes an expired entry while the others go on with it (a refresh takes a few
        chain calls; a thousand requests a second would otherwise all make them at each expiry)."""
        at = self._monotonic()
        with self._lock:
            cached = self._standings.get(licence_id)
            if cached is not None and at - cached[0] < self._ttl:
                return cached[1]
            refreshing = self._ttl > 0 and cached is not None and licence_id in self._refreshing
            if cached is not None and not refreshing:
                self._refreshing.add(licence_id)
        if refreshing:
            assert cached is not None
            return cached[1]
        try:
            return self._refresh(licence_id, at)
        finally:
            with self._lock:
                self._refreshing.discard(licence_id)

    def _refresh(self, licence_id: int, at: float) -> LicenceStanding:
        licence = self._licences.licence(licence_id)
        if licence is None:
            raise LicenceNotFound("no such licence on chain", licence_id=licence_id)
        asset_id = licence.terms.asset_id
        asset = self._assets.asset(asset_id)
        procedure = self._assets.procedure(asset_id)
        standing = LicenceStanding(
            licence,
            asset.holder if asset else None,
            asset.status if asset else OnChainAssetStatus.NONE,
            procedure.enforcements if procedure else None,
        )
        with self._lock:
            self._standings[licence_id] = (at, standing)
            if len(self._standings) > 10_000:  # a cache of licences in use, not of the chain
                self._standings.pop(next(iter(self._standings)))
        return standing

    def asset(self, asset_id: str) -> OnChainAsset | None:
        """The asset as the chain holds it now (deposits are rare: never cached)."""
        return self._assets.asset(asset_id)

    def now(self) -> int:
        """The next block's time: read from the chain at most every ``ttl_s`` (by one thread at a time,
        the others advancing the last reading by the monotonic clock meanwhile)."""
        at = self._monotonic()
        with self._lock:
            clock = self._clock
            fresh = clock is not None and at - clock[0] < self._ttl
            others_reading = self._ttl > 0 and clock is not None and self._reading_clock
            if not fresh and not others_reading:
                self._reading_clock = True
        if clock is not None and (fresh or others_reading):
            return clock[1] + int(at - clock[0])
        try:
            chain_now = self._assets.next_block_timestamp()
        finally:
            with self._lock:
                self._reading_clock = False
        with self._lock:
            self._clock = (at, chain_now)
        return chain_now

    def forget(self, licence_id: int) -> None:
        """Drop the cached standing (after the gateway learns it changed)."""
        with self._lock:
            self._standings.pop(licence_id, None)
