"""End-to-end CLI tests: import into a real store, and a malformed import changing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cctvscope.cli.main import app
from cctvscope.store import connect, list_estates, store_snapshot

runner = CliRunner()

GOOD = """id,location text,lon,lat
HK-001,Mare Street by the Town Hall,-0.0553,51.5450
HK-002,Dalston Junction,-0.0750,51.5460
HK-003,Stoke Newington Church Street,-0.0790,51.5630
"""

BAD = """id,location text,lon,lat,hfov_deg,mount_height_m
HK-101,ok,-0.0553,51.5450,60,6
HK-102,paris,2.3522,48.8566,60,6
HK-103,absurd,-0.0750,51.5460,400,-3
HK-101,duplicate,-0.0790,51.5630,60,6
"""


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


def _invoke(args: list[str], db_url: str):
    return runner.invoke(app, [*args, "--database-url", db_url])


def test_import_real_council_style_file(tmp_path, db_url):
    path = tmp_path / "hackney.csv"
    path.write_text(GOOD, encoding="utf-8")
    result = _invoke(["import", "cameras", str(path), "--estate", "hackney"], db_url)
    assert result.exit_code == 0, result.output
    assert "imported 3 cameras" in result.output
    infos = list_estates(connect(db_url))
    assert [(i.name, i.version, i.cameras) for i in infos] == [("hackney", 1, 3)]


def test_malformed_import_changes_nothing(tmp_path, db_url):
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    assert _invoke(["import", "cameras", str(good), "--estate", "hackney"], db_url).exit_code == 0
    engine = connect(db_url)
    before = store_snapshot(engine)
    db_bytes = Path(db_url.removeprefix("sqlite:///")).read_bytes()

    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    result = _invoke(["import", "cameras", str(bad), "--estate", "hackney"], db_url)
    assert result.exit_code == 2, result.output
    out = result.output
    # Every finding at once: outside the region, two absurd values, a duplicate id.
    assert "outside" in out
    assert "hfov_deg" in out
    assert "mount_height_m" in out
    assert "HK-101" in out or "duplicate" in out.lower()
    assert "nothing was imported" in out
    assert store_snapshot(engine) == before
    assert Path(db_url.removeprefix("sqlite:///")).read_bytes() == db_bytes


def test_import_into_new_estate_rejects_and_creates_nothing(tmp_path, db_url):
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    assert _invoke(["import", "cameras", str(bad), "--estate", "fresh"], db_url).exit_code == 2
    assert list_estates(connect(db_url)) == []


def test_template_then_estates(tmp_path, db_url):
    out = tmp_path / "survey.xlsx"
    result = runner.invoke(app, ["template", "survey", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    # `estates` no longer creates a store on a mistyped path: `init` makes it first.
    assert _invoke(["init"], db_url).exit_code == 0
    result = _invoke(["estates"], db_url)
    assert result.exit_code == 0, result.output


def test_bad_assignment_syntax(tmp_path, db_url):
    path = tmp_path / "x.csv"
    path.write_text(GOOD, encoding="utf-8")
    result = _invoke(
        ["import", "cameras", str(path), "--estate", "e", "--set", "no_equals_sign"], db_url
    )
    assert result.exit_code != 0


def test_an_unexpected_error_is_one_line_and_a_report_file(monkeypatch, capsys):
    import cctvscope.cli.main as cli

    def broken() -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(cli, "app", broken)
    with pytest.raises(SystemExit) as caught:
        cli.run()
    assert caught.value.code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "internal error: RuntimeError: kaput" in err
    assert "Traceback" not in err
    report = Path(err.split("details for a report are in ")[1].strip())
    assert "RuntimeError: kaput" in report.read_text(encoding="utf-8")
