"""Synthetic city: deterministic, valid, non-overlapping, with courtyards; cameras on streets."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from cctvscope.coverage.synthetic_city import KINDS, street_points, synthetic_city
from cctvscope.crs import BNG

SIDE_M = 1_500.0


@pytest.fixture(scope="module")
def city():
    return synthetic_city(seed=7, width_m=SIDE_M, height_m=SIDE_M)


def test_same_seed_same_city_other_seed_other_city(city) -> None:
    again = synthetic_city(seed=7, width_m=SIDE_M, height_m=SIDE_M)
    assert len(again) == len(city)
    assert shapely.equals_exact(again.geometry.to_numpy(), city.geometry.to_numpy(), 0.0).all()
    other = synthetic_city(seed=8, width_m=SIDE_M, height_m=SIDE_M)
    assert (
        len(other) != len(city)
        or not shapely.equals_exact(other.geometry.to_numpy(), city.geometry.to_numpy(), 1e-6).all()
    )


def test_valid_polygons_in_bng_inside_the_extent(city) -> None:
    geoms = city.geometry.to_numpy()
    assert city.crs == BNG
    assert (shapely.get_type_id(geoms) == 3).all() and shapely.is_valid(geoms).all()
    assert set(city["kind"]) == set(KINDS)
    assert city["building_id"].tolist() == list(range(len(city)))
    minx, miny, maxx, maxy = city.total_bounds
    assert minx >= 530_000.0 and miny >= 176_000.0
    assert maxx <= 530_000.0 + SIDE_M and maxy <= 176_000.0 + SIDE_M
    assert len(city) > 300  # a 1.5 km grid of 40–120 m blocks cut into 18–45 m lots


def test_no_two_buildings_overlap_or_touch(city) -> None:
    geoms = city.geometry.to_numpy()
    # Each lot is inset by at least half of gap_m[0] = 1 m, so neighbours are ≥ 1 m apart.
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=0.99)
    assert (left == right).all()


def test_courtyards_are_holes(city) -> None:
    geoms = city.geometry.to_numpy()
    holes = shapely.get_num_interior_rings(geoms)
    yard = city["kind"].to_numpy() == "courtyard"
    assert yard.any() and (holes[yard] == 1).all() and (holes[~yard] == 0).all()
    # the hole really is open ground: its centre is not in the building
    centres = shapely.centroid(shapely.polygons(shapely.get_interior_ring(geoms[yard], 0)))
    assert not shapely.contains(geoms[yard], centres).any()
    l_shape = city["kind"].to_numpy() == "l_shape"
    assert (shapely.get_num_coordinates(geoms[l_shape]) == 7).all()


def test_building_coverage_ratio_is_city_like(city) -> None:
    # Expected share: blocks (mean 80 m) over block + street pitch (mean 97.5 m) per axis,
    # 0.82² ≈ 0.67; lots (~30 m) inset by a mean 2.5 m gap, ×(1 − 2.5/30)² ≈ 0.84 → 0.56;
    # L notches (30 % of lots, mean 0.45² of the lot) → ≈ 0.53; courtyards (a few
    # per cent) → about 0.5. Real Covent Garden footprints cover 0.40 of the bundled
    # area's bounding box (which includes open edges).
    ratio = shapely.area(city.geometry.to_numpy()).sum() / SIDE_M**2
    assert 0.40 <= ratio <= 0.58


def test_street_points_are_outside_buildings_near_a_facade(city) -> None:
    x, y = street_points(city, 2_000, seed=3)
    assert x.shape == y.shape == (2_000,)
    x2, y2 = street_points(city, 2_000, seed=3)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    geoms = city.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    points = shapely.points(x, y)
    assert tree.query(points, predicate="intersects").size == 0
    nearest = tree.query_nearest(points, return_distance=True)[1]
    assert nearest.min() >= 0.25 - 1e-9 and nearest.max() <= 3.0 + 1e-9


def test_bad_extent_raises() -> None:
    with pytest.raises(ValueError, match="positive"):
        synthetic_city(seed=0, width_m=0.0, height_m=10.0)
