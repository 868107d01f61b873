"""The borough return template: layout, guidance, and a filled return importing unchanged."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import openpyxl
import pytest

from cctvscope.errors import InputError
from cctvscope.ingest import london
from cctvscope.ingest.cameras import read_cameras_file
from cctvscope.ingest.survey import TEMPLATE_COLUMNS
from cctvscope.ingest.tables import IMPORT_TABLES, read_table_file
from cctvscope.ingest.templates import (
    GUIDANCE_HEADER,
    RETURN_TABLES,
    table_columns,
    write_return_template,
)
from cctvscope.model.assumptions import read_assumptions

HACKNEY = "E09000012"
_BOROUGHS: list[gpd.GeoDataFrame] = []


@pytest.fixture
def boroughs() -> gpd.GeoDataFrame:
    if not _BOROUGHS:
        _BOROUGHS.append(london.read_boroughs())
    return _BOROUGHS[0]


def test_return_template_layout(tmp_path):
    path = write_return_template(tmp_path / "return.xlsx", assumptions=read_assumptions())
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [*RETURN_TABLES, "guidance"]
    assert tuple(c.value for c in book["cameras"][1]) == TEMPLATE_COLUMNS
    for name in ("make", "model", "ir_range_m", "vms", "fault_notes", "custodian", "last_updated"):
        assert name in TEMPLATE_COLUMNS
    for table in RETURN_TABLES:
        sheet = book[table]
        assert tuple(c.value for c in sheet[1]) == table_columns(table)
        assert sheet["A1"].font.b and sheet.freeze_panes == "B2" and sheet.max_row == 1
    rooms = book["control_rooms"]
    lists = {
        str(dv.sqref).split(":")[0]: dv.formula1 for dv in rooms.data_validations.dataValidation
    }
    assert lists == {"C2": '"council,police,tfl,shared"'}
    links = {str(dv.sqref)[0]: dv.formula1 for dv in book["links"].data_validations.dataValidation}
    assert links == {"D": '"fibre,wireless,leased_line,cellular,copper"'}
    guide = list(book["guidance"].iter_rows(values_only=True))
    assert guide[0] == GUIDANCE_HEADER
    listed = {(r[0], r[1]) for r in guide[1:]}
    assert listed == {(t, c) for t in RETURN_TABLES for c in table_columns(t)}
    rows = {(r[0], r[1]): r for r in guide[1:]}
    assert rows["contracts", "annual_value_gbp"][3:6] == ("money (£)", "£/yr", "yes")
    assert rows["evidence_stats", "turnaround_days"][5] == "no"
    assert rows["links", "link_type"][6] == "fibre, wireless, leased_line, cellular, copper"
    assert all(r[9] for r in guide[1:] if r[0] != "cameras")  # every column has an example


def test_return_template_csv_and_errors(tmp_path):
    path = write_return_template(tmp_path / "links.csv", tables=["links"])
    assert path.read_text().strip() == ",".join(table_columns("links"))
    with pytest.raises(InputError, match="holds one table"):
        write_return_template(tmp_path / "all.csv")
    with pytest.raises(InputError, match="holds one table"):
        write_return_template(tmp_path / "two.csv", tables=["links", "contracts"])
    with pytest.raises(InputError, match="unknown table"):
        write_return_template(tmp_path / "x.xlsx", tables=["bridges"])
    with pytest.raises(InputError, match=r"\.xlsx or \.csv"):
        write_return_template(tmp_path / "x.ods")
    path = write_return_template(tmp_path / "two.xlsx", tables=["monitoring", "links"])
    assert openpyxl.load_workbook(path).sheetnames == ["links", "monitoring", "guidance"]


FILLED = {
    "control_rooms": {
        "room_id": "CR1", "name": "Hackney CCTV", "operator_kind": "council",
        "operator": "Hackney Council", "lon": -0.0553, "lat": 51.5450, "operator_positions": 4,
        "hours_per_day": 24, "days_per_week": 7, "staff_fte": 12.5, "screens_per_operator": 6,
    },
    "links": {
        "link_id": "L1", "camera_id": "S1", "control_room_id": "CR1", "link_type": "fibre",
        "bandwidth_mbps": 100, "length_km": 2.5, "annual_cost_gbp": 1200,
    },
    "contracts": {
        "contract_id": "K1", "borough": "Hackney", "category": "maintenance",
        "supplier": "Acme", "annual_value_gbp": 12500, "start_date": dt.datetime(2024, 4, 1),
        "end_date": "31/03/2027",
    },
    "evidence_stats": {
        "borough": HACKNEY, "year": 2023, "requests_per_year": 1850,
        "footage_available_share": 0.62, "retrieval_model": "digital_transfer",
    },
    "cost_items": {
        "profile": "hackney", "item": "camera_maintenance", "value_gbp": 450,
        "per": "camera-year", "price_base_year": 2024,
    },
    "monitoring": {"camera_id": "S1", "control_room_id": "CR1", "monitored_hours_per_day": 24},
    "cameras": {"camera_id": "S1", "lon": -0.0553, "lat": 51.5450, "owner_type": "council"},
}  # fmt: skip


def test_filled_return_imports_unchanged(tmp_path, boroughs):
    path = write_return_template(tmp_path / "return.xlsx")
    book = openpyxl.load_workbook(path)
    for table, values in FILLED.items():
        sheet = book[table]
        header = [c.value for c in sheet[1]]
        sheet.append([values.get(h) for h in header])
    book.save(path)
    for table in IMPORT_TABLES:
        result = read_table_file(path, table, boroughs=boroughs)
        assert result.findings == (), table
        assert len(result.records) == 1, table
    contract = read_table_file(path, "contracts", boroughs=boroughs).records.iloc[0]
    assert contract["start_date"] == dt.date(2024, 4, 1)
    assert contract["end_date"] == dt.date(2027, 3, 31)
    assert contract["borough_code"] == HACKNEY
    cameras = read_cameras_file(path, boroughs=boroughs, assumptions=read_assumptions())
    assert cameras.errors == ()
    assert list(cameras.cameras["camera_id"]) == ["S1"]
    assert list(cameras.cameras["borough_code"]) == [HACKNEY]
