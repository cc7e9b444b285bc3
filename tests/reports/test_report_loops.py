"""The monthly report's method page names the month's loops past the network's limit,
or says that none is."""

from __future__ import annotations

import subprocess
from datetime import datetime

import pytest
from geo_world import build_world

from bouteilles.formatting import PARIS
from bouteilles.reports import build_monthly_report, render
from bouteilles.reports.pdf_report import render_pdf


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(text.split())


@pytest.fixture
def month() -> str:
    return datetime.now(PARIS).strftime("%Y-%m")


def test_the_method_page_names_the_long_loops(session, make_org, make_user, make_crate,
                                              make_container, scan, month, tmp_path):
    world = build_world(make_org, make_user, make_crate, make_container, scan)
    report = build_monthly_report(session, month)
    check = report.loops
    assert (check.limit_km, check.break_even_km) == (300, 600)
    assert (check.over_limit, check.over_break_even) == (1, 1)
    [loop] = check.long
    assert (loop.origin, loop.site, loop.destination) == (
        world.paris.name, world.site.name, world.marseille.name)
    assert loop.past_break_even and not loop.by_road
    text = pdf_text(render_pdf(report), tmp_path)
    assert "Distances des boucles : 1 boucle du mois dépasse 300 km" in text
    assert f"{world.paris.name} → {world.site.name} → {world.marseille.name}" in text
    assert "au-delà du seuil de rentabilité du réemploi" in text
    # The spreadsheets count them.
    assert render(report, "csv") and render(report, "xlsx")


def test_a_month_without_long_loops_says_so(session, month, tmp_path):
    report = build_monthly_report(session, month)
    assert report.loops.long == []
    assert "aucune boucle du mois ne dépasse 300 km" in pdf_text(render_pdf(report), tmp_path)
