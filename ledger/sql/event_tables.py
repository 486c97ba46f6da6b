"""SQL tables (SQLModel) of captured EPCIS events and the lineage index built from them.

* ``epcis_captures``: one row per accepted document (who, its ``@context``, the fields it asked to leave
  out of the hash IDs).
* ``epcis_events``: one row per distinct event, appended in capture order. ``event_key`` is the first
  63 bits of the event hash ID's digest (``registry.epcis.event_leaf.event_row_id``): a capture knows
  every key before it writes, so item and edge rows point to their event without a round trip; a
  capture that finds a stored key with another hash ID stops (``LedgerInconsistent``) rather than
  overwrite, so ``hash_id`` needs no index of its own. Times are microseconds since the epoch
  (UTC): sortable, range-queryable and the same on SQLite and PostgreSQL.
* ``epcis_event_items``: every identifier an event names, with its role; its primary key
  (item, time, event, role) is the index behind histories, ``?epc=`` and where-is-it-now.
* ``lineage_edges``: upstream to downstream, from events (``event_id``) and from data-product
  derivations (``event_id`` null); indexed both ways for level-by-level traces.
* ``asset_derivations``: a data product's parents, with the licence each was used under.
* ``epcis_error_declarations``: EPCIS error declarations, each on the event whose hash ID it shares
  (``event_key``, as in ``epcis_events``; the event may arrive later), once per declaration (the
  SHA-256 of its canonical ``errorDeclaration``): when, why, corrective event IDs, the declaring copy
  of the event, who captured it and in which capture. An event with a row here is erroneous.
* ``epcis_event_ids``: the ``eventID`` an event declares, when it is not its own hash ID (a
  ``urn:uuid:``, say), keyed by the first 63 bits of its SHA-256: how corrective event IDs find
  their events.

They share ``SQLModel.metadata`` (``SqlStore.create_schema`` creates them); ``ledger.sql.event_store``
also creates them on its own engine.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from dataledger.ledger.sql.tables import utcnow

_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class EpcisCaptureRow(SQLModel, table=True):
    __tablename__ = "epcis_captures"

    capture_id: str = Field(primary_key=True, max_length=32)
    captured_by: str = Field(max_length=36, index=True)
    document_kind: str = Field(max_length=30)
    context_json: str = Field(sa_type=Text)
    ignore_fields_json: str = Field(default="[]", sa_type=Text)
    event_count: int = 0
    new_event_count: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class EpcisEventRow(SQLModel, table=True):
    __tablename__ = "epcis_events"
    __table_args__ = (
        Index("ix_epcis_events_time", "event_time_us", "event_key"),
        Index("ix_epcis_events_biz_step_time", "biz_step", "event_time_us"),
    )

    # rows are appended in capture order (a random key would scatter them over the whole table)
    id: int | None = Field(default=None, sa_column=Column(_BIG_ID, primary_key=True, autoincrement=True))
    event_key: int = Field(sa_type=BigInteger, unique=True)  # from the hash ID: items and edges point here
    hash_id: str = Field(max_length=100)  # unique through ``event_key``; another random index costs writes
    capture_id: str = Field(max_length=32, index=True)
    event_type: str = Field(max_length=30)
    event_time_us: int = Field(sa_type=BigInteger)
    record_time_us: int = Field(sa_type=BigInteger)
    action: str | None = Field(default=None, max_length=10)
    biz_step: str | None = Field(default=None, max_length=200)
    disposition: str | None = Field(default=None, max_length=200)
    read_point: str | None = Field(default=None, max_length=400)
    biz_location: str | None = Field(default=None, max_length=400)
    event_json: str = Field(sa_type=Text)


class EpcisEventItemRow(SQLModel, table=True):
    __tablename__ = "epcis_event_items"

    item: str = Field(primary_key=True, max_length=400)
    event_time_us: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    event_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    role: str = Field(primary_key=True, max_length=20)


class LineageEdgeRow(SQLModel, table=True):
    __tablename__ = "lineage_edges"
    __table_args__ = (
        Index("ix_lineage_edges_src", "src", "dst"),
        Index("ix_lineage_edges_dst", "dst", "src"),
    )

    id: int | None = Field(default=None, sa_column=Column(_BIG_ID, primary_key=True, autoincrement=True))
    src: str = Field(max_length=400)
    dst: str = Field(max_length=400)
    kind: str = Field(max_length=20)
    event_id: int | None = Field(default=None, sa_type=BigInteger)
    event_time_us: int | None = Field(default=None, sa_type=BigInteger)
    licence_id: int | None = Field(default=None, sa_type=BigInteger)  # derivations: the parent's licence


class EpcisErrorDeclarationRow(SQLModel, table=True):
    __tablename__ = "epcis_error_declarations"
    __table_args__ = (
        # one row per declaration; also the index that finds an event's declarations
        UniqueConstraint("event_key", "declaration_hash", name="uq_epcis_error_declarations"),
    )

    id: int | None = Field(default=None, sa_column=Column(_BIG_ID, primary_key=True, autoincrement=True))
    event_key: int = Field(sa_type=BigInteger)  # the declared event's key (stored now or later)
    hash_id: str = Field(max_length=100)
    declaration_hash: str = Field(max_length=66)  # 0x SHA-256 of the canonical errorDeclaration
    declaration_time_us: int = Field(sa_type=BigInteger)
    reason: str | None = Field(default=None, max_length=200)
    corrective_event_ids_json: str = Field(default="[]", sa_type=Text)
    declaration_json: str = Field(sa_type=Text)
    event_json: str = Field(sa_type=Text)  # the declaring copy of the event
    capture_id: str = Field(max_length=32, index=True)
    declared_by: str = Field(max_length=36)
    record_time_us: int = Field(sa_type=BigInteger)


class EpcisEventIdRow(SQLModel, table=True):
    __tablename__ = "epcis_event_ids"

    id_key: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    event_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))


class AssetDerivationRow(SQLModel, table=True):
    __tablename__ = "asset_derivations"
    __table_args__ = (UniqueConstraint("product_id", "parent_id", name="uq_asset_derivations_pair"),)

    id: int | None = Field(default=None, sa_column=Column(_BIG_ID, primary_key=True, autoincrement=True))
    product_id: str = Field(max_length=66, index=True)
    parent_id: str = Field(max_length=66, index=True)
    licence_id: int | None = Field(default=None, sa_type=BigInteger)
    recorded_by: str = Field(max_length=36)
    recorded_at_us: int = Field(sa_type=BigInteger)
