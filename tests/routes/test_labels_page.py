"""The /labels page: print existing codes, mint new ones, single PNG/SVG labels."""

from __future__ import annotations

import io
from html import unescape

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from bouteilles.db.database import get_session
from bouteilles.models import Container, Label
from bouteilles.services.items.codes import format_code, new_code


def _decoded(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    found = []
    for page in doc:
        image = page.render(scale=300 / 72, grayscale=True).to_pil().convert("L")
        found += [b.text for b in zxingcpp.read_barcodes(image)]
    return found


def _count(model) -> int:
    session = get_session()
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_only_coordinator_and_washing_sites(client, actors, login):
    login(actors["restaurant"])
    assert client.get("/labels").status_code == 403
    assert client.post("/labels", data={"mode": "new", "count": "2"}).status_code == 403
    assert "/labels" not in client.get("/").text  # not in the navigation


def test_login_required(client):
    assert client.get("/labels").status_code == 302


@pytest.mark.parametrize("kind", ["coordinator", "washing_site"])
def test_form_and_navigation(client, actors, login, kind):
    login(actors[kind])
    page = client.get("/labels")
    assert page.status_code == 200
    html = unescape(page.text)
    assert 'name="csrf_token"' in html and 'name="codes"' in html and 'name="count"' in html
    assert "3x8" in html and "4x10" in html and "Boîte en verre Ju'Ramène 500 ml" in html
    assert 'href="/labels"' in client.get("/").text


def test_mint_and_commission_for_a_holder(client, actors, login, make_org):
    resto = make_org("restaurant")
    login(actors["coordinator"])
    response = client.post("/labels", data={
        "mode": "new", "count": "5", "type": "bocal-750", "commission": "now",
        "holder": resto.code, "layout": "4x10", "skip": "2"})
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    urls = _decoded(response.data)
    assert len(urls) == 5
    codes = [u.rsplit("/q/", 1)[1] for u in urls]
    session = get_session()
    session.expire_all()
    boxes = session.scalars(select(Container).where(Container.code.in_(codes))).all()
    assert {(b.state, b.holder_id, b.type.code) for b in boxes} == {("clean", resto.id,
                                                                     "bocal-750")}


def test_mint_for_first_scan(client, actors, login):
    login(actors["washing_site"])
    response = client.post("/labels", data={
        "mode": "new", "count": "3", "type": "clavelin-62", "commission": "first_scan",
        "holder": "", "layout": "3x8"})
    assert response.mimetype == "application/pdf"
    assert len(_decoded(response.data)) == 3
    assert _count(Label) == 3 and _count(Container) == 0


def test_reprint_existing_codes(client, actors, login, make_container):
    codes = [make_container() for _ in range(4)]
    login(actors["coordinator"])
    pasted = f"{format_code(codes[0]).lower()}\n{codes[1]}, {codes[2]}\n\n{codes[3]}\n{codes[0]}"
    response = client.post("/labels", data={"mode": "existing", "codes": pasted,
                                            "layout": "3x8", "outlines": "1"})
    assert response.mimetype == "application/pdf"
    assert sorted(u.rsplit("/q/", 1)[1] for u in _decoded(response.data)) == sorted(codes)


def test_refusals_keep_what_was_typed(client, actors, login, make_container):
    code = make_container()
    login(actors["coordinator"])
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    pasted = f"{code}\n{typo}"
    response = client.post("/labels", data={"mode": "existing", "codes": pasted, "layout": "3x8"})
    assert response.status_code == 422
    html = unescape(response.text)
    assert f"« {typo} » n'est pas un code valide" in html and pasted in html
    unknown = new_code()
    response = client.post("/labels", data={"mode": "existing", "codes": unknown})
    assert response.status_code == 422 and unknown in response.text
    for data in ({"mode": "new", "count": "abc", "type": "bocal-500"},
                 {"mode": "new", "count": "0", "type": "bocal-500"},
                 {"mode": "new", "count": "99999", "type": "bocal-500"},
                 {"mode": "new", "count": "4", "type": "nope"},
                 {"mode": "new", "count": "4", "type": "bocal-500", "layout": "9x9"},
                 {"mode": "new", "count": "4", "type": "bocal-500", "skip": "24"},
                 {"mode": "new", "count": "4", "type": "bocal-500", "commission": "now",
                  "holder": "nobody"}):
        response = client.post("/labels", data=data)
        assert response.status_code == 422, data
        assert 'role="alert"' in response.text
    assert 'value="4"' in response.text  # the count typed is kept
    assert _count(Label) == 1  # nothing minted by the refused forms


def test_one_label_png_and_svg(client, actors, login, make_container):
    code = make_container()
    login(actors["washing_site"])
    png = client.get(f"/labels/{code}.png?px=300")
    assert png.status_code == 200 and png.mimetype == "image/png"
    image = Image.open(io.BytesIO(png.data))
    assert image.width == 300
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [f"http://bouteilles.test/q/{code}"]
    svg = client.get(f"/labels/{code}.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert format_code(code) in svg.text and "Ju'Ramène Ta Boîte" in svg.text
    assert client.get(f"/labels/{new_code()}.png").status_code == 404
    assert client.get("/labels/nope.svg").status_code == 422
