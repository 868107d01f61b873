"""Regions: any area as an input; estates of a region check imports against its areas."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cctvscope.cli.main import app
from cctvscope.errors import InputError
from cctvscope.ingest.london import read_burglary_points
from cctvscope.store import init_store, list_estates, load_estate, store_snapshot
from cctvscope.workflows.imports import ImportRequest, import_file
from cctvscope.workflows.regions import (
    create_estate,
    create_region,
    ensure_london_region,
    list_regions,
    load_region,
)
from tests.conftest import make_camera
from tests.ingest.region_files import EAST, WEST, feature, square, write_geojson, write_region
from tests.ingest.test_region import bng_km2

runner = CliRunner()

CAMERAS = """id,location text,lon,lat
ST-1,Heaton Moor Road,-2.18,53.40
ST-2,Heaton Chapel,-2.12,53.41
ST-3,Manchester Piccadilly,-2.23,53.477
"""


@pytest.fixture
def engine(tmp_path: Path):
    engine = init_store(f"sqlite:///{tmp_path / 'store.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return write_region(tmp_path / "stockport")


def _create(engine, files: dict[str, Path]):
    return create_region(
        engine,
        "stockport",
        files["boundaries"],
        title="Stockport",
        small_areas=files["small_areas"],
        crime=[files["crime"]],
        osm=files["osm"],
    )


def test_create_region_stores_every_layer_in_bng(engine, files):
    info = _create(engine, files)
    assert (info.name, info.title, info.crs_epsg, info.areas) == (
        "stockport",
        "Stockport",
        27700,
        2,
    )
    counts = {layer.name: layer.feature_count for layer in info.layers}
    # 5 crimes: one without coordinates, one outside both areas.
    assert counts == {"areas": 2, "small_areas": 3, "crime": 3, "osm": 4}
    assert {layer.source for layer in info.layers} >= {"areas.geojson", "heatons.osm"}
    assert all(len(layer.sha256) == 64 for layer in info.layers)
    assert [r.name for r in list_regions(engine)] == ["stockport"]

    data = load_region(engine, "stockport")
    assert data.areas.crs.to_epsg() == 27700
    km2 = list(data.areas.geometry.area / 1e6)
    assert km2 == pytest.approx([bng_km2(WEST), bng_km2(EAST)], rel=1e-6)
    small = data.small_areas.set_index("code")
    assert dict(small["area_code"]) == {
        "E01005001": "E05000780",
        "E01005002": "E05000780",
        "E01005003": "E05000781",
    }
    assert dict(small["crimes"]) == {"E01005001": 1, "E01005002": 1, "E01005003": 1}
    assert dict(small["population"]) == {"E01005001": 1500, "E01005002": 1600, "E01005003": 2000}
    assert sorted(data.crime["crime_type"]) == [
        "Anti-social behaviour",
        "Burglary",
        "Vehicle crime",
    ]
    assert sorted(data.features["kind"]) == ["building", "building", "police_station", "street"]
    warnings = info.metadata["warnings"]
    assert any("1 crime(s) without coordinates" in w for w in warnings)
    assert any("1 crime(s) outside every area" in w for w in warnings)


def test_estate_of_a_region_checks_imports_against_its_areas(engine, files, tmp_path):
    _create(engine, files)
    estate = create_estate(engine, "heatons", "stockport")
    assert estate.version == 1
    assert estate.region.name == "Stockport"
    assert estate.metadata == {"region": "stockport"}
    boroughs = estate.boroughs.set_index("gss_code")
    assert list(boroughs.index) == ["E05000780", "E05000781"]
    assert list(boroughs["area_km2"]) == pytest.approx([bng_km2(WEST), bng_km2(EAST)], rel=1e-6)
    assert dict(boroughs["population"]) == {"E05000780": 3100, "E05000781": 2000}
    # Two months of crime scaled to a year: 2 crimes in the west, 1 in the east.
    assert dict(boroughs["recorded_crimes_per_year"]) == {"E05000780": 12, "E05000781": 6}
    assert set(boroughs["cost_profile"]) == {""}
    assert set(boroughs["source"]) == {"areas.geojson"}

    cams = tmp_path / "cams.csv"
    cams.write_text(CAMERAS)
    before = store_snapshot(engine)
    with pytest.raises(InputError) as info:
        import_file(engine, "heatons", ImportRequest("cameras", cams))
    errors = info.value.errors
    assert [(f.row, f.field) for f in errors] == [(3, "coordinates")]
    assert errors[0].reason.startswith("outside the region Stockport: lon -2.23, lat 53.477")
    assert errors[0].reason.endswith("from every area of Stockport")
    assert store_snapshot(engine) == before

    cams.write_text("".join(CAMERAS.splitlines(keepends=True)[:3]))
    done = import_file(engine, "heatons", ImportRequest("cameras", cams))
    assert done.written and done.estate.version == 2  # version 1 is the empty estate
    stored = load_estate(engine, "heatons")
    assert dict(zip(stored.cameras["camera_id"], stored.cameras["borough_code"], strict=True)) == {
        "ST-1": "E05000780",
        "ST-2": "E05000781",
    }
    # Codes are any codes: a ward code validates as a camera's borough code.
    assert make_camera("c", "E05000780", 0, 0).borough_code == "E05000780"


def test_bad_region_files_report_everything_and_store_nothing(engine, files, tmp_path):
    bad = write_geojson(
        tmp_path / "bad.geojson",
        [
            feature({"code": "W1", "name": "One"}, square(*WEST)),
            feature({"code": "W1", "name": "Two"}, square(*EAST)),
            feature(
                {"code": "W3", "name": "Three"}, {"type": "Point", "coordinates": [-2.1, 53.4]}
            ),
        ],
    )
    crime = tmp_path / "crime.csv"
    crime.write_text("Month,Crime type\n2024-03,Burglary\n")
    before = store_snapshot(engine)
    with pytest.raises(InputError) as info:
        create_region(engine, "bad region", bad, crime=[crime], osm=files["osm"])
    got = {(f.row, f.field, f.value) for f in info.value.errors}
    assert got == {
        (None, "name", "bad region"),
        (2, "code", "W1"),
        (3, "geometry", "Point"),
        (None, None, "crime.csv"),
    }
    assert any(
        f.reason.startswith("boundaries (bad.geojson): duplicate") for f in info.value.errors
    )
    assert store_snapshot(engine) == before
    assert list_regions(engine) == []
    _create(engine, files)
    with pytest.raises(InputError, match="1 error"):
        _create(engine, files)  # the name is taken


def test_region_outside_great_britain_has_no_estate_yet(engine, tmp_path):
    paris = write_geojson(
        tmp_path / "paris.geojson",
        [feature({"code": "P1", "name": "Centre"}, square(2.3, 48.85, 2.4, 48.9))],
    )
    info = create_region(engine, "paris", paris, title="Paris")
    assert info.crs_epsg == 32631
    assert load_region(engine, "paris").areas.crs.to_epsg() == 32631
    with pytest.raises(InputError, match="British National Grid"):
        create_estate(engine, "paris-estate", "paris")


def test_london_is_the_bundled_region(engine):
    info = ensure_london_region(engine)
    assert (info.title, info.areas, info.crs_epsg) == ("London", 33, 27700)
    assert ensure_london_region(engine) == info  # idempotent: stored once
    assert [r.name for r in list_regions(engine)] == ["london"]
    counts = {layer.name: layer.feature_count for layer in info.layers}
    assert counts["small_areas"] == 4835 and counts["police_stations"] > 100
    # Crime: the MPS burglary points and the City of London Police's points of every type.
    crime = next(layer for layer in info.layers if layer.name == "crime")
    assert crime.source == (
        "police_uk_met_burglary_street_2024-03_to_2025-02.csv.gz, "
        "police_uk_city_of_london_street_2024-03_to_2025-02.csv.gz"
    )
    assert counts["crime"] > len(read_burglary_points())
    estate = create_estate(engine, "ldn", "london")
    assert len(estate.boroughs) == 33
    assert set(estate.boroughs["cost_profile"]) == {"london-default"}
    assert estate.metadata == {"region": "london"}
    with pytest.raises(InputError, match="exists"):
        create_estate(engine, "ldn", "london")


def test_cli_region_and_estate_commands(tmp_path, files):
    db = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*args: str):
        return runner.invoke(app, [*args, "--database-url", db])

    made = run(
        "region", "create", "stockport", "--boundaries", str(files["boundaries"]),
        "--title", "Stockport", "--small-areas", str(files["small_areas"]),
        "--crime", str(files["crime"]), "--crime", str(files["crime"]),
        "--population", str(files["population"]), "--osm", str(files["osm"]),
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "region 'stockport' (Stockport) stored: 2 areas in EPSG:27700" in made.output
    assert "crime 6" in made.output  # the same file twice: every crime counts twice
    listed = run("region", "list")
    assert listed.exit_code == 0, listed.output
    assert "stockport" in listed.output and "built on first use" in listed.output
    shown = run("region", "show", "stockport")
    assert shown.exit_code == 0, shown.output
    assert "Heatons West" in shown.output and "EPSG:27700" in shown.output
    assert "building 2, police_station 1, street 1" in shown.output
    assert "crime: 6 points, 2024-03 to 2024-04" in shown.output
    estate = run("estate", "create", "heatons", "--region", "stockport")
    assert estate.exit_code == 0, estate.output
    assert "estate 'heatons' version 1: 2 areas of Stockport" in estate.output
    assert [(i.name, i.version) for i in list_estates(init_store(db))] == [("heatons", 1)]
    again = run("estate", "create", "heatons", "--region", "stockport")
    assert again.exit_code == 2
    missing = run("region", "show", "nowhere")
    assert missing.exit_code == 2
    assert "no region named 'nowhere'; regions: stockport" in missing.output

    bad = write_geojson(tmp_path / "dup.geojson", [
        feature({"code": "X"}, square(*WEST)), feature({"code": "X"}, None),
    ])  # fmt: skip
    refused = run("region", "create", "dup", "--boundaries", str(bad))
    assert refused.exit_code == 2
    assert "duplicate code (also row 1)" in refused.output
    assert "empty geometry" in refused.output
    assert "nothing was stored" in refused.output
