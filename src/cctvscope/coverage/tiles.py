"""British National Grid tiles with a halo, and the executors that run them.

A tile's core is a ``tile_m`` square of the BNG. Its task carries every camera
whose reach can enter the core (position within the core grown by the halo, the
longest reach) and every building within the same grown square: a sight line
from such a camera to a point of the core stays inside it. So a tile's results
— coverage counted over its core's cells, crime points in its core, and the
visibility of the cameras it owns (those positioned in its core) — depend on
nothing outside the task, and tiles can run in any order, anywhere.

The default executor runs tasks in this process; ``dask`` sends them to a
Dask cluster (an existing scheduler, or a LocalCluster started here). Results
are gathered in task order, so both give identical outputs.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from cctvscope.coverage.raster import (
    CoverageRaster,
    TileGrid,
    paint_coverage,
    raster_outlines,
    rasterise_polygons,
    square_metrics,
    zone_metrics,
)
from cctvscope.coverage.raycast import (
    FloatArray,
    IntArray,
    RayFans,
    cast_ray_fans,
    edge_grid,
    fan_areas_m2,
    fan_polygons,
)

EXECUTORS = ("inprocess", "dask")

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class TileTask:
    """Everything one tile needs (picklable: arrays and shapely geometries only)."""

    tx: int
    ty: int
    tile_m: float
    cell_m: float
    grid_m: float
    step_deg: float
    cam_index: IntArray
    x_m: FloatArray
    y_m: FloatArray
    heading_deg: FloatArray
    fov_deg: FloatArray
    reach_m: FloatArray
    private: npt.NDArray[np.bool_]
    in_building: npt.NDArray[np.bool_]
    buildings: npt.NDArray[np.object_]
    zone_index: IntArray
    zones: npt.NDArray[np.object_]
    point_index: IntArray
    point_x_m: FloatArray
    point_y_m: FloatArray
    unions: bool = True
    union_cell_m: float = 2.0
    polygons: bool = False

    @property
    def core(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the tile's core [m]."""
        x0, y0 = self.tx * self.tile_m, self.ty * self.tile_m
        return x0, y0, x0 + self.tile_m, y0 + self.tile_m


@dataclass(frozen=True)
class TileResult:
    """Results of one tile (see :class:`TileTask` for what "owned" means)."""

    tx: int
    ty: int
    owned_index: IntArray
    visible_m2: FloatArray
    zone_index: IntArray
    zone_cells: IntArray
    grid_key: IntArray
    grid_cells: IntArray
    point_index: IntArray
    point_level: npt.NDArray[np.int8]
    point_public: npt.NDArray[np.uint8]
    point_private: npt.NDArray[np.uint8]
    unions: list[shapely.Geometry] = field(default_factory=list)
    visibility: npt.NDArray[np.object_] = field(default_factory=lambda: np.empty(0, dtype=object))


def cover_tile(task: TileTask) -> TileResult:
    """Cast, paint and aggregate one tile."""
    x0, y0, x1, y1 = task.core
    n_levels = task.reach_m.shape[1] if task.reach_m.ndim == 2 else 0
    cells = round(task.tile_m / task.cell_m)
    grid = TileGrid(x0, y0, task.cell_m, cells, cells)
    edges = edge_grid(task.buildings)
    fans = cast_ray_fans(
        task.x_m,
        task.y_m,
        task.heading_deg,
        task.fov_deg,
        task.reach_m[:, 0] if n_levels else np.zeros(task.x_m.shape[0]),
        edges,
        in_building=task.in_building,
        step_deg=task.step_deg,
    )
    owned = (task.x_m >= x0) & (task.x_m < x1) & (task.y_m >= y0) & (task.y_m < y1)
    raster = paint_coverage(fans, task.reach_m, task.private, grid)
    zones = rasterise_polygons(task.zones, grid)
    zone_cells = zone_metrics(raster, zones, len(task.zones))
    keep = zone_cells[:, 0, 0] > 0
    # Aggregation grid squares: ``grid_m`` divides ``tile_m`` (checked by the options).
    per = round(task.grid_m / task.cell_m)
    n_sq = cells // per
    sq_cells = square_metrics(raster, per)
    sq_keep = np.flatnonzero(sq_cells[:, 0, 0] > 0)
    gx0 = round(x0 / task.grid_m)
    gy0 = round(y0 / task.grid_m)
    grid_key = grid_keys(gx0 + sq_keep % n_sq, gy0 + sq_keep // n_sq)
    ix, iy = grid.cell_of(task.point_x_m, task.point_y_m)
    ix = np.clip(ix, 0, cells - 1)
    iy = np.clip(iy, 0, cells - 1)
    return TileResult(
        tx=task.tx,
        ty=task.ty,
        owned_index=task.cam_index[owned],
        visible_m2=fan_areas_m2(_subset(fans, owned), task.reach_m[owned]),
        zone_index=task.zone_index[keep],
        zone_cells=zone_cells[keep],
        grid_key=grid_key,
        grid_cells=sq_cells[sq_keep],
        point_index=task.point_index,
        point_level=raster.best_level_at(ix, iy),
        point_public=raster.public_bits[iy, ix],
        point_private=raster.private_bits[iy, ix],
        unions=_unions(raster, task.union_cell_m) if task.unions else [],
        visibility=fan_polygons(_subset(fans, owned)) if task.polygons else np.empty(0, object),
    )


def grid_keys(gx: npt.ArrayLike, gy: npt.ArrayLike) -> IntArray:
    """One integer per aggregation square from its BNG column and row (both < 2²⁰)."""
    return (np.asarray(gy, dtype=np.int64) << 20) | np.asarray(gx, dtype=np.int64)


def grid_columns_rows(key: npt.ArrayLike) -> tuple[IntArray, IntArray]:
    """Inverse of :func:`grid_keys`."""
    k = np.asarray(key, dtype=np.int64)
    return k & ((1 << 20) - 1), k >> 20


def _subset(fans: RayFans, mask: npt.NDArray[np.bool_]) -> RayFans:
    idx = np.flatnonzero(mask)
    pieces = [fans.distance_m[fans.offset[i] : fans.offset[i + 1]] for i in idx]
    n = fans.n_rays[idx]
    offset = np.zeros(idx.size + 1, np.int64)
    np.cumsum(n, out=offset[1:])
    return RayFans(
        fans.x_m[idx],
        fans.y_m[idx],
        fans.start_rad[idx],
        fans.step_rad[idx],
        n,
        fans.full[idx],
        offset,
        np.concatenate(pieces) if pieces else np.zeros(0),
        fans.in_building[idx],
    )


def _unions(raster: CoverageRaster, union_cell_m: float) -> list[shapely.Geometry]:
    """Coverage outline per level from the painted grid (see :func:`raster_outlines`)."""
    factor = max(1, round(union_cell_m / raster.grid.cell_m))
    return raster_outlines(raster.count, raster.grid, factor)


def run_tiles(
    tasks: Sequence[TileTask],
    *,
    executor: str = "inprocess",
    scheduler: str | None = None,
    n_workers: int = 2,
    threads: int = 1,
    on_progress: ProgressFn | None = None,
) -> list[TileResult]:
    """Run tile tasks and return their results in task order.

    In process, ``threads`` > 1 runs tiles on a thread pool (same results).

    ``executor="dask"`` connects to ``scheduler`` (an address such as
    ``tcp://10.0.0.5:8786``) or, without one, starts a LocalCluster of
    ``n_workers`` single-threaded worker processes for the duration of the call.
    """
    if executor not in EXECUTORS:
        raise ValueError(f"unknown executor {executor!r}; choose from {', '.join(EXECUTORS)}")
    total = len(tasks)
    if executor == "inprocess":
        if threads <= 1:
            results = []
            for done, task in enumerate(tasks, start=1):
                results.append(cover_tile(task))
                if on_progress is not None:
                    on_progress(done, total)
            return results
        # The compiled kernels release the GIL, so threads overlap most of a tile's work.
        with ThreadPoolExecutor(max_workers=threads) as pool:
            out: list[TileResult] = []
            for done, result in enumerate(pool.map(cover_tile, tasks), start=1):
                out.append(result)
                if on_progress is not None:
                    on_progress(done, total)
            return out
    return _run_dask(tasks, scheduler, n_workers, on_progress)


@contextlib.contextmanager
def dask_client(scheduler: str | None, n_workers: int) -> Iterator[Any]:
    """A Dask client of ``scheduler``, or of a LocalCluster of ``n_workers`` single-threaded
    worker processes started here and closed on exit."""
    from distributed import Client, LocalCluster

    # The scheduler's and workers' start-up chatter is not the user's business.
    logging.getLogger("distributed").setLevel(logging.ERROR)
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            # No dashboard; the scheduler's HTTP server (it always has one) on a free port,
            # not 8787, which another cluster on the machine may hold.
            dashboard_address=":0",
            scheduler_kwargs={"dashboard": False},
            silence_logs=logging.ERROR,
        )
    client = Client(scheduler if scheduler is not None else cluster)  # type: ignore[no-untyped-call]
    try:
        yield client
    finally:
        client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()


def _run_dask(
    tasks: Sequence[TileTask],
    scheduler: str | None,
    n_workers: int,
    on_progress: ProgressFn | None,
) -> list[TileResult]:
    """Tasks on Dask, at most 4 per worker thread submitted and unfinished at a time (the
    scheduler and workers then hold a few tasks, not the whole estate's)."""
    from cctvscope.coverage.bounded import run_bounded

    total = len(tasks)
    results: list[TileResult | None] = [None] * total
    done = 0

    def keep(indexed: tuple[int, TileResult]) -> None:
        nonlocal done
        results[indexed[0]] = indexed[1]
        done += 1
        if on_progress is not None:
            on_progress(done, total)

    with dask_client(scheduler, n_workers) as client:
        in_flight = 4 * max(1, int(sum(client.nthreads().values())))
        run_bounded(
            DaskSubmit(client),
            _cover_indexed,
            enumerate(tasks),
            max_in_flight=in_flight,
            on_result=keep,
        )
    return [r for r in results if r is not None]


def _cover_indexed(indexed: tuple[int, TileTask]) -> tuple[int, TileResult]:
    return indexed[0], cover_tile(indexed[1])


class DaskSubmit:
    """``run_bounded``'s executor on a Dask client."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def submit(self, fn: Callable[[Any], Any], item: Any) -> Any:
        return self.client.submit(fn, item, pure=False)

    def wait_any(self, futures: set[Any]) -> tuple[set[Any], set[Any]]:
        from distributed import wait

        done = wait(list(futures), return_when="FIRST_COMPLETED")  # type: ignore[no-untyped-call]
        return set(done.done), set(done.not_done)
