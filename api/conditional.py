"""Conditional GETs for answers that flask-compress may have encoded.

flask-compress tags the ETag of a body it compressed with the encoding ("<etag>:br"), so a browser
revalidates with that tag, never with ours. Left to flask-compress, such a revalidation builds and
compresses the whole body again and only then becomes a 304. Routes that can name their ETag before
building the body (the map geometry, the service worker) answer it here first, with no body built."""

from __future__ import annotations

from flask import Response, request


def revalidated(etag: str) -> str | None:
    """The ETag the browser holds for this body, as we sent it ("<etag>" or "<etag>:<encoding>"), or None."""
    for held in request.if_none_match.as_set():
        if held == etag or held.startswith(etag + ":"):
            return held
    return None


def not_modified(held: str, headers: dict[str, str]) -> Response:
    """A 304 that repeats the tag the browser holds, with the route's caching headers."""
    return Response(status=304, headers={**headers, "ETag": f'"{held}"'})
