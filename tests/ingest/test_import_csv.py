"""Camera import from CSV: every bad input gives exact, row-located findings."""

from __future__ import annotations

import random
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cctvscope.crs import wgs84_to_bng
from cctvscope.errors import InputError
from cctvscope.ingest.cameras import CameraImport, parse_assignments, read_cameras_file
from cctvscope.ingest.london import read_borough_table
from cctvscope.model.assumptions import Assumptions, read_assumptions
from cctvscope.model.entities import Camera
from cctvscope.model.frames import frame_to_records

# Points well inside boroughs (lon, lat)
BIG_BEN = (-0.124625, 51.500729)  # Westminster
MARE_ST = (-0.0553, 51.5450)  # Hackney
CROYDON = (-0.0982, 51.3762)  # Croydon

_BOROUGHS: list[gpd.GeoDataFrame] = []


@pytest.fixture
def boroughs() -> gpd.GeoDataFrame:
    if not _BOROUGHS:
        _BOROUGHS.append(read_borough_table())
    return _BOROUGHS[0]


@pytest.fixture
def assumptions() -> Assumptions:
    return read_assumptions()


def write(tmp_path: Path, text: str, name: str = "cams.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(path: Path, boroughs, assumptions, **kw) -> CameraImport:
    return read_cameras_file(path, boroughs=boroughs, assumptions=assumptions, **kw)


def errors(result: CameraImport) -> list[tuple[int | None, str | None, str]]:
    return [(f.row, f.field, f.reason) for f in result.errors]


def has(result: CameraImport, row: int | None, field: str | None, text: str, sev="error") -> bool:
    return any(
        f.row == row and f.field == field and text in f.reason and f.severity == sev
        for f in result.findings
    )


COUNCIL = (
    "id,location text,lon,lat\n"
    f"C1,Big Ben,{BIG_BEN[0]},{BIG_BEN[1]}\n"
    f"C2,Mare Street,{MARE_ST[0]},{MARE_ST[1]}\n"
)


def test_real_council_file_imports_with_defaults(tmp_path, boroughs, assumptions):
    result = run(write(tmp_path, COUNCIL), boroughs, assumptions)
    assert result.errors == ()
    cams = result.cameras
    assert list(cams["camera_id"]) == ["C1", "C2"]
    assert list(cams["borough_code"]) == ["E09000033", "E09000012"]
    assert list(cams["location_text"]) == ["Big Ben", "Mare Street"]
    assert list(cams["operator"]) == ["Westminster City Council", "Hackney Council"]
    assert set(cams["provenance"]) == {"imported"} and set(cams["source"]) == {"cams.csv"}
    assert cams.crs.to_epsg() == 27700
    defaults = assumptions.section("camera_defaults")
    n_fields = len(defaults) + 1  # + operator
    assert result.defaulted_counts == dict.fromkeys(result.defaulted_counts, 2)
    assert len(result.defaulted_counts) == n_fields
    # one warning per defaulted field and reason, standing for both rows: the
    # assumptions' defaults are the same for both, the operator differs by borough
    assert len(result.warnings) == (n_fields - 1) + 2
    heading = [f for f in result.warnings if f.field == "heading_deg"]
    assert [(f.row, f.count) for f in heading] == [(None, 2)]
    assert "default 0.0 deg" in heading[0].reason
    operators = sorted((f.count, f.reason) for f in result.warnings if f.field == "operator")
    assert [n for n, _ in operators] == [1, 1]
    assert "Hackney Council" in operators[0][1] and "Westminster" in operators[1][1]
    assert cams.loc[0, "mount_height_m"] == defaults["mount_height_m"].value
    assert "heading_deg" in cams.loc[0, "defaulted_fields"].split(";")
    # the table validates back into Camera records
    records = frame_to_records(Camera, cams)
    assert set(records[0].defaulted_fields) == set(result.defaulted_counts)


def test_big_ben_converts_to_bng_within_half_a_metre(tmp_path, boroughs, assumptions):
    result = run(write(tmp_path, COUNCIL), boroughs, assumptions)
    x, y = result.cameras.loc[0, ["x_m", "y_m"]]
    assert x == pytest.approx(530268.08, abs=0.5)
    assert y == pytest.approx(179643.90, abs=0.5)
    geom = result.cameras.geometry.iloc[0]
    assert (geom.x, geom.y) == (x, y)


def test_bng_coordinates_and_attributes(tmp_path, boroughs, assumptions):
    text = (
        "Camera ID;Easting;Northing;Height (m);Direction;FOV;PTZ;Zoom;Codec;ONVIF;Export;Owner\n"
        "B1;530268;179644;6,5;NE;60;yes;20;H.265;S G;mp4,native;private\n"
        "B2;533500;184500;4;90-180;85;n;1;mjpeg;;;tfl\n"
    )
    result = run(write(tmp_path, text), boroughs, assumptions)
    assert result.errors == ()
    b1, b2 = result.cameras.iloc[0], result.cameras.iloc[1]
    assert (b1["x_m"], b1["y_m"], b1["borough_code"]) == (530268.0, 179644.0, "E09000033")
    assert b1["mount_height_m"] == 6.5 and b1["heading_deg"] == 45.0 and b1["ptz"]
    assert b1["ptz_max_zoom"] == 20 and b1["codec"] == "h265"
    assert b1["onvif_profiles"] == "S;G" and b1["export_formats"] == "mp4;native"
    assert b1["operator"] == "unknown" and b1["owner_type"] == "private"
    assert b2["heading_deg"] == 135.0 and not b2["ptz"]
    assert has(result, 2, "heading_deg", "midpoint 135", "warning")
    # both rows lack an operator and are not council cameras: one warning for both
    assert has(result, None, "operator", "'unknown'", "warning")
    assert [f.count for f in result.warnings if f.field == "operator"] == [2]
    assert "heading_deg" not in b1["defaulted_fields"]


def test_tab_delimited_and_bom(tmp_path, boroughs, assumptions):
    text = "\ufeffref\tlongitude\tlatitude\nT1\t{}\t{}\n".format(*CROYDON)
    result = run(write(tmp_path, text, "cams.tsv"), boroughs, assumptions)
    assert result.errors == ()
    assert result.cameras.loc[0, "borough_code"] == "E09000008"


def test_wrong_types(tmp_path, boroughs, assumptions):
    text = (
        "id,lon,lat,fps,install_year,ptz,codec,heading\n"
        f"W1,{BIG_BEN[0]},{BIG_BEN[1]},abc,2015.5,maybe,divx,up\n"
        f"W2,east,{BIG_BEN[1]},25,2015,no,h264,10\n"
    )
    result = run(write(tmp_path, text), boroughs, assumptions)
    assert errors(result) == [
        (1, "heading_deg", "not a number of degrees or a compass direction (N, NE, ...)"),
        (1, "ptz", "not yes/no (accepted: yes, no, true, false, y, n, 1, 0)"),
        (1, "codec", "not an allowed value; allowed: 'mjpeg', 'mpeg4', 'h264', 'h265', 'other'"),
        (1, "fps", "not a number"),
        (1, "install_year", "not a whole number"),
        (2, "lon", "not a number"),
    ]
    assert len(result.cameras) == 0
    with pytest.raises(InputError, match="6 errors in 2 rows") as info:
        result.raise_for_errors()
    assert info.value.errors == result.errors


def test_missing_columns(tmp_path, boroughs, assumptions):
    result = run(write(tmp_path, "name,colour\nA,red\n"), boroughs, assumptions)
    assert [(f.row, f.field) for f in result.errors] == [(None, "camera_id"), (None, "coordinates")]
    assert "columns found: name, colour" in result.errors[0].reason
    assert "need lon and lat (WGS84) or easting and northing" in result.errors[1].reason
    only_lon = run(write(tmp_path, "id,lon\nA,-0.1\n"), boroughs, assumptions)
    assert errors(only_lon) == [
        (
            None,
            "coordinates",
            "no location columns: need lon and lat (WGS84) or easting and northing "
            "(British National Grid); columns found: id, lon",
        )
    ]


def test_coordinates_outside_the_region(tmp_path, boroughs, assumptions):
    text = "id,lon,lat\nP1,2.3522,48.8566\nP2,0,0\nP3,51.5007,-0.1246\nP4,,\nP5,-0.12,\n"
    result = run(write(tmp_path, text), boroughs, assumptions)
    got = errors(result)
    assert [(r, f) for r, f, _ in got] == [(i, "coordinates") for i in (1, 2, 3, 4)] + [(5, "lat")]
    assert got[0][2].startswith("outside the region: lon 2.3522, lat 48.8566 = easting 719")
    assert "more than 25 m from every borough" in got[1][2]
    assert got[2][2].endswith("longitude and latitude look swapped")
    assert got[3][2] == "no location: give lon/lat or easting/northing"
    assert got[4][2] == "coordinate lat is missing"
    bng = run(write(tmp_path, "id,easting,northing\nX,400000,300000\n"), boroughs, assumptions)
    assert has(bng, 1, "coordinates", "outside the region: easting 400000, northing 300000")


def test_points_near_the_boundary_or_in_the_thames(tmp_path, boroughs, assumptions):
    region = boroughs.union_all()
    # 10 m outside the region's outer edge (boundaries are generalised to 20 m): snapped
    outer = max(getattr(region, "geoms", [region]), key=lambda g: g.area).exterior
    edge = outer.interpolate(0.3, normalized=True)
    outward = [(edge.x + dx, edge.y + dy) for dx, dy in ((10, 0), (-10, 0), (0, 10), (0, -10))]
    near = next(p for p in outward if region.distance(shapely.Point(p)) > 5)
    # mid-Thames by Westminster Bridge (the boundaries are clipped to the banks)
    bridge = wgs84_to_bng(-0.1218, 51.5008)
    text = f"id,easting,northing\nS1,{near[0]},{near[1]}\nS2,{bridge[0]},{bridge[1]}\n"
    result = run(write(tmp_path, text), boroughs, assumptions)
    assert result.errors == ()
    assert not any(f.row == 1 and f.field == "coordinates" for f in result.findings)
    assert has(result, 2, "coordinates", "m outside every borough boundary (the Thames", "warning")
    assert result.cameras.loc[1, "borough_code"] in {"E09000022", "E09000033"}


def test_unknown_borough(tmp_path, boroughs, assumptions):
    text = (
        "id,lon,lat,borough\n"
        f"U1,{BIG_BEN[0]},{BIG_BEN[1]},Westminstr\n"
        f"U2,{BIG_BEN[0]},{BIG_BEN[1]},E09000099\n"
        f"U3,{BIG_BEN[0]},{BIG_BEN[1]},hackney\n"
        f"U4,{BIG_BEN[0]},{BIG_BEN[1]},City of Westminster\n"
    )
    result = run(write(tmp_path, text), boroughs, assumptions)
    assert errors(result) == [
        (1, "borough", "unknown borough 'Westminstr'; nearest matches: Westminster"),
        (2, "borough", "unknown borough 'E09000099'; nearest matches: none close"),
    ]
    assert has(
        result,
        3,
        "borough",
        "stated borough Hackney but the point lies in Westminster; Westminster used",
        "warning",
    )
    assert not any(f.row == 4 and f.field == "borough" for f in result.findings)


def test_duplicate_ids_in_file_and_in_estate(tmp_path, boroughs, assumptions):
    rows = "".join(f"{cid},{BIG_BEN[0]},{BIG_BEN[1]}\n" for cid in ("D1", "D2", "D1", "D3", "D1"))
    result = run(write(tmp_path, "id,lon,lat\n" + rows), boroughs, assumptions, existing_ids={"D3"})
    assert errors(result) == [
        (3, "camera_id", "duplicate id: first used on row 1"),
        (4, "camera_id", "id already in the estate"),
        (5, "camera_id", "duplicate id: first used on row 1"),
    ]


def test_absurd_values(tmp_path, boroughs, assumptions):
    text = (
        "id,lon,lat,hfov,height,tilt,retention_days,ptz,zoom\n"
        f"A1,{BIG_BEN[0]},{BIG_BEN[1]},0,5,10,31,no,1\n"
        f"A2,{BIG_BEN[0]},{BIG_BEN[1]},400,-3,95,-1,no,1\n"
        f"A3,{BIG_BEN[0]},{BIG_BEN[1]},60,5,10,31,no,30\n"
    )
    result = run(write(tmp_path, text), boroughs, assumptions)
    assert errors(result) == [
        (1, "hfov_deg", "out of range: hfov_deg must be > 0 and ≤ 360 °"),
        (2, "mount_height_m", "out of range: mount_height_m must be > 0 and ≤ 100 m"),
        (2, "hfov_deg", "out of range: hfov_deg must be > 0 and ≤ 360 °"),
        (2, "tilt_deg", "out of range: tilt_deg must be ≥ 0 and ≤ 90 °"),
        (2, "retention_days", "out of range: retention_days must be ≥ 0 and ≤ 3650 days"),
        (3, "ptz_max_zoom", "a fixed camera has ptz_max_zoom 1"),
    ]
    bad = [f for f in result.errors if f.row == 2]
    assert [f.value for f in bad] == ["-3", "400", "95", "-1"]


def test_empty_file_and_header_only(tmp_path, boroughs, assumptions):
    empty = run(write(tmp_path, ""), boroughs, assumptions)
    assert errors(empty) == [(None, None, "the file is empty")]
    blank = run(write(tmp_path, "\n  \n"), boroughs, assumptions)
    assert errors(blank) == [(None, None, "the file is empty")]
    header = run(write(tmp_path, "id,lon,lat\n"), boroughs, assumptions)
    assert errors(header) == [(None, None, "no data rows: only a header")]
    assert len(header.cameras) == 0 and list(header.cameras.columns)[:2] == [
        "camera_id",
        "owner_type",
    ]


def test_binary_garbage(tmp_path, boroughs, assumptions):
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(4096)) + b"\x00\x01"
    path = tmp_path / "garbage.csv"
    path.write_bytes(data)
    result = run(path, boroughs, assumptions)
    assert len(result.errors) == 1 and result.errors[0].row is None
    assert "binary data, not a text file" in result.errors[0].reason
    zipped = tmp_path / "book.csv"
    zipped.write_bytes(b"PK\x03\x04" + bytes(100))
    assert "zip archive" in run(zipped, boroughs, assumptions).errors[0].reason


def test_wrong_encoding(tmp_path, boroughs, assumptions):
    text = f"id,location,lon,lat,operator\nE1,Café £ corner,{BIG_BEN[0]},{BIG_BEN[1]},Révolution\n"
    path = write(tmp_path, text, encoding="cp1252")
    result = run(path, boroughs, assumptions)
    offset = text.encode("cp1252").index("é".encode("cp1252"))
    assert errors(result) == [
        (
            None,
            None,
            f"not valid UTF-8 text: byte 0xe9 at byte offset {offset}; "
            "if the file was saved by Excel on Windows, try --encoding cp1252",
        )
    ]
    fixed = run(path, boroughs, assumptions, encoding="cp1252")
    assert fixed.errors == ()
    assert fixed.cameras.loc[0, "location_text"] == "Café £ corner"
    assert fixed.cameras.loc[0, "operator"] == "Révolution"
    unknown = run(path, boroughs, assumptions, encoding="klingon")
    assert errors(unknown) == [(None, None, "unknown encoding 'klingon'")]


def test_ragged_rows(tmp_path, boroughs, assumptions):
    text = f"id,lon,lat\nR1,{BIG_BEN[0]},{BIG_BEN[1]},extra\nR2,{BIG_BEN[0]},{BIG_BEN[1]},\n"
    result = run(write(tmp_path, text), boroughs, assumptions)
    assert errors(result) == [(1, None, "row has 4 cells but the header has 3 columns")]


def test_map_and_set(tmp_path, boroughs, assumptions):
    text = (
        "Asset,Where,E,N,Cam Owner,Lens angle\n"
        "M1,Parliament Sq,530268,179644,Westminster CCTV,70\n"
        "M2,Mare St,534800,184800,Hackney CCTV,50\n"
    )
    path = write(tmp_path, text)
    mapping = parse_assignments(
        ["camera_id=Asset", "location=Where", "easting=E", "northing=N", "hfov_deg=lens angle"],
        option="--map",
    )
    consts = parse_assignments(["owner_type=police", "status=Faulty", "borough=westminster"])
    assert consts == {"owner_type": "police", "status": "Faulty", "borough": "westminster"}
    result = run(path, boroughs, assumptions, field_map=mapping, constants=consts)
    assert result.errors == ()
    cams = result.cameras
    assert list(cams["hfov_deg"]) == [70.0, 50.0]
    assert set(cams["owner_type"]) == {"police"} and set(cams["status"]) == {"faulty"}
    # the point decides the borough; --set borough is checked against it
    assert list(cams["borough_code"]) == ["E09000033", "E09000012"]
    assert [(f.row, f.field) for f in result.warnings if f.field == "borough"] == [(2, "borough")]
    assert "owner_type" not in result.defaulted_counts
    assert has(result, None, None, "1 column(s) not recognised and ignored: Cam Owner", "warning")
    # a bad constant is reported once, not per row
    bad = run(path, boroughs, assumptions, field_map=mapping, constants={"fps": "fast"})
    assert errors(bad) == [(None, "fps", "--set fps: not a number")]
    unknown = run(path, boroughs, assumptions, field_map=mapping, constants={"borough": "Gotham"})
    assert errors(unknown)[0][:2] == (None, "borough")
    nocol = run(path, boroughs, assumptions, field_map={"camera_id": "Nope"})
    assert has(nocol, None, "camera_id", "--map camera_id=Nope: no such column")
    idset = run(path, boroughs, assumptions, field_map=mapping, constants={"camera_id": "x"})
    assert has(idset, None, "camera_id", "cannot be set for all rows")


def test_parse_assignments_errors():
    with pytest.raises(InputError) as info:
        parse_assignments(["owner_type", "colour=red", "=x", "fps=1", "fps=2"])
    reasons = [f.reason for f in info.value.findings]
    assert reasons[0] == "--set expects FIELD=VALUE with both sides given"
    assert reasons[1].startswith("--set: unknown field 'colour'; fields are camera_id, ")
    assert "hfov_deg" in reasons[1]
    assert reasons[2] == "--set expects FIELD=VALUE with both sides given"
    assert reasons[3] == "--set: fps given twice"
    assert parse_assignments(["Borough_Code = Hackney"]) == {"borough": "Hackney"}


def test_hfov_derived_from_lens(tmp_path, boroughs, assumptions):
    text = f"id,lon,lat,sensor_width_mm,focal_length_mm\nL1,{BIG_BEN[0]},{BIG_BEN[1]},5.6,2.8\n"
    result = run(write(tmp_path, text), boroughs, assumptions)
    hfov = result.cameras.loc[0, "hfov_deg"]
    assert hfov == pytest.approx(2 * np.degrees(np.arctan(5.6 / (2 * 2.8))), abs=1e-3)
    assert hfov == pytest.approx(90.0, abs=1e-3)
    assert "hfov_deg" not in result.defaulted_counts


def _permuted_key(result: CameraImport, ids: dict[int, str]) -> set[tuple[str, str | None, str]]:
    return {(ids.get(f.row or 0, "file"), f.field, f.reason) for f in result.findings}


ROWS = [
    ("H1", *BIG_BEN, "60"),
    ("H2", *MARE_ST, "0"),
    ("H3", 2.35, 48.85, "90"),
    ("H4", *CROYDON, "abc"),
    ("H5", *MARE_ST, ""),
]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.permutations(range(len(ROWS))))
def test_any_row_order_gives_the_same_findings(order, tmp_path_factory, boroughs, assumptions):
    tmp = tmp_path_factory.mktemp("perm")
    rows = [ROWS[i] for i in order]
    text = "id,lon,lat,hfov\n" + "".join(f"{c},{x},{y},{h}\n" for c, x, y, h in rows)
    result = run(write(tmp, text), boroughs, assumptions)
    ids = {n: r[0] for n, r in enumerate(rows, start=1)}
    baseline = run(
        write(tmp, "id,lon,lat,hfov\n" + "".join(f"{c},{x},{y},{h}\n" for c, x, y, h in ROWS)),
        boroughs,
        assumptions,
    )
    base_ids = {n: r[0] for n, r in enumerate(ROWS, start=1)}
    assert _permuted_key(result, ids) == _permuted_key(baseline, base_ids)
    assert sorted(result.cameras["camera_id"]) == ["H1", "H5"]


def test_fifty_thousand_rows_validate(tmp_path, boroughs, assumptions):
    """Every row of a large file is read and placed (its speed: benchmarks/import_scale.py)."""
    rng = np.random.default_rng(3)
    n = 50_000
    lon = rng.uniform(-0.25, 0.05, n)
    lat = rng.uniform(51.45, 51.58, n)
    heading = rng.uniform(0, 359, n).round(1)
    lines = [f"C{i},Street {i},{lon[i]:.6f},{lat[i]:.6f},{heading[i]},6" for i in range(n)]
    path = write(tmp_path, "id,location,lon,lat,heading,height\n" + "\n".join(lines) + "\n")
    result = run(path, boroughs, assumptions)
    assert result.errors == ()
    assert len(result.cameras) == n
    x, y = wgs84_to_bng(lon[:5], lat[:5])
    assert np.allclose(result.cameras["x_m"].to_numpy()[:5], x)
    assert np.allclose(result.cameras["y_m"].to_numpy()[:5], y)


def test_ids_outside_the_safe_set_are_findings(tmp_path, boroughs, assumptions):
    """Markup, quotes for code, and over-long ids are refused at import with the row, the
    value and the reason; register-style ids with spaces, apostrophes and brackets pass."""
    long_id = "C" * 65
    ids = [
        "WT-<img src=x onerror=alert(3)>",
        'CAM"1',
        long_id,
        "St Mary's-12 (rear)",
        "osm-node-123",
        "JamCams_00001.01251",
        "Café:7#2/a",
    ]
    quoted = ['"' + cid.replace('"', '""') + '"' for cid in ids]  # CSV quoting
    rows = "".join(f"{cid},{BIG_BEN[0]},{BIG_BEN[1]}\n" for cid in quoted)
    result = run(write(tmp_path, "id,lon,lat\n" + rows), boroughs, assumptions)
    allowed = "use letters, digits, spaces and -_./:#()'&,+"
    assert [(f.row, f.field, f.value, f.reason) for f in result.errors] == [
        (1, "camera_id", ids[0], f"characters not allowed in an id: '<' '=' '>'; {allowed}"),
        (2, "camera_id", 'CAM"1', f"characters not allowed in an id: '\"'; {allowed}"),
        (3, "camera_id", long_id, "longer than 64 characters (65)"),
    ]


def test_a_control_room_id_with_markup_is_a_finding(tmp_path, boroughs, assumptions):
    text = f"id,lon,lat,control_room_id\nCR-OK,{BIG_BEN[0]},{BIG_BEN[1]},room<b>1\n"
    result = run(write(tmp_path, text), boroughs, assumptions)
    assert [(f.row, f.field, f.value) for f in result.errors] == [
        (1, "control_room_id", "room<b>1")
    ]
