"""Whether an asset's listings and its deposit at the delivery gateway agree on personal data, checked
in the transaction that stores either one.

The market service and the gateway each refuse a mismatch before they act (a clear answer, before
anything is recorded on chain), from what the store held then. A listing and a deposit of one asset
stored at the same moment would both pass those checks; so each store checks again while it writes,
after :func:`lock_asset`: on PostgreSQL a transaction lock per asset serialises the two writes, on
SQLite the insert that comes first holds the database's one write lock. The second of two disagreeing
writes is refused and rolled back.
"""

from __future__ import annotations

import json

from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from dataledger.ledger.sql.delivery_tables import DEPOSITS
from dataledger.ledger.sql.market_tables import MarketListingRow

# (this lock's own namespace, the asset): apart from the schema's and the merchants' locks
_LOCK = text("SELECT pg_advisory_xact_lock(1145848914, hashtext(:asset_id))")


def lock_asset(conn: Connection, asset_id: str) -> None:
    """Serialise, until this transaction ends, the writes of ``asset_id``'s listings and deposits."""
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK, {"asset_id": asset_id})


def listed_with_personal_data(conn: Connection, asset_id: str) -> bool:
    """Whether a listing of the asset, delisted or not, declares that the product holds personal data."""
    contents = conn.execute(
        select(MarketListingRow.content_json).where(MarketListingRow.asset_id == asset_id)  # type: ignore[call-overload]
    ).scalars()
    return any(json.loads(content)["personalData"]["containsPersonalData"] for content in contents)


def deposited_personal_data(conn: Connection, asset_id: str) -> bool | None:
    """Whether the asset's current deposit declares personal data (None: nothing deposited)."""
    declared = conn.execute(
        select(DEPOSITS.c.personal_data)
        .where(DEPOSITS.c.asset_id == asset_id)
        .order_by(DEPOSITS.c.seq.desc())
        .limit(1)
    ).scalar()
    return None if declared is None else bool(declared)
