"""The Dash app factory: create_app(config_overrides) -> Dash; `python app.py` serves it."""

from __future__ import annotations

import copy
import functools
import logging
import os
import re
import resource
from html import escape as html_escape

import dash
from dash import Dash, html
from dash.development.base_component import Component
from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from api import answers, register_blueprints
from api.auth import init_auth
from api.gate import init_gate, page_of
from api.handover_export import bp as handover_export
from api.ingest import bp as ingest_api
from api.open311 import bp as open311_api
from api.pwa import head_tags
from api.pwa import pwa as pwa_routes
from api.reports import reports as evaluation_reports
from api.security import init_security
from callbacks import evaluation as evaluation_callbacks
from callbacks import register_all
from components.i18n import lang_from, t
from components.shell import create_shell
from config import ROOT, Config
from data.domain import stdcats, workcal
from data.store.cache import init_cache

log = logging.getLogger("cityops")


def create_app(config_overrides: dict | None = None) -> Dash:
    """Build the app: Flask server with config and cache, Dash pages, callbacks, /healthz.

    No database work happens here; the first request opens the connection.
    """
    cfg = Config(**(config_overrides or {}))
    workcal.configure(cfg.WORK_HOURS, cfg.WORK_DAYS_OFF, cfg.WORK_DAYS_ON)  # deadlines count these (issue 15)
    stdcats.configure(cfg.CATEGORY_TABLE)
    server = Flask(__name__, instance_path=str(cfg.INSTANCE_PATH))
    server.config.update(cfg.as_dict())
    if cfg.FORWARDED_HOPS > 0:  # the client's address from the proxy's header, for the login limiter and the log
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=cfg.FORWARDED_HOPS, x_proto=cfg.FORWARDED_HOPS)
    answers.install()  # callback answers and layouts in one orjson pass (api/answers.py)
    init_cache(server)
    init_auth(server)
    register_blueprints(server)
    server.register_blueprint(ingest_api)  # API keys, not sessions: the gate lets their paths through (docs/API.md)
    server.register_blueprint(open311_api)
    server.register_blueprint(evaluation_reports)  # /evaluation/report.xlsx|.csv (issue 15)
    server.register_blueprint(handover_export)  # /handover.xlsx (issue 16)
    server.register_blueprint(pwa_routes)  # the manifest, the service worker, /launch (issue 17)
    app = Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        assets_ignore=r"^sw\.js$",  # the service worker: served from the root by api/pwa.py, never a page script
        serve_locally=True,
        compress=True,
        title="上海市城市运行“一网统管”",
        update_title=None,
    )
    app.layout = create_shell(cfg.REFRESH_SECONDS, cfg.DEFAULT_LANG)
    page_ids = _keep_validation_layout_bare(app)
    register_all(app)
    evaluation_callbacks.register(app)  # the report's print button (issue 15)
    _index_per_page(app, cfg.DEFAULT_LANG)
    init_gate(app, page_ids, _ids_in(_ids_only(app.layout)))
    _set_up_before_serving(app)
    init_security(app)  # after the set-up: the CSP hashes every inline script there will ever be
    if cfg.LIVE_SIMULATOR and cfg.TICK_WORKER == "thread":  # beside `cityops worker`, the worker simulates
        _start_simulator(cfg)
    return app


def _set_up_before_serving(app: Dash) -> None:
    """Run Dash's first-request set-up now, in one thread, before any request.

    Dash finishes setting up in before_request hooks on the first request (the scripts HTML, the pages
    router and its page-title script, the validation layout), each behind a flag it sets before doing the
    work. On a threaded server a request arriving meanwhile skips the hooks and is served half set up. A
    115-minute soak caught it: a new gunicorn worker's CSP had been hashed before the title script existed,
    so every page that worker served had that script blocked and a renderer error, until it was recycled."""
    hooks = [f for f in app.server.before_request_funcs.get(None, []) if f.__qualname__.startswith("Dash.")]
    with app.server.test_request_context("/"):  # the layouts called here see nobody, as at a /healthz
        for hook in hooks:
            hook()


def _ids_only(node):
    """The component tree cut down to what Dash validates callbacks against: each component that has an
    id, or holds one below it, keeps its type, its id and its children, and nothing else."""
    if isinstance(node, (list, tuple)):
        kept = [k for k in (_ids_only(n) for n in node) if k is not None]
        return kept or None
    if not isinstance(node, Component):
        return None
    children = _ids_only(getattr(node, "children", None))
    if getattr(node, "id", None) is None and children is None:
        return None
    bare = copy.copy(node)
    for prop in list(vars(bare)):
        if prop not in ("id", "children") and (prop in bare._prop_names or prop.startswith(("data-", "aria-"))):
            delattr(bare, prop)
    if children is not None:
        bare.children = children
    elif hasattr(bare, "children"):
        delattr(bare, "children")
    return bare


def _ids_in(node) -> set[str]:
    """Every string id in a (bare) component tree."""
    if isinstance(node, (list, tuple)):
        return set().union(*(_ids_in(n) for n in node)) if node else set()
    if not isinstance(node, Component):
        return set()
    found = {node.id} if isinstance(getattr(node, "id", None), str) else set()
    return found | _ids_in(getattr(node, "children", None))


def _keep_validation_layout_bare(app: Dash) -> dict[str, set[str]]:
    """Give Dash a validation layout of ids and structure only.

    Dash puts `validation_layout` into every page's HTML, and on the first request it rebuilds it by
    calling each page's layout() inside that request, so data (frozen at that moment, in the first
    user's scope) would ride along in every page. Built here, outside any request, from the pages'
    bare structure and cut down to ids; a hook puts it back after Dash's first-request set-up. Returns
    each page's component ids, from which the gate learns which page a callback serves."""
    layouts = {
        page.get("path_template") or page["path"]: page["layout"]() if callable(page["layout"]) else page["layout"]
        for page in dash.page_registry.values()
    }
    bare = html.Div(_ids_only([app.layout, *layouts.values()]))
    app.validation_layout = bare

    @app.server.before_request
    def _restore_bare_validation_layout():
        if app.validation_layout is not bare:
            app.validation_layout = bare

    return {template: _ids_in(_ids_only(layout)) for template, layout in layouts.items()}  # for the gate


GRIDLESS_PAGES = (
    "/wall",
    "/m",
    "/tasks",
)  # pages with no AG Grid: their HTML leaves out its bundle (360 kB compressed)
_GRID_BUNDLE = re.compile(r'<script src="([^"]*/_dash-component-suites/dash_ag_grid/[^"]*)"></script>')


def _index_per_page(app: Dash, default_lang: str) -> None:
    """Fit each page's HTML to the page: Dash's "Loading..." in the page's language (assets/i18n-loading.css
    shows the same word while the renderer fetches the layout), the installable app's tags (api/pwa.py), and
    on GRIDLESS_PAGES no AG Grid bundle, only its address, for the stand-in in assets/grid-on-demand.js."""
    plain = app.interpolate_index

    def interpolate_index(**parts):
        lang = lang_from(request.query_string.decode(), default_lang)
        word = t("wall_loading", lang)
        parts["metas"] = parts.get("metas", "") + "\n" + head_tags(lang)
        parts["title"] = html_escape(_page_title(parts.get("title", "")))  # Dash writes the app's, in Chinese
        parts["app_entry"] = (
            f'<div id="react-entry-point" style="--dash-loading: \'{word}\'">'
            f'<div class="_dash-loading">{word}</div></div>'
        )
        if request.path.rstrip("/") in GRIDLESS_PAGES:
            parts["scripts"] = _GRID_BUNDLE.sub(
                lambda m: f'<script id="dash-ag-grid-bundle" type="application/json">"{m[1]}"</script>',
                parts["scripts"],
            )
        return plain(**parts)

    app.interpolate_index = interpolate_index


def _page_title(default: str) -> str:
    """The tab title of the page this request opens (its title function reads the request's language)."""
    found = page_of(request.path)
    for page in dash.page_registry.values() if found else ():
        if (page.get("path_template") or page["path"]) == found[0]:
            title = page.get("title")
            return (title() if callable(title) else title) or default
    return default


def _start_simulator(cfg: Config) -> None:
    """In-process live data for the embedded default (with several workers, `cityops worker` runs it)."""
    from data.rules.config import load_catalog
    from data.store.db import get_engine
    from data.synthetic.simulator import Simulator

    Simulator(get_engine(cfg.DATABASE_URL), load_catalog(cfg.RULES_FILE)).start_thread(cfg.SIMULATOR_SECONDS)


@functools.cache
def _wsgi_server() -> Flask:
    return create_app().server


def __getattr__(name: str):
    """`app.server`: the WSGI callable a production server imports (`gunicorn 'app:server'`), built from
    the environment on first use, once per process; importing app.py alone builds nothing."""
    if name == "server":
        return _wsgi_server()
    raise AttributeError(f"module 'app' has no attribute {name!r}")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8050"))
    from waitress import serve  # a production WSGI server; Dash's dev server is not for walls

    from data.store.db import get_engine
    from data.store.schema import refresh_statistics, upgrade

    engine = get_engine(Config().DATABASE_URL)
    upgrade(engine)  # new code, old database: migrate in place before serving (no-op at head)
    refresh_statistics(engine)  # a database that grew from empty has no planner statistics yet

    log.info("serving on http://%s:%d", host, port)
    log.info("sign in at http://%s:%d/login (accounts: .venv/bin/cityops users list)", host, port)
    # many walls and desks on one embedded server: no 100-connection ceiling, poll() instead of select()
    # (no 1024-descriptor cap), and as many open files as the system allows this process
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    serve(
        create_app().server,
        host=host,
        port=port,
        threads=int(os.environ.get("WAITRESS_THREADS", "16")),
        connection_limit=int(os.environ.get("WAITRESS_CONNECTIONS", "2000")),
        backlog=2048,
        asyncore_use_poll=True,
        channel_timeout=120,
    )
