"""The phone view's refresh (/m): one server callback per tick reads the wall's shared snapshot of the
user's scope (the same cache entry the walls read: no query of its own) and resends only the sections
whose content changed; a clientside clock says how old the data is and, past three refreshes, that it
is stale."""

from __future__ import annotations

import hashlib
import json
import logging

from dash import Input, Output, Patch, State, no_update

from api.access import current_user, scope_or_root
from components.i18n import lang_from
from components.ids import MOBILE, SHELL
from components.mobile_views import (
    DESK,
    SECTIONS,
    phone_view,
    render_incidents,
    render_projects,
    render_status,
    render_vitals,
)
from data.domain.roles import may_open
from data.domain.timeutil import local_day_start, now_ts
from data.rules.config import load_catalog
from data.wall.refresh import watch
from data.wall.shared import shared_snapshot

log = logging.getLogger("cityops.callbacks.mobile")
STALE_REFRESHES = 3  # the data is called stale once it is older than this many refreshes

# "更新于 8 秒前" from when this browser last got data (the server's age of the data then, plus the time
# since), and the stale notice past STALE_REFRESHES refreshes; times in Shanghai (UTC+8, no DST)
CLOCK_JS = """
function (n, meta, cfg, beat) {
  const dc = window.dash_clientside, ctx = dc.callback_context;
  const txt = (cfg && cfg.text) || {}, refresh = (cfg && cfg.refresh) || 10;
  const fromMeta = ctx.triggered.some(t => t.prop_id.indexOf('__META__.') === 0);
  const pwa = window.cityopsPwa && window.cityopsPwa.status && window.cityopsPwa.status();
  const got = pwa && pwa.offline && pwa.replayedAt ? pwa.replayedAt : Date.now();  // offline: kept answer's time
  if (fromMeta && meta && meta.ok) { beat = {tick: meta.tick, lag: meta.lag || 0, at: got}; }
  if (!beat || !beat.at) {
    const failed = !!(meta && meta.ok === false);
    return [txt.never, failed ? txt.failed : '', failed ? 'm-stale' : 'm-stale off', dc.no_update];
  }
  const age = Math.max(0, Math.round(beat.lag + (Date.now() - beat.at) / 1000));
  const ago = age < 120 ? txt.s.replace('{n}', age) : age < 7200 ? txt.min.replace('{n}', Math.floor(age / 60))
    : txt.h.replace('{n}', Math.floor(age / 3600));
  const stale = age > __STALE__ * refresh;
  const since = new Date((beat.tick + 8 * 3600) * 1000).toISOString().slice(11, 16);
  return [txt.updated.replace('{age}', ago), stale ? txt.stale.replace('{since}', since) : '',
          stale ? 'm-stale' : 'm-stale off', fromMeta ? beat : dc.no_update];
}
""".replace("__META__", MOBILE["meta"]).replace("__STALE__", str(STALE_REFRESHES))


def _sig(obj) -> str:
    return hashlib.md5(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()[:10]


def phone_updates(snap: dict, lang: str, before: dict | None, may: frozenset, now: int) -> dict:
    """What to send for one tick, by section: its new content, or no_update when the screen already shows
    it (`before`: the signatures of its meta store); "meta" carries the new signatures, the snapshot's tick
    and how old it was when sent."""
    before = before if isinstance(before, dict) else {}
    view = phone_view(snap)
    tick = snap["tick"]
    day = local_day_start(tick)  # a warning's time of an earlier day carries its day: redrawn after midnight
    renders = {
        "status": lambda v: render_status(v, lang, tick, may),
        "incidents": lambda v: render_incidents(v, lang),
        "vitals": lambda v: render_vitals(v, lang, may),
        "projects": lambda v: render_projects(v, lang, may),
    }
    sig, out = {}, {}
    for name in SECTIONS:
        sig[name] = _sig([view[name], lang, sorted(may), day if name == "status" else 0])
        out[name] = no_update if before.get(name) == sig[name] else renders[name](view[name])
    out["meta"] = {"ok": True, "tick": tick, "lag": max(0, now - tick), "scope": snap["scope"], "sig": sig}
    return out


def register(app) -> None:
    cfg = app.server.config
    refresh = int(cfg.get("REFRESH_SECONDS", 10))

    @app.callback(
        *[Output(MOBILE[name], "children") for name in SECTIONS],
        Output(MOBILE["meta"], "data"),
        Input(SHELL["tick"], "n_intervals"),
        Input(MOBILE["config"], "data"),
        State(MOBILE["meta"], "data"),
    )
    def _tick(_n, config, meta):
        config = config if isinstance(config, dict) else {}
        lang = lang_from(config["lang"] if isinstance(config.get("lang"), str) else None)
        now = now_ts()
        tick = now // refresh * refresh  # the wall's tick: every screen of the scope shares one snapshot
        try:
            may = frozenset(p for p in DESK if may_open(current_user().role, p))
            scope = scope_or_root(config.get("area"))  # the Store asks; the server decides
            watch(app.server, scope, tick, refresh)  # computed by the tick worker from the next tick on
            snap = shared_snapshot(load_catalog(cfg["RULES_FILE"]), scope, tick)
        except Exception:  # the database or a query failed: keep every section, let the notice speak
            log.exception("phone view snapshot at %s failed; the screen keeps its last data", tick)
            failed = Patch()
            failed["ok"] = False
            return (*[no_update] * len(SECTIONS), failed)
        before = meta.get("sig") if isinstance(meta, dict) else None
        updates = phone_updates(snap, lang, before, may, now)
        return (*[updates[name] for name in SECTIONS], updates["meta"])

    app.clientside_callback(
        CLOCK_JS,
        Output(MOBILE["updated"], "children"),
        Output(MOBILE["stale"], "children"),
        Output(MOBILE["stale"], "className"),
        Output(MOBILE["beat"], "data"),
        Input(MOBILE["clock"], "n_intervals"),
        Input(MOBILE["meta"], "data"),
        State(MOBILE["config"], "data"),
        State(MOBILE["beat"], "data"),
    )
