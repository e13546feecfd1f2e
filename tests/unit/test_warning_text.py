"""A warning's sentence and its level come from the same band: the value cited lies in the band of the
warning's colour, against that colour's own threshold, with 高于/低于 (above/below) by direction."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from data.rules import engine as rules
from data.rules.config import load_catalog
from data.store.db import get_engine
from data.store.models import Warning
from tests.conftest import ROOT

CATALOG = load_catalog(str(ROOT / "data" / "rules" / "catalog.yaml"))
WITH_BANDS = [i for i in CATALOG.indicators if i.bands is not None]
COLOURS = {1: ("红色", "red"), 2: ("橙色", "orange"), 3: ("黄色", "yellow"), 4: ("蓝色", "blue")}


def _check(ind, value: float, level: int, zh: str, en: str) -> None:
    if level == 5:
        assert zh == en == ""
        return
    band = ind.bands[4 - level]
    shown, threshold = f"{value:.{ind.decimals}f}", f"{band:.{ind.decimals}f}"
    assert COLOURS[level][0] in zh and COLOURS[level][1] in en
    assert f"阈值 {threshold}" in zh and f"threshold of {threshold}" in en
    assert zh.startswith(f"{ind.name_zh} {shown}")
    for other, (czh, _cen) in COLOURS.items():
        assert other == level or czh not in zh  # one colour per sentence
    up = ind.direction == "up"
    assert (value >= band) if up else (value <= band)  # the value really is in that colour's band
    if shown == threshold:
        assert "达到" in zh and " at the " in en
    elif up:
        assert "高于" in zh and "above" in en and "低于" not in zh
    else:
        assert "低于" in zh and "below" in en and "高于" not in zh


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(WITH_BANDS), st.floats(min_value=-1, max_value=1.5), st.floats(0.0, 1.0))
def test_live_warnings_cite_their_own_band(ind, spread, jitter):
    """Any value of any indicator (both directions are in the catalogue), near or far from the bands."""
    lo, hi = min(ind.bands), max(ind.bands)
    value = lo + (hi - lo) * spread + jitter * 0.001 * (hi - lo)
    level = ind.level_of(value)
    _check(ind, value, level, *rules.indicator_cause(ind, value, level))


@pytest.fixture(scope="module")
def warning_db(_migrated, tmp_path_factory):
    """A migrated, empty SQLite database of this module's own (the backfill writes real rows)."""
    path = tmp_path_factory.mktemp("warning-text") / "w.sqlite"
    get_engine(_migrated).dispose()  # checkpoints the WAL into the file copied
    shutil.copy(_migrated.removeprefix("sqlite:///"), path)
    return get_engine(f"sqlite:///{path}")


@settings(max_examples=150, deadline=None)
@given(
    ind=st.sampled_from(WITH_BANDS),
    spreads=st.lists(st.floats(min_value=-0.5, max_value=1.5), min_size=1, max_size=40),
)
def test_backfilled_warnings_cite_a_value_in_their_own_band(warning_db, ind, spreads):
    """Reading series with lone spikes (folded into their neighbours so noise does not flicker): every
    warning made from history still cites a value inside its own level's band."""
    lo, hi = min(ind.bands), max(ind.bands)
    values = np.array([lo + (hi - lo) * s for s in spreads])
    ts = np.arange(len(values)) * 3600 + 1_790_000_000
    with warning_db.begin() as conn:
        conn.execute(delete(Warning))
    rules.backfill_indicator_warnings(warning_db, [(ind, "310000", ts, values)], int(ts[-1]) + 3600)
    with warning_db.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(Warning.__table__))]
    for row in rows:
        assert row["level"] == ind.level_of(row["value"])
        _check(ind, row["value"], row["level"], row["cause_zh"], row["cause_en"])


def test_both_directions_are_covered():
    assert {i.direction for i in WITH_BANDS} == {"up", "down"}
