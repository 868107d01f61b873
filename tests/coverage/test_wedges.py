"""View wedges: nesting by level, analytic area, compass orientation."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import shapely

from cctvscope.coverage.detail import DetailLevel, detail_distance_m, hfov_from_lens_deg
from cctvscope.coverage.wedges import (
    polygonised_sector_area_m2,
    sector_polygons,
    wedges_by_level,
)
from cctvscope.crs import BNG

HFOV = float(hfov_from_lens_deg(4.8, 2.8))


def cameras(n: int = 30, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "camera_id": [f"c{i}" for i in range(n)],
            "x_m": 530_000 + rng.uniform(0, 500, n),
            "y_m": 181_000 + rng.uniform(0, 500, n),
            "heading_deg": rng.uniform(0, 360, n),
            "hfov_deg": rng.uniform(20, 120, n),
            "resolution_h_px": rng.choice([1280, 1920, 2560, 3840], n),
            "ptz": np.arange(n) % 5 == 0,
            "ptz_max_zoom": np.where(np.arange(n) % 5 == 0, 30.0, 1.0),
        }
    )


def test_frame_shape_and_crs() -> None:
    cams = cameras()
    w = wedges_by_level(cams, usable_range_m=60.0)
    assert w.crs == BNG
    assert len(w) == len(cams) * len(DetailLevel)
    assert list(w.columns) == ["camera_id", "level", "reach_m", "zoomed_reach_m", "geometry"]
    assert shapely.is_valid(w.geometry.to_numpy()).all()
    assert (w["reach_m"] <= 60.0).all()
    fixed = w[~w["camera_id"].isin(cams.loc[cams["ptz"], "camera_id"])]
    np.testing.assert_allclose(fixed["zoomed_reach_m"], fixed["reach_m"])


def test_each_level_lies_inside_the_coarser_one() -> None:
    cams = cameras()
    levels = list(DetailLevel)
    w = wedges_by_level(cams, levels, usable_range_m=60.0).set_index(["level", "camera_id"])
    for coarse, fine in itertools.pairwise(levels):
        outer = w.loc[coarse.label].geometry.loc[cams["camera_id"]].to_numpy()
        inner = w.loc[fine.label].geometry.loc[cams["camera_id"]].to_numpy()
        assert shapely.covers(shapely.buffer(outer, 1e-6), inner).all()
        assert (shapely.area(inner) <= shapely.area(outer) + 1e-9).all()


def test_area_matches_analytic_sector() -> None:
    cams = cameras(50, seed=2)
    k = 720
    w = wedges_by_level(cams, [DetailLevel.DETECT], arc_vertices=k)
    angle = np.where(cams["ptz"], 360.0, cams["hfov_deg"])
    r = detail_distance_m(cams["resolution_h_px"], cams["hfov_deg"], 25.0)
    exact = np.radians(angle) / 2 * r**2
    area = shapely.area(w.geometry.to_numpy())
    np.testing.assert_allclose(area, polygonised_sector_area_m2(r, angle, k), rtol=1e-9)
    # chord error 1 - sin(x)/x ≈ x²/6 with x ≤ 2π/k: below 1.3e-5 for k = 720
    np.testing.assert_allclose(area, exact, rtol=2e-5)
    assert (area <= exact).all()


@pytest.mark.parametrize(("heading", "axis", "sign"), [(0, 1, 1), (90, 0, 1), (180, 1, -1)])
def test_compass_heading(heading: float, axis: int, sign: int) -> None:
    (wedge,) = sector_polygons(100.0, 200.0, heading, 60.0, 10.0)
    centroid = np.array(wedge.centroid.coords[0]) - [100.0, 200.0]
    assert sign * centroid[axis] > 5.0
    assert abs(centroid[1 - axis]) < 1e-9
    if heading == 90:
        minx = shapely.bounds(wedge)[0]
        assert minx == pytest.approx(100.0)  # wholly east of the camera


def test_ptz_is_full_circle_and_zero_radius_empty() -> None:
    circle, empty = sector_polygons(0.0, 0.0, 45.0, [360.0, 90.0], [5.0, 0.0], arc_vertices=256)
    assert circle.area == pytest.approx(np.pi * 25, rel=1e-3)
    assert circle.contains(shapely.Point(0, 0))
    assert empty.is_empty


def test_empty_inputs() -> None:
    w = wedges_by_level(cameras().iloc[:0])
    assert len(w) == 0 and w.crs == BNG
