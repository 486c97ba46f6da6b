"""The delivery gateway's records in SQL: deposits, exact use counters, redeemed uses, receipts, batches.

Reservations are the heart of it: a batched use is reserved by moving the licence's counter only while
``chain_uses + pending < max_uses`` and inserting the use under its unique id, in one transaction, so
under any number of concurrent consumers the uses never pass the maximum, and a replayed use (same id)
reserves nothing. The writes of every delivery (the reservation, then the receipt) go through one
writer thread that commits them in groups (``ledger.sql.group_commit``): on SQLite, one process's
writers never queue on the database's one write lock, and each commit carries many deliveries; on
PostgreSQL a reservation is one round trip, and the counter's row lock orders the reservations of
several processes.

A receipt is stored with its outbox entry (kind ``delivery-receipt``) in one transaction, so the
batcher anchors every receipt that exists. Use batches are sealed here for the recorder
(``ledger.workers.use_recorder``), which records their roots with ``LicenceRegistry.recordUses``.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy import and_, func, insert, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.exc import IntegrityError

from dataledger.ledger.sql.delivery_tables import (
    ADDED_COLUMNS,
    ADDED_INDEXES,
    COUNTERS,
    DELIVERY_METADATA,
    DEPOSITS,
    RECEIPTS,
    USE_BATCHES,
    USES,
)
from dataledger.ledger.sql.group_commit import GroupCommit
from dataledger.ledger.sql.outbox import OUTBOX, AnchorOutbox, OutboxEntry, add_entries
from dataledger.ledger.sql.personal_data import listed_with_personal_data, lock_asset
from dataledger.ledger.sql.row_writer import bound, placeholder
from dataledger.ledger.sql.tables import ConsentRow, LicenceRow, utcnow
from dataledger.registry.chain_records import ChainAct
from dataledger.registry.delivery.ports import Deposit, RedeemedUse, UseBatch
from dataledger.registry.delivery.receipts import RECEIPT_KIND, DeliveryReceipt
from dataledger.registry.delivery.uses import use_leaf
from dataledger.registry.errors import LicenceUsedUp, PersonalDataDeclarationMismatch, UseAlreadyRedeemed
from dataledger.registry.merkle import MerkleTree, leaf_hash, merkle_root

CURRENT_DEPOSIT_TTL_S = 1.0
RECENT_USES = 10_000


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


class DeliveryStore:
    """Deposits, uses, receipts and use batches, on the registry's database."""

    def __init__(self, outbox: AnchorOutbox) -> None:
        self._outbox = outbox
        self._engine: Engine = outbox.engine
        self._writer: Engine = outbox.write_engine
        # SQLite has one writer at a time and makes the others poll with sleeps: this process's writers
        # queue on a lock instead (PostgreSQL's row locks need no help).
        self._write_lock: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if self._writer.dialect.name == "sqlite" else contextlib.nullcontext()
        )
        DELIVERY_METADATA.create_all(self._writer, checkfirst=True)
        _add_missing_columns(self._writer)
        # Reservations and receipts, the writes of every delivery, are committed in groups.
        self._group = GroupCommit(self._writer)
        # Deposits never change: cached by id. The current deposit of an asset is cached briefly (a
        # new deposit made by another process is delivered at most CURRENT_DEPOSIT_TTL_S later).
        self._deposits: dict[str, Deposit] = {}
        self._current: dict[str, tuple[float, Deposit]] = {}
        # The chain count each licence's counter was last raised to by this process: a reservation
        # touches the counter row once, not three times, while the chain's count has not moved.
        self._counters: dict[int, int] = {}
        # On SQLite the database has one process (the server refuses several), so the uses this process
        # redeemed are known here as they are in the database: the first fetch of a use needs no read.
        self._recent: OrderedDict[str, RedeemedUse] | None = (
            OrderedDict() if self._writer.dialect.name == "sqlite" else None
        )
        self._recent_lock = threading.Lock()

    def close(self) -> None:
        self._group.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._write_lock, self._writer.begin() as conn:
            yield conn

    # -- deposits ---------------------------------------------------------------------------------

    def add_deposit(self, deposit: Deposit) -> None:
        """Store a deposit; refused (``PersonalDataDeclarationMismatch``) when it is not an API serving
        personal data and a listing of the asset declares personal data, as stored in the meantime (see
        :mod:`~dataledger.ledger.sql.personal_data`)."""
        with self._write() as conn:
            lock_asset(conn, deposit.asset_id)
            seq = conn.execute(
                select(func.coalesce(func.max(DEPOSITS.c.seq), 0)).where(
                    DEPOSITS.c.asset_id == deposit.asset_id
                )
            ).scalar_one()
            conn.execute(
                insert(DEPOSITS).values(
                    deposit_id=deposit.deposit_id,
                    asset_id=deposit.asset_id,
                    kind=deposit.kind,
                    holder=deposit.holder,
                    content_hash=deposit.content_hash,
                    size=deposit.size,
                    media_type=deposit.media_type,
                    location=deposit.location,
                    derivative=deposit.derivative,
                    personal_data=deposit.personal_data,
                    created_at=deposit.created_at,
                    seq=int(seq) + 1,
                )
            )
            serves_consents = deposit.kind == "api" and deposit.personal_data
            if not serves_consents and listed_with_personal_data(conn, deposit.asset_id):
                raise PersonalDataDeclarationMismatch(
                    "a listing of the asset, stored as this deposit was made, declares personal data: deposit"
                    " its API with personalData",
                    asset_id=deposit.asset_id,
                )
        self._current.pop(deposit.asset_id, None)

    def deposit(self, deposit_id: str) -> Deposit | None:
        cached = self._deposits.get(deposit_id)
        if cached is not None:
            return cached
        with self._engine.connect() as conn:
            row = conn.execute(select(DEPOSITS).where(DEPOSITS.c.deposit_id == deposit_id)).mappings().first()
        if row is None:
            return None
        deposit = self._deposits[deposit_id] = _deposit(row)
        return deposit

    def current_deposit(self, asset_id: str) -> Deposit | None:
        cached = self._current.get(asset_id)
        if cached is not None and time.monotonic() - cached[0] < CURRENT_DEPOSIT_TTL_S:
            return cached[1]
        found = self.deposits(asset_id, limit=1)
        if not found:
            return None
        self._current[asset_id] = (time.monotonic(), found[0])
        return found[0]

    def listed_with_personal_data(self, asset_id: str) -> bool:
        with self._engine.connect() as conn:
            return listed_with_personal_data(conn, asset_id)

    def deposits(self, asset_id: str, limit: int = 100) -> list[Deposit]:
        query = (
            select(DEPOSITS)
            .where(DEPOSITS.c.asset_id == asset_id)
            .order_by(DEPOSITS.c.seq.desc())
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [_deposit(r) for r in conn.execute(query).mappings()]

    # -- uses -------------------------------------------------------------------------------------

    def reserve_use(self, use: RedeemedUse, *, max_uses: int, chain_uses: int) -> RedeemedUse:
        """Reserve the licence's next use for ``use``, or refuse: used up, or already redeemed."""
        ensure = self._counters.get(use.licence_id, -1) < chain_uses

        leaf = _hex(use_leaf(use.licence_id, use.consumer, use.use_id))

        def reserve(conn: Connection) -> int:
            # In the driver's own SQL (building Core statements per call costs more than SQLite spends
            # running them), and no statement that can fail: the group's transaction needs no savepoint.
            if ensure:
                _ensure_counter(conn, use.licence_id, max_uses, chain_uses)
            if conn.dialect.name == "postgresql":
                return _reserve_postgres(conn, use, leaf, max_uses)
            mark = placeholder(conn) or "?"
            unnumbered = -secrets.randbelow(2**62) - 1  # numbered below, once the counter has moved
            new = conn.exec_driver_sql(
                _INSERT_NEW_USE.replace("?", mark), _use_values(use, unnumbered, leaf)
            ).first()
            if new is None:
                raise UseAlreadyRedeemed("this use was already redeemed", use_id=use.use_id)
            reserved = conn.exec_driver_sql(_RESERVE.replace("?", mark), (use.licence_id,)).first()
            if reserved is None:
                conn.exec_driver_sql(_DELETE_USE.replace("?", mark), (use.use_id,))
                raise LicenceUsedUp(
                    "every use of the licence is consumed or reserved",
                    licence_id=use.licence_id,
                    max_uses=max_uses,
                )
            number = int(reserved[0])
            conn.exec_driver_sql(_NUMBER_USE.replace("?", mark), (number, use.use_id))
            return number

        sequence = self._group.run(reserve, savepoint=False)
        self._counters[use.licence_id] = max(self._counters.get(use.licence_id, -1), chain_uses)
        reserved = _with(use, sequence=sequence)
        self._remember(reserved)
        return reserved

    def _remember(self, use: RedeemedUse) -> None:
        if self._recent is None:
            return
        with self._recent_lock:
            self._recent[use.use_id] = use
            while len(self._recent) > RECENT_USES:
                self._recent.popitem(last=False)

    def redeem_chain_use(self, use: RedeemedUse, *, max_uses: int) -> RedeemedUse:
        """Record the redemption of a use consumed on chain (its number on chain is its sequence)."""
        assert use.chain_use is not None
        try:
            with self._write() as conn:
                _ensure_counter(conn, use.licence_id, max_uses, use.chain_use)
                conn.execute(insert(USES).values(**_use_row(use), sequence=use.chain_use, leaf=None))
        except IntegrityError:
            raise UseAlreadyRedeemed("this use was already redeemed", use_id=use.use_id) from None
        return _with(use, sequence=use.chain_use)

    def redeem_consent_use(self, use: RedeemedUse) -> RedeemedUse:
        """Record the redemption of a data subject's consent consumed on chain: once per use, and once
        per consent (both unique here)."""
        assert use.consent_id is not None
        try:
            with self._write() as conn:
                conn.execute(insert(USES).values(**_use_row(use), sequence=use.consent_id, leaf=None))
        except IntegrityError:
            raise UseAlreadyRedeemed(
                "this consent was already redeemed", use_id=use.use_id, consent_id=use.consent_id
            ) from None
        redeemed = _with(use, sequence=use.consent_id)
        self._remember(redeemed)
        return redeemed

    def stated_purposes(
        self, licence_id: int, consent_id: int
    ) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
        """The purpose (text, salt) the licence was granted for and the one the consent was given for."""
        with self._engine.connect() as conn:
            licence = conn.execute(
                select(LicenceRow.purpose, LicenceRow.salt).where(LicenceRow.licence_id == licence_id)  # type: ignore[call-overload]
            ).first()
            consent = conn.execute(
                select(ConsentRow.purpose, ConsentRow.salt).where(ConsentRow.consent_id == consent_id)  # type: ignore[call-overload]
            ).first()
        return (
            None if licence is None else (licence.purpose, licence.salt),
            None if consent is None else (consent.purpose, consent.salt),
        )

    def use(self, use_id: str) -> RedeemedUse | None:
        if self._recent is not None:
            with self._recent_lock:
                known = self._recent.get(use_id)
            if known is not None:
                return known
        with self._engine.connect() as conn:
            row = conn.exec_driver_sql(_SELECT_USE.replace("?", placeholder(conn) or "?"), (use_id,)).first()
        return None if row is None else _use(dict(zip((*_USE_COLUMNS, "receipted"), row, strict=True)))

    def uses_of(self, licence_id: int, *, limit: int, offset: int) -> list[RedeemedUse]:
        query = (
            select(USES)
            .where(USES.c.licence_id == licence_id)
            .order_by(USES.c.redeemed_at, USES.c.source, USES.c.sequence)
            .limit(limit)
            .offset(offset)
        )
        with self._engine.connect() as conn:
            return [_use(r) for r in conn.execute(query).mappings()]

    def counter(self, licence_id: int) -> dict[str, int] | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(COUNTERS).where(COUNTERS.c.licence_id == licence_id)).mappings().first()
        return None if row is None else {k: int(v) for k, v in row.items()}

    # -- deliveries and receipts ------------------------------------------------------------------

    def finish_delivery(
        self, use_id: str, receipt: DeliveryReceipt | None, signature: str | None, *, completed: bool
    ) -> None:
        """Store the delivery's receipt (with its outbox entry) if given, and end the use if ``completed``."""
        if receipt is None and not completed:
            return
        leaf = b""
        payload = ""
        if receipt is not None:
            canonical = receipt.canonical()
            payload, leaf = canonical.decode(), leaf_hash(canonical)

        def finish(conn: Connection) -> None:
            mark = placeholder(conn) or "?"
            if receipt is not None and signature is not None and conn.dialect.name == "postgresql":
                at = bound(conn, OUTBOX.c.created_at, utcnow())
                conn.exec_driver_sql(  # one round trip: the receipt, its outbox entry, the end of the use
                    _FINISH_POSTGRES,
                    (use_id, payload, signature, _hex(leaf), completed, use_id, RECEIPT_KIND, at),
                )
                return
            if receipt is not None and signature is not None:
                inserted = conn.exec_driver_sql(
                    _INSERT_RECEIPT.replace("?", mark), (use_id, payload, signature, _hex(leaf))
                ).rowcount
                if inserted:  # the first response of the use: its receipt, anchored
                    add_entries(conn, [OutboxEntry(RECEIPT_KIND, use_id, leaf)], created_at=utcnow())
            if completed:
                conn.exec_driver_sql(_COMPLETE_USE.replace("?", mark), (True, use_id))

        self._group.run(finish, savepoint=False)
        if self._recent is not None:
            with self._recent_lock:
                known = self._recent.get(use_id)
                if known is not None:
                    self._recent[use_id] = replace(
                        known,
                        receipted=known.receipted or receipt is not None,
                        completed=known.completed or completed,
                    )

    def receipt(self, use_id: str) -> tuple[DeliveryReceipt, str] | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(RECEIPTS.c.payload, RECEIPTS.c.signature).where(RECEIPTS.c.use_id == use_id)
            ).first()
        if row is None:
            return None
        return DeliveryReceipt.from_payload(json.loads(row[0])), str(row[1])

    def receipt_inclusion(self, use_id: str) -> dict[str, Any]:
        return self._outbox.inclusion(RECEIPT_KIND, use_id).as_json()

    def use_inclusion(self, use_id: str) -> dict[str, Any] | None:
        """Where a use stands on chain: a chain use's (or consumed consent's) transaction, or a batched
        use's batch and proof."""
        with self._engine.connect() as conn:
            row = (
                conn.execute(
                    select(USES, USE_BATCHES)
                    .select_from(USES.outerjoin(USE_BATCHES, USES.c.batch_id == USE_BATCHES.c.id))
                    .where(USES.c.use_id == use_id)
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            if row[USES.c.source] in ("chain", "consent"):  # consent: its consumeConsent transaction
                return {
                    "status": "recorded",
                    "useNumber": row[USES.c.chain_use],
                    "txHash": row[USES.c.tx_hash],
                    "logIndex": row[USES.c.log_index],
                }
            body: dict[str, Any] = {"status": "pending", "leaf": row[USES.c.leaf]}
            batch_id = row[USES.c.batch_id]
            if batch_id is None:
                return body
            leaves = [
                bytes.fromhex(leaf[2:])
                for (leaf,) in conn.execute(
                    select(USES.c.leaf).where(USES.c.batch_id == batch_id).order_by(USES.c.leaf_index)
                )
            ]
        index = int(row[USES.c.leaf_index])
        body.update(
            status=row[USE_BATCHES.c.status],
            root=row[USE_BATCHES.c.root],
            leafIndex=index,
            leafCount=len(leaves),
            proof=[_hex(p) for p in MerkleTree(leaves).proof(index)],
        )
        if row[USE_BATCHES.c.status] == "recorded":
            body.update(
                useNumber=row[USES.c.chain_use],
                chainEvidence={
                    "chainId": row[USE_BATCHES.c.chain_id],
                    "contract": row[USE_BATCHES.c.contract],
                    "txHash": row[USE_BATCHES.c.tx_hash],
                    "blockNumber": row[USE_BATCHES.c.block_number],
                    "logIndex": row[USE_BATCHES.c.log_index],
                },
            )
        elif row[USE_BATCHES.c.status] == "refused":
            body["refusal"] = row[USE_BATCHES.c.refusal]
        return body

    # -- use batches (the recorder's side) ----------------------------------------------------------

    def licences_with_unbatched_uses(self) -> list[int]:
        query = (
            select(USES.c.licence_id)
            .where(USES.c.source == "batched", USES.c.batch_id.is_(None))
            .group_by(USES.c.licence_id)
        )
        with self._engine.connect() as conn:
            return [int(lid) for (lid,) in conn.execute(query)]

    def seal_use_batch(self, licence_id: int, max_uses: int) -> UseBatch | None:
        """Seal the licence's unbatched uses (in sequence order, at most ``max_uses``) under one root."""
        with self._write() as conn:
            rows = conn.execute(
                select(USES.c.use_id, USES.c.leaf)
                .where(USES.c.licence_id == licence_id, USES.c.source == "batched", USES.c.batch_id.is_(None))
                .order_by(USES.c.sequence)
                .limit(max_uses)
            ).all()
            if not rows:
                return None
            root = merkle_root([bytes.fromhex(leaf[2:]) for _, leaf in rows])
            inserted = conn.execute(
                insert(USE_BATCHES).values(
                    licence_id=licence_id, root=_hex(root), use_count=len(rows), status="sealed"
                )
            ).inserted_primary_key
            assert inserted is not None
            batch_id = int(inserted[0])
            for index, (use_id, _) in enumerate(rows):
                conn.execute(
                    update(USES).where(USES.c.use_id == use_id).values(batch_id=batch_id, leaf_index=index)
                )
        return UseBatch(batch_id, licence_id, root, len(rows))

    def sealed_use_batches(self) -> list[UseBatch]:
        query = select(USE_BATCHES).where(USE_BATCHES.c.status == "sealed").order_by(USE_BATCHES.c.id)
        with self._engine.connect() as conn:
            return [
                UseBatch(
                    int(r["id"]), int(r["licence_id"]), bytes.fromhex(r["root"][2:]), int(r["use_count"])
                )
                for r in conn.execute(query).mappings()
            ]

    def mark_recorded(self, batch: UseBatch, act: ChainAct) -> None:
        """The batch is on chain: number its uses, and move the counter from pending to the chain's count."""
        first = int(act.args["firstUse"])
        ev = act.evidence
        with self._write() as conn:
            conn.execute(
                update(USE_BATCHES)
                .where(USE_BATCHES.c.id == batch.batch_id)
                .values(
                    status="recorded",
                    first_use=first,
                    chain_id=ev.chain_id,
                    contract=ev.contract,
                    tx_hash=ev.tx_hash,
                    block_number=ev.block_number,
                    log_index=ev.log_index,
                    block_timestamp=act.block_timestamp,
                )
            )
            conn.execute(
                update(USES)
                .where(USES.c.batch_id == batch.batch_id)
                .values(chain_use=USES.c.leaf_index + first)
            )
            self._settle(conn, batch, recorded_total=first + batch.count - 1)

    def mark_refused(self, batch: UseBatch, code: str, detail: str) -> None:
        """The contract refused the batch (revoked, expired, over-use): its uses stay unrecorded."""
        with self._write() as conn:
            conn.execute(
                update(USE_BATCHES)
                .where(USE_BATCHES.c.id == batch.batch_id)
                .values(status="refused", refusal=f"{code}: {detail}")
            )
            self._settle(conn, batch, recorded_total=None)

    @staticmethod
    def _settle(conn: Connection, batch: UseBatch, *, recorded_total: int | None) -> None:
        values: dict[str, Any] = {"pending": COUNTERS.c.pending - batch.count}
        if recorded_total is not None:
            values["chain_uses"] = (
                func.max(COUNTERS.c.chain_uses, recorded_total)
                if conn.dialect.name == "sqlite"
                else func.greatest(COUNTERS.c.chain_uses, recorded_total)
            )
        conn.execute(update(COUNTERS).where(COUNTERS.c.licence_id == batch.licence_id).values(**values))


def _ensure_counter(conn: Connection, licence_id: int, max_uses: int, chain_uses: int) -> None:
    """Create the licence's counter if missing (concurrent creators: one wins, the others do nothing),
    and raise its chain count to ``chain_uses`` (never lower it: a stale read cannot undo a newer one)."""
    dialect_insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(
        dialect_insert(COUNTERS)
        .values(licence_id=licence_id, max_uses=max_uses, chain_uses=chain_uses, pending=0, next_seq=0)
        .on_conflict_do_nothing(index_elements=["licence_id"])
    )
    conn.execute(
        update(COUNTERS)
        .where(and_(COUNTERS.c.licence_id == licence_id, COUNTERS.c.chain_uses < chain_uses))
        .values(chain_uses=chain_uses)
    )


_USE_COLUMNS = (
    "use_id",
    "source",
    "licence_id",
    "asset_id",
    "consumer",
    "request_hash",
    "deposit_id",
    "redeemed_at",
    "window_ends_at",
    "sequence",
    "leaf",
    "chain_use",
    "tx_hash",
    "log_index",
    "completed",
    "consent_id",
    "subject",
)
_RESERVE = (
    "UPDATE delivery_counters SET pending = pending + 1, next_seq = next_seq + 1"
    " WHERE licence_id = ? AND chain_uses + pending < max_uses RETURNING next_seq"
)
_INSERT_NEW_USE = (
    f"INSERT INTO delivery_uses ({', '.join(_USE_COLUMNS)}) VALUES ({', '.join('?' * len(_USE_COLUMNS))})"
    " ON CONFLICT (use_id) DO NOTHING RETURNING use_id"
)
_NUMBER_USE = "UPDATE delivery_uses SET sequence = ? WHERE use_id = ?"
_INTEGER_COLUMNS = frozenset(
    {"licence_id", "redeemed_at", "window_ends_at", "chain_use", "log_index", "consent_id"}
)
# One round trip on PostgreSQL: the counter moves only if a use is left and the use is new, and the use
# is inserted with the number it got (a use presented twice at once to two processes may leave the
# counter one use short, never over).
_RESERVE_POSTGRES = (
    "WITH reserved AS (UPDATE delivery_counters SET pending = pending + 1, next_seq = next_seq + 1"
    " WHERE licence_id = %s AND chain_uses + pending < max_uses"
    " AND NOT EXISTS (SELECT 1 FROM delivery_uses WHERE use_id = %s) RETURNING next_seq)"
    f" INSERT INTO delivery_uses ({', '.join(_USE_COLUMNS)}) SELECT "
    + ", ".join(
        "reserved.next_seq"
        if c == "sequence"
        else "%s::bigint"
        if c in _INTEGER_COLUMNS
        else "%s::boolean"
        if c == "completed"
        else "%s"
        for c in _USE_COLUMNS
    )
    + " FROM reserved ON CONFLICT (use_id) DO NOTHING RETURNING sequence"
)


def _reserve_postgres(conn: Connection, use: RedeemedUse, leaf: str, max_uses: int) -> int:
    values = tuple(v for c, v in zip(_USE_COLUMNS, _use_values(use, 0, leaf), strict=True) if c != "sequence")
    row = conn.exec_driver_sql(_RESERVE_POSTGRES, (use.licence_id, use.use_id, *values)).first()
    if row is not None:
        return int(row[0])
    if conn.exec_driver_sql("SELECT 1 FROM delivery_uses WHERE use_id = %s", (use.use_id,)).first():
        raise UseAlreadyRedeemed("this use was already redeemed", use_id=use.use_id)
    raise LicenceUsedUp(
        "every use of the licence is consumed or reserved", licence_id=use.licence_id, max_uses=max_uses
    )


_DELETE_USE = "DELETE FROM delivery_uses WHERE use_id = ?"
_FINISH_POSTGRES = (
    "WITH receipt AS (INSERT INTO delivery_receipts (use_id, payload, signature, leaf)"
    " VALUES (%s, %s, %s, %s) ON CONFLICT (use_id) DO NOTHING RETURNING use_id, leaf),"
    " ended AS (UPDATE delivery_uses SET completed = (completed OR %s) WHERE use_id = %s)"
    " INSERT INTO anchor_outbox (kind, ref, leaf_hash, created_at) SELECT %s, use_id, leaf, %s FROM receipt"
)
_SELECT_USE = (
    f"SELECT {', '.join('u.' + c for c in _USE_COLUMNS)}, r.use_id IS NOT NULL FROM delivery_uses u"
    " LEFT JOIN delivery_receipts r ON r.use_id = u.use_id WHERE u.use_id = ?"
)
_INSERT_RECEIPT = (
    "INSERT INTO delivery_receipts (use_id, payload, signature, leaf) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (use_id) DO NOTHING"
)
_COMPLETE_USE = "UPDATE delivery_uses SET completed = ? WHERE use_id = ?"


def _use_values(use: RedeemedUse, sequence: int, leaf: str | None) -> tuple[Any, ...]:
    row = {**_use_row(use), "sequence": sequence, "leaf": leaf}
    return tuple(row[c] for c in _USE_COLUMNS)


def _use_row(use: RedeemedUse) -> dict[str, Any]:
    return {
        "use_id": use.use_id,
        "source": use.source,
        "licence_id": use.licence_id,
        "asset_id": use.asset_id,
        "consumer": use.consumer,
        "request_hash": use.request_hash,
        "deposit_id": use.deposit_id,
        "redeemed_at": use.redeemed_at,
        "window_ends_at": use.window_ends_at,
        "chain_use": use.chain_use,
        "tx_hash": use.tx_hash,
        "log_index": use.log_index,
        "completed": False,
        "consent_id": use.consent_id,
        "subject": use.subject,
    }


def _with(use: RedeemedUse, *, sequence: int) -> RedeemedUse:
    return replace(use, sequence=sequence)


def _use(row: RowMapping | dict[str, Any]) -> RedeemedUse:
    return RedeemedUse(
        use_id=row["use_id"],
        source=row["source"],
        licence_id=int(row["licence_id"]),
        asset_id=row["asset_id"],
        consumer=row["consumer"],
        request_hash=row["request_hash"],
        deposit_id=row["deposit_id"],
        redeemed_at=int(row["redeemed_at"]),
        window_ends_at=int(row["window_ends_at"]),
        sequence=int(row["sequence"]),
        chain_use=None if row["chain_use"] is None else int(row["chain_use"]),
        tx_hash=row["tx_hash"],
        log_index=row["log_index"],
        consent_id=None if row.get("consent_id") is None else int(row["consent_id"]),
        subject=row.get("subject"),
        completed=bool(row["completed"]),
        receipted=bool(row.get("receipted", False)),
    )


def _deposit(row: RowMapping) -> Deposit:
    return Deposit(
        deposit_id=row["deposit_id"],
        asset_id=row["asset_id"],
        kind=row["kind"],
        holder=row["holder"],
        created_at=int(row["created_at"]),
        content_hash=row["content_hash"],
        size=None if row["size"] is None else int(row["size"]),
        media_type=row["media_type"],
        location=row["location"],
        derivative=bool(row["derivative"]),
        personal_data=bool(row["personal_data"]),
    )


def _add_missing_columns(engine: Engine) -> None:
    """Bring a database made before :data:`ADDED_COLUMNS` up to the tables (idempotent)."""
    inspector = inspect(engine)
    present = {t: {c["name"] for c in inspector.get_columns(t)} for t in {t for t, _, _ in ADDED_COLUMNS}}
    missing = [(t, c, ddl) for t, c, ddl in ADDED_COLUMNS if c not in present[t]]
    if not missing:
        return
    with engine.begin() as conn:
        for table, column, ddl in missing:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}")
        for statement in ADDED_INDEXES:
            conn.exec_driver_sql(statement)
