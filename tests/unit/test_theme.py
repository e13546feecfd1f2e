"""One theme: the stylesheets and scripts use the warning colours of components.theme, through the
custom properties assets/theme.css defines once, and the shared widgets draw with them."""

from __future__ import annotations

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


def test_the_map_gets_its_colours_from_the_theme():
    from components.citymap import create_city_map

    ids = {k: k for k in ("map", "areas", "heat", "markers", "project_layer")}
    m = create_city_map(ids, "310000", "zh", [[31.0, 121.0], [31.5, 121.8]], None, areas_only=True)
    areas = next(layer.children for layer in m.children if getattr(layer, "name", None) == "areas")
    assert areas.hideout["colours"] == {str(lv): c for lv, (c, _) in LEVELS.items()}


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


def fill_contrast(level: int) -> float:
    """WCAG contrast of a level's map fill (its colour at its opacity over the map) against the map."""
    from components.theme import FILL_OPACITY, LEVELS, MAP_BACKGROUND

    a, fg, bg = FILL_OPACITY[level], _rgb(LEVELS[level][0]), _rgb(MAP_BACKGROUND)
    blended = tuple(a * f + (1 - a) * b for f, b in zip(fg, bg))
    hi, lo = sorted((_luminance(blended), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_map_fills_read_by_severity_from_ten_metres():
    """Red is the most salient fill, then orange, yellow, blue; normal is quiet but visible."""
    contrast = {lv: round(fill_contrast(lv), 2) for lv in (1, 2, 3, 4, 5)}
    print("map fill contrast:", contrast)
    assert contrast[1] > contrast[2] > contrast[3] > contrast[4] > contrast[5], contrast
    assert contrast[1] >= 3.0 and contrast[5] >= 1.4, contrast  # red stands out; green still shows its shape


def heat_contrast(k: int) -> float:
    """WCAG contrast of heat class k (its colour at its opacity over the map) against the map."""
    from components.theme import HEAT, HEAT_OPACITY, MAP_BACKGROUND

    a, fg, bg = HEAT_OPACITY[k], _rgb(HEAT[k]), _rgb(MAP_BACKGROUND)
    blended = tuple(a * f + (1 - a) * b for f, b in zip(fg, bg))
    hi, lo = sorted((_luminance(blended), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_heat_class_shows_and_hotter_reads_stronger():
    """The coolest heat class was 1.13:1 on the map: a cell with incidents looked empty."""
    from components.theme import HEAT, HEAT_OPACITY

    assert len(HEAT) == len(HEAT_OPACITY)
    contrast = [round(heat_contrast(k), 2) for k in range(len(HEAT))]
    print("heat contrast:", contrast)
    assert min(contrast) >= 1.5, contrast
    assert contrast == sorted(set(contrast)), contrast  # strictly increasing with the count


def test_the_heat_layer_takes_its_colours_and_opacities_from_the_theme():
    from components.citymap import create_city_map
    from components.theme import HEAT, HEAT_OPACITY

    ids = {k: k for k in ("map", "areas", "heat", "markers", "project_layer")}
    m = create_city_map(ids, "310000", "zh", [[31.0, 121.0], [31.5, 121.8]], None)
    heat = next(layer.children for layer in m.children if getattr(layer, "name", None) == "heat")
    assert (heat.hideout["colours"], heat.hideout["fills"]) == (list(HEAT), list(HEAT_OPACITY))
    assert heat.style == {"variable": "cityops.areamap.heatStyle"}
    text = (ASSETS / "areamap.js").read_text(encoding="utf-8")
    assert "h.fills[k]" in text and "style.fillOpacity = h.fills[k]" in text


def test_the_wall_script_takes_fill_opacities_from_the_theme():
    text = (ASSETS / "wall.js").read_text(encoding="utf-8")
    assert "h.fills" in text and "fillOpacity: fill" in text
    css = (ASSETS / "wall.css").read_text(encoding="utf-8")
    from components.theme import MAP_BACKGROUND

    assert f"background: {MAP_BACKGROUND} !important" in css  # the background the contrast is measured on


def test_english_has_every_unit_and_department():
    """A unit or a project's lead department written in Chinese has its English words."""
    from data.domain.vocab import DEPARTMENT_EN, UNIT_EN, unit_text
    from data.rules.config import load_catalog
    from data.synthetic.projects import DEPARTMENTS

    cjk = re.compile(r"[\u4e00-\u9fff]")
    catalog = load_catalog(str(ASSETS.parent / "data" / "rules" / "catalog.yaml"))
    for ind in catalog.indicators:
        assert not cjk.search(unit_text(ind.unit, "en")), ind.code
        assert unit_text(ind.unit, "zh") == ind.unit
    assert set(DEPARTMENTS) <= set(DEPARTMENT_EN)
    assert not any(cjk.search(v) for v in (*UNIT_EN.values(), *DEPARTMENT_EN.values()))
