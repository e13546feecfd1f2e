"""UI strings in Simplified Chinese (default) and English; t(key, lang) looks one up."""
from __future__ import annotations

from urllib.parse import parse_qs

LANGS = ("zh", "en")

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("上海市城市运行“一网统管”", "Shanghai City Operations: One Network"),
    "app_short": ("城运一网统管", "City Ops"),
    "nav_home": ("运行概览", "Overview"),
    "home_title": ("城市运行概览", "City operations overview"),
    "incidents_today": ("今日事件", "Incidents today"),
    "vs_yesterday": ("较昨日同期", "vs same time yesterday"),
    "open_incidents": ("在办事件", "Open incidents"),
    "overdue": ("超期事件", "Overdue"),
    "closed_today": ("今日结案", "Closed today"),
    "active_warnings": ("生效预警", "Active warnings"),
    "data_freshness": ("数据更新", "Data updated"),
    "seconds_ago": ("{n} 秒前", "{n} s ago"),
    "minutes_ago": ("{n} 分钟前", "{n} min ago"),
    "hours_ago": ("{n} 小时前", "{n} h ago"),
    "days_ago": ("{n} 天前", "{n} days ago"),
    "no_data": ("暂无数据", "No data yet"),
    "by_source": ("按来源", "By source"),
    "loop": ("闭环处置", "Closed loop"),
    "not_found_title": ("页面不存在", "Page not found"),
    "not_found_body": ("您访问的地址不存在或已被移除。", "The address you opened does not exist or has been removed."),
    "back_home": ("返回首页", "Back to the overview"),
    "stale_banner": ("数据连接异常，显示的是 {since} 的数据", "Data connection lost: showing data from {since}"),
    "bad_param": ("参数“{name}”无效，已使用默认值。", "The parameter “{name}” was not valid; the default is shown."),
    "lang_switch": ("English", "中文"),
    "red": ("红", "Red"), "orange": ("橙", "Orange"), "yellow": ("黄", "Yellow"), "blue": ("蓝", "Blue"),
    "green": ("绿", "Green"),
}


def t(key: str, lang: str = "zh", **fmt) -> str:
    """The string for key in lang (zh when lang is unknown), formatted with fmt."""
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


def lang_from(value: str | None, default: str = "zh") -> str:
    """A supported language from a ?lang= value or a full query string; else the default."""
    if value and "=" in value:
        value = (parse_qs(value.lstrip("?")).get("lang") or [None])[0]
    return value if value in LANGS else default


def name(row: dict, lang: str) -> str:
    """The localized name of a record with name_zh/name_en."""
    return row.get("name_en") if lang == "en" and row.get("name_en") else row.get("name_zh", "")


def format_age(seconds: int, lang: str) -> str:
    """'42 秒前' / '5 min ago' / '3 小时前' / '2 days ago' for an age in seconds."""
    for limit, unit, key in ((120, 1, "seconds_ago"), (7200, 60, "minutes_ago"), (172800, 3600, "hours_ago")):
        if seconds < limit:
            return t(key, lang, n=seconds // unit)
    return t("days_ago", lang, n=seconds // 86400)
