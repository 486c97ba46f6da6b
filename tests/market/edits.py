"""Edits of the store an audit test makes, each undone before the next: one world serves every edit."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine


@contextmanager
def edited(
    engine: Engine, table: str, statement: str, params: Mapping[str, object] | None = None
) -> Iterator[None]:
    """The store with ``statement`` (an UPDATE or DELETE of rows of ``table``) applied, then as it was:
    each row's columns set back by its primary key, the rows it deleted inserted again."""
    key = inspect(engine).get_pk_constraint(table)["constrained_columns"]
    with engine.begin() as connection:
        before = [dict(row) for row in connection.execute(text(f"SELECT * FROM {table}")).mappings()]
        connection.execute(text(statement), dict(params or {}))
    try:
        yield
    finally:
        with engine.begin() as connection:
            for row in before:
                match = " AND ".join(f"{column} = :{column}" for column in key)
                values = ", ".join(f"{column} = :{column}" for column in row if column not in key)
                if connection.execute(text(f"UPDATE {table} SET {values} WHERE {match}"), row).rowcount == 0:
                    columns = ", ".join(row)
                    marks = ", ".join(f":{column}" for column in row)
                    connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), row)
