"""Every CSV the reporting layer writes is safe to open in a spreadsheet (OWASP CSV injection)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cctvscope.reporting.compliance import write_compliance
from cctvscope.reporting.safe_csv import defuse_formulas, write_csv
from cctvscope.workflows.compliance import run_compliance
from cctvscope.workflows.region_inputs import RegionInputs
from tests.store.builders import make_estate

HOSTILE = ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3")


def test_text_cells_are_defused_and_numbers_kept(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": [*HOSTILE, "plain"], "value_gbp": [-1.5, 2.0, 3.0, -4.0, 5.0]})
    written = pd.read_csv(write_csv(frame, tmp_path / "t.csv"))
    assert written["id"].tolist() == [*(f"'{v}" for v in HOSTILE), "plain"]
    assert written["value_gbp"].tolist() == [-1.5, 2.0, 3.0, -4.0, 5.0]  # numbers untouched
    assert defuse_formulas(frame)["id"].iloc[-1] == "plain"


def test_compliance_tables_defuse_a_hostile_camera_id(tmp_path: Path) -> None:
    estate = make_estate()
    cams = estate.cameras.copy()
    cams.loc[0, "camera_id"] = HOSTILE[1]
    cams.loc[1, "operator"] = HOSTILE[0]
    estate = estate.replace_tables(cameras=cams)
    region = RegionInputs("testville", "Testville", None, None, None, None, None, ())
    outcome = run_compliance(estate, region=region)
    write_compliance(outcome, tmp_path)
    text = (tmp_path / "compliance.csv").read_text(encoding="utf-8")
    assert f"'{HOSTILE[1]}" in text
    ids = set(pd.read_csv(tmp_path / "compliance.csv")["camera_id"])
    assert f"'{HOSTILE[1]}" in ids and HOSTILE[1] not in ids
