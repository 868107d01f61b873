"""Coverage tile by tile with areas: the per-area summary reduced from the tiles' partial sums
equals the in-process engine's (a second method), and the client receives only per-tile,
per-area numbers, never per-camera ones."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from cctvscope.coverage.engine import CoverageInputs, CoverageOptions, compute_coverage
from cctvscope.coverage.national import NationalScenario, TileTotals
from cctvscope.coverage.raster import ZONE_METRICS
from cctvscope.crs import BNG
from cctvscope.errors import DataError
from cctvscope.model.provenance import COVERAGE_ATTRIBUTES, real_value_shares
from cctvscope.workflows.national import cover_partitioned, dask_executor, in_process_executor
from cctvscope.workflows.national_store import (
    STREAM_COLUMNS,
    area_summary,
    partition_with_areas,
)

USABLE_M = 60.0
CELL_M = 2.0
TASKED_DEG = 30.0
SCENARIO = NationalScenario(cameras=400, buildings=1600, seed=3, cameras_per_tile=100)
#: Every number the summary holds per area and level, compared between the two methods.
NUMBERS = [
    "area_km2",
    *(f"{m}_km2" for m in ZONE_METRICS),
    "crime_points",
    "crime_points_covered",
    "lsoa_crime",
    "lsoa_crime_covered",
]


def _cameras() -> pd.DataFrame:
    cams = pd.concat([SCENARIO.tile_cameras(k) for k in range(SCENARIO.tiles)], ignore_index=True)
    cams["ptz_max_zoom"] = np.where(cams["ptz"], 20.0, 1.0)  # tasked PTZ angle matters
    cams["provenance"] = np.where(np.arange(len(cams)) % 4 == 0, "synthetic", "real")
    cams["borough_code"] = np.where(cams["x_m"] < 101_000, "E1", "E2")
    cams["defaulted_fields"] = np.where(np.arange(len(cams)) % 2 == 0, "hfov_deg", "")
    cams[["catalogue_fields", "measured_fields"]] = ""
    return cams


def _inputs() -> CoverageInputs:
    """Areas that do not follow tiles: a 3 × 3 grid of 700 m LSOAs over the 2 × 2 km block
    (some meeting four tiles), two boroughs, crime points drawn over and around it."""
    x0, y0 = 100_000.0, 100_000.0
    boxes = [
        shapely.box(x0 + i * 700, y0 + j * 700, x0 + (i + 1) * 700, y0 + (j + 1) * 700)
        for j in range(3)
        for i in range(3)
    ]
    borough = ["E1" if i < 5 else "E2" for i in range(9)]
    lsoas = gpd.GeoDataFrame(
        {
            "lsoa_code": [f"L{i}" for i in range(9)],
            "lsoa_name": [f"lsoa {i}" for i in range(9)],
            "borough_code": borough,
            "total": np.arange(9) * 10.0 + 5.0,
        },
        geometry=boxes,
        crs=BNG,
    )
    boroughs = gpd.GeoDataFrame(
        {"gss_code": ["E1", "E2"], "name": ["East", "West"]},
        geometry=[
            shapely.union_all(boxes[:5]),
            shapely.union_all(boxes[5:]),
        ],
        crs=BNG,
    )
    rng = np.random.default_rng(7)
    pts = shapely.points(rng.uniform(99_800, 102_300, (3000, 2)))
    blds = np.concatenate([SCENARIO.tile_buildings(k) for k in range(SCENARIO.tiles)])
    return CoverageInputs(
        lsoas=lsoas,
        boroughs=boroughs,
        crime_points=gpd.GeoSeries(pts, crs=BNG),
        buildings=gpd.GeoSeries(blds, crs=BNG),
        region_name="Block",
    )


def _options() -> CoverageOptions:
    return CoverageOptions(
        usable_range_m=USABLE_M,
        ptz_tasked_hfov_deg=TASKED_DEG,
        cell_m=CELL_M,
        unions=False,
    )


def _store_order(cams: pd.DataFrame) -> pd.DataFrame:
    """The cameras as the store streams them: by tile, then by their order."""
    key = pd.DataFrame({"tx": np.floor(cams["x_m"] / 1000), "ty": np.floor(cams["y_m"] / 1000)})
    order = np.lexsort((np.arange(len(cams)), key["ty"], key["tx"]))
    return cams.iloc[order].reset_index(drop=True)


def _batches(cams: pd.DataFrame, rows: int) -> list[pd.DataFrame]:
    return [cams.iloc[s : s + rows][list(STREAM_COLUMNS)] for s in range(0, len(cams), rows)]


class RecordingExecutor:
    """In process; keeps every result the client receives."""

    def __init__(self) -> None:
        self.results: list[Any] = []

    def submit(self, fn, item):
        future: Future[Any] = Future()
        result = fn(item)
        self.results.append(result)
        future.set_result(result)
        return future

    def wait_any(self, futures):
        return set(futures), set()


def _summary_tile_by_tile(tmp_path, batches, executor):
    inputs = _inputs()
    parts = partition_with_areas("block", batches, inputs, tmp_path / "parts", tile_m=1000.0)
    result = cover_partitioned(
        parts.estate,
        executor,
        out=tmp_path / "out",
        usable_range_m=USABLE_M,
        ptz_tasked_hfov_deg=TASKED_DEG,
        cell_m=CELL_M,
        max_in_flight=3,
    )
    return parts, result, area_summary(inputs, parts, result)


@pytest.fixture(scope="module")
def engine_summary() -> pd.DataFrame:
    """The in-process engine over the whole estate at once."""
    return compute_coverage(_cameras(), _inputs(), _options()).summary


def _compare(got: pd.DataFrame, want: pd.DataFrame) -> None:
    # Same kernel on the same cameras, footprints and areas: equal to rounding (1e-9 relative).
    key = ["area_type", "area_code", "level"]
    a = got.set_index(key).sort_index()
    b = want.set_index(key).sort_index()
    assert list(a.index) == list(b.index)
    np.testing.assert_allclose(a[NUMBERS].to_numpy(), b[NUMBERS].to_numpy(), rtol=1e-9, atol=0)
    boroughs = b.xs("borough", level="area_type")
    assert (boroughs["covered_km2"] > 0).all() and (boroughs["crime_points_covered"] > 0).any()


def test_per_area_summary_from_tiles_equals_the_engine(tmp_path, engine_summary):
    cams = _store_order(_cameras())
    executor = RecordingExecutor()
    parts, result, summary = _summary_tile_by_tile(tmp_path, _batches(cams, 37), executor)
    _compare(summary, engine_summary)
    assert parts.synthetic_share == pytest.approx(0.25)
    # Real-input shares summed batch by batch equal those of the whole table at once.
    whole = _cameras()
    by_borough, overall = parts.cameras.real_input_shares()
    want = real_value_shares(whole, whole["borough_code"], COVERAGE_ATTRIBUTES)
    pd.testing.assert_series_equal(by_borough.sort_index(), want, check_names=False)
    everyone = pd.Series("all", index=whole.index)
    assert overall == pytest.approx(real_value_shares(whole, everyone, COVERAGE_ATTRIBUTES)["all"])
    assert 0 < overall < 1
    assert parts.estate.zones == 9 and result.cameras == 400
    # Crime points held per LSOA: counted by hand from the points (a second count).
    inputs = _inputs()
    pts = inputs.crime_points.to_numpy()
    held = [int(shapely.contains(box, pts).sum()) for box in inputs.lsoas.geometry]
    assert parts.points_held.tolist() == held
    # What the client received: the halo pass's reach and box (5 floats) per camera tile,
    # then one TileTotals per tile whose arrays are sized by the tile's areas (9 at most
    # here) and levels, never by cameras.
    totals = [r for r in executor.results if isinstance(r, TileTotals)]
    assert len(totals) == result.tiles_run == 16
    halo = [r for r in executor.results if not isinstance(r, TileTotals)]
    assert len(halo) == 4 and all(len(r) == 2 and len(r[1]) == 4 for r in halo)
    n_lv, n_m = len(result.levels), len(ZONE_METRICS)
    for t in totals:
        assert t.zone_id.size <= 9 and t.zone_cells.shape == (t.zone_id.size, n_lv, n_m)
        assert t.point_zone_id.size <= 9 and t.points_covered.shape[0] == t.point_zone_id.size
    # At most: core cells and areas (L × M each), visible (L), points covered (L), ids:
    # less than the per-camera visible areas alone of a tile's 100 cameras (100 × L floats).
    most = 8 * (n_lv * n_m + n_lv + 9 * (n_lv * n_m + 1) + 9 * (n_lv + 1))
    assert max(t.nbytes for t in totals) <= most < 8 * 100 * n_lv
    assert sum(t.cameras for t in totals) == 400


def test_cameras_out_of_tile_order_give_the_same_summary(tmp_path, engine_summary):
    # Batches not sorted by tile (a store that could not sort): a tile's file is added to.
    shuffled = _cameras().sample(frac=1.0, random_state=2).reset_index(drop=True)
    executor = in_process_executor(threads=2)
    try:
        parts, _result, summary = _summary_tile_by_tile(tmp_path, _batches(shuffled, 50), executor)
    finally:
        executor.close()
    _compare(summary, engine_summary)
    files = sorted((parts.estate.root / "cameras").iterdir())
    assert sum(len(pd.read_parquet(p)) for p in files) == 400 and len(files) == 4


def test_on_a_dask_cluster_the_summary_equals_the_engine(tmp_path, engine_summary):
    cams = _store_order(_cameras())
    with dask_executor(None, 1) as executor:
        _parts, _result, summary = _summary_tile_by_tile(tmp_path, _batches(cams, 100), executor)
    _compare(summary, engine_summary)


def test_no_cameras_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="has no cameras"):
        partition_with_areas("none", [], _inputs(), tmp_path / "p", tile_m=1000.0)
