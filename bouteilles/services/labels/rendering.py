"""QR labels: A4 sheets as vector PDF, single labels as PNG or SVG (pure functions)."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from xml.etree import ElementTree as ET

import qrcode
import reportlab
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M, ERROR_CORRECT_Q
from qrcode.image.svg import SvgPathImage
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from bouteilles.services.items.codes import format_code
from bouteilles.services.labels.qr import make_qr

QUIET = 4  # white modules around the symbol (ISO/IEC 18004 quiet zone)
MIN_QR_MM = 15.0  # smallest printed symbol we allow (and test for scanning)
MAX_Q_VERSION = 5  # past this version level Q makes modules too small: use M
CODE_FONT, CAPTION_FONT = "Courier-Bold", "Helvetica"
_CAP = 0.75  # height of the code font above its baseline ($ included), in em
_FONTS = os.path.join(os.path.dirname(reportlab.__file__), "fonts")  # Courier Bold, Vera
_CODE_TTF, _CAPTION_TTF = (os.path.join(_FONTS, f) for f in ("cob_____.pfb", "Vera.ttf"))
_SVG_NS = "http://www.w3.org/2000/svg"
_DARK_RUN = re.compile("1+")


@dataclass(frozen=True)
class Label:
    """One label: its code, the URL the QR encodes, an optional caption."""

    code: str
    url: str
    caption: str | None = None


@dataclass(frozen=True)
class SheetLayout:
    """An A4 sheet of labels; lengths in mm, font sizes in pt."""

    name: str
    product: str
    cols: int
    rows: int
    label_w: float
    label_h: float
    left: float  # page edge to the first column
    top: float  # page top to the first row
    pitch_x: float
    pitch_y: float
    pad: float  # white margin kept inside each label (cutting, printer margins)
    code_pt: float
    caption_pt: float
    qr_mm: float | None = None  # printed symbol size; None: as large as fits

    @property
    def per_page(self) -> int:
        """Labels on one sheet."""
        return self.cols * self.rows


# product, cols, rows, label w, h, left, top, pitch x, y, pad (mm), code, caption (pt)
_SHEETS = {
    "3x8": ("Avery 3474 / Herma 4459, 70 x 37 mm", 3, 8, 70, 37, 0, 0.5, 70, 37, 4, 11, 9),
    "4x10": ("Avery L7654, 45.7 x 25.4 mm", 4, 10, 45.7, 25.4, 9.7, 21.5, 48.3, 25.4, 1.2, 8, 6.5),
}
LAYOUTS: dict[str, SheetLayout] = {k: SheetLayout(k, *v) for k, v in _SHEETS.items()}


def label_url(base_url: str, code: str) -> str:
    """Return the URL a label's QR encodes: {base_url}/q/{code}."""
    return f"{base_url.rstrip('/')}/q/{code}"


def qr_code(url: str) -> qrcode.QRCode:
    """Encode url as a QR symbol: level Q (25 % damage), or M when Q gets too dense."""
    for level in (ERROR_CORRECT_Q, ERROR_CORRECT_M):
        qr = make_qr(url, error_correction=level, border=QUIET)  # qrcode, faster mask choice
        if qr.version <= MAX_Q_VERSION:
            break
    return qr


class _Fit(NamedTuple):
    qr: float  # symbol size, pt
    block: float  # symbol plus both quiet zones, pt
    code_pt: float
    content_h: float  # quiet + symbol + quiet + code text height, pt


@lru_cache(maxsize=64)
def _fit(layout: SheetLayout, n: int) -> _Fit:
    """Size the QR of an n-module symbol inside one label of layout."""
    grow = 1 + 2 * QUIET / n
    width = stringWidth(format_code("0" * 9), CODE_FONT, 1)
    avail_w = (layout.label_w - 2 * layout.pad) * mm
    avail_h = (layout.label_h - 2 * layout.pad) * mm
    code_pt = min(layout.code_pt, avail_w / width)
    largest = min((avail_h - _CAP * code_pt) / grow, avail_w / grow)
    size = layout.qr_mm * mm if layout.qr_mm else largest
    if size > largest + 0.01 or size < MIN_QR_MM * mm - 0.01:
        raise ValueError(f"{layout.name}: a {size / mm:.1f} mm QR does not fit or is too small")
    code_pt = min(code_pt, size * grow / width)
    return _Fit(size, size * grow, code_pt, size * grow + _CAP * code_pt)


def _draw_qr(c: Canvas, modules: list[list[bool]], x: float, y: float, size: float) -> None:
    """Draw the symbol as one filled path of row runs, lower-left corner at (x, y).

    The runs are written as PDF `re` operators in module units (whole numbers)
    straight into the stream: reportlab's path.rect formats every number in
    Python, which was a third of the time of a sheet.
    """
    n = len(modules)
    ops = []
    for r, row in enumerate(modules):
        line = "".join("1" if dark else "0" for dark in row)
        y_row = n - 1 - r
        ops.extend(f"{m.start()} {y_row} {m.end() - m.start()} 1 re"
                   for m in _DARK_RUN.finditer(line))
    c.saveState()
    c.transform(size / n, 0, 0, size / n, x, y)
    c.addLiteral(" ".join(ops) + " f")
    c.restoreState()


def _caption_lines(text: str, size: float, width: float, max_lines: int) -> list[str]:
    """Wrap a caption to width, cutting with an ellipsis past max_lines."""
    lines = [ln for p in text.splitlines() for ln in simpleSplit(p, CAPTION_FONT, size, width)]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1].rstrip() + "…"]
    return lines


def _draw_label(c: Canvas, layout: SheetLayout, label: Label, x0: float, y0: float) -> None:
    """Draw one label whose lower-left corner is (x0, y0), in pt."""
    modules = qr_code(label.url).modules
    fit = _fit(layout, len(modules))
    w, h, pad = layout.label_w * mm, layout.label_h * mm, layout.pad * mm
    quiet = (fit.block - fit.qr) / 2
    text_w = w - 2 * pad - fit.block - 1 * mm
    bx = x0 + pad if label.caption and text_w >= 10 * mm else x0 + (w - fit.block) / 2
    top = y0 + h - (h - fit.content_h) / 2
    _draw_qr(c, modules, bx + quiet, top - quiet - fit.qr, fit.qr)
    c.setFont(CODE_FONT, fit.code_pt)
    c.drawCentredString(bx + fit.block / 2, top - fit.content_h, format_code(label.code))
    if label.caption and text_w >= 10 * mm:
        lead = layout.caption_pt * 1.2
        lines = _caption_lines(label.caption, layout.caption_pt, text_w, int((h - 2 * pad) // lead))
        c.setFont(CAPTION_FONT, layout.caption_pt)
        y = y0 + h / 2 + (len(lines) * lead) / 2 - layout.caption_pt
        for line in lines:
            c.drawString(bx + fit.block + 1 * mm, y, line)
            y -= lead


def render_sheet(
    labels: Sequence[Label],
    *,
    layout: str | SheetLayout = "3x8",
    skip: int = 0,
    outlines: bool = False,
) -> bytes:
    """Render labels on A4 sheets of layout as a vector PDF (skip: cells already used)."""
    spec = layout if isinstance(layout, SheetLayout) else LAYOUTS.get(layout)
    if spec is None:
        raise ValueError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    if not labels:
        raise ValueError("no labels to render")
    if not 0 <= skip < spec.per_page:
        raise ValueError(f"skip must be between 0 and {spec.per_page - 1}")
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=True, pageCompression=1)
    c.setTitle(f"Bouteilles QR labels: {len(labels)} on {spec.product}")
    c.setStrokeGray(0.8)
    c.setLineWidth(0.3)
    for i, label in enumerate(labels, start=skip):
        cell = i % spec.per_page
        if cell == 0 and i > skip:
            c.showPage()
        row, col = divmod(cell, spec.cols)
        x0 = (spec.left + col * spec.pitch_x) * mm
        y0 = A4[1] - (spec.top + row * spec.pitch_y + spec.label_h) * mm
        if outlines:
            c.roundRect(x0, y0, spec.label_w * mm, spec.label_h * mm, 1.5 * mm)
        _draw_label(c, spec, label, x0, y0)
    c.showPage()
    c.save()
    return buf.getvalue()


def render_png(label: Label, *, size_px: int = 480) -> bytes:
    """Render one label as a PNG size_px wide: QR with quiet zone, code and caption under."""
    modules = qr_code(label.url).modules
    n = len(modules)
    box = size_px // (n + 2 * QUIET)
    if box < 2:
        raise ValueError(f"size_px too small: at least {2 * (n + 2 * QUIET)} pixels")
    pixels = bytes(0 if dark else 255 for row in modules for dark in row)
    symbol = Image.frombytes("L", (n, n), pixels).resize((n * box, n * box), Image.NEAREST)
    text, font = format_code(label.code), ImageFont.truetype(_CODE_TTF, max(10, size_px // 12))
    while font.getlength(text) > size_px * 0.92 and font.size > 8:
        font = ImageFont.truetype(_CODE_TTF, font.size - 1)
    small = ImageFont.truetype(_CAPTION_TTF, max(9, size_px // 22))
    lines = [(text, font)] + [(ln, small) for ln in (label.caption or "").splitlines()]
    offset = (size_px - n * box) // 2
    y = offset + (n + QUIET) * box  # the text starts below the quiet zone
    img = Image.new("L", (size_px, y + sum(f.size * 5 // 4 for _, f in lines) + offset), 255)
    img.paste(symbol, (offset, offset))
    draw = ImageDraw.Draw(img)
    for line, line_font in lines:
        draw.text((size_px // 2, y), line, font=line_font, fill=0, anchor="mt")
        y += line_font.size * 5 // 4
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_svg(label: Label, *, qr_mm: float = 20.0) -> bytes:
    """Render one label as SVG (qrcode's path factory): QR qr_mm wide, code and caption under."""
    qr = qr_code(label.url)
    image = qr.make_image(image_factory=SvgPathImage)
    n = len(qr.modules)
    side = n + 2 * QUIET  # user units are modules
    lines = [format_code(label.code), *(label.caption.splitlines() if label.caption else [])]
    code_size, small = side * 0.85 / (0.6 * 11), side / 14
    height = side + code_size * 0.8 + len(lines[1:]) * small * 1.25 + QUIET / 2
    unit = qr_mm / n
    svg = ET.Element("svg", xmlns=_SVG_NS, version="1.1", viewBox=f"0 0 {side} {height:.2f}")
    svg.attrib.update(width=f"{side * unit:.2f}mm", height=f"{height * unit:.2f}mm")
    ET.SubElement(svg, "rect", width="100%", height="100%", fill="#ffffff")
    ET.SubElement(svg, "path", d=image.path.get("d"), fill="#000000")
    y = side + code_size * _CAP  # the text starts below the quiet zone
    for i, line in enumerate(lines):
        size = code_size if i == 0 else small
        family = "'DejaVu Sans Mono', Menlo, Consolas, monospace" if i == 0 else "sans-serif"
        style = f"font: bold {size:.2f}px {family}; text-anchor: middle"
        text = ET.SubElement(svg, "text", x=f"{side / 2}", y=f"{y:.2f}", style=style)
        text.text = line
        y += small * 1.25 if i else small * 1.4
    return ET.tostring(svg, encoding="utf-8", xml_declaration=True)
