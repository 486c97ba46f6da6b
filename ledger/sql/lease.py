"""The lease on a database's background work, and the lock that orders the operator's transactions.

Several processes may serve one PostgreSQL database (``dataledger serve --workers N``, or several
hosts). Anchoring, event indexing, checkpoints and start-up recovery must run in one of them at a
time: that process holds the *lease*. The lease is a PostgreSQL session-level advisory lock,
``pg_try_advisory_lock(LEASE_NAMESPACE, BACKGROUND_WORK)``, taken on a connection of its own that the
process keeps for its life; PostgreSQL releases it when that connection closes, so a process that
dies hands the lease on without anyone having to notice. Advisory locks are local to a database:
two databases on one server never share a lease.

The same connection holds ``MEMBERS`` in shared mode from the start, so the lease holder can tell
whether any other live process works on the database (:meth:`PostgresLease.others_present`).
``CHAIN_SENDER`` is taken per transaction (:class:`OperatorAccountLock`): processes that send from
one operator account must not hand out the same nonce.

The keys, two 32-bit integers each (``pg_locks``: ``classid``, ``objid``, ``objsubid = 2``):

==================  =======================  ===========================================
namespace           key                      held
==================  =======================  ===========================================
``0x444C4752``      ``1`` BACKGROUND_WORK    exclusive, by the lease holder, for its life
``0x444C4752``      ``2`` MEMBERS            shared, by every process, for its life
``0x444C4752``      ``3`` CHAIN_SENDER       exclusive, per transaction, while a nonce is used
==================  =======================  ===========================================

On SQLite one process owns the database file, so :class:`SingleProcessLease` is always held.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

LEASE_NAMESPACE = 0x444C4752  # "DLGR": the first key of every advisory lock dataledger takes
BACKGROUND_WORK = 1  # the lease: anchoring, indexing, checkpoints, recovery
MEMBERS = 2  # every live process of the database, in shared mode
CHAIN_SENDER = 3  # one process at a time takes a nonce of the operator account and sends

# A dead network path must not hold the lease's connection (and so the process's idea that it
# leads) for the kernel's TCP timeout of many minutes: libpq gives up on an unanswered peer sooner.
_CONNECTION_LIVENESS = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}
# The granted advisory locks (two-integer form: objsubid 2) of :namespace and :key in this database.
_GRANTED = (
    "l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND l.classid = CAST(:namespace AS oid) AND l.objid = CAST(:key AS oid)"
)


class SingleProcessLease:
    """The lease on a database only one process can use (SQLite): always held."""

    shared = False
    held = True

    def try_acquire(self) -> bool:
        return True

    def others_present(self) -> bool:
        return False

    def holder(self) -> str:
        return "this process (the database has one process)"

    def close(self) -> None:
        pass


class PostgresLease:
    """The lease of one PostgreSQL database, for this process: a session advisory lock on its own connection.

    Every method is safe from any thread. A failure of the connection counts as losing the lease (the
    server has then ended the session, or will, and with it the lock): :meth:`try_acquire` answers
    False, and the next call connects again and competes for the lease like any other process.
    """

    shared = True

    def __init__(self, engine: Engine, *, name: str | None = None) -> None:
        self._queries = engine  # pooled: for pg_locks reads, never for the locks themselves
        self.name = name or f"dataledger pid {os.getpid()} on {socket.gethostname()}"
        # NullPool: closing the connection really ends the session, so nothing it locked can leak
        # into a pooled connection someone else checks out.
        self._engine = create_engine(
            engine.url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={**_CONNECTION_LIVENESS, "application_name": self.name[:63]},
        )
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        self._held = False
        with self._lock:
            self._connect()  # a member from the start: before this process can write anything

    @property
    def held(self) -> bool:
        """Whether this process held the lease when last asked (:meth:`try_acquire` asks)."""
        return self._held

    def try_acquire(self) -> bool:
        """Take the lease if no other process holds it, or confirm this process still does."""
        with self._lock:
            try:
                connection = self._connection or self._connect()
                if self._held:
                    connection.execute(text("SELECT 1"))  # the session lives, so its lock does
                    return True
                taken = connection.execute(
                    text("SELECT pg_try_advisory_lock(CAST(:namespace AS integer), CAST(:key AS integer))"),
                    {"namespace": LEASE_NAMESPACE, "key": BACKGROUND_WORK},
                ).scalar_one()
                self._held = bool(taken)
            except (SQLAlchemyError, OSError) as error:
                if self._held:
                    log.warning("lost the lease on the background work: %s", error)
                self._disconnect()
            return self._held

    def others_present(self) -> bool:
        """Whether another live process works on this database (holds ``MEMBERS``)."""
        own = self._backend_pid()  # None while disconnected: then every member is another process
        with self._queries.connect() as connection:
            count = connection.execute(
                text(
                    "SELECT count(DISTINCT l.pid) FROM pg_locks l"
                    f" WHERE {_GRANTED} AND l.pid IS DISTINCT FROM CAST(:own AS integer)"
                ),
                {"namespace": LEASE_NAMESPACE, "key": MEMBERS, "own": own},
            ).scalar_one()
        return int(count) > 0

    def holder(self) -> str | None:
        """Who holds the lease: this process, another one (by its application name), or None."""
        if self._held:
            return f"this process ({self.name})"
        with self._queries.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT l.pid, a.application_name FROM pg_locks l"
                    f" LEFT JOIN pg_stat_activity a ON a.pid = l.pid WHERE {_GRANTED}"
                ),
                {"namespace": LEASE_NAMESPACE, "key": BACKGROUND_WORK},
            ).first()
        if row is None:
            return None
        return str(row[1] or f"backend pid {row[0]}")

    def release(self) -> None:
        """Give the lease up (this process stays a member of the database)."""
        with self._lock:
            if self._held and self._connection is not None:
                try:
                    self._connection.execute(
                        text("SELECT pg_advisory_unlock(CAST(:namespace AS integer), CAST(:key AS integer))"),
                        {"namespace": LEASE_NAMESPACE, "key": BACKGROUND_WORK},
                    )
                except (SQLAlchemyError, OSError):
                    self._disconnect()
            self._held = False

    def close(self) -> None:
        """End the session: the lease, if held, and the membership go with it."""
        with self._lock:
            self._disconnect()
        self._engine.dispose()

    def _connect(self) -> Connection:
        connection = self._engine.connect()
        try:
            connection.execute(
                text("SELECT pg_advisory_lock_shared(CAST(:namespace AS integer), CAST(:key AS integer))"),
                {"namespace": LEASE_NAMESPACE, "key": MEMBERS},
            )
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        return connection

    def _disconnect(self) -> None:
        connection, self._connection, self._held = self._connection, None, False
        if connection is None:
            return
        # The server releases a closed session's locks once its backend has exited, a moment after
        # the client hangs up; unlocking first hands the lease on at once. On a broken connection
        # this fails, and the session ends with its locks anyway.
        with contextlib.suppress(SQLAlchemyError, OSError):
            connection.execute(text("SELECT pg_advisory_unlock_all()"))
        with contextlib.suppress(SQLAlchemyError, OSError):
            connection.invalidate()  # never back to a pool: the session ends here
            connection.close()

    def _backend_pid(self) -> int | None:
        with self._lock:
            if self._connection is None:
                return None
            raw: Any = self._connection.connection.driver_connection
            return int(raw.info.backend_pid)


class OperatorAccountLock:
    """Serialises taking a nonce and sending, for one operator account, across processes (PostgreSQL).

    Called by the transaction sender around take-sign-send: a transaction-level advisory lock, so it is
    released at the end of that short transaction whatever happens, and the pooled connection goes
    back clean.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __call__(self) -> AbstractContextManager[None]:
        return self._held()

    @contextmanager
    def _held(self) -> Iterator[None]:
        with self._engine.connect() as connection, connection.begin():
            connection.execute(
                text("SELECT pg_advisory_xact_lock(CAST(:namespace AS integer), CAST(:key AS integer))"),
                {"namespace": LEASE_NAMESPACE, "key": CHAIN_SENDER},
            )
            yield


def lease_for(engine: Engine) -> PostgresLease | SingleProcessLease:
    """The lease that fits the database: PostgreSQL's advisory lock, or trivially held on SQLite."""
    if engine.dialect.name == "postgresql":
        return PostgresLease(engine)
    return SingleProcessLease()


def operator_account_lock(engine: Engine) -> OperatorAccountLock | None:
    """The cross-process lock for the operator's nonces, where several processes can share the database."""
    return OperatorAccountLock(engine) if engine.dialect.name == "postgresql" else None
