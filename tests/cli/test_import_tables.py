"""The borough return through the CLI: template, every table's import, status, export."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pyogrio
import pytest
from typer.testing import CliRunner

from cctvscope.cli.main import app
from cctvscope.store import connect, list_estates, load_estate, store_snapshot

runner = CliRunner()

CAMERAS = """id,location text,lon,lat
HK-001,Mare Street by the Town Hall,-0.0553,51.5450
HK-002,Dalston Junction,-0.0750,51.5460
"""


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


def _invoke(args: list[str], db_url: str):
    return runner.invoke(app, [*args, "--database-url", db_url])


def _fill(path: Path, sheet: str, rows: list[list[object]]) -> None:
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    for row in rows:
        ws.append(row)
    book.save(path)


def _return_workbook(tmp_path: Path) -> Path:
    path = tmp_path / "return.xlsx"
    assert runner.invoke(app, ["template", "return", "--out", str(path)]).exit_code == 0
    header = {s: [c.value for c in openpyxl.load_workbook(path)[s][1]] for s in
              ("control_rooms", "contracts", "evidence_stats", "monitoring")}  # fmt: skip
    values = {
        "control_rooms": {"room_id": "HK-CR1", "name": "Hackney CCTV", "operator_kind": "council",
                          "operator": "Hackney Council", "easting": 534900, "northing": 184700,
                          "operator_positions": 4, "hours_per_day": 24, "days_per_week": 7,
                          "staff_fte": 12.5, "screens_per_operator": 6, "vms": "Genetec"},
        "contracts": {"contract_id": "HK-M1", "borough": "Hackney", "category": "maintenance",
                      "supplier": "Acme", "annual_value_gbp": "£125,000",
                      "start_date": "01/04/2023", "end_date": "31/03/2026"},
        "evidence_stats": {"borough": "E09000012", "year": 2024, "requests_per_year": 1450,
                           "footage_available_share": "62%", "retrieval_model": "digital",
                           "turnaround_days": 3},
        "monitoring": {"camera_id": "HK-001", "control_room_id": "HK-CR1"},
    }  # fmt: skip
    for sheet, row in values.items():
        _fill(path, sheet, [[row.get(str(h), None) for h in header[sheet]]])
    return path


def test_a_borough_return_imports_table_by_table(tmp_path, db_url):
    cams = tmp_path / "cams.csv"
    cams.write_text(CAMERAS, encoding="utf-8")
    assert _invoke(["import", "cameras", str(cams), "--estate", "hk"], db_url).exit_code == 0
    workbook = _return_workbook(tmp_path)
    for table in ("control_rooms", "contracts", "evidence_stats", "monitoring"):
        result = _invoke(["import", table, str(workbook), "--estate", "hk"], db_url)
        assert result.exit_code == 0, result.output
    estate = load_estate(connect(db_url), "hk")
    assert estate.version == 5
    room = estate.control_rooms.iloc[0]
    assert (room["room_id"], room["borough_code"], room["staff_fte"], room["vms"]) == (
        "HK-CR1", "E09000012", 12.5, "Genetec",
    )  # fmt: skip
    contract = estate.contracts.iloc[0]
    assert contract["annual_value_gbp"] == 125_000.0
    assert str(contract["end_date"]) == "2026-03-31"
    stats = estate.evidence_stats.iloc[0]
    assert stats["footage_available_share"] == pytest.approx(0.62)
    assert stats["retrieval_model"] == "digital_transfer"
    cams_now = estate.cameras.set_index("camera_id")
    assert cams_now.loc["HK-001", "control_room_id"] == "HK-CR1"
    assert cams_now.loc["HK-002", "control_room_id"] is None
    assert len(estate.metadata["returns"]) == 5

    status = _invoke(["status", "--estate", "hk", "--borough", "Hackney"], db_url)
    assert status.exit_code == 0, status.output
    lines = {ln.split("│")[1].strip(): ln for ln in status.output.splitlines() if "│" in ln}
    assert "100%" in lines["contracts"] and "confirmed" in lines["contracts"]
    assert "never" in lines["links"] and "provisional" in lines["links"]
    assert "Please send: links, cost_items" in status.output.replace("\n", " ")

    out = tmp_path / "hk.gpkg"
    exported = _invoke(["export", "--estate", "hk", "--version", "2", "--out", str(out)], db_url)
    assert exported.exit_code == 0, exported.output
    assert "version 2" in exported.output
    layers = dict(pyogrio.list_layers(out))
    assert "camera_sources" in layers and "returns" in layers


def test_bad_rows_in_any_table_change_nothing(tmp_path, db_url):
    cams = tmp_path / "cams.csv"
    cams.write_text(CAMERAS, encoding="utf-8")
    assert _invoke(["import", "cameras", str(cams), "--estate", "hk"], db_url).exit_code == 0
    before = store_snapshot(connect(db_url))
    bad = tmp_path / "contracts.csv"
    bad.write_text(
        "contract_id,borough,category,supplier,annual_value_gbp,start_date,end_date\n"
        "C1,Hackney,maintenance,Acme,100,2024-01-01,2023-01-01\n"
        "C2,Narnia,maintenance,Acme,lots,2024-01-01,2025-01-01\n",
        encoding="utf-8",
    )
    result = _invoke(["import", "contracts", str(bad), "--estate", "hk"], db_url)
    assert result.exit_code == 2, result.output
    assert store_snapshot(connect(db_url)) == before
    text = " ".join(result.output.split())
    assert "Narnia" in text and "lots" in text


def test_monitoring_names_unknown_cameras_and_rooms(tmp_path, db_url):
    cams = tmp_path / "cams.csv"
    cams.write_text(CAMERAS, encoding="utf-8")
    assert _invoke(["import", "cameras", str(cams), "--estate", "hk"], db_url).exit_code == 0
    mon = tmp_path / "mon.csv"
    mon.write_text("camera_id,control_room_id\nHK-999,NOPE\n", encoding="utf-8")
    result = _invoke(["import", "monitoring", str(mon), "--estate", "hk"], db_url)
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "HK-999" in text and "no such camera" in text and "NOPE" in text
    assert [i.version for i in list_estates(connect(db_url))] == [1]
