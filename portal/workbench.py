"""The registrar's workbench, as data for its page's script: the queue of applications by state (each
whole: a registrar sees every record), the open objections of those in notice with their evidence, the
chain's clock and the registry's EIP-712 domain, the indexer's lag and the recent anchors.

The acts themselves (reviews, certificates, rejections, resolutions, revocations) are not here: the
page prepares each through the API's ``…-requests`` routes, has the registrar sign it in the browser and
submits the signature to the API, so the registrar's key never reaches the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dataledger.portal.ports import PortalServices
from dataledger.registry.assets import AssetRecord, AssetState
from dataledger.registry.participants import Participant, Role
from dataledger.registry.public_notice import NoticeSearch, PublicNotice

QUEUE_PAGE = 20  # per state, the oldest first; the totals say how many wait
RECENT_ANCHORS = 10
# The queue's states in the order of the procedure, and the certified ones (for revocation).
QUEUE_STATES = (AssetState.REGISTERED, AssetState.UNDER_REVIEW, AssetState.CERTIFIED)


def workbench_data(
    services: PortalServices, registrar: Participant, offsets: Mapping[str, int] | None = None
) -> dict[str, Any]:
    """Everything the workbench shows ``registrar`` (a registrar participant; others are refused): a page
    of each queue, from its offset in ``offsets`` (by state; 0 when not given)."""
    offsets = offsets or {}
    registrar.require_role(Role.REGISTRAR)
    chain_now = services.registry.next_block_timestamp()
    queues: dict[str, Any] = {}
    pages: dict[str, tuple[list[AssetRecord], int, int]] = {}
    for state in QUEUE_STATES:
        offset = max(0, offsets.get(state.value, 0))
        records, total = services.asset_queries.queue(registrar, state, limit=QUEUE_PAGE, offset=offset)
        pages[state.value] = (records, total, offset)
    # the holders of every page, named in one query (not one per application)
    holder_names = services.participants.names(
        [record.holder_id for records, _, _ in pages.values() for record in records]
    )
    for state_name, (records, total, offset) in pages.items():
        queues[state_name] = {
            "total": total,
            "offset": offset,
            "items": [_item(record, holder_names.get(record.holder_id, "")) for record in records],
        }
    # in notice: the soonest to end first, its end as the chain's event said (no chain call per item)
    offset = max(0, offsets.get(AssetState.IN_NOTICE.value, 0))
    notices = services.asset_queries.in_notice(NoticeSearch(), limit=QUEUE_PAGE, offset=offset)
    # the page's objections in one query, not one per application
    objections = services.procedure.objections_of_assets([notice.asset_id for notice in notices.items])
    queues[AssetState.IN_NOTICE.value] = {
        "total": notices.total,
        "offset": offset,
        "items": [
            _notice_item(notice, objections.get(notice.asset_id, []), chain_now) for notice in notices.items
        ],
    }
    figures = services.operational_figures()
    anchoring = services.anchoring
    return {
        "registrar": {"name": registrar.name, "address": registrar.address, "id": registrar.id},
        "registry": {"chainId": services.registry.chain_id, "address": services.registry.registry_address},
        "chainTime": chain_now,
        "pageSize": QUEUE_PAGE,
        "queues": queues,
        "operations": {
            "indexerLagBlocks": figures.get("indexer_lag_blocks"),
            "outboxDepth": figures.get("outbox_depth"),
            "outboxOldestAgeSeconds": figures.get("outbox_oldest_age_seconds"),
        },
        "recentAnchors": anchoring.outbox.recent_batches(RECENT_ANCHORS) if anchoring is not None else [],
    }


def _item(record: AssetRecord, holder_name: str) -> dict[str, Any]:
    """An application as the registrar reviews it: whole (its facts as applied for)."""
    return {
        "assetId": record.asset_id,
        "name": record.facts.name,
        "holderName": holder_name,
        "holderAddress": record.holder_address,
        "rightClaimed": record.facts.right_claimed.value,
        "contentHash": record.facts.content_hash,
        "industry": record.facts.industry,
        "source": record.facts.source,
        "scale": record.facts.scale,
        "state": record.state.value,
        "registeredTx": record.evidence.tx_hash if record.evidence else None,
    }


def _notice_item(notice: PublicNotice, objections: list[dict[str, Any]], chain_now: int) -> dict[str, Any]:
    """An application in notice: when its notice ends, and its open objections with their evidence."""
    return {
        "assetId": notice.asset_id,
        "name": notice.name,
        "holderName": notice.holder_name,
        "holderAddress": notice.holder_address,
        "rightClaimed": notice.right_claimed,
        "contentHash": notice.content_hash,
        "state": notice.state,
        "registeredTx": notice.registered_tx,
        "noticeEndsAt": notice.ends_at,
        "noticeEnded": notice.ends_at is not None and chain_now >= notice.ends_at,
        "openObjections": [o for o in objections if o.get("status") == "open"],
    }
