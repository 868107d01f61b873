"""Inputs of the camera-placement model: candidate sites, demand points, camera model, cover sets.

Everything is in EPSG:27700 metres. The model itself (MCLP, greedy baseline)
is in :mod:`cctvscope.optimisation.placement`.

Coverage rule (stated once, used for new and existing cameras alike): a camera
at (x, y) covers a demand point when the point lies within the camera's reach
at the required detail level and, for a fixed camera, within ±HFOV/2 of its
heading; a PTZ camera is credited a full circle at its widest-angle reach
(as in :mod:`cctvscope.coverage.wedges`). Reach is the BS EN 62676-4 distance
of :func:`~cctvscope.coverage.detail.detail_distance_m`, capped at the usable
range, and taken as the slant distance from the lens at ``mount_height_m`` to a
face at ``target_height_m``, so the ground reach is √(D² − (H − h)²). With
``buildings`` given, a point also needs a clear sight line: the segment from
the camera to the point may touch but not enter any building footprint.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from cctvscope.coverage.detail import DetailLevel, FloatArray, detail_distance_m
from cctvscope.coverage.occlusion import BuildingIndex
from cctvscope.crs import BNG
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.prices import PriceBase, unit_costs_gbp

IntArray = npt.NDArray[np.int64]
SECTION = "optimisation_placement"
_DEDUP_TOLERANCE_M = 1e-6


def _value(assumptions: Assumptions, name: str) -> float:
    return float(assumptions.value(f"{SECTION}.{name}"))


@dataclass(frozen=True, slots=True)
class Points:
    """Planar points [m, EPSG:27700] with an optional weight each."""

    x_m: FloatArray
    y_m: FloatArray
    weight: FloatArray

    def __len__(self) -> int:
        return int(self.x_m.size)

    @classmethod
    def of(
        cls, x_m: npt.ArrayLike, y_m: npt.ArrayLike, weight: npt.ArrayLike | None = None
    ) -> Points:
        """Points from coordinates (weight 1 each when not given)."""
        x = np.asarray(x_m, dtype=np.float64).ravel()
        y = np.asarray(y_m, dtype=np.float64).ravel()
        w = np.ones_like(x) if weight is None else np.asarray(weight, dtype=np.float64).ravel()
        if not (x.size == y.size == w.size):
            raise ValueError("x_m, y_m and weight must have the same length")
        if np.any(w < 0) or not np.all(np.isfinite(w)):
            raise ValueError("weights must be finite and non-negative")
        return cls(x, y, w)

    def geometry(self) -> npt.NDArray[np.object_]:
        """Shapely points."""
        return np.asarray(shapely.points(self.x_m, self.y_m), dtype=object)


def _dedup(x: FloatArray, y: FloatArray, tolerance_m: float) -> Points:
    keys = np.round(np.column_stack([x, y]) / max(tolerance_m, _DEDUP_TOLERANCE_M))
    _, first = np.unique(keys, axis=0, return_index=True)
    first = np.sort(first)
    return Points.of(x[first], y[first])


def street_candidates(streets: gpd.GeoDataFrame | gpd.GeoSeries, spacing_m: float) -> Points:
    """Candidate sites every ``spacing_m`` along street centrelines, deduplicated.

    Each line gets points at 0, s, 2s, … of its length plus its far end; points
    of different lines closer than ``spacing_m / 2`` (junctions, shared ends)
    collapse onto one grid key, keeping the first.

    Parameters
    ----------
    streets
        LineString / MultiLineString centrelines in EPSG:27700.
    spacing_m
        Spacing along each line [m], positive.
    """
    if spacing_m <= 0:
        raise ValueError("spacing_m must be positive")
    geoms = streets.geometry if isinstance(streets, gpd.GeoDataFrame) else streets
    lines = shapely.get_parts(np.asarray(geoms.to_numpy(), dtype=object))
    lines = lines[~shapely.is_empty(lines)]
    if lines.size == 0:
        return Points.of([], [])
    lengths = shapely.length(lines)
    counts = np.floor(lengths / spacing_m).astype(np.int64) + 1
    owner = np.repeat(np.arange(lines.size), counts)
    starts = np.cumsum(counts) - counts
    dist = (np.arange(owner.size) - np.repeat(starts, counts)) * spacing_m
    dist = np.concatenate([dist, lengths])  # far ends
    owner = np.concatenate([owner, np.arange(lines.size)])
    pts = shapely.line_interpolate_point(lines[owner], dist)
    return _dedup(shapely.get_x(pts), shapely.get_y(pts), spacing_m / 2.0)


def grid_candidates(area: shapely.Geometry, spacing_m: float) -> Points:
    """Candidate sites on a square grid of ``spacing_m`` inside a polygon."""
    if spacing_m <= 0:
        raise ValueError("spacing_m must be positive")
    centres = _grid_centres(area, spacing_m)
    inside = shapely.contains_xy(area, centres[0], centres[1])
    return Points.of(centres[0][inside], centres[1][inside])


def _grid_centres(area: shapely.Geometry, cell_m: float) -> tuple[FloatArray, FloatArray]:
    minx, miny, maxx, maxy = shapely.bounds(area)
    xs = np.arange(minx + cell_m / 2, maxx, cell_m)
    ys = np.arange(miny + cell_m / 2, maxy, cell_m)
    gx, gy = np.meshgrid(xs, ys)
    return gx.ravel().astype(np.float64), gy.ravel().astype(np.float64)


class DemandMethod(enum.Enum):
    """How crime weights the demand cells.

    ``BURGLARY_POINTS``: police.uk street-level burglary points (12 months)
    counted per cell. ``LSOA_CRIME``: MPS total recorded crime of each LSOA
    spread by area, each cell taking (cell area / LSOA area) of the LSOA its
    centre falls in.
    """

    BURGLARY_POINTS = "burglary_points"
    LSOA_CRIME = "lsoa_crime"


def demand_from_points(area: shapely.Geometry, cell_m: float, crimes: gpd.GeoSeries) -> Points:
    """Demand cells weighted by the crime points falling in each (empty cells dropped).

    The demand point of a cell is its centre; its weight is its point count.
    """
    if cell_m <= 0:
        raise ValueError("cell_m must be positive")
    minx, miny, _, _ = shapely.bounds(area)
    pts = np.asarray(crimes.to_numpy(), dtype=object)
    pts = pts[shapely.contains(area, pts)]
    col = np.floor((shapely.get_x(pts) - minx) / cell_m).astype(np.int64)
    row = np.floor((shapely.get_y(pts) - miny) / cell_m).astype(np.int64)
    if col.size == 0:
        return Points.of([], [])
    cells, counts = np.unique(np.column_stack([col, row]), axis=0, return_counts=True)
    return Points.of(
        minx + (cells[:, 0] + 0.5) * cell_m, miny + (cells[:, 1] + 0.5) * cell_m, counts
    )


def demand_from_lsoa(area: shapely.Geometry, cell_m: float, lsoa_crime: gpd.GeoDataFrame) -> Points:
    """Demand cells weighted by LSOA total crime spread by area (see :class:`DemandMethod`)."""
    if cell_m <= 0:
        raise ValueError("cell_m must be positive")
    x, y = _grid_centres(area, cell_m)
    keep = shapely.contains_xy(area, x, y)
    x, y = x[keep], y[keep]
    geoms = np.asarray(lsoa_crime.geometry.to_numpy(), dtype=object)
    tree = shapely.STRtree(geoms)
    pt_idx, lsoa_idx = tree.query(shapely.points(x, y), predicate="within")
    density = lsoa_crime["total"].to_numpy(dtype=np.float64) / shapely.area(geoms)
    weight = np.zeros(x.size)
    weight[pt_idx] = density[lsoa_idx] * cell_m**2
    nz = weight > 0
    return Points.of(x[nz], y[nz], weight[nz])


@dataclass(frozen=True, slots=True)
class CameraModel:
    """A camera type offered for new sites.

    ``cost_gbp`` is the installed cost per site at base-year prices. A fixed
    camera is aimed at one of ``headings`` equally spaced bearings (0°, 360/n°, …)
    chosen by the model; a PTZ camera covers a full circle at its widest angle.
    """

    resolution_h_px: int
    hfov_deg: float
    mount_height_m: float
    cost_gbp: float
    ptz: bool = False
    headings: int = 8

    def __post_init__(self) -> None:
        if self.resolution_h_px <= 0 or not 0 < self.hfov_deg < 180:
            raise ValueError("resolution must be positive and hfov_deg in (0, 180)")
        if self.cost_gbp <= 0 or self.mount_height_m <= 0 or self.headings < 1:
            raise ValueError("cost, mount height and headings must be positive")

    def heading_options_deg(self) -> FloatArray:
        """Bearings the model may choose from (a single nominal 0° for an all-round PTZ camera)."""
        n = 1 if self.ptz else self.headings
        return np.arange(n, dtype=np.float64) * (360.0 / n)

    def opening_deg(self) -> float:
        """Credited opening: 360° for PTZ, else the HFOV."""
        return 360.0 if self.ptz else self.hfov_deg

    @classmethod
    def from_assumptions(
        cls, assumptions: Assumptions, cost_items: pd.DataFrame, profile: str, *, ptz: bool = False
    ) -> CameraModel:
        """The new-camera model of ``optimisation_placement`` with the profile's installation cost.

        Cost = ``camera_installation`` of the cost profile at base-year prices
        (:func:`~cctvscope.model.prices.unit_costs_gbp`), times
        ``ptz_cost_factor`` for a PTZ camera.
        """
        costs = unit_costs_gbp(cost_items, profile, PriceBase.from_assumptions(assumptions))
        install = float(costs["camera_installation"])
        prefix = "ptz_" if ptz else "fixed_"
        return cls(
            resolution_h_px=int(_value(assumptions, prefix + "resolution_h_px")),
            hfov_deg=_value(assumptions, prefix + "hfov_deg"),
            mount_height_m=_value(assumptions, "mount_height_m"),
            cost_gbp=install * (_value(assumptions, "ptz_cost_factor") if ptz else 1.0),
            ptz=ptz,
            headings=int(_value(assumptions, "headings")),
        )


def ground_reach_m(
    resolution_h_px: npt.ArrayLike,
    hfov_deg: npt.ArrayLike,
    level: DetailLevel,
    mount_height_m: npt.ArrayLike,
    target_height_m: float,
    usable_range_m: float | None,
) -> FloatArray:
    """Ground reach √(D² − (H − h)²) of the level's detail distance D (0 if D < H − h)."""
    d = detail_distance_m(resolution_h_px, hfov_deg, level.px_per_m, usable_range_m)
    drop = np.asarray(mount_height_m, dtype=np.float64) - target_height_m
    return np.asarray(np.sqrt(np.maximum(d**2 - drop**2, 0.0)), dtype=np.float64)


def _bearing_deg(dx: FloatArray, dy: FloatArray) -> FloatArray:
    return np.asarray(np.degrees(np.arctan2(dx, dy)) % 360.0, dtype=np.float64)


def _in_opening(
    bearing: FloatArray, heading: FloatArray, opening: FloatArray
) -> npt.NDArray[np.bool_]:
    off = np.abs((bearing - heading + 180.0) % 360.0 - 180.0)
    return np.asarray((opening >= 360.0) | (off <= opening / 2.0 + 1e-9), dtype=np.bool_)


def _line_of_sight(
    cx: FloatArray, cy: FloatArray, px: FloatArray, py: FloatArray, buildings: BuildingIndex | None
) -> npt.NDArray[np.bool_]:
    clear = np.ones(cx.size, dtype=np.bool_)
    if buildings is None or cx.size == 0:
        return clear
    seg = shapely.linestrings(np.stack([np.column_stack([cx, px]), np.column_stack([cy, py])], -1))
    s_idx, b_idx = buildings.tree.query(seg, predicate="intersects")
    if s_idx.size:
        enters = ~shapely.touches(seg[s_idx], buildings.geometries[b_idx])
        clear[np.unique(s_idx[enters])] = False
    return clear


def _pairs_within(sites: Points, demand: Points, radius_m: FloatArray) -> tuple[IntArray, IntArray]:
    """(site, demand) index pairs with distance ≤ the site's radius."""
    if len(sites) == 0 or len(demand) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    tree = shapely.STRtree(demand.geometry())
    buffers = shapely.buffer(sites.geometry(), np.maximum(radius_m, 0.0) + 1e-6, quad_segs=4)
    s_idx, d_idx = tree.query(buffers, predicate="intersects")
    dist = np.hypot(demand.x_m[d_idx] - sites.x_m[s_idx], demand.y_m[d_idx] - sites.y_m[s_idx])
    ok = dist <= radius_m[s_idx] + 1e-9
    return s_idx[ok].astype(np.int64), d_idx[ok].astype(np.int64)


@dataclass(frozen=True, slots=True)
class CoverSets:
    """Which demand points each option (site × heading) covers, as (option, demand) pairs."""

    option_site: IntArray
    option_heading_deg: FloatArray
    pair_option: IntArray
    pair_demand: IntArray
    reach_m: float


def cover_sets(
    sites: Points,
    demand: Points,
    camera: CameraModel,
    level: DetailLevel,
    *,
    target_height_m: float,
    usable_range_m: float | None,
    buildings: BuildingIndex | None = None,
) -> CoverSets:
    """Cover sets of every option (candidate site × discrete heading) for a camera model."""
    reach = float(
        ground_reach_m(
            camera.resolution_h_px,
            camera.hfov_deg,
            level,
            camera.mount_height_m,
            target_height_m,
            usable_range_m,
        )
    )
    headings = camera.heading_options_deg()
    s_idx, d_idx = _pairs_within(sites, demand, np.full(len(sites), reach))
    cx, cy = sites.x_m[s_idx], sites.y_m[s_idx]
    px, py = demand.x_m[d_idx], demand.y_m[d_idx]
    clear = _line_of_sight(cx, cy, px, py, buildings)
    s_idx, d_idx = s_idx[clear], d_idx[clear]
    bearing = _bearing_deg(px[clear] - cx[clear], py[clear] - cy[clear])
    near = np.hypot(px[clear] - cx[clear], py[clear] - cy[clear]) < 1e-9
    opt_parts: list[IntArray] = []
    dem_parts: list[IntArray] = []
    n_h = headings.size
    for k, h in enumerate(headings):
        inside = near | _in_opening(
            bearing, np.full(bearing.size, h), np.full(bearing.size, camera.opening_deg())
        )
        opt_parts.append(s_idx[inside] * n_h + k)
        dem_parts.append(d_idx[inside])
    return CoverSets(
        option_site=np.repeat(np.arange(len(sites), dtype=np.int64), n_h),
        option_heading_deg=np.tile(headings, len(sites)),
        pair_option=np.concatenate(opt_parts) if opt_parts else np.zeros(0, np.int64),
        pair_demand=np.concatenate(dem_parts) if dem_parts else np.zeros(0, np.int64),
        reach_m=reach,
    )


def existing_coverage(
    cameras: pd.DataFrame,
    demand: Points,
    level: DetailLevel,
    *,
    target_height_m: float,
    usable_range_m: float | None,
    buildings: BuildingIndex | None = None,
) -> npt.NDArray[np.bool_]:
    """Which demand points existing cameras already cover at the level (same rule as new ones).

    ``cameras`` needs ``x_m, y_m, heading_deg, hfov_deg, resolution_h_px,
    mount_height_m`` and optionally ``ptz`` (fixed if absent).
    """
    covered = np.zeros(len(demand), dtype=np.bool_)
    if len(cameras) == 0 or len(demand) == 0:
        return covered
    hfov = cameras["hfov_deg"].to_numpy(dtype=np.float64)
    ptz = cameras["ptz"].to_numpy(dtype=bool) if "ptz" in cameras else np.zeros(hfov.size, bool)
    reach = ground_reach_m(
        cameras["resolution_h_px"].to_numpy(dtype=np.float64),
        hfov,
        level,
        cameras["mount_height_m"].to_numpy(dtype=np.float64),
        target_height_m,
        usable_range_m,
    )
    sites = Points.of(cameras["x_m"], cameras["y_m"])
    s_idx, d_idx = _pairs_within(sites, demand, reach)
    dx = demand.x_m[d_idx] - sites.x_m[s_idx]
    dy = demand.y_m[d_idx] - sites.y_m[s_idx]
    inside = (np.hypot(dx, dy) < 1e-9) | _in_opening(
        _bearing_deg(dx, dy),
        cameras["heading_deg"].to_numpy(dtype=np.float64)[s_idx],
        np.where(ptz, 360.0, hfov)[s_idx],
    )
    s_idx, d_idx = s_idx[inside], d_idx[inside]
    clear = _line_of_sight(
        sites.x_m[s_idx], sites.y_m[s_idx], demand.x_m[d_idx], demand.y_m[d_idx], buildings
    )
    covered[d_idx[clear]] = True
    return covered


def points_frame(points: Points) -> gpd.GeoDataFrame:
    """Points as a GeoDataFrame (``x_m, y_m, weight``), EPSG:27700."""
    return gpd.GeoDataFrame(
        {"x_m": points.x_m, "y_m": points.y_m, "weight": points.weight},
        geometry=gpd.GeoSeries(points.geometry(), crs=BNG),
        crs=BNG,
    )
