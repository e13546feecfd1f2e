"""One theme: the five warning colours (always shown with a text label) and the dark palette."""
from __future__ import annotations

# level -> (colour, key of its label in components.i18n)
LEVELS = {
    1: ("#E53935", "red"),
    2: ("#FB8C00", "orange"),
    3: ("#FDD835", "yellow"),
    4: ("#1E88E5", "blue"),
    5: ("#43A047", "green"),
}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: ""}
BACKGROUND = "#071428"
PANEL = "#0c1f3d"
BORDER = "#1d3b66"
TEXT = "#e6eefc"
MUTED = "#8fa6c8"
ACCENT = "#22d3ee"
FONT = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
MONO = '"DejaVu Sans Mono", "Noto Sans Mono", "Consolas", monospace'


def level_colour(level: int) -> str:
    return LEVELS.get(level, LEVELS[5])[0]
