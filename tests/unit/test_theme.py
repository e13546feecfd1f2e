"""One theme: the stylesheets and scripts use the warning colours of components.theme, through the
custom properties assets/theme.css defines once, and the shared widgets draw with them."""

from __future__ import annotations

import math
import re
from pathlib import Path

from components.theme import CSS_COLOURS, LEVELS, STALE, level_label

ASSETS = Path(__file__).resolve().parents[2] / "assets"
HEX = re.compile(r"#([0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
RGB = re.compile(r"rgba?\(\s*(\d+)\s*,?\s*(\d+)\s*,?\s*(\d+)")
DEFINITION = re.compile(r"(--[\w-]+)\s*:\s*([^;}]+)")
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def _assets() -> dict[str, str]:
    """Every stylesheet and script, comments removed."""
    files = sorted(ASSETS.glob("*.css")) + sorted(ASSETS.glob("*.js"))
    return {f.name: re.sub(r"/\*.*?\*/", "", f.read_text(encoding="utf-8"), flags=re.S) for f in files}


def _rrggbb(colour: str) -> str:
    h = colour.lstrip("#").lower()
    return "".join(c * 2 for c in h) if len(h) == 3 else h[:6]


def _colours(text: str) -> set[str]:
    """Every colour written out in the text, as rrggbb (alpha dropped)."""
    return {_rrggbb(m.group(0)) for m in HEX.finditer(text)} | {
        "".join(f"{int(c):02x}" for c in m.groups()) for m in RGB.finditer(text)
    }


def _root(css: str) -> dict[str, str]:
    block = re.search(r":root\s*\{([^}]*)\}", css)
    assert block, "assets/theme.css has no :root block"
    return {name: value.strip() for name, value in DEFINITION.findall(block.group(1))}


def test_theme_css_defines_the_python_colours():
    root = _root(_assets()["theme.css"])
    assert {name: root.get(name, "").lower() for name in CSS_COLOURS} == {k: v.lower() for k, v in CSS_COLOURS.items()}


def test_the_colour_properties_are_defined_once():
    defined = [
        (name, file) for file, text in _assets().items() for name, _ in DEFINITION.findall(text) if name in CSS_COLOURS
    ]
    assert sorted(defined) == sorted((name, "theme.css") for name in CSS_COLOURS)


def test_no_asset_writes_a_warning_colour_out():
    """Stylesheets and scripts read --level-N (and --stale): a copied value could drift from the theme."""
    ours = {_rrggbb(c) for c, _ in LEVELS.values()} | {_rrggbb(STALE)}
    for file, text in _assets().items():
        if file == "theme.css":
            text = DEFINITION.sub(lambda m: "" if m.group(1) in CSS_COLOURS else m.group(0), text)
        assert not _colours(text) & ours, f"{file} writes a theme colour out instead of var(--level-N)"


def test_every_property_used_is_defined():
    texts = _assets()
    defined = {name for text in texts.values() for name, _ in DEFINITION.findall(text)}
    defined |= {name for text in texts.values() for name in re.findall(r"setProperty\(\"(--[\w-]+)\"", text)}  # by JS
    used = {name for text in texts.values() for name in re.findall(r"var\((--[\w-]+)", text)}
    assert used - defined == set()


def test_a_rule_for_one_level_uses_that_levels_colour():
    names = {key: level for level, (_, key) in LEVELS.items()}
    checked = 0
    for file, text in _assets().items():
        if not file.endswith(".css"):
            continue
        for selector, body in RULE.findall(text):
            levels = {int(n) for n in re.findall(r"\.lvl-(\d)\b", selector)}
            levels |= {names[k] for k in re.findall(r"\.([a-z]+)\b", selector) if k in names}
            used = {int(n) for n in re.findall(r"var\(--level-(\d)\)", body)}
            if len(levels) == 1 and used:
                checked += 1
                assert used == levels, f"{file}: {selector.strip()} uses --level-{used}"
    assert checked >= 10


def _hideouts(**kwargs) -> dict:
    """The hideouts of a city map's areas and heat layers, as create_city_map builds them."""
    from components.citymap import create_city_map

    ids = {k: k for k in ("map", "areas", "heat", "markers", "project_layer")}
    m = create_city_map(ids, "310000", "zh", [[31.0, 121.0], [31.5, 121.8]], None, **kwargs)
    return {layer.name: layer.children for layer in m.children if getattr(layer, "name", None) in ("areas", "heat")}


def test_the_map_gets_its_colours_from_the_theme():
    from components.theme import MAP_FILL, MAP_STROKE

    areas = _hideouts(areas_only=True)["areas"]
    assert areas.hideout["colours"] == {str(lv): c for lv, (c, _) in MAP_FILL.items()}
    assert areas.hideout["fills"] == {str(lv): a for lv, (_, a) in MAP_FILL.items()}
    assert areas.hideout["strokes"] == {str(lv): list(s) for lv, s in MAP_STROKE.items()}
    assert all(MAP_FILL[lv][0] == LEVELS[lv][0] for lv in (1, 2, 3, 4))  # the warning colours themselves


def test_one_bar_widget_for_the_home_page_the_wall_and_the_desks():
    from components.kpi import bar_track, create_bars

    cells = create_bars([("热线", 30, 60), ("巡查", 15, 0)])
    assert [c.className for c in cells[:3]] == ["bar-label", "bar-value num", "bar-track"]
    fill, mark = cells[2].children
    assert (fill.style, mark.style) == (
        {"width": "50.0%"},
        {"left": "100.0%"},
    )  # scaled to the larger of value and mark
    home = create_bars([("a", 4), ("b", 0)])  # the home page: no marks, nothing to compare with
    assert len(home) == 6 and len(home[2].children) == 1 and home[5].children[0].style == {"width": "0.0%"}
    week = create_bars([("x", 5, 8)], top=10, delta=True)
    assert week[2].children == "-3" and week[2].className == "bar-delta num down"
    assert bar_track(0.25).children[0].style == {"width": "25.0%"}


def test_level_chips_and_tags_carry_the_level_label():
    from components.kpi import create_level_chips, level_tag

    chips = create_level_chips({1: 2, 4: 7}, "zh").children
    assert [c.children for c in chips] == ["红色 I · 2", "橙色 II · 0", "黄色 III · 0", "蓝色 IV · 7"]
    assert chips[0].style == {"background": LEVELS[1][0]} and chips[2].className == "chip yellow"
    tag = level_tag(2, "en")
    assert (tag.children, tag.className) == (level_label(2, "en"), "warn-tag lvl-2")


def _luminance(rgb) -> float:
    def lin(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return tuple(int(h[i : i + 2], 16) for i in (0, 2, 4))


def _blend(colour: str, alpha: float, under: str | tuple | None = None) -> tuple[float, float, float]:
    """The colour at this opacity over another (the map's background unless told)."""
    from components.theme import MAP_BACKGROUND

    bg = under if isinstance(under, tuple) else _rgb(under or MAP_BACKGROUND)
    return tuple(alpha * f + (1 - alpha) * b for f, b in zip(_rgb(colour), bg))


def _contrast(a, b) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _lab(rgb) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB colour."""

    def lin(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb)
    xyz = ((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b,
           (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883)  # fmt: skip
    fx, fy, fz = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def _hue(rgb) -> float:
    """CIELAB hue angle in degrees."""
    _, a, b = _lab(rgb)
    return math.degrees(math.atan2(b, a)) % 360


def _chroma(rgb) -> float:
    _, a, b = _lab(rgb)
    return math.hypot(a, b)


def map_fill(level: int) -> tuple[float, float, float]:
    """A level's fill as the map shows it: its colour at its opacity over the map's background."""
    from components.theme import MAP_FILL

    colour, alpha = MAP_FILL[level]
    return _blend(colour, alpha)


def test_each_map_fill_reads_as_its_legend_colour():
    """Yellow III drawn at 38 % over the navy map read olive and orange brown, so a leader could not match
    the map to the legend's bright swatches; a translucent normal green turned teal."""
    for level in (1, 2, 3, 4, 5):
        fill, swatch = map_fill(level), _rgb(LEVELS[level][0])
        turn = abs((_hue(fill) - _hue(swatch) + 180) % 360 - 180)
        assert turn <= 12, (level, round(turn))  # the swatch's hue
    for level in (1, 2, 3):  # the warning colours look like their swatches, not darker relatives
        assert math.dist(_lab(map_fill(level)), _lab(_rgb(LEVELS[level][0]))) <= 20, level


def test_map_fills_read_by_severity_from_ten_metres():
    """Red is the most colourful fill, then orange, yellow, blue, normal; the warning colours read from ten
    metres, blue IV is quieter than any of them (eleven blue districts made the city read blue) and normal
    is the quietest but still shows its shape. Luminance cannot order red above yellow without turning
    yellow olive, so red's lead is its colourfulness, its opacity and its outline."""
    from components.theme import MAP_BACKGROUND, MAP_FILL, MAP_STROKE

    bg = _rgb(MAP_BACKGROUND)
    chroma = [round(_chroma(map_fill(lv)), 1) for lv in (1, 2, 3, 4, 5)]
    contrast = {lv: round(_contrast(map_fill(lv), bg), 2) for lv in (1, 2, 3, 4, 5)}
    print("map fill chroma:", chroma, "contrast:", contrast)
    assert chroma == sorted(chroma, reverse=True) and len(set(chroma)) == 5, chroma
    assert min(contrast[1], contrast[2], contrast[3]) >= 4.0, contrast
    assert contrast[5] < contrast[4] < min(contrast[1], contrast[2], contrast[3]), contrast
    assert contrast[5] >= 1.5, contrast  # not a hole
    assert MAP_FILL[1][1] == 1.0 and [MAP_FILL[lv][1] for lv in (1, 2, 3, 4, 5)] == sorted(
        (a for _, a in MAP_FILL.values()), reverse=True
    )
    widths = [MAP_STROKE[lv][1] for lv in (1, 2, 3, 4, 5)]
    assert widths[0] > widths[1] > max(widths[2:]), widths  # red's edge widest


def heat_contrast(k: int) -> float:
    """WCAG contrast of heat class k, as the wall's heat view draws it (opaque), against the map."""
    from components.theme import HEAT, MAP_BACKGROUND

    return _contrast(_rgb(HEAT[k]), _rgb(MAP_BACKGROUND))


def test_every_heat_class_shows_and_hotter_reads_stronger():
    """The coolest heat class was 1.13:1 on the map: a cell with incidents looked empty."""
    from components.theme import HEAT

    contrast = [round(heat_contrast(k), 2) for k in range(len(HEAT))]
    print("heat contrast:", contrast)
    assert min(contrast) >= 1.5, contrast
    assert contrast == sorted(set(contrast)), contrast  # strictly increasing with the count


def _dotted(fill, dot: str, rank: int) -> tuple[float, float, float]:
    """The mean colour of an area's fill under the heat dots of a class (rank 0: the hottest): dots, their
    dark rims and the fill between them, each by the share of the lattice it covers."""
    from components.theme import HEAT_DOT_RIM, HEAT_DOTS

    tile, radius = HEAT_DOTS[rank]
    rim, rim_colour = HEAT_DOT_RIM
    rim_rgb = tuple(float(c) for c in RGB.search(rim_colour).groups())
    rim_alpha = float(rim_colour.rsplit(",", 1)[1].rstrip(") "))
    dots, rims = math.pi * radius**2 / tile**2, math.pi * ((radius + rim) ** 2 - radius**2) / tile**2
    under_rim = tuple(rim_alpha * r + (1 - rim_alpha) * f for r, f in zip(rim_rgb, fill))
    return tuple(dots * d + rims * r + (1 - dots - rims) * f for d, r, f in zip(_rgb(dot), under_rim, fill))


def test_heat_dots_leave_the_warning_colours_on_top():
    """Translucent heat cells were brighter than a red district (6.5 to 9.8:1 against red's 3.8:1) and
    turned blue districts violet and yellow mauve: the map read incident density first. The overview
    and the desks draw heat as dots: an area keeps its hue under the hottest dots, and no dotted quiet
    area outshines a plain red one."""
    from components.theme import HEAT, HEAT_DOTS, MAP_BACKGROUND

    bg = _rgb(MAP_BACKGROUND)
    assert len(HEAT_DOTS) == len(HEAT)
    for rank in range(len(HEAT_DOTS)):
        tile, radius = HEAT_DOTS[rank]
        assert math.pi * radius**2 / tile**2 <= 0.12  # the dots cover a small share of the area
        for level in (1, 2, 3, 4, 5):
            under = _dotted(map_fill(level), HEAT[-1 - rank], rank)
            turn = abs((_hue(under) - _hue(map_fill(level)) + 180) % 360 - 180)
            assert turn <= 15, (rank, level, round(turn))
        for level in (4, 5):
            assert _contrast(_dotted(map_fill(level), HEAT[-1 - rank], rank), bg) < _contrast(map_fill(1), bg)
    # the legend's swatches draw the dots as the map does: each row's lattice, radius and colour, hottest last
    rows = re.findall(r"--dot-tile: ([\d.]+)rem; --dot-r: ([\d.]+)rem; --dot: (#\w+);", _assets()["wall-map.css"])
    assert [((float(t), float(r)), c.lower()) for t, r, c in rows] == [
        (tuple(d), HEAT[-1 - rank].lower()) for rank, d in enumerate(HEAT_DOTS)
    ]


def test_the_heat_layer_takes_its_colours_and_dots_from_the_theme():
    from components.theme import HEAT, HEAT_DOT_RIM, HEAT_DOTS

    heat = _hideouts()["heat"]
    assert heat.hideout["colours"] == list(HEAT)
    assert heat.hideout["dots"] == {"sizes": [list(d) for d in HEAT_DOTS], "rim": list(HEAT_DOT_RIM)}
    assert heat.style == {"variable": "cityops.wall.heatStyle"}
    assert heat.filter == {"variable": "cityops.wall.heatHot"}  # the overview: the two hottest classes, as dots
    assert _hideouts(named=True)["heat"].filter == {"variable": "cityops.wall.heatAll"}  # a desk: all, as dots
    text = _assets()["wall.js"]
    assert "rank, h.dots" in text and '"cityops.wall.heatAny"' in text


def test_the_wall_script_takes_fills_and_outlines_from_the_theme():
    text = (ASSETS / "wall.js").read_text(encoding="utf-8")
    assert "h.fills" in text and "h.strokes" in text and "fillOpacity: fills[level]" in text
    css = (ASSETS / "wall.css").read_text(encoding="utf-8")
    from components.theme import MAP_BACKGROUND

    assert f"background: {MAP_BACKGROUND} !important" in css  # the background the contrast is measured on


def test_english_has_every_unit_and_department():
    """A unit or a project's lead department written in Chinese has its English words."""
    from data.domain.departments import DEPARTMENT_EN
    from data.domain.vocab import UNIT_EN, unit_text
    from data.rules.config import load_catalog
    from data.synthetic.projects import DEPARTMENTS

    cjk = re.compile(r"[\u4e00-\u9fff]")
    catalog = load_catalog(str(ASSETS.parent / "data" / "rules" / "catalog.yaml"))
    for ind in catalog.indicators:
        assert not cjk.search(unit_text(ind.unit, "en")), ind.code
        assert unit_text(ind.unit, "zh") == ind.unit
    assert set(DEPARTMENTS) <= set(DEPARTMENT_EN)
    assert not any(cjk.search(v) for v in (*UNIT_EN.values(), *DEPARTMENT_EN.values()))
