"""What participants read of an asset besides the asset itself: lists, the history of its acts (each
entry checkable against the chain), its versions and its pledges, each as the reader may see it
(``registry.visibility``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from dataledger.registry.assets import AssetRecord, AssetState
from dataledger.registry.chain_types import ChainEvidence
from dataledger.registry.errors import ConfigurationError
from dataledger.registry.participants import Participant, Role
from dataledger.registry.public_notice import MAX_PAGE, NoticePage, NoticeReads, NoticeSearch, PublicNotice
from dataledger.registry.visibility import (
    asset_view,
    history_view,
    pledge_view,
    public_history_view,
    public_pledge_view,
)


class AssetReads(Protocol):
    """The stored assets, their versions and their acts (``ledger.sql.store.SqlStore``)."""

    def list_assets(
        self, *, holder_id: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[AssetRecord]: ...

    def versions(self, asset_id: str) -> list[dict[str, Any]]: ...

    def history_page(
        self,
        asset_id: str,
        *,
        act: str | None = None,
        actor: str | None = None,
        from_block: int | None = None,
        to_block: int | None = None,
        limit: int | None = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, object]], int]: ...


class AssetSearch(NoticeReads, Protocol):
    """The store's queries over every asset: the public notice, and the assets in a state."""

    def assets_in_state(
        self, state: AssetState, *, limit: int, offset: int
    ) -> tuple[list[AssetRecord], int]: ...


class PledgeReads(Protocol):
    def pledges_of(self, asset_id: str) -> list[dict[str, Any]]: ...


class ActChecker(Protocol):
    """A contract's client that confirms an act where its evidence says it is (passed, why)."""

    def check_act(self, evidence: ChainEvidence, act: str, asset_id: str) -> tuple[bool, str]: ...


@dataclass(frozen=True)
class HistoryQuery:
    """Which acts of an asset's history to read: by act and actor, within blocks, a page of them, and
    whether each is checked against the chain."""

    act: str | None = None
    actor: str | None = None
    from_block: int | None = None
    to_block: int | None = None
    limit: int = 100
    offset: int = 0
    check: bool = False


class AssetQueries:
    def __init__(
        self,
        assets: AssetReads,
        pledges: PledgeReads,
        get_asset: Callable[[str], AssetRecord],
        checkers: Mapping[str, ActChecker],
        search: AssetSearch | None = None,
    ) -> None:
        """``get_asset`` raises ``AssetNotFound``; ``checkers`` maps each contract address that writes
        history to its client; ``search`` answers the notice board and the registrar's queue."""
        self._search = search
        self._assets = assets
        self._pledges = pledges
        self._get_asset = get_asset
        self._checkers = {address.lower(): checker for address, checker in checkers.items()}

    def list_for(self, viewer: Participant, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """An enterprise lists the assets it holds; the other roles list every asset, each whole for
        oversight and public for the others."""
        holder_id = viewer.id if viewer.role is Role.ENTERPRISE else None
        records = self._assets.list_assets(holder_id=holder_id, limit=limit, offset=offset)
        return [asset_view(viewer, record) for record in records]

    def history(self, viewer: Participant | None, asset_id: str, query: HistoryQuery) -> dict[str, Any]:
        """A page of the asset's acts and how many match in all; each act's detail only for those who
        see the asset whole (``viewer`` ``None``: an anonymous reader, who sees none); with
        ``query.check`` each entry says whether the chain confirms it."""
        record = self._get_asset(asset_id)
        items, total = self._assets.history_page(
            record.asset_id,
            act=query.act,
            actor=query.actor,
            from_block=query.from_block,
            to_block=query.to_block,
            limit=query.limit,
            offset=query.offset,
        )
        if query.check:
            for item in items:
                passed, detail = self._check_entry(record.asset_id, item)
                item["chainCheck"] = {"passed": passed, "detail": detail}
        return {
            "assetId": record.asset_id,
            "items": history_view(viewer, record, items) if viewer else public_history_view(items),
            "total": total,
            "limit": query.limit,
            "offset": query.offset,
        }

    def versions(self, asset_id: str) -> dict[str, Any]:
        """Every version of the asset's facts and commitments, oldest first."""
        record = self._get_asset(asset_id)
        return {"assetId": record.asset_id, "items": self._assets.versions(record.asset_id)}

    def pledges(self, viewer: Participant | None, asset_id: str) -> list[dict[str, Any]]:
        """The asset's pledges, active and ended; their terms only for the parties and oversight (never
        for an anonymous reader, ``viewer`` ``None``)."""
        record = self._get_asset(asset_id)
        pledges = self._pledges.pledges_of(record.asset_id)
        if viewer is None:
            return [public_pledge_view(pledge) for pledge in pledges]
        return [pledge_view(viewer, pledge) for pledge in pledges]

    def in_notice(self, search: NoticeSearch, *, limit: int = 50, offset: int = 0) -> NoticePage:
        """A page of the applications in public notice that match ``search``, the soonest to end first,
        each in its public view (anyone may read the notice board)."""
        limit, offset = max(1, min(limit, MAX_PAGE)), max(0, offset)
        entries, total = self._searching().assets_in_notice(search, limit=limit, offset=offset)
        return NoticePage(tuple(PublicNotice.of(entry) for entry in entries), total, limit, offset)

    def queue(
        self, viewer: Participant, state: AssetState, *, limit: int = 50, offset: int = 0
    ) -> tuple[list[AssetRecord], int]:
        """The registrar's queue: a page of the assets in ``state``, the oldest application first, whole
        (oversight sees every record), and how many are in that state. Registrars and auditors only."""
        viewer.require_role(Role.REGISTRAR, Role.AUDITOR, Role.ADMIN)
        limit, offset = max(1, min(limit, MAX_PAGE)), max(0, offset)
        return self._searching().assets_in_state(state, limit=limit, offset=offset)

    def _searching(self) -> AssetSearch:
        if self._search is None:
            raise ConfigurationError("the asset search queries are not configured")
        return self._search

    def _check_entry(self, asset_id: str, item: dict[str, Any]) -> tuple[bool, str]:
        evidence = ChainEvidence.from_json(item["chainEvidence"])
        checker = self._checkers.get(evidence.contract.lower())
        if checker is None:
            return False, f"no contract of this registry at {evidence.contract}"
        return checker.check_act(evidence, str(item["act"]), asset_id)
