"""An asset's page as an anonymous reader may see it: its public view (name, holder, right, status and
hashes; never the facts or the salt that opens their commitment), its certificates, how many licences
were granted, its pledges (without their terms), what it derives from and what derives from it, and
its acts as a timeline, each with the transaction that recorded it.

Everything comes from the registry's services: ``AssetQueries`` for the history and the pledges (their
public view), the registration service for the record and the certificates, the lineage for
derivations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dataledger.portal.ports import PortalServices
from dataledger.registry.asset_queries import HistoryQuery
from dataledger.registry.epcis.lineage import ASSET_PREFIX, asset_node
from dataledger.registry.errors import LineageNodeNotFound, NotFound
from dataledger.registry.lineage import Direction
from dataledger.registry.visibility import public_asset_view

TIMELINE_LIMIT = 200


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    act: str
    actor: str
    at: datetime | None
    tx_hash: str
    block_number: int
    log_index: int


@dataclass(frozen=True, slots=True)
class AssetPage:
    view: dict[str, Any]  # the public view (registry.visibility.public_asset_view)
    holder_name: str
    certificates: list[dict[str, Any]]
    licences_granted: int
    pledges: list[dict[str, Any]]
    derived_from: list[str]
    derived_into: list[str]
    timeline: list[TimelineEntry]
    timeline_total: int


def asset_page(services: PortalServices, asset_id: str) -> AssetPage:
    """The page of ``asset_id``; ``NotFound`` for an unknown asset."""
    record = services.registration.get_asset(asset_id)
    queries = services.asset_queries
    try:
        holder_name = services.participants.get(record.holder_id).name
    except NotFound:
        holder_name = ""
    history = queries.history(None, record.asset_id, HistoryQuery(limit=TIMELINE_LIMIT))
    granted = queries.history(None, record.asset_id, HistoryQuery(act="licence-granted", limit=1))
    timeline = [
        TimelineEntry(
            act=str(item["act"]),
            actor=str(item["actor"]),
            at=datetime.fromisoformat(str(item["at"])) if item.get("at") else None,
            tx_hash=str(item["chainEvidence"]["txHash"]),
            block_number=int(item["chainEvidence"]["blockNumber"]),
            log_index=int(item["chainEvidence"]["logIndex"]),
        )
        for item in history["items"]
    ]
    return AssetPage(
        view=public_asset_view(record),
        holder_name=holder_name,
        certificates=services.registration.certificates(record.asset_id)["items"],
        licences_granted=int(granted["total"]),
        pledges=queries.pledges(None, record.asset_id),
        derived_from=[str(parent["assetId"]) for parent in services.lineage.derivation(record.asset_id)],
        derived_into=_derived_into(services, record.asset_id),
        timeline=timeline,
        timeline_total=int(history["total"]),
    )


def _derived_into(services: PortalServices, asset_id: str) -> list[str]:
    """The data products recorded as derived from the asset (one step forward in its lineage)."""
    try:
        trace = services.lineage.trace(asset_node(asset_id), Direction.FORWARD, depth=1)
    except LineageNodeNotFound:
        return []
    return [
        node.id.removeprefix(ASSET_PREFIX)
        for node in trace.nodes
        if node.level == 1 and node.id.startswith(ASSET_PREFIX)
    ]
