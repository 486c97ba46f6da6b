"""Assets in SQL: pending and registered records, content claims, versions and each act of their history."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Index, cast, func, inspect, literal, or_
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import col, select

import dataledger.ledger.sql.event_tables  # registers the EPCIS event and lineage tables in the schema
import dataledger.ledger.sql.index_tables  # registers the event index tables in the schema
import dataledger.ledger.sql.outbox_tables  # noqa: F401 - registers the outbox tables in the schema
from dataledger.ledger.sql.number_counters import draw_serial
from dataledger.ledger.sql.records import SqlRecords
from dataledger.ledger.sql.tables import (
    AssetRow,
    AssetVersionRow,
    CertificateRow,
    ContentClaimRow,
    HistoryRow,
    ParticipantRow,
    utcnow,
)
from dataledger.registry.assets import AssetFacts, AssetRecord, AssetState
from dataledger.registry.batched_registrations import BATCH_NONCE_FLAG
from dataledger.registry.chain_records import ACT_OF_EVENT, ChainAct
from dataledger.registry.chain_types import ChainEvidence, RegistrationEvent
from dataledger.registry.errors import (
    AlreadyExists,
    AssetNotFound,
    ContentAlreadyBatched,
    ContentAlreadyRegistered,
    LedgerInconsistent,
)
from dataledger.registry.numbering import DEFAULT_INSTITUTION_CODE, RegistrationNumber, registration_scope
from dataledger.registry.public_notice import NoticeEntry, NoticeSearch


class AssetRecords(SqlRecords):
    """The assets and histories of ``registry.ports.RegistryStore``."""

    # -- assets -----------------------------------------------------------------------------------

    def get_asset(self, asset_id: str) -> AssetRecord | None:
        with self.session() as session:
            row = session.get(AssetRow, asset_id)
        return _asset(row) if row else None

    def asset_by_content(self, content_hash: str) -> AssetRecord | None:
        with self.session() as session:
            row = session.exec(select(AssetRow).where(AssetRow.content_hash == content_hash)).first()
        return _asset(row) if row else None

    def list_assets(
        self, *, holder_id: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[AssetRecord]:
        query = (
            select(AssetRow)
            .order_by(col(AssetRow.created_at), col(AssetRow.asset_id))
            .offset(offset)
            .limit(limit)
        )
        if holder_id is not None:
            query = query.where(AssetRow.holder_id == holder_id)
        with self.session() as session:
            return [_asset(row) for row in session.exec(query)]

    def assets_in_notice(
        self, search: NoticeSearch, *, limit: int, offset: int
    ) -> tuple[list[NoticeEntry], int]:
        """A page of the assets in public notice matching ``search``, the soonest to end first, with
        their holder's name and their notice's end, and how many match in all.

        The state index finds the assets in notice (a bounded set: those whose notice started within
        the notice period); each one's end is read from its ``notice-started`` act through
        ``ix_asset_history_asset_act``."""
        postgres = self._engine.dialect.name == "postgresql"
        ends_at = (
            select(_json_text(HistoryRow.detail_json, "endsAt", postgres))
            .where(HistoryRow.asset_id == AssetRow.asset_id, HistoryRow.act == "notice-started")
            .order_by(col(HistoryRow.block_number).desc(), col(HistoryRow.log_index).desc())
            .limit(1)
            .correlate(AssetRow)
            .scalar_subquery()
        )
        ends = cast(ends_at, BigInteger)
        conditions: list[ColumnElement[bool]] = [col(AssetRow.state) == AssetState.IN_NOTICE.value]
        if search.text:
            pattern = "%" + _like_escaped(search.text) + "%"
            name = func.lower(_json_text(AssetRow.facts_json, "name", postgres))
            matches: list[ColumnElement[bool]] = [name.like(pattern, escape="\\")]
            if search.hash_prefix is not None:
                prefix = _like_escaped(search.hash_prefix) + "%"
                matches += [
                    func.lower(column).like(prefix, escape="\\")
                    for column in (AssetRow.asset_id, AssetRow.content_hash, AssetRow.metadata_hash)
                ]
            if search.registration_number is not None:
                matches.append(col(AssetRow.registration_number) == search.registration_number)
            elif search.registration_number_prefix is not None:
                prefix = _like_escaped(search.registration_number_prefix) + "%"
                matches.append(col(AssetRow.registration_number).like(prefix, escape="\\"))
            conditions.append(or_(*matches))
        query = (
            select(AssetRow, ParticipantRow.name, ends.label("ends_at"))
            .join(ParticipantRow, col(ParticipantRow.id) == col(AssetRow.holder_id), isouter=True)
            .where(*conditions)
            .order_by(ends.is_(None), ends, col(AssetRow.asset_id))
            .offset(offset)
            .limit(limit)
        )
        with self.session() as session:
            rows = session.exec(query).all()
            total = session.exec(select(func.count()).select_from(AssetRow).where(*conditions)).one()
        entries = [
            NoticeEntry(_asset(row), holder or "", int(end) if end is not None else None)
            for row, holder, end in rows
        ]
        return entries, int(total)

    def assets_in_state(self, state: AssetState, *, limit: int, offset: int) -> tuple[list[AssetRecord], int]:
        """A page of the assets in ``state``, the oldest first (``ix_assets_state_created``), and how
        many are in it."""
        condition = col(AssetRow.state) == state.value
        query = (
            select(AssetRow)
            .where(condition)
            .order_by(col(AssetRow.created_at), col(AssetRow.asset_id))
            .offset(offset)
            .limit(limit)
        )
        with self.session() as session:
            rows = session.exec(query).all()
            total = session.exec(select(func.count()).select_from(AssetRow).where(condition)).one()
        return [_asset(row) for row in rows], int(total)

    def pending_assets(self) -> list[AssetRecord]:
        with self.session() as session:
            rows = session.exec(select(AssetRow).where(AssetRow.state == AssetState.PENDING.value)).all()
        return [_asset(row) for row in rows]

    def add_pending_asset(self, record: AssetRecord) -> None:
        row = AssetRow(
            asset_id=record.asset_id,
            holder_id=record.holder_id,
            holder_address=record.holder_address,
            facts_json=json.dumps(record.facts.as_json(), sort_keys=True),
            salt=record.salt,
            content_hash=record.facts.content_hash,
            metadata_hash=record.metadata_hash,
            nonce=nonce_column(record.nonce),
            deadline=record.deadline,
            signature=record.signature,
            state=AssetState.PENDING.value,
        )
        content_hash = record.facts.content_hash
        with self.session() as session:
            claim = session.get(ContentClaimRow, content_hash)
            if claim is None:
                claim = ContentClaimRow(content_hash=content_hash, asset_id=record.asset_id, path="direct")
                session.add(claim)
            elif claim.asset_id != record.asset_id:  # the asset's own batched claim lets it materialise
                raise _content_taken(claim)
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                claim = session.get(ContentClaimRow, content_hash)
                if claim is not None and claim.asset_id != record.asset_id:
                    raise _content_taken(claim) from None  # claimed concurrently, on either path
                raise AlreadyExists(
                    "the asset is already being registered", asset_id=record.asset_id
                ) from None

    def discard_pending_asset(self, asset_id: str) -> None:
        with self.session() as session:
            row = session.get(AssetRow, asset_id)
            if row is not None and row.state == AssetState.PENDING.value:
                claim = session.get(ContentClaimRow, row.content_hash)
                if claim is not None and claim.asset_id == asset_id and claim.path == "direct":
                    session.delete(claim)  # the relay failed: the content hash is free again
                session.delete(row)
                session.commit()

    def mark_registered(
        self,
        asset_id: str,
        event: RegistrationEvent,
        *,
        block_timestamp: int | None = None,
        detail: dict[str, Any] | None = None,
        institution: str = DEFAULT_INSTITUTION_CODE,
    ) -> AssetRecord:
        """The pending asset registered by ``event``, given the next registration number of
        ``institution`` in the year its application was filed."""
        with self.session() as session:
            row = session.get(AssetRow, asset_id)
            if row is None:
                raise AssetNotFound("no pending asset with this id", asset_id=asset_id)
            if (row.content_hash, row.metadata_hash, row.holder_address) != (
                event.content_hash,
                event.metadata_hash,
                event.holder,
            ):
                raise LedgerInconsistent(
                    "the chain recorded other facts than the database holds", asset_id=asset_id
                )
            ev = event.evidence
            if row.registration_number is None:
                year = row.created_at.year
                serial = draw_serial(session, registration_scope(institution, year))
                row.registration_number = str(RegistrationNumber(institution, year, serial))
            row.state = AssetState.REGISTERED.value
            row.chain_id, row.contract, row.tx_hash = ev.chain_id, ev.contract, ev.tx_hash
            row.block_number, row.log_index = ev.block_number, ev.log_index
            row.updated_at = utcnow()
            session.add(row)
            session.add(
                AssetVersionRow(
                    asset_id=asset_id,
                    version=1,
                    facts_json=row.facts_json,
                    salt=row.salt,
                    content_hash=row.content_hash,
                    metadata_hash=row.metadata_hash,
                    tx_hash=ev.tx_hash,
                    block_number=ev.block_number,
                    log_index=ev.log_index,
                )
            )
            session.add(
                _history(
                    asset_id,
                    "registered",
                    event.holder,
                    ev,
                    {"nonce": _nonce_json(nonce_of_column(row.nonce)), **(detail or {})},
                    block_timestamp,
                )
            )
            session.commit()
            return _asset(row)

    def mark_revoked(
        self, asset_id: str, reason: str, acts: tuple[ChainAct, ...], *, actor: str
    ) -> AssetRecord:
        return self.record_acts(
            asset_id, acts, actor=actor, detail={"reason": reason}, state=AssetState.REVOKED, reason=reason
        )

    def record_acts(
        self,
        asset_id: str,
        acts: tuple[ChainAct, ...],
        *,
        actor: str,
        detail: dict[str, Any] | None = None,
        state: AssetState | None = None,
        reason: str | None = None,
    ) -> AssetRecord:
        """Append the history of an act (one row per event) and move the asset to ``state``.

        A revoked or cancelled asset's valid certificates take that status too.
        """
        with self.session() as session:
            row = self._asset_row(session, asset_id)
            if state is not None:
                row.state = state.value
                row.updated_at = utcnow()
                if state is AssetState.REVOKED:
                    row.revocation_reason = reason
                if state in (AssetState.REVOKED, AssetState.CANCELLED):
                    for cert in session.exec(
                        select(CertificateRow).where(CertificateRow.asset_id == asset_id)
                    ):
                        if cert.status == "valid":
                            cert.status = state.value
                            session.add(cert)
                session.add(row)
            session.add_all(history_rows(asset_id, acts, actor, detail))
            session.commit()
            return _asset(row)

    def set_holder(
        self,
        asset_id: str,
        holder_id: str,
        holder_address: str,
        acts: tuple[ChainAct, ...],
        *,
        actor: str,
        detail: dict[str, Any] | None = None,
    ) -> AssetRecord:
        """The rights passed to another participant (transfer, or enforcement of a pledge)."""
        with self.session() as session:
            row = self._asset_row(session, asset_id)
            row.holder_id, row.holder_address = holder_id, holder_address
            row.updated_at = utcnow()
            session.add(row)
            session.add_all(history_rows(asset_id, acts, actor, detail))
            session.commit()
            return _asset(row)

    def record_new_version(
        self,
        asset_id: str,
        facts: AssetFacts,
        salt: str,
        metadata_hash: str,
        acts: tuple[ChainAct, ...],
        *,
        actor: str,
    ) -> AssetRecord:
        """A change of the registered data: the asset now states the new version; the old ones are kept."""
        (changed,) = [act for act in acts if act.event == "AssetChanged"]
        version = int(changed.args["version"])
        with self.session() as session:
            row = self._asset_row(session, asset_id)
            row.facts_json = json.dumps(facts.as_json(), sort_keys=True)
            row.salt, row.content_hash, row.metadata_hash = salt, facts.content_hash, metadata_hash
            row.version = version
            row.updated_at = utcnow()
            session.add(row)
            session.add(
                AssetVersionRow(
                    asset_id=asset_id,
                    version=version,
                    facts_json=row.facts_json,
                    salt=salt,
                    content_hash=facts.content_hash,
                    metadata_hash=metadata_hash,
                    tx_hash=changed.evidence.tx_hash,
                    block_number=changed.evidence.block_number,
                    log_index=changed.evidence.log_index,
                )
            )
            session.add_all(history_rows(asset_id, acts, actor, {"version": version}))
            session.commit()
            return _asset(row)

    def versions(self, asset_id: str) -> list[dict[str, Any]]:
        """Every version of the asset's data, oldest first, with where each was recorded."""
        with self.session() as session:
            rows = session.exec(
                select(AssetVersionRow)
                .where(AssetVersionRow.asset_id == asset_id)
                .order_by(col(AssetVersionRow.version))
            ).all()
        return [
            {
                "version": r.version,
                "contentHash": r.content_hash,
                "metadataHash": r.metadata_hash,
                "facts": AssetFacts(**json.loads(r.facts_json)).wire_json(),
                "txHash": r.tx_hash,
                "blockNumber": r.block_number,
                "logIndex": r.log_index,
            }
            for r in rows
        ]

    def history(self, asset_id: str) -> list[dict[str, object]]:
        """Every recorded act on the asset, in chain order."""
        return self.history_page(asset_id, limit=None)[0]

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
    ) -> tuple[list[dict[str, object]], int]:
        """A page of the asset's acts in chain order, filtered, and how many match in all."""
        conditions: list[ColumnElement[bool] | bool] = [HistoryRow.asset_id == asset_id]
        if act is not None:
            conditions.append(HistoryRow.act == act)
        if actor is not None:
            conditions.append(func.lower(HistoryRow.actor) == actor.lower())
        if from_block is not None:
            conditions.append(HistoryRow.block_number >= from_block)
        if to_block is not None:
            conditions.append(HistoryRow.block_number <= to_block)
        query = (
            select(HistoryRow)
            .where(*conditions)
            .order_by(col(HistoryRow.block_number), col(HistoryRow.log_index), col(HistoryRow.id))
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        with self.session() as session:
            rows = session.exec(query).all()
            total = session.exec(select(func.count()).select_from(HistoryRow).where(*conditions)).one()
        return [_history_json(r) for r in rows], int(total)


# The notice board reads each asset's latest ``notice-started`` act; the asset page reads acts by kind.
ASSET_ACT_INDEX = Index(
    "ix_asset_history_asset_act",
    col(HistoryRow.asset_id),
    col(HistoryRow.act),
    col(HistoryRow.block_number),
)
# The registrar's queue: the assets in a state, the oldest application first.
ASSET_STATE_INDEX = Index(
    "ix_assets_state_created", col(AssetRow.state), col(AssetRow.created_at), col(AssetRow.asset_id)
)


# Registration numbers are unique; the notice board finds an asset by its number.
REGISTRATION_NUMBER_INDEX = Index(
    "ix_assets_registration_number", col(AssetRow.registration_number), unique=True
)


def add_registration_number_column(engine: Engine) -> None:
    """``assets.registration_number`` on a database created before registration numbers (a new one
    gets it with its table); the assets registered then keep no number."""
    if _has_registration_number(engine):
        return  # the usual case: no ALTER, so no table lock taken at each start
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE assets ADD COLUMN registration_number VARCHAR(24)")
    except DBAPIError:
        if not _has_registration_number(engine):  # else another process added it meanwhile
            raise


def _has_registration_number(engine: Engine) -> bool:
    return "registration_number" in {column["name"] for column in inspect(engine).get_columns("assets")}


def create_query_indexes(engine: Engine) -> None:
    """The indexes of the read queries, on a database created before they were declared (a new one
    gets them with its tables)."""
    for index in (ASSET_ACT_INDEX, ASSET_STATE_INDEX, REGISTRATION_NUMBER_INDEX):
        index.create(engine, checkfirst=True)


def _json_text(column: Any, key: str, postgres: bool) -> ColumnElement[Any]:
    """A JSON text column's top-level ``key`` as text (``->>`` on PostgreSQL, ``json_extract`` on SQLite)."""
    if postgres:
        return cast(column, JSONB).op("->>")(literal(key))
    return func.json_extract(column, f"$.{key}")


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def nonce_column(nonce: int) -> int:
    """The ``assets.nonce`` value (a signed 64-bit integer) of a registration's signed nonce.

    Direct registrations use the contract's sequential nonces (0, 1, ...); a materialised batched
    registration has the nonce ``2**255 + k`` with ``0 <= k < 2**63``, stored as ``-1 - k``: the two
    spaces map one-to-one onto the non-negative and the negative halves of BIGINT.
    """
    return nonce if nonce < BATCH_NONCE_FLAG else -1 - (nonce - BATCH_NONCE_FLAG)


def nonce_of_column(value: int) -> int:
    """The signed nonce stored as ``value`` by :func:`nonce_column`."""
    return value if value >= 0 else BATCH_NONCE_FLAG + (-1 - value)


def _nonce_json(nonce: int) -> int | str:
    # Beyond 2**53 a JSON number loses precision in most clients: batched nonces go as decimal text.
    return nonce if nonce < 2**53 else str(nonce)


def _asset(row: AssetRow) -> AssetRecord:
    evidence = None
    if row.tx_hash is not None and row.chain_id is not None and row.contract is not None:
        evidence = ChainEvidence(
            chain_id=row.chain_id,
            contract=row.contract,
            tx_hash=row.tx_hash,
            block_number=int(row.block_number or 0),
            log_index=int(row.log_index or 0),
        )
    return AssetRecord(
        asset_id=row.asset_id,
        holder_id=row.holder_id,
        holder_address=row.holder_address,
        facts=AssetFacts(**json.loads(row.facts_json)),
        salt=row.salt,
        metadata_hash=row.metadata_hash,
        nonce=nonce_of_column(row.nonce),
        deadline=row.deadline,
        signature=row.signature,
        state=AssetState(row.state),
        evidence=evidence,
        revocation_reason=row.revocation_reason,
        registration_number=row.registration_number,
    )


def _history(
    asset_id: str, act: str, actor: str, ev: ChainEvidence, detail: dict, block_timestamp: int | None = None
) -> HistoryRow:
    return HistoryRow(
        asset_id=asset_id,
        act=act,
        actor=actor,
        detail_json=json.dumps(detail, sort_keys=True),
        chain_id=ev.chain_id,
        contract=ev.contract,
        tx_hash=ev.tx_hash,
        block_number=ev.block_number,
        log_index=ev.log_index,
        block_timestamp=block_timestamp,
    )


def history_rows(
    asset_id: str, acts: tuple[ChainAct, ...], actor: str, detail: dict[str, Any] | None = None
) -> list[HistoryRow]:
    """One history row per event of an act, its arguments (but the asset id) as the row's detail."""
    rows = []
    for act in acts:
        name = ACT_OF_EVENT.get(act.event)
        if name is None:
            continue
        args = {key: value for key, value in act.args.items() if key != "assetId"}
        rows.append(
            _history(asset_id, name, actor, act.evidence, {**args, **(detail or {})}, act.block_timestamp)
        )
    return rows


def _history_json(r: HistoryRow) -> dict[str, object]:
    at = datetime.fromtimestamp(r.block_timestamp, UTC).isoformat() if r.block_timestamp is not None else None
    return {
        "act": r.act,
        "actor": r.actor,
        "at": at,
        "detail": json.loads(r.detail_json),
        "chainEvidence": ChainEvidence(
            r.chain_id, r.contract, r.tx_hash, r.block_number, r.log_index
        ).as_json(),
        "recordedAt": r.recorded_at.replace(tzinfo=UTC).isoformat(),
    }


def _content_taken(claim: ContentClaimRow) -> ContentAlreadyRegistered:
    if claim.path == "batched":
        return ContentAlreadyBatched(
            "this content hash is already registered in a batch (anchored or queued for anchoring)",
            existing_asset_id=claim.asset_id,
        )
    return ContentAlreadyRegistered(
        "this content hash is already registered under another asset", existing_asset_id=claim.asset_id
    )
