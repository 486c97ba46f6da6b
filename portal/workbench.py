"""The registrar's workbench, as data for its page's script: the queue of applications by state (each
whole: a registrar sees every record), the open objections of those in notice with their evidence, the
certified ones with their certificate's expiry (for renewal), the pledges both parties signed that wait
for their registration certificate, the chain's clock and the registry's EIP-712 domain, the indexer's
lag and the recent anchors.

The acts themselves (reviews, certificates, renewals, pledge certificates, rejections, resolutions,
revocations) are not here: the
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
RENEWAL_WINDOW_S = 90 * 24 * 3600  # a certificate this close to its expiry is due for renewal
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
    pledge_offset = max(0, offsets.get("pledges", 0))
    pledges, pledge_total = services.pledge_store.uncertified_pledges(limit=QUEUE_PAGE, offset=pledge_offset)
    # the holders of every page and the pledgees, named in one query (not one per application)
    holder_names = services.participants.names(
        [record.holder_id for records, _, _ in pages.values() for record in records]
        + [pledge["pledgeeId"] for pledge in pledges if pledge.get("pledgeeId")]
    )
    # the certified page's certificate terms in one query (not one chain call per certificate)
    certified, _, _ = pages[AssetState.CERTIFIED.value]
    terms = services.store.valid_until_of([record.asset_id for record in certified])
    for state_name, (records, total, offset) in pages.items():
        queues[state_name] = {
            "total": total,
            "offset": offset,
            "items": [
                _item(record, holder_names.get(record.holder_id, ""), terms, chain_now) for record in records
            ],
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
    queues["pledges"] = {
        "total": pledge_total,
        "offset": pledge_offset,
        "items": [_pledge_item(services, pledge, holder_names) for pledge in pledges],
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


def _item(record: AssetRecord, holder_name: str, terms: Mapping[str, int], chain_now: int) -> dict[str, Any]:
    """An application as the registrar reviews it: whole (its facts as applied for); a certified one
    with its certificate's expiry (``terms``: as anchored) and whether it is due for renewal."""
    renewal: dict[str, Any] = {}
    if record.state is AssetState.CERTIFIED:
        until = terms.get(record.asset_id, 0)
        renewal = {
            "validUntil": until or None,
            "renewable": bool(until) and chain_now <= until,
            "renewalDue": bool(until) and chain_now <= until and until - chain_now <= RENEWAL_WINDOW_S,
        }
    return {
        **renewal,
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


def _pledge_item(
    services: PortalServices, pledge: dict[str, Any], names: Mapping[str, str]
) -> dict[str, Any]:
    """A pledge both parties signed that waits for its registration certificate."""
    record = services.registration.get_asset(pledge["assetId"])
    return {
        "assetId": record.asset_id,
        "name": record.facts.name,
        "holderAddress": pledge["pledgorAddress"],
        "pledgeeAddress": pledge["pledgeeAddress"],
        "pledgeeName": names.get(pledge.get("pledgeeId") or "", ""),
        "securedAmount": pledge["securedAmount"],
        "currency": pledge["currency"],
        "maturity": pledge["maturity"],
        "pledgedTx": pledge["chainEvidence"]["txHash"],
        "state": "pledged",
    }
