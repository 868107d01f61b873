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
