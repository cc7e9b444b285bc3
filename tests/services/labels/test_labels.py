"""Labels: every QR on generated sheets, PNGs and SVGs decodes back to its URL."""

from __future__ import annotations

import io
import math
import re
from dataclasses import replace
from xml.etree import ElementTree as ET

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter

from bouteilles.services.items.codes import format_code, new_code
from bouteilles.services.items.gs1 import digital_link, grai_for_code
from bouteilles.services.labels.rendering import (
    LAYOUTS,
    MIN_QR_MM,
    QUIET,
    Label,
    label_url,
    qr_code,
    render_png,
    render_sheet,
    render_svg,
)

BASE = "https://bouteilles.example.org"
CAPTIONS = [None, "Ju'Ramène Ta Boîte — bocal 500 ml", "J'aime mes bouteilles\nbouteille 75 cl"]


def _labels(count: int) -> list[Label]:
    codes = [new_code() for _ in range(count)]
    return [Label(c, label_url(BASE, c), CAPTIONS[i % 3]) for i, c in enumerate(codes)]


def _pages(pdf: bytes, dpi: int) -> list[Image.Image]:
    doc = pdfium.PdfDocument(pdf)
    return [page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for page in doc]


def _decode(image: Image.Image) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)


def _width_px(barcode: zxingcpp.Barcode) -> float:
    p = barcode.position
    return math.dist((p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y))


def test_label_url() -> None:
    assert label_url("https://b.example.org/", "ABCDEFGHJ") == "https://b.example.org/q/ABCDEFGHJ"
    assert label_url("http://localhost:5000", "X") == "http://localhost:5000/q/X"


@pytest.mark.parametrize("layout", ["3x8", "4x10"])
def test_every_qr_on_every_sheet_decodes(layout: str) -> None:
    per_page = LAYOUTS[layout].per_page
    labels = _labels(2 * per_page + 7)
    dl = digital_link(BASE, grai_for_code("3870585", "00055", labels[1].code))
    labels[1] = replace(labels[1], url=dl)  # a GS1 Digital Link label decodes too
    pdf = render_sheet(labels, layout=layout)
    pages = _pages(pdf, 300)
    assert len(pages) == 3
    decoded: set[str] = set()
    for i, page in enumerate(pages):
        found = _decode(page)
        expected = {lb.url for lb in labels[i * per_page : (i + 1) * per_page]}
        assert {b.text for b in found} == expected, f"page {i + 1}"
        for barcode in found:
            assert barcode.valid
            assert barcode.ec_level in ("M", "Q")
            assert _width_px(barcode) / 300 * 25.4 >= MIN_QR_MM - 0.1
        decoded |= {b.text for b in found}
    assert decoded == {lb.url for lb in labels}


@pytest.mark.parametrize("layout", ["3x8", "4x10"])
def test_readable_codes_are_printed(layout: str) -> None:
    labels = _labels(LAYOUTS[layout].per_page + 1)
    doc = pdfium.PdfDocument(render_sheet(labels, layout=layout))
    text = "".join(page.get_textpage().get_text_range() for page in doc)
    for label in labels:
        assert format_code(label.code) in text
    assert "Ju'Ramène Ta Boîte" in text


@pytest.mark.parametrize("layout", ["3x8", "4x10"])
def test_quiet_zone_is_white(layout: str) -> None:
    labels = _labels(LAYOUTS[layout].cols * 2)
    page = _pages(render_sheet(labels, layout=layout, outlines=True), 300)[0]
    found = _decode(page)
    assert len(found) == len(labels)
    for barcode in found:
        p = barcode.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        module = _width_px(barcode) / len(qr_code(barcode.text).modules)
        inner = (min(xs) - 2, min(ys) - 2, max(xs) + 3, max(ys) + 3)
        outer = [
            round(v)
            for v in (
                inner[0] - QUIET * module + 2,
                inner[1] - QUIET * module + 2,
                inner[2] + QUIET * module - 2,
                inner[3] + QUIET * module - 2,
            )
        ]
        ring = page.crop(tuple(outer)).copy()
        ImageDraw.Draw(ring).rectangle(
            [inner[0] - outer[0], inner[1] - outer[1], inner[2] - outer[0], inner[3] - outer[1]],
            fill=255,
        )
        assert ring.getextrema()[0] > 200, f"ink in the quiet zone of {barcode.text}"


@pytest.mark.parametrize("dpi", [300, 150])
def test_qr_printed_at_15_mm_decodes(dpi: int) -> None:
    layout = replace(LAYOUTS["4x10"], qr_mm=15.0)
    labels = _labels(8)
    labels.append(Label("ABCDEFGHJ", label_url(BASE + "/a/rather/long/prefix/for/a/test", "ABCD")))
    page = _pages(render_sheet(labels, layout=layout), dpi)[0]
    found = _decode(page)
    assert {b.text for b in found} == {lb.url for lb in labels}
    for barcode in found:
        assert _width_px(barcode) / dpi * 25.4 == pytest.approx(15.0, abs=0.35)


def test_qr_at_15_mm_survives_blur_and_noise() -> None:
    layout = replace(LAYOUTS["4x10"], qr_mm=15.0)
    labels = _labels(8)
    page = _pages(render_sheet(labels, layout=layout), 300)[0]
    blurred = page.filter(ImageFilter.GaussianBlur(1.2)).resize((page.width // 2, page.height // 2))
    noise = Image.effect_noise(blurred.size, 25)
    rough = Image.blend(blurred, noise, 0.15)
    assert {b.text for b in _decode(rough)} == {lb.url for lb in labels}


def test_skip_starts_on_a_partly_used_sheet() -> None:
    layout = LAYOUTS["3x8"]
    labels = _labels(layout.per_page)
    pages = _pages(render_sheet(labels, layout="3x8", skip=20), 150)
    assert len(pages) == 2
    assert {b.text for b in _decode(pages[0])} == {lb.url for lb in labels[:4]}


def test_rendering_is_deterministic() -> None:
    labels = _labels(5)
    assert render_sheet(labels, layout="4x10") == render_sheet(labels, layout="4x10")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"layout": "5x13"}, "unknown layout"),
        ({"layout": replace(LAYOUTS["4x10"], qr_mm=14.0)}, "too small"),
        ({"layout": replace(LAYOUTS["4x10"], qr_mm=30.0)}, "does not fit"),
        ({"skip": 24}, "skip"),
    ],
)
def test_bad_sheet_options_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render_sheet(_labels(1), **kwargs)


def test_no_labels_is_refused() -> None:
    with pytest.raises(ValueError):
        render_sheet([])


@pytest.mark.parametrize("size_px", [480, 200, 120])
def test_png_decodes(size_px: int) -> None:
    label = _labels(3)[2]
    image = Image.open(io.BytesIO(render_png(label, size_px=size_px)))
    assert image.format == "PNG"
    assert image.width == size_px
    assert image.height > size_px
    assert [b.text for b in _decode(image)] == [label.url]


def test_png_too_small_is_refused() -> None:
    with pytest.raises(ValueError):
        render_png(_labels(1)[0], size_px=40)


_RECT = re.compile(r"M([\d.]+),([\d.]+)H([\d.]+)V([\d.]+)H([\d.]+)z")


def _rasterise_svg(svg: bytes, scale: int = 6) -> Image.Image:
    """Draw the QR path of our SVG (rectangles only) the way a renderer would."""
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    image = Image.new("L", (round(width * scale), round(height * scale)), 255)
    draw = ImageDraw.Draw(image)
    d = root.find(f"{ns}path").get("d")  # type: ignore[union-attr]
    assert _RECT.sub("", d) == "", "unexpected path commands"
    for x0, y0, x1, y1, _ in _RECT.findall(d):
        box = [float(x0) * scale, float(y0) * scale, float(x1) * scale - 1, float(y1) * scale - 1]
        draw.rectangle(box, fill=0)
    return image


def test_svg_is_a_vector_label_that_decodes() -> None:
    label = _labels(3)[1]
    svg = render_svg(label)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("width", "").endswith("mm")
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0] == format_code(label.code)
    assert "Ju'Ramène Ta Boîte — bocal 500 ml" in texts
    n = len(qr_code(label.url).modules)
    width_mm = float(root.get("width", "")[:-2])
    assert width_mm * n / (n + 2 * QUIET) == pytest.approx(20.0, abs=0.05)
    assert [b.text for b in _decode(_rasterise_svg(svg))] == [label.url]


def test_long_caption_is_cut_and_qr_still_decodes() -> None:
    code = new_code()
    label = Label(code, label_url(BASE, code), "Ju'Ramène Ta Boîte " * 20 + "CO₂ ☺")
    pdf = render_sheet([label], layout="4x10")
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert "…" in text
    assert len(text) < 200
    assert [b.text for b in _decode(_pages(pdf, 300)[0])] == [label.url]
