"""National-scale coverage: a synthetic national scenario, and one tile from its neighbours.

The scenario (:class:`NationalScenario`) is a square block of ``tile_m`` BNG tiles
holding ``cameras`` cameras and ``buildings`` footprints, spread evenly: tile ``k``
(row-major from the south-west) holds ``total // tiles`` of each, plus one for the
first ``total % tiles`` tiles, so every count can be worked out by hand. Each tile is
drawn from its own seed (``[seed, k]``), so any tile can be made alone, in any order,
on any machine, and the same scenario is drawn every time. Buildings are rectangles
inset in a grid of plots, inside their tile.

:func:`tile_task` makes a tile's :class:`~cctvscope.coverage.tiles.TileTask` from the
cameras and buildings of its 3 × 3 neighbourhood, choosing them as
:func:`~cctvscope.coverage.engine.plan_tiles` does over a whole estate (cameras within
the core grown by the halo, buildings whose box meets that square), so a tile covered
from partitions gives what the in-memory engine gives. :func:`tile_totals` reduces a
tile's result to a few numbers, which is all a client needs to keep: with a tile's
:class:`TileAreas` (the small areas meeting it, the crime points in it), those numbers
include each of those areas' covered cells and crime points covered, partial sums the
client adds into per-area totals (tiles × areas, never cameras).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from cctvscope.coverage.raster import ZONE_METRICS
from cctvscope.coverage.raycast import FloatArray, IntArray
from cctvscope.coverage.tiles import TileResult, TileTask

#: Columns of a partitioned estate's cameras (what coverage reads).
CAMERA_COLUMNS = (
    "camera_id",
    "x_m",
    "y_m",
    "heading_deg",
    "hfov_deg",
    "resolution_h_px",
    "ptz",
    "ptz_max_zoom",
    "owner_type",
)


@dataclass(frozen=True)
class NationalScenario:
    """A synthetic national estate: counts, seed and its square block of tiles."""

    cameras: int
    buildings: int
    seed: int = 0
    tile_m: float = 1000.0
    cameras_per_tile: int = 100
    origin_tile: tuple[int, int] = (100, 100)  # BNG tile of the block's south-west corner

    def __post_init__(self) -> None:
        if self.cameras < 1 or self.buildings < 0 or self.cameras_per_tile < 1:
            raise ValueError("a scenario needs cameras >= 1, buildings >= 0, cameras_per_tile >= 1")

    @property
    def tiles(self) -> int:
        """Number of tiles (enough for ``cameras_per_tile`` each)."""
        return max(1, math.ceil(self.cameras / self.cameras_per_tile))

    @property
    def columns(self) -> int:
        """Tiles per row of the square-ish block."""
        return math.ceil(math.sqrt(self.tiles))

    def tile_of(self, k: int) -> tuple[int, int]:
        """BNG tile (tx, ty) of the ``k``-th tile."""
        return self.origin_tile[0] + k % self.columns, self.origin_tile[1] + k // self.columns

    def count(self, total: int, k: int) -> int:
        """Items of ``total`` in tile ``k``: an even share, one more for the first tiles."""
        return total // self.tiles + (1 if k < total % self.tiles else 0)

    def first(self, total: int, k: int) -> int:
        """Global position of tile ``k``'s first item."""
        return k * (total // self.tiles) + min(k, total % self.tiles)

    def tile_indices(self) -> Iterator[int]:
        """Every tile, in order."""
        return iter(range(self.tiles))

    def tile_cameras(self, k: int) -> pd.DataFrame:
        """Tile ``k``'s cameras (:data:`CAMERA_COLUMNS`): 30 % PTZ, 40–90° fixed openings,
        1280/1920/3840 px, 10 % private; ids ``nat-<global position>``."""
        n = self.count(self.cameras, k)
        rng = np.random.default_rng([self.seed, k, 0])
        tx, ty = self.tile_of(k)
        first = self.first(self.cameras, k)
        return pd.DataFrame(
            {
                "camera_id": [f"nat-{i:08d}" for i in range(first, first + n)],
                "x_m": (tx + rng.random(n)) * self.tile_m,
                "y_m": (ty + rng.random(n)) * self.tile_m,
                "heading_deg": rng.uniform(0.0, 360.0, n),
                "hfov_deg": rng.uniform(40.0, 90.0, n),
                "resolution_h_px": rng.choice(np.array([1280, 1920, 3840]), n),
                "ptz": rng.random(n) < 0.3,
                "ptz_max_zoom": 1.0,
                "owner_type": np.where(rng.random(n) < 0.1, "private", "council"),
            },
            columns=list(CAMERA_COLUMNS),
        )

    def tile_buildings(self, k: int) -> npt.NDArray[np.object_]:
        """Tile ``k``'s footprints: one rectangle per plot of a square grid of plots, each
        30–70 % of its plot a side, all inside the tile."""
        n = self.count(self.buildings, k)
        if n == 0:
            return np.empty(0, dtype=object)
        rng = np.random.default_rng([self.seed, k, 1])
        side = math.ceil(math.sqrt(n))
        plot_m = self.tile_m / side
        tx, ty = self.tile_of(k)
        cell = np.arange(n)
        x0 = tx * self.tile_m + (cell % side) * plot_m
        y0 = ty * self.tile_m + (cell // side) * plot_m
        w = rng.uniform(0.3, 0.7, n) * plot_m
        h = rng.uniform(0.3, 0.7, n) * plot_m
        dx = rng.uniform(0.0, 1.0, n) * (plot_m - w)
        dy = rng.uniform(0.0, 1.0, n) * (plot_m - h)
        boxes = shapely.box(x0 + dx, y0 + dy, x0 + dx + w, y0 + dy + h)
        return np.asarray(boxes, dtype=object)


def near_cameras(cameras: pd.DataFrame, core: tuple[float, ...], halo_m: float) -> pd.DataFrame:
    """Cameras positioned within the core grown by ``halo_m`` (as plan_tiles chooses them)."""
    x = cameras["x_m"].to_numpy(np.float64)
    y = cameras["y_m"].to_numpy(np.float64)
    # plan_tiles: floor((x - h) / t) <= tx <= floor((x + h) / t), the same half-open square.
    t = core[2] - core[0]
    tx, ty = round(core[0] / t), round(core[1] / t)
    keep = (np.floor((x - halo_m) / t) <= tx) & (np.floor((x + halo_m) / t) >= tx)
    keep &= (np.floor((y - halo_m) / t) <= ty) & (np.floor((y + halo_m) / t) >= ty)
    return cameras[keep].reset_index(drop=True)


def near_buildings(
    buildings: npt.NDArray[np.object_], core: tuple[float, ...], halo_m: float
) -> npt.NDArray[np.object_]:
    """Footprints whose bounding box meets the core grown by ``halo_m`` (plan_tiles' choice)."""
    if buildings.size == 0:
        return buildings
    x0, y0, x1, y1 = core
    b = shapely.bounds(buildings)
    keep = (b[:, 0] <= x1 + halo_m) & (b[:, 2] >= x0 - halo_m)
    keep &= (b[:, 1] <= y1 + halo_m) & (b[:, 3] >= y0 - halo_m)
    near: npt.NDArray[np.object_] = buildings[keep]
    return near


#: Zone id of a tile's core in its task (the areas' ids are >= 0).
CORE_ZONE = -1


@dataclass(frozen=True)
class TileAreas:
    """A tile's small areas (ids and polygons of those meeting its core, as
    :func:`~cctvscope.coverage.engine.plan_tiles` chooses them) and the crime points in
    its core, each with the id of the area holding it (−1: none)."""

    zone_id: IntArray
    zones: npt.NDArray[np.object_]
    point_x_m: FloatArray
    point_y_m: FloatArray
    point_zone: IntArray

    @classmethod
    def none(cls) -> TileAreas:
        e = np.zeros(0, np.int64)
        return cls(e, np.empty(0, dtype=object), np.zeros(0), np.zeros(0), e)


def tile_task(
    tx: int,
    ty: int,
    cameras: pd.DataFrame,
    reach_m: FloatArray,
    in_building: npt.NDArray[np.bool_],
    buildings: npt.NDArray[np.object_],
    *,
    tile_m: float,
    cell_m: float,
    grid_m: float,
    step_deg: float,
    areas: TileAreas | None = None,
) -> TileTask:
    """One tile's task from cameras (already chosen by :func:`near_cameras`) and buildings.

    The tile's core is its first zone (id :data:`CORE_ZONE`), then ``areas``' zones by
    their ids, with ``areas``' crime points; there are no unions or polygons.
    """
    areas = areas or TileAreas.none()
    fov = np.where(
        cameras["ptz"].fillna(False).to_numpy(bool),
        360.0,
        cameras["hfov_deg"].to_numpy(np.float64),
    )
    core = shapely.box(tx * tile_m, ty * tile_m, (tx + 1) * tile_m, (ty + 1) * tile_m)
    return TileTask(
        tx=tx,
        ty=ty,
        tile_m=tile_m,
        cell_m=cell_m,
        grid_m=grid_m,
        step_deg=step_deg,
        cam_index=np.arange(len(cameras), dtype=np.int64),
        x_m=cameras["x_m"].to_numpy(np.float64),
        y_m=cameras["y_m"].to_numpy(np.float64),
        heading_deg=cameras["heading_deg"].fillna(0.0).to_numpy(np.float64),
        fov_deg=fov,
        reach_m=np.ascontiguousarray(reach_m),
        private=cameras["owner_type"].astype(str).to_numpy() == "private",
        in_building=in_building,
        buildings=buildings,
        zone_index=np.r_[CORE_ZONE, areas.zone_id].astype(np.int64),
        zones=np.array([core, *areas.zones], dtype=object),
        point_index=np.arange(areas.point_x_m.size, dtype=np.int64),
        point_x_m=areas.point_x_m,
        point_y_m=areas.point_y_m,
        unions=False,
        polygons=False,
    )


def _no_zones(n_levels: int) -> tuple[IntArray, IntArray]:
    return np.zeros(0, np.int64), np.zeros((0, n_levels, len(ZONE_METRICS)), np.int64)


@dataclass(frozen=True)
class TileTotals:
    """What a client keeps of one tile: a few numbers per tile and per area it meets,
    whatever number of cameras the tile held."""

    tx: int
    ty: int
    cameras: int  # cameras positioned in the core
    cells: IntArray  # (L, len(ZONE_METRICS)) cell counts over the core
    visible_m2: FloatArray  # (L,) visible area of the core's cameras
    zone_id: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # (k,) areas
    zone_cells: IntArray = field(default_factory=lambda: _no_zones(0)[1])  # (k, L, metrics)
    point_zone_id: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # (p,)
    points_covered: IntArray = field(default_factory=lambda: np.zeros((0, 0), np.int64))  # (p, L)

    @classmethod
    def empty(cls, tx: int, ty: int, n_levels: int) -> TileTotals:
        zone_id, zone_cells = _no_zones(n_levels)
        cells = np.zeros((n_levels, len(ZONE_METRICS)), np.int64)
        no_points = np.zeros((0, n_levels), np.int64)
        return cls(tx, ty, 0, cells, np.zeros(n_levels), zone_id, zone_cells, zone_id, no_points)

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays (what travels from a worker to the client)."""
        arrays = (self.cells, self.visible_m2, self.zone_id, self.zone_cells)
        return sum(a.nbytes for a in (*arrays, self.point_zone_id, self.points_covered))


def tile_totals(
    result: TileResult, n_levels: int, point_zone: IntArray | None = None
) -> TileTotals:
    """A tile's result reduced to :class:`TileTotals`: the core's cells, and per area
    (ids >= 0) its covered cells and, with ``point_zone`` (the area of each of the task's
    crime points), the crime points it holds covered at each level or better."""
    core = result.zone_index == CORE_ZONE
    cells = (
        result.zone_cells[core][0]
        if core.any()
        else np.zeros((n_levels, len(ZONE_METRICS)), np.int64)
    )
    visible = result.visible_m2.sum(axis=0) if result.visible_m2.size else np.zeros(n_levels)
    zone_id, zone_cells = result.zone_index[~core], result.zone_cells[~core]
    if not zone_id.size:
        zone_id, zone_cells = _no_zones(n_levels)
    p_zone, p_cov = np.zeros(0, np.int64), np.zeros((0, n_levels), np.int64)
    if point_zone is not None and point_zone.size:
        held = point_zone >= 0
        p_zone, inverse = np.unique(point_zone[held], return_inverse=True)
        level = result.point_level[held]
        p_cov = np.zeros((p_zone.size, n_levels), np.int64)
        for lv in range(n_levels):
            np.add.at(p_cov[:, lv], inverse, level >= lv)
    return TileTotals(
        result.tx, result.ty, int(result.owned_index.size), cells, visible,
        zone_id.astype(np.int64), zone_cells.astype(np.int64), p_zone.astype(np.int64), p_cov,
    )  # fmt: skip
