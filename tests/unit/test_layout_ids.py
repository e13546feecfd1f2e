"""Every callback's components exist, once, in the layout Dash validates against."""

from __future__ import annotations

from collections import Counter

from tests.conftest import make_app
from tests.people import act_as


def _ids(component, out: Counter) -> None:
    cid = getattr(component, "id", None)
    if isinstance(cid, str):
        out[cid] += 1
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            _ids(child, out)


def test_callbacks_only_use_ids_present_once_in_the_validation_layout(small_city):
    import dash
    from dash import html

    app = make_app(small_city)
    layouts = []
    for page in dash.page_registry.values():  # Dash rebuilds it so on the first request: no path variables
        with app.server.test_request_context():
            admin = page["path"].startswith(
                "/admin"
            )  # each page as a role that sees all of it (the loop's form included)
            act_as("t-admin" if admin else "duty-officer", "admin" if admin else "dispatcher")
            layouts.append(page["layout"]())
    rebuilt = html.Div([*layouts, app.layout])
    counts: Counter = Counter()
    _ids(rebuilt, counts)
    dupes = {k: n for k, n in counts.items() if n > 1 and not k.startswith("_")}
    assert dupes == {}, dupes
    used = set()
    for key, cb in app.callback_map.items():
        for dep in [*cb["inputs"], *cb["state"]]:
            used.add(dep["id"])
        for part in key.strip(".").split("..."):
            used.add(part.rsplit(".", 1)[0])
    missing = {i for i in used if not i.startswith("{") and i not in counts}
    assert missing == set(), missing
