"""Tile math against hand-worked Web Mercator values, and a tile index's cutting and caps."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer

from cctvscope.web.tiles import (
    CHOP_VERTICES,
    MAX_ZOOM,
    LayerRule,
    TileIndex,
    cap_at,
    check_tile,
    pixel_m,
    tile_bounds_deg,
    tile_bounds_m,
    tile_of,
)

#: Half the Web Mercator world: pi times the WGS84 semi-major axis 6,378,137 m.
HALF_WORLD_M = math.pi * 6_378_137
#: The Web Mercator latitude limit, atan(sinh(pi)) [°].
MAX_LAT_DEG = 85.0511287798066


def test_zoom_0_is_the_whole_mercator_world():
    assert tile_bounds_m(0, 0, 0) == pytest.approx(
        (-HALF_WORLD_M, -HALF_WORLD_M, HALF_WORLD_M, HALF_WORLD_M), abs=1e-6
    )
    assert tile_bounds_deg(0, 0, 0) == pytest.approx((-180, -MAX_LAT_DEG, 180, MAX_LAT_DEG))
    # z1 (1, 0) is the north-east quarter: the prime meridian to 180° E, the equator northward
    assert tile_bounds_deg(1, 1, 0) == pytest.approx((0, 0, 180, MAX_LAT_DEG), abs=1e-12)


def test_a_zoom_12_tile_over_westminster_worked_by_hand():
    # 2 x 20,037,508.3428 m / 4096 tiles = 9,783.9396 m per tile.
    # x 2046: west = -20,037,508.3428 + 2046 x 9,783.9396 = -19,567.879 m (-0.17578125°,
    # i.e. 2046 / 4096 x 360 - 180); y 1361: north = 20,037,508.3428 - 1361 x 9,783.9396
    # = 6,721,566.519 m.
    west, south, east, north = tile_bounds_m(12, 2046, 1361)
    assert west == pytest.approx(-19_567.879, abs=1e-3)
    assert east - west == pytest.approx(9_783.940, abs=1e-3)
    assert north == pytest.approx(6_721_566.519, abs=1e-3)
    assert north - south == pytest.approx(9_783.940, abs=1e-3)
    lon_w, lat_s, lon_e, lat_n = tile_bounds_deg(12, 2046, 1361)
    assert lon_w == -0.17578125 and lon_e == -0.087890625
    # A second method: PROJ's inverse Web Mercator of the metre corners.
    to_deg = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    (lon0, lon1), (lat0, lat1) = to_deg.transform([west, east], [south, north])
    assert (lon_w, lat_s, lon_e, lat_n) == pytest.approx((lon0, lat0, lon1, lat1), abs=1e-9)
    # King's Cross (-0.1240, 51.5308) lies in it; Parliament Square (51.5007 N) one row south.
    assert lat_s < 51.5308 < lat_n
    assert tile_of(-0.1240, 51.5308, 12) == (2046, 1361)
    assert tile_of(-0.1276, 51.5007, 12) == (2046, 1362)


def test_pixel_size_and_tile_checks():
    assert pixel_m(0) == pytest.approx(2 * HALF_WORLD_M / 256)
    assert pixel_m(18) == pytest.approx(0.597164, abs=1e-6)  # 156,543.03 m / 2^18
    check_tile(MAX_ZOOM, 2**MAX_ZOOM - 1, 0)
    for bad in ((MAX_ZOOM + 1, 0, 0), (3, 8, 0), (3, 0, -1)):
        with pytest.raises(ValueError):
            check_tile(*bad)


def _frame(layers, geoms, crs="EPSG:3857"):
    return gpd.GeoDataFrame(
        {"layer": layers, "kind": "k", "name": ""}, geometry=list(geoms), crs=crs
    )


RULES = {"poly": LayerRule(0, 10, 0), "line": LayerRule(0, 100, 1), "late": LayerRule(12, 10, 2)}


def test_a_tile_is_cut_to_its_bounds_plus_the_margin():
    west, south, east, north = tile_bounds_m(14, 8185, 5448)
    size = east - west
    # A line from one tile west to one tile east, and a square three tiles wide.
    line = shapely.LineString([(west - size, south + size / 2), (east + size, south + size / 2)])
    square = shapely.box(west - size, south - size, east + size, north + size)
    index = TileIndex(_frame(["line", "poly"], [line, square]), RULES)
    tile = index.tile(14, 8185, 5448)
    lon_w, _lat_s, lon_e, _lat_n = tile_bounds_deg(14, 8185, 5448)
    px_deg = 360 / (256 * 2**14)
    margin_deg = 4 * px_deg  # MARGIN_PX pixels; coordinates are rounded to a quarter pixel
    for feature in tile["features"]:
        coords = np.array(shapely.geometry.shape(feature["geometry"]).exterior.coords
                          if feature["properties"]["layer"] == "poly"
                          else feature["geometry"]["coordinates"])  # fmt: skip
        assert coords[:, 0].min() == pytest.approx(lon_w - margin_deg, abs=px_deg / 4)
        assert coords[:, 0].max() == pytest.approx(lon_e + margin_deg, abs=px_deg / 4)
    assert sorted(f["properties"]["layer"] for f in tile["features"]) == ["line", "poly"]
    # The square, cut, is a rectangle of 4 corners (5 with the closing point).
    poly = next(f for f in tile["features"] if f["properties"]["layer"] == "poly")
    assert len(poly["geometry"]["coordinates"][0]) == 5


def test_caps_keep_the_largest_pieces_and_count_the_rest():
    west, south, _east, _north = tile_bounds_m(14, 8185, 5448)
    # 150 lines inside the tile, line i is 30 + i metres long (all over 2 px = 19.1 m)
    px_deg = 360 / (256 * 2**14)
    lines = [
        shapely.LineString([(west + 50, south + 10 + 10 * i), (west + 80 + i, south + 10 + 10 * i)])
        for i in range(150)
    ]
    index = TileIndex(_frame(["line"] * 150, lines), RULES)
    tile = index.tile(14, 8185, 5448)
    assert cap_at(RULES["line"], 14) == 100
    assert len(tile["features"]) == 100
    assert tile["capped"] == {"line": 50}
    # kept: the 100 longest, lines 50..149, 10 m apart from y = south + 510
    kept_y = sorted({round(f["geometry"]["coordinates"][0][1], 7) for f in tile["features"]})
    assert len(kept_y) == 100
    to_deg = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    _, lowest = to_deg.transform(west, south + 510)
    assert kept_y[0] == pytest.approx(lowest, abs=px_deg / 4)
    # zoomed out, the cap halves per zoom below 13, to an eighth at most
    assert [cap_at(RULES["line"], z) for z in (12, 11, 10, 9, 3)] == [50, 25, 12, 12, 12]


def test_first_zoom_and_smallest_piece():
    centre = shapely.Point(-14_000.0, 6_710_000.0)  # central London, EPSG:3857
    short = shapely.LineString([(centre.x, centre.y), (centre.x + 5, centre.y)])  # 5 m
    late = shapely.LineString([(centre.x, centre.y), (centre.x + 500, centre.y)])
    index = TileIndex(_frame(["line", "late"], [short, late]), RULES)
    lon, lat = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True).transform(
        centre.x + 1, centre.y
    )

    def layers(z):
        x, y = tile_of(lon, lat, z)
        return sorted(f["properties"]["layer"] for f in index.tile(z, x, y)["features"])

    # 5 m is under two pixels (2 x 4.8 m) at z15 and over at z16 (2 x 2.4 m)
    assert layers(15) == ["late"]
    assert layers(16) == ["late", "line"]
    assert layers(11) == []  # "late" starts at 12; the short line is far under 2 px


def test_long_pieces_are_cut_on_the_zoom_13_grid():
    x = np.linspace(-40_000.0, 40_000.0, CHOP_VERTICES * 4)
    river = shapely.LineString(np.column_stack([x, 6_710_000.0 + 100 * np.sin(x / 1000)]))
    index = TileIndex(_frame(["line"], [river]), RULES)
    z13_m = 2 * HALF_WORLD_M / 2**13  # 4,891.97 m
    # 40 km is 8.18 tiles: the river crosses columns -9..8 of the meridian, 18 pieces
    assert 40_000 / z13_m == pytest.approx(8.177, abs=1e-3)
    assert len(index) == 18
    assert shapely.length(index.geoms).sum() == pytest.approx(river.length, rel=1e-9)


def test_rendered_tiles_are_kept_within_the_byte_budget(monkeypatch):
    monkeypatch.setattr("cctvscope.web.tiles.CACHE_BYTES", 1_000)
    west, south, east, north = tile_bounds_m(14, 8185, 5448)
    square = shapely.box(west + 10, south + 10, east - 10, north - 10)
    index = TileIndex(_frame(["poly"], [square]), RULES)
    first = index.tile_bytes(14, 8185, 5448)
    assert index.tile_bytes(14, 8185, 5448) is first  # kept
    for x in range(8186, 8216):
        index.tile_bytes(14, x, 5448)  # 30 empty tiles of 54 bytes: 1,620 bytes
    assert index._rendered_bytes <= 1_000
    assert (14, 8185, 5448) not in index._rendered  # the oldest went first
    assert index._rendered_bytes == sum(len(b) for b in index._rendered.values())


def test_specks_under_half_a_pixel_go_from_a_multi_part_layer():
    centre_x, centre_y = -14_000.0, 6_710_000.0  # central London, EPSG:3857
    big = shapely.box(centre_x, centre_y, centre_x + 2_000, centre_y + 2_000)
    speck = shapely.box(centre_x - 500, centre_y, centre_x - 490, centre_y + 10)  # 10 m square
    rules = {"coverage": LayerRule(0, 10, 0, min_px=0.0)}
    frame = gpd.GeoDataFrame(
        {"layer": ["coverage"], "kind": "k", "name": ""},
        geometry=[shapely.MultiPolygon([big, speck])],
        crs="EPSG:3857",
    )
    index = TileIndex(frame, rules, explode=False)
    assert len(index) == 1  # both parts in one z13 cell: one piece
    lon, lat = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True).transform(
        centre_x, centre_y + 5
    )

    def parts(z):
        (feature,) = index.tile(z, *tile_of(lon, lat, z))["features"]
        return len(shapely.get_parts(shapely.geometry.shape(feature["geometry"])))

    # simplified to half a pixel: 76 m at z10 (the 10 m speck collapses), 4.8 m at z14 (kept)
    assert pixel_m(10) / 2 > 10 > pixel_m(14) / 2
    assert parts(10) == 1
    assert parts(14) == 2
