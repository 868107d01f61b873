"""Camera lookup: exactly the cameras whose polygon covers the point, at the finest level."""

from __future__ import annotations

import math
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from cctvscope.coverage.detail import DetailLevel, detail_distance_m
from cctvscope.coverage.lookup import LOOKUP_COLUMNS, CameraLookup
from cctvscope.crs import BNG

LEVELS = (DetailLevel.DETECT, DetailLevel.OBSERVE, DetailLevel.RECOGNISE, DetailLevel.IDENTIFY)


def _cams(n: int = 40, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "camera_id": [f"c{i:03d}" for i in range(n)],
            "x_m": rng.uniform(0, 200, n).round(1),
            "y_m": rng.uniform(0, 200, n).round(1),
            "heading_deg": rng.uniform(0, 360, n).round(0) % 360,
            "hfov_deg": rng.choice([40.0, 60.0, 90.0, 360.0], n),
            "resolution_h_px": rng.choice([1280, 1920, 3840], n),
            "ptz": rng.random(n) < 0.2,
            "ptz_max_zoom": 1.0,
            "owner_type": rng.choice(["council", "private"], n),
            "operator": rng.choice(["A Council", "Shop Ltd"], n),
        }
    )


CAMS = _cams()
LOOKUP = CameraLookup.build(CAMS, levels=LEVELS, usable_range_m=60.0, arc_vertices=12)


def _brute(lookup: CameraLookup, x: float, y: float) -> dict[str, str]:
    """camera id -> finest covering level, by shapely.covers over every polygon."""
    hit = shapely.covers(lookup.polygons, shapely.Point(x, y))
    out: dict[str, tuple[int, str]] = {}
    for cam, rank in zip(lookup.polygon_camera[hit], lookup.polygon_rank[hit], strict=True):
        cid = str(lookup.cameras["camera_id"].iloc[cam])
        if cid not in out or rank > out[cid][0]:
            out[cid] = (int(rank), lookup.levels[rank].label)
    return {k: v[1] for k, v in out.items()}


def _got(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["camera_id"], frame["level"], strict=True))


def _edge_points(lookup: CameraLookup, k: int) -> np.ndarray:
    """k points on polygon boundaries: vertices and points along edges."""
    rng = np.random.default_rng(k)
    rings = shapely.get_exterior_ring(lookup.polygons[rng.integers(0, len(lookup), k)])
    frac = rng.choice([0.0, 0.25, 0.5, rng.random()], k)
    pts = shapely.line_interpolate_point(rings, frac, normalized=True)
    return np.asarray(shapely.get_coordinates(pts))


@settings(max_examples=150, deadline=None)
@given(
    x=st.floats(-70, 270, allow_nan=False),
    y=st.floats(-70, 270, allow_nan=False),
)
def test_lookup_equals_brute_force(x, y):
    assert _got(LOOKUP.cameras_at(x, y)) == _brute(LOOKUP, x, y)


@settings(max_examples=100, deadline=None)
@given(i=st.integers(0, 10_000), frac=st.sampled_from([0.0, 0.1, 0.5, 0.999, 1.0]))
def test_lookup_on_edges_and_vertices(i, frac):
    # Points on a polygon's boundary (vertices and along edges) count as covered.
    ring = shapely.get_exterior_ring(LOOKUP.polygons[i % len(LOOKUP)])
    x, y = shapely.get_coordinates(shapely.line_interpolate_point(ring, frac, normalized=True))[0]
    got = _got(LOOKUP.cameras_at(float(x), float(y)))
    assert got == _brute(LOOKUP, float(x), float(y))


def test_apex_and_exact_edges_are_covered():
    # A 90° camera at the origin facing east: the apex and the exact arc vertex
    # on the bisector lie on the boundary and are covered (covers semantics).
    reach = float(detail_distance_m(1920, 90, DetailLevel.DETECT.px_per_m))
    cams = pd.DataFrame(
        {
            "camera_id": ["e"],
            "x_m": [0.0],
            "y_m": [0.0],
            "heading_deg": [90.0],
            "hfov_deg": [90.0],
            "resolution_h_px": [1920],
        }
    )
    lookup = CameraLookup.build(cams, levels=[DetailLevel.DETECT], arc_vertices=3)
    assert list(lookup.cameras_at(0.0, 0.0)["camera_id"]) == ["e"]
    for vx, vy in shapely.get_coordinates(lookup.polygons[0]):  # every vertex, exactly
        assert list(lookup.cameras_at(float(vx), float(vy))["camera_id"]) == ["e"]
    vx, vy = shapely.get_coordinates(lookup.polygons[0])[2]  # the arc vertex on the bisector
    assert vx == pytest.approx(reach) and vy == pytest.approx(0.0, abs=1e-9)
    assert lookup.cameras_at(reach + 1e-6, 0.0).empty
    assert lookup.cameras_at(-1.0, 0.0).empty  # behind the camera


def test_bulk_matches_single_queries():
    rng = np.random.default_rng(7)
    pts = np.vstack([rng.uniform(-20, 220, (300, 2)), _edge_points(LOOKUP, 200)])
    many = LOOKUP.cameras_at_many(pts).to_frame(with_point=True)
    assert list(many.columns) == ["point", *LOOKUP_COLUMNS]
    for p, (x, y) in enumerate(pts):
        one = LOOKUP.cameras_at(float(x), float(y))
        sub = many[many["point"] == p].drop(columns="point").reset_index(drop=True)
        pd.testing.assert_frame_equal(sub, one.to_frame())
        assert _got(one) == _brute(LOOKUP, float(x), float(y))
    # Points as shapely geometries give the same answer.
    again = LOOKUP.cameras_at_many(gpd.GeoSeries(shapely.points(pts), crs=BNG))
    pd.testing.assert_frame_equal(again.to_frame(with_point=True), many)
    empty = LOOKUP.cameras_at_many(np.zeros((0, 2)))
    assert empty.empty and len(empty) == 0
    assert list(empty.to_frame().columns) == list(LOOKUP_COLUMNS)


def test_finest_level_distance_and_order():
    # Two 60° cameras facing north at (0, 0) and (0, -10); point (0, 5).
    cams = pd.DataFrame(
        {
            "camera_id": ["near", "far"],
            "x_m": [0.0, 0.0],
            "y_m": [0.0, -10.0],
            "heading_deg": [0.0, 0.0],
            "hfov_deg": [60.0, 60.0],
            "resolution_h_px": [1920, 1920],
            "owner_type": ["council", "private"],
            "operator": ["C", "P"],
        }
    )
    lookup = CameraLookup.build(cams, levels=LEVELS)
    # Reach = 1920 / (ppm · 2·tan 30°): detect 66.5 m, observe 26.6 m,
    # recognise 13.3 m, identify 6.65 m.
    reach = {lv.label: float(detail_distance_m(1920, 60, lv.px_per_m)) for lv in LEVELS}
    assert reach["identify"] == pytest.approx(6.651, abs=1e-3)
    got = lookup.cameras_at(0.0, 5.0)
    assert list(got["camera_id"]) == ["near", "far"]  # nearest first
    assert list(got["level"]) == ["identify", "observe"]  # 5 m and 15 m away
    assert got["distance_m"].tolist() == pytest.approx([5.0, 15.0])
    assert got["owner_type"].tolist() == ["council", "private"]
    assert got["operator"].tolist() == ["C", "P"]
    got = lookup.cameras_at(0.0, 20.0)  # 20 m and 30 m away
    assert list(got["level"]) == ["observe", "detect"]
    got = lookup.cameras_at(0.0, 60.0)  # 60 m (detect) and 70 m (beyond detect) away
    assert list(got["camera_id"]) == ["near"]
    assert list(got["level"]) == ["detect"]


def test_build_checks_and_buildings():
    with pytest.raises(ValueError, match="unique"):
        CameraLookup.build(pd.concat([CAMS.head(2), CAMS.head(1)]), levels=LEVELS)
    with pytest.raises(ValueError, match="level"):
        CameraLookup.build(CAMS, levels=[])
    # A wall between camera and point hides it.
    cams = pd.DataFrame(
        {
            "camera_id": ["w"],
            "x_m": [0.0],
            "y_m": [0.0],
            "heading_deg": [0.0],
            "hfov_deg": [60.0],
            "resolution_h_px": [1920],
        }
    )
    wall = gpd.GeoDataFrame(geometry=[shapely.box(-5, 10, 5, 11)], crs=BNG)
    open_lookup = CameraLookup.build(cams, levels=[DetailLevel.DETECT])
    walled = CameraLookup.build(cams, levels=[DetailLevel.DETECT], buildings=wall)
    assert list(open_lookup.cameras_at(0.0, 20.0)["camera_id"]) == ["w"]
    assert walled.cameras_at(0.0, 20.0).empty
    assert list(walled.cameras_at(0.0, 5.0)["camera_id"]) == ["w"]


def test_london_scale_query_time(capsys):
    from cctvscope.coverage.detail import assumed_usable_range_m
    from cctvscope.ingest.synthetic import build_london_estate
    from cctvscope.model.assumptions import read_assumptions

    cameras = build_london_estate("london").cameras
    start = time.perf_counter()
    lookup = CameraLookup.build(cameras, usable_range_m=assumed_usable_range_m(read_assumptions()))
    built_s = time.perf_counter() - start
    rng = np.random.default_rng(11)
    idx = rng.integers(0, len(cameras), 500)
    pts = np.c_[
        cameras["x_m"].to_numpy()[idx] + rng.normal(0, 10, 500),
        cameras["y_m"].to_numpy()[idx] + rng.normal(0, 10, 500),
    ]
    start = time.perf_counter()
    found = sum(len(lookup.cameras_at(float(x), float(y))) for x, y in pts)
    per_query_ms = (time.perf_counter() - start) / len(pts) * 1e3
    assert found > 0 and math.isfinite(per_query_ms)
    with capsys.disabled():
        print(
            f"\nlookup: {len(cameras)} cameras, {len(lookup)} polygons, built in {built_s:.1f} s; "
            f"{per_query_ms:.3f} ms per cameras_at query ({found / len(pts):.2f} hits/query)"
        )


def _brute_answer(lookup: CameraLookup, x: float, y: float) -> list[tuple[str, str, float]]:
    """(camera id, finest level, distance) nearest first, ties by id: a second method, by
    ``shapely.covers`` on every polygon and the distance worked out from the camera table."""
    levels = _brute(lookup, x, y)
    cams = lookup.cameras.set_index("camera_id")
    rows = [
        (cid, level, math.hypot(cams.at[cid, "x_m"] - x, cams.at[cid, "y_m"] - y))
        for cid, level in levels.items()
    ]
    return sorted(rows, key=lambda r: (r[2], r[0]))


def test_answers_match_brute_force_on_random_points():
    rng = np.random.default_rng(2026)
    pts = np.vstack([rng.uniform(-70, 270, (300, 2)), _edge_points(LOOKUP, 100)])
    many = LOOKUP.cameras_at_many(pts)
    seen = 0
    for p, (x, y) in enumerate(pts):
        want = _brute_answer(LOOKUP, float(x), float(y))
        got = LOOKUP.cameras_at(float(x), float(y))
        assert list(got["camera_id"]) == [w[0] for w in want]
        assert list(got["level"]) == [w[1] for w in want]
        assert got["distance_m"].tolist() == pytest.approx([w[2] for w in want], abs=1e-9)
        mine = many.point == p
        assert list(many.camera_id[mine]) == [w[0] for w in want]
        seen += len(want)
    assert seen > 300  # the points are not all outside every wedge


def test_batched_build_is_the_same_lookup():
    # Drawn 7 cameras at a time (a batch boundary inside the table) or all at once, the
    # polygons are the same set and every answer is the same.
    one = LOOKUP
    batched = CameraLookup.build(
        CAMS, levels=LEVELS, usable_range_m=60.0, arc_vertices=12, batch_cameras=7
    )
    assert len(batched) == len(one)

    def by_camera_level(lookup: CameraLookup) -> tuple[list[tuple[int, int]], np.ndarray]:
        order = np.lexsort((lookup.polygon_rank, lookup.polygon_camera))
        pairs = list(zip(lookup.polygon_camera[order], lookup.polygon_rank[order], strict=True))
        return pairs, shapely.area(lookup.polygons[order])

    pairs_batched, areas_batched = by_camera_level(batched)
    pairs_one, areas_one = by_camera_level(one)
    assert pairs_batched == pairs_one
    np.testing.assert_allclose(areas_batched, areas_one, rtol=1e-12)
    rng = np.random.default_rng(5)
    pts = rng.uniform(-20, 220, (200, 2))
    pd.testing.assert_frame_equal(
        batched.cameras_at_many(pts).to_frame(with_point=True),
        one.cameras_at_many(pts).to_frame(with_point=True),
    )
    with pytest.raises(ValueError, match="batch_cameras"):
        CameraLookup.build(CAMS, levels=LEVELS, batch_cameras=0)
