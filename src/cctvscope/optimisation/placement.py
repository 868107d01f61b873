r"""Camera placement: a maximal covering location model of new camera sites.

Chooses new camera sites from candidate points to maximise the crime-weighted
demand newly covered at a required image-detail level within a budget, keeping
the existing cameras. It is the maximal covering location problem (MCLP) of
Church & ReVelle (1974), with the p-facility constraint replaced by a budget
and each site offering one option per discrete camera heading.

Formulation. Demand points :math:`i` (crime-weighted cells) have weight
:math:`w_i`; options :math:`o` (a candidate site :math:`s(o)` with a heading)
cost :math:`c_o`; :math:`N(i)` is the set of options covering :math:`i` (see
:mod:`cctvscope.optimisation.placement_inputs` for the coverage rule). Points
already covered by existing cameras at the level are excluded: they carry no
new weight.

.. math::

    \max \sum_i w_i u_i \quad \text{s.t.}\quad
    u_i \le \sum_{o \in N(i)} x_o,\quad
    \sum_o c_o x_o \le B,\quad
    \sum_{o: s(o) = s} x_o \le 1 \;\forall s,\quad
    x_o \in \{0, 1\},\; 0 \le u_i \le 1.

:math:`u_i` may be continuous: for binary :math:`x` an optimum has
:math:`u_i = \min(1, \sum x)`, which is 0 or 1. HiGHS solves it as a
minimisation of :math:`-\sum w_i u_i` started from the greedy solution.

The greedy baseline repeatedly adds the affordable option with the largest
newly covered weight per pound, until none adds weight.

References
----------
Church, R. and ReVelle, C. (1974). The maximal covering location problem.
*Papers of the Regional Science Association* 32, 101-118.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import geopandas as gpd
import highspy
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from cctvscope.coverage.detail import DetailLevel, FloatArray, assumed_usable_range_m
from cctvscope.coverage.occlusion import BuildingIndex, building_index
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.estate import Estate
from cctvscope.optimisation.model_builder import ModelBuilder
from cctvscope.optimisation.placement_inputs import (
    SECTION,
    CameraModel,
    CoverSets,
    DemandMethod,
    IntArray,
    Points,
    cover_sets,
    demand_from_lsoa,
    demand_from_points,
    existing_coverage,
    street_candidates,
)
from cctvscope.optimisation.solve import SolveOptions, SolveOutcome, solve

__all__ = [
    "CameraModel",
    "DemandMethod",
    "GreedyResult",
    "PlacementModel",
    "PlacementProblem",
    "PlacementResult",
    "build_placement_model",
    "extract_placement",
    "greedy_placement",
    "optimise_placement",
    "place_cameras",
    "placement_problem",
]


@dataclass(frozen=True)
class PlacementProblem:
    """One placement instance: demand, candidate options, costs and existing coverage.

    ``existing_covered[i]`` is True where existing cameras already cover demand
    point ``i`` at the level. ``option_cost_gbp`` is per option (site × heading).
    """

    demand: Points
    candidates: Points
    camera: CameraModel
    level: DetailLevel
    covers: CoverSets
    existing_covered: npt.NDArray[np.bool_]
    budget_gbp: float
    existing_cameras: pd.DataFrame
    context: dict[str, object]

    @property
    def option_cost_gbp(self) -> FloatArray:
        """Cost of each option [GBP]."""
        return np.full(self.covers.option_site.size, self.camera.cost_gbp)

    def new_weight(self) -> FloatArray:
        """Demand weight that new cameras can still add (0 where already covered)."""
        return np.where(self.existing_covered, 0.0, self.demand.weight)


def placement_problem(
    demand: Points,
    candidates: Points,
    camera: CameraModel,
    budget_gbp: float,
    *,
    level: DetailLevel = DetailLevel.RECOGNISE,
    existing_cameras: pd.DataFrame | None = None,
    target_height_m: float = 1.6,
    usable_range_m: float | None = None,
    buildings: BuildingIndex | None = None,
    context: dict[str, object] | None = None,
) -> PlacementProblem:
    """Assemble a :class:`PlacementProblem` (cover sets and existing coverage computed here)."""
    if budget_gbp < 0:
        raise ValueError("budget_gbp must be non-negative")
    cams = existing_cameras if existing_cameras is not None else pd.DataFrame()
    return PlacementProblem(
        demand=demand,
        candidates=candidates,
        camera=camera,
        level=level,
        covers=cover_sets(
            candidates,
            demand,
            camera,
            level,
            target_height_m=target_height_m,
            usable_range_m=usable_range_m,
            buildings=buildings,
        ),
        existing_covered=existing_coverage(
            cams,
            demand,
            level,
            target_height_m=target_height_m,
            usable_range_m=usable_range_m,
            buildings=buildings,
        ),
        budget_gbp=float(budget_gbp),
        existing_cameras=cams,
        context=dict(context or {}),
    )


@dataclass(frozen=True)
class PlacementModel:
    """A built HiGHS model with the maps back to options and demand points."""

    highs: highspy.Highs
    problem: PlacementProblem
    demand_index: IntArray  # demand point of each u column (after the x columns)


@dataclass(frozen=True, slots=True)
class GreedyResult:
    """The greedy baseline: chosen options, their cost and the new weight covered."""

    options: IntArray
    cost_gbp: float
    new_weight: float
    seconds: float


@dataclass(frozen=True)
class PlacementResult:
    """Outcome of a placement run.

    ``sites`` has one row per new camera: ``x_m, y_m, heading_deg, ptz,
    cost_gbp, new_weight`` (weight it covers that nothing else chosen or
    existing covers first, in pick order for greedy, option order for MILP).
    Weights are crime counts (or crime per cell, see :class:`DemandMethod`).
    """

    sites: pd.DataFrame
    cost_gbp: float
    budget_gbp: float
    level: DetailLevel
    reach_m: float
    total_weight: float
    existing_weight: float
    new_weight: float
    greedy: GreedyResult
    outcome: SolveOutcome
    covered: npt.NDArray[np.bool_]
    problem: PlacementProblem

    @property
    def covered_weight(self) -> float:
        """Weight covered after placement (existing + new)."""
        return self.existing_weight + self.new_weight

    @property
    def share_before(self) -> float:
        """Share of demand weight covered by existing cameras."""
        return self.existing_weight / self.total_weight if self.total_weight > 0 else 0.0

    @property
    def share_after(self) -> float:
        """Share of demand weight covered after placement."""
        return self.covered_weight / self.total_weight if self.total_weight > 0 else 0.0

    @property
    def greedy_share_after(self) -> float:
        """Share covered after the greedy baseline's placement."""
        if self.total_weight <= 0:
            return 0.0
        return (self.existing_weight + self.greedy.new_weight) / self.total_weight


def _option_demand_lists(problem: PlacementProblem) -> tuple[IntArray, IntArray]:
    """CSR layout of the cover sets by option (pointer, demand indices)."""
    covers = problem.covers
    order = np.argsort(covers.pair_option, kind="stable")
    counts = np.bincount(covers.pair_option, minlength=covers.option_site.size)
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return ptr, covers.pair_demand[order]


def greedy_placement(problem: PlacementProblem) -> GreedyResult:
    """Greedy baseline: add the option with the best new weight per pound until none helps."""
    start = time.perf_counter()
    ptr, dem = _option_demand_lists(problem)
    weight = problem.new_weight().copy()
    cost = problem.option_cost_gbp
    site = problem.covers.option_site
    n_opt = site.size
    available = np.ones(n_opt, dtype=np.bool_)
    left = problem.budget_gbp
    chosen: list[int] = []
    gained = 0.0
    while True:
        sums = np.add.reduceat(np.append(weight[dem], 0.0), ptr[:-1]) if dem.size else np.zeros(0)
        gains = np.where(np.diff(ptr) > 0, sums[:n_opt], 0.0) if dem.size else np.zeros(n_opt)
        ok = available & (cost <= left + 1e-9) & (gains > 0)
        if not ok.any():
            break
        ratio = np.where(ok, gains / cost, -np.inf)
        best = int(np.argmax(ratio))
        chosen.append(best)
        gained += float(gains[best])
        left -= float(cost[best])
        weight[dem[ptr[best] : ptr[best + 1]]] = 0.0
        available[site == site[best]] = False
    options = np.asarray(chosen, dtype=np.int64)
    return GreedyResult(
        options=options,
        cost_gbp=float(cost[options].sum()),
        new_weight=gained,
        seconds=time.perf_counter() - start,
    )


def build_placement_model(
    problem: PlacementProblem, start: GreedyResult | None = None
) -> PlacementModel:
    """Build the MCLP in HiGHS (see the module docstring), optionally from a start solution.

    Columns: one binary per option, then one continuous u per demand point that
    has positive new weight and is covered by some option. Rows: one coverage
    row per u, the budget row, one single-heading row per multi-option site.
    """
    covers = problem.covers
    n_opt = covers.option_site.size
    weight = problem.new_weight()
    useful = np.zeros(len(problem.demand), dtype=np.bool_)
    useful[covers.pair_demand] = True
    useful &= weight > 0
    demand_index = np.flatnonzero(useful).astype(np.int64)
    u_col = np.full(len(problem.demand), -1, dtype=np.int64)
    u_col[demand_index] = n_opt + np.arange(demand_index.size)
    n_u = demand_index.size

    mb = ModelBuilder()
    x = mb.add_variables("x", n_opt, integer=True)
    u = mb.add_variables("u", n_u, cost=-weight[demand_index])
    # Coverage rows: u_i - sum_{o in N(i)} x_o <= 0.
    keep = useful[covers.pair_demand]
    p_dem, p_opt = covers.pair_demand[keep], covers.pair_option[keep]
    row_of = u_col[p_dem] - n_opt
    mb.add_constraints("coverage", n_u, np.concatenate([np.arange(n_u), row_of]),
                       np.concatenate([u.all(), x.at(p_opt)]),
                       np.concatenate([np.ones(n_u), -np.ones(p_opt.size)]),
                       upper=0.0)  # fmt: skip
    if n_opt:
        mb.add_constraints("budget", 1, np.zeros(n_opt), x.all(), problem.option_cost_gbp,
                           upper=problem.budget_gbp)  # fmt: skip
    # One heading per site.
    per_site = problem.camera.heading_options_deg().size
    if per_site > 1 and n_opt:
        n_sites = n_opt // per_site
        mb.add_constraints("one_heading", n_sites, np.arange(n_opt) // per_site, x.all(), 1.0,
                           upper=1.0)  # fmt: skip
    highs = mb.build().highs
    if start is not None and n_opt:
        x0 = np.zeros(n_opt + n_u)
        x0[start.options] = 1.0
        covered = np.zeros(len(problem.demand), dtype=np.bool_)
        covered[covers.pair_demand[np.isin(covers.pair_option, start.options)]] = True
        x0[n_opt:] = covered[demand_index].astype(np.float64)
        nz = np.flatnonzero(x0 > 0).astype(np.int32)
        highs.setSolution(int(nz.size), nz, x0[nz])
    return PlacementModel(highs=highs, problem=problem, demand_index=demand_index)


def _covered_by(problem: PlacementProblem, options: IntArray) -> npt.NDArray[np.bool_]:
    covered = problem.existing_covered.copy()
    covers = problem.covers
    covered[covers.pair_demand[np.isin(covers.pair_option, options)]] = True
    return covered


def _sites_frame(problem: PlacementProblem, options: IntArray) -> pd.DataFrame:
    covers = problem.covers
    site = covers.option_site[options]
    seen = problem.existing_covered.copy()
    gains: list[float] = []
    for o in options:
        pts = covers.pair_demand[covers.pair_option == o]
        fresh = pts[~seen[pts]]
        gains.append(float(problem.demand.weight[np.unique(fresh)].sum()))
        seen[pts] = True
    return pd.DataFrame(
        {
            "x_m": problem.candidates.x_m[site],
            "y_m": problem.candidates.y_m[site],
            "heading_deg": covers.option_heading_deg[options],
            "ptz": np.full(options.size, problem.camera.ptz),
            "cost_gbp": problem.option_cost_gbp[options],
            "new_weight": np.asarray(gains, dtype=np.float64),
        }
    )


def extract_placement(
    model: PlacementModel, outcome: SolveOutcome, greedy: GreedyResult
) -> PlacementResult:
    """Read the chosen options out of a solved model into a :class:`PlacementResult`.

    Without a solution (infeasible cannot happen: all-zero is feasible; a time
    limit before any incumbent can), the greedy options are reported.
    """
    problem = model.problem
    n_opt = problem.covers.option_site.size
    if outcome.has_solution and n_opt:
        x = np.asarray(model.highs.getSolution().col_value[:n_opt], dtype=np.float64)
        options = np.flatnonzero(x > 0.5).astype(np.int64)
    else:
        options = greedy.options
    covered = _covered_by(problem, options)
    weight = problem.demand.weight
    existing = float(weight[problem.existing_covered].sum())
    sites = _sites_frame(problem, options)
    return PlacementResult(
        sites=sites,
        cost_gbp=float(sites["cost_gbp"].sum()),
        budget_gbp=problem.budget_gbp,
        level=problem.level,
        reach_m=problem.covers.reach_m,
        total_weight=float(weight.sum()),
        existing_weight=existing,
        new_weight=float(weight[covered].sum()) - existing,
        greedy=greedy,
        outcome=outcome,
        covered=covered,
        problem=problem,
    )


def optimise_placement(
    problem: PlacementProblem, options: SolveOptions | None = None
) -> PlacementResult:
    """Greedy baseline, then build → solve → extract the MCLP started from it."""
    greedy = greedy_placement(problem)
    model = build_placement_model(problem, start=greedy)
    outcome = solve(model.highs, options)
    return extract_placement(model, outcome, greedy)


def _area_cameras(estate: Estate, area: shapely.Geometry) -> pd.DataFrame:
    cams = estate.cameras
    inside = shapely.contains_xy(
        area, cams["x_m"].to_numpy(dtype=np.float64), cams["y_m"].to_numpy(dtype=np.float64)
    )
    frame = pd.DataFrame(cams[inside])
    if "status" in frame:
        frame = frame[frame["status"].astype(str) == "operational"]
    return frame.reset_index(drop=True)


def place_cameras(
    estate: Estate,
    area: str,
    *,
    streets: gpd.GeoDataFrame,
    crime: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | None,
    budget_gbp: float,
    assumptions: Assumptions,
    cost_profile: str,
    level: DetailLevel = DetailLevel.RECOGNISE,
    ptz: bool = False,
    demand_method: DemandMethod = DemandMethod.BURGLARY_POINTS,
    candidate_spacing_m: float | None = None,
    cell_m: float | None = None,
    options: SolveOptions | None = None,
) -> PlacementResult:
    """Place new cameras in one study area named ``area`` (e.g. an OSM extract's area).

    Study area: the bounding box of ``streets``. Candidates: points along those
    streets every ``candidate_spacing_m``. Demand: cells of ``cell_m`` weighted
    per ``demand_method`` from ``crime``: crime points (a GeoDataFrame of point
    geometries) for ``BURGLARY_POINTS``, LSOA crime (polygons with ``total``) for
    ``LSOA_TOTAL``. Existing cameras: the estate's operational cameras in the
    study area, credited by the same coverage rule. ``buildings`` (footprints)
    block sight lines for new and existing cameras alike; ``None`` places without
    occlusion. Defaults come from the ``optimisation_placement`` section of
    ``assumptions``; the range cap is its ``coverage.usable_range_m``. The data
    comes in as arguments: :func:`cctvscope.workflows.options.run_placement`
    reads the bundled London areas.
    """
    a = assumptions
    spacing = candidate_spacing_m or float(a.value(f"{SECTION}.candidate_spacing_m"))
    cell = cell_m or float(a.value(f"{SECTION}.demand_cell_m"))
    study = shapely.box(*streets.total_bounds)
    if demand_method is DemandMethod.BURGLARY_POINTS:
        demand = demand_from_points(study, cell, crime.geometry)
    else:
        demand = demand_from_lsoa(study, cell, crime)
    index = building_index(buildings) if buildings is not None else None
    camera = CameraModel.from_assumptions(a, estate.cost_items, cost_profile, ptz=ptz)
    problem = placement_problem(
        demand,
        street_candidates(streets, spacing),
        camera,
        budget_gbp,
        level=level,
        existing_cameras=_area_cameras(estate, study),
        target_height_m=float(a.value(f"{SECTION}.target_height_m")),
        usable_range_m=assumed_usable_range_m(a),
        buildings=index,
        context={
            "area": area,
            "study_area": study,
            "streets": gpd.GeoSeries(streets.geometry, crs=streets.crs),
            "buildings": buildings,
            "demand_method": demand_method.value,
            "cell_m": cell,
            "candidate_spacing_m": spacing,
        },
    )
    return optimise_placement(problem, options)
