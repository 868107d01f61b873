"""Coverage of an estate of any size, tile by tile from partitioned files, on Dask or in process.

A *partitioned estate* is a folder: ``estate.json`` (counts, tile size, the tiles
that hold cameras), ``cameras/TX_TY.parquet`` (the cameras positioned in BNG tile
(TX, TY)) and ``buildings/TX_TY.parquet`` (GeoParquet: the footprints whose box meets
the tile, with a ``building_id`` so that one spanning tiles is counted once).
``cctvscope bench-estate`` writes a synthetic national one
(:class:`~cctvscope.coverage.national.NationalScenario`); :func:`partition_estate`
writes one from frames in memory (a stored estate).

:func:`cover_partitioned` runs two passes of tile tasks through
:func:`~cctvscope.coverage.bounded.run_bounded` (at most ``max_in_flight`` unfinished):
the longest reach (the halo) with each camera tile's box of positions, then coverage
of the tiles those boxes grown by the halo meet (:func:`reached_tiles`). A coverage task
is only a tile's address: the worker reads the 3 × 3 neighbourhood's partitions, covers
the tile
(:func:`~cctvscope.coverage.tiles.cover_tile`), writes its aggregation squares and
camera areas to ``OUT/grid/TX_TY.parquet`` and ``OUT/cameras/TX_TY.parquet`` and
returns a few totals, which are all the client keeps. Client memory is therefore flat
in the number of cameras; the halo must be shorter than a tile, as in process.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from cctvscope.coverage.bounded import BoundedExecutor, ThreadTiles, run_bounded
from cctvscope.coverage.detail import DetailLevel
from cctvscope.coverage.national import (
    CAMERA_COLUMNS,
    NationalScenario,
    TileAreas,
    TileTotals,
    near_buildings,
    near_cameras,
    tile_task,
    tile_totals,
)
from cctvscope.coverage.raster import ZONE_METRICS
from cctvscope.coverage.raycast import RAY_STEP_DEG
from cctvscope.coverage.tiles import DaskSubmit, dask_client

MANIFEST = "estate.json"
KIND = "cctvscope partitioned estate"

#: Called with a step ("write", "halo", "cover") and the tiles just done.
ProgressFn = Callable[[str, int], None]


@dataclass(frozen=True)
class PartitionedEstate:
    """A partitioned estate's manifest."""

    root: Path
    name: str
    tile_m: float
    cameras: int
    buildings: int
    camera_tiles: npt.NDArray[np.int64]  # (n, 2) tiles holding cameras
    zones: int = 0  # small areas written per tile (zones/, points/), 0 when none

    @classmethod
    def open(cls, root: Path) -> PartitionedEstate:
        """Read ``root/estate.json`` (ValueError when it is not a partitioned estate)."""
        path = root / MANIFEST
        try:
            meta = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"{root} is not a partitioned estate ({path}: {exc})") from exc
        if meta.get("kind") != KIND:
            raise ValueError(f"{path} is not a partitioned estate's manifest")
        tiles = np.asarray(meta["camera_tiles"], dtype=np.int64).reshape(-1, 2)
        return cls(
            root,
            meta["name"],
            float(meta["tile_m"]),
            meta["cameras"],
            meta["buildings"],
            tiles,
            int(meta.get("zones", 0)),
        )


# --- writing ---------------------------------------------------------------------------------


def _tile_name(tx: int, ty: int) -> str:
    return f"{tx}_{ty}.parquet"


def _write_tile(root: Path, tx: int, ty: int, cameras: pd.DataFrame, buildings: Any) -> None:
    import geopandas as gpd

    if len(cameras):
        cameras.to_parquet(root / "cameras" / _tile_name(tx, ty), index=False)
    if len(buildings):
        frame = gpd.GeoDataFrame(buildings, geometry="geometry", crs="EPSG:27700")
        frame.to_parquet(root / "buildings" / _tile_name(tx, ty), index=False)


def _write_manifest(
    root: Path,
    name: str,
    tile_m: float,
    n_cam: int,
    n_bld: int,
    tiles: list[tuple[int, int]],
    extra: dict[str, Any],
) -> PartitionedEstate:
    meta = {
        "kind": KIND,
        "name": name,
        "tile_m": tile_m,
        "cameras": n_cam,
        "buildings": n_bld,
        "camera_tiles": [list(t) for t in tiles],
        **extra,
    }
    (root / MANIFEST).write_text(json.dumps(meta))
    return PartitionedEstate.open(root)


def _new_root(root: Path) -> None:
    if (root / MANIFEST).exists() or ((root / "cameras").exists()):
        raise ValueError(f"{root} already holds a partitioned estate; choose a new folder")
    (root / "cameras").mkdir(parents=True)
    (root / "buildings").mkdir()


def write_scenario(
    scenario: NationalScenario, root: Path, *, on_progress: ProgressFn | None = None
) -> PartitionedEstate:
    """Draw the scenario tile by tile into ``root`` (memory: one tile at a time)."""
    _new_root(root)
    tiles = []
    for k in scenario.tile_indices():
        tx, ty = scenario.tile_of(k)
        cams = scenario.tile_cameras(k)
        boxes = scenario.tile_buildings(k)
        first = scenario.first(scenario.buildings, k)
        blds = pd.DataFrame(
            {"building_id": np.arange(first, first + boxes.size, dtype=np.int64), "geometry": boxes}
        )
        _write_tile(root, tx, ty, cams, blds)
        tiles.append((tx, ty))
        if on_progress is not None:
            on_progress("write", 1)
    extra = {"seed": scenario.seed, "cameras_per_tile": scenario.cameras_per_tile}
    name = f"national-{scenario.cameras}-{scenario.buildings}-{scenario.seed}"
    return _write_manifest(
        root, name, scenario.tile_m, scenario.cameras, scenario.buildings, tiles, extra
    )


def partition_estate(
    name: str,
    cameras: pd.DataFrame,
    buildings: Any,
    root: Path,
    *,
    tile_m: float = 1000.0,
) -> PartitionedEstate:
    """Write cameras (:data:`CAMERA_COLUMNS`) and footprints (a GeoSeries or array of
    polygons, EPSG:27700) as a partitioned estate; a footprint goes to every tile its box
    meets."""

    _new_root(root)
    cams = cameras.reset_index(drop=True)
    for column, default in (("ptz", False), ("ptz_max_zoom", 1.0), ("owner_type", "")):
        if column not in cams:
            cams[column] = default
    cams = cams[list(CAMERA_COLUMNS)]
    geoms = np.asarray(getattr(buildings, "to_numpy", lambda: buildings)(), dtype=object)
    cam_tx = np.floor(cams["x_m"].to_numpy(np.float64) / tile_m).astype(np.int64)
    cam_ty = np.floor(cams["y_m"].to_numpy(np.float64) / tile_m).astype(np.int64)
    tiles = sorted(set(zip(cam_tx.tolist(), cam_ty.tolist(), strict=True)))
    b_tiles = building_tiles(geoms, tile_m)
    for key in sorted(set(tiles) | set(b_tiles)):
        mine = (cam_tx == key[0]) & (cam_ty == key[1])
        ids = b_tiles.get(key, np.zeros(0, np.int64))
        blds = pd.DataFrame({"building_id": ids, "geometry": geoms[ids]})
        _write_tile(root, key[0], key[1], cams[mine].reset_index(drop=True), blds)
    return _write_manifest(root, name, tile_m, len(cams), int(geoms.size), tiles, {})


def building_tiles(
    geoms: npt.NDArray[np.object_], tile_m: float
) -> dict[tuple[int, int], npt.NDArray[np.int64]]:
    """Positions of the footprints whose box meets each tile (a footprint in every tile
    its box meets), by tile."""
    import shapely

    if geoms.size == 0:
        return {}
    b = shapely.bounds(geoms)
    lo = np.floor(b[:, :2] / tile_m).astype(np.int64)
    span = np.floor(b[:, 2:] / tile_m).astype(np.int64) - lo + 1
    # One row per (footprint, tile it meets): most footprints meet one tile.
    count = span[:, 0] * span[:, 1]
    ids = np.repeat(np.arange(geoms.size, dtype=np.int64), count)
    k = np.arange(ids.size) - np.repeat(np.cumsum(count) - count, count)
    return by_tile(lo[ids, 0] + k % span[ids, 0], lo[ids, 1] + k // span[ids, 0], ids)


def by_tile(
    tx: npt.ArrayLike, ty: npt.ArrayLike, ids: npt.NDArray[np.int64] | None = None
) -> dict[tuple[int, int], npt.NDArray[np.int64]]:
    """``ids`` (default: positions) grouped by their tile (tx, ty), ascending in each."""
    x, y = np.asarray(tx, np.int64), np.asarray(ty, np.int64)
    ids = np.arange(x.size, dtype=np.int64) if ids is None else ids
    if x.size == 0:
        return {}
    order = np.lexsort((ids, y, x))
    ids, x, y = ids[order], x[order], y[order]
    starts = np.flatnonzero(np.r_[True, (x[1:] != x[:-1]) | (y[1:] != y[:-1])])
    ends = np.r_[starts[1:], ids.size]
    return {(int(x[s]), int(y[s])): ids[s:e] for s, e in zip(starts, ends, strict=True)}


# --- one tile, on a worker -------------------------------------------------------------------


@dataclass(frozen=True)
class TileJob:
    """A tile's address and the options: all a worker is sent (a few hundred bytes)."""

    root: str
    out: str | None
    tx: int
    ty: int
    tile_m: float
    cell_m: float
    grid_m: float
    step_deg: float
    levels: tuple[str, ...]  # DetailLevel names
    usable_range_m: float | None
    halo_m: float = 0.0
    ptz_tasked_hfov_deg: float | None = None


def _levels(job: TileJob) -> tuple[DetailLevel, ...]:
    return tuple(DetailLevel[v] for v in job.levels)


#: Partitions a worker keeps read: each is read by the 9 tiles around it, and tiles arrive
#: in (tx, ty) order, so three columns of the block are enough to read most files once.
#: About 100 kB per partition at 500 buildings a tile: 100 MB at most per worker.
PARTITION_CACHE = 1024


def _partition(path: Path, geo: bool) -> pd.DataFrame | None:
    """One partition file, or None where the tile holds nothing (callers do not modify it).

    Kept by path, size and modification time: a folder written again is read again.
    """
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return _read_partition(str(path), geo, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=PARTITION_CACHE)
def _read_partition(path: str, geo: bool, _size: int, _mtime_ns: int) -> pd.DataFrame:
    """A partition; a GeoParquet's ``geometry`` (WKB) decoded to shapely geometries.

    Read by pyarrow and decoded by shapely directly: GeoPandas' reader (CRS and metadata
    handling) cost more than the rest of reading a tile's nine partitions.
    """
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    table = pq.read_table(path)
    if not geo:
        plain: pd.DataFrame = table.to_pandas()
        return plain
    import shapely

    frame: pd.DataFrame = table.drop_columns(["geometry"]).to_pandas()
    wkb = table.column("geometry").to_numpy(zero_copy_only=False)
    frame["geometry"] = shapely.from_wkb(wkb)
    return frame


def _read_neighbourhood(job: TileJob, kind: str) -> list[pd.DataFrame]:
    root = Path(job.root) / kind
    frames = []
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            path = root / _tile_name(job.tx + dx, job.ty + dy)
            frame = _partition(path, kind == "buildings")
            if frame is not None:
                frames.append(frame)
    return frames


def tile_max_reach(job: TileJob) -> tuple[float, tuple[float, float, float, float]]:
    """Longest reach [m] at the coarsest level of the cameras positioned in the tile, and
    the box (xmin, ymin, xmax, ymax) of their positions."""
    from cctvscope.coverage.engine import camera_reach_m

    path = Path(job.root) / "cameras" / _tile_name(job.tx, job.ty)
    cams = pd.read_parquet(path)
    wide, _ = camera_reach_m(cams, _levels(job), job.usable_range_m, job.ptz_tasked_hfov_deg)
    x, y = cams["x_m"].to_numpy(np.float64), cams["y_m"].to_numpy(np.float64)
    box = (float(x.min()), float(y.min()), float(x.max()), float(y.max()))
    return (float(wide[:, 0].max()) if wide.size else 0.0), box


def cover_partition_tile(job: TileJob) -> TileTotals:
    """Cover one tile from its neighbourhood's partitions; write its squares and camera areas."""
    import geopandas as gpd

    from cctvscope.coverage.engine import camera_reach_m, cameras_in_buildings
    from cctvscope.coverage.tiles import cover_tile

    levels = _levels(job)
    t = job.tile_m
    core = (job.tx * t, job.ty * t, (job.tx + 1) * t, (job.ty + 1) * t)
    frames = _read_neighbourhood(job, "cameras")
    cams = near_cameras(pd.concat(frames, ignore_index=True), core, job.halo_m) if frames else None
    if cams is None or cams.empty:
        return TileTotals.empty(job.tx, job.ty, len(levels))
    b_frames = _read_neighbourhood(job, "buildings")
    geoms = np.empty(0, dtype=object)
    if b_frames:
        blds = pd.concat(b_frames, ignore_index=True).drop_duplicates("building_id")
        all_near = np.asarray(blds["geometry"].to_numpy(), dtype=object)
        geoms = near_buildings(all_near, core, job.halo_m)
    wide, _ = camera_reach_m(cams, levels, job.usable_range_m, job.ptz_tasked_hfov_deg)
    inside = cameras_in_buildings(cams, gpd.GeoSeries(geoms) if geoms.size else None)
    areas = _tile_areas(job)
    task = tile_task(
        job.tx, job.ty, cams, wide, inside, geoms,
        tile_m=t, cell_m=job.cell_m, grid_m=job.grid_m, step_deg=job.step_deg, areas=areas,
    )  # fmt: skip
    result = cover_tile(task)
    if job.out is not None:
        _write_tile_result(Path(job.out), job, result, cams, levels)
    return tile_totals(result, len(levels), areas.point_zone)


def _tile_areas(job: TileJob) -> TileAreas:
    """The tile's small areas and crime points (``zones/``, ``points/``), if written."""
    root, name = Path(job.root), _tile_name(job.tx, job.ty)
    zones = _partition(root / "zones" / name, geo=True)
    points = _partition(root / "points" / name, geo=False)
    none = TileAreas.none()
    return TileAreas(
        zones["zone"].to_numpy(np.int64) if zones is not None else none.zone_id,
        np.asarray(zones["geometry"].to_numpy(), dtype=object) if zones is not None else none.zones,
        points["x_m"].to_numpy(np.float64) if points is not None else none.point_x_m,
        points["y_m"].to_numpy(np.float64) if points is not None else none.point_y_m,
        points["zone"].to_numpy(np.int64) if points is not None else none.point_zone,
    )


def _write_tile_result(
    out: Path, job: TileJob, result: Any, cams: pd.DataFrame, levels: tuple[DetailLevel, ...]
) -> None:
    labels = np.array([lv.label for lv in levels], dtype=object)
    n_sq, n_lv = result.grid_key.size, len(labels)
    grid = {
        "grid_key": np.repeat(result.grid_key, n_lv),
        "level": np.tile(labels, n_sq),
        **{f"{m}_cells": result.grid_cells[:, :, j].ravel() for j, m in enumerate(ZONE_METRICS)},
    }
    owned = result.owned_index
    cameras = {
        "camera_id": np.repeat(cams["camera_id"].to_numpy(dtype=object)[owned], n_lv),
        "level": np.tile(labels, owned.size),
        "visible_area_m2": result.visible_m2.ravel(),
    }
    for kind, columns in (("grid", grid), ("cameras", cameras)):
        (out / kind).mkdir(parents=True, exist_ok=True)
        write_columns(out / kind / _tile_name(job.tx, job.ty), columns)


def write_columns(path: Path, columns: dict[str, Any]) -> None:
    """A Parquet file of ``columns`` (name: 1-d array), written by pyarrow from the arrays:
    making a DataFrame first cost more than the writing (a tile's files are small)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({name: pa.array(values) for name, values in columns.items()}), path)


# --- the client ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PartitionedCoverage:
    """Totals over every tile: what the client kept."""

    levels: tuple[str, ...]
    tiles_run: int
    cameras: int
    halo_m: float
    cells: npt.NDArray[np.int64]  # (L, len(ZONE_METRICS))
    visible_m2: npt.NDArray[np.float64]  # (L,)
    cell_m: float
    # Per small area (the estate's zones): cells (Z, L, metrics), crime points covered (Z, L).
    zone_cells: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, 0, 0), np.int64))
    zone_points_covered: npt.NDArray[np.int64] = field(
        default_factory=lambda: np.zeros((0, 0), np.int64)
    )

    def table(self) -> pd.DataFrame:
        """Per level: covered area and the others of ZONE_METRICS [km²], visible area [km²]."""
        km2 = self.cell_m**2 / 1e6
        out = pd.DataFrame({"level": list(self.levels)})
        for j, m in enumerate(ZONE_METRICS):
            out[f"{m}_km2"] = self.cells[:, j] * km2
        out["camera_visible_km2"] = self.visible_m2 / 1e6
        return out


def coverage_tiles(estate: PartitionedEstate) -> Iterator[tuple[int, int]]:
    """Tiles that a camera may reach: those holding cameras and their 8 neighbours."""
    tiles = estate.camera_tiles
    if tiles.size == 0:
        return iter(())
    offsets = np.array([(dx, dy) for dy in (-1, 0, 1) for dx in (-1, 0, 1)], dtype=np.int64)
    grown = (tiles[:, None, :] + offsets[None, :, :]).reshape(-1, 2)
    unique = np.unique(grown, axis=0)
    return ((int(tx), int(ty)) for tx, ty in unique)


def reached_tiles(
    boxes: npt.NDArray[np.float64], halo_m: float, tile_m: float
) -> list[tuple[int, int]]:
    """Tiles met by a box of camera positions grown by the halo: those a camera may reach
    (as plan_tiles chooses them, but for cameras apart in a box's corners), sorted."""
    if boxes.size == 0:
        return []
    lo = np.floor((boxes[:, :2] - halo_m) / tile_m).astype(np.int64)
    hi = np.floor((boxes[:, 2:] + halo_m) / tile_m).astype(np.int64)
    # The halo is shorter than a tile, so a box meets at most 3 × 3 tiles from its corner.
    found = [
        np.column_stack([lo[:, 0] + dx, lo[:, 1] + dy])[
            (lo[:, 0] + dx <= hi[:, 0]) & (lo[:, 1] + dy <= hi[:, 1])
        ]
        for dx in range(3)
        for dy in range(3)
    ]
    unique = np.unique(np.concatenate(found), axis=0)
    return [(int(tx), int(ty)) for tx, ty in unique]


@contextlib.contextmanager
def dask_executor(scheduler: str | None, n_workers: int) -> Iterator[DaskTiles]:
    """A Dask executor on ``scheduler``, or on a LocalCluster of ``n_workers`` processes."""
    with dask_client(scheduler, n_workers) as client:
        yield DaskTiles(client)


class DaskTiles(DaskSubmit):
    """:func:`run_bounded`'s executor on a Dask client; a result is released once read."""

    @property
    def threads(self) -> int:
        """Worker threads in the cluster now."""
        return int(sum(self.client.nthreads().values()))


def cover_partitioned(
    estate: PartitionedEstate,
    executor: BoundedExecutor,
    *,
    out: Path | None,
    levels: tuple[DetailLevel, ...] = tuple(DetailLevel),
    usable_range_m: float | None = None,
    ptz_tasked_hfov_deg: float | None = None,
    cell_m: float = 1.0,
    grid_m: float = 250.0,
    step_deg: float = RAY_STEP_DEG,
    max_in_flight: int = 8,
    on_progress: ProgressFn | None = None,
) -> PartitionedCoverage:
    """Coverage of every tile of ``estate``: totals kept here, squares written per tile."""
    t = estate.tile_m
    if (
        abs(t / grid_m - round(t / grid_m)) > 1e-9
        or abs(grid_m / cell_m - round(grid_m / cell_m)) > 1e-9
    ):
        raise ValueError("the tile must be a multiple of grid_m, and grid_m of cell_m")
    base = TileJob(
        str(estate.root), None if out is None else str(out), 0, 0, t, cell_m, grid_m,
        step_deg, tuple(lv.name for lv in levels), usable_range_m,
        ptz_tasked_hfov_deg=ptz_tasked_hfov_deg,
    )  # fmt: skip
    halo = [0.0]
    boxes: list[tuple[float, float, float, float]] = []  # one per tile holding cameras

    def keep_max(reach_box: tuple[float, tuple[float, float, float, float]]) -> None:
        halo[0] = max(halo[0], reach_box[0])
        boxes.append(reach_box[1])
        if on_progress is not None:
            on_progress("halo", 1)

    jobs = (_at(base, int(tx), int(ty)) for tx, ty in estate.camera_tiles)
    run_bounded(executor, tile_max_reach, jobs, max_in_flight=max_in_flight, on_result=keep_max)
    if halo[0] >= t:
        raise ValueError(f"the tile ({t:g} m) must exceed the longest reach ({halo[0]:.0f} m)")
    n_lv = len(levels)
    cells = np.zeros((n_lv, len(ZONE_METRICS)), np.int64)
    visible = np.zeros(n_lv, np.float64)
    cameras = [0]
    # Per-area sums: the estate's areas by the tiles' partial sums (tiles × areas in all).
    zone_cells = np.zeros((estate.zones, n_lv, len(ZONE_METRICS)), np.int64)
    zone_points = np.zeros((estate.zones, n_lv), np.int64)

    def add(tile: TileTotals) -> None:
        cells[...] += tile.cells
        visible[...] += tile.visible_m2
        cameras[0] += tile.cameras
        np.add.at(zone_cells, tile.zone_id, tile.zone_cells)
        np.add.at(zone_points, tile.point_zone_id, tile.points_covered)
        if on_progress is not None:
            on_progress("cover", 1)

    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    reached = reached_tiles(np.asarray(boxes, np.float64).reshape(-1, 4), halo[0], t)
    covered = (_at(base, tx, ty, halo[0]) for tx, ty in reached)
    runs = run_bounded(
        executor, cover_partition_tile, covered, max_in_flight=max_in_flight, on_result=add
    )
    result = PartitionedCoverage(
        tuple(lv.label for lv in levels), runs, cameras[0], halo[0],
        cells, visible, cell_m, zone_cells, zone_points,
    )  # fmt: skip
    if out is not None:
        result.table().to_csv(out / "coverage_totals.csv", index=False)
    return result


def _at(base: TileJob, tx: int, ty: int, halo_m: float = 0.0) -> TileJob:
    from dataclasses import replace

    return replace(base, tx=tx, ty=ty, halo_m=halo_m)


def in_process_executor(threads: int = 1) -> ThreadTiles:
    """An in-process executor for :func:`cover_partitioned` (call ``close()`` after)."""
    return ThreadTiles(threads)
