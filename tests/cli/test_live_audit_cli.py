"""``cctvscope audit-live`` against the virtual loopback cameras, and its input errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from typer.testing import CliRunner

from cctvscope.cli.main import app
from cctvscope.store import init_store
from cctvscope.store.repository import list_estates
from tests.workflows.onvif_cameras import PASSWORD, virtual_estate

runner = CliRunner()


def test_audit_live_prints_and_writes_the_reconciliation(tmp_path: Path) -> None:
    with virtual_estate(tmp_path, now=lambda: dt.datetime.now(dt.UTC)) as (url, targets, creds):
        result = runner.invoke(
            app,
            [
                "audit-live", "--estate", "borough", "--targets", str(targets),
                "--credentials", str(creds), "--database-url", url, "--stream-seconds", "0",
                "--out", str(tmp_path / "table.csv"),
            ],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "table.csv", dtype=str, keep_default_na=False)
    status = dict(zip(table["camera_id"].replace("", "(none)"), table["status"], strict=True))
    assert status == {
        "CAM-A": "matched",
        "CAM-B": "matched",
        "CAM-C": "matched",
        "CAM-E": "auth_failed",
        "CAM-D": "offline",
        "(none)": "unknown",
    }
    row_b = table.set_index("camera_id").loc["CAM-B"]
    assert row_b["resolution"] == "704x576"  # no stream: the encoder configuration's resolution
    assert "resolution_v_px: 1080 → 576" in row_b["differences"]
    assert "1 inventory cameras not among the targets" in result.output
    assert PASSWORD not in result.output
    # Without --apply the estate keeps one version.
    assert [(e.name, e.version) for e in list_estates(url)] == [("borough", 1)]
    # ... and its run is in the audit log all the same, as a run, not a data change.
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select action, target from audit_log")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("run_analysis", "live ONVIF audit of borough")]


def test_audit_live_refuses_bad_targets(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    init_store(url)
    db = ["--database-url", url]
    # Refused before any connection: no address outside loopback is touched.
    result = runner.invoke(app, ["audit-live", "--estate", "x", "--targets", "10.0.0.0/8", *db])
    assert result.exit_code == 2 and "more than 1024" in result.output
    result = runner.invoke(app, ["audit-live", "--estate", "x", *db])
    assert result.exit_code == 2 and "nothing to audit" in result.output
    bad = tmp_path / "creds.csv"
    bad.write_text("host,user\n*,a\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "audit-live",
            "--estate",
            "x",
            "--targets",
            "127.0.0.1/32",
            "--credentials",
            str(bad),
            *db,
        ],
    )
    assert result.exit_code == 2 and "host,username,password" in result.output
    # An estate the store does not hold: the store's refusal, exit 1, before any device is read.
    targets = tmp_path / "t.csv"
    targets.write_text("address,camera_id\n127.0.0.1:9,x\n", encoding="utf-8")
    result = runner.invoke(app, ["audit-live", "--estate", "nope", "--targets", str(targets), *db])
    assert result.exit_code == 2 and "no estate named 'nope'" in result.output


def test_audit_live_json_carries_readings_and_verdicts(tmp_path: Path) -> None:
    with virtual_estate(tmp_path, now=lambda: dt.datetime.now(dt.UTC)) as (url, targets, creds):
        result = runner.invoke(
            app,
            [
                "audit-live", "--estate", "borough", "--targets", str(targets),
                "--credentials", str(creds), "--database-url", url, "--stream-seconds", "0",
                "--json", "--apply",
            ],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["saved_version"] == 2 and data["not_audited"] == ["CAM-F"]
    by_id = {d["camera_id"]: d for d in data["devices"] if d["camera_id"]}
    c = by_id["CAM-C"]
    assert c["reading"]["info"]["serial"] == "SN-CAM-C"
    assert {v["rule_id"]: v["outcome"] for v in c["verdicts"]}["TS-01"] == "fail"
    assert c["confirmed"] is False and by_id["CAM-A"]["confirmed"] is True
    assert PASSWORD not in result.output
