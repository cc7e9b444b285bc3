"""The app's icons, drawn with Pillow when the static files are built.

A white bottle with a green label on the theme colour. "any" icons are a
rounded square on transparency (favicon, desktop install); "maskable" ones fill
their square and keep the bottle inside the central circle of 80 % that every
phone's mask leaves visible (Android's round and squircle icons, iOS's
home-screen tile).
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

THEME_COLOUR = "#1d5c4d"  # the top bar (app.css --green), the manifest, <meta theme-color>
LABEL_COLOUR = "#e3f1ec"  # app.css --green-light
CANVAS = 1024  # drawn large, then scaled down (smooth edges)

# (name, pixels, maskable): the files written under static/icons/
PNG_ICONS = (
    ("icon-192.png", 192, False),
    ("icon-512.png", 512, False),
    ("icon-maskable-192.png", 192, True),
    ("icon-maskable-512.png", 512, True),
    ("apple-touch-icon.png", 180, True),  # iOS rounds the corners itself
)
FAVICON_SIZES = (16, 32)


def _draw(maskable: bool) -> Image.Image:
    image = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, CANVAS, CANVAS), fill=THEME_COLOUR)
        scale = 0.68  # the bottle stays within the safe circle
    else:
        draw.rounded_rectangle((0, 0, CANVAS - 1, CANVAS - 1), radius=CANVAS * 0.22,
                               fill=THEME_COLOUR)
        scale = 0.78
    height = CANVAS * scale
    top = (CANVAS - height) / 2
    centre = CANVAS / 2

    def point(x: float, y: float) -> tuple[float, float]:
        """A point in bottle units (0..1 of its height), x from the centre line."""
        return (centre + x * height, top + y * height)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, ...]:
        return (*point(x0, y0), *point(x1, y1))

    white = "#ffffff"
    draw.rounded_rectangle(box(-0.065, 0.0, 0.065, 0.06), radius=height * 0.02, fill=white)
    draw.rectangle(box(-0.05, 0.04, 0.05, 0.26), fill=white)  # neck
    draw.polygon([point(-0.05, 0.24), point(0.05, 0.24), point(0.17, 0.40), point(-0.17, 0.40)],
                 fill=white)  # shoulders
    draw.rounded_rectangle(box(-0.17, 0.40, 0.17, 1.0), radius=height * 0.05, fill=white)
    draw.rectangle(box(-0.17, 0.40, 0.17, 0.5), fill=white)  # square where it meets the shoulders
    draw.rounded_rectangle(box(-0.13, 0.56, 0.13, 0.80), radius=height * 0.025,
                           fill=LABEL_COLOUR)
    draw.rectangle(box(-0.09, 0.64, 0.09, 0.665), fill=THEME_COLOUR)
    draw.rectangle(box(-0.09, 0.70, 0.05, 0.725), fill=THEME_COLOUR)
    return image


def _png(image: Image.Image, size: int) -> bytes:
    out = io.BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(out, "PNG", optimize=True)
    return out.getvalue()


def draw_icons() -> dict[str, bytes]:
    """The icon files, by path under static/: PNGs and the favicon."""
    drawn = {maskable: _draw(maskable) for maskable in (False, True)}
    files = {f"icons/{name}": _png(drawn[maskable], size) for name, size, maskable in PNG_ICONS}
    # On every page: 32 colours are plenty at this size, and make it 0.7 kB, not 1.7.
    frames = [drawn[False].resize((size, size), Image.Resampling.LANCZOS)
              .quantize(colors=32, method=Image.Quantize.FASTOCTREE) for size in FAVICON_SIZES]
    favicon = io.BytesIO()
    frames[-1].save(favicon, "ICO", sizes=[frame.size for frame in frames],
                    append_images=frames[:-1])
    files["icons/favicon.ico"] = favicon.getvalue()
    return files
