"""Security headers on every response (flask-talisman) and the endpoint CSP violation reports go to.

The Content-Security-Policy allows scripts from the app itself plus the hashes of Dash's inline
scripts (app.csp_hashes(), computed once, after Dash's set-up, which app.py runs before serving); styles may be
inline because Plotly, Leaflet and AG Grid set them at run time. Nothing from another origin: the
app serves its own scripts, fonts and map tiles (a configured TILE_URL's origin is the one exception)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import dash
from flask import request
from flask.sessions import SecureCookieSessionInterface
from flask_talisman import Talisman

log = logging.getLogger("cityops.csp")
SAME_FOR_ALL = ("/_dash-component-suites/", "/assets/")  # fingerprinted bundles and files: no reader's data


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that a bundle or asset does not vary by the cookie: the gate reads
    the session on every request, Flask then marks the answer `Vary: Cookie`, and the session cookie changes
    with activity, so a phone fetched the 1.2 MB of bundles again after each click instead of using its cache."""

    def save_session(self, app, session, response) -> None:
        super().save_session(app, session, response)
        if request.path.startswith(SAME_FOR_ALL) and "cookie" in response.vary:
            kept = [v for v in response.vary if v.lower() != "cookie"]  # (werkzeug's discard keeps it in the header)
            response.headers["Vary"] = ", ".join(kept)
            if not kept:
                del response.headers["Vary"]


def policy(app: dash.Dash) -> dict:
    tiles = app.server.config.get("TILE_URL") or ""
    tile_origin = (
        "{0.scheme}://{0.netloc}".format(urlsplit(tiles)) if tiles.startswith(("http://", "https://")) else None
    )
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *app.csp_hashes()],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *([tile_origin] if tile_origin else [])],
        "font-src": ["'self'", "data:"],
        "connect-src": "'self'",
        "worker-src": ["'self'", "blob:"],
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def init_security(app: dash.Dash) -> None:
    server = app.server
    server.session_interface = SessionInterface()
    https = bool(server.config.get("HTTPS"))
    Talisman(
        server,
        force_https=False,  # TLS ends at the proxy in front; HTTPS=1 turns on HSTS and Secure cookies
        strict_transport_security=https,
        session_cookie_secure=https,
        session_cookie_http_only=True,
        content_security_policy=policy(app),
        content_security_policy_report_uri="/csp-report",
        frame_options="DENY",
        referrer_policy="same-origin",
        x_content_type_options=True,
    )

    @server.post("/csp-report")
    def csp_report():
        """Log a violation: the directive and the blocked address only, cut short (a report is the browser's)."""
        report = (request.get_json(force=True, silent=True) or {}).get("csp-report") or {}
        if isinstance(report, dict):
            directive = str(report.get("violated-directive") or report.get("effective-directive") or "")[:60]
            log.warning("CSP violation: %s blocked %s", directive, str(report.get("blocked-uri") or "")[:120])
        return "", 204
