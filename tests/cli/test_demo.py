"""`cctvscope demo`: the London estate end to end, checked against the store by a second path."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from cctvscope.cli.main import app
from cctvscope.store import connect, list_estates, list_runs, load_estate
from cctvscope.workflows import BOROUGH_SUMMARY_COLUMNS, summarise_boroughs


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    tmp = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{tmp / 'store.db'}"
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp / "out"), "--database-url", url])
    assert result.exit_code == 0, result.output
    return tmp / "out", url, result.output


def test_demo_files(demo_run):
    out, _url, output = demo_run
    layers = gpd.list_layers(out / "estate.gpkg")
    assert set(layers["name"]) == {"boroughs", "cameras", "control_rooms"}
    boroughs = gpd.read_file(out / "estate.gpkg", layer="boroughs")
    cameras = gpd.read_file(out / "estate.gpkg", layer="cameras")
    assert len(boroughs) == 33
    assert cameras.crs.to_epsg() == 27700
    summary = pd.read_csv(out / "borough_summary.csv")
    assert list(summary.columns) == list(BOROUGH_SUMMARY_COLUMNS)
    assert len(summary) == 33
    assert summary["cameras"].sum() == len(cameras)
    assert "synthetic" in output


def test_demo_store_matches_files(demo_run):
    out, url, _ = demo_run
    engine = connect(url)
    estate = load_estate(engine, "london")
    assert estate.version == 1
    # Second path: recompute the summary from the stored estate and compare with the CSV.
    recomputed = summarise_boroughs(estate).round(4)
    written = pd.read_csv(out / "borough_summary.csv")
    pd.testing.assert_frame_equal(
        written, recomputed, check_dtype=False, check_exact=False, atol=1e-4
    )
    assert (estate.cameras.loc[estate.cameras["owner_type"] == "tfl", "provenance"] == "real").all()
    runs = list_runs(engine, "london")
    assert runs[0].kind == "demo"
    assert {r.kind for r in runs} == {
        "demo",
        "options",
        "economics",
        "compliance",
    }  # no evidence run kind
    assert runs[0].input_hash == estate.input_hash()


def test_demo_again_reuses_identical_version(demo_run):
    out, url, _ = demo_run
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "version 1" in result.output
    assert [i.version for i in list_estates(connect(url))] == [1]
    assert [r.kind for r in list_runs(connect(url), "london")].count("demo") == 2


def _visible_text(html: str) -> str:
    """The guide's visible text: tags, styles and scripts stripped, whitespace folded."""
    import html as html_lib
    import re

    body = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S | re.I)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html_lib.unescape(body).split())


def test_report_writes_the_demos_guide(demo_run, tmp_path):
    """One pipeline: `report` on the demo's estate writes the demo's guide and tables.

    Runs before the tests below that add Code of Practice scores to the store.
    """
    import re
    import shutil

    out, url, _ = demo_run
    again = tmp_path / "out"
    shutil.copytree(out, again)  # the demo's folder, with the worked example's vault
    for name in ("guide.html", "vfm.csv", "coverage_summary.csv"):
        (again / name).unlink()
    result = CliRunner().invoke(
        app, ["report", "--estate", "london", "--out", str(again), "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    from cctvscope.workflows.evidence import has_worked_example

    # A report into another folder has no vault to package the example from: left out.
    assert has_worked_example(connect(url), again / "evidence_vault")
    assert not has_worked_example(connect(url), tmp_path / "elsewhere" / "evidence_vault")
    demo_text = _visible_text((out / "guide.html").read_text(encoding="utf-8"))
    report_text = _visible_text((again / "guide.html").read_text(encoding="utf-8"))
    assert "Worked evidence request (synthetic)" in report_text
    assert "Coverage gaps: " in report_text and "not available yet" not in report_text
    # The guides differ at most in the date each was generated (a run may cross midnight).
    generated = r"\b20\d\d-\d\d-\d\d Figures\b"
    assert re.sub(generated, "", report_text) == re.sub(generated, "", demo_text)
    for name in (
        "vfm.csv",
        "compliance_boroughs.csv",
        "control_room_options.csv",
        "monitoring.csv",
        "coverage_summary.csv",
        "joint_coverage_london.csv",
        "evidence_example.csv",
    ):
        # Solver wall times differ run to run; every result column must not.
        timed = ["solve_seconds"]
        pd.testing.assert_frame_equal(
            pd.read_csv(again / name).drop(columns=timed, errors="ignore"),
            pd.read_csv(out / name).drop(columns=timed, errors="ignore"),
        )


ECONOMICS_FILES = (
    "vfm.csv",
    "vfm_sensitivity.csv",
    "vfm_tornado.svg",
    "framework.csv",
    "framework_timeline.svg",
    "evidence_ops.csv",
    "evidence_ops.svg",
    "scenarios.csv",
    "scenarios.svg",
)


def test_demo_economics_files(demo_run):
    out, _url, output = demo_run
    for name in ECONOMICS_FILES:
        assert (out / name).stat().st_size > 0, name
    assert "Framework agreement savings" in output
    assert len(pd.read_csv(out / "framework.csv")) == 5
    assert len(pd.read_csv(out / "evidence_ops.csv")) == 33 * 3
    svg = (out / "framework_timeline.svg").read_text(encoding="utf-8")
    assert "Pan-London CCTV framework" in svg
    assert "synthetic" in svg


def test_demo_london_cost_by_second_method(demo_run):
    """London annual cost = Σ contracts + council cameras × installation × annuity factor."""
    out, url, _ = demo_run
    estate = load_estate(connect(url), "london")
    vfm = pd.read_csv(out / "vfm.csv").set_index("gss_code")
    council = int((estate.cameras["owner_type"] == "council").sum())
    # The price base is the run date's year, as the economics run recorded it.
    runs = [r for r in list_runs(connect(url), "london") if r.kind == "economics"]
    base_year = int(runs[-1].options["price_base_year"])
    installation = 5000 * 1.02 ** (base_year - 2010)  # £5,000 at 2010 prices, 2 % a year
    annuity = 0.035 / (1 - 1.035**-10)
    expected = estate.contracts["annual_value_gbp"].sum() + council * installation * annuity
    # vfm.csv holds 6 significant figures (%.6g): at most 5e-6 off.
    assert vfm.loc["LONDON", "annual_cost_gbp"] == pytest.approx(expected, rel=5e-6)
    assert vfm.loc["LONDON", "council_cameras"] == council


def test_economics_command_reproduces_demo(demo_run, tmp_path):
    out, url, _ = demo_run
    result = CliRunner().invoke(
        app, ["economics", "--estate", "london", "--out", str(tmp_path), "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    for name in ("vfm.csv", "framework.csv", "evidence_ops.csv", "scenarios.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / name), pd.read_csv(out / name))
    kinds = [r.kind for r in list_runs(connect(url), "london")]
    assert kinds.count("economics") >= 2


def test_demo_compliance_files(demo_run):
    out, url, output = demo_run
    estate = load_estate(connect(url), "london")
    in_service = estate.cameras["status"].isin(["operational", "faulty"]).sum()
    cams = pd.read_csv(out / "compliance.csv")
    assert len(cams) == in_service
    assert (cams["standard"] == "london-cctv v1.0").all()
    summary = pd.read_csv(out / "compliance_summary.csv")
    assert set(summary.loc[summary["borough_code"] == "LONDON", "rule_id"]) >= {"IQ-01", "RT-01"}
    plan = pd.read_csv(out / "upgrade_plan.csv")
    private = set(estate.cameras.loc[estate.cameras["owner_type"] == "private", "camera_id"])
    assert not set(plan["camera_id"]) & private
    assert plan["cumulative_cost_gbp"].is_monotonic_increasing
    # Second path: the share compliant recomputed from the per-camera table.
    boroughs = pd.read_csv(out / "compliance_boroughs.csv").set_index("gss_code")
    hackney = cams[cams["borough_code"] == "E09000012"]
    assert boroughs.loc["E09000012", "share_compliant"] == pytest.approx(
        hackney["compliant"].mean(),
        abs=1e-6,  # the CSV holds six decimals
    )
    assert "London compliance with london-cctv v1.0" in output


def test_cop_scores_appear_beside_compliance(demo_run, tmp_path):
    _out, url, _ = demo_run
    runner = CliRunner()
    template = tmp_path / "answers.yaml"
    assert runner.invoke(app, ["cop", "template", "--out", str(template)]).exit_code == 0
    text = template.read_text(encoding="utf-8")
    # Hackney answers "yes" to every question: every principle scores 1.0.
    filled = (
        text.replace('borough_code: ""', "borough_code: E09000012")
        .replace('assessor: ""', "assessor: Test Manager")
        .replace("assessed_on:", "assessed_on: 2026-11-01")
        .replace("answer:    #", "answer: yes   #")
    )
    answers = tmp_path / "hackney.yaml"
    answers.write_text(filled, encoding="utf-8")
    result = runner.invoke(
        app, ["cop", "submit", str(answers), "--estate", "london", "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["comply", "--estate", "london", "--out", str(tmp_path), "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    boroughs = pd.read_csv(tmp_path / "compliance_boroughs.csv").set_index("gss_code")
    assert boroughs.loc["E09000012", "cop_share"] == pytest.approx(1.0)
    assert bool(boroughs.loc["E09000012", "meets_cop"]) is True
    assert pd.isna(boroughs.loc["E09000033", "cop_share"])


def test_comply_other_standard_and_strict(demo_run, tmp_path):
    _out, url, _ = demo_run
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "comply",
            "--estate",
            "london",
            "--out",
            str(tmp_path),
            "--standard",
            "national-minimum-v1",
            "--database-url",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "national-minimum v1.0" in result.output
    assert (pd.read_csv(tmp_path / "compliance.csv")["standard"] == "national-minimum v1.0").all()
    result = runner.invoke(
        app,
        ["comply", "--estate", "london", "--out", str(tmp_path), "--strict", "--database-url", url],
    )
    assert result.exit_code == 1
    assert "RT-01" in result.output


def test_audit_footage_is_registered():
    result = CliRunner().invoke(app, ["audit-footage", "--help"])
    assert result.exit_code == 0
    assert "--json" in result.output


def test_demo_options_files(demo_run):
    out, _url, output = demo_run
    options = pd.read_csv(out / "control_room_options.csv")
    assert options.loc[0, "status"] == "status quo"
    feasible = options[options["status"] == "optimal"]
    assert len(feasible) >= 10
    # Every feasible option costs no more a year than the status quo it replaces.
    assert (
        feasible["annual_cost_gbp_per_year"] <= options.loc[0, "annual_cost_gbp_per_year"]
    ).all()
    for k in feasible["rooms"].head(3):
        assert (out / f"control_rooms_{k}.svg").stat().st_size > 0
    monitoring = pd.read_csv(out / "monitoring.csv")
    assert (
        monitoring["detections_per_year_optimised"] >= monitoring["detections_per_year_status_quo"]
    ).all()
    assert (out / "placement_covent_garden.svg").stat().st_size > 0
    vfm = pd.read_csv(out / "vfm.csv").set_index("gss_code")
    london = vfm.loc["LONDON"]
    # Cost per detected incident = annual cost / status-quo detections (second path; the
    # CSV keeps two decimals).
    assert london["detected_incidents_per_year"] == pytest.approx(
        monitoring["detections_per_year_status_quo"].sum(), abs=0.005
    )
    # Three values each rounded to 6 significant figures in vfm.csv: at most 1.5e-5 apart.
    assert london["cost_per_detected_incident_gbp"] == pytest.approx(
        london["annual_cost_gbp"] / london["detected_incidents_per_year"], rel=1.5e-5
    )
    assert "Shared control-room options" in output


def test_options_control_rooms_command(demo_run, tmp_path):
    _out, url, _ = demo_run
    result = CliRunner().invoke(
        app,
        [
            "options",
            "control-rooms",
            "--estate",
            "london",
            "--rooms",
            "1",
            "--rooms",
            "3",
            "--out",
            str(tmp_path),
            "--database-url",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "control_room_options.csv")
    assert list(table["rooms"][1:]) == [1, 3]
    assert table.loc[1, "status"] != "optimal"  # one room cannot hold London's positions
    assert "capacity" in str(table.loc[1, "reason"])


def test_demo_worked_evidence_request(demo_run, tmp_path):
    out, url, output = demo_run
    from cctvscope.evidence.signing import load_public_key, public_key_path
    from cctvscope.evidence.verify import verify_package
    from cctvscope.workflows.evidence import DEMO_SIGNING_KEY

    example = pd.read_csv(out / "evidence_example.csv")
    assert len(example) >= 1
    assert (example["provenance"] == "synthetic worked example").all()
    supplied = example[example["state"] == "supplied"]
    package = out / f"evidence_request_{supplied['request_id'].iloc[0]}.zip"
    # Signed with the demo's key under the vault root; verified with its public key alone.
    public_key = load_public_key(public_key_path(out / "evidence_vault" / DEMO_SIGNING_KEY))
    assert verify_package(package, public_key).status == "verified"
    assert verify_package(package).status == "unanchored"
    # Second path: the median in the summary line equals the CSV's median.
    median = supplied["time_to_evidence_h"].median()
    assert f"median time to evidence {median:.0f} h" in output
    # Every camera in the example really covers the place (lookup), found again via the CLI
    # at the place the summary line names (the busiest point near Leicester Square).
    place = re.search(r"the\s+place\s+\(BNG\s+([0-9.]+)\s+E,\s+([0-9.]+)\s+N\)", output)
    assert place is not None, output
    x_text, y_text = place.groups()
    result = CliRunner().invoke(
        app,
        [
            "evidence",
            "cameras-at",
            "--estate",
            "london",
            "--x",
            x_text,
            "--y",
            y_text,
            "--out",
            str(tmp_path / "c.csv"),
            "--database-url",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    found = set(pd.read_csv(tmp_path / "c.csv")["camera_id"])
    requested = {c for cams in example["cameras"] for c in cams.split(";")}
    assert requested <= found or not requested
    # The same point named as text, with an incident 3 days ago: the same cameras, each
    # saying whether its footage of that moment is still kept.
    incident = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    args = ["evidence", "cameras-at", "--estate", "london", "--place", f"{x_text} {y_text}"]
    args += ["--at", incident, "--out", str(tmp_path / "c2.csv"), "--database-url", url]
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    by_text = pd.read_csv(tmp_path / "c2.csv")
    assert set(by_text["camera_id"]) == found
    known = by_text.dropna(subset=["retention_days"])
    assert (known["within_retention"].astype(bool) == (known["retention_days"] > 3)).all()


def test_demo_joint_coverage(demo_run):
    out, _url, output = demo_run
    london = pd.read_csv(out / "joint_coverage_london.csv").set_index("level")
    rec = london.loc["recognise"]
    # joint = public + private - overlap, and gain = joint - public (area algebra), to the
    # CSV's 6 significant digits.
    assert rec["joint_km2"] == pytest.approx(
        rec["public_km2"] + rec["private_km2"] - rec["overlap_km2"], abs=1e-4
    )
    assert rec["gain_km2"] == pytest.approx(rec["joint_km2"] - rec["public_km2"], abs=1e-4)
    by_borough = pd.read_csv(out / "joint_coverage.csv")
    assert by_borough.loc[by_borough["level"] == "recognise", "gain_km2"].sum() == pytest.approx(
        rec["gain_km2"], rel=1e-6
    )
    assert len(pd.read_csv(out / "private_recruitment.csv")) == 20
    assert "Private cameras add" in output


def test_demo_writes_the_guide(demo_run):
    out, _url, output = demo_run
    import pypdf

    reader = pypdf.PdfReader(out / "guide.pdf")
    texts = [page.extract_text() or "" for page in reader.pages]
    assert sum("Borough profile:" in t for t in texts) == 33
    assert f"guide: {out / 'guide.pdf'} ({len(reader.pages)} pages)" in output
    html = (out / "guide.html").read_text(encoding="utf-8")
    vfm = pd.read_csv(out / "vfm.csv").set_index("gss_code")
    # vfm.csv keeps 6 significant digits: compare the leading thousands.
    assert f"£{int(vfm.loc['LONDON', 'annual_cost_gbp'] // 1000):,}," in html
