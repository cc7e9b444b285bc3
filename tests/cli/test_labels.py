"""`flask --app bouteilles labels`: sheets that decode back, minting and commissioning."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from bouteilles.db.database import get_session
from bouteilles.models import Container, Label
from bouteilles.services.items.codes import format_code


def _decoded_pages(path) -> list[set[str]]:
    doc = pdfium.PdfDocument(path.read_bytes())
    pages = [p.render(scale=300 / 72, grayscale=True).to_pil().convert("L") for p in doc]
    return [{b.text for b in zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.QRCode)}
            for page in pages]


def _text(path) -> str:
    doc = pdfium.PdfDocument(path.read_bytes())
    return " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in doc)


def _codes_from(pages: list[set[str]]) -> list[str]:
    return [url.rsplit("/q/", 1)[1] for page in pages for url in page]


def test_new_codes_commissioned_for_a_holder(runner, app, tmp_path, make_org, actors):
    resto = make_org("restaurant")
    actors["coordinator"]
    get_session().commit()
    out = tmp_path / "sheet.pdf"
    result = runner.invoke(args=["labels", "--new", "30", "--type", "bocal-500", "--holder",
                                 resto.code, "-o", str(out)])
    assert result.exit_code == 0, result.output
    pages = _decoded_pages(out)
    assert [len(p) for p in pages] == [24, 6]  # 3x8 by default
    assert all(url.startswith("http://bouteilles.test/q/") for page in pages for url in page)
    codes = _codes_from(pages)
    text = _text(out)
    assert "Ju'Ramène Ta Boîte" in text and "Boîte en verre Ju'Ramène 500 ml" in text
    assert all(format_code(code) in text for code in codes)
    session = get_session()
    boxes = session.scalars(select(Container).where(Container.code.in_(codes))).all()
    assert len(boxes) == 30
    assert {(b.state, b.holder_id, b.type.code) for b in boxes} == {("clean", resto.id,
                                                                     "bocal-500")}


def test_new_codes_left_for_their_first_scan(runner, app, tmp_path, actors):
    actors["washing_site"]
    get_session().commit()
    out = tmp_path / "bottles.pdf"
    result = runner.invoke(args=["labels", "--new", "41", "--type", "bouteille-75",
                                 "--layout", "4x10", "--skip", "39", "-o", str(out)])
    assert result.exit_code == 0, result.output
    pages = _decoded_pages(out)
    assert [len(p) for p in pages] == [1, 40]
    codes = _codes_from(pages)
    session = get_session()
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Container)) == 0
    labels = session.scalars(select(Label).where(Label.code.in_(codes))).all()
    assert len(labels) == 41 and all(lb.type_id and lb.container_id is None for lb in labels)
    assert "J'aime mes bouteilles" in _text(out)


def test_existing_codes_png_and_svg(runner, app, tmp_path, make_container):
    codes = [make_container() for _ in range(3)]
    get_session().commit()
    out = tmp_path / "again.pdf"
    typed = [format_code(codes[0]).lower(), *codes[1:]]
    result = runner.invoke(args=["labels", *typed, "-o", str(out), "--layout", "4x10"])
    assert result.exit_code == 0, result.output
    assert sorted(_codes_from(_decoded_pages(out))) == sorted(codes)
    png = tmp_path / "one.png"
    assert runner.invoke(args=["labels", codes[0], "-o", str(png)]).exit_code == 0
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.read_bytes())))
    assert [b.text for b in found] == [f"http://bouteilles.test/q/{codes[0]}"]
    svg = tmp_path / "one.svg"
    assert runner.invoke(args=["labels", codes[0], "-o", str(svg)]).exit_code == 0
    assert svg.read_bytes().startswith(b"<?xml") and format_code(codes[0]).encode() in \
        svg.read_bytes()


def test_gs1_digital_link_labels(runner, app, tmp_path, make_container):
    code = make_container()
    get_session().commit()
    out = tmp_path / "gs1.png"
    refused = runner.invoke(args=["labels", code, "--gs1", "-o", str(out)])
    assert refused.exit_code != 0 and "GS1_COMPANY_PREFIX" in refused.output
    app.config.update(GS1_COMPANY_PREFIX="3870585", GS1_ASSET_TYPES={"bocal-500": "00055"})
    assert runner.invoke(args=["labels", code, "--gs1", "-o", str(out)]).exit_code == 0
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(out.read_bytes())))
    assert found[0].text == f"http://bouteilles.test/8003/0387058500055{_check('387058500055')}" \
        f"{code[:8]}"


def _check(digits: str) -> str:
    from bouteilles.services.items.gs1 import gs1_check_digit

    return gs1_check_digit(digits)


def test_refusals(runner, app, tmp_path, actors):
    out = tmp_path / "x.pdf"
    cases = [
        (["labels", "-o", str(out)], "either CODES"),
        (["labels", "--new", "3", "-o", str(out)], "--type"),
        (["labels", "ABCD", "-o", str(out)], "n'est pas un code valide"),
        (["labels", "--new", "2", "--type", "nope", "-o", str(out)], "nope"),
        (["labels", "--new", "2", "--type", "bocal-500", "-o", str(tmp_path / "x.gif")], ".pdf"),
    ]
    actors["coordinator"]
    get_session().commit()
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    many = runner.invoke(args=["labels", "--new", "2", "--type", "bocal-500", "-o",
                               str(tmp_path / "two.png")])
    assert many.exit_code != 0 and "holds one label" in many.output
    session = get_session()
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Label)) == 0  # nothing minted
    assert not out.exists()


def test_without_a_coordinator_user(runner, app, tmp_path):
    result = runner.invoke(args=["labels", "--new", "2", "--type", "bocal-500", "--holder", "x",
                                 "-o", str(tmp_path / "a.pdf")])
    assert result.exit_code != 0 and "No coordinator or washing-site user" in result.output
