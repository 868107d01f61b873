"""Any area: every analysis runs on a region's estate, or names what it lacks.

A small Stockport region (two wards, three small areas, three crimes inside, OSM
buildings, a street and a police station) and an estate of six cameras in the
council's own register format go through comply, coverage, economics and the
options from the CLI. Nothing may say London (the standard's label london-cctv
aside), and crime in coverage must be the region's own crime points.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from typer.testing import CliRunner

from cctvscope.cli.main import app
from cctvscope.crs import wgs84_to_bng
from cctvscope.model.entities import CostItem
from cctvscope.model.frames import normalise_frame
from cctvscope.store import init_store
from cctvscope.workflows.readiness import (
    LONDON_PROFILE,
    cost_profile_choice,
    lacking_items,
    with_cost_profile,
)
from cctvscope.workflows.regions import create_estate, create_region
from tests.ingest.region_files import CRIME_ROWS, EAST, OSM, WEST, square, write_region

runner = CliRunner()

#: The council's register: its own column names, BNG metres, PTZ/Fixed in "Type".
REGISTER = """Asset No,Easting,Northing,Type
SK001,388120,388140,PTZ
SK002,388800,391470,Fixed
SK003,392110,389240,PTZ
SK004,390000,390000,Fixed
SK005,387500,389500,Fixed
SK006,393000,391000,PTZ
"""

COST_ITEMS = """profile,item,value_gbp,per,price_base_year,source
stockport-2024,camera_installation,9000,camera,2024,Stockport test figure
stockport-2024,camera_running,1200,camera-year,2024,Stockport test figure
"""


#: A short street past the first crime (lon -2.18, lat 53.39): candidate sites near it.
HIGH_STREET = """  <node id="20" lat="53.3899" lon="-2.1806" version="1"/>
  <node id="21" lat="53.3899" lon="-2.1794" version="1"/>
  <way id="103" version="1">
    <nd ref="20"/><nd ref="21"/>
    <tag k="highway" v="primary"/><tag k="name" v="High Street"/>
  </way>
</osm>"""


def flat(text: str) -> str:
    """Console text with Rich's line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture
def cli(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'store.db'}"
    said: list[str] = []

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, [*args, "--database-url", db])
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        said.append(result.output)
        return flat(result.output)

    run.said = said  # type: ignore[attr-defined]
    return run


def _outputs(folder: Path) -> str:
    """Every text file an analysis wrote (CSV, SVG)."""
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.suffix in {".csv", ".svg"}
    )


def _no_london(text: str) -> None:
    assert "London" not in text, [line for line in text.splitlines() if "London" in line][:3]


def _crime_bng() -> list[shapely.Point]:
    """The test's crime points with coordinates, in British National Grid."""
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    points = []
    for row in CRIME_ROWS:
        cells = row.split(",")
        if cells[4] and cells[5]:
            points.append(shapely.Point(to_bng.transform(float(cells[4]), float(cells[5]))))
    return points


def _ward_bng(box: tuple[float, float, float, float]) -> shapely.Geometry:
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    ring = square(*box)["coordinates"][0]
    return shapely.Polygon([to_bng.transform(x, y) for x, y in ring])


def test_every_analysis_runs_on_a_region(cli, tmp_path: Path):
    files = write_region(tmp_path / "stockport")
    files["osm"].write_text(OSM.replace("</osm>", HIGH_STREET), encoding="utf-8")
    made = cli(
        "region", "create", "stockport", "--boundaries", str(files["boundaries"]),
        "--title", "Stockport", "--small-areas", str(files["small_areas"]),
        "--crime", str(files["crime"]), "--osm", str(files["osm"]),
    )  # fmt: skip
    assert "crime 3" in made
    cli("estate", "create", "heatons", "--region", "stockport")
    register = tmp_path / "register.csv"
    register.write_text(REGISTER)
    imported = cli("import", "cameras", str(register), "--estate", "heatons", "--map", "ptz=Type")
    assert "6" in imported
    costs = tmp_path / "costs.csv"
    costs.write_text(COST_ITEMS)
    cli("import", "cost_items", str(costs), "--estate", "heatons")

    out = tmp_path / "out"
    comply = cli("comply", "--estate", "heatons", "--out", str(out / "comply"))
    assert "Stockport compliance with london-cctv v1.0 (" in comply
    assert "% real records)" in comply
    # The register gives no frame rate, codec, retention, clock or export: every camera has
    # a rule left unknown, so no share compliant is claimed (not "100 %" of none).
    assert "No camera has every rule decided (6 have a rule left unknown" in " ".join(
        comply.split()
    )
    # No fix is bought for cameras whose failures are all unknown: said, not "£0 ... 0".
    assert "of the upgrade plan buys no fix" in " ".join(comply.split())
    assert "(£0)" not in comply

    coverage = cli("coverage", "--estate", "heatons", "--out", str(out / "coverage"))
    assert "Stockport coverage" in coverage
    assert "no crime layer" not in coverage
    summary = pd.read_csv(out / "coverage" / "coverage_summary.csv")
    monitor = summary[summary["level"] == "monitor"].set_index("area_code")
    # Crime points per ward, counted independently of the engine.
    points = _crime_bng()
    west, east = _ward_bng(WEST), _ward_bng(EAST)
    assert monitor.loc["london", "area_name"] == "Stockport"
    assert monitor.loc["london", "crime_points"] == len(points) - 1  # one lies outside
    assert monitor.loc["E05000780", "crime_points"] == sum(west.contains(p) for p in points)
    assert monitor.loc["E05000781", "crime_points"] == sum(east.contains(p) for p in points)
    # SK001 (PTZ) stands 10 m from the first crime: it is inside coverage at Monitor.
    assert monitor.loc["E05000780", "crime_points_covered"] >= 1
    # By police.uk type: the three types of the points inside the region, one point each,
    # adding up to the region's points; the run says which types it counted.
    types = pd.read_csv(out / "coverage" / "coverage_crime_types.csv")
    region = types[(types["area_type"] == "london") & (types["level"] == "monitor")]
    assert dict(zip(region["crime_type"], region["crime_points"], strict=True)) == {
        "Anti-social behaviour": 1,
        "Burglary": 1,
        "Vehicle crime": 1,
    }
    assert region["crime_points"].sum() == monitor.loc["london", "crime_points"]
    # On Dask, tile by tile from the stored layers (footprints, wards, crime points written
    # per tile): the same summary, to the CSV's 6 significant figures.
    dask_out = out / "coverage-dask"
    on_dask = cli("coverage", "--estate", "heatons", "--out", str(dask_out), "--executor", "dask",
                  "--workers", "1")  # fmt: skip
    assert "Stockport coverage" in on_dask
    key = ["area_type", "area_code", "level"]
    tiled = pd.read_csv(dask_out / "coverage_summary.csv").set_index(key).sort_index()
    whole = summary.set_index(key).sort_index()
    assert list(tiled.index) == list(whole.index)
    numbers = [c for c in whole.columns if c.endswith(("_km2", "_covered", "crime_points"))]
    np.testing.assert_allclose(tiled[numbers], whole[numbers], rtol=1e-5)
    shares = ["synthetic_share_of_cameras", "share_real_inputs"]  # summed batch by batch
    pd.testing.assert_frame_equal(tiled[shares], whole[shares])
    assert whole["covered_km2"].max() > 0
    assert "Crime in coverage counts street-level crime points of 3 police.uk crime types" in (
        " ".join(coverage.split())
    )

    economics = cli("economics", "--estate", "heatons", "--out", str(out / "economics"))
    assert "Stockport economics" in economics
    assert "costs from the cost profile 'stockport-2024' (the estate's only one)" in economics
    assert (
        "no contracts for Stockport: cctvscope template return --out return.xlsx, then "
        "cctvscope import contracts return.xlsx --estate heatons"
    ) in economics
    assert "no evidence statistics for Stockport:" in economics
    assert (out / "economics" / "vfm.csv").exists()

    rooms = cli("options", "control-rooms", "--estate", "heatons", "--out", str(out / "rooms"))
    assert "Stockport control-room options: nothing computed, nothing written" in rooms
    assert "no control rooms for Stockport: cctvscope template return" in rooms
    monitoring = cli("options", "monitoring", "--estate", "heatons", "--out", str(out / "mon"))
    assert "Stockport monitoring: nothing computed, nothing written" in monitoring

    area = tmp_path / "study.geojson"
    box = square(-2.20, 53.385, -2.14, 53.425)
    area.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {}, "geometry": box}],
            }
        )
    )
    placed = cli(
        "options", "placement", "--estate", "heatons", "--area", str(area),
        "--budget", "20000", "--out", str(out / "placement"),
    )  # fmt: skip
    assert "Stockport placement in study:" in placed
    assert "new cameras for £" in placed

    for text in cli.said:
        _no_london(text)
    _no_london(_outputs(out))


def bare_estate(cli, tmp_path: Path) -> dict[str, Path]:
    """Region "heatons" (areas and OSM only: no crime, no small areas) and estate "bare"
    holding the council's register; returns the region's files."""
    files = write_region(tmp_path / "bare")
    cli(
        "region", "create", "heatons", "--boundaries", str(files["boundaries"]),
        "--title", "Heatons", "--osm", str(files["osm"]),
    )  # fmt: skip
    cli("estate", "create", "bare", "--region", "heatons")
    register = tmp_path / "register.csv"
    register.write_text(REGISTER)
    cli("import", "cameras", str(register), "--estate", "bare", "--map", "ptz=Type")
    return files


def test_a_region_without_crime_or_rooms_names_what_it_lacks(cli, tmp_path: Path):
    files = bare_estate(cli, tmp_path)
    out = tmp_path / "out"

    comply = cli("comply", "--estate", "bare", "--out", str(out / "comply"))
    assert "Heatons compliance with london-cctv v1.0" in comply
    assert (
        "no crime layer for Heatons: cctvscope region create NAME --boundaries FILE "
        "--crime FILE (the upgrade plan is ranked by compliance gained per £ alone)"
    ) in comply

    coverage = cli("coverage", "--estate", "bare", "--out", str(out / "coverage"))
    assert (
        "no crime layer for Heatons: cctvscope region create NAME --boundaries FILE "
        "--crime FILE (crime in coverage and gaps are not computed)"
    ) in coverage
    summary = pd.read_csv(out / "coverage" / "coverage_summary.csv")
    assert not any(c.startswith(("crime", "lsoa_crime")) for c in summary.columns)
    assert "crime points %" not in coverage
    assert not (out / "coverage" / "coverage_crime_types.csv").exists()
    on_dask = cli("coverage", "--estate", "bare", "--out", str(out / "dask"), "--executor", "dask",
                  "--workers", "1")  # fmt: skip
    assert "(crime in coverage and gaps are not computed)" in on_dask
    tiled = pd.read_csv(out / "dask" / "coverage_summary.csv")
    assert list(tiled.columns) == list(summary.columns)

    economics = cli("economics", "--estate", "bare", "--out", str(out / "economics"))
    assert (
        "no cost profile (cost items) for Heatons: cctvscope template return --out "
        "return.xlsx, then cctvscope import cost_items return.xlsx --estate bare"
    ) in economics
    assert "Heatons economics: no figure could be computed" in economics

    rooms = cli("options", "control-rooms", "--estate", "bare", "--out", str(out / "rooms"))
    assert "Heatons control-room options: nothing computed, nothing written" in rooms
    assert (
        "no control rooms for Heatons: cctvscope template return --out return.xlsx, then "
        "cctvscope import control_rooms return.xlsx --estate bare"
    ) in rooms
    assert (
        "no monitored council cameras for Heatons: cctvscope import cameras FILE --estate "
        "bare with council cameras and a control_room_id column"
    ) in rooms
    monitoring = cli("options", "monitoring", "--estate", "bare", "--out", str(out / "mon"))
    assert "no crime layer for Heatons:" in monitoring
    placed = cli("options", "placement", "--estate", "bare", "--area", str(files["boundaries"]))
    assert "Heatons placement: nothing computed, nothing written" in placed
    assert "no crime layer for Heatons:" in placed
    assert not (out / "rooms").exists()

    for text in cli.said:
        _no_london(text)
    _no_london(_outputs(out))


def _items(*profiles: str) -> pd.DataFrame:
    rows = [
        {
            "profile": profile,
            "item": item,
            "value_gbp": 100.0,
            "per": "camera",
            "price_base_year": 2024,
            "source": "test",
            "provenance": "imported",
        }
        for profile in profiles
        for item in ("camera_installation", "camera_running")
    ]
    return normalise_frame(CostItem, pd.DataFrame(rows))


def test_cost_profile_is_never_london_unless_the_estate_holds_it(tmp_path: Path):
    engine = init_store(f"sqlite:///{tmp_path / 'store.db'}")
    files = write_region(tmp_path / "r")
    create_region(engine, "stockport", files["boundaries"], title="Stockport")
    estate = create_estate(engine, "e", "stockport")
    assert cost_profile_choice(estate).profile is None  # nothing read from the bundled data
    own = estate.replace_tables(cost_items=_items("stockport-2024"))
    assert cost_profile_choice(own).profile == "stockport-2024"
    both = estate.replace_tables(cost_items=_items("a", LONDON_PROFILE))
    choice = cost_profile_choice(both)
    assert choice.profile == LONDON_PROFILE
    assert "held in the estate's cost items" in choice.note
    costed = with_cost_profile(both, LONDON_PROFILE)
    assert set(costed.boroughs["cost_profile"]) == {LONDON_PROFILE}
    assert lacking_items(own, "stockport-2024", ("camera_installation", "x")) == ("x",)
    engine.dispose()


def test_the_estate_chooses_its_standard(cli, tmp_path: Path):
    """`estate create --standard` names the standard comply, report and the web use."""
    files = write_region(tmp_path / "stockport")
    cli("region", "create", "stockport", "--boundaries", str(files["boundaries"]),
        "--title", "Stockport")  # fmt: skip
    said = cli("estate", "create", "x", "--region", "stockport", "--standard", "nope", code=2)
    assert "nope" in said and "london-v1, national-minimum-v1" in said
    assert "x" not in cli("estates").split()  # nothing stored
    cli("estate", "create", "heatons", "--region", "stockport",
        "--standard", "national-minimum-v1")  # fmt: skip
    register = tmp_path / "register.csv"
    register.write_text(REGISTER)
    cli("import", "cameras", str(register), "--estate", "heatons", "--map", "ptz=Type")
    out = tmp_path / "comply"
    said = cli("comply", "--estate", "heatons", "--out", str(out))
    assert "Stockport compliance with national-minimum v1.0" in said
    assert set(pd.read_csv(out / "compliance.csv")["standard"]) == {"national-minimum v1.0"}
    # An explicit --standard still overrides the estate's own.
    said = cli("comply", "--estate", "heatons", "--out", str(out), "--standard", "london-v1")
    assert "Stockport compliance with london-cctv v1.0" in said


def test_places_of_a_region_are_its_streets_areas_and_stations(cli, tmp_path: Path):
    bare_estate(cli, tmp_path)

    def place(query: str) -> str:
        return " ".join(cli("place", query, "--estate", "bare").replace("│", " ").split())

    found = place("test street")
    # Test Street runs straight between two OSM nodes: its middle is the mean of their
    # British National Grid points.
    x, y = wgs84_to_bng([-2.19, -2.11], [53.39, 53.42])
    assert f"Test Street street {x.mean():.0f} {y.mean():.0f}" in found
    assert "Heatons Police Station police station" in place("police")
    assert "Heatons West area" in place("heatons w")
    # London's postcodes are not Stockport's places.
    assert "no place in Heatons matches 'SW1A 2AA'" in cli(
        "place", "SW1A 2AA", "--estate", "bare", code=1
    )
