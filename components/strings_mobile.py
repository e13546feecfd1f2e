"""UI strings of the phone view of the wall (/m) and of the wall's link to it (zh, en).

The phone reuses the wall's own keys where they say the same thing (wall_incidents, overdue_now,
supervised_n, loop_now, step_*, yesterday_same, late_short, spi_line, stale_banner ...); these are the
phone's own words. components/i18n.py merges them into STRINGS."""

from __future__ import annotations

MOBILE: dict[str, tuple[str, str]] = {
    "nav_mobile": ("手机版", "Phone"),
    "m_phone_link": ("手机版 →", "Phone view →"),  # the wall's banner on a narrow window (pages/wall.py)
    "m_bad_area": (
        "参数“area”无效或超出您的查看范围，已显示您的全部辖区。",
        "The area asked for does not exist or is outside what you may see: your whole area is shown.",
    ),
    # the worst colour and the active warnings
    "m_worst": ("整体预警等级", "Overall warning level"),
    "m_active_n": ("生效预警 {n} 条", "{n} active warnings"),
    "m_active_one": ("生效预警 1 条", "1 active warning"),
    "m_since": ("{time} 起", "since {time}"),
    "m_more_warnings": ("查看全部 {n} 条预警 ›", "All {n} warnings ›"),
    # today's incidents
    "m_supervised": ("督办", "Supervised"),
    "m_open": ("在办", "Open"),
    # the vital signs out of band
    "m_vitals": ("体征越限", "Vital signs out of band"),
    "m_all_normal": ("全部正常", "All normal"),
    "m_vitals_late": ("另有 {n} 项暂无最新数据", "{n} more without a current reading"),
    # key projects behind
    "m_projects": ("重点项目滞后", "Key projects behind"),
    "m_no_delayed": ("暂无滞后项目", "No project behind schedule"),
    # tap through to the desk pages
    "m_links": ("查看详情", "Open a desk page"),
    "m_link_area": ("区域详情 ›", "Area page ›"),
    "m_link_warnings": ("预警管理 ›", "Warnings ›"),
    "m_link_indicators": ("城市体征 ›", "Vital signs ›"),
    "m_link_projects": ("重点项目 ›", "Projects ›"),
    # how old the data is
    "m_updated": ("更新于 {age}", "Updated {age}"),
    "m_updated_never": ("正在读取数据…", "Reading the data…"),
}
