"""Reading a spreadsheet: CSV (UTF-8, `;` or `,`, BOM tolerated) or XLSX, into rows.

A file is read whole before anything is checked: the header names the columns
(French or English, case and accents ignored, unknown ones set aside), each
following non-empty row is one record, numbered as the spreadsheet numbers its
lines (the header is line 1). What cannot be read at all (another format, another
encoding, no header, a required column missing, too many rows) is one
`FileRefused`, never a crash.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..errors import ValidationError

MAX_BYTES = 1024 * 1024  # the app's MAX_CONTENT_LENGTH: an upload is never larger
MAX_ROWS = 5_000
MAX_COLUMNS = 40
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary Excel format (and .doc)


class FileRefused(ValidationError):
    """The file as a whole cannot be imported (its message says why)."""


@dataclass(frozen=True)
class Column:
    """A column of an import: its key, its French name (shown, translated), the
    header spellings read as it, whether the header must be there."""

    key: str
    label: str
    aliases: tuple[str, ...]
    required: bool = False


@dataclass
class Row:
    """One record: its line in the spreadsheet and its cells by column key."""

    line: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class Table:
    """A file's records, with the header cells that named no column."""

    rows: list[Row]
    ignored: list[str] = field(default_factory=list)


def folded(text: str) -> str:
    """Lower case, no accents, words separated by one space: what a header or a
    label is compared as ("Détenteur" = "detenteur", "washing_site" = "washing site")."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    for mark in "_-'’.":
        text = text.replace(mark, " ")
    return " ".join(text.lower().split())


def read_table(data: bytes, columns: tuple[Column, ...]) -> Table:
    """The records of a CSV or XLSX file for these columns, or `FileRefused`."""
    if not data or not data.strip():
        raise FileRefused(_l("Le fichier est vide."))
    if len(data) > MAX_BYTES:
        raise FileRefused(_l("Le fichier dépasse 1 Mio : découpez-le en plusieurs fichiers."))
    if data.startswith(_XLS_MAGIC):
        raise FileRefused(_l("Ancien format Excel (.xls) : enregistrez le fichier en .xlsx ou "
                             "en CSV UTF-8."))
    cells = _xlsx_cells(data) if data.startswith(_XLSX_MAGIC) else _csv_cells(data)
    return _records(cells, columns)


Cells = list[tuple[int, list[str]]]  # the non-empty rows, with their line numbers


def _csv_cells(data: bytes) -> Cells:
    if b"\x00" in data:  # a binary file (and PostgreSQL refuses NUL in text)
        raise FileRefused(_l("Ce n'est ni un fichier CSV ni un fichier XLSX."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(_l("Le fichier n'est pas en UTF-8 : enregistrez-le au format "
                             "« CSV UTF-8 » (ou en .xlsx).")) from None
    first = text.lstrip().split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [(line, row) for line, row in enumerate(reader, start=1)
                if any(cell.strip() for cell in row)][:MAX_ROWS + 2]
    except csv.Error as exc:
        raise FileRefused(_l("CSV illisible : %(detail)s.", detail=str(exc))) from None


def _cell_text(value: object) -> str:
    """A spreadsheet cell as text: 46.5 → "46.5", 3012345678904.0 → "3012345678904"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_cells(data: bytes) -> Cells:
    from openpyxl import load_workbook  # only a spreadsheet import needs it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise FileRefused(_l("Fichier XLSX illisible : enregistrez-le à nouveau depuis le "
                             "tableur, ou exportez-le en CSV UTF-8.")) from None
    except Exception:  # openpyxl's own errors for a damaged workbook; never a crash
        raise FileRefused(_l("Fichier XLSX illisible : enregistrez-le à nouveau depuis le "
                             "tableur, ou exportez-le en CSV UTF-8.")) from None
    try:
        rows: Cells = []
        sheet = book.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True),
                                      start=1):
            row = [_cell_text(value) for value in values]
            if any(cell.strip() for cell in row):
                rows.append((line, row))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except Exception:  # a damaged sheet inside a readable archive
        raise FileRefused(_l("Fichier XLSX illisible : enregistrez-le à nouveau depuis le "
                             "tableur, ou exportez-le en CSV UTF-8.")) from None
    finally:
        book.close()


def _header_keys(header: list[str], columns: tuple[Column, ...]) -> tuple[list[str | None],
                                                                           list[str]]:
    by_alias = {folded(alias): column.key for column in columns for alias in column.aliases}
    keys: list[str | None] = []
    ignored: list[str] = []
    for cell in header:
        key = by_alias.get(folded(cell))
        if key is None and cell.strip():
            ignored.append(cell.strip()[:60])
        if key is not None and key in keys:
            raise FileRefused(_l("La colonne « %(name)s » apparaît deux fois.", name=cell.strip()))
        keys.append(key)
    return keys, ignored


def _records(cells: Cells, columns: tuple[Column, ...]) -> Table:
    if not cells:
        raise FileRefused(_l("Le fichier est vide."))
    keys, ignored = _header_keys(cells[0][1], columns)
    missing = [str(_l(column.label)) for column in columns
               if column.required and column.key not in keys]
    if missing:
        raise FileRefused(_l("Colonnes obligatoires absentes : %(names)s. La première ligne "
                             "doit nommer les colonnes.", names=", ".join(missing)))
    if len(cells) - 1 > MAX_ROWS:
        raise FileRefused(_l("Plus de %(max)s lignes : découpez le fichier.", max=MAX_ROWS))
    if len(cells) == 1:
        raise FileRefused(_l("Le fichier n'a aucune ligne après celle des noms de colonnes."))
    rows = [Row(line, {key: cell.strip() for key, cell in zip(keys, row, strict=False)
                       if key is not None})  # a short row: its last cells are empty
            for line, row in cells[1:]]
    return Table(rows, ignored)
