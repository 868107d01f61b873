"""Occlusion: analytic square, ray-casting reference on Covent Garden, edge cases."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
import shapely

from cctvscope.coverage.detail import DetailLevel
from cctvscope.coverage.occlusion import (
    BuildingIndex,
    building_index,
    visibility_by_wedge,
    visibility_polygon,
)
from cctvscope.coverage.wedges import sector_polygons, wedges_by_level
from cctvscope.crs import BNG
from cctvscope.ingest.london import read_osm_buildings

RAYS = 20_000
ARC = 512


def raycast_area_m2(
    cx: float,
    cy: float,
    heading_deg: float,
    angle_deg: float,
    radius_m: float,
    buildings: npt.NDArray[np.object_],
    rays: int = RAYS,
) -> float:
    """Reference: Σ ½·r_i²·Δθ over rays, r_i = distance to the first building edge."""
    cam = shapely.Point(cx, cy)
    near = buildings[shapely.dwithin(buildings, cam, radius_m)]
    if np.any(shapely.contains_properly(near, cam)):
        return 0.0
    coords, idx = shapely.get_coordinates(shapely.get_rings(near), return_index=True)
    same = idx[1:] == idx[:-1]
    p, e = coords[:-1][same] - [cx, cy], (coords[1:] - coords[:-1])[same]
    full = angle_deg >= 360
    dtheta = np.radians(min(angle_deg, 360.0)) / rays
    bearing = np.radians(heading_deg - (0 if full else angle_deg / 2)) + dtheta * (
        np.arange(rays) + 0.5
    )
    free = np.full(rays, float(radius_m))
    for chunk in np.array_split(np.arange(rays), max(1, rays * len(p) // 4_000_000)):
        d = np.stack([np.sin(bearing[chunk]), np.cos(bearing[chunk])], axis=1)
        denom = d[:, None, 0] * e[None, :, 1] - d[:, None, 1] * e[None, :, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (p[None, :, 0] * e[None, :, 1] - p[None, :, 1] * e[None, :, 0]) / denom
            s = (p[None, :, 0] * d[:, None, 1] - p[None, :, 1] * d[:, None, 0]) / denom
        hit = (denom != 0) & (t >= 0) & (s >= 0) & (s <= 1)
        free[chunk] = np.minimum(free[chunk], np.where(hit, t, np.inf).min(axis=1, initial=np.inf))
    return float(np.sum(0.5 * free**2 * dtheta))


def square_index(side: float, centre_y: float) -> BuildingIndex:
    sq = shapely.box(-side / 2, centre_y - side / 2, side / 2, centre_y + side / 2)
    return building_index(gpd.GeoSeries([sq], crs=BNG))


def test_square_against_hand_formula_and_raycast() -> None:
    R, s, d = 50.0, 10.0, 20.0
    (circle,) = sector_polygons(0.0, 0.0, 0.0, 360.0, R, arc_vertices=2048)
    vis = visibility_polygon(0.0, 0.0, circle, square_index(s, d))
    # Hidden: sector between the tangent rays through the near corners, minus
    # the triangle camera-near-corners in front of the building.
    alpha = np.arctan(s / (2 * d - s))
    hidden = alpha * R**2 - 0.5 * s * (d - s / 2)
    assert vis.visible_area_m2 == pytest.approx(vis.wedge_area_m2 - hidden, rel=1e-4)
    ref = raycast_area_m2(0.0, 0.0, 0.0, 360.0, R, square_index(s, d).geometries)
    assert vis.visible_area_m2 == pytest.approx(ref, rel=1e-3)
    assert not vis.geometry.intersects(shapely.Point(0, d + s))  # behind it
    assert vis.geometry.contains(shapely.Point(0, d - s))  # in front of it


def test_camera_inside_building_sees_nothing() -> None:
    (wedge,) = sector_polygons(0.0, 20.0, 0.0, 90.0, 30.0)
    vis = visibility_polygon(0.0, 20.0, wedge, square_index(10.0, 20.0))
    assert vis.camera_in_building and vis.geometry.is_empty and vis.visible_area_m2 == 0.0
    assert vis.wedge_area_m2 > 0 and vis.visible_share == 0.0


def test_no_buildings_keeps_wedge() -> None:
    (wedge,) = sector_polygons(0.0, 0.0, 0.0, 90.0, 30.0)
    vis = visibility_polygon(0.0, 0.0, wedge, square_index(5.0, 500.0))
    assert vis.visible_share == 1.0


def covent_garden_cameras(buildings: gpd.GeoDataFrame, n: int = 20) -> pd.DataFrame:
    """Cameras at random street points (≥ 1 m from any footprint), seeded."""
    rng = np.random.default_rng(62676)
    geoms = buildings.geometry.to_numpy()
    minx, miny, maxx, maxy = buildings.total_bounds
    xs: list[float] = []
    ys: list[float] = []
    while len(xs) < n:
        x, y = rng.uniform(minx + 150, maxx - 150), rng.uniform(miny + 150, maxy - 150)
        if not shapely.dwithin(geoms, shapely.Point(x, y), 1.0).any():
            xs.append(x)
            ys.append(y)
    ptz = np.arange(n) % 5 == 0
    return pd.DataFrame(
        {
            "camera_id": [f"cg{i}" for i in range(n)],
            "x_m": xs,
            "y_m": ys,
            "heading_deg": rng.uniform(0, 360, n),
            "hfov_deg": 81.2,
            "resolution_h_px": 1920,
            "ptz": ptz,
            "ptz_max_zoom": np.where(ptz, 30.0, 1.0),
        }
    )


def test_covent_garden_matches_raycast_within_one_percent() -> None:
    buildings = read_osm_buildings("covent_garden")
    index = building_index(buildings)
    cams = covent_garden_cameras(buildings)
    wedges = wedges_by_level(cams, [DetailLevel.DETECT], usable_range_m=60.0, arc_vertices=ARC)
    vis = visibility_by_wedge(wedges, cams, index)  # speed: benchmarks/coverage.py
    angle = np.where(cams["ptz"], 360.0, cams["hfov_deg"])
    columns = (cams["x_m"], cams["y_m"], cams["heading_deg"], angle, wedges["reach_m"])
    ref = np.array(
        [
            raycast_area_m2(x, y, h, a, r, index.geometries)
            for x, y, h, a, r in zip(*(np.asarray(c, float) for c in columns), strict=True)
        ]
    )
    got = vis["visible_area_m2"].to_numpy()
    rel = np.abs(got - ref) / ref
    print(f"visible m² per camera: {np.round(got, 1)}; max rel diff {rel.max():.2e}")
    assert (ref > 0).all()
    assert (vis["visible_area_m2"] < vis["wedge_area_m2"]).any()  # buildings do occlude
    assert rel.max() < 0.01
    assert shapely.is_valid(vis.geometry.to_numpy()).all()
    assert vis.crs == BNG and not vis["camera_in_building"].any()


@pytest.mark.parametrize(
    ("cx", "cy", "geom"),
    [
        # camera 0.5 m from a 200 m wall: edges subtend nearly 180°
        (0.0, -0.5, shapely.box(-100, 0, 100, 20)),
        # camera in the courtyard (hole) of a building
        (0.0, 0.0, shapely.box(-20, -20, 20, 20).difference(shapely.box(-8, -8, 8, 8))),
        # concave L-shaped building beside the camera
        (0.0, 0.0, shapely.Polygon([(5, -10), (15, -10), (15, 20), (-10, 20), (-10, 12), (5, 12)])),
    ],
)
def test_awkward_geometry_against_raycast(cx: float, cy: float, geom: shapely.Geometry) -> None:
    index = building_index(gpd.GeoSeries([geom], crs=BNG))
    (circle,) = sector_polygons(cx, cy, 0.0, 360.0, 30.0, arc_vertices=ARC)
    vis = visibility_polygon(cx, cy, circle, index)
    ref = raycast_area_m2(cx, cy, 0.0, 360.0, 30.0, index.geometries)
    assert not vis.camera_in_building
    assert vis.visible_area_m2 == pytest.approx(ref, rel=1e-3)
