"""Estate export: every table with each attribute's provenance, in three formats."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from cctvscope.errors import InputError
from cctvscope.model import Camera
from cctvscope.model.frames import records_to_frame, with_points
from cctvscope.reporting.export import ExportFormat, export_format_for, write_estate_export
from tests.conftest import make_camera


@pytest.fixture
def estate(tiny_estate):
    """tiny_estate plus one imported camera: hfov from the catalogue, tilt defaulted,
    and an operator that a spreadsheet would run as a formula."""
    extra = make_camera(
        "=HYPERLINK(1)",
        "E09000002",
        501_600,
        180_600,
        provenance="imported",
        operator="+cmd|' /C calc'!A0",
        catalogue_fields=("hfov_deg",),
        defaulted_fields=("tilt_deg",),
        make="Hikvision",
        model="DS-2CD2087G2-LU",
    )
    cams = pd.concat(
        [tiny_estate.cameras, with_points(records_to_frame(Camera, [extra]))], ignore_index=True
    )
    return tiny_estate.replace_tables(
        cameras=gpd.GeoDataFrame(cams, geometry="geometry", crs=tiny_estate.cameras.crs),
        metadata={"returns": [{"table": "cameras", "at": "2026-12-01T10:00:00+00:00",
                               "scope": {"boroughs": ["E09000002"]}, "added": 1}]},
    )  # fmt: skip


def test_gpkg_has_a_layer_per_table_and_the_sources(estate, tmp_path):
    path = write_estate_export(estate, tmp_path / "e.gpkg", ExportFormat.GPKG)[0]
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert layers == {
        "boroughs", "control_rooms", "cameras", "links", "contracts", "evidence_stats",
        "cost_items", "camera_sources", "findings", "returns",
    }  # fmt: skip
    cams = gpd.read_file(path, layer="cameras")
    assert len(cams) == 5 and cams.crs.to_epsg() == 27700
    sources = gpd.read_file(path, layer="camera_sources").set_index("camera_id")
    # a1..a3 synthetic (conftest default), b1 real (TfL), the import: catalogue/default/real.
    assert sources.loc["a1", "hfov_deg"] == "synthetic"
    assert sources.loc["b1", "hfov_deg"] == "real"
    assert sources.loc["=HYPERLINK(1)", "hfov_deg"] == "catalogue"
    assert sources.loc["=HYPERLINK(1)", "tilt_deg"] == "default"
    assert sources.loc["=HYPERLINK(1)", "make"] == "real"
    returns = gpd.read_file(path, layer="returns")
    assert returns["added"].tolist() == [1]


def test_csv_defuses_formulas_and_parquet_round_trips(estate, tmp_path):
    written = write_estate_export(estate, tmp_path / "csv", ExportFormat.CSV)
    assert {p.name for p in written} >= {"cameras.csv", "camera_sources.csv"}
    cams = pd.read_csv(tmp_path / "csv" / "cameras.csv", dtype=str, keep_default_na=False)
    row = cams.loc[cams["make"] == "Hikvision"].iloc[0]
    assert row["camera_id"] == "'=HYPERLINK(1)"
    assert row["operator"] == "'+cmd|' /C calc'!A0"
    assert row["geometry"] == "POINT (501600 180600)"

    write_estate_export(estate, tmp_path / "pq", ExportFormat.PARQUET)
    back = gpd.read_parquet(tmp_path / "pq" / "cameras.parquet")
    assert back["camera_id"].tolist() == estate.cameras["camera_id"].tolist()
    assert back.geometry.x.tolist() == estate.cameras.geometry.x.tolist()


def test_format_comes_from_the_suffix_or_the_option(tmp_path):
    assert export_format_for(tmp_path / "a.gpkg", None) is ExportFormat.GPKG
    assert export_format_for(tmp_path / "dir", "parquet") is ExportFormat.PARQUET
    with pytest.raises(InputError, match="cannot tell the format"):
        export_format_for(tmp_path / "a.xlsx", None)
    with pytest.raises(InputError, match="unknown export format"):
        export_format_for(tmp_path / "a", "shp")
