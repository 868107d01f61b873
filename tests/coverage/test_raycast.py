"""Ray fans: hand-worked areas, the exact polygons on real and synthetic scenes, properties."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from cctvscope.coverage.fan_kernels import BEARING_TOL_RAD, fast_atan2
from cctvscope.coverage.occlusion import building_index, visibility_polygon
from cctvscope.coverage.raycast import (
    cast_ray_fans,
    edge_grid,
    fan_areas_m2,
    fan_layout,
    fan_polygons,
    visible_areas_m2,
)
from cctvscope.coverage.synthetic_city import street_points, synthetic_city
from cctvscope.coverage.wedges import sector_polygons
from cctvscope.crs import BNG
from cctvscope.ingest.london import read_osm_buildings

SQUARE = shapely.box(-5.0, 15.0, 5.0, 25.0)  # 10 m square centred 20 m north of the origin


def one_area(geoms: list[shapely.Geometry], heading: float, fov: float, r: float, **kw) -> float:
    fans = cast_ray_fans([0.0], [0.0], heading, fov, r, edge_grid(geoms), **kw)
    return float(fan_areas_m2(fans, [r])[0])


def exact_area(geoms: list[shapely.Geometry], heading: float, fov: float, r: float) -> float:
    (wedge,) = sector_polygons(0.0, 0.0, heading, fov, r, arc_vertices=4096)
    index = building_index(gpd.GeoSeries(geoms, crs=BNG))
    return visibility_polygon(0.0, 0.0, wedge, index).visible_area_m2


def test_square_ahead_matches_hand_formula() -> None:
    # Facing north, 90° opening, 50 m: the near face (y = 15, x ∈ [-5, 5]) subtends
    # ±α, α = atan(5/15), inside the ±45° sector; the square's far corners lie at
    # ±atan(5/25) < α, so the building sits wholly in that shadow. Hidden = the
    # circular sector of angle 2α out to 50 m minus the triangle camera-near-face.
    r = 50.0
    alpha = math.atan(5.0 / 15.0)
    hidden = alpha * r**2 - 0.5 * 10.0 * 15.0
    visible = math.pi / 4 * r**2 - hidden  # = 1234.1 m²
    assert visible == pytest.approx(1234.1, abs=0.1)
    assert one_area([SQUARE], 0.0, 90.0, r) == pytest.approx(visible, rel=0.01)
    assert exact_area([SQUARE], 0.0, 90.0, r) == pytest.approx(visible, rel=1e-4)


def test_rays_stop_on_a_wall_at_the_hand_distance() -> None:
    # A long wall 5 m north: the ray at bearing θ stops at 5 / cos θ.
    wall = shapely.box(-200.0, 5.0, 200.0, 6.0)
    fans = cast_ray_fans([0.0], [0.0], 0.0, 120.0, 60.0, edge_grid([wall]))
    theta = fans.start_rad[0] + np.arange(fans.n_rays[0]) * fans.step_rad[0]
    expected = np.minimum(5.0 / np.cos(theta), 60.0)
    np.testing.assert_allclose(fans.distance_m, expected, rtol=1e-12)


@pytest.mark.parametrize(("fov", "rays"), [(65.0, 131), (47.3, 96), (0.2, 2), (359.9, 721)])
def test_no_buildings_gives_the_polygonised_sector(fov: float, rays: int) -> None:
    r = 42.0
    fans = cast_ray_fans([10.0], [-3.0], 33.0, fov, r, edge_grid([]))
    assert int(fans.n_rays[0]) == rays  # ceil(fov / 0.5°) + 1, at least 2
    delta = math.radians(fov) / (rays - 1)
    expected = 0.5 * r**2 * (rays - 1) * math.sin(delta)
    assert fan_areas_m2(fans, [r])[0] == pytest.approx(expected, rel=1e-12)
    # and the same with buildings that are all out of reach
    far = edge_grid([shapely.box(500.0, 500.0, 520.0, 520.0)])
    fans = cast_ray_fans([10.0], [-3.0], 33.0, fov, r, far)
    assert fan_areas_m2(fans, [r])[0] == pytest.approx(expected, rel=1e-12)


def test_full_circle_no_buildings() -> None:
    r = 30.0
    fans = cast_ray_fans([0.0], [0.0], 123.0, 360.0, r, edge_grid([]))
    assert int(fans.n_rays[0]) == 720 and bool(fans.full[0])
    expected = 0.5 * r**2 * 720 * math.sin(2 * math.pi / 720)  # 720 chords, closed
    assert fan_areas_m2(fans, [r])[0] == pytest.approx(expected, rel=1e-12)


def test_full_circle_with_a_square_matches_hand_formula() -> None:
    # PTZ at its widest angle, 50 m: the whole disc minus the square's shadow.
    r = 50.0
    hidden = math.atan(5.0 / 15.0) * r**2 - 0.5 * 10.0 * 15.0
    visible = math.pi * r**2 - hidden
    assert one_area([SQUARE], 0.0, 360.0, r) == pytest.approx(visible, rel=0.01)
    assert exact_area([SQUARE], 0.0, 360.0, r) == pytest.approx(visible, rel=1e-4)


def test_camera_in_a_courtyard_sees_the_courtyard() -> None:
    # 20 × 20 m hole in a 60 × 60 m block: the hole's walls face inwards.
    block = shapely.box(-30, -30, 30, 30).difference(shapely.box(-10, -10, 10, 10))
    assert one_area([block], 0.0, 360.0, 100.0) == pytest.approx(400.0, rel=0.01)


def test_camera_inside_a_building_sees_nothing() -> None:
    grid = edge_grid([SQUARE])
    fans = cast_ray_fans([0.0], [20.0], 0.0, 90.0, 30.0, grid, in_building=[True])
    assert (fans.distance_m == 0.0).all() and bool(fans.in_building[0])
    assert fan_areas_m2(fans, [30.0])[0] == 0.0
    assert fan_polygons(fans)[0].is_empty
    # exact method agrees: a camera strictly inside sees nothing
    (wedge,) = sector_polygons(0.0, 20.0, 0.0, 90.0, 30.0)
    vis = visibility_polygon(0.0, 20.0, wedge, building_index(gpd.GeoSeries([SQUARE], crs=BNG)))
    assert vis.camera_in_building and vis.visible_area_m2 == 0.0


def random_views(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Heading, opening, range and per-level radii (n, 3): a third PTZ, the rest 40–90°."""
    rng = np.random.default_rng(seed)
    ptz = rng.uniform(size=n) < 1 / 3
    fov = np.where(ptz, 360.0, rng.uniform(40.0, 90.0, n))
    reach = rng.uniform(20.0, 60.0, n)
    radii = reach[:, None] * np.array([1.0, 0.5, 0.1])
    return rng.uniform(0, 360, n), fov, reach, radii


def exact_areas(
    x: np.ndarray,
    y: np.ndarray,
    heading: np.ndarray,
    fov: np.ndarray,
    reach: np.ndarray,
    buildings: gpd.GeoDataFrame,
) -> np.ndarray:
    """visibility_polygon areas with the arc polygonised on the fan's own bearings."""
    _, _, rays, full = fan_layout(heading, fov)
    index = building_index(buildings)
    out = np.empty(x.size)
    for i in range(x.size):
        # full circles: the fan starts at bearing 0, as sector_polygons does with heading 0
        h = 0.0 if full[i] else heading[i]
        (wedge,) = sector_polygons(x[i], y[i], h, fov[i], reach[i], arc_vertices=int(rays[i]))
        out[i] = visibility_polygon(x[i], y[i], wedge, index).visible_area_m2
    return out


def check_scene(buildings: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray, seed: int) -> None:
    heading, fov, reach, radii = random_views(x.size, seed)
    fans = cast_ray_fans(x, y, heading, fov, reach, edge_grid(buildings.geometry.to_numpy()))
    got = fan_areas_m2(fans, radii)
    ref = exact_areas(x, y, heading, fov, reach, buildings)
    assert got[:, 0].sum() == pytest.approx(ref.sum(), rel=0.01)
    rel = np.abs(got[:, 0] - ref) / ref
    assert np.median(rel) < 0.01
    open_fans = cast_ray_fans(x, y, heading, fov, reach, edge_grid([]))
    assert (ref < 0.9 * fan_areas_m2(open_fans, reach)).mean() > 0.5  # buildings do occlude
    # the two ways of measuring a fan agree, at every level
    for lv in range(radii.shape[1]):
        polys = fan_polygons(fans, radii[:, lv])
        np.testing.assert_allclose(shapely.area(polys), got[:, lv], rtol=1e-9, atol=1e-9)


def test_synthetic_city_matches_exact_polygons() -> None:
    city = synthetic_city(seed=11, width_m=800.0, height_m=800.0)
    x, y = street_points(city, 200, seed=12)
    check_scene(city, x, y, seed=13)


def test_covent_garden_matches_exact_polygons() -> None:
    buildings = read_osm_buildings("covent_garden")
    x, y = street_points(buildings, 200, seed=14)
    check_scene(buildings, x, y, seed=15)


# --- properties ------------------------------------------------------------------------

rect = st.builds(
    lambda cx, cy, w, h: shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2),
    st.floats(-50, 50),
    st.floats(-50, 50),
    st.floats(1, 25),
    st.floats(1, 25),
)
view = st.tuples(st.floats(0, 360), st.floats(5, 360), st.floats(5, 60))


@settings(max_examples=60, deadline=None)
@given(st.lists(rect, max_size=4), rect, view)
def test_adding_a_building_never_adds_area(
    buildings: list[shapely.Polygon], extra: shapely.Polygon, v: tuple[float, float, float]
) -> None:
    heading, fov, r = v
    before = one_area(buildings, heading, fov, r)
    after = one_area([*buildings, extra], heading, fov, r)
    assert after <= before + 1e-9 * max(before, 1.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(rect, max_size=5), view, st.lists(st.floats(0, 80), min_size=2, max_size=6))
def test_shrinking_the_radius_never_adds_area(
    buildings: list[shapely.Polygon], v: tuple[float, float, float], radii: list[float]
) -> None:
    heading, fov, r = v
    fans = cast_ray_fans([0.0], [0.0], heading, fov, r, edge_grid(buildings))
    ordered = np.sort(radii)[::-1]
    areas = fan_areas_m2(fans, ordered[None, :])[0]
    assert (np.diff(areas) <= 1e-9 * max(areas[0], 1.0)).all()
    assert areas[-1] >= 0.0


@settings(max_examples=60, deadline=None)
@given(st.lists(rect, max_size=5), view)
def test_area_never_exceeds_the_open_sector(
    buildings: list[shapely.Polygon], v: tuple[float, float, float]
) -> None:
    heading, fov, r = v
    fans = cast_ray_fans([0.0], [0.0], heading, fov, r, edge_grid(buildings))
    n = int(fans.n_rays[0])
    chords = n if fov >= 360 else n - 1
    open_sector = 0.5 * r**2 * chords * math.sin(float(fans.step_rad[0]))
    assert 0.0 <= fan_areas_m2(fans, [r])[0] <= open_sector * (1 + 1e-12)


# --- the fused pass (visible_areas_m2) and the kernel's parts ----------------------------


def brute_force_rays(
    x: float, y: float, theta: np.ndarray, reach: float, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Every ray against every edge, no grid and no culling: the first front face hit."""
    a = start - (x, y)
    e = end - start
    sin, cos = np.sin(theta)[:, None], np.cos(theta)[:, None]
    den = sin * e[:, 1] - cos * e[:, 0]  # (rays, edges)
    num = a[:, 0] * e[:, 1] - a[:, 1] * e[:, 0]  # < 0: the camera sees the front
    cross = a[:, 0] * cos - a[:, 1] * sin
    with np.errstate(divide="ignore", invalid="ignore"):
        t = num / den
        u = cross / den
    hit = (num < 0) & (den < 0) & (u >= 0) & (u <= 1)
    return np.minimum(np.where(hit, t, np.inf).min(axis=1, initial=np.inf), reach)


def test_rays_match_every_ray_against_every_edge_on_covent_garden() -> None:
    # A second method for the grid walk, the fan's box, the polynomial bearings and the
    # rotated sin/cos table: the same ray lengths from a plain all-pairs intersection.
    buildings = read_osm_buildings("covent_garden")
    grid = edge_grid(buildings.geometry.to_numpy())
    x, y = street_points(buildings, 40, seed=21)
    heading, fov, reach, _ = random_views(x.size, seed=22)
    fans = cast_ray_fans(x, y, heading, fov, reach, grid)
    for i in range(x.size):
        near = np.minimum(np.hypot(*(grid.start_xy - (x[i], y[i])).T), 1e9) < reach[i] + 500.0
        k = int(fans.n_rays[i])
        theta = fans.start_rad[i] + np.arange(k) * fans.step_rad[i]
        want = brute_force_rays(x[i], y[i], theta, reach[i], grid.start_xy[near], grid.end_xy[near])
        got = fans.distance_m[fans.offset[i] : fans.offset[i + 1]]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


def test_fused_areas_are_the_two_step_areas_on_real_scenes() -> None:
    for area in ("covent_garden", "clerkenwell"):
        buildings = read_osm_buildings(area)
        grid = edge_grid(buildings.geometry.to_numpy())
        x, y = street_points(buildings, 300, seed=23)
        heading, fov, reach, radii = random_views(x.size, seed=24)
        inside = np.arange(x.size) % 17 == 0  # some cameras flagged in a building
        fans = cast_ray_fans(x, y, heading, fov, reach, grid, in_building=inside)
        two_step = fan_areas_m2(fans, radii)
        fused = visible_areas_m2(x, y, heading, fov, radii, grid, in_building=inside)
        np.testing.assert_allclose(fused, two_step, rtol=1e-12, atol=1e-9)
        assert (fused[inside] == 0.0).all() and (fused[~inside, 0] > 0.0).all()


def test_fused_areas_take_radii_as_fan_areas_does() -> None:
    # one radius per camera (n,) or per camera and level (n, L); the shape comes back
    grid = edge_grid([SQUARE])
    x, y = np.array([0.0, 3.0]), np.array([0.0, -2.0])
    fans = cast_ray_fans(x, y, 0.0, [90.0, 360.0], [50.0, 30.0], grid)
    one = visible_areas_m2(x, y, 0.0, [90.0, 360.0], [50.0, 30.0], grid)
    assert one.shape == (2,)
    np.testing.assert_allclose(one, fan_areas_m2(fans, [50.0, 30.0]), rtol=1e-12)
    radii = np.array([[50.0, 20.0, 5.0], [30.0, 10.0, 1.0]])
    levels = visible_areas_m2(x, y, 0.0, [90.0, 360.0], radii, grid)
    assert levels.shape == (2, 3)
    np.testing.assert_allclose(levels, fan_areas_m2(fans, radii), rtol=1e-12)


def test_fused_open_quarter_circle_is_pi_r2_over_4() -> None:
    # 90° fan, no buildings in reach: 181 rays, 180 chords; the polygonised arc is
    # ½r²·180·sin(0.5°), within 2e-5 of πr²/4; at r/2 a quarter of that.
    r = 40.0
    grid = edge_grid([shapely.box(500.0, 500.0, 510.0, 510.0)])
    areas = visible_areas_m2([0.0], [0.0], 45.0, 90.0, [[r, r / 2]], grid)[0]
    chords = 0.5 * r**2 * 180 * math.sin(math.radians(0.5))
    assert areas[0] == pytest.approx(chords, rel=1e-12)
    assert areas[0] == pytest.approx(math.pi * r**2 / 4, rel=2e-5)
    assert areas[1] == pytest.approx(areas[0] / 4, rel=1e-12)


def test_fused_area_behind_a_wall_at_known_distance() -> None:
    # A long wall 5 m north, 120° fan facing north, reach 60 m: every ray ends on the
    # wall (5/cos 60° = 10 m < 60 m), so the visible region is the triangle with apex at
    # the camera and base 2·5·tan 60° on the wall: 25·√3 m². Clipped at 6 m: the
    # triangle while 5/cos θ ≤ 6 (|θ| ≤ acos(5/6), 5·√11 m²) plus two circular sectors.
    wall = shapely.box(-200.0, 5.0, 200.0, 6.0)
    got = visible_areas_m2([0.0], [0.0], 0.0, 120.0, [[60.0, 6.0]], edge_grid([wall]))[0]
    assert got[0] == pytest.approx(25.0 * math.sqrt(3.0), rel=1e-12)
    edge = math.acos(5.0 / 6.0)
    clipped = 5.0 * math.sqrt(11.0) + 36.0 * (math.radians(60.0) - edge)
    assert got[1] == pytest.approx(clipped, rel=1e-3)


def test_polynomial_atan2_is_within_its_tolerance() -> None:
    angles = np.linspace(-math.pi, math.pi, 20_001)
    for radius in (1e-3, 1.0, 700.0):
        xs, ys = radius * np.sin(angles), radius * np.cos(angles)
        worst = max(
            abs(math.remainder(fast_atan2(float(px), float(py)) - math.atan2(px, py), 2 * math.pi))
            for px, py in zip(xs, ys, strict=True)
        )
        assert worst < 2e-5 <= BEARING_TOL_RAD / 5


@settings(max_examples=80, deadline=None)
@given(
    st.lists(rect, min_size=1, max_size=6),
    view,
    st.tuples(st.floats(-80, 80), st.floats(-80, 80)),
    st.sampled_from([4.0, 16.0, 40.0]),
)
def test_rays_match_every_ray_against_every_edge(
    buildings: list[shapely.Polygon],
    v: tuple[float, float, float],
    at: tuple[float, float],
    cell_m: float,
) -> None:
    # Cameras anywhere (inside the grid, beside it, beyond it), any opening, any bucket
    # size: the grid walk gives the all-pairs answer.
    heading, fov, r = v
    grid = edge_grid(buildings, cell_m=cell_m)
    fans = cast_ray_fans([at[0]], [at[1]], heading, fov, r, grid)
    theta = fans.start_rad[0] + np.arange(int(fans.n_rays[0])) * fans.step_rad[0]
    want = brute_force_rays(at[0], at[1], theta, r, grid.start_xy, grid.end_xy)
    np.testing.assert_allclose(fans.distance_m, want, rtol=1e-9, atol=1e-9)
