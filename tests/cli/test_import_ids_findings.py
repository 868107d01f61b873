"""Ids differing only by case or invisible characters are one id; all findings can go to a file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from cctvscope.cli.main import app
from cctvscope.ingest.values import id_key, normalise_text
from cctvscope.store import connect, load_estate, store_snapshot

runner = CliRunner()


def _invoke(args: list[str], db_url: str):
    return runner.invoke(app, [*args, "--database-url", db_url])


def test_normalise_text_and_id_key() -> None:
    decomposed = "Cafe\u0301"  # e + combining acute
    assert normalise_text(decomposed) == "Caf\u00e9"
    assert normalise_text("\ufeffCAM\u200b1\u200d\x07 ") == "CAM1"
    assert id_key("cam1") == id_key("CAM\u200b1") == id_key(" Cam1") == "cam1"
    assert id_key("cam1") != id_key("cam2")


def test_case_and_zero_width_variants_are_duplicates(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    cams = tmp_path / "cams.csv"
    cams.write_text(
        "id,lon,lat\n"
        "HK-001,-0.0553,51.5450\n"
        "hk-001,-0.0554,51.5451\n"
        "HK-\u200b001,-0.0555,51.5452\n"
        "HK-002\u200b,-0.0750,51.5460\n",
        encoding="utf-8",
    )
    result = _invoke(["import", "cameras", str(cams), "--estate", "hk"], db_url)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    # Data rows 2 and 3 repeat row 1's id; HK-002 is new.
    assert text.count("duplicate id: first used on row 1") == 2, text
    assert "HK-002" not in text


def test_table_keys_compare_without_case(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    rooms = tmp_path / "rooms.csv"
    rooms.write_text(
        "room_id,name,borough,operator,operator_kind,operator_positions,hours_per_day,"
        "days_per_week,staff_fte,screens_per_operator,lon,lat\n"
        "CR-1,Town Hall,Hackney,Hackney Council,council,4,24,7,10,6,-0.0553,51.5450\n"
        "cr-1,Depot,Hackney,Hackney Council,council,2,12,5,3,6,-0.0750,51.5460\n",
        encoding="utf-8",
    )
    result = _invoke(["import", "control_rooms", str(rooms), "--estate", "hk"], db_url)
    assert result.exit_code == 2, result.output
    assert "duplicate id: first used on row 1" in " ".join(result.output.split())


def test_findings_out_writes_every_finding_and_changes_nothing(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    good = tmp_path / "good.csv"
    good.write_text("id,lon,lat\nHK-001,-0.0553,51.5450\n", encoding="utf-8")
    assert _invoke(["import", "cameras", str(good), "--estate", "hk"], db_url).exit_code == 0
    before = store_snapshot(connect(db_url))
    n_bad = 250  # more than the screen's 200
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,lon,lat,hfov_deg\n" + "".join(f"B{i},-0.0553,51.5450,400\n" for i in range(n_bad)),
        encoding="utf-8",
    )
    out = tmp_path / "findings" / "all.csv"
    result = _invoke(
        ["import", "cameras", str(bad), "--estate", "hk", "--findings-out", str(out)], db_url
    )
    assert result.exit_code == 2, result.output
    assert "--findings-out FILE.csv writes every finding" in " ".join(result.output.split())
    assert store_snapshot(connect(db_url)) == before
    written = pd.read_csv(out)
    errors = written[written["severity"] == "error"]
    assert len(errors) == n_bad
    assert set(errors["field"]) == {"hfov_deg"} and set(errors["value"].astype(float)) == {400.0}
    assert sorted(errors["row"]) == list(range(1, n_bad + 1))
    assert written["severity"].iloc[0] == "error"  # errors first
    assert len(load_estate(connect(db_url), "hk").cameras) == 1


def test_a_blank_estate_name_is_refused_before_the_file_is_read(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store.db'}"
    missing_rows = tmp_path / "cams.csv"
    missing_rows.write_text("id,lon,lat\nHK-001,-0.0553,51.5450\n", encoding="utf-8")
    for name in ("", "   ", "bad\x07name", "x" * 101):
        result = _invoke(["import", "cameras", str(missing_rows), "--estate", name], db_url)
        assert result.exit_code == 2, (name, result.output)
        assert "--estate" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "store.db").exists()
    result = _invoke(["estate", "create", " ", "--region", "london"], db_url)
    assert result.exit_code == 2 and "blank" in result.output
