"""UI strings of the wall's and the desk's panels: what each count counts, whose data a vital sign is,
the dates of earlier days, and the project warnings kept apart from the area warnings (zh, en).

components/strings.py merges these into STRINGS last (`STRINGS.update(ACCESS | MAPS | WALL_TEXT)`), so
the keys it already has are reworded here: `freshness_line` ("事件 3 小时前" read as a stale feed),
`loop_now` (the funnel's note says what its last step counts), and `legend_scope`, `legend_markers` and
`wall_map_all` (the longer English made the legend above a 16:9 map wrap to a fifth line)."""

from __future__ import annotations

WALL_TEXT: dict[str, tuple[str, str]] = {
    # the warnings panel counts warnings, the legend counts areas: each says so
    "warn_chips_caption": ("各等级生效预警（条）", "Active warnings per level"),
    "legend_count_district": ("区域预警等级 · 区数", "Districts by level"),
    "legend_count_street": ("区域预警等级 · 街镇数", "Streets by level"),
    "legend_count_grid": ("区域预警等级 · 网格数", "Grids by level"),
    "legend_markers": ("24小时高优先级事件", "Priority incidents, 24 h"),
    "wall_map_all": ("运行态势", "Situation"),
    "legend_scope": ("本区域整体：{level}", "Overall: {level}"),
    "no_area_warnings": ("当前无生效预警", "No active warnings"),
    # whose reading a vital sign is, on a district's or a street's wall
    "tile_data_city": ("全市数据", "City data"),
    "tile_data_of": ("{area}数据", "{area} data"),
    "tile_data_district": ("全区数据", "District data"),
    # times of earlier days (the ticker, the warning rows)
    "yesterday_at": ("昨天 {time}", "Yesterday {time}"),
    "freshness_line": ("最新事件 {inc} · 体征 {ind}", "Last incident {inc} · Vitals {ind}"),
    "closed_today_note": ("今日结案含往日上报", "closed today incl. earlier reports"),
    "loop_now": ("闭环处置 · 各环节在办", "Open now by stage"),  # its note says what the last step counts
    # the weather word from the last hour's rain
    "wx_clear": ("晴", "Clear"),
    "wx_light_rain": ("小雨", "Light rain"),
    "wx_rain": ("中雨", "Rain"),
    "wx_heavy_rain": ("大雨", "Heavy rain"),
    "wx_rainstorm": ("暴雨", "Rainstorm"),
    # an area page: project slips do not colour an area, so they are listed apart from its warnings
    "area_project_warnings": ("项目进度预警（不计入区域颜色）", "Project schedule warnings (not an area colour)"),
    "col_project_cause": ("项目与进度", "Project and schedule"),
    # of today's reports, those an import could not place in any area (city wall)
    "unlocated_of_today": ("其中未定位 {n}", "{n} unlocated"),
    "supervised_n": ("督办 {n}", "Supervised {n}"),
    "scores_title": ("考核（近{days}天，至昨日）", "Evaluation ({days} d to yesterday)"),
    "scores_ontime": ("按期处置率", "On-time handling"),
    "scores_composite": ("综合指标值", "Composite score"),
}
