"""Flask blueprints and request-side access: /healthz, /geo, who is asking and what they may see, and
what a browser may name and send (`plain_id`, `well_formed_callback`)."""

from __future__ import annotations

import re

MAX_ID_DIGITS = 12  # ids are database row ids: far below 10**12, and far below SQLite's 64-bit integers
_PLAIN_ID = re.compile(rf"[1-9][0-9]{{0,{MAX_ID_DIGITS - 1}}}")  # [0-9], not \d: ASCII digits only


def plain_id(value: object) -> int | None:
    """The row id a browser named (a path segment, a Store, a pattern-matching id), or None.

    Only a JSON integer (not a bool, not a float) or plain ASCII digits without a leading zero, 1 to
    MAX_ID_DIGITS of them: int() alone would take '１２', ' 12 ' and '1_000' (and '²'.isdigit() is True),
    and a float would be rounded into someone else's id."""
    if type(value) is int:
        return value if 0 < value < 10**MAX_ID_DIGITS else None
    if isinstance(value, str) and _PLAIN_ID.fullmatch(value):
        return int(value)
    return None


def _entry(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("id"), (str, dict)) and isinstance(item.get("property"), str)


def _dependency(item: object) -> bool:
    """One of Dash's {"id", "property"} entries, or a list of them (a pattern-matching ALL)."""
    return _entry(item) or (isinstance(item, list) and all(_entry(i) for i in item))


def well_formed_callback(body: object) -> bool:
    """True when a callback body has the keys and types Dash's dispatch reads (anything else would
    reach it as a 500 whose traceback echoes the body)."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return False
    inputs, state, changed = body.get("inputs"), body.get("state", []), body.get("changedPropIds", [])
    outputs = body.get("outputs")
    return (
        isinstance(inputs, list)
        and isinstance(state, list)
        and all(_dependency(d) for d in inputs + state)
        and isinstance(changed, list)
        and all(isinstance(p, str) for p in changed)
        and (_dependency(outputs) or (isinstance(outputs, list) and all(_dependency(o) for o in outputs)))
    )


def register_blueprints(server) -> None:
    """Mount every blueprint of this package on the Flask server."""
    from api.geo import geo
    from api.health import health

    server.register_blueprint(health)
    server.register_blueprint(geo)
