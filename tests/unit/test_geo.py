"""The map geometry routes (api/geo.py): built and compressed once per body, revalidated for nothing."""

from __future__ import annotations

import gzip

import brotli

from api import geo
from tests.conftest import make_app
from tests.people import login


def test_map_geometry_is_built_and_compressed_once_and_revalidated_without_either(small_city, monkeypatch):
    """flask-compress compressed a district's 865 kB heat layer for every visitor (100 ms of CPU) and tagged
    its ETag "...:br", so a browser's If-None-Match never matched and the body was rebuilt before the 304.
    Now the body is built once, each encoding made once, and a held ETag of either form is a 304."""
    client = make_app(small_city).server.test_client()
    login(client, "t-leader")
    geo.GEOMETRY.clear()
    built = []
    real = geo.mapqueries.heat_cells
    monkeypatch.setattr(geo.mapqueries, "heat_cells", lambda scope: built.append(scope.code) or real(scope))
    plain = client.get("/geo/heat/310101.json")
    br = client.get("/geo/heat/310101.json", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    gz = client.get("/geo/heat/310101.json", headers={"Accept-Encoding": "gzip"})
    assert built == ["310101"]  # one build for three encodings
    assert (br.headers["Content-Encoding"], gz.headers["Content-Encoding"]) == ("br", "gzip")
    assert "Content-Encoding" not in plain.headers and plain.get_json()["features"]
    assert brotli.decompress(br.data) == plain.data == gzip.decompress(gz.data)
    assert br.headers["ETag"].endswith(':br"') and "Accept-Encoding" in br.headers["Vary"]
    for resp, enc in ((br, "br"), (gz, "gzip"), (plain, "identity")):  # each ETag as the browser holds it
        again = client.get(
            "/geo/heat/310101.json", headers={"If-None-Match": resp.headers["ETag"], "Accept-Encoding": enc}
        )
        assert again.status_code == 304 and again.headers["ETag"] == resp.headers["ETag"] and not again.data
    assert built == ["310101"]  # revalidations built nothing
    assert client.get("/geo/heat/310101.json", headers={"If-None-Match": '"0123456789abcdef:br"'}).status_code == 200
