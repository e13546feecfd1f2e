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

# incident heat: a violet-to-white ramp, kept apart from the five warning colours
HEAT = ("#3b2a7a", "#6a3fb5", "#9b5de5", "#c9a3ff", "#f4ecff")
# project status colours (paired with text everywhere)
PROJECT_STATUS = {"on_track": "#43A047", "at_risk": "#FB8C00", "late": "#E53935"}
LEVEL_TEXT = {1: ("红色", "Red"), 2: ("橙色", "Orange"), 3: ("黄色", "Yellow"), 4: ("蓝色", "Blue"), 5: ("正常", "Normal")}


def level_label(level: int, lang: str) -> str:
    """'红色 I' / 'Orange II' / '正常': the text that goes with every warning colour."""
    zh, en = LEVEL_TEXT.get(level, LEVEL_TEXT[5])
    text = en if lang == "en" else zh
    return f"{text} {ROMAN[level]}".strip() if level in ROMAN and ROMAN[level] else text
