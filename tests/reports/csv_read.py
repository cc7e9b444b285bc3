"""The CSV download read back as a French spreadsheet, or pandas, reads it."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from decimal import Decimal

from bouteilles.reports.tables import SUMMARY


def csv_tables(data: bytes) -> dict[str, list[dict[str, str]]]:
    """The zip's CSV files as {name: [row dicts]}, read as a French spreadsheet (or
    `pandas.read_csv(f, sep=";", decimal=",")`) reads them: a BOM, `;`, one header row,
    every row as wide as the header. Names lose their number: "05-par-lot.csv" → "par-lot"."""
    tables = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            raw = archive.read(name)
            assert raw.startswith(codecs.BOM_UTF8), name
            header, *rows = csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";")
            tables[name[3:].removesuffix(".csv")] = [dict(zip(header, row, strict=True))
                                                     for row in rows]
    return tables


def decimal(text: str) -> Decimal:
    """A number written with a decimal comma and no digit grouping (float() would take it
    after the same replacement: pandas' decimal=",")."""
    assert re.fullmatch(r"-?\d+(,\d+)?", text), text
    return Decimal(text.replace(",", "."))


def exact_grams(kg: str) -> int:
    """Kilograms to the gram, as written, back to exact grams."""
    value = decimal(kg) * 1000
    assert value == int(value), kg
    return int(value)


SUMMARY_KEYS = {label: key for key, label in SUMMARY}


def csv_summary(data: bytes) -> dict[str, int]:
    """The summary file's impact figures under the API's names, in grams and counts."""
    out = {}
    for row in csv_tables(data)["synthese"]:
        key = SUMMARY_KEYS.get(row["Indicateur"])
        if key:
            out[key] = exact_grams(row["Valeur"]) if row["Unité"] == "kg" else int(row["Valeur"])
    return out


def column_total(rows: list[dict[str, str]], header: str) -> int:
    return sum(exact_grams(r[header]) if header.endswith("(kg)") else int(r[header])
               for r in rows)


CSV_FIGURES = {"co2e_avoided_g": "CO₂e évité (kg)", "co2e_process_g": "CO₂e du procédé (kg)",
               "waste_avoided_g": "Déchets évités (kg)",
               "to_recycling_g": "Verre au recyclage (kg)",
               "containers_reused": "Contenants réemployés"}
