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
# how each level fills its area on the map, (colour, opacity), over the map's background: each reads as its
# legend swatch's colour, and by severity. The warning colours fill strongly enough to keep their own hue
# (a translucent yellow turned olive and an orange brown): red opaque and the most colourful, then orange
# and yellow; blue IV and normal are quiet (dark, little colour) so the few warned areas stand out, and
# normal stays visible as a green area, not a hole. Normal's green leans away from blue because the navy
# background would otherwise turn a translucent #43A047 teal. tests/unit/test_theme.py measures all this.
MAP_FILL = {
    1: (LEVELS[1][0], 1.0),
    2: (LEVELS[2][0], 0.9),
    3: (LEVELS[3][0], 0.86),
    4: (LEVELS[4][0], 0.45),
    5: ("#3BAD00", 0.3),
}
# each level's outline, (colour, width in rem, opacity): red's the widest and brightest, so a red area
# stands out also by its edge; the others share a thin light line that keeps every area's shape readable
MAP_STROKE = {
    1: ("#ffc2ba", 0.2, 1.0),
    2: ("#ffe0b8", 0.12, 1.0),
    3: ("#c9d8f0", 0.075, 0.9),
    4: ("#c9d8f0", 0.075, 0.9),
    5: ("#c9d8f0", 0.075, 0.9),
}
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


# incident heat: a violet-to-white ramp, kept apart from the five warning colours. The wall's heat view
# draws each cell in its class's colour, opaque over the dimmed areas (so the legend's swatches are exactly
# what is drawn), each hotter class brighter. Everywhere else (the wall's overview, the desks) heat must
# not hide or shift the warning colours (translucent cells did both, and outshone a red district): a cell
# is drawn as dots in its class's colour with a dark rim, on a lattice that is denser for hotter classes,
# and the area's own colour shows between them. HEAT_DOTS: per class from the hottest down, (lattice
# spacing, dot radius) in rem; HEAT_DOT_RIM: the rim's (width in rem, colour). assets/wall-map.css draws
# the legend's swatches alike.
HEAT = ("#7b5ce0", "#9466f0", "#b07cff", "#d2adff", "#f4ecff")
HEAT_DOTS = ((0.45, 0.085), (0.6, 0.08), (0.8, 0.075), (1.0, 0.07), (1.25, 0.07))
HEAT_DOT_RIM = (0.04, "rgba(6, 20, 43, 0.85)")
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
