"""One theme: the five warning colours (always shown with a text label) and the dark palette.

The stylesheets and scripts cannot import this module: assets/theme.css repeats these colours once, as
custom properties (--level-1 … --level-5, --bg, --accent, …), and tests/unit/test_theme.py holds the
two equal and keeps every other asset reading the properties."""

from __future__ import annotations

from data.domain.vocab import WARNING_LEVELS

# level -> (colour, name): the name is the CSS class and the key of its short label in components.i18n
LEVELS = {
    1: ("#E53935", WARNING_LEVELS[1]),
    2: ("#FB8C00", WARNING_LEVELS[2]),
    3: ("#FDD835", WARNING_LEVELS[3]),
    4: ("#1E88E5", WARNING_LEVELS[4]),
    5: ("#43A047", "green"),  # no warning: never stored
}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: ""}
LEVEL_TEXT = {
    1: ("红色", "Red"),
    2: ("橙色", "Orange"),
    3: ("黄色", "Yellow"),
    4: ("蓝色", "Blue"),
    5: ("正常", "Normal"),
}
# how opaque each level fills its area on the map: chosen so that, over the map's background, red reads
# strongest and green quietest (tests/unit/test_theme.py measures each fill's contrast)
FILL_OPACITY = {1: 0.92, 2: 0.6, 3: 0.38, 4: 0.55, 5: 0.28}
MAP_BACKGROUND = "#06142b"  # assets/wall.css .wall-leaflet
BACKGROUND = "#071428"
PANEL = "#0c1f3d"
BORDER = "#1d3b66"
TEXT = "#e6eefc"
MUTED = "#8fa6c8"
ACCENT = "#22d3ee"
STALE = "#7d8aa3"  # a late feed: grey instead of its warning colour
FONT = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
MONO = '"DejaVu Sans Mono", "Noto Sans Mono", "Consolas", monospace'


def level_colour(level: int) -> str:
    return LEVELS.get(level, LEVELS[5])[0]


def level_label(level: int, lang: str) -> str:
    """'红色 I' / 'Orange II' / '正常': the text that goes with every warning colour."""
    zh, en = LEVEL_TEXT.get(level, LEVEL_TEXT[5])
    return f"{en if lang == 'en' else zh} {ROMAN.get(level, '')}".strip()


# incident heat: a violet-to-white ramp, kept apart from the five warning colours, each class drawn at its
# opacity: over the map's background the coolest class still reads (>= 1.5:1) and each hotter one reads
# stronger (tests/unit/test_theme.py measures them)
HEAT = ("#7b5ce0", "#9466f0", "#b07cff", "#d2adff", "#f4ecff")
HEAT_OPACITY = (0.5, 0.6, 0.7, 0.82, 0.92)
# project status colours (paired with text everywhere): the warning colours of green, orange and red
PROJECT_STATUS = {"on_track": level_colour(5), "at_risk": level_colour(2), "late": level_colour(1)}
# the custom properties assets/theme.css must define with these values
CSS_COLOURS = {
    "--bg": BACKGROUND,
    "--panel": PANEL,
    "--border": BORDER,
    "--text": TEXT,
    "--muted": MUTED,
    "--accent": ACCENT,
    "--stale": STALE,
    **{f"--level-{lv}": c for lv, (c, _) in LEVELS.items()},
}
