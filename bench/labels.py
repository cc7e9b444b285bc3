"""Time to render 1,000 QR labels to PDF, against plain text codes on the same grid."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from bouteilles.services.items.codes import format_code, new_code  # noqa: E402
from bouteilles.services.labels.rendering import (  # noqa: E402
    CODE_FONT,
    LAYOUTS,
    Label,
    SheetLayout,
    label_url,
    qr_code,
    render_sheet,
)

COUNT = 1_000
BASE_URL = "https://bouteilles.example.org"
T = TypeVar("T")


def plain_sheet(codes: list[str], layout: SheetLayout) -> bytes:
    """Baseline: the same grid and PDF settings, each label only its code as text."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=True, pageCompression=1)
    for i, code in enumerate(codes):
        if i and i % layout.per_page == 0:
            c.showPage()
        row, col = divmod(i % layout.per_page, layout.cols)
        x = (layout.left + col * layout.pitch_x + layout.label_w / 2) * mm
        y = A4[1] - (layout.top + row * layout.pitch_y + layout.label_h / 2) * mm
        c.setFont(CODE_FONT, layout.code_pt)
        c.drawCentredString(x, y, format_code(code))
    c.showPage()
    c.save()
    return buf.getvalue()


def best_of(runs: int, fn: Callable[..., T], *args: object, **kwargs: object) -> tuple[float, T]:
    """Best wall time of runs calls, and the last result."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    """Print the figures."""
    codes = [new_code() for _ in range(COUNT)]
    labels = [Label(c, label_url(BASE_URL, c), "Ju'Ramène Ta Boîte") for c in codes]
    encode, _ = best_of(3, lambda: [qr_code(lb.url) for lb in labels])
    print(f"{COUNT} labels, URL {len(labels[0].url)} bytes, python {sys.version.split()[0]}")
    print(f"  QR encoding alone (qrcode): {encode:6.2f} s")
    for name, layout in LAYOUTS.items():
        base, plain = best_of(3, plain_sheet, codes, layout)
        full, pdf = best_of(3, render_sheet, labels, layout=name)
        pages = -(-COUNT // layout.per_page)
        print(
            f"  {name:>4} ({layout.product}): {pages} pages, QR labels {full:6.2f} s "
            f"({len(pdf) / 1e6:.2f} MB), plain text baseline {base:6.3f} s "
            f"({len(plain) / 1e6:.2f} MB), ratio {full / base:5.0f}x, "
            f"{full / COUNT * 1e3:.2f} ms per label"
        )


if __name__ == "__main__":
    main()
