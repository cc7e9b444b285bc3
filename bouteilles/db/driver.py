"""Statements run on the DB-API cursor, for the scan's hot path.

SQLAlchemy's execution of one statement (execution context, parameter
processing, result metadata, row objects) costs 60–100 µs of Python on top of
the driver's own work for the scan's two PostgreSQL statements, of 30 columns
and 35 parameters: about a sixth of a scan's CPU. A `DriverStatement` keeps
what matters of SQLAlchemy (the SQL it compiles for the dialect, and the types'
conversions of parameters and results, such as `UTCDateTime` and `JSON`) and
hands the rest to the driver directly, inside the connection's transaction.

What it skips: SQLAlchemy's logging (`echo`) and its result objects (rows are
named tuples). `before_cursor_execute` listeners still see the statement (with
no execution context), and driver errors are still raised as SQLAlchemy's
`DBAPIError` subclasses. Use it for a statement run on every
request of a hot path, and nowhere else.

A `DriverConnection` is the transaction such statements run in when the hot
path needs no ORM at all: a connection of the engine's pool, begun, committed
and rolled back through the driver. Without the ORM `Session` and
SQLAlchemy's `Connection` around its two transactions, a SQLite scan went from
585 to ~375 µs of CPU in process (docs/scaling.md).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, exc
from sqlalchemy.sql.elements import ClauseElement

from .database import sqlite_begin


class DriverStatement:
    """A Core statement compiled once per dialect, executed on the raw cursor."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def first(self, conn: Connection, params: dict[str, Any]) -> Any | None:
        """The first row (a named tuple of converted values), or None. The
        statement must return rows (a SELECT, or a write with RETURNING)."""
        return self._execute(conn, params, fetch=True)

    def run(self, conn: Connection, params: dict[str, Any]) -> int:
        """Execute a statement that returns no rows; the number of rows it changed."""
        return self._execute(conn, params, fetch=False)

    def _execute(self, conn: Connection, params: dict[str, Any], *, fetch: bool) -> Any | None:
        dialect = conn.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _Compiled(self.statement, dialect)
        values = compiled.parameters(params)
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            if conn.dispatch.before_cursor_execute:  # tests and tracing count it
                conn.dispatch.before_cursor_execute(conn, cursor, compiled.sql, values, None,
                                                    False)
            cursor.execute(compiled.sql, values)
            if not fetch:
                return cursor.rowcount
            row = cursor.fetchone()
            return None if row is None else compiled.row(row, cursor)
        except dialect.loaded_dbapi.Error as error:
            raise exc.DBAPIError.instance(compiled.sql, values, error,
                                          dialect.loaded_dbapi.Error, dialect=dialect) from error
        finally:
            cursor.close()


class DriverConnection:
    """A connection of `engine`'s pool, its transactions driven through the driver.

    Stands where `DriverStatement` expects a `Connection`: it has the dialect,
    the pool's connection (`.connection`) and the engine's event dispatch, so
    that `before_cursor_execute` listeners of the engine see every statement,
    BEGIN included. Transactions begin as the engine's own do (on SQLite, a
    writer takes its turn in the queue: `database.sqlite_begin`). Use it as a
    context manager: leaving returns the connection to the pool, which rolls
    back whatever was not committed.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self.dispatch = engine.dispatch
        self.connection = engine.raw_connection()

    def __enter__(self) -> DriverConnection:
        return self

    def __exit__(self, *_exc) -> None:
        self.connection.close()

    @contextmanager
    def autocommit(self) -> Iterator[None]:
        """PostgreSQL: each statement a transaction of its own, committed by the
        database as it ends (no BEGIN, no COMMIT: two round trips fewer). SQLite's
        connections are in autocommit already; `begin` opens their transactions."""
        dbapi_connection = self.connection.dbapi_connection
        dbapi_connection.autocommit = True
        try:
            yield
        finally:
            if not dbapi_connection.closed:  # (a lost connection: the pool discards it)
                dbapi_connection.autocommit = False

    def begin(self, *, read_only: bool = False) -> None:
        """Open a transaction (PostgreSQL's driver opens one at the first statement)."""
        if self.dialect.name == "sqlite":
            self.execute(sqlite_begin(self.connection.dbapi_connection, read_only=read_only))

    def execute(self, sql: str) -> None:
        """Run a statement of no parameters and no rows (BEGIN, SAVEPOINT …)."""
        if self.dispatch.before_cursor_execute:
            self.dispatch.before_cursor_execute(self, None, sql, (), None, False)
        self._call(sql, self.connection.dbapi_connection.execute, sql)

    def commit(self) -> None:
        self._call("COMMIT", self.connection.dbapi_connection.commit)

    def rollback(self) -> None:
        self._call("ROLLBACK", self.connection.dbapi_connection.rollback)

    def _call(self, sql: str, method, *args) -> None:
        try:
            method(*args)
        except self.dialect.loaded_dbapi.Error as error:  # as SQLAlchemy would raise it
            raise exc.DBAPIError.instance(sql, (), error, self.dialect.loaded_dbapi.Error,
                                          dialect=self.dialect) from error


class _Compiled:
    def __init__(self, statement: ClauseElement, dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self._construct = compiled.construct_params
        self._order = compiled.positiontup if compiled.positional else None
        self._binds = {
            name: processor for name, bind in compiled.binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))
        }
        columns = getattr(statement, "selected_columns", None)
        if columns is None:  # text(): names from the cursor, values as the driver gives them
            self._names, self._results = None, None
        else:
            self._names = [column.key for column in columns]
            self._results = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                             for column in columns]
        self._row_type = None

    def parameters(self, params: dict[str, Any]) -> dict[str, Any] | list[Any]:
        values = self._construct(params)
        for name, processor in self._binds.items():
            if name in values:
                values[name] = processor(values[name])
        return values if self._order is None else [values[name] for name in self._order]

    def row(self, row: tuple, cursor) -> Any:
        if self._row_type is None:  # (the driver builds `description` at each call)
            names = self._names or [column[0] for column in cursor.description]
            self._row_type = namedtuple("Row", names)
        if self._results is not None:
            row = [value if convert is None else convert(value)
                   for value, convert in zip(row, self._results, strict=True)]
        return self._row_type(*row)
