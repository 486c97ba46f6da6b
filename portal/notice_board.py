"""The public notice board (公示): applications in public notice, as anyone may see them.

A notice shows the public view of an asset (its name, holder, right claimed, status and hashes, never
its facts' salt) and when its notice ends on the chain's clock. The board asks the registry's query
(``AssetQueries.in_notice``: search by name, content or facts hash, or registration number), a page at
a time; a permalink reads its one record from the chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from dataledger.portal.ports import PortalServices
from dataledger.registry.assets import AssetRecord
from dataledger.registry.errors import NotFound
from dataledger.registry.public_notice import NoticeSearch, PublicNotice

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Notice:
    """One asset's public notice record; ``seconds_left`` on the chain's clock (0 once it ended)."""

    asset_id: str
    name: str
    holder_name: str
    holder_address: str
    right_claimed: str
    state: str
    content_hash: str
    metadata_hash: str
    registered_tx: str | None
    ends_at: datetime | None
    seconds_left: int
    registration_number: str | None = None

    @property
    def ended(self) -> bool:
        return self.seconds_left <= 0

    @classmethod
    def of(cls, notice: PublicNotice, chain_now: int) -> Notice:
        ends = notice.ends_at
        return cls(
            asset_id=notice.asset_id,
            name=notice.name,
            holder_name=notice.holder_name,
            holder_address=notice.holder_address,
            right_claimed=notice.right_claimed,
            state=notice.state,
            content_hash=notice.content_hash,
            metadata_hash=notice.metadata_hash,
            registered_tx=notice.registered_tx,
            ends_at=datetime.fromtimestamp(ends, UTC) if ends else None,
            seconds_left=max(0, ends - chain_now) if ends else 0,
            registration_number=notice.registration_number,
        )


@dataclass(frozen=True, slots=True)
class Board:
    """A page of the board: its notices, how many match in all, and the page's place."""

    notices: list[Notice]
    total: int
    page: int
    pages: int


def notice_of(services: PortalServices, record: AssetRecord, chain_now: int) -> Notice:
    procedure = services.registry.procedure(record.asset_id)
    ends = procedure.notice_ends_at if procedure and procedure.notice_ends_at else None
    try:
        holder_name = services.participants.get(record.holder_id).name
    except NotFound:
        holder_name = ""
    public = PublicNotice(
        asset_id=record.asset_id,
        name=record.facts.name,
        holder_name=holder_name,
        holder_address=record.holder_address,
        right_claimed=record.facts.right_claimed.value,
        state=record.state.value,
        content_hash=record.facts.content_hash,
        metadata_hash=record.metadata_hash,
        registered_tx=record.evidence.tx_hash if record.evidence else None,
        ends_at=ends,
        registration_number=record.registration_number,
    )
    return Notice.of(public, chain_now)


def in_notice(services: PortalServices, query: str = "", page: int = 1) -> Board:
    """Page ``page`` (from 1) of the applications in public notice matching ``query``, the soonest to end
    first."""
    page = max(1, page)
    found = services.asset_queries.in_notice(
        NoticeSearch.parse(query), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    chain_now = services.registry.next_block_timestamp()
    pages = max(1, -(-found.total // PAGE_SIZE))
    return Board([Notice.of(notice, chain_now) for notice in found.items], found.total, page, pages)


def notice_record(services: PortalServices, asset_id: str) -> Notice:
    """An asset's notice record (its permalink), whatever its state now; ``NotFound`` if unknown."""
    record = services.registration.get_asset(asset_id)
    return notice_of(services, record, services.registry.next_block_timestamp())
