"""The one link builder: a path, its query parameters, and ?lang=en on the English pages."""

from __future__ import annotations

from urllib.parse import urlencode


def href(path: str, lang: str = "zh", **params) -> str:
    """`path` with the non-empty params as a query string (in the order given) and lang=en when English."""
    query = {k: v for k, v in params.items() if v not in (None, "", False)}
    if lang == "en":
        query["lang"] = "en"
    return path + ("?" + urlencode(query) if query else "")
