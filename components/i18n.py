"""UI strings in Simplified Chinese (default) and English; t(key, lang) looks one up."""
from __future__ import annotations

from urllib.parse import parse_qs

LANGS = ("zh", "en")

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("上海市城市运行“一网统管”", "Shanghai City Operations: One Network"),
    "app_short": ("城运一网统管", "City Ops"),
    "nav_home": ("运行概览", "Overview"),
    "nav_wall": ("指挥大屏", "Command wall"),
    "nav_area": ("区域下钻", "Areas"),
    "level_city": ("市级", "City"), "level_district": ("区级", "District"), "level_street": ("街镇", "Street/town"),
    "level_grid": ("网格", "Grid"),
    "area_map": ("下级区域（点击下钻）", "Areas below (click to drill down)"),
    "area_ranking": ("下级区域排名", "Areas below, ranked"),
    "area_week": ("近7日与上周对比（整日）", "Last 7 whole days vs the week before"),
    "area_active": ("生效预警", "Active warnings"),
    "col_area": ("区域", "Area"), "col_open": ("在办", "Open"), "col_overdue": ("超期", "Overdue"),
    "col_per_day": ("日均事件（近7日）", "Per day (7 d)"), "col_level": ("预警", "Warning"),
    "col_since": ("持续", "Open for"), "col_cause": ("原因", "Cause"), "col_rule": ("规则", "Rule"),
    "week_totals": ("近7日 {this} 件，上周 {last} 件（{delta}）", "{this} in the last 7 days, {last} the week before ({delta})"),
    "this_week": ("近7日", "Last 7 d"), "last_week": ("上周", "Week before"),
    "no_children": ("网格是最小单元，没有下级区域。", "A grid is the smallest unit: there are no areas below it."),
    "no_active": ("本区域当前没有生效预警。", "No active warnings in this area."),
    "nav_indicators": ("城市体征", "Vital signs"),
    "ind_title": ("城市体征指标", "City vital signs"),
    "cat_weather": ("气象", "Weather"), "cat_environment": ("环境", "Environment"), "cat_traffic": ("交通", "Traffic"),
    "cat_safety": ("公共安全", "Public safety"), "cat_utilities": ("城市设施", "Utilities"),
    "cat_flood": ("防汛", "Flood control"), "cat_crowds": ("大客流", "Crowds"), "cat_service": ("民生服务", "Public service"),
    "updated_ago": ("更新于 {age}", "updated {age}"),
    "range_24h": ("24小时", "24 h"), "range_7d": ("7天", "7 days"), "range_30d": ("30天", "30 days"),
    "range_custom": ("自定义", "Custom"),
    "series_now": ("本期", "This period"), "series_last_week": ("上周同期", "Same period last week"),
    "chart_title": ("{name}（{unit}）", "{name} ({unit})"),
    "by_district": ("各区最新值", "Latest value by district"),
    "city_only": ("该指标只有全市一条序列，没有分区数据。", "This indicator has one city-wide series; there is no breakdown by district."),
    "ind_warnings": ("该指标触发的预警", "Warnings this indicator raised"),
    "no_ind_warnings": ("该指标近期没有触发预警。", "This indicator has raised no warnings recently."),
    "col_value": ("数值", "Value"), "col_started": ("开始", "Started"), "col_ended": ("结束", "Ended"),
    "still_active": ("仍在生效", "still active"), "col_indicator": ("指标", "Indicator"),
    "ind_not_found": ("指标“{code}”不存在。", "There is no indicator “{code}”."),
    "area_scope": ("区域", "Area"), "whole_city": ("全市", "Whole city"),
    "nav_warnings": ("预警管理", "Warnings"),
    "warn_title": ("预警管理", "Warnings"),
    "tab_active": ("生效中", "Active"), "tab_history": ("历史", "History"),
    "all": ("全部", "All"), "all_city": ("全市", "Whole city"),
    "kind_indicator": ("体征越限", "Vital sign"), "kind_spike": ("事件激增", "Incident spike"),
    "kind_overdue": ("超期积压", "Overdue backlog"), "kind_project": ("项目滞后", "Project delay"),
    "sort_newest": ("最新", "Newest"), "sort_oldest": ("最早", "Oldest"), "sort_severity": ("最严重", "Most severe"),
    "col_kind": ("类型", "Kind"), "col_ack": ("确认", "Acknowledged"),
    "ack_button": ("确认收到", "Acknowledge"),
    "ack_done": ("{who} 于 {at} 确认", "{who} at {at}"),
    "ack_ended": ("该预警已结束，无需确认。", "This warning has ended; there is nothing to acknowledge."),
    "ack_taken": ("已被他人确认（{who}），请刷新。", "Already acknowledged by someone else ({who}); please reload."),
    "ack_missing": ("预警不存在或已被删除。", "This warning does not exist."),
    "ack_failed": ("确认未能保存，请稍后重试。详细原因已记录在日志中。", "The acknowledgement could not be saved; please try again. The details are in the log."),
    "page_of": ("第 {page}/{pages} 页，共 {total} 条", "Page {page} of {pages}, {total} in all"),
    "prev": ("上一页", "Previous"), "next": ("下一页", "Next"),
    "filter_area": ("区域：{name}", "Area: {name}"),
    "no_warnings": ("没有符合条件的预警。", "No warnings match these filters."),
    "nav_projects": ("重点项目", "Projects"),
    "proj_title": ("重点项目", "Key projects"),
    "phase_approval": ("立项", "Approval"), "phase_tender": ("招标", "Tender"), "phase_build": ("建设", "Build"),
    "phase_acceptance": ("验收", "Acceptance"), "phase_operation": ("运维", "Operation"),
    "col_project": ("项目", "Project"), "col_department": ("牵头单位", "Department"), "col_district": ("区", "District"),
    "col_phase": ("阶段", "Phase"), "col_status": ("状态", "Status"), "col_spi": ("进度绩效", "SPI"),
    "col_progress": ("完成/计划", "Done/planned"), "col_budget": ("预算（万元）", "Budget (10k CNY)"),
    "col_spend": ("已支出（万元）", "Spent (10k CNY)"), "col_planned_end": ("计划完成", "Planned end"),
    "filter_department": ("牵头单位", "Department"), "filter_district": ("区", "District"),
    "filter_phase": ("阶段", "Phase"), "filter_status": ("状态", "Status"),
    "budget_vs_spend": ("预算 {budget} 万元，已支出 {spend} 万元（{pct}）", "Budget {budget}, spent {spend} (10k CNY, {pct})"),
    "gantt_title": ("项目进度时间轴（计划 / 实际完成，◆ 里程碑）", "Timeline: plan and progress (◆ milestones)"),
    "today": ("今天", "Today"), "planned_bar": ("计划工期", "Planned"), "done_bar": ("已完成", "Done"),
    "milestone": ("里程碑", "Milestone"), "no_projects_match": ("没有符合条件的项目。", "No projects match these filters."),
    "proj_not_found": ("项目“{id}”不存在。", "There is no project “{id}”."),
    "spend_title": ("累计支出与计划（万元）", "Cumulative spend vs plan (10k CNY)"),
    "spend_plan": ("计划支出", "Planned spend"), "spend_actual": ("实际支出", "Actual spend"),
    "earned": ("已完成价值", "Earned value"),
    "milestones": ("里程碑", "Milestones"), "col_planned": ("计划", "Planned"), "col_actual": ("实际", "Actual"),
    "proj_history": ("进度预警记录", "Schedule warnings"),
    "no_proj_warnings": ("该项目没有触发过进度预警。", "This project has raised no schedule warnings."),
    "not_yet": ("未完成", "not yet"),
    "nav_incidents": ("事件处置", "Incidents"),
    "list_title": ("事件处置", "Incidents"),
    "f_window": ("时间", "When"), "win_today": ("今日", "Today"), "win_24h": ("24小时", "24 h"), "win_7d": ("7天", "7 days"),
    "win_30d": ("30天", "30 days"), "win_all": ("全部时间", "All time"), "f_status": ("状态", "Status"), "f_source": ("来源", "Source"),
    "f_category": ("类别", "Category"), "f_priority": ("优先级", "Priority"), "f_unit": ("处置单位", "Unit"),
    "f_area": ("区域", "Area"), "f_overdue": ("仅超期", "Overdue only"), "f_q": ("标题或描述", "Title or description"),
    "f_apply": ("筛选", "Filter"), "f_reset": ("清除", "Clear"),
    "col_time": ("上报时间", "Reported"), "col_title": ("标题", "Title"), "col_street": ("街镇", "Street"),
    "col_due": ("本环节时限", "Step due"), "list_total": ("共 {n} 件", "{n} in all"),
    "inc_not_found": ("事件“{id}”不存在。", "There is no incident “{id}”."),
    "inc_reporter": ("报告人", "Reporter"), "inc_source": ("来源", "Source"), "inc_category": ("类别", "Category"),
    "inc_priority": ("优先级", "Priority"), "inc_place": ("地点", "Place"), "inc_unit": ("处置单位", "Unit"),
    "inc_due_in": ("本环节剩余 {t}", "{t} left in this step"), "inc_overdue_by": ("本环节已超期 {t}", "This step is {t} overdue"),
    "inc_reported": ("上报时间", "Reported"), "inc_ref": ("编号", "Reference"), "grid_no": ("第 {n} 网格", "grid {n}"),
    "inc_here": ("本事件", "This incident"), "inc_repeat": ("近7日重复", "Repeats, 7 days"),
    "inc_reason": ("理由（必填）", "Reason (required)"), "inc_reload": ("重新载入", "Reload"),
    "inc_closed": ("已结案", "Closed"), "inc_timeline": ("处置过程", "Timeline"), "inc_similar": ("近7日同网格或同类事件", "Same grid or street and category, last 7 days"),
    "inc_actions": ("处置操作", "Act"), "inc_comment": ("意见或理由", "Comment or reason"),
    "inc_choose_unit": ("选择处置单位", "Choose a unit"), "inc_submit": ("提交", "Submit"),
    "inc_no_actions": ("该事件当前没有可执行的操作。", "There is nothing to do on this incident now."),
    "act_register": ("立案", "Register"), "act_dispatch": ("派遣", "Dispatch"), "act_start": ("开始处置", "Start handling"),
    "act_handled": ("处置完毕", "Mark handled"), "act_verify_pass": ("核查通过并结案", "Verify: pass and close"),
    "act_verify_fail": ("核查不通过", "Verify: fail"), "act_close": ("直接结案", "Close"), "act_reopen": ("重新处置", "Reopen"),
    "act_done": ("已{action}（版本 {version}）。", "Done: {action} (version {version})."),
    "act_stale": ("已被他人处理，请刷新。", "This incident changed since you opened it; please reload."),
    "act_not_allowed": ("当前状态不允许该操作。", "That action is not allowed from the current status."),
    "act_bad_unit": ("请选择负责该类事件的处置单位。", "Choose a unit that handles this kind of incident."),
    "act_need_reason": ("该操作需要填写理由。", "This action needs a reason."),
    "act_failed": ("操作未能保存，请稍后重试。详细原因已记录在日志中。", "The action could not be saved; please try again. The details are in the log."),
    "act_pick": ("请选择一个操作。", "Choose an action."),
    "data_unavailable": ("数据暂时无法读取，请稍后刷新。详细原因已记录在日志中。",
                         "The data cannot be read right now; please reload in a moment. The details are in the log."),
    "area_not_found": ("区域代码“{code}”不存在。", "There is no area with code “{code}”."),
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
    "area_list_today": ("今日事件清单 ›", "Today's incidents ›"), "area_list_overdue": ("超期事件 ›", "Overdue ›"),
    "grid_empty": ("没有符合条件的记录", "Nothing matches these filters"), "grid_loading": ("加载中…", "Loading…"),
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
    # the command wall
    "wall_vitals": ("城市体征", "City vital signs"),
    "wall_incidents": ("今日事件", "Incidents today"),
    "wall_warnings": ("预警态势", "Warnings"),
    "wall_projects": ("重点项目", "Key projects"),
    "wall_ticker": ("最新事件", "Latest"),
    "wall_map_all": ("运行态势", "City situation"),
    "wall_map_warnings": ("五色预警", "Five-colour warnings"),
    "wall_map_heat": ("事件热力（今日）", "Incident heat (today)"),
    "wall_map_projects": ("项目分布", "Projects by district"),
    "normal": ("正常", "Normal"),
    "data_late": ("数据延迟 {n} 分钟", "Data {n} min late"),
    "data_late_h": ("数据延迟 {n} 小时", "Data {n} h late"),
    "no_reading": ("暂无数据", "No reading"),
    "closure_rate_7d": ("近7日结案率", "Closed (7 d)"),
    "overdue_now": ("超期事件", "Overdue"),
    "by_category": ("按类别", "By category"),
    "closed_today_short": ("结案", "Closed"),
    "no_severe_warnings": ("当前无红色、橙色预警", "No red or orange warnings"),
    "warnings_total": ("生效预警 {n} 条", "{n} active warnings"),
    "on_track": ("正常推进", "On track"),
    "at_risk": ("进度预警", "At risk"),
    "late": ("严重滞后", "Late"),
    "budget_execution": ("预算执行率", "Budget spent"),
    "spi_line": ("{done}%/{plan}%", "{done}%/{plan}%"),
    "delayed_head": ("进度最滞后 · 完成/计划", "Furthest behind · done/planned"),
    "late_short": ("滞后", "Late"), "at_risk_short": ("预警", "At risk"),
    "no_projects": ("范围内暂无项目", "No projects in this area"),
    "legend_areas": ("区域预警等级", "Area warning level"),
    "legend_scope": ("本区域整体：{level}", "This area as a whole: {level}"),
    "legend_heat": ("今日事件数（每格）", "Incidents today (per cell)"),
    "legend_markers": ("高优先级事件（24小时内）", "High-priority incidents (24 h)"),
    "legend_projects": ("项目状态（按区）", "Project status (by district)"),
    "freshness_line": ("事件 {inc} · 体征 {ind}", "Incidents {inc} · Vitals {ind}"),
    "new_red": ("新增红色预警", "New red warning"),
    "wall_loading": ("正在加载…", "Loading…"),
    "mark_hint": (" ▏昨日同期", " ▏yesterday"),
    "step_reported": ("受理", "New"), "step_registered": ("立案", "Filed"), "step_dispatched": ("派遣", "Sent"),
    "step_handling": ("处置", "Fixing"), "step_verifying": ("核查", "Check"),
    "yesterday_same": ("昨日同期 {n}", "Yesterday {n}"),
    "wx_temperature": ("气温", "Temp"), "wx_rain_1h": ("雨量", "Rain"), "wx_humidity": ("湿度", "Humidity"),
    "wx_wind_speed": ("风速", "Wind"), "wx_visibility": ("能见度", "Visibility"),
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


def format_duration(seconds: int, lang: str) -> str:
    """How long something has lasted: '45 分钟' / '3 小时 12 分' / '2 天 5 小时' (en: 45 min / 3 h 12 min / 2 d 5 h)."""
    seconds = abs(int(seconds))
    d, h, m = seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60
    if lang == "en":
        return f"{d} d {h} h" if d else f"{h} h {m} min" if h else f"{m} min"
    return f"{d} 天 {h} 小时" if d else f"{h} 小时 {m} 分" if h else f"{m} 分钟"
