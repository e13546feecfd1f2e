"""Callback answers and layouts written by orjson in one pass, in UTF-8.

Dash writes every answer with plotly's `to_json_plotly`. With orjson installed that first tries orjson,
which refuses Dash components, and then copies the whole answer in Python (`clean_to_json_compatible`)
before trying again: a quarter of the web tier's CPU in a py-spy profile at 300 walls. Here orjson asks
`to_plotly_json` of each component as it meets it, so an answer is written once, about four times
faster. The standard library's encoder is no way out: it escapes every Chinese character.

Anything else orjson cannot write (an odd numpy array, a pandas object, a Decimal) sends the whole
answer to plotly's encoder, so what the browser gets is always what plotly would have sent
(tests/unit/test_answers.py compares the two on real answers).

Dash has no setting for its encoder: `install` replaces the name `to_json` in the Dash modules that
write answers and layouts, and says so in the log when a Dash release no longer has one of them.
"""

from __future__ import annotations

import logging

import orjson
from plotly.io.json import to_json_plotly

log = logging.getLogger("cityops")

OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY  # plotly's own orjson options
DASH_MODULES = ("dash._utils", "dash._callback", "dash.dash", "dash._validate")
# plotly's escapes after orjson: nothing in an answer may close a <script> or break a JavaScript string
ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("/", "\\u002f"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _component(obj):
    """orjson's `default`: a Dash component, a Patch or a plotly figure gives its JSON-ready form."""
    as_json = getattr(obj, "to_plotly_json", None)
    if as_json is None:
        raise TypeError(type(obj).__name__)
    return as_json()


def to_json(value) -> str:
    """`value` as plotly's encoder would write it (the same escapes of <, >, / and line separators)."""
    try:
        text = orjson.dumps(value, default=_component, option=OPTIONS).decode()
    except TypeError:
        return to_json_plotly(value)
    for raw, escaped in ESCAPES:
        if raw in text:
            text = text.replace(raw, escaped)
    return text


def install() -> list[str]:
    """Point Dash's writers at `to_json`; the modules changed (all of DASH_MODULES while Dash keeps them)."""
    import importlib

    changed = []
    for name in DASH_MODULES:
        module = importlib.import_module(name)
        if callable(getattr(module, "to_json", None)):
            module.to_json = to_json
            changed.append(name)
        else:
            log.warning("%s has no to_json any more: its answers keep plotly's slower encoder", name)
    return changed
