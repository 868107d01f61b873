"""The coverage engine: what cameras see, at which detail, over which areas and crime.

Steps: reach per camera and BS EN 62676-4 level (:mod:`~cctvscope.coverage.detail`);
BNG tiles with a halo (:mod:`~cctvscope.coverage.tiles`); per tile, ray fans
against building edges and coverage painted on a 1 m grid; then sums over
LSOAs, boroughs, London and a square grid, crime points and LSOA crime inside
coverage, and gaps — grid squares with many crime points none of which is
covered at Recognise or better — ranked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from cctvscope.coverage.detail import (
    DetailLevel,
    detail_distance_m,
    ptz_reach_m,
    tasked_hfov_deg,
)
from cctvscope.coverage.raster import ZONE_METRICS
from cctvscope.coverage.raycast import RAY_STEP_DEG, FloatArray, IntArray, fan_layout
from cctvscope.coverage.tiles import (
    ProgressFn,
    TileResult,
    TileTask,
    grid_columns_rows,
    grid_keys,
    run_tiles,
)

M2_PER_KM2 = 1e6
PRIVATE = "private"


@dataclass(frozen=True)
class CoverageOptions:
    """How coverage is computed; every field is recorded with the outputs."""

    levels: tuple[DetailLevel, ...] = tuple(DetailLevel)
    # Cap on credited distance [m]; None for none. The engine reads no assumptions file:
    # cctvscope.workflows.coverage.run_coverage fills in coverage.usable_range_m.
    usable_range_m: float | None = None
    # Field of view [°] PTZ cameras' detail distances are credited at (within their lens);
    # None: their widest angle. run_coverage fills in coverage.ptz_tasked_hfov_deg.
    ptz_tasked_hfov_deg: float | None = None
    cell_m: float = 1.0
    tile_m: float = 1000.0
    grid_m: float = 250.0
    step_deg: float = RAY_STEP_DEG
    executor: str = "inprocess"
    scheduler: str | None = None
    n_workers: int = 2
    threads: int = 1
    unions: bool = True
    union_cell_m: float = 2.0
    polygons: bool = False
    gap_quantile: float = 0.9
    max_gaps: int = 100

    def __post_init__(self) -> None:
        if not self.levels:
            raise ValueError("at least one detail level is needed")
        for whole, part, what in (
            (self.tile_m, self.grid_m, "tile_m must be a multiple of grid_m"),
            (self.grid_m, self.cell_m, "grid_m must be a multiple of cell_m"),
        ):
            if part <= 0 or abs(whole / part - round(whole / part)) > 1e-9:
                raise ValueError(what)


@dataclass(frozen=True)
class CoverageInputs:
    """Areas and crime the coverage is measured against (EPSG:27700)."""

    lsoas: gpd.GeoDataFrame
    boroughs: gpd.GeoDataFrame
    crime_points: gpd.GeoSeries
    buildings: gpd.GeoSeries | None = None
    # Names the whole-region summary rows ("London", "Stockport").
    region_name: str = "London"
    # The police.uk crime type of each crime point (same order); None: types not known.
    crime_types: pd.Series | None = None
    # Columns of ``lsoas`` holding recorded crime per category (column -> category name).
    crime_categories: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CoverageResult:
    """Per-camera, per-area and per-square coverage, gaps and unions."""

    options: CoverageOptions
    cameras: pd.DataFrame
    summary: pd.DataFrame
    grid: gpd.GeoDataFrame
    gaps: gpd.GeoDataFrame
    unions: gpd.GeoDataFrame
    visibility: gpd.GeoDataFrame
    n_tiles: int
    halo_m: float
    synthetic_share: float = 0.0
    level_labels: tuple[str, ...] = field(default=())
    # Crime points in coverage per area, level and crime type (see crime_type_table).
    crime_by_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Small-area recorded crime in coverage per area, level and category (category_table).
    lsoa_crime_by_category: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def crime_types(self) -> tuple[str, ...]:
        """The crime types the crime points held, sorted (empty without crime points)."""
        if self.crime_by_type.empty:
            return ()
        return tuple(sorted(set(self.crime_by_type["crime_type"].astype(str))))


def camera_reach_m(
    cameras: pd.DataFrame,
    levels: Sequence[DetailLevel],
    usable_range_m: float | None,
    ptz_tasked_hfov_deg: float | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Credited reach and fully zoomed reach per camera and level, shape (n, L) each.

    A fixed camera's credited reach is at its field of view; a PTZ camera's at the
    tasked field of view (:func:`~cctvscope.coverage.detail.tasked_hfov_deg`), or at
    its widest angle when ``ptz_tasked_hfov_deg`` is None.
    """
    n = len(cameras)
    zoom = (
        cameras["ptz_max_zoom"].fillna(1.0).to_numpy(np.float64)
        if "ptz_max_zoom" in cameras
        else np.ones(n)
    )
    hfov = cameras["hfov_deg"].to_numpy(np.float64)
    reach = ptz_reach_m(
        cameras["resolution_h_px"].to_numpy(np.float64)[:, None],
        hfov[:, None],
        zoom[:, None],
        np.array([lv.px_per_m for lv in levels])[None, :],
        usable_range_m,
    )
    if ptz_tasked_hfov_deg is None or "ptz" not in cameras:
        return reach.wide_m, reach.zoomed_m
    ptz = cameras["ptz"].fillna(False).to_numpy(bool)
    credited = np.where(ptz, tasked_hfov_deg(hfov, zoom, ptz_tasked_hfov_deg), hfov)
    tasked = detail_distance_m(
        cameras["resolution_h_px"].to_numpy(np.float64)[:, None],
        credited[:, None],
        np.array([lv.px_per_m for lv in levels])[None, :],
        usable_range_m,
    )
    return tasked, reach.zoomed_m


def plan_tiles(
    cameras: pd.DataFrame,
    reach_m: FloatArray,
    inputs: CoverageInputs,
    options: CoverageOptions,
    in_building: npt.NDArray[np.bool_],
) -> tuple[list[TileTask], float]:
    """Split the work into BNG tile tasks; returns the tasks and the halo [m]."""
    t = options.tile_m
    halo = float(reach_m[:, 0].max()) if reach_m.size else 0.0
    if halo >= t:
        raise ValueError(f"tile_m ({t} m) must exceed the longest reach ({halo:.0f} m)")
    x = cameras["x_m"].to_numpy(np.float64)
    y = cameras["y_m"].to_numpy(np.float64)
    cam_tiles = []
    for ex in (-halo, halo):
        for ey in (-halo, halo):
            cam_tiles.append(
                np.column_stack(
                    [np.arange(x.size), np.floor((x + ex) / t), np.floor((y + ey) / t)]
                ).astype(np.int64)
            )
    pairs = np.unique(np.concatenate(cam_tiles), axis=0)
    order = np.lexsort((pairs[:, 0], pairs[:, 1], pairs[:, 2]))
    pairs = pairs[order]
    fov = np.where(
        cameras["ptz"].fillna(False).to_numpy(bool) if "ptz" in cameras else False,
        360.0,
        cameras["hfov_deg"].to_numpy(np.float64),
    )
    heading = cameras["heading_deg"].fillna(0.0).to_numpy(np.float64)
    private = cameras["owner_type"].astype(str).to_numpy() == PRIVATE
    buildings = (
        np.asarray(inputs.buildings.geometry.to_numpy(), dtype=object)
        if inputs.buildings is not None
        else np.empty(0, dtype=object)
    )
    b_tree = shapely.STRtree(buildings)
    zones = np.asarray(inputs.lsoas.geometry.to_numpy(), dtype=object)
    z_tree = shapely.STRtree(zones)
    px, py = (
        shapely.get_x(inputs.crime_points.to_numpy()),
        shapely.get_y(inputs.crime_points.to_numpy()),
    )
    p_tile = grid_keys(np.floor(px / t), np.floor(py / t))
    tasks = []
    keys = pairs[:, 1:]
    starts = np.flatnonzero(np.r_[True, np.any(keys[1:] != keys[:-1], axis=1)])
    ends = np.r_[starts[1:], len(pairs)]
    for s, e in zip(starts, ends, strict=True):
        tx, ty = int(pairs[s, 1]), int(pairs[s, 2])
        idx = pairs[s:e, 0]
        core = shapely.box(tx * t, ty * t, (tx + 1) * t, (ty + 1) * t)
        near = b_tree.query(shapely.buffer(core, halo, join_style="mitre"))
        zi = np.sort(z_tree.query(core, predicate="intersects"))
        pi = np.flatnonzero(p_tile == grid_keys(tx, ty))
        tasks.append(
            TileTask(
                tx=tx,
                ty=ty,
                tile_m=t,
                cell_m=options.cell_m,
                grid_m=options.grid_m,
                step_deg=options.step_deg,
                cam_index=idx,
                x_m=x[idx],
                y_m=y[idx],
                heading_deg=heading[idx],
                fov_deg=fov[idx],
                reach_m=np.ascontiguousarray(reach_m[idx]),
                private=private[idx],
                in_building=in_building[idx],
                buildings=buildings[np.sort(near)],
                zone_index=zi.astype(np.int64),
                zones=zones[zi],
                point_index=pi,
                point_x_m=px[pi],
                point_y_m=py[pi],
                unions=options.unions,
                union_cell_m=options.union_cell_m,
                polygons=options.polygons,
            )
        )
    return tasks, halo


def cameras_in_buildings(
    cameras: pd.DataFrame, buildings: gpd.GeoSeries | None
) -> npt.NDArray[np.bool_]:
    """Cameras strictly inside a building footprint (they are credited nothing)."""
    out = np.zeros(len(cameras), np.bool_)
    if buildings is None or len(buildings) == 0 or out.size == 0:
        return out
    pts = shapely.points(cameras["x_m"].to_numpy(np.float64), cameras["y_m"].to_numpy(np.float64))
    hit = shapely.STRtree(buildings.geometry.to_numpy()).query(pts, predicate="within")[0]
    out[hit] = True
    return out


def compute_coverage(
    cameras: pd.DataFrame,
    inputs: CoverageInputs,
    options: CoverageOptions | None = None,
    *,
    on_progress: ProgressFn | None = None,
) -> CoverageResult:
    """Coverage of ``cameras`` (an estate's camera frame) over ``inputs``' areas and crime.

    Reach is capped at ``options.usable_range_m`` (uncapped when ``None``).
    """
    options = options or CoverageOptions()
    levels = options.levels
    cameras = cameras.reset_index(drop=True)
    wide, zoomed = camera_reach_m(
        cameras, levels, options.usable_range_m, options.ptz_tasked_hfov_deg
    )
    inside = cameras_in_buildings(cameras, inputs.buildings)
    tasks, halo = plan_tiles(cameras, wide, inputs, options, inside)
    results = run_tiles(
        tasks,
        executor=options.executor,
        scheduler=options.scheduler,
        n_workers=options.n_workers,
        threads=options.threads,
        on_progress=on_progress,
    )
    from cctvscope.coverage.summaries import (
        camera_table,
        category_table,
        crime_type_table,
        gap_table,
        grid_table,
        point_lsoas,
        summary_table,
        union_table,
        visibility_table,
    )

    labels = tuple(lv.label for lv in levels)
    n_lsoa = len(inputs.lsoas)
    lsoa_cells = np.zeros((n_lsoa, len(levels), len(ZONE_METRICS)), np.int64)
    point_level = np.full(len(inputs.crime_points), -1, np.int8)
    visible = np.zeros((len(cameras), len(levels)))
    for r in results:
        np.add.at(lsoa_cells, r.zone_index, r.zone_cells)
        point_level[r.point_index] = r.point_level
        visible[r.owned_index] = r.visible_m2
    cell_m2 = options.cell_m**2
    lsoa_m2 = lsoa_cells.astype(np.float64) * cell_m2
    which = point_lsoas(inputs)  # each crime point's LSOA, for the summary and the types
    fov = np.where(cameras["ptz"].fillna(False).to_numpy(bool), 360.0, cameras["hfov_deg"])
    _, step, n_rays, full = fan_layout(cameras["heading_deg"].fillna(0.0), fov, options.step_deg)
    chords = np.where(full, n_rays, n_rays - 1)
    wedge = 0.5 * wide**2 * (chords * np.sin(step))[:, None]
    grid = grid_table(results, inputs, point_level, levels, options)
    return CoverageResult(
        options=options,
        cameras=camera_table(cameras, labels, wide, zoomed, wedge, visible, inside),
        summary=summary_table(inputs, lsoa_m2, point_level, labels, which),
        grid=grid,
        gaps=gap_table(grid, levels, options),
        unions=union_table(results, labels, inputs.boroughs),
        visibility=visibility_table(results, cameras),
        n_tiles=len(tasks),
        halo_m=halo,
        synthetic_share=float(
            (cameras["provenance"].astype(str) == "synthetic").mean()
            if "provenance" in cameras and len(cameras)
            else 0.0
        ),
        level_labels=labels,
        crime_by_type=crime_type_table(inputs, point_level, labels, which),
        lsoa_crime_by_category=category_table(inputs, lsoa_m2, labels),
    )


def merged_grid_cells(results: Sequence[TileResult]) -> tuple[IntArray, IntArray]:
    """Aggregation-square keys and their cell counts (L, 5 each), summed over tiles."""
    keys = [r.grid_key for r in results if r.grid_key.size]
    if not keys:
        return np.zeros(0, np.int64), np.zeros((0, 0, len(ZONE_METRICS)), np.int64)
    all_keys = np.concatenate(keys)
    all_cells = np.concatenate([r.grid_cells for r in results if r.grid_key.size])
    uniq, inv = np.unique(all_keys, return_inverse=True)
    out = np.zeros((uniq.size, *all_cells.shape[1:]), np.int64)
    np.add.at(out, inv, all_cells)
    return uniq, out


__all__ = [
    "CoverageInputs",
    "CoverageOptions",
    "CoverageResult",
    "camera_reach_m",
    "compute_coverage",
    "grid_columns_rows",
    "merged_grid_cells",
    "plan_tiles",
]
