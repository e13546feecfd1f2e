"""The catalogue file is validated at load and a bad entry is named."""

import copy
from pathlib import Path

import pytest
import yaml

from data.rules.config import ConfigError, load_catalog, parse_catalog

GOOD = yaml.safe_load(Path("data/rules/catalog.yaml").read_text(encoding="utf-8"))


def _parse(raw):
    return parse_catalog(yaml.safe_dump(raw, allow_unicode=True), "catalog.yaml")


def test_shipped_catalogue_has_forty_indicators_in_eight_categories():
    cat = load_catalog("data/rules/catalog.yaml")
    assert len(cat.indicators) == 40
    assert len({i.category for i in cat.indicators}) == 8
    assert {r.kind for r in cat.rules} == {"indicator", "spike", "overdue", "project"}


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda r: r["indicators"][2].update(bands=[20, 13.9, 17.2, 24.5]), "indicators[2] ('wind_speed')"),
        (lambda r: r["indicators"][3].update(direction="sideways"), "indicators[3] ('visibility').direction"),
        (lambda r: r["indicators"][0].pop("unit"), "indicators[0] ('temperature').unit"),
        (lambda r: r["indicators"].append(copy.deepcopy(r["indicators"][0])), "duplicate indicator code 'temperature'"),
        (lambda r: r["rules"][1]["levels"].update(red=1.5), "rules[1] ('incident-spike').levels"),
        (lambda r: r["rules"][2].update(kind="teleport"), "rules[2]"),
        (lambda r: r["rules"][2]["levels"].update(red=7), "rules[2] ('overdue-backlog').levels"),
        (lambda r: r["indicators"][5].update(colour="green"), "indicators[5] ('aqi').colour"),
    ],
)
def test_bad_entry_is_named_in_the_error(mutate, expected):
    raw = copy.deepcopy(GOOD)
    mutate(raw)
    with pytest.raises(ConfigError) as err:
        _parse(raw)
    assert expected in str(err.value)


def test_unreadable_or_malformed_files_give_a_sentence(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_catalog(str(tmp_path / "missing.yaml"))
    with pytest.raises(ConfigError, match="not valid YAML"):
        parse_catalog("indicators: [unclosed", "x.yaml")
    with pytest.raises(ConfigError, match="expected a mapping"):
        parse_catalog("- just a list", "x.yaml")


def test_the_five_levels_are_configured_once_each():
    import copy

    cat = load_catalog("data/rules/catalog.yaml")
    assert [lv.level for lv in cat.levels] == [1, 2, 3, 4, 5] and cat.meaning(1).meaning_zh == "特别严重"
    assert [r.id for r in cat.rules if not r.colours_area] == ["project-delay"]  # a late project is not a danger
    raw = copy.deepcopy(GOOD)
    raw["levels"] = raw["levels"][:4]
    with pytest.raises(ConfigError, match="levels"):
        _parse(raw)
    raw["levels"] = [*GOOD["levels"][:4], dict(GOOD["levels"][0])]
    with pytest.raises(ConfigError, match="each of 1"):
        _parse(raw)
