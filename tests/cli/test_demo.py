"""`cctvscope demo`: the London estate end to end, checked against the store by a second path."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from cctvscope.cli.main import app
from cctvscope.store import connect, list_estates, list_runs, load_estate
from cctvscope.workflows import BOROUGH_SUMMARY_COLUMNS, summarise_boroughs


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    tmp = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{tmp / 'store.db'}"
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp / "out"), "--database-url", url])
    assert result.exit_code == 0, result.output
    return tmp / "out", url, result.output


def test_demo_files(demo_run):
    out, _url, output = demo_run
    layers = gpd.list_layers(out / "estate.gpkg")
    assert set(layers["name"]) == {"boroughs", "cameras", "control_rooms"}
    boroughs = gpd.read_file(out / "estate.gpkg", layer="boroughs")
    cameras = gpd.read_file(out / "estate.gpkg", layer="cameras")
    assert len(boroughs) == 33
    assert cameras.crs.to_epsg() == 27700
    summary = pd.read_csv(out / "borough_summary.csv")
    assert list(summary.columns) == list(BOROUGH_SUMMARY_COLUMNS)
    assert len(summary) == 33
    assert summary["cameras"].sum() == len(cameras)
    assert "synthetic" in output


def test_demo_store_matches_files(demo_run):
    out, url, _ = demo_run
    engine = connect(url)
    estate = load_estate(engine, "london")
    assert estate.version == 1
    # Second path: recompute the summary from the stored estate and compare with the CSV.
    recomputed = summarise_boroughs(estate).round(4)
    written = pd.read_csv(out / "borough_summary.csv")
    pd.testing.assert_frame_equal(
        written, recomputed, check_dtype=False, check_exact=False, atol=1e-4
    )
    assert (estate.cameras.loc[estate.cameras["owner_type"] == "tfl", "provenance"] == "real").all()
    runs = list_runs(engine, "london")
    assert runs[0].kind == "demo"
    assert runs[0].input_hash == estate.input_hash()


def test_demo_again_reuses_identical_version(demo_run):
    out, url, _ = demo_run
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "version 1" in result.output
    assert [i.version for i in list_estates(connect(url))] == [1]
    assert len(list_runs(connect(url), "london")) == 2
