"""``bench-estate`` and ``coverage-partitioned`` from the command line."""

from __future__ import annotations

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from cctvscope.cli.main import app
from cctvscope.coverage.raster import ZONE_METRICS

runner = CliRunner()


def test_bench_estate_then_coverage_in_process(tmp_path):
    scenario, out = tmp_path / "national", tmp_path / "out"
    made = runner.invoke(
        app, ["bench-estate", "--cameras", "250", "--buildings", "600", "--out", str(scenario)]
    )
    assert made.exit_code == 0, made.output
    # 250 cameras at 100 a tile: 3 tiles (250 = 3 × 83 + 1); 600 buildings = 3 × 200.
    assert "250 cameras and 600 buildings on 3 tiles" in made.output
    parts = sorted((scenario / "cameras").iterdir())
    assert [len(pd.read_parquet(p)) for p in parts] == [84, 83, 83]
    again = runner.invoke(
        app, ["bench-estate", "--cameras", "250", "--buildings", "600", "--out", str(scenario)]
    )
    assert again.exit_code == 2 and "already holds" in again.output
    args = ["coverage-partitioned", str(scenario), "--out", str(out), "--cell-m", "5"]
    run = runner.invoke(app, [*args, "--executor", "inprocess", "--threads", "2"])
    assert run.exit_code == 0, run.output
    # Tiles (0, 0), (1, 0), (0, 1) of a 2 × 2 block and their neighbours: the 4 × 4 square
    # around the block but its far corner (2, 2), which touches only the empty tile (1, 1).
    assert "250 cameras, 15 tiles" in run.output
    totals = pd.read_csv(out / "coverage_totals.csv").set_index("level")
    # Second path: the client's totals are the sums of the squares the workers wrote.
    grid = pd.concat(pd.read_parquet(p) for p in (out / "grid").iterdir())
    cell_km2 = 5.0**2 / 1e6
    by_level = grid.groupby("level")[[f"{m}_cells" for m in ZONE_METRICS]].sum()
    for m in ZONE_METRICS:
        expected = by_level.loc[totals.index, f"{m}_cells"].to_numpy() * cell_km2
        np.testing.assert_allclose(totals[f"{m}_km2"].to_numpy(), expected, rtol=1e-12)
    assert totals.loc["monitor", "covered_km2"] > totals.loc["identify", "covered_km2"] > 0
    cameras = pd.concat(pd.read_parquet(p) for p in (out / "cameras").iterdir())
    assert cameras["camera_id"].nunique() == 250 and len(cameras) == 250 * 6
    visible = cameras.groupby("level")["visible_area_m2"].sum() / 1e6
    np.testing.assert_allclose(
        totals["camera_visible_km2"].to_numpy(), visible.loc[totals.index].to_numpy(), rtol=1e-9
    )


def test_coverage_partitioned_refuses_a_folder_that_is_not_one(tmp_path):
    result = runner.invoke(
        app, ["coverage-partitioned", str(tmp_path), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "is not a partitioned estate" in result.output


def test_coverage_partitioned_of_a_stored_estate(tmp_path, tiny_estate):
    from cctvscope.store import init_store, save_estate

    url = f"sqlite:///{tmp_path / 'store.db'}"
    save_estate(init_store(url), tiny_estate)
    out = tmp_path / "out"
    args = ["coverage-partitioned", "--estate", "tiny", "--database-url", url, "--out", str(out)]
    result = runner.invoke(app, [*args, "--executor", "inprocess", "--cell-m", "5"])
    assert result.exit_code == 0, result.output
    assert "tiny v1: 4 cameras" in result.output
    parts = list((out / "partitions" / "cameras").iterdir())
    assert sum(len(pd.read_parquet(p)) for p in parts) == 4
    cameras = pd.concat(pd.read_parquet(p) for p in (out / "cameras").iterdir())
    assert sorted(cameras["camera_id"].unique()) == ["a1", "a2", "a3", "b1"]
    neither = runner.invoke(app, ["coverage-partitioned", "--out", str(tmp_path / "o2")])
    assert neither.exit_code == 2 and "--estate NAME" in neither.output
    missing = runner.invoke(app, [*args[:-2], "--out", str(tmp_path / "o3"), "--estate", "nope"])
    assert missing.exit_code == 2 and "nope" in missing.output


def _central_london(tiny_estate, n: int = 60):
    """``tiny_estate``'s cameras repeated ``n`` times over Covent Garden and Clerkenwell (where
    London's bundled footprints are), across four BNG tiles."""
    from cctvscope.model.frames import with_points

    rng = np.random.default_rng(5)
    rows = tiny_estate.cameras.drop(columns="geometry").iloc[np.arange(n) % 4]
    rows = rows.reset_index(drop=True).assign(
        camera_id=[f"c{i:03d}" for i in range(n)],
        x_m=rng.uniform(529_800, 531_800, n),
        y_m=rng.uniform(180_600, 182_400, n),
        heading_deg=rng.uniform(0.0, 360.0, n),
    )
    return tiny_estate.replace_tables(cameras=with_points(rows))


def test_coverage_on_dask_gives_the_in_process_summary(tmp_path, tiny_estate):
    from cctvscope.store import init_store, save_estate

    url = f"sqlite:///{tmp_path / 'store.db'}"
    save_estate(init_store(url), _central_london(tiny_estate))
    common = ["coverage", "--estate", "tiny", "--database-url", url, "--cell-m", "5"]
    local = runner.invoke(
        app, [*common, "--out", str(tmp_path / "local"), "--no-maps", "--no-polygons"]
    )
    assert local.exit_code == 0, local.output
    args = [*common, "--out", str(tmp_path / "dask"), "--executor", "dask", "--workers", "1"]
    dask = runner.invoke(app, [*args, "--max-in-flight", "2"])
    assert dask.exit_code == 0, dask.output
    assert "tiny v1: 60 cameras" in dask.output
    key = ["area_type", "area_code", "level"]
    want = pd.read_csv(tmp_path / "local" / "coverage_summary.csv").set_index(key).sort_index()
    got = pd.read_csv(tmp_path / "dask" / "coverage_summary.csv").set_index(key).sort_index()
    assert list(got.index) == list(want.index)
    # Every area's figures: the dask path sums the tiles' per-area partial sums, the local
    # path the engine's; CSVs hold 6 significant figures, hence the tolerance.
    numbers = [c for c in want.columns if c.endswith(("_km2", "_covered", "crime_points"))]
    np.testing.assert_allclose(got[numbers].to_numpy(), want[numbers].to_numpy(), rtol=1e-5)
    boroughs = got.xs("borough", level="area_type")
    assert (boroughs["covered_km2"] > 0).sum() >= 2  # the cameras span two boroughs
    assert (got["crime_points_covered"] > 0).any()
    # Run again into the same folder: the earlier partitions and tiles are replaced.
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
