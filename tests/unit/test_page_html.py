"""Every page's HTML is structure only: no rows ride along in Dash's validation layout."""

from __future__ import annotations

import dash
from sqlalchemy import select

from data.store.db import get_engine
from data.store.models import Incident, Project
from tests.conftest import make_app
from tests.people import login

EXAMPLES = {"<code>": "310101", "<iid>": "1", "<pid>": "1"}


def _paths() -> list[str]:
    out = []
    for page in dash.page_registry.values():
        path = page.get("path_template") or page["path"]
        for slot, value in EXAMPLES.items():
            path = path.replace(slot, value)
        out.append(path)
    return out


def test_no_page_html_carries_data_and_each_stays_small(small_city):
    app = make_app(small_city)
    client = app.server.test_client()
    assert login(client, "t-dispatcher").status_code == 302
    with get_engine(small_city).connect() as conn:
        projects = conn.execute(select(Project.name_zh).limit(20)).scalars().all()
        titles = conn.execute(select(Incident.title).order_by(Incident.id.desc()).limit(20)).scalars().all()
    assert projects and titles
    paths = _paths()
    assert {"/wall", "/incidents", "/projects", "/projects/1", "/area/310101"} <= set(paths)
    for _ in range(2):  # Dash rebuilds its validation layout inside the first request: check after it too
        for path in paths:
            html = client.get(path).get_data(as_text=True)
            assert "_dash-config" in html, path
            assert len(html.encode()) < 40_000, (path, len(html.encode()))
            leaked = [v for v in (*projects, *titles) if v in html]
            assert not leaked, (path, leaked[:3])
