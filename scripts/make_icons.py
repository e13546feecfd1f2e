"""Draw the installable app's icons (assets/icons/*.png) from the theme's colours, with Pillow alone.

    .venv/bin/python -m scripts.make_icons [--out assets/icons]

The emblem: a ring in the accent colour holding a net of streets (一网, one network over the city) with a
red node where something is happening, over the five warning colours in a row. No font, no outside art:
every shape is drawn here, at four times the size and scaled down, so edges are smooth. The same code
gives the same pixels; tests/unit/test_pwa.py holds the committed files to what this draws.

Icons (api/pwa.py names them in the manifest):
  icon-192.png, icon-512.png    purpose "any": the emblem on a rounded navy square, corners transparent
  icon-maskable-512.png         purpose "maskable": full-bleed navy, the emblem inside the central safe circle
  apple-touch-icon.png          180 px, full-bleed and opaque (iOS rounds the corners itself)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

from components.theme import ACCENT, BACKGROUND, LEVELS, PANEL, TEXT

ROOT = Path(__file__).resolve().parents[1]
SCALE = 4  # drawn this many times larger, then scaled down (anti-aliasing)
ICONS = {  # file name -> (size in px, style)
    "icon-192.png": (192, "any"),
    "icon-512.png": (512, "any"),
    "icon-maskable-512.png": (512, "maskable"),
    "apple-touch-icon.png": (180, "apple"),
}
EMBLEM_SCALE = {"any": 0.92, "maskable": 0.66, "apple": 0.86}  # maskable: inside the 80 % safe circle


def _rgb(colour: str, alpha: int = 255) -> tuple[int, int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16), alpha


def _emblem(image: Image.Image, size: int, scale: float) -> None:
    """The ring, its net, the red node and the five-colour row, in a box of `scale` x the icon's size."""
    u = size * scale  # the emblem's own unit: 1.0 is its whole width
    ox = (size - u) / 2
    oy = (size - u) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return ox + x * u, oy + y * u

    cx, cy, r = 0.5, 0.44, 0.33
    # the net: three streets each way inside the ring, in light text colour (clipped by drawing inside a mask)
    net = Image.new("L", (size, size), 0)
    ImageDraw.Draw(net).ellipse([*at(cx - r, cy - r), *at(cx + r, cy + r)], fill=255)
    lines = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ld = ImageDraw.Draw(lines)
    width = round(0.035 * u)
    for d in (-0.15, 0.0, 0.15):
        ld.line([at(cx + d, cy - r), at(cx + d, cy + r)], fill=_rgb(TEXT, 210), width=width)
        ld.line([at(cx - r, cy + d), at(cx + r, cy + d)], fill=_rgb(TEXT, 210), width=width)
    lines.putalpha(ImageChops.multiply(lines.getchannel("A"), net))  # only inside the ring
    image.alpha_composite(lines)
    draw = ImageDraw.Draw(image)
    # the ring
    draw.ellipse([*at(cx - r, cy - r), *at(cx + r, cy + r)], outline=_rgb(ACCENT), width=round(0.065 * u))
    # the nodes where streets cross, one of them red
    for dx in (-0.15, 0.0, 0.15):
        for dy in (-0.15, 0.0, 0.15):
            if dx * dx + dy * dy > 0.04:
                continue
            n = 0.038
            draw.ellipse([*at(cx + dx - n, cy + dy - n), *at(cx + dx + n, cy + dy + n)], fill=_rgb(ACCENT))
    n = 0.075
    draw.ellipse([*at(cx + 0.15 - n, cy - 0.15 - n), *at(cx + 0.15 + n, cy - 0.15 + n)], fill=_rgb(LEVELS[1][0]))
    draw.ellipse(
        [*at(cx + 0.15 - n, cy - 0.15 - n), *at(cx + 0.15 + n, cy - 0.15 + n)],
        outline=_rgb(BACKGROUND),
        width=round(0.02 * u),
    )
    # the five warning colours, red to green, under the ring
    bar_w, gap, top, height = 0.13, 0.035, 0.86, 0.075
    left = 0.5 - (5 * bar_w + 4 * gap) / 2
    for i, level in enumerate((1, 2, 3, 4, 5)):
        x = left + i * (bar_w + gap)
        draw.rounded_rectangle(
            [*at(x, top), *at(x + bar_w, top + height)], radius=0.02 * u, fill=_rgb(LEVELS[level][0])
        )


def draw_icon(size: int, style: str) -> Image.Image:
    """One icon, `size` px square, in one of the styles of ICONS."""
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if style == "any":  # a rounded square with a thin panel-coloured rim
        draw.rounded_rectangle([0, 0, big - 1, big - 1], radius=0.22 * big, fill=_rgb(BACKGROUND))
        rim = round(0.02 * big)
        draw.rounded_rectangle(
            [rim, rim, big - 1 - rim, big - 1 - rim], radius=0.2 * big, outline=_rgb(PANEL), width=rim
        )
    else:  # full bleed: the platform cuts its own shape
        draw.rectangle([0, 0, big - 1, big - 1], fill=_rgb(BACKGROUND))
    _emblem(image, big, EMBLEM_SCALE[style])
    small = image.resize((size, size), Image.Resampling.LANCZOS)
    return small if style == "any" else small.convert("RGB")


def make_icons(out: Path) -> list[Path]:
    """Write every icon of ICONS into `out`; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for file, (size, style) in ICONS.items():
        path = out / file
        draw_icon(size, style).save(path, format="PNG", optimize=True)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "icons")
    for path in make_icons(parser.parse_args().out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
