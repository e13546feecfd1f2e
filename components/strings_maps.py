"""UI strings of the maps: the heat layer's rolling window, area pages' map titles, the note that
derived boundaries are approximate and a grid's name on the wall (zh, en).

components/strings.py merges these into STRINGS (`STRINGS.update(MAPS)`, after its own table):
`legend_heat` and `wall_map_heat` replace its values, which said "today" of a layer that now counts
the last 24 hours."""

from __future__ import annotations

MAPS: dict[str, tuple[str, str]] = {
    "legend_heat": ("近24小时事件数（每格）", "Incidents, last 24 h (per cell)"),
    "wall_map_heat": ("事件热力（近24小时）", "Incident heat (last 24 h)"),
    "area_map_siblings": ("所在街镇的网格（点击切换）", "Grids of this street (click to switch)"),
    "map_approx_district": ("区界为示意，非法定边界", "District boundaries are approximate"),
    "map_approx_street": ("街道边界为示意，非法定边界", "Street boundaries are approximate"),
    "map_approx_grid": (
        "网格边界为示意（按示意街道裁切）",
        "Grid boundaries are approximate (cut from approximate streets)",
    ),
    # a grid's name on the wall's map ({n}: its number); the desks' smaller maps show the number alone
    "map_grid_label": ("第{n}网格", "Grid {n}"),
    # an imported incident: the address as the source wrote it; no coordinates, so no map
    "inc_address": ("地址", "Address"),
    "inc_no_point": (
        "来源未提供坐标，无法在地图上标出位置",
        "The source gave no coordinates: nothing to show on a map",
    ),
}
