"""Flask blueprints and request-side access: /healthz, /geo, who is asking and what they may see."""

from __future__ import annotations


def register_blueprints(server) -> None:
    """Mount every blueprint of this package on the Flask server."""
    from api.geo import geo
    from api.health import health

    server.register_blueprint(health)
    server.register_blueprint(geo)
