"""Camera placement (MCLP): tiny instances checked by brute force; a Covent Garden smoke."""

from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cctvscope.coverage.detail import DetailLevel
from cctvscope.optimisation.placement import (
    PlacementProblem,
    greedy_placement,
    optimise_placement,
    place_cameras,
    placement_problem,
)
from cctvscope.optimisation.placement_inputs import (
    CameraModel,
    Points,
    demand_from_points,
    grid_candidates,
    street_candidates,
)

# 1920 px at 60° HFOV reaches Recognise (125 px/m) at 13.3 m; mount = target height: no drop.
PTZ = CameraModel(resolution_h_px=1920, hfov_deg=60.0, mount_height_m=1.6, cost_gbp=10.0, ptz=True)
FIXED = CameraModel(
    resolution_h_px=1920, hfov_deg=60.0, mount_height_m=1.6, cost_gbp=10.0, headings=4
)


def _problem(
    demand: Points,
    sites: Points,
    budget: float,
    camera: CameraModel = PTZ,
    existing: pd.DataFrame | None = None,
) -> PlacementProblem:
    return placement_problem(
        demand, sites, camera, budget, existing_cameras=existing, usable_range_m=None
    )


def _brute_force(problem: PlacementProblem) -> float:
    """Best new weight over every affordable set of options with one option per site."""
    covers = problem.covers
    n_opt = covers.option_site.size
    weight = problem.new_weight()
    cost = problem.option_cost_gbp
    best = 0.0
    most = int(problem.budget_gbp // cost.min()) if n_opt else 0
    for k in range(min(n_opt, most) + 1):
        for combo in itertools.combinations(range(n_opt), k):
            chosen = np.asarray(combo, dtype=np.int64)
            if cost[chosen].sum() > problem.budget_gbp + 1e-9:
                continue
            if len(set(covers.option_site[chosen].tolist())) < k:
                continue
            hit = np.unique(covers.pair_demand[np.isin(covers.pair_option, chosen)])
            best = max(best, float(weight[hit].sum()))
    return best


def _random_instance(seed: int, camera: CameraModel, budget: float) -> PlacementProblem:
    rng = np.random.default_rng(seed)
    demand = Points.of(rng.uniform(0, 40, 12), rng.uniform(0, 40, 12), rng.integers(1, 10, 12))
    sites = Points.of(rng.uniform(0, 40, 5), rng.uniform(0, 40, 5))
    return _problem(demand, sites, budget, camera)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("budget", [10.0, 20.0, 30.0])
def test_milp_matches_brute_force_ptz(seed: int, budget: float) -> None:
    problem = _random_instance(seed, PTZ, budget)
    result = optimise_placement(problem)
    assert result.outcome.is_optimal
    assert result.new_weight == pytest.approx(_brute_force(problem))
    assert result.new_weight >= result.greedy.new_weight - 1e-9
    assert result.cost_gbp <= budget + 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_milp_matches_brute_force_fixed_headings(seed: int) -> None:
    problem = _random_instance(seed, FIXED, 20.0)
    assert problem.covers.option_site.size == 5 * 4
    result = optimise_placement(problem)
    assert result.new_weight == pytest.approx(_brute_force(problem))
    assert len(set(result.sites[["x_m", "y_m"]].itertuples(index=False))) == len(result.sites)


def test_greedy_is_beaten_where_ratio_misleads() -> None:
    # The middle site covers 6 + 6 and is picked first; the two end sites cover 4 + 6 each,
    # so with two cameras the ends (20) beat the greedy middle-plus-one-end (16).
    demand = Points.of([0, 10, 30, 40], [0, 0, 0, 0], [4, 6, 6, 4])
    sites = Points.of([5, 35, 20], [0, 0, 0])
    wide = CameraModel(1920, 60.0, 1.6, 10.0, ptz=True)
    problem = placement_problem(demand, sites, wide, 20.0, usable_range_m=16.0)
    # Middle site (20, 0) reaches 10 and 30 (distance 10); ends reach a pair each.
    result = optimise_placement(problem)
    assert result.new_weight == pytest.approx(20.0)
    assert result.greedy.new_weight == pytest.approx(16.0)
    assert result.new_weight == pytest.approx(_brute_force(problem))


def test_budget_respected_and_zero_budget_places_nothing() -> None:
    demand = Points.of([0, 50, 100], [0, 0, 0], [1, 2, 3])
    sites = Points.of([0, 50, 100], [0, 0, 0])
    result = optimise_placement(_problem(demand, sites, 25.0))
    assert len(result.sites) == 2
    assert result.cost_gbp <= 25.0
    assert result.new_weight == pytest.approx(5.0)
    none = optimise_placement(_problem(demand, sites, 5.0))
    assert none.sites.empty
    assert none.new_weight == 0.0


def test_existing_coverage_excluded() -> None:
    demand = Points.of([0, 100], [0, 0], [10, 4])
    sites = Points.of([0, 100], [0, 0])
    existing = pd.DataFrame(
        {
            "x_m": [2.0],
            "y_m": [0.0],
            "heading_deg": [270.0],
            "hfov_deg": [60.0],
            "resolution_h_px": [1920],
            "mount_height_m": [1.6],
            "ptz": [False],
        }
    )
    problem = _problem(demand, sites, 10.0, existing=existing)
    assert problem.existing_covered.tolist() == [True, False]
    result = optimise_placement(problem)
    # Without the existing camera the heavier point would win; with it the other is bought.
    assert result.sites["x_m"].tolist() == [100.0]
    assert result.share_before == pytest.approx(10 / 14)
    assert result.share_after == pytest.approx(1.0)
    # A camera facing away covers nothing.
    facing_away = existing.assign(heading_deg=90.0)
    assert not _problem(demand, sites, 10.0, existing=facing_away).existing_covered.any()


def test_occlusion_blocks_sight_line() -> None:
    from cctvscope.coverage.occlusion import building_index

    demand = Points.of([10.0], [0.0], [1.0])
    sites = Points.of([0.0], [0.0])
    wall = gpd.GeoSeries([shapely.box(4, -2, 6, 2)])
    blocked = placement_problem(
        demand, sites, PTZ, 10.0, usable_range_m=None, buildings=building_index(wall)
    )
    assert blocked.covers.pair_option.size == 0
    assert _problem(demand, sites, 10.0).covers.pair_option.size == 1


def test_street_candidates_lie_on_lines_and_are_deduplicated() -> None:
    streets = gpd.GeoSeries(
        [shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(100, 0), (100, 55)])]
    )
    pts = street_candidates(streets, 20.0)
    dist = shapely.distance(shapely.points(pts.x_m, pts.y_m)[:, None], streets.to_numpy()[None, :])
    assert np.all(dist.min(axis=1) < 1e-9)
    # 0..100 every 20 (6 points) + 20, 40, 55 up the second line; the shared corner once.
    assert len(pts) == 9
    grid = grid_candidates(shapely.box(0, 0, 40, 40), 20.0)
    assert len(grid) == 4


def test_demand_from_points_counts_per_cell() -> None:
    crimes = gpd.GeoSeries(shapely.points([1, 2, 15, 99], [1, 3, 5, 99]))
    demand = demand_from_points(shapely.box(0, 0, 20, 20), 10.0, crimes)
    assert sorted(demand.weight.tolist()) == [1.0, 2.0]
    assert demand.weight.sum() == 3.0


def test_covent_garden_smoke(tmp_path: Path) -> None:
    from cctvscope.ingest import london
    from cctvscope.ingest.synthetic import build_london_estate
    from cctvscope.model.assumptions import read_assumptions
    from cctvscope.reporting.charts.placement import placement_map

    result = place_cameras(
        build_london_estate(),
        "covent_garden",
        streets=london.read_osm_streets("covent_garden"),
        crime=london.read_burglary_points(),
        buildings=london.read_osm_buildings("covent_garden"),
        budget_gbp=50_000,
        assumptions=read_assumptions(),
        cost_profile=london.DEFAULT_COST_PROFILE,
    )
    assert len(result.sites) > 0
    assert result.cost_gbp <= 50_000
    assert np.isfinite(result.share_after)
    assert result.share_after > result.share_before
    assert result.new_weight >= result.greedy.new_weight - 1e-9
    svg = placement_map(result, tmp_path / "placement.svg").read_text()
    assert "100 m" in svg
    assert "Covent Garden" in svg


def test_greedy_never_exceeds_budget() -> None:
    problem = _random_instance(3, FIXED, 35.0)
    greedy = greedy_placement(problem)
    assert greedy.cost_gbp <= 35.0
    assert greedy.options.size == 3 or greedy.new_weight == pytest.approx(
        float(problem.demand.weight[np.unique(problem.covers.pair_demand)].sum())
    )


@pytest.mark.parametrize("level", [DetailLevel.DETECT, DetailLevel.IDENTIFY])
def test_finer_level_reaches_less(level: DetailLevel) -> None:
    demand = Points.of([0.0], [0.0])
    sites = Points.of([0.0], [0.0])
    coarse = placement_problem(demand, sites, PTZ, 10.0, level=DetailLevel.RECOGNISE)
    other = placement_problem(demand, sites, PTZ, 10.0, level=level)
    assert (other.covers.reach_m < coarse.covers.reach_m) == (level.px_per_m > 125.0)
