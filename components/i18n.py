"""UI strings in Simplified Chinese (default) and English; t(key, lang) looks one up."""

from __future__ import annotations

from urllib.parse import parse_qs

from components.strings import STRINGS
from components.strings_eval import EVAL
from components.strings_handover import HANDOVER_TEXT
from components.strings_loop import LOOP_DESK
from components.strings_mobile import MOBILE
from components.strings_pwa import PWA
from components.strings_replay import REPLAY_TEXT
from components.strings_tasks import TASKS
from data.domain.names import lang_index, name  # noqa: F401 - the UI reads names through here too

LANGS = ("zh", "en")
STRINGS.update(EVAL)  # 考核评价 (issue 15)
STRINGS.update(LOOP_DESK)  # the loop's desk (issue 15); strings.py is full
STRINGS.update(MOBILE)  # the phone view of the wall (issue 17)
STRINGS.update(HANDOVER_TEXT)  # the shift handover (issue 16)
STRINGS.update(TASKS)  # a unit's day on a phone: /tasks, the incident page's brief, camera photos (issue 17)
STRINGS.update(PWA)  # the installable app and its offline words (issue 17)
STRINGS.update(REPLAY_TEXT)  # the wall's replay (issue 16)


def t(key: str, lang: str = "zh", **fmt) -> str:
    """The string for key in lang (zh when lang is unknown), formatted with fmt."""
    text = STRINGS[key][lang_index(lang)]
    return text.format(**fmt) if fmt else text


def dropdown_labels(lang: str) -> dict:
    """dcc.Dropdown's own words (search box, empty result, clear buttons) in lang: Dash says them in English."""
    keys = {  # the single-choice words: a multi-choice dropdown (none yet) would add select_all and the like
        "search": "drop_search",
        "clear_search": "drop_clear_search",
        "clear_selection": "drop_clear",
        "no_options_found": "drop_none",
    }
    return {label: t(key, lang) for label, key in keys.items()}


def lang_from(value: str | None, default: str = "zh") -> str:
    """A supported language from a ?lang= value or a full query string; else the default."""
    if value and "=" in value:
        value = (parse_qs(value.lstrip("?")).get("lang") or [None])[0]
    return value if value in LANGS else default


def format_age(seconds: int, lang: str) -> str:
    """'42 秒前' / '5 min ago' / '3 小时前' / '2 days ago' for an age in seconds (a clock a little
    ahead of the server's reads as 'just now', never as a negative age)."""
    seconds = max(0, int(seconds))
    for limit, unit, key in ((120, 1, "seconds_ago"), (7200, 60, "minutes_ago"), (172800, 3600, "hours_ago")):
        if seconds < limit:
            return t(key, lang, n=seconds // unit)
    return t("days_ago", lang, n=seconds // 86400)


def format_duration(seconds: int, lang: str) -> str:
    """How long something has lasted: '45 分钟' / '3 小时 12 分' / '2 天 5 小时' (en: 45 min / 3 h 12 min / 2 d 5 h)."""
    seconds = abs(int(seconds))
    d, h, m = seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60
    if lang == "en":
        return f"{d} d {h} h" if d else f"{h} h {m} min" if h else f"{m} min"
    return f"{d} 天 {h} 小时" if d else f"{h} 小时 {m} 分" if h else f"{m} 分钟"
