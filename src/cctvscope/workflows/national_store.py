"""Coverage of a stored estate of any size, tile by tile (``coverage --executor dask``).

:func:`partition_stored_estate` writes a stored estate as a partitioned estate
(:mod:`cctvscope.workflows.national`) without holding its cameras at once: they come
from the store a batch at a time, sorted by BNG tile
(:func:`~cctvscope.store.camera_batches.camera_batches`), and each tile's file is
written when the next tile begins, so the client holds one batch and one tile. The
region's footprints (its stored layer, or London's bundled areas) are written per tile
the same way (GeoParquet), and so are its small areas (``zones/``: id and WKB polygon
of those meeting each tile that a camera may reach) and crime points (``points/``:
those in each such tile, with the area holding each). The region's layers themselves
are read whole (region-sized, not estate-sized).

:func:`cover_stored_estate` then covers it with
:func:`~cctvscope.workflows.national.cover_partitioned`: each worker returns, besides the
tile's totals, its areas' covered cells and crime points covered, which the client adds
up per area (tiles × areas, never cameras) into the summary that in-process coverage
writes (``coverage_summary.csv``: per small area, area unit and the region).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from cctvscope.coverage.bounded import BoundedExecutor
from cctvscope.coverage.engine import CoverageInputs, CoverageOptions
from cctvscope.coverage.national import CAMERA_COLUMNS
from cctvscope.coverage.summaries import point_lsoas, summary_from_counts
from cctvscope.errors import DataError
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.provenance import COVERAGE_ATTRIBUTES, real_value_shares
from cctvscope.store.camera_batches import BATCH_ROWS, camera_batches, estate_outline
from cctvscope.workflows.coverage import (
    coverage_lacks,
    region_coverage_inputs,
    unknown_crime_columns,
    with_assumed_reach,
)
from cctvscope.workflows.national import (
    MANIFEST,
    PartitionedCoverage,
    PartitionedEstate,
    ProgressFn,
    _new_root,
    _tile_name,
    _write_manifest,
    _write_tile,
    building_tiles,
    by_tile,
    cover_partitioned,
    coverage_tiles,
    write_columns,
)
from cctvscope.workflows.region_inputs import RegionInputs, region_inputs

#: Columns streamed from the store: coverage's, and what the summary's shares of synthetic
#: cameras and of real inputs per borough are counted from.
STREAM_COLUMNS = (
    *CAMERA_COLUMNS,
    "borough_code",
    "provenance",
    "defaulted_fields",
    "catalogue_fields",
    "measured_fields",
)
_FLOAT_COLUMNS = ("x_m", "y_m", "heading_deg", "hfov_deg", "resolution_h_px", "ptz_max_zoom")


@dataclass(frozen=True)
class WrittenCameras:
    """What writing the cameras tile by tile found."""

    tiles: list[tuple[int, int]]
    cameras: int
    synthetic: int
    real_sum: pd.Series  # per borough code: the sum over its cameras of the real-input share
    per_borough: pd.Series  # per borough code: its cameras

    def real_input_shares(self) -> tuple[pd.Series, float]:
        """Share of the coverage inputs that are real, per borough and over all cameras."""
        total = float(self.real_sum.sum()) / self.cameras if self.cameras else float("nan")
        return self.real_sum / self.per_borough, total


class _TileWriter:
    """Writes rows arriving grouped by tile: a tile's file when the next tile begins."""

    def __init__(self, root: Path, tile_m: float) -> None:
        self.root, self.tile_m = root, tile_m
        self.key: tuple[int, int] | None = None
        self.pending: list[pd.DataFrame] = []
        self.written: set[tuple[int, int]] = set()

    def add(self, batch: pd.DataFrame) -> None:
        tx = np.floor(batch["x_m"].to_numpy(np.float64) / self.tile_m).astype(np.int64)
        ty = np.floor(batch["y_m"].to_numpy(np.float64) / self.tile_m).astype(np.int64)
        # Runs of one tile, in the order they arrive (sorted by the store: one run a tile).
        change = np.flatnonzero((tx[1:] != tx[:-1]) | (ty[1:] != ty[:-1])) + 1
        for s, e in zip(np.r_[0, change], np.r_[change, tx.size], strict=True):
            key = (int(tx[s]), int(ty[s]))
            if key != self.key:
                self.flush()
                self.key = key
            self.pending.append(batch.iloc[s:e])

    def flush(self) -> None:
        if self.key is None or not self.pending:
            return
        frame = pd.concat(self.pending, ignore_index=True)
        path = self.root / "cameras" / _tile_name(*self.key)
        if self.key in self.written:  # out of order (never from the store): add to the file
            frame = pd.concat([pd.read_parquet(path), frame], ignore_index=True)
        write_columns(path, {c: frame[c].to_numpy() for c in frame.columns})
        self.written.add(self.key)
        self.pending = []


def write_camera_partitions(
    batches: Iterable[pd.DataFrame], root: Path, tile_m: float
) -> WrittenCameras:
    """Write camera batches (:data:`STREAM_COLUMNS`) as ``root/cameras/TX_TY.parquet``."""
    writer = _TileWriter(root, tile_m)
    n = synthetic = 0
    real_sum = per_borough = pd.Series(dtype=np.float64)
    for raw in batches:
        if raw.empty:
            continue
        synthetic += int((raw["provenance"].astype(str) == "synthetic").sum())
        n += len(raw)
        # Sums per borough (a batch's means × its counts), added batch by batch.
        counts = raw.groupby(raw["borough_code"].astype(str).to_numpy()).size()
        means = real_value_shares(raw, raw["borough_code"].astype(str), COVERAGE_ATTRIBUTES)
        real_sum = real_sum.add(means * counts, fill_value=0.0)
        per_borough = per_borough.add(counts.astype(np.float64), fill_value=0.0)
        writer.add(_camera_frame(raw))
    writer.flush()
    return WrittenCameras(sorted(writer.written), n, synthetic, real_sum, per_borough)


def _camera_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """Stored values typed as every partition's (a column of NULLs stays a float column)."""
    frame = raw.loc[:, list(CAMERA_COLUMNS)].copy()
    for column in _FLOAT_COLUMNS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(np.float64)
    frame["ptz"] = frame["ptz"].fillna(False).astype(bool)
    frame["owner_type"] = frame["owner_type"].astype(str)
    frame["camera_id"] = frame["camera_id"].astype(str)
    return frame


def _near(tiles: npt.NDArray[np.int64], reach: int) -> set[tuple[int, int]]:
    """Tiles within ``reach`` tiles (either way) of ``tiles``."""
    steps = np.arange(-reach, reach + 1)
    offsets = np.array([(dx, dy) for dy in steps for dx in steps], dtype=np.int64)
    grown = (tiles[:, None, :] + offsets[None, :, :]).reshape(-1, 2)
    return {(int(a), int(b)) for a, b in np.unique(grown, axis=0)}


def write_building_partitions(
    footprints: npt.NDArray[np.object_], root: Path, tile_m: float, camera_tiles: Any
) -> int:
    """Write the footprints a tile's neighbourhood reads (within 2 tiles of a camera's)."""
    wanted = _near(np.asarray(camera_tiles, dtype=np.int64).reshape(-1, 2), 2)
    no_cameras = pd.DataFrame(columns=list(CAMERA_COLUMNS))
    for (tx, ty), ids in building_tiles(footprints, tile_m).items():
        if (tx, ty) in wanted:
            blds = pd.DataFrame({"building_id": ids, "geometry": footprints[ids]})
            _write_tile(root, tx, ty, no_cameras, blds)
    return int(footprints.size)


def write_area_partitions(
    estate: PartitionedEstate, inputs: CoverageInputs, which: npt.NDArray[np.int64]
) -> None:
    """Write ``zones/`` (id and polygon of each small area meeting the tile) and ``points/``
    (crime points in the tile, with their area ``which``) for every tile a camera may reach."""
    zones = np.asarray(inputs.lsoas.geometry.to_numpy(), dtype=object)
    tree = shapely.STRtree(zones)
    pts = inputs.crime_points.to_numpy()
    px, py = shapely.get_x(pts), shapely.get_y(pts)
    t = estate.tile_m
    points = by_tile(np.floor(px / t), np.floor(py / t))
    (estate.root / "zones").mkdir(exist_ok=True)
    (estate.root / "points").mkdir(exist_ok=True)
    for tx, ty in coverage_tiles(estate):
        name = _tile_name(tx, ty)
        core = shapely.box(tx * t, ty * t, (tx + 1) * t, (ty + 1) * t)
        zi = np.sort(tree.query(core, predicate="intersects"))
        if zi.size:  # polygons as WKB, read back as the footprints are
            columns = {"zone": zi.astype(np.int64), "geometry": shapely.to_wkb(zones[zi])}
            write_columns(estate.root / "zones" / name, columns)
        mine = points.get((tx, ty))
        if mine is not None:
            columns = {"x_m": px[mine], "y_m": py[mine], "zone": which[mine]}
            write_columns(estate.root / "points" / name, columns)


@dataclass(frozen=True)
class AreaPartitions:
    """A partitioned estate with its areas, and what the client keeps to summarise it."""

    estate: PartitionedEstate
    points_held: npt.NDArray[np.int64]  # crime points per small area (n_areas,)
    cameras: WrittenCameras

    @property
    def synthetic_share(self) -> float:
        """Share of the cameras that are synthetic."""
        return self.cameras.synthetic / self.cameras.cameras


def partition_with_areas(
    name: str,
    batches: Iterable[pd.DataFrame],
    inputs: CoverageInputs,
    root: Path,
    *,
    tile_m: float,
) -> AreaPartitions:
    """Camera batches (:data:`STREAM_COLUMNS`, grouped by tile), ``inputs``' footprints,
    small areas and crime points written as a partitioned estate in ``root``.

    Raises
    ------
    DataError
        When there are no cameras.
    """
    _new_root(root)
    written = write_camera_partitions(batches, root, tile_m)
    if written.cameras == 0:
        raise DataError(f"estate {name!r} has no cameras")
    footprints = (
        np.asarray(inputs.buildings.geometry.to_numpy(), dtype=object)
        if inputs.buildings is not None
        else np.empty(0, dtype=object)
    )
    n_bld = write_building_partitions(footprints, root, tile_m, written.tiles)
    extra = {"zones": len(inputs.lsoas)}
    estate = _write_manifest(root, name, tile_m, written.cameras, n_bld, written.tiles, extra)
    which = point_lsoas(inputs)
    write_area_partitions(estate, inputs, which)
    held = np.bincount(which[which >= 0], minlength=len(inputs.lsoas)).astype(np.int64)
    return AreaPartitions(estate, held, written)


def area_summary(
    inputs: CoverageInputs, parts: AreaPartitions, result: PartitionedCoverage
) -> pd.DataFrame:
    """The summary of in-process coverage (per small area, area unit and region) from the
    per-area sums the tiles returned."""
    m2 = result.zone_cells.astype(np.float64) * result.cell_m**2
    return summary_from_counts(
        inputs, m2, parts.points_held, result.zone_points_covered, result.levels
    )


def _clear_previous(out: Path) -> None:
    """Remove what an earlier run into ``out`` wrote (its partitions and per-tile files)."""
    import shutil

    if (out / "partitions" / MANIFEST).exists():
        shutil.rmtree(out / "partitions")
    for kind in ("grid", "cameras"):
        for path in (out / kind).glob("*.parquet"):
            path.unlink()


def partition_stored_estate(
    engine: Any,
    name: str,
    root: Path,
    *,
    version: int | None = None,
    tile_m: float = 1000.0,
    batch_rows: int | None = None,
) -> PartitionedEstate:
    """Write the stored estate ``name`` with its region's layers as a partitioned estate,
    the cameras a batch at a time (:func:`partition_with_areas`)."""
    return _partition_stored(engine, name, root, version, tile_m, batch_rows)[0].estate


def _partition_stored(
    engine: Any,
    name: str,
    root: Path,
    version: int | None,
    tile_m: float,
    batch_rows: int | None,
) -> tuple[AreaPartitions, CoverageInputs, RegionInputs]:
    outline = estate_outline(engine, name, version)
    region = region_inputs(engine, outline)
    inputs = region_coverage_inputs(region, outline.boroughs)
    batches = camera_batches(
        engine, name, outline.version, STREAM_COLUMNS,
        tile_m=tile_m, batch_rows=batch_rows or BATCH_ROWS,
    )  # fmt: skip
    label = f"{outline.name} v{outline.version}"
    return partition_with_areas(label, batches, inputs, root, tile_m=tile_m), inputs, region


@dataclass(frozen=True)
class StoredCoverage:
    """Coverage of a stored estate run tile by tile: totals, summary and files written."""

    name: str
    region_title: str
    coverage: PartitionedCoverage
    summary: pd.DataFrame
    synthetic_share: float
    missing: tuple[str, ...]  # what the region lacks (coverage_lacks)
    real_input_shares: tuple[pd.Series, float]  # per borough code, and over all cameras


def cover_stored_estate(
    engine: Any,
    name: str,
    out: Path,
    executor: BoundedExecutor,
    *,
    version: int | None = None,
    options: CoverageOptions | None = None,
    assumptions: Assumptions | None = None,
    max_in_flight: int = 8,
    batch_rows: int | None = None,
    on_progress: ProgressFn | None = None,
) -> StoredCoverage:
    """Coverage of the stored estate ``name`` tile by tile on ``executor``.

    Writes ``out/partitions`` (the partitioned estate), ``out/grid`` and ``out/cameras``
    (per tile) and ``out/coverage_totals.csv``, and returns the summary; the client
    holds a batch of cameras while partitioning, then per-area sums. Reach as in-process coverage
    (:func:`~cctvscope.workflows.coverage.with_assumed_reach`).
    """
    options = with_assumed_reach(options or CoverageOptions(), assumptions)
    _clear_previous(out)
    parts, inputs, region = _partition_stored(
        engine, name, out / "partitions", version, options.tile_m, batch_rows
    )
    result = cover_partitioned(
        parts.estate,
        executor,
        out=out,
        levels=options.levels,
        usable_range_m=options.usable_range_m,
        ptz_tasked_hfov_deg=options.ptz_tasked_hfov_deg,
        cell_m=options.cell_m,
        grid_m=options.grid_m,
        step_deg=options.step_deg,
        max_in_flight=max_in_flight,
        on_progress=on_progress,
    )
    summary = area_summary(inputs, parts, result)
    summary = summary.drop(columns=unknown_crime_columns(region))
    lacks = coverage_lacks(region)
    return StoredCoverage(
        parts.estate.name, region.title, result, summary, parts.synthetic_share, lacks,
        parts.cameras.real_input_shares(),
    )  # fmt: skip
