"""Camera import from GeoJSON, OSM XML and the survey workbook; the survey template."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest

from cctvscope.errors import InputError
from cctvscope.ingest import london
from cctvscope.ingest.cameras import CameraImport, read_cameras_file
from cctvscope.ingest.survey import TEMPLATE_COLUMNS, write_survey_template
from cctvscope.model.assumptions import Assumptions, read_assumptions

BIG_BEN = (-0.124625, 51.500729)
MARE_ST = (-0.0553, 51.5450)
_BOROUGHS: list[gpd.GeoDataFrame] = []


@pytest.fixture
def boroughs() -> gpd.GeoDataFrame:
    if not _BOROUGHS:
        _BOROUGHS.append(london.read_borough_table())
    return _BOROUGHS[0]


@pytest.fixture
def assumptions() -> Assumptions:
    return read_assumptions()


def run(path: Path, boroughs, assumptions, **kw) -> CameraImport:
    return read_cameras_file(path, boroughs=boroughs, assumptions=assumptions, **kw)


def errors(result: CameraImport) -> list[tuple[int | None, str | None, str]]:
    return [(f.row, f.field, f.reason) for f in result.errors]


def feature(geometry: dict, **props) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


# --- GeoJSON ---------------------------------------------------------------


def test_geojson_points(tmp_path, boroughs, assumptions):
    fc = {
        "type": "FeatureCollection",
        "features": [
            feature(point(*BIG_BEN), camera_id="G1", heading=180, ptz=True, hfov=None),
            {**feature(point(*MARE_ST), location="Mare St"), "id": "G2"},
            feature({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, camera_id="G3"),
            feature(None, camera_id="G4"),
        ],
    }
    path = tmp_path / "cams.geojson"
    path.write_text(json.dumps(fc))
    result = run(path, boroughs, assumptions)
    assert errors(result) == [
        (3, "geometry", "geometry is LineString; only Point features can be cameras"),
        (4, "geometry", "feature has no geometry"),
    ]
    cams = result.cameras
    assert list(cams["camera_id"]) == ["G1", "G2"]
    assert cams.loc[0, "heading_deg"] == 180 and cams.loc[0, "ptz"]
    assert cams.loc[0, "x_m"] == pytest.approx(530268.08, abs=0.5)
    assert list(cams["borough_code"]) == ["E09000033", "E09000012"]
    # a null property is blank, so the default applies
    assert "hfov_deg" in cams.loc[0, "defaulted_fields"].split(";")


def test_geojson_in_british_national_grid(tmp_path, boroughs, assumptions):
    fc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": [feature(point(530268.0, 179644.0), id="N1")],
    }
    path = tmp_path / "bng.json"
    path.write_text(json.dumps(fc))
    result = run(path, boroughs, assumptions)
    assert result.errors == ()
    assert (result.cameras.loc[0, "x_m"], result.cameras.loc[0, "y_m"]) == (530268.0, 179644.0)


def test_bundled_osm_sample_geojson(boroughs, assumptions):
    path = london.data_path("cameras/osm_surveillance_nodes_london_sample.geojson")
    result = run(path, boroughs, assumptions)
    assert result.errors == ()
    cam = result.cameras.iloc[0]
    assert cam["camera_id"] == "node/7839605212"
    assert cam["borough_code"] == "E09000010"  # Enfield, as the file states
    assert cam["location_text"] == "Emergency and service vehicles enforcement camera."


def test_geojson_not_json(tmp_path, boroughs, assumptions):
    path = tmp_path / "bad.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    result = run(path, boroughs, assumptions)
    assert errors(result)[0][2].startswith("not valid JSON: Expecting value at line 1")
    path.write_text('{"type": "Topology"}')
    assert errors(run(path, boroughs, assumptions)) == [
        (None, None, "not a GeoJSON FeatureCollection (no 'features' list)")
    ]


# --- OSM XML ---------------------------------------------------------------

OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
 <node id="1" lat="51.5007" lon="-0.1246">
  <tag k="man_made" v="surveillance"/>
  <tag k="surveillance" v="public"/>
  <tag k="surveillance:type" v="camera"/>
  <tag k="camera:type" v="fixed"/>
  <tag k="camera:direction" v="NE"/>
  <tag k="camera:angle" v="60"/>
  <tag k="height" v="6"/>
  <tag k="operator" v="Westminster City Council"/>
 </node>
 <node id="2" lat="51.5450" lon="-0.0553">
  <tag k="man_made" v="surveillance"/>
  <tag k="camera:type" v="dome"/>
  <tag k="camera:direction" v="90-180"/>
  <tag k="camera:mount" v="pole"/>
 </node>
 <node id="3" lat="51.5451" lon="-0.0554"/>
 <node id="4" lat="51.5452" lon="-0.0555">
  <tag k="man_made" v="surveillance"/>
  <tag k="surveillance:type" v="guard"/>
 </node>
 <node id="5" lat="51.5453" lon="-0.0556">
  <tag k="man_made" v="surveillance"/>
  <tag k="camera:direction" v="sideways"/>
  <tag k="height" v="-3"/>
 </node>
 <way id="10">
  <nd ref="1"/><nd ref="2"/>
  <tag k="man_made" v="surveillance"/>
 </way>
</osm>
"""


def test_osm_xml(tmp_path, boroughs, assumptions):
    path = tmp_path / "cams.osm.gz"
    path.write_bytes(gzip.compress(OSM.encode()))
    result = run(path, boroughs, assumptions)
    assert errors(result) == [
        (4, "mount_height_m", "out of range: mount_height_m must be > 0 and ≤ 100 m"),
        (4, "heading_deg", "not a number of degrees or a compass direction (N, NE, ...)"),
    ]
    cams = result.cameras.set_index("camera_id")
    assert list(cams.index) == ["osm-node-1", "osm-node-2"]
    one, two = cams.loc["osm-node-1"], cams.loc["osm-node-2"]
    assert (one["heading_deg"], one["hfov_deg"], one["mount_height_m"]) == (45.0, 60.0, 6.0)
    assert not one["ptz"] and one["operator"] == "Westminster City Council"
    assert one["location_text"] == "OSM (surveillance=public)"
    assert two["ptz"] and two["hfov_deg"] == 360.0 and two["heading_deg"] == 135.0
    assert two["location_text"] == "OSM (camera:mount=pole)"
    assert two["operator"] == "Hackney Council"
    warned = {(f.row, f.field) for f in result.warnings if "default" not in f.reason}
    assert {(1, "mount_height_m"), (1, "hfov_deg"), (2, "heading_deg"), (2, "hfov_deg")} <= warned
    assert (3, "surveillance:type") in warned
    assert any("SCEE #933/#934" in f.reason for f in result.warnings if f.row == 1)
    assert any("1 ways/relations" in f.reason for f in result.warnings if f.row is None)


def test_bundled_clerkenwell_extract_has_no_surveillance_nodes(boroughs, assumptions):
    result = run(london.osm_extract_path(), boroughs, assumptions)
    assert len(result.errors) == 1
    assert result.errors[0].row is None
    assert result.errors[0].reason.startswith("no surveillance nodes: none of the ")
    with pytest.raises(InputError, match="1 error; nothing imported"):
        result.raise_for_errors()


def test_osm_not_xml(tmp_path, boroughs, assumptions):
    path = tmp_path / "x.osm"
    path.write_text("<osm><node id='1'")
    assert errors(run(path, boroughs, assumptions))[0][2].startswith("not valid OSM XML")
    path.write_text("<html><body/></html>")
    assert errors(run(path, boroughs, assumptions)) == [
        (None, None, "not OSM XML: the root element is <html>, not <osm>")
    ]


# --- survey workbook and template -----------------------------------------


def fill_template(path: Path, rows: list[dict[str, object]]) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["cameras"]
    header = [c.value for c in sheet[1]]
    for row in rows:
        sheet.append([row.get(h) for h in header])
    book.save(path)


def test_survey_template_layout(tmp_path, assumptions):
    path = write_survey_template(tmp_path / "survey.xlsx", assumptions=assumptions)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["cameras", "guidance"]
    sheet = book["cameras"]
    header = [c.value for c in sheet[1]]
    assert tuple(header) == TEMPLATE_COLUMNS
    assert header[:6] == ["camera_id", "location_text", "lon", "lat", "easting", "northing"]
    assert sheet.max_row == 1  # no example row in the data sheet
    assert sheet["A1"].font.b and sheet.freeze_panes == "B2"
    lists = {
        str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.formula1
        for dv in sheet.data_validations.dataValidation
    }
    col = {h: openpyxl.utils.get_column_letter(i) for i, h in enumerate(header, start=1)}
    assert lists[col["ptz"]] == '"yes,no"'
    assert lists[col["codec"]] == '"mjpeg,mpeg4,h264,h265,other"'
    guide = {r[0]: r for r in book["guidance"].iter_rows(min_row=2, values_only=True)}
    assert set(guide) == set(TEMPLATE_COLUMNS)
    assert guide["camera_id"][4] == "yes" and guide["lon"][4] == "location"
    height = guide["mount_height_m"]
    assert height[3] == "m" and height[6] == "5.0"
    assert height[7] == assumptions.get("camera_defaults.mount_height_m").source
    assert guide["ptz"][6] == "no"


def test_filled_template_round_trips(tmp_path, boroughs, assumptions):
    path = write_survey_template(tmp_path / "survey.xlsx", assumptions=assumptions)
    full = {
        "camera_id": "S1",
        "location_text": "Parliament Square",
        "lon": BIG_BEN[0],
        "lat": BIG_BEN[1],
        "borough": "Westminster",
        "owner_type": "council",
        "operator": "Westminster City Council",
        "mount_height_m": 6,
        "heading_deg": 225,
        "hfov_deg": 85,
        "tilt_deg": 15,
        "ptz": "yes",
        "ptz_max_zoom": 30,
        "sensor_width_mm": 5.6,
        "focal_length_mm": 4.3,
        "resolution_h_px": 1920,
        "resolution_v_px": 1080,
        "codec": "h265",
        "fps": 25,
        "signal": "ip",
        "install_year": 2019,
        "retention_days": 31,
        "onvif_profiles": "S;G",
        "export_formats": "mp4;native",
        "time_sync": "ntp",
        "control_room_id": "WCC-CR1",
        "status": "operational",
    }
    bng = {"camera_id": "S2", "easting": 534800.5, "northing": 184800, "borough": "E09000012"}
    fill_template(path, [full, bng])
    result = run(path, boroughs, assumptions)
    assert result.errors == ()
    s1 = result.cameras.iloc[0]
    for key, value in full.items():
        if key in ("lon", "lat", "borough"):
            continue
        expected = {"ptz": True}.get(key, value)
        assert s1[key] == expected, key
    assert s1["defaulted_fields"] == "" and s1["borough_code"] == "E09000033"
    assert not any(f.row == 1 for f in result.warnings)
    s2 = result.cameras.iloc[1]
    assert (s2["x_m"], s2["y_m"], s2["borough_code"]) == (534800.5, 184800.0, "E09000012")
    assert result.defaulted_counts["heading_deg"] == 1


def test_csv_template_is_a_header(tmp_path, boroughs, assumptions):
    path = write_survey_template(tmp_path / "survey.csv")
    assert path.read_text().strip() == ",".join(TEMPLATE_COLUMNS)
    with path.open("a") as fh:
        fh.write(f"C1,,{BIG_BEN[0]},{BIG_BEN[1]}" + "," * (len(TEMPLATE_COLUMNS) - 4) + "\n")
    result = run(path, boroughs, assumptions)
    assert result.errors == () and len(result.cameras) == 1
    with pytest.raises(InputError, match=r"\.xlsx or \.csv"):
        write_survey_template(tmp_path / "survey.ods")


def test_xlsx_errors_are_located(tmp_path, boroughs, assumptions):
    path = write_survey_template(tmp_path / "survey.xlsx", assumptions=assumptions)
    fill_template(
        path,
        [
            {"camera_id": "X1", "lon": BIG_BEN[0], "lat": BIG_BEN[1], "hfov_deg": 400},
            {"camera_id": "X1", "lon": BIG_BEN[0], "lat": BIG_BEN[1], "fps": "fast"},
        ],
    )
    result = run(path, boroughs, assumptions)
    assert errors(result) == [
        (1, "hfov_deg", "out of range: hfov_deg must be > 0 and ≤ 360 °"),
        (2, "camera_id", "duplicate id: first used on row 1"),
        (2, "fps", "not a number"),
    ]


def test_xlsx_garbage_and_format_override(tmp_path, boroughs, assumptions):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"\x00\x01garbage" * 50)
    result = run(path, boroughs, assumptions)
    assert result.errors[0].reason.startswith("not a readable .xlsx workbook")
    data = tmp_path / "cams.dat"
    data.write_text(f"id,lon,lat\nF1,{BIG_BEN[0]},{BIG_BEN[1]}\n")
    assert errors(run(data, boroughs, assumptions)) == [
        (None, None, "unknown format '.dat'; formats are csv, geojson, osm, xlsx (use --format)")
    ]
    assert run(data, boroughs, assumptions, fmt="csv").errors == ()


def test_geojson_with_no_points_reports_rows_only(tmp_path, boroughs, assumptions):
    line = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
    path = tmp_path / "lines.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature(line, id="L")]}))
    result = run(path, boroughs, assumptions)
    assert errors(result) == [
        (1, "geometry", "geometry is LineString; only Point features can be cameras")
    ]
