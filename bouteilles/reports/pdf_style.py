"""Look of the PDF report: fonts, colours, paragraph and table styles, the monthly chart."""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, Table, TableStyle

from ..formatting import month_name, number
from .model import MonthlyReport

GREEN, PALE, INK, MUTED = (colors.HexColor(c) for c in ("#2E6B4F", "#EAF2ED", "#1F2933", "#6B7280"))
LIGHT_BAR = colors.HexColor("#9CC3AE")
CONTENT_WIDTH = 169 * mm  # A4 less 18 mm margins and the frame's 6 pt paddings
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def fonts() -> tuple[str, str]:
    """Register DejaVu Sans when present (for ₂ and French spaces), else use Helvetica."""
    if "DejaVuSans" in pdfmetrics.getRegisteredFontNames():
        return "DejaVuSans", "DejaVuSans-Bold"
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        return "Helvetica", "Helvetica-Bold"
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
    pdfmetrics.registerFontFamily("DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold")
    return "DejaVuSans", "DejaVuSans-Bold"


class Styles:
    """Paragraph styles built on the chosen fonts."""

    def __init__(self) -> None:
        self.font, self.bold = fonts()
        self.co2 = "CO₂" if self.font == "DejaVuSans" else "CO2"
        base = ParagraphStyle("base", fontName=self.font, fontSize=9, leading=12.5, textColor=INK)
        self.body = base
        self.para = ParagraphStyle("para", base, leading=14, spaceAfter=5)
        self.small = ParagraphStyle("small", base, fontSize=7.5, leading=10, textColor=MUTED)
        self.kicker = ParagraphStyle("kicker", self.small, fontName=self.bold, textColor=GREEN)
        self.title = ParagraphStyle("title", base, fontName=self.bold, fontSize=24, leading=29)
        self.h2 = ParagraphStyle("h2", base, fontName=self.bold, fontSize=12.5, leading=16,
                                 textColor=GREEN, spaceBefore=10, spaceAfter=5)
        self.big = ParagraphStyle("big", base, fontName=self.bold, fontSize=19, leading=23,
                                  textColor=GREEN, alignment=TA_CENTER)
        self.card = ParagraphStyle("card", base, fontSize=8.5, leading=11, alignment=TA_CENTER)
        self.cell = ParagraphStyle("cell", base, fontSize=8, leading=10)
        self.th = ParagraphStyle("th", self.cell, fontName=self.bold, fontSize=7.5,
                                 textColor=colors.white)
        self.th_right = ParagraphStyle("th_right", self.th, alignment=TA_RIGHT)
        self.note = ParagraphStyle("note", self.small, alignment=TA_CENTER)

    def table(
        self, rows: list[list], widths: list[float], *, total: bool = False, align: str = ""
    ) -> Table:
        """A data table: green header, zebra rows; `align` per column (L/R), default L then R."""
        align = align or "L" + "R" * (len(widths) - 1)
        head = [Paragraph(text, self.th_right if a == "R" else self.th)
                for text, a in zip(rows[0], align, strict=True)]
        scale = min(1.0, CONTENT_WIDTH / sum(widths))  # never wider than the frame
        table = Table([head, *rows[1:]], colWidths=[w * scale for w in widths], repeatRows=1,
                      hAlign="LEFT")
        style = [
            ("FONT", (0, 0), (-1, -1), self.font, 8), ("BACKGROUND", (0, 0), (-1, 0), GREEN),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            *(("ALIGN", (i, 0), (i, -1), "RIGHT") for i, a in enumerate(align) if a == "R"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, PALE]),
            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LINEBELOW", (0, -1), (-1, -1), 0.6, GREEN),
        ]
        if total:
            style += [("FONT", (0, -1), (-1, -1), self.bold, 8),
                      ("LINEABOVE", (0, -1), (-1, -1), 0.6, GREEN),
                      ("BACKGROUND", (0, -1), (-1, -1), colors.white)]
        table.setStyle(TableStyle(style))
        return table


def chart(report: MonthlyReport, st: Styles) -> Drawing:
    """Bar chart of CO₂e avoided (kg) over the last twelve months, this month highlighted."""
    width, height = CONTENT_WIDTH, 62 * mm
    drawing = Drawing(width, height)
    points = report.series or []
    values = [p.co2e_avoided_g / 1000 for p in points] or [0]
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 36, 22, width - 46, height - 46
    chart.data = [values]
    chart.strokeColor = None
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = LIGHT_BAR
    for i, point in enumerate(points):
        if point.month == report.month:
            chart.bars[(0, i)].fillColor = GREEN
    chart.barSpacing, chart.groupSpacing = 0, 6
    # The year under the first month and under January, as on the dashboard's chart.
    names = [month_name(p.month, "abbr") + (f"\n{p.month[:4]}" if i == 0 or p.month.endswith("-01")
                                            else "") for i, p in enumerate(points)]
    chart.categoryAxis.categoryNames = names or [""]
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName, axis.labels.fontSize = st.font, 7
    chart.categoryAxis.strokeColor = MUTED
    chart.valueAxis.valueMin = min(0, *values)
    chart.valueAxis.forceZero = True
    chart.valueAxis.strokeColor = None
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#E5E7EB")
    chart.valueAxis.labelTextFormat = lambda v: number(v, 0)
    drawing.add(chart)
    drawing.add(String(0, height - 9, gettext("kg %(co2)se évités par mois", co2=st.co2),
                       fontName=st.font, fontSize=7.5, fillColor=MUTED))
    return drawing
