"""National scale: the synthetic scenario's counts by hand, partitioned coverage equal to the
in-process engine, and the bounded number of tasks in flight."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cctvscope.coverage.bounded import run_bounded
from cctvscope.coverage.engine import (
    CoverageInputs,
    CoverageOptions,
    camera_reach_m,
    cameras_in_buildings,
    merged_grid_cells,
    plan_tiles,
)
from cctvscope.coverage.national import NationalScenario
from cctvscope.coverage.raster import ZONE_METRICS
from cctvscope.coverage.tiles import run_tiles
from cctvscope.crs import BNG
from cctvscope.workflows.national import (
    PartitionedEstate,
    cover_partitioned,
    dask_executor,
    in_process_executor,
    partition_estate,
    write_scenario,
)

USABLE_M = 60.0
CELL_M = 2.0


def test_scenario_counts_work_out_by_hand(tmp_path):
    s = NationalScenario(cameras=1050, buildings=100, seed=4, cameras_per_tile=100)
    # 1050 cameras at 100 a tile: 11 tiles, 4 to a row; 1050 = 11 × 95 + 5 and 100 = 11 × 9 + 1.
    assert (s.tiles, s.columns) == (11, 4)
    assert [s.count(1050, k) for k in range(11)] == [96] * 5 + [95] * 6
    assert [s.count(100, k) for k in range(11)] == [10] + [9] * 10
    assert s.first(1050, 5) == 5 * 96 and s.first(1050, 6) == 5 * 96 + 95
    assert s.tile_of(0) == (100, 100) and s.tile_of(5) == (101, 101) and s.tile_of(10) == (102, 102)
    cams = s.tile_cameras(5)
    assert len(cams) == 95 and cams["camera_id"].iloc[0] == "nat-00000480"
    assert (
        cams["x_m"].between(101_000, 102_000).all() and cams["y_m"].between(101_000, 102_000).all()
    )
    # Seeded per tile: the same tile again is the same; another seed is not.
    pd.testing.assert_frame_equal(
        s.tile_cameras(5), NationalScenario(1050, 100, seed=4).tile_cameras(5)
    )
    assert not NationalScenario(1050, 100, seed=5).tile_cameras(5)["x_m"].equals(cams["x_m"])
    boxes = s.tile_buildings(0)
    assert boxes.size == 10  # a 4 × 4 grid of 250 m plots, one building in each of the first 10
    assert shapely.union_all(boxes).area == pytest.approx(shapely.area(boxes).sum())  # disjoint
    assert shapely.box(100_000, 100_000, 101_000, 101_000).contains(shapely.union_all(boxes))
    estate = write_scenario(s, tmp_path / "scenario")
    again = PartitionedEstate.open(tmp_path / "scenario")
    assert (again.cameras, again.buildings, len(again.camera_tiles)) == (1050, 100, 11)
    parts = sorted((estate.root / "cameras").iterdir())
    assert sum(len(pd.read_parquet(p)) for p in parts) == 1050
    blds = [gpd.read_parquet(p) for p in sorted((estate.root / "buildings").iterdir())]
    assert sum(len(b) for b in blds) == 100 and blds[0].crs == BNG
    with pytest.raises(ValueError, match="already holds"):
        write_scenario(s, tmp_path / "scenario")


SMALL = NationalScenario(cameras=400, buildings=1600, seed=1, cameras_per_tile=100)


#: Footprints across tile borders (a corner of four tiles, two edges) for partition_estate.
STRADDLING = np.array(
    [
        shapely.box(100_980, 100_980, 101_030, 101_020),
        shapely.box(100_400, 100_990, 100_420, 101_010),
        shapely.box(100_995, 100_300, 101_004, 100_330),
    ],
    dtype=object,
)


def _frames(scenario: NationalScenario, extra: np.ndarray | None = None):
    cams = pd.concat([scenario.tile_cameras(k) for k in range(scenario.tiles)], ignore_index=True)
    blds = np.concatenate([scenario.tile_buildings(k) for k in range(scenario.tiles)])
    if extra is not None:
        blds = np.concatenate([blds, extra])
    return cams, blds


def _in_memory(scenario: NationalScenario, extra: np.ndarray | None = None):
    """The scenario whole, through the in-process engine (plan_tiles + run_tiles)."""
    cams, blds = _frames(scenario, extra)
    options = CoverageOptions(usable_range_m=USABLE_M, cell_m=CELL_M, unions=False)
    cores = [
        shapely.box(tx * 1000.0, ty * 1000.0, (tx + 1) * 1000.0, (ty + 1) * 1000.0)
        for tx, ty in (scenario.tile_of(k) for k in range(scenario.tiles))
    ]
    buildings = gpd.GeoSeries(blds, crs=BNG)
    inputs = CoverageInputs(
        lsoas=gpd.GeoDataFrame({"lsoa": range(len(cores))}, geometry=cores, crs=BNG),
        boroughs=gpd.GeoDataFrame({"b": [0]}, geometry=[shapely.union_all(cores)], crs=BNG),
        crime_points=gpd.GeoSeries([], crs=BNG),
        buildings=buildings,
    )
    wide, _ = camera_reach_m(cams, options.levels, USABLE_M)
    inside = cameras_in_buildings(cams, buildings)
    tasks, halo = plan_tiles(cams, wide, inputs, options, inside)
    results = run_tiles(tasks)
    keys, cells = merged_grid_cells(results)
    visible = np.zeros((len(cams), len(options.levels)))
    for r in results:
        visible[r.owned_index] = r.visible_m2
    return cams, keys, cells, visible, halo


def _written(out: Path, n_levels: int):
    grid = pd.concat([pd.read_parquet(p) for p in sorted((out / "grid").iterdir())])
    keys = np.unique(grid["grid_key"].to_numpy())
    cells = np.zeros((keys.size, n_levels, len(ZONE_METRICS)), np.int64)
    for r, key in enumerate(keys):
        rows = grid[grid["grid_key"] == key]
        assert len(rows) == n_levels  # each square written by one tile only
        cells[r] = rows[[f"{m}_cells" for m in ZONE_METRICS]].to_numpy()
    cams = pd.concat([pd.read_parquet(p) for p in sorted((out / "cameras").iterdir())])
    return keys, cells, cams


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("national")
    return write_scenario(SMALL, root / "scenario"), root


def _check_equal(result, out: Path, scenario: NationalScenario, extra=None) -> None:
    cams, keys, cells, visible, halo = _in_memory(scenario, extra)
    n_lv = cells.shape[1]
    got_keys, got_cells, got_cams = _written(out, n_lv)
    np.testing.assert_array_equal(got_keys, keys)
    np.testing.assert_array_equal(got_cells, cells)  # every square, level and metric, exactly
    assert result.halo_m == halo and result.cameras == len(cams) == 400
    by_cam = got_cams.pivot(index="camera_id", columns="level", values="visible_area_m2")
    labels = list(result.levels)
    np.testing.assert_array_equal(by_cam.loc[cams["camera_id"], labels].to_numpy(), visible)
    # The client's totals are the squares' sums (cells) and the cameras' (areas).
    np.testing.assert_array_equal(result.cells, cells.sum(axis=0))
    np.testing.assert_allclose(result.visible_m2, visible.sum(axis=0), rtol=1e-12)
    assert result.cells[0, 0] > 0


def test_partitioned_in_process_equals_the_engine(small):
    estate, root = small
    executor = in_process_executor(threads=2)
    try:
        result = cover_partitioned(
            estate, executor, out=root / "inprocess", usable_range_m=USABLE_M, cell_m=CELL_M,
            max_in_flight=3,
        )  # fmt: skip
    finally:
        executor.close()
    assert result.tiles_run == 16  # the 2 × 2 block of tiles and the 12 around it
    _check_equal(result, root / "inprocess", SMALL)


def test_an_estate_partitioned_from_frames_equals_the_engine(tmp_path):
    # Footprints that straddle tiles go to every tile they meet and are read once.
    cams, blds = _frames(SMALL, STRADDLING)
    estate = partition_estate("frames", cams, gpd.GeoSeries(blds, crs=BNG), tmp_path / "p")
    corner = [gpd.read_parquet(tmp_path / "p" / "buildings" / f"{tx}_{ty}.parquet")
              for tx, ty in ((100, 100), (101, 100), (100, 101), (101, 101))]  # fmt: skip
    n = len(blds) - 3
    assert all(n in set(part["building_id"]) for part in corner)  # the corner building
    executor = in_process_executor()
    try:
        result = cover_partitioned(
            estate, executor, out=tmp_path / "out", usable_range_m=USABLE_M, cell_m=CELL_M
        )
    finally:
        executor.close()
    _check_equal(result, tmp_path / "out", SMALL, STRADDLING)


def test_partitioned_on_dask_equals_the_engine(small):
    estate, root = small
    with dask_executor(None, 2) as executor:
        result = cover_partitioned(
            estate, executor, out=root / "dask", usable_range_m=USABLE_M, cell_m=CELL_M,
            max_in_flight=4,
        )  # fmt: skip
    _check_equal(result, root / "dask", SMALL)


class CountingExecutor:
    """Runs each task at submission, but lets it finish only when waited on (oldest first),
    counting how many were submitted and not yet finished."""

    def __init__(self) -> None:
        self.unfinished: list[Future[Any]] = []
        self.most = 0
        self.submitted = 0

    def submit(self, fn, item):
        future: Future[Any] = Future()
        future.set_result(fn(item))  # computed now, "finished" only when waited on
        self.unfinished.append(future)
        self.submitted += 1
        self.most = max(self.most, len(self.unfinished))
        return future

    def wait_any(self, futures):
        oldest = next(f for f in self.unfinished if f in futures)
        self.unfinished.remove(oldest)
        return {oldest}, set(futures) - {oldest}


def test_bounded_in_flight_is_honoured(small):
    fake = CountingExecutor()
    seen: list[int] = []
    n = run_bounded(fake, lambda i: i * i, iter(range(20)), max_in_flight=3, on_result=seen.append)
    assert n == 20 and sorted(seen) == [i * i for i in range(20)]
    assert fake.most == 3 and not fake.unfinished
    estate, _root = small
    fake = CountingExecutor()
    cover_partitioned(estate, fake, out=None, usable_range_m=USABLE_M, cell_m=10.0, max_in_flight=5)
    assert fake.submitted == 4 + 16  # the halo pass over 4 camera tiles, then 16 tiles
    assert fake.most == 5 and not fake.unfinished
    with pytest.raises(ValueError, match="max_in_flight"):
        run_bounded(fake, abs, iter([1]), max_in_flight=0, on_result=print)


def test_reached_tiles_by_hand():
    from cctvscope.workflows.national import reached_tiles

    boxes = np.array([[100.0, 100.0, 200.0, 200.0], [980.0, 10.0, 990.0, 20.0]])
    # First: 50-250 m both ways, inside tile (0, 0). Second: x 950-1020 m (tiles 0, 1),
    # y -20-50 m (tiles -1, 0).
    assert reached_tiles(boxes, 30.0, 1000.0) == [(0, -1), (0, 0), (1, -1), (1, 0)]
    assert reached_tiles(boxes[:1], 50.0, 1000.0) == [(0, 0)]
    assert reached_tiles(boxes[:0], 50.0, 1000.0) == []
