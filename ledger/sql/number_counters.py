"""Serials of certificate and registration numbers, drawn from one counter per scope in SQL.

A scope is an institution's certificates of a month or its registrations of a year
(``registry.numbering``). A draw is one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` inside the
caller's transaction: on PostgreSQL concurrent draws of a scope queue on its row lock and each reads the
value the previous one committed; on SQLite the statement takes the database's write lock. Either way no
two transactions get the same serial, and a rolled-back transaction gives its serial back.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from dataledger.ledger.sql.tables import NumberCounterRow


def draw_serial(session: Session, scope: str) -> int:
    """The next serial of ``scope`` (1 for its first draw), counted in ``session``'s transaction."""
    table = NumberCounterRow.__table__  # type: ignore[attr-defined]
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .values(scope=scope, last_serial=1)
        .on_conflict_do_update(index_elements=[table.c.scope], set_={"last_serial": table.c.last_serial + 1})
        .returning(table.c.last_serial)
    )
    return int(session.connection().execute(statement).scalar_one())
