"""Bulk SQL through the database driver: many rows per statement without per-row ORM work.

SQLAlchemy Core spends about as long preparing each row of an ``executemany`` (bind processors,
parameter dictionaries) as SQLite spends storing it. The bulk path writes thousands of rows per
request, so these helpers hand tuples straight to the driver's ``executemany`` with its own
placeholder style, and fall back to Core for a driver whose style they do not know.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Column, Table, insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

IN_CHUNK = 500  # parameters in one IN (...) list, well under every database's limit


def placeholder(conn: Connection) -> str | None:
    """The driver's positional placeholder (``?`` for sqlite3, ``%s`` for psycopg), or None if unknown."""
    style = conn.dialect.paramstyle
    if style == "qmark":
        return "?"
    if style in ("format", "pyformat"):
        return "%s"
    return None


def bound(conn: Connection, column: Column, value: Any) -> Any:
    """``value`` as the driver receives it for ``column`` (a datetime as SQLite text, for example)."""
    processor = column.type._cached_bind_processor(conn.dialect)
    return processor(value) if processor is not None else value


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT ``rows`` (tuples in ``columns`` order, values already as the driver takes them).

    On PostgreSQL this is a ``COPY ... FROM STDIN`` in the caller's transaction (several times
    faster than an INSERT per row); a duplicate key raises SQLAlchemy's ``IntegrityError`` either way.
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, table, columns, rows)
        return
    mark = placeholder(conn)
    if mark is None:  # pragma: no cover - sqlite3 and psycopg are covered above
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    conn.exec_driver_sql(sql, list(rows))


def _copy_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    assert conn.connection.driver_connection is not None and conn.dialect.dbapi is not None
    cursor = conn.connection.driver_connection.cursor()  # psycopg 3, inside the caller's transaction
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except conn.dialect.dbapi.IntegrityError as error:
        raise IntegrityError(statement, None, error) from error
    finally:
        cursor.close()


def execute_many(conn: Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Run ``sql`` (written with ``?`` placeholders) once per row of ``rows``."""
    if rows:
        conn.exec_driver_sql(_with_placeholders(conn, sql), list(rows))


def select_in(
    conn: Connection, sql: str, values: Sequence[Any], *, repeat: int = 1, params: tuple[Any, ...] = ()
) -> Iterator[tuple[Any, ...]]:
    """Rows of ``sql``, whose ``{in}`` markers each become ``(?, ?, ...)`` over a chunk of ``values``.

    ``repeat`` is the number of ``{in}`` markers, each taking the same chunk; ``params`` fill the
    ``?`` placeholders written before the first marker.
    """
    for start in range(0, len(values), IN_CHUNK):
        chunk = list(values[start : start + IN_CHUNK])
        marks = "(" + ", ".join("?" * len(chunk)) + ")"
        statement = _with_placeholders(conn, sql.replace("{in}", marks))
        yield from conn.exec_driver_sql(statement, (*params, *(chunk * repeat))).tuples()


def _with_placeholders(conn: Connection, sql: str) -> str:
    mark = placeholder(conn)
    if mark is None:  # pragma: no cover
        raise NotImplementedError(f"no driver placeholder for paramstyle {conn.dialect.paramstyle}")
    return sql if mark == "?" else sql.replace("%", "%%").replace("?", mark)
