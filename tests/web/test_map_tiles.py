"""The app's own map tiles: a street map over Westminster, water, rail and parks (no streets)
over an outer borough, coverage and gaps at every zoom, each tile scoped by role."""

from __future__ import annotations

import math
from collections import Counter

import geopandas as gpd
import shapely
from fastapi.testclient import TestClient

from cctvscope.web.tiles import pixel_m, tile_bounds_deg, tile_bounds_m, tile_of
from tests.web.conftest import CAMDEN

#: Whitehall, Westminster; Romford station, Havering (outside the inner-London street layer).
WESTMINSTER = (-0.1262, 51.5040)
ROMFORD = (0.1835, 51.5752)


def _get(env, role, url):
    """``url`` as ``role`` with the role's API token (independent of any session)."""
    client = TestClient(env.app)  # no `with`: the shared app's lifespan must not end
    return client.get(url, headers={"Authorization": f"Bearer {env.tokens[role]}"})


def _layers(env, role, z, lon_lat, path="basemap", query=""):
    x, y = tile_of(*lon_lat, z)
    response = _get(env, role, f"/tiles/{path}/{z}/{x}/{y}.geojson{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    data = response.json()
    return Counter(f["properties"]["layer"] for f in data["features"]), data, response


def test_a_tile_over_westminster_is_a_street_map(env):
    layers, data, response = _layers(env, "police", 15, WESTMINSTER)
    assert layers["street"] >= 50  # the inner-London OSM streets
    assert layers["land"] >= 1 and layers["station"] >= 1  # Westminster; Charing Cross
    assert response.headers["cache-control"] == "private, max-age=3600"
    # every street lies in the tile (plus its margin of 4 px)
    west, south, east, north = tile_bounds_deg(15, *tile_of(*WESTMINSTER, 15))
    pad = 5 * 360 / (256 * 2**15)
    box = shapely.box(west - pad, south - pad, east + pad, north + pad)
    streets = [shapely.geometry.shape(f["geometry"]) for f in data["features"]
               if f["properties"]["layer"] == "street"]  # fmt: skip
    assert all(box.contains(s) for s in streets)
    names = {f["properties"].get("name") for f in data["features"]}
    assert "Charing Cross" in names or "London Charing Cross" in names


def test_a_tile_over_an_outer_borough_has_water_rail_parks_and_no_streets(env):
    layers, data, _ = _layers(env, "police", 13, ROMFORD)
    assert "street" not in layers
    assert layers["rail"] >= 5 and layers["water"] + layers["waterway"] >= 1
    assert layers["park"] >= 1 and layers["land"] >= 1  # Havering's outline as land
    assert layers["main_road"] >= 1  # the A12 / A118 Red Routes
    assert any(f["properties"].get("name") == "Romford" for f in data["features"])


def test_a_city_wide_tile_is_bounded(env):
    layers, data, _ = _layers(env, "analyst", 10, WESTMINSTER)
    assert "street" not in layers  # streets start at zoom 12
    assert sum(layers.values()) <= 1000
    assert data["capped"]["rail"] > 0  # the longest rail lines only


def test_basemap_meta_and_scoping(env):
    meta = _get(env, "police", "/api/layers/basemap").json()
    assert meta["region"] == "london"
    assert meta["attribution"][0] == "© OpenStreetMap contributors, ODbL 1.0"
    assert any("Crown copyright" in line for line in meta["attribution"])
    west, south, east, north = meta["bounds_deg"]
    assert west < -0.5 and east > 0.3 and south < 51.3 and north > 51.68  # Greater London
    x, y = tile_of(*WESTMINSTER, 15)
    anonymous = TestClient(env.app).get(f"/tiles/basemap/15/{x}/{y}.geojson")
    assert anonymous.status_code == 401 and "detail" in anonymous.json()
    missing = _get(env, "police", "/tiles/basemap/3/8/0.geojson")
    assert missing.status_code == 404 and "no such tile" in missing.json()["detail"]
    assert _get(env, "police", "/tiles/basemap/19/0/0.geojson").status_code == 422


def test_coverage_and_gaps_at_every_zoom(env):
    camden = env.estate().boroughs.set_index("gss_code").loc[CAMDEN, "geometry"]
    centre = gpd.GeoSeries([camden.representative_point()], crs="EPSG:27700").to_crs(4326)[0]
    for z in (9, 12, 15):
        layers, data, response = _layers(
            env, "analyst", z, (centre.x, centre.y), "coverage", "?level=recognise"
        )
        assert layers["coverage"] == 1, z  # the 500 m disc written by the test outputs
        assert layers["gap"] == 1, z
        assert response.headers["cache-control"] == "no-store"
    gap = next(f for f in data["features"] if f["properties"]["layer"] == "gap")
    assert gap["properties"]["name"] == "gap rank 1: 37 crimes"
    # the 500 m disc cut by the z15 tile and its 4 px margin, worked in British National Grid
    disc = next(f for f in data["features"] if f["properties"]["layer"] == "coverage")
    drawn = gpd.GeoSeries([shapely.geometry.shape(disc["geometry"])], crs=4326).to_crs(27700)
    west, south, east, north = tile_bounds_m(15, *tile_of(centre.x, centre.y, 15))
    pad = 4 * pixel_m(15)
    tile = shapely.box(west - pad, south - pad, east + pad, north + pad).segmentize(10.0)
    tile_bng = gpd.GeoSeries([tile], crs=3857).to_crs(27700)[0]
    expected = camden.representative_point().buffer(500.0).intersection(tile_bng).area
    assert expected > 100_000
    # simplified to half a pixel (4.78 m x cos 51.5° / 2 = 1.49 m on the ground) along the arc
    half_px_m = 2 * 20_037_508.34 / (256 * 2**15) * math.cos(math.radians(51.5)) / 2
    arc_m = camden.representative_point().buffer(500.0).exterior.intersection(tile_bng).length
    assert abs(drawn.area[0] - expected) <= arc_m * half_px_m
    x, y = tile_of(centre.x, centre.y, 12)
    assert _get(env, "police", f"/tiles/coverage/12/{x}/{y}.geojson").status_code == 403
