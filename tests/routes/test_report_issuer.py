"""The report's issuer (an administrator's page), the month in progress, hours on batches:
through the pages, the API and the downloads."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime

import pytest
from openpyxl import load_workbook
from PIL import Image

from bouteilles.db.database import get_session
from bouteilles.models import ReportIssuer
from bouteilles.services.errors import FieldError
from bouteilles.services.impact.issuer import MAX_LOGO_BYTES, logo_type, siret_valid
from bouteilles.services.periods import PARIS

SIRET = "73282932000074"  # INSEE's example: its Luhn key holds


def image(fmt: str = "PNG", size: tuple[int, int] = (120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (46, 107, 79)).save(out, fmt)
    return out.getvalue()


def this_month() -> str:
    return datetime.now(PARIS).strftime("%Y-%m")


def post_issuer(client, **fields):
    data = {"name": "Coopérative Jura Réemploi", "address": "12 rue du Commerce\n39000 Lons",
            "siret": "732 829 320 00074", **fields}
    return client.post("/admin/report-issuer", data=data, content_type="multipart/form-data")


def test_siret_check():
    assert siret_valid(SIRET) and not siret_valid("73282932000075")
    assert not siret_valid("7328293200007") and not siret_valid("7328293200007A")
    assert siret_valid("35600000000083")  # La Poste: digits summing to a multiple of 5


def test_a_logo_over_512_kib_is_refused():
    # (Through the client, a body this large is a temporary file the test client leaves
    # open: the form's path is the same, checked here.)
    assert logo_type(image()) == "png"
    with pytest.raises(FieldError, match="512"):
        logo_type(image() + b"\0" * MAX_LOGO_BYTES)


def test_an_administrator_sets_the_issuer_and_the_reports_name_it(client, actors, login,
                                                                   tmp_path):
    coord = login(actors["coordinator"])
    assert client.get("/admin/report-issuer").status_code == 200
    answer = post_issuer(client, logo=(io.BytesIO(image()), "logo.png"))
    assert answer.status_code == 302
    issuer = get_session().get(ReportIssuer, 1)
    assert issuer.siret == SIRET and issuer.logo_type == "png" and issuer.updated_by_id == coord.id
    page = client.get("/admin/report-issuer").text
    assert "data:image/png;base64," in page and "Coopérative Jura Réemploi" in page

    month = this_month()
    pdf = client.get(f"/exports/impact/{month}.pdf")
    assert pdf.status_code == 200
    if shutil.which("pdftotext"):
        path = tmp_path / "r.pdf"
        path.write_bytes(pdf.data)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "Coopérative Jura Réemploi" in text and "SIRET 732 829 320 00074" in text
        assert "mois en cours" in text and "Bouteilles ·" not in text
    wb = load_workbook(io.BytesIO(client.get(f"/exports/impact/{month}.xlsx").data))
    cells = {str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value}
    assert any("Coopérative Jura Réemploi" in c for c in cells)

    # A new save without a file keeps the logo; "remove" drops it.
    assert post_issuer(client).status_code == 302
    assert get_session().get(ReportIssuer, 1).logo is not None
    assert post_issuer(client, remove_logo="y").status_code == 302
    get_session().expire_all()
    assert get_session().get(ReportIssuer, 1).logo is None


@pytest.mark.parametrize(("fields", "message"), [
    ({"siret": "732 829 320 00075"}, "SIRET invalide"),
    ({"logo": (io.BytesIO(b"not an image"), "logo.png")}, "PNG ou JPEG lisible"),
    ({"logo": (io.BytesIO(image("GIF")), "logo.gif")}, "PNG ou JPEG"),
    ({"name": ""}, "obligatoire"),
])
def test_the_issuer_form_refuses(client, actors, login, fields, message):
    login(actors["coordinator"])
    answer = post_issuer(client, **fields)
    assert answer.status_code == 422 and message in answer.text
    assert get_session().get(ReportIssuer, 1) is None


def test_a_jpeg_logo_is_accepted(client, actors, login):
    login(actors["coordinator"])
    assert post_issuer(client, logo=(io.BytesIO(image("JPEG")), "l.jpg")).status_code == 302
    assert get_session().get(ReportIssuer, 1).logo_type == "jpeg"


def test_hours_through_the_batch_close_api_reach_the_report(client, actors, token_for):
    headers = token_for(actors["washing_site"])
    batch_id = client.post("/api/v1/batches", headers=headers,
                           json={"type": "bouteille-75"}).get_json()["id"]
    client.post(f"/api/v1/batches/{batch_id}/inputs", headers=headers, json={"count": 1000})
    refused = client.post(f"/api/v1/batches/{batch_id}/close", headers=headers, json={
        "clean": 970, "rejected": {"broken": 30}, "hours_worked": 10, "insertion_hours": 12})
    assert refused.status_code == 422
    closed = client.post(f"/api/v1/batches/{batch_id}/close", headers=headers, json={
        "clean": 970, "rejected": {"broken": 30}, "hours_worked": 16.07,
        "insertion_hours": 8})
    assert closed.status_code == 200
    coord = token_for(actors["coordinator"])
    body = client.get("/api/v1/impact", headers=coord).get_json()
    assert body["in_progress"] is True
    assert body["through"] == datetime.now(PARIS).date().isoformat()
    assert body["work"]["hours_worked"] == 16.07 and body["work"]["insertion_hours"] == 8
    assert body["work"]["fte"] == 0.12  # 16.07 h × 12 ÷ 1,607 h
    assert body["work"]["jobs_per_million"] == 10.31  # 0.01 job-year ÷ 0.00097 million


def test_the_dashboard_marks_the_month_in_progress(client, actors, login):
    login(actors["coordinator"])
    page = client.get("/dashboard").text
    assert "mois en cours" in page and ("Du 1er au" in page or "Le 1er" in page)
    assert "Taux de retour" in page and "1\u202f607" in page
    past = client.get("/dashboard?month=2026-03").text
    assert "mois en cours" not in past
