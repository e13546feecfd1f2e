"""UI strings of the wall's replay (推演/回放, issue 16: /wall?at=...), zh and en. components/i18n.py merges them
into STRINGS; the banner's words reach assets/wall-replay.js through the wall's config Store."""

from __future__ import annotations

REPLAY_TEXT: dict[str, tuple[str, str]] = {
    # the banner across the top: {time} is the replayed moment, Shanghai time (2026-11-22 21:30:15)
    "replay_banner": ("回放 {time} · 非实时", "REPLAY {time} · not live"),
    "replay_tag": ("回放", "REPLAY"),
    "replay_play": ("▶ 播放", "▶ Play"),
    "replay_pause": ("‖ 暂停", "‖ Pause"),
    "replay_back": ("− {n} 分钟", "− {n} min"),
    "replay_forward": ("+ {n} 分钟", "+ {n} min"),
    "replay_speed": ("{n}×", "{n}×"),
    "replay_next_red": ("下一个红色预警 »", "Next red warning »"),
    "replay_live": ("回到实时", "Back to live"),
    "replay_no_red": ("此后没有新的红色预警", "No red warning started after this moment"),
    "replay_at_now": ("已回放到当前时刻", "The replay has reached the present"),
    # the header's freshness line in a replay: the newest data the replayed moment had, as clock times
    "replay_freshness": ("截至 {at} · 事件 {inc} · 体征 {ind}", "As of {at} · Incidents {inc} · Vitals {ind}"),
    # a moment the replay cannot show (data.wall.replay.BadMoment reasons): the live wall stays
    "replay_bad_format": (
        "回放时间格式应为 2026-11-22T21:30，仍显示实时数据",
        "Replay time must look like 2026-11-22T21:30: showing live data",
    ),
    "replay_bad_future": ("只能回放过去的时刻，仍显示实时数据", "Only past moments can be replayed: showing live data"),
    "replay_bad_too_old": (
        "只能回放最近30天，仍显示实时数据",
        "Only the last 30 days can be replayed: showing live data",
    ),
    "replay_failed": ("回放数据读取失败，请稍后再试", "The replay could not be read: please try again shortly"),
    # the area page's time slider (/area/CODE?at=...): its ranges, the right end, and the hidden ranking
    "replay_slider": ("时间回放", "Time replay"),
    "replay_range_24h": ("24小时", "24 h"),
    "replay_range_7d": ("7天", "7 days"),
    "replay_range_30d": ("30天", "30 days"),
    "replay_now": ("现在", "Now"),
    "replay_day_mark": ("{m}月{d}日", "{mon} {d}"),
    "replay_ranking_today": (
        "下级排名只反映当前实时数据，回放时不显示",
        "The ranking of child areas shows the present only: hidden in a replay",
    ),
}
