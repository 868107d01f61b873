"""Import of the non-camera tables of a borough return, and the return template."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest

from cctvscope.errors import InputError
from cctvscope.ingest import london, tables
from cctvscope.ingest.table_fields import ALIAS_INDEX, ALIASES
from cctvscope.ingest.tables import (
    IMPORT_TABLES,
    TableImport,
    import_raw_table,
    read_table_file,
)
from cctvscope.model.enums import Provenance

HACKNEY = "E09000012"
WESTMINSTER = "E09000033"
_BOROUGHS: list[gpd.GeoDataFrame] = []


@pytest.fixture
def boroughs() -> gpd.GeoDataFrame:
    if not _BOROUGHS:
        _BOROUGHS.append(london.read_boroughs())
    return _BOROUGHS[0]


def write(tmp_path: Path, name: str, header: list[str], rows: list[list[object]]) -> Path:
    """Write rows as ``name`` (.csv, or .xlsx with the sheet named after the file's stem)."""
    path = tmp_path / name
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(header)
            out.writerows(rows)
        return path
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = path.stem
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def run(path: Path, table: str, boroughs, **kw) -> TableImport:
    return read_table_file(path, table, boroughs=boroughs, **kw)


def errors(result: TableImport) -> list[tuple[int | None, str | None, str | None, str]]:
    return [(f.row, f.field, f.value, f.reason) for f in result.errors]


def assert_refused(result: TableImport) -> None:
    """A file with any error imports nothing, and says so with every finding."""
    assert result.records.empty
    with pytest.raises(InputError, match="nothing imported") as info:
        result.raise_for_errors()
    assert info.value.findings == result.findings


# --- good files, every table, CSV and xlsx ----------------------------------

ROOMS_HEADER = [
    "Room ID", "Name", "Operator type", "Operated by", "Borough", "Served boroughs",
    "Longitude", "Latitude", "Easting", "Northing", "Positions", "Hours (h)", "Days",
    "FTE", "Screens", "VMS",
]  # fmt: skip
ROOMS = [
    ["CR1", "Hackney CCTV", "Local Authority", "Hackney Council", "Hackney",
     "Hackney; Islington", -0.0553, 51.5450, "", "", 4, "24 h", 7, "12.5", 6, "Genetec"],
    ["CR2", "Westminster CCTV", "met", "MPS", "", "", "", "", 530268, 179644, 2, 12, 5, 3,
     4, ""],
    ["CR3", "Oxford hub", "Shared", "Thames Valley", "", "", "-1.2577", "51.7520", "", "",
     1, 8, "5 days", 1, 2, ""],
]  # fmt: skip


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_control_rooms_good(tmp_path, boroughs, suffix):
    path = write(tmp_path, f"control_rooms{suffix}", ROOMS_HEADER, ROOMS)
    result = run(path, "control_rooms", boroughs)
    assert result.errors == ()
    rooms = result.records
    assert isinstance(rooms, gpd.GeoDataFrame) and rooms.crs.to_epsg() == 27700
    assert list(rooms["room_id"]) == ["CR1", "CR2", "CR3"]
    assert list(rooms["operator_kind"]) == ["council", "police", "shared"]
    # The point decides the borough; a room outside every borough has none.
    assert list(rooms["borough_code"]) == [HACKNEY, WESTMINSTER, None]
    assert list(rooms["served_boroughs"]) == [f"{HACKNEY};E09000019", "", ""]
    assert rooms["x_m"][1] == 530268.0 and rooms["y_m"][1] == 179644.0
    assert rooms["x_m"][0] == pytest.approx(534949, abs=5)
    assert list(rooms["hours_per_day"]) == [24.0, 12.0, 8.0]
    assert list(rooms["days_per_week"]) == [7.0, 5.0, 5.0]
    assert list(rooms["staff_fte"]) == [12.5, 3.0, 1.0]
    assert list(rooms["operator_positions"]) == [4, 2, 1]
    assert list(rooms["vms"]) == ["Genetec", "", ""]
    assert set(rooms["provenance"]) == {"imported"}
    assert set(rooms["source"]) == {path.name}
    assert result.summary() == f"{path.name}: 3 control_rooms, 0 errors, 0 warnings"


LINKS_HEADER = [
    "Link ID",
    "Camera",
    "Control room",
    "Type",
    "Bandwidth (Mbps)",
    "Length (km)",
    "Annual cost (£)",
]
LINKS = [
    ["L1", "C1", "CR1", "Fiber", 100, "2.5", "£1,200"],
    ["L2", "C2", "CR1", "4G", "1 Gbps", "800 m", "£12.5k"],
    ["L3", "C3", "CR2", "Leased Line", "20", 0, "40000"],
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_links_good(tmp_path, boroughs, suffix):
    path = write(tmp_path, f"links{suffix}", LINKS_HEADER, LINKS)
    result = run(path, "links", boroughs)
    assert result.findings == ()
    links = result.records
    assert list(links["link_type"]) == ["fibre", "cellular", "leased_line"]
    assert list(links["bandwidth_mbps"]) == [100.0, 1000.0, 20.0]
    assert list(links["length_km"]) == pytest.approx([2.5, 0.8, 0.0])
    assert list(links["annual_cost_gbp"]) == [1200.0, 12500.0, 40000.0]
    assert list(links["camera_id"]) == ["C1", "C2", "C3"]
    assert set(links["provenance"]) == {"imported"}


CONTRACTS_HEADER = [
    "Contract ID",
    "Borough",
    "Service",
    "Contractor",
    "Annual value",
    "Start",
    "Expiry",
]
CONTRACTS = [
    ["K1", "Hackney", "Maintenance", "Acme Ltd", "£12,500", "31/03/2024", "2027-03-31"],
    ["K2", WESTMINSTER, "VMS", "Genetec", 40000, 45382, "31 Mar 2026"],
    ["K3", "London Borough of Hackney", "staffing", "Guards plc", "£1.2m", 1711843200000,
     "March 31, 2025"],
    ["K4", "city of london", "transmission", "BT", "0", "31-03-2024", "31.03.2025"],
]  # fmt: skip


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_contracts_good(tmp_path, boroughs, suffix):
    path = write(tmp_path, f"contracts{suffix}", CONTRACTS_HEADER, CONTRACTS)
    result = run(path, "contracts", boroughs)
    assert result.findings == ()
    got = result.records
    assert list(got["borough_code"]) == [HACKNEY, WESTMINSTER, HACKNEY, "E09000001"]
    assert list(got["category"]) == [
        "maintenance",
        "vms_software",
        "monitoring_staff",
        "transmission",
    ]
    assert list(got["annual_value_gbp"]) == [12500.0, 40000.0, 1200000.0, 0.0]
    march = dt.date(2024, 3, 31)
    assert list(got["start_date"]) == [march] * 4
    assert list(got["end_date"]) == [
        dt.date(2027, 3, 31),
        dt.date(2026, 3, 31),
        dt.date(2025, 3, 31),
        dt.date(2025, 3, 31),
    ]


def test_xlsx_date_and_number_cells(tmp_path, boroughs):
    """Real Excel date cells and numbers read as well as text does."""
    rows = [
        [
            "K1",
            "Hackney",
            "maintenance",
            "Acme",
            12500.5,
            dt.datetime(2024, 3, 31),
            dt.date(2025, 4, 1),
        ]
    ]
    path = write(tmp_path, "contracts.xlsx", CONTRACTS_HEADER, rows)
    got = run(path, "contracts", boroughs).records
    assert got["annual_value_gbp"][0] == 12500.5
    assert got["start_date"][0] == dt.date(2024, 3, 31)
    assert got["end_date"][0] == dt.date(2025, 4, 1)


EVIDENCE_HEADER = ["Borough", "Year", "Requests", "Available share", "Model", "Turnaround"]
EVIDENCE = [
    ["Hackney", 2023, "1,850", "62%", "Police embedded", "3 days"],
    ["Westminster", "2023", 1200, 62, "officer attends", ""],
    ["E09000001", 2023, 10, "0.5", "DEMS", "2.5"],
    ["Hackney", 2022, 1700, "0.25", "digital_transfer", 4],
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_evidence_stats_good(tmp_path, boroughs, suffix):
    path = write(tmp_path, f"evidence_stats{suffix}", EVIDENCE_HEADER, EVIDENCE)
    result = run(path, "evidence_stats", boroughs)
    assert result.findings == ()
    got = result.records
    assert list(got["borough_code"]) == [HACKNEY, WESTMINSTER, "E09000001", HACKNEY]
    assert list(got["year"]) == [2023, 2023, 2023, 2022]
    assert list(got["requests_per_year"]) == [1850, 1200, 10, 1700]
    assert list(got["footage_available_share"]) == [0.62, 0.62, 0.5, 0.25]
    assert list(got["retrieval_model"]) == [
        "embedded_police",
        "officer_attends",
        "digital_transfer",
        "digital_transfer",
    ]
    turnaround = list(got["turnaround_days"])
    assert turnaround[0] == 3.0 and math.isnan(turnaround[1]) and turnaround[2:] == [2.5, 4.0]


COSTS_HEADER = ["Profile", "Item", "Cost", "Unit", "Price year", "Source"]
COSTS = [
    ["hackney", "camera_maintenance", "£450", "camera-year", 2024, "2024 invoice"],
    ["hackney", "operator", "£32,000", "FTE-year", "2024", ""],
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_cost_items_good(tmp_path, boroughs, suffix):
    path = write(tmp_path, f"cost_items{suffix}", COSTS_HEADER, COSTS)
    result = run(path, "cost_items", boroughs, source_name="Hackney return 2024")
    assert result.findings == ()
    got = result.records
    assert list(got["value_gbp"]) == [450.0, 32000.0]
    assert list(got["per"]) == ["camera-year", "FTE-year"]
    assert list(got["price_base_year"]) == [2024, 2024]
    # A cost item cites its figure; without a citation the return itself is the source.
    assert list(got["source"]) == ["2024 invoice", "Hackney return 2024"]
    assert set(got["provenance"]) == {"imported"}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_monitoring_good(tmp_path, boroughs, suffix):
    header = ["Camera", "Control room", "Hours"]
    path = write(tmp_path, f"monitoring{suffix}", header, [["C1", "CR1", 24], ["C2", "CR1", ""]])
    result = run(path, "monitoring", boroughs)
    assert result.findings == ()
    got = result.records
    assert list(got.columns) == ["camera_id", "control_room_id", "monitored_hours_per_day"]
    assert list(got["camera_id"]) == ["C1", "C2"]
    assert got["monitored_hours_per_day"][0] == 24.0
    assert math.isnan(got["monitored_hours_per_day"][1])


# --- bad cells: one finding each, all at once, nothing imported --------------


def test_control_rooms_bad(tmp_path, boroughs):
    good = ROOMS[0]

    def row(**changes: object) -> list[object]:
        out = list(good)
        for name, value in changes.items():
            out[ROOMS_HEADER.index(name)] = value
        return out

    rows = [
        good,
        row(**{"Room ID": "CR2", "Operator type": "aliens"}),
        row(**{"Room ID": "CR3", "Borough": "Narnia"}),
        row(**{"Room ID": "CR4", "Longitude": "abc"}),
        row(**{"Room ID": "CR5", "Hours (h)": 30}),
        row(),
        row(**{"Room ID": "CR7", "Positions": "2.5"}),
        row(**{"Room ID": "CR8", "Longitude": 200}),
        row(**{"Room ID": "CR9", "Name": ""}),
        row(**{"Room ID": "CR10", "Served boroughs": "Hackney;Gotham"}),
    ]
    result = run(write(tmp_path, "rooms.csv", ROOMS_HEADER, rows), "control_rooms", boroughs)
    allowed = "not an allowed value; allowed: council, police, tfl, shared"
    assert errors(result) == [
        (2, "operator_kind", "aliens", allowed),
        (3, "borough", "Narnia", "unknown borough 'Narnia'; nearest matches: Barnet"),
        (4, "lon", "abc", "not a number"),
        (5, "hours_per_day", "30", "out of range: hours_per_day must be ≥ 0 and ≤ 24 h/day"),
        (6, "room_id", "CR1", "duplicate id: first used on row 1"),
        (7, "operator_positions", "2.5", "not a whole number"),
        (
            8,
            "coordinates",
            "200, 51.545",
            "not a location in Great Britain (lon/lat in degrees or BNG metres)",
        ),
        (9, "name", None, "name is required"),
        (
            10,
            "served_boroughs",
            "Hackney;Gotham",
            "unknown borough 'Gotham'; nearest matches: Southwark, Newham",
        ),
    ]
    assert_refused(result)


def test_room_borough_stated_elsewhere_is_a_warning(tmp_path, boroughs):
    rows = [
        [*ROOMS[0][:4], "Westminster", *ROOMS[0][5:]],
        [*ROOMS[2][:4], "Hackney", *ROOMS[2][5:]],
    ]
    result = run(write(tmp_path, "r.csv", ROOMS_HEADER, rows), "control_rooms", boroughs)
    assert result.errors == ()
    assert [(f.row, f.field, f.reason) for f in result.warnings] == [
        (1, "borough", "stated borough Westminster but the point lies Hackney; Hackney used"),
        (
            2,
            "borough",
            "stated borough Hackney but the point lies outside every borough; no borough recorded",
        ),
    ]
    assert list(result.records["borough_code"]) == [HACKNEY, None]


def test_links_bad(tmp_path, boroughs):
    rows = [
        LINKS[0],
        ["L2", "C2", "CR1", "pigeon", 100, 1, 10],
        ["L3", "C3", "CR1", "fibre", 0, 1, 10],
        ["L4", "C4", "CR1", "fibre", "fast", 1, 10],
        ["L5", "C5", "CR1", "fibre", 100, -1, 10],
        ["L6", "C6", "CR1", "fibre", 100, 1, "lots"],
        ["L1", "C7", "CR1", "fibre", 100, 1, 10],
        ["L8", "", "CR1", "fibre", 100, 1, 10],
    ]
    result = run(write(tmp_path, "links.csv", LINKS_HEADER, rows), "links", boroughs)
    assert errors(result) == [
        (
            2,
            "link_type",
            "pigeon",
            "not an allowed value; allowed: fibre, wireless, leased_line, cellular, copper",
        ),
        (3, "bandwidth_mbps", "0", "out of range: bandwidth_mbps must be > 0 and ≤ 100000 Mbit/s"),
        (
            4,
            "bandwidth_mbps",
            "fast",
            "not a number (units accepted: mbps, mbit/s, mb/s, gbps, gbit/s, kbps)",
        ),
        (5, "length_km", "-1", "out of range: length_km must be ≥ 0 km"),
        (6, "annual_cost_gbp", "lots", "not an amount in pounds (e.g. 12500, £12,500, £12.5k)"),
        (7, "link_id", "L1", "duplicate id: first used on row 1"),
        (8, "camera_id", None, "camera_id is required"),
    ]
    assert_refused(result)


def test_contracts_bad(tmp_path, boroughs):
    rows = [
        CONTRACTS[0],
        ["K2", "Narnia", "maintenance", "Acme", 1, "01/04/2024", "01/04/2025"],
        ["K3", "Hackney", "catering", "Acme", 1, "01/04/2024", "01/04/2025"],
        ["K4", "Hackney", "maintenance", "Acme", 1, "31/02/2024", "01/04/2025"],
        ["K5", "Hackney", "maintenance", "Acme", 1, "31/03/2024", "01/01/2024"],
        ["K6", "Hackney", "maintenance", "Acme", -5, "01/04/2024", "01/04/2025"],
        ["K1", "Hackney", "maintenance", "Acme", 1, "01/04/2024", "01/04/2025"],
        ["K8", "Hackney", "maintenance", "Acme", 1, "01/04/2024", "31/03/2024"],
    ]
    result = run(write(tmp_path, "c.csv", CONTRACTS_HEADER, rows), "contracts", boroughs)
    forms = (
        "not a date; accepted forms: 2024-03-31, 31/03/2024, 31-03-2024, 31.03.2024, "
        "31 Mar 2024, March 31, 2024, an Excel serial number (45382) or epoch milliseconds "
        "(1711843200000)"
    )
    assert errors(result) == [
        (2, "borough", "Narnia", "unknown borough 'Narnia'; nearest matches: Barnet"),
        (
            3,
            "category",
            "catering",
            "not an allowed value; allowed: maintenance, transmission, "
            "equipment_supply, vms_software, monitoring_staff",
        ),
        (4, "start_date", "31/02/2024", forms),
        (5, "end_date", "01/01/2024", "end_date 2024-01-01 is not after start_date 2024-03-31"),
        (6, "annual_value_gbp", "-5", "out of range: annual_value_gbp must be ≥ 0 £/yr"),
        (7, "contract_id", "K1", "duplicate id: first used on row 1"),
        (8, "end_date", "31/03/2024", "end_date 2024-03-31 is not after start_date 2024-04-01"),
    ]
    assert_refused(result)


def test_evidence_stats_bad(tmp_path, boroughs):
    rows = [
        EVIDENCE[0],
        ["Westminster", 2023, 10, "150%", "digital", 1],
        ["Westminster", 1850, 10, "0.5", "digital", 1],
        ["Westminster", 2021, 10, "0.5", "carrier pigeon", 1],
        [HACKNEY, 2023, 10, "0.5", "digital", 1],
        ["Westminster", 2020, "many", "0.5", "digital", 1],
        ["Westminster", 2019, 10, "0.5", "digital", -1],
        ["Westminster", 2018, 10, "half", "digital", 1],
    ]
    path = write(tmp_path, "e.csv", EVIDENCE_HEADER, rows)
    result = run(path, "evidence_stats", boroughs)
    assert errors(result) == [
        (
            2,
            "footage_available_share",
            "150%",
            "out of range: footage_available_share must be ≥ 0 and ≤ 1 fraction",
        ),
        (3, "year", "1850", "out of range: year must be ≥ 1990 and ≤ 2100 year"),
        (
            4,
            "retrieval_model",
            "carrier pigeon",
            "not an allowed value; allowed: embedded_police, officer_attends, digital_transfer",
        ),
        (5, "borough", f"{HACKNEY} / 2023", "duplicate borough and year: first used on row 1"),
        (6, "requests_per_year", "many", "not a number"),
        (7, "turnaround_days", "-1", "out of range: turnaround_days must be ≥ 0 days"),
        (8, "footage_available_share", "half", "not a share (e.g. 0.62 or 62%)"),
    ]
    assert_refused(result)


def test_cost_items_bad(tmp_path, boroughs):
    rows = [
        COSTS[0],
        ["hackney", "a", "free", "camera", 2024, ""],
        ["hackney", "b", 1, "camera", "24/25", ""],
        ["hackney", "camera_maintenance", 1, "camera", 2024, ""],
        ["", "d", 1, "camera", 2024, ""],
        ["hackney", "e", 1, "", 2024, ""],
    ]
    result = run(write(tmp_path, "k.csv", COSTS_HEADER, rows), "cost_items", boroughs)
    assert errors(result) == [
        (2, "value_gbp", "free", "not an amount in pounds (e.g. 12500, £12,500, £12.5k)"),
        (3, "price_base_year", "24/25", "not a number"),
        (
            4,
            "profile",
            "hackney / camera_maintenance",
            "duplicate profile and item: first used on row 1",
        ),
        (5, "profile", None, "profile is required"),
        (6, "per", None, "per is required"),
    ]
    assert_refused(result)


def test_monitoring_bad(tmp_path, boroughs):
    header = ["camera_id", "control_room_id", "monitored_hours_per_day"]
    rows = [["C1", "CR1", 24], ["C2", "CR1", 25], ["C1", "CR2", 1], ["C4", "", 1]]
    result = run(write(tmp_path, "m.csv", header, rows), "monitoring", boroughs)
    assert errors(result) == [
        (
            2,
            "monitored_hours_per_day",
            "25",
            "out of range: monitored_hours_per_day must be ≥ 0 and ≤ 24 h/day",
        ),
        (3, "camera_id", "C1", "duplicate id: first used on row 1"),
        (4, "control_room_id", None, "control_room_id is required"),
    ]
    assert_refused(result)


# --- file-level rules --------------------------------------------------------


def test_missing_required_columns_all_reported(tmp_path, boroughs):
    path = write(tmp_path, "c.csv", ["Contract ID", "Borough", "Colour"], [["K1", "Hackney", "x"]])
    result = run(path, "contracts", boroughs)
    assert [f.field for f in result.errors] == [
        "category",
        "supplier",
        "annual_value_gbp",
        "start_date",
        "end_date",
    ]
    supplier = result.errors[1]
    assert supplier.row is None
    assert supplier.reason == (
        "no supplier column: need one of supplier, contractor, vendor, provider, supplier_name "
        "(or --map supplier=COLUMN); columns found: Contract ID, Borough, Colour"
    )
    assert "not recognised and ignored: Colour" in result.warnings[0].reason
    assert_refused(result)


def test_control_rooms_need_a_location_pair(tmp_path, boroughs):
    header = [h for h in ROOMS_HEADER if h not in ("Latitude", "Easting", "Northing")]
    path = write(tmp_path, "r.csv", header, [["CR1", *ROOMS[0][1:7], *ROOMS[0][10:]]])
    result = run(path, "control_rooms", boroughs)
    assert [(f.row, f.field) for f in result.errors] == [(None, "coordinates")]
    assert result.errors[0].reason.startswith("no location columns: need lon and lat")


def test_map_set_and_value_maps(tmp_path, boroughs):
    header = ["Ref", "Cam", "Room", "Medium", "Mbps", "Km", "Rental"]
    rows = [["L1", "C1", "CR1", "DF", 100, 1, 10], ["L2", "C2", "CR1", "df", 100, 1, 10]]
    path = write(tmp_path, "l.csv", header, rows)
    result = run(
        path,
        "links",
        boroughs,
        field_map={
            "camera_id": "Cam",
            "control_room": "room",
            "bandwidth": "Mbps",
            "length_km": "Km",
            "annual_cost_gbp": "Rental",
        },
        value_maps={"link_type": {"df": "dark fibre"}},
    )
    assert result.errors == ()
    assert list(result.records["link_type"]) == ["fibre", "fibre"]
    assert list(result.records["control_room_id"]) == ["CR1", "CR1"]
    header = ["Year", "Requests", "Share", "Model"]
    path = write(tmp_path, "e.csv", header, [[2023, 5, "50%", "dems"]])
    result = run(path, "evidence_stats", boroughs, constants={"borough": "Hackney"})
    assert result.errors == ()
    assert list(result.records["borough_code"]) == [HACKNEY]


def test_bad_options_are_file_level_errors(tmp_path, boroughs):
    path = write(tmp_path, "m.csv", ["camera_id", "control_room_id"], [["C1", "CR1"]])
    result = run(
        path,
        "monitoring",
        boroughs,
        field_map={"colour": "camera_id", "camera_id": "nope"},
        constants={"camera_id": "C9", "size": "1", "monitored_hours_per_day": "x"},
        value_maps={"flavour": {"a": "b"}},
    )
    assert [(f.row, f.field, f.value) for f in result.errors] == [
        (None, "colour", "camera_id"),
        (None, "camera_id", "nope"),
        (None, "camera_id", "C9"),
        (None, "size", "1"),
        (None, "monitored_hours_per_day", "x"),
        (None, "flavour", None),
    ]
    reasons = [f.reason for f in result.errors]
    assert reasons[2] == "--set: camera_id differs per record and cannot be set for all rows"
    assert reasons[4] == (
        "--set monitored_hours_per_day: not a number (units accepted: h, hr, hrs, hour, hours, "
        "h/day)"
    )
    assert reasons[5].startswith("--value-map: unknown field 'flavour' for monitoring")
    assert_refused(result)


def test_constant_out_of_range_is_reported_once(tmp_path, boroughs):
    header = ["camera_id", "control_room_id"]
    path = write(tmp_path, "m.csv", header, [["C1", "CR1"], ["C2", "CR1"]])
    result = run(path, "monitoring", boroughs, constants={"hours": "30"})
    assert errors(result) == [
        (
            None,
            "monitored_hours_per_day",
            "30",
            "--set monitored_hours_per_day: out of range: monitored_hours_per_day must be ≥ 0 and "
            "≤ 24 h/day",
        ),
    ]


def test_provenance_and_source_are_never_read(tmp_path, boroughs):
    header = [*LINKS_HEADER, "Provenance"]
    path = write(tmp_path, "l.csv", header, [[*LINKS[0], "real"]])
    result = run(path, "links", boroughs, provenance=Provenance.REAL)
    assert [f.reason for f in result.warnings] == [
        "column(s) Provenance ignored: the import sets them itself"
    ]
    assert list(result.records["provenance"]) == ["real"]


def test_row_limit(tmp_path, boroughs, monkeypatch):
    monkeypatch.setattr(tables, "MAX_ROWS", 2)
    rows = [[f"C{i}", "CR1"] for i in range(3)]
    path = write(tmp_path, "m.csv", ["camera_id", "control_room_id"], rows)
    assert errors(run(path, "monitoring", boroughs)) == [
        (None, None, None, "3 data rows; at most 2 are read in one import")
    ]


def test_xlsx_sheets(tmp_path, boroughs):
    path = write(tmp_path, "Return.xlsx", ["camera_id", "control_room_id"], [["C1", "CR1"]])
    result = run(path, "monitoring", boroughs)
    assert errors(result) == [
        (
            None,
            None,
            "monitoring",
            "no sheet named 'monitoring'; the workbook's sheets are 'Return'",
        ),
    ]
    assert list(run(path, "monitoring", boroughs, sheet="return").records["camera_id"]) == ["C1"]


def test_header_only_and_unknown_table(tmp_path, boroughs):
    path = write(tmp_path, "m.csv", ["camera_id", "control_room_id"], [])
    assert errors(run(path, "monitoring", boroughs)) == [
        (None, None, None, "no data rows: only a header")
    ]
    with pytest.raises(InputError, match="unknown table 'cameras'"):
        run(path, "cameras", boroughs)


def test_geojson_control_rooms(tmp_path, boroughs):
    props = dict(zip(ROOMS_HEADER, ROOMS[0], strict=True))
    for key in ("Longitude", "Latitude", "Easting", "Northing"):
        props.pop(key)
    feature = {
        "type": "Feature",
        "id": "ignored",
        "properties": props,
        "geometry": {"type": "Point", "coordinates": [-0.0553, 51.5450]},
    }
    path = tmp_path / "rooms.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    result = run(path, "control_rooms", boroughs)
    assert result.findings == ()
    assert list(result.records["borough_code"]) == [HACKNEY]


def test_import_raw_table_and_aliases_are_unambiguous(boroughs):
    for table in IMPORT_TABLES:
        assert len(ALIAS_INDEX[table]) == sum(len(a) for a in ALIASES[table].values()), table
    from cctvscope.ingest.sources import read_csv_text

    raw = read_csv_text("camera,room\nC1,CR1\n")
    result = import_raw_table(raw, "monitoring", boroughs=boroughs, source_name="text")
    assert result.summary() == "text: 1 monitoring, 0 errors, 0 warnings"


def test_a_room_id_with_markup_is_refused(tmp_path, boroughs):
    rows = [list(ROOMS[0]), list(ROOMS[1])]
    rows[1][0] = "CR<script>"
    result = run(write(tmp_path, "rooms.csv", ROOMS_HEADER, rows), "control_rooms", boroughs)
    reason = (
        "characters not allowed in an id: '<' '>'; use letters, digits, spaces and -_./:#()'&,+"
    )
    assert errors(result) == [(2, "room_id", "CR<script>", reason)]
    assert_refused(result)
