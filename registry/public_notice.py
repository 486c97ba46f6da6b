"""The public notice (公示) as a query: which applications are in notice, searched the way readers search.

Anyone may read the notice board, so what it returns is the public view of an asset (name, holder,
right claimed, status, hashes, when the notice ends on the chain's clock), never the facts or the salt
that opens their commitment. A search matches a name (any part, any case); for ``0x`` and at least
four hex digits, the prefix of an asset id, a content hash or a facts hash; and a registration number
(``IIIIII-YYYY-NNNNNNNN-C``): the whole number when its check character holds, or a prefix of one
(at least the institution code and the year, e.g. ``460100-2026``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from dataledger.registry.assets import AssetRecord
from dataledger.registry.errors import ValidationFailed
from dataledger.registry.numbering import RegistrationNumber

MAX_QUERY = 200
MIN_HASH_PREFIX = 6  # "0x" and four hex digits: shorter prefixes match too much to mean anything
MAX_PAGE = 200
_HEX_PREFIX = re.compile(r"0x[0-9a-f]{4,64}")
_REGISTRATION_PREFIX = re.compile(r"[0-9]{6}-[0-9]{4}(-[0-9]{0,8})?")


@dataclass(frozen=True, slots=True)
class NoticeSearch:
    """What a reader typed, folded: ``text`` lower-case and trimmed (empty: every notice)."""

    text: str = ""

    @classmethod
    def parse(cls, query: str) -> NoticeSearch:
        return cls(query.strip()[:MAX_QUERY].lower())

    @property
    def hash_prefix(self) -> str | None:
        """The text as the prefix of a hash or an asset id, when it is one (``0x`` and 4+ hex digits)."""
        return self.text if _HEX_PREFIX.fullmatch(self.text) else None

    @property
    def registration_number(self) -> str | None:
        """The text as a whole registration number, when it is one with a matching check character."""
        try:
            return str(RegistrationNumber.parse(self.text))
        except ValidationFailed:
            return None

    @property
    def registration_number_prefix(self) -> str | None:
        """The text as the start of a registration number: the institution code and the year at least."""
        return self.text if _REGISTRATION_PREFIX.fullmatch(self.text) else None


@dataclass(frozen=True, slots=True)
class NoticeEntry:
    """What the store answers for one asset in notice: the record, its holder's name and when its notice
    ends (Unix seconds, as the chain's ``PublicNoticeStarted`` event said; ``None`` if not indexed)."""

    record: AssetRecord
    holder_name: str
    ends_at: int | None


class NoticeReads(Protocol):
    """The store's query of the assets in public notice (``ledger.sql.asset_store.AssetRecords``)."""

    def assets_in_notice(
        self, search: NoticeSearch, *, limit: int, offset: int
    ) -> tuple[list[NoticeEntry], int]:
        """A page of the matching assets in notice, the soonest to end first, and how many match."""
        ...


@dataclass(frozen=True, slots=True)
class PublicNotice:
    """One application in public notice, as anyone may see it."""

    asset_id: str
    name: str
    holder_name: str
    holder_address: str
    right_claimed: str
    state: str
    content_hash: str
    metadata_hash: str
    registered_tx: str | None
    ends_at: int | None
    registration_number: str | None = None  # given at registration (assets before it have none)

    @classmethod
    def of(cls, entry: NoticeEntry) -> PublicNotice:
        record = entry.record
        return cls(
            asset_id=record.asset_id,
            name=record.facts.name,
            holder_name=entry.holder_name,
            holder_address=record.holder_address,
            right_claimed=record.facts.right_claimed.value,
            state=record.state.value,
            content_hash=record.facts.content_hash,
            metadata_hash=record.metadata_hash,
            registered_tx=record.evidence.tx_hash if record.evidence else None,
            ends_at=entry.ends_at,
            registration_number=record.registration_number,
        )


@dataclass(frozen=True, slots=True)
class NoticePage:
    """A page of the notice board and how many notices match in all."""

    items: tuple[PublicNotice, ...]
    total: int
    limit: int
    offset: int
