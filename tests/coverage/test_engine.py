"""The coverage engine: tiles, grid painting, areas, crime in coverage, gaps, executors."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cctvscope.coverage.detail import DetailLevel, assumed_usable_range_m
from cctvscope.coverage.engine import CoverageInputs, CoverageOptions, compute_coverage
from cctvscope.coverage.raster import (
    TileGrid,
    paint_coverage,
    raster_outlines,
    raster_polygons,
    rasterise_polygons,
    zone_metrics,
)
from cctvscope.coverage.raycast import cast_ray_fans, edge_grid, fan_polygons
from cctvscope.coverage.tiles import run_tiles
from cctvscope.crs import BNG
from cctvscope.model.assumptions import read_assumptions

LEVELS = (DetailLevel.MONITOR, DetailLevel.DETECT, DetailLevel.RECOGNISE)
# The assumptions file's range cap, as cctvscope.workflows.coverage.run_coverage passes it.
USABLE_M = assumed_usable_range_m(read_assumptions())


def _camera_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    base = {
        "owner_type": "council",
        "borough_code": "B1",
        "ptz": False,
        "ptz_max_zoom": 1.0,
        "provenance": "synthetic",
        "heading_deg": 0.0,
    }
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame["camera_id"] = [f"c{i}" for i in range(len(frame))]
    return frame


def _inputs(
    points: list[tuple[float, float]], buildings: list[shapely.Geometry] | None = None
) -> CoverageInputs:
    # Two LSOAs side by side: west x < 1000, east x ≥ 1000, over y in [0, 2000].
    lsoas = gpd.GeoDataFrame(
        {
            "lsoa_code": ["L1", "L2"],
            "lsoa_name": ["west", "east"],
            "borough_code": ["B1", "B1"],
            "total": [100.0, 50.0],
        },
        geometry=[shapely.box(0, 0, 1000, 2000), shapely.box(1000, 0, 2000, 2000)],
        crs=BNG,
    )
    boroughs = gpd.GeoDataFrame(
        {"gss_code": ["B1"], "name": ["Borough"]}, geometry=[shapely.box(0, 0, 2000, 2000)], crs=BNG
    )
    pts = gpd.GeoSeries(shapely.points(np.array(points, dtype=float).reshape(-1, 2)), crs=BNG)
    b = gpd.GeoSeries(buildings, crs=BNG) if buildings else None
    return CoverageInputs(lsoas=lsoas, boroughs=boroughs, crime_points=pts, buildings=b)


def test_full_circle_camera_areas_and_crime_by_hand():
    # A PTZ camera (full circle) at (500, 500), 1920 px at 60° HFOV: Monitor reach capped at
    # 50 m; Detect = 1920 / (25 · 2·tan 30°) = 66.5 m → capped 50; Recognise = 13.30 m.
    cams = _camera_frame(
        [{"x_m": 500.0, "y_m": 500.0, "hfov_deg": 60.0, "resolution_h_px": 1920, "ptz": True}]
    )
    recog = 1920 / (125 * 2 * math.tan(math.radians(30)))
    points = [(500.0, 510.0), (500.0, 540.0), (500.0, 600.0), (1500.0, 500.0)]
    result = compute_coverage(
        cams,
        _inputs(points),
        CoverageOptions(levels=LEVELS, usable_range_m=50.0, grid_m=250.0, polygons=True),
    )
    s = result.summary.set_index(["area_type", "area_code", "level"])
    circle_km2 = math.pi * 50**2 / 1e6
    # Painted 1 m cells agree with the circle within 0.5 %.
    assert s.loc[("lsoa", "L1", "monitor"), "covered_km2"] == pytest.approx(circle_km2, rel=5e-3)
    assert s.loc[("lsoa", "L1", "recognise"), "covered_km2"] == pytest.approx(
        math.pi * recog**2 / 1e6, rel=2e-2
    )
    assert s.loc[("lsoa", "L2", "monitor"), "covered_km2"] == 0
    # Crime points: 10 m away is seen at Recognise, 40 m at Monitor/Detect only, 100 m not.
    london = result.summary[result.summary["area_type"] == "london"].set_index("level")
    assert london.loc["monitor", "crime_points_covered"] == 2
    assert london.loc["recognise", "crime_points_covered"] == 1
    assert london.loc["recognise", "crime_points_share"] == pytest.approx(0.25)
    # LSOA crime spread by area: 100 × circle / 2 km² in the west LSOA.
    assert london.loc["monitor", "lsoa_crime_covered"] == pytest.approx(
        100 * circle_km2 / 2.0, rel=5e-3
    )
    # No overlap with one camera; all public.
    assert london.loc["monitor", "overlap_km2"] == 0
    assert london.loc["monitor", "public_only_km2"] == pytest.approx(circle_km2, rel=5e-3)
    cams_out = result.cameras.set_index("level")
    assert cams_out.loc["monitor", "visible_area_m2"] == pytest.approx(math.pi * 2500, rel=1e-4)
    assert len(result.visibility) == 1
    assert result.visibility.geometry.iloc[0].area == pytest.approx(math.pi * 2500, rel=1e-4)


def test_overlap_joint_and_private_only():
    # Two full circles r = 30 m, centres 30 m apart: lens area = 2r²acos(d/2r) − (d/2)√(4r²−d²).
    r, d = 30.0, 30.0
    lens = 2 * r * r * math.acos(d / (2 * r)) - (d / 2) * math.sqrt(4 * r * r - d * d)
    cams = _camera_frame(
        [
            {"x_m": 500.0, "y_m": 500.0, "hfov_deg": 90.0, "resolution_h_px": 3840, "ptz": True},
            {
                "x_m": 530.0,
                "y_m": 500.0,
                "hfov_deg": 90.0,
                "resolution_h_px": 3840,
                "ptz": True,
                "owner_type": "private",
            },
        ]
    )
    result = compute_coverage(
        cams, _inputs([]), CoverageOptions(levels=(DetailLevel.MONITOR,), usable_range_m=r)
    )
    row = result.summary[result.summary["area_type"] == "london"].iloc[0]
    circle = math.pi * r * r
    assert row["overlap_km2"] * 1e6 == pytest.approx(lens, rel=1e-2)
    assert row["joint_km2"] * 1e6 == pytest.approx(lens, rel=1e-2)
    assert row["public_only_km2"] * 1e6 == pytest.approx(circle - lens, rel=1e-2)
    assert row["private_only_km2"] * 1e6 == pytest.approx(circle - lens, rel=1e-2)
    assert row["covered_km2"] * 1e6 == pytest.approx(2 * circle - lens, rel=1e-2)


def test_camera_near_tile_edge_counts_once_and_matches_vector_union():
    # Cameras straddling the 1 km tile boundary at x = 1000: the halo carries them into the
    # neighbour tile, the core split stops double counting; compare with a shapely union.
    rng = np.random.default_rng(3)
    n = 40
    rows = [
        {
            "x_m": float(x),
            "y_m": float(y),
            "heading_deg": float(h),
            "hfov_deg": 70.0,
            "resolution_h_px": 1920,
        }
        for x, y, h in zip(
            rng.uniform(950, 1050, n),
            rng.uniform(900, 1100, n),
            rng.uniform(0, 360, n),
            strict=True,
        )
    ]
    cams = _camera_frame(rows)
    building = shapely.box(990, 980, 1010, 1020)
    cams = cams[~shapely.contains_xy(building, cams["x_m"], cams["y_m"])].reset_index(drop=True)
    result = compute_coverage(
        cams,
        _inputs([], [building]),
        CoverageOptions(levels=(DetailLevel.MONITOR,), usable_range_m=45.0, polygons=True),
    )
    assert result.n_tiles >= 2
    union = shapely.union_all(result.visibility.geometry.to_numpy())
    covered = float(result.summary.query("area_type == 'london'")["covered_km2"].iloc[0]) * 1e6
    assert covered == pytest.approx(union.area, rel=5e-3)
    # Every camera's visible area is reported exactly once.
    assert len(result.cameras) == len(cams)
    assert result.cameras["camera_id"].is_unique


def test_rasterise_polygons_matches_shapely_area_with_holes():
    grid = TileGrid(0.0, 0.0, 1.0, 200, 200)
    donut = shapely.Point(100, 100).buffer(60).difference(shapely.Point(100, 100).buffer(20))
    tri = shapely.Polygon([(0, 0), (50, 0), (0, 50)])
    zones = rasterise_polygons(np.array([donut, tri], dtype=object), grid)
    assert (zones == 0).sum() == pytest.approx(donut.area, rel=1e-2)
    assert (zones == 1).sum() == pytest.approx(tri.area, rel=3e-2)
    assert zones[100, 100] == -1  # the hole


def test_raster_polygons_outline_area():
    grid = TileGrid(0.0, 0.0, 1.0, 100, 100)
    mask = np.zeros((100, 100), bool)
    mask[10:50, 20:80] = True
    mask[20:30, 30:40] = False
    poly = raster_polygons(mask, grid)
    # The 0.5 contour between 0/1 cell centres runs along cell edges, so the outline encloses
    # the cells (60×40 − 10×10) but for 1/8 cell cut at each convex corner, added at each
    # concave one: −4/8 on the outside, +4/8 for the hole.
    assert poly.area == pytest.approx(60 * 40 - 10 * 10, abs=1.01)
    merged = raster_polygons(mask, grid, factor=2)
    assert merged.area == pytest.approx(mask.sum(), rel=0.08)


def test_outlines_of_all_levels_in_one_pass_match_each_level_traced_alone():
    # Second method: each level's mask traced on its own (raster_polygons): the same
    # outlines, up to where each ring starts.
    rng = np.random.default_rng(11)
    n = 40
    x, y = rng.uniform(50, 350, n), rng.uniform(50, 350, n)
    fans = cast_ray_fans(x, y, rng.uniform(0, 360, n), 70.0, 40.0, edge_grid([]))
    reach = np.column_stack([np.full(n, 40.0), np.full(n, 25.0), np.full(n, 10.0)])
    grid = TileGrid(0.0, 0.0, 1.0, 400, 400)
    raster = paint_coverage(fans, reach, np.zeros(n, bool), grid)
    outlines = raster_outlines(raster.count, grid, factor=2)
    assert len(outlines) == 3
    for lv, outline in enumerate(outlines):
        alone = raster_polygons(raster.count[lv] > 0, grid, factor=2)
        assert outline.is_valid
        assert outline.area == pytest.approx(alone.area, rel=1e-12)
        assert outline.symmetric_difference(alone).area < 1e-6
    # A block counts when half its cells do (ties in): near the cells' area, as
    # test_raster_polygons_outline_area bounds it.
    assert outlines[1].area == pytest.approx((raster.count[1] > 0).sum(), rel=0.08)
    empty = raster_outlines(np.zeros((2, 10, 10), np.uint16), TileGrid(0, 0, 1.0, 10, 10))
    assert [g.is_empty for g in empty] == [True, True]


def test_paint_and_zone_metrics_agree_with_polygons():
    b = [shapely.box(20, 20, 30, 40), shapely.box(60, 50, 70, 55)]
    rng = np.random.default_rng(5)
    n = 30
    x, y = rng.uniform(0, 100, n), rng.uniform(0, 100, n)
    keep = ~np.any([shapely.contains_xy(g, x, y) for g in b], axis=0)
    x, y = x[keep], y[keep]
    fans = cast_ray_fans(x, y, rng.uniform(0, 360, x.size), 90.0, 25.0, edge_grid(b))
    grid = TileGrid(-50.0, -50.0, 0.5, 400, 400)
    raster = paint_coverage(fans, np.full((x.size, 1), 25.0), np.zeros(x.size, bool), grid)
    union = shapely.union_all(fan_polygons(fans))
    covered_m2 = (raster.count[0] > 0).sum() * grid.cell_area_m2
    assert covered_m2 == pytest.approx(union.area, rel=5e-3)
    cells = zone_metrics(raster, np.zeros((400, 400), np.int32), 1)
    assert cells[0, 0, 0] == (raster.count[0] > 0).sum()


def test_gaps_ranked_by_crime_and_not_covered():
    # Camera covers the square at (500-750, 500-750); crime clusters in two other squares.
    cams = _camera_frame(
        [{"x_m": 600.0, "y_m": 600.0, "hfov_deg": 60.0, "resolution_h_px": 3840, "ptz": True}]
    )
    pts = [(610.0, 600.0)] * 9 + [(1600.0, 1600.0)] * 7 + [(1100.0, 300.0)] * 5 + [(100, 100)]
    result = compute_coverage(
        cams,
        _inputs(pts),
        CoverageOptions(levels=LEVELS, gap_quantile=0.0, usable_range_m=USABLE_M),
    )
    gaps = result.gaps
    assert list(gaps["crimes"]) == [7, 5]
    assert list(gaps["rank"]) == [1, 2]
    assert list(gaps["square_id"]) == ["E1500N1500", "E1000N250"]
    assert set(gaps["lsoa_code"]) == {"L2"}


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="multiple of grid_m"):
        CoverageOptions(tile_m=1000.0, grid_m=300.0)
    with pytest.raises(ValueError, match="unknown executor"):
        run_tiles([], executor="spark")
    cams = _camera_frame([{"x_m": 10.0, "y_m": 10.0, "hfov_deg": 60.0, "resolution_h_px": 720}])
    with pytest.raises(ValueError, match="must exceed the longest reach"):
        compute_coverage(
            cams, _inputs([]), CoverageOptions(tile_m=40.0, grid_m=20.0, usable_range_m=60.0)
        )


def _scene() -> tuple[pd.DataFrame, CoverageInputs]:
    rng = np.random.default_rng(11)
    n = 120
    rows = [
        {
            "x_m": float(x),
            "y_m": float(y),
            "heading_deg": float(h),
            "hfov_deg": float(f),
            "resolution_h_px": int(px),
            "ptz": bool(p),
            "owner_type": "private" if o else "council",
        }
        for x, y, h, f, px, p, o in zip(
            rng.uniform(100, 1900, n),
            rng.uniform(100, 1900, n),
            rng.uniform(0, 360, n),
            rng.uniform(30, 90, n),
            rng.choice([720, 1280, 1920], n),
            rng.random(n) < 0.3,
            rng.random(n) < 0.2,
            strict=True,
        )
    ]
    buildings = [shapely.box(x, y, x + 15, y + 25) for x, y in rng.uniform(100, 1900, (60, 2))]
    cams = _camera_frame(rows)
    inside = np.any([shapely.contains_xy(b, cams["x_m"], cams["y_m"]) for b in buildings], axis=0)
    pts = [tuple(p) for p in rng.uniform(0, 2000, (300, 2))]
    return cams[~inside].reset_index(drop=True), _inputs(pts, buildings)


def test_threads_give_identical_results():
    cams, inputs = _scene()
    one = compute_coverage(cams, inputs, CoverageOptions(tile_m=500.0, usable_range_m=USABLE_M))
    two = compute_coverage(
        cams, inputs, CoverageOptions(tile_m=500.0, threads=2, usable_range_m=USABLE_M)
    )
    pd.testing.assert_frame_equal(one.summary, two.summary)
    pd.testing.assert_frame_equal(one.cameras, two.cameras)


@pytest.mark.filterwarnings("ignore")
def test_dask_local_cluster_two_workers_gives_identical_results():
    cams, inputs = _scene()
    local = compute_coverage(cams, inputs, CoverageOptions(tile_m=500.0, usable_range_m=USABLE_M))
    dask = compute_coverage(
        cams,
        inputs,
        CoverageOptions(tile_m=500.0, executor="dask", n_workers=2, usable_range_m=USABLE_M),
    )
    assert local.n_tiles > 4
    pd.testing.assert_frame_equal(local.summary, dask.summary)
    pd.testing.assert_frame_equal(local.cameras, dask.cameras)
    pd.testing.assert_frame_equal(
        local.gaps.drop(columns="geometry"), dask.gaps.drop(columns="geometry")
    )
    assert [g.wkb for g in local.unions.geometry] == [g.wkb for g in dask.unions.geometry]
