"""Callback answers written by api/answers.py: the very text plotly's encoder writes, on real answers."""

from __future__ import annotations

import copy
import datetime
import decimal

import dash
import numpy as np
import pandas as pd
from dash import Patch, html
from plotly.io.json import to_json_plotly

from api import answers
from callbacks.wall import wall_updates
from data.domain.scope import Scope
from data.rules.config import load_catalog
from data.wall.snapshot import wall_snapshot
from tests.conftest import SMALL_END


def test_a_walls_answers_are_plotlys_text(small_city, app_for):
    app = app_for(small_city)
    catalog = load_catalog(app.server.config["RULES_FILE"])
    snap = wall_snapshot(catalog, Scope("310000"), SMALL_END)
    first = wall_updates(snap, "zh", None, "b1")  # every panel: components, GeoJSON, Chinese text
    later = copy.deepcopy(snap)
    later["tick"] += 10
    later["tiles"][0]["value"] = (later["tiles"][0]["value"] or 0) + 1
    next_tick = wall_updates(later, "en", first["meta"]["sig"], "b1")  # Patches and no_update
    for answer in (first, next_tick, {"multi": True, "response": {"wall-meta": {"data": first["meta"]}}}):
        text = answers.to_json(answer)
        assert text == to_json_plotly(answer)
    assert "城" in answers.to_json(first) and "\\u57ce" not in answers.to_json(first)  # UTF-8, not escapes


def test_what_orjson_cannot_write_goes_to_plotly_whole():
    odd = {
        "price": decimal.Decimal("1.5"),
        "when": pd.Timestamp("2026-12-01 08:00"),
        "strided": np.arange(10)[::2],  # not contiguous: orjson refuses it
        "rows": pd.Series([1, 2, 3]),
        "day": datetime.date(2026, 12, 1),
        "div": html.Div("</script>\u2028"),
    }
    assert answers.to_json(odd) == to_json_plotly(odd)
    patch = Patch()
    patch["a"][0] = html.Span("街道")
    assert answers.to_json({"p": patch}) == to_json_plotly({"p": patch})


def test_dash_writes_with_it_once_the_app_is_built(small_city, app_for):
    app_for(small_city)
    assert dash._callback.to_json is answers.to_json and dash.dash.to_json is answers.to_json
    assert answers.install() == list(answers.DASH_MODULES)  # every module still has the name it replaces
