"""Imports from a spreadsheet: organisations, users and labelled stock already in
use, from a CSV (UTF-8, `;` or `,`) or XLSX file.

An import is checked whole before anything is kept: every row is tried in one
savepoint, with the same service functions as the pages (`kinds.py`), and each
row's faults are listed with its line and column. A dry run (the preview) rolls
everything back; an applied import keeps it only when every row is valid, in
the caller's one transaction. Any invalid row: nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...models import User
from ..errors import BouteillesError
from ..territories import Scope
from .kinds import KINDS, CellError, Context, Kind
from .reading import MAX_BYTES, MAX_ROWS, Column, FileRefused, Row, Table, read_table

__all__ = ["KINDS", "MAX_BYTES", "MAX_ROWS", "Column", "FileRefused", "Kind", "Outcome",
           "RowReport", "Table", "read_file", "run_import", "table_from_rows", "table_rows"]


@dataclass(frozen=True)
class RowError:
    """One fault of a row: the column it is about (its key; None: the row), why."""

    column: str | None
    message: object


@dataclass
class RowReport:
    line: int
    values: dict[str, str]
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Outcome:
    """What an import found (`rows`), and, applied, what it wrote."""

    kind: Kind
    rows: list[RowReport]
    ignored: list[str]
    applied: bool = False
    count: int = 0
    passwords: list[tuple[str, str]] = field(default_factory=list)
    failure: object | None = None  # a refusal of the whole write (no row to blame)

    @property
    def ok(self) -> bool:
        return self.failure is None and not any(row.errors for row in self.rows)

    @property
    def faulty(self) -> list[RowReport]:
        return [row for row in self.rows if row.errors]

    def column_label(self, key: str | None) -> str | None:
        """The French name of a column (translated where it is shown)."""
        return next((c.label for c in self.kind.columns if c.key == key), None)


def read_file(kind: Kind, data: bytes) -> Table:
    """The file's rows for this import, or `FileRefused`."""
    table = read_table(data, kind.columns)
    if kind.max_rows is not None and len(table.rows) > kind.max_rows:
        raise FileRefused(_l("Plus de %(max)s lignes : découpez le fichier.", max=kind.max_rows))
    return table


def run_import(session: Session, kind: Kind, table: Table, *, actor: User | None,
               scope: Scope, apply: bool) -> Outcome:
    """Check every row (a dry run: nothing kept) or, `apply`, write them all when every
    row is valid; the caller commits. `actor`: who imports (None: the command line)."""
    ctx = Context(session, actor, scope, apply)
    outcome = Outcome(kind, [RowReport(row.line, row.values) for row in table.rows],
                      table.ignored)
    outer = session.begin_nested()
    if kind.prepare is not None:
        kind.prepare(ctx, table.rows)
    for row, report in zip(table.rows, outcome.rows, strict=True):
        report.errors.extend(_check_row(session, kind, ctx, row))
    if outcome.ok and kind.finish is not None:
        try:
            with session.begin_nested():
                outcome.count = kind.finish(ctx)
        except BouteillesError as exc:
            outcome.failure = exc.message
    else:
        outcome.count = len(table.rows)
    if apply and outcome.ok:
        outer.commit()
        outcome.applied, outcome.passwords = True, ctx.passwords
    else:
        outer.rollback()
        outcome.count = 0 if not outcome.ok else outcome.count
    return outcome


def _check_row(session: Session, kind: Kind, ctx: Context, row: Row) -> list[RowError]:
    """A row's fault, if any. No savepoint of its own (one per row would cost more than
    the rest): the services check everything before they add a row, so a refused
    row has written nothing."""
    try:
        kind.check(ctx, row)
    except CellError as exc:
        return [RowError(exc.field, exc.message)]
    except BouteillesError as exc:
        return [RowError(None, exc.message)]
    return []


def table_rows(table: Table) -> dict:
    """A table as plain values (the preview page carries it to the import)."""
    return {"rows": [[row.line, row.values] for row in table.rows], "ignored": table.ignored}


def table_from_rows(kind: Kind, data: dict) -> Table:
    """The table `table_rows` gave, its values checked again as the import does."""
    keys = {column.key for column in kind.columns}
    rows = [Row(int(line), {k: str(v) for k, v in values.items() if k in keys})
            for line, values in data["rows"]]
    return Table(rows, [str(name) for name in data.get("ignored", [])])
