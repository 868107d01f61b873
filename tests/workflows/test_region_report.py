"""Any area: ``cctvscope report`` writes the guide for a region's estate.

The Stockport region and estate of :mod:`tests.workflows.test_any_region` go through
``cctvscope report``: the guide names Stockport, states no London figure, and each
chapter whose input is missing names it with the command that supplies it.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from pathlib import Path

import pandas as pd
import pypdf

from tests.ingest.region_files import OSM, write_region
from tests.workflows.test_any_region import (
    COST_ITEMS,
    HIGH_STREET,
    REGISTER,
    bare_estate,
    cli,
    flat,
)

__all__ = ["cli"]  # the fixture, re-exported for pytest

#: Where "London" may stay in a region's guide: the standard's label. (The guide's text
#: does not cite the MOPAC decision paper by name, so no citation needs allowing.)
LONDON_ALLOWED = ("london-cctv",)


def _text(html: str) -> str:
    """The HTML's visible text (tags, styles and scripts stripped, whitespace folded)."""
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S | re.I)
    body = re.sub(r"<[^>]+>", " ", body)
    return flat(html_lib.unescape(body))


def _no_london_in_files(out: Path) -> None:
    """No CSV the pipeline wrote names London (the standard's label aside)."""
    for path in sorted(out.glob("*.csv")):
        text = path.read_text(encoding="utf-8")
        for phrase in LONDON_ALLOWED:
            text = text.replace(phrase, "")
        assert "London" not in text, path.name


def _appendix_b_lists_the_region_files(
    html: str, files: dict[str, Path], register: Path, costs: Path
) -> None:
    """Appendix B names the files Stockport was loaded from (with their SHA-256, hashed here)
    and the estate's imports, and no bundled London file."""
    appendix = _text(html.split('id="appendix-b"', 1)[1].split("</section>")[0])
    assert "Stockport's data files" in appendix
    for key in ("boundaries", "small_areas", "crime", "osm"):
        path = files[key]
        sha = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        assert re.search(rf"{re.escape(path.name)} \(\d+ features; sha256 {sha}…", appendix), key
    # The crime layer holds 3 of the 5 rows: one has no coordinates, one lies outside.
    assert f"crime : {files['crime'].name} (3 features;" in appendix
    assert (
        f"cameras import for Heatons West, Heatons East : {register.name} (6 records;" in appendix
    )
    assert f"cost items import : {costs.name} (" in appendix
    assert "cctvscope/data/real" not in appendix and "Bundled data files" not in appendix


def test_report_on_a_region_estate(cli, tmp_path: Path):
    files = write_region(tmp_path / "stockport")
    files["osm"].write_text(OSM.replace("</osm>", HIGH_STREET), encoding="utf-8")
    cli(
        "region", "create", "stockport", "--boundaries", str(files["boundaries"]),
        "--title", "Stockport", "--small-areas", str(files["small_areas"]),
        "--crime", str(files["crime"]), "--osm", str(files["osm"]),
    )  # fmt: skip
    cli("estate", "create", "heatons", "--region", "stockport")
    register = tmp_path / "register.csv"
    register.write_text(REGISTER)
    cli("import", "cameras", str(register), "--estate", "heatons", "--map", "ptz=Type")
    costs = tmp_path / "costs.csv"
    costs.write_text(COST_ITEMS)
    cli("import", "cost_items", str(costs), "--estate", "heatons")

    out = tmp_path / "guide"
    said = cli("report", "--estate", "heatons", "--out", str(out))
    assert (out / "guide.html").exists()
    assert (out / "guide.pdf").exists()
    pages = len(pypdf.PdfReader(str(out / "guide.pdf")).pages)
    print(f"Stockport guide: {pages} pages")
    assert pages > 0
    assert f"({pages} pages)" in said

    html = (out / "guide.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", html, flags=re.S)
    assert title is not None and "Stockport" in title.group(1)
    text = _text(html)
    assert "CCTV in Stockport: a technical and strategic guide" in text
    assert "Area profile: " in text
    _appendix_b_lists_the_region_files(html, files, register, costs)
    rest = text
    for phrase in LONDON_ALLOWED:
        rest = rest.replace(phrase, "")
    assert "London" not in rest, re.findall(r".{60}London.{60}", rest)[:3]
    # Chapters whose inputs are missing name them and the command that supplies them.
    assert (
        "The control-room consolidation analysis is not shown for Stockport, for lack of: "
        "no control "
        "rooms for Stockport: cctvscope template return --out return.xlsx, then cctvscope "
        "import control_rooms return.xlsx --estate heatons"
    ) in text
    assert (
        "The framework analysis is not shown for Stockport, for lack of: "
        "no contracts for Stockport: "
        "cctvscope template return --out return.xlsx, then cctvscope import contracts "
        "return.xlsx --estate heatons (framework agreement not computed)"
    ) in text
    assert "no evidence statistics for Stockport:" in text
    # Each economics chapter shows its own part: the cost items give value for money and
    # the technology scenarios though contracts and evidence statistics are missing.
    # By hand: 6 council cameras × (£1,200 running + £9,000 installation annuitised over
    # 10 years at 3.5 %) a year, the 2024 figures moved to the run's price base at 2 % a year.
    base = re.search(r"Value for money per borough \((\d{4}) £\)", text)
    dated = re.search(r"estate heatons · (\d{4})-\d{2}-\d{2}", text)
    assert base is not None and dated is not None and base.group(1) == dated.group(1)
    uplift = 1.02 ** (int(base.group(1)) - 2024)
    annuity = 0.035 / (1 - 1.035**-10)
    annual_gbp = 6 * (1200 + 9000 * annuity) * uplift
    assert (
        f"Council CCTV costs £{annual_gbp:,.0f} a year (revenue and annualised camera capital): "
        f"£{annual_gbp / 6:,.0f} per camera and "
        "an unknown cost per evidential export (no evidence statistics give the exports)."
    ) in text
    assert "Of 5 technology scenarios over 10 years on 6 cameras" in text
    framework = text[text.index("2. Framework agreement") : text.index("3. The standard")]
    assert "no evidence statistics" not in framework  # only what stops the framework
    assert (
        "Police evidence retrieval by operating model: not shown for Stockport, for lack of: "
        "no evidence statistics for Stockport:"
    ) in text
    assert not re.search(r"\bnan\b", text.split("Appendix A")[0], flags=re.I)
    assert "calibrated synthetic estate" not in text.split("Appendix A")[0]
    # No zero printed as a finding: no private cameras is said, not "adds 0.00 km²".
    assert "add 0.00 km²" not in text
    assert (
        "The joint coverage analysis is not shown for Stockport, for lack of: no registered "
        "private cameras for Stockport: cctvscope import cameras FILE --estate heatons with "
        "owner_type private (joint coverage not computed)"
    ) in text
    assert "£0 spent" not in text
    assert "economics incomplete: see its chapters" in text
    # The same pipeline as the demo: coverage ran (in its own process) and its gaps are
    # the region's, counted again here from the coverage summary it wrote.
    summary = pd.read_csv(out / "coverage_summary.csv")
    region = summary[(summary["area_type"] == "london") & (summary["level"] == "recognise")]
    assert region["area_name"].tolist() == ["Stockport"]
    share = 100 * float(region["crime_points_share"].iloc[0])
    assert f"Coverage gaps: {share:.1f} % of Stockport's street-level crime points" in text
    # Every police.uk type the region's crime layer gives is counted, and named (the point
    # outside Stockport's small areas counts nowhere): no "burglary points" wording of London.
    assert "burglary street points" not in text.lower()
    assert (
        "Crime in coverage counts street-level crime points of 3 police.uk crime types for "
        "Stockport. Crime types available: Anti-social behaviour, Burglary, Vehicle crime."
    ) in text
    # Every analysis the estate allows wrote its files; none that it does not.
    for name in ("estate.gpkg", "borough_summary.csv", "compliance.csv", "coverage.gpkg",
                 "vfm.csv", "scenarios.csv"):  # fmt: skip
        assert (out / name).is_file(), name
    for name in ("control_room_options.csv", "framework.csv", "joint_coverage.csv",
                 "evidence_example.csv"):  # fmt: skip
        assert not (out / name).exists(), name
    _no_london_in_files(out)
    _web_overview(tmp_path, out)


def _web_overview(tmp_path: Path, out: Path) -> None:
    """The web app on the region's estate: its name, its cameras, its outputs; no London."""
    from fastapi.testclient import TestClient

    from cctvscope.store import connect
    from cctvscope.web.accounts import add_user, create_token
    from cctvscope.web.app import create_app
    from cctvscope.web.security import UserRole
    from cctvscope.web.settings import WebSettings

    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = connect(url)
    add_user(engine, "analyst", "a-long-test-password", UserRole.ANALYST)
    add_user(engine, "officer", "a-long-test-password", UserRole.POLICE)
    settings = WebSettings(
        database_url=url,
        output_dir=out,
        estate_name="heatons",
        secret_key="test-secret-key-not-for-production",
        secure_cookies=False,
    )
    client = TestClient(create_app(settings))
    analyst = {"Authorization": f"Bearer {create_token(engine, 'analyst', 'tests')}"}
    overview = client.get("/api/overview", headers=analyst).json()
    assert overview["region"] == "Stockport"
    assert overview["headline"]["cameras"] == REGISTER.count("\nSK")
    coverage = overview["coverage"]
    assert coverage["computed"] and {r["area_name"] for r in coverage["rows"]} == {"Stockport"}
    page = client.get("/", headers=analyst).text
    assert "Stockport's CCTV estate" in page
    assert "London" not in _text(page)
    basis = client.get("/api/compliance", headers=analyst).json()["basis"]
    assert basis["area"] == "Stockport"
    reports = client.get("/api/reports", headers=analyst).json()
    assert reports["guide_available"]
    police = {"Authorization": f"Bearer {create_token(engine, 'officer', 'tests')}"}
    # SK004 at (390000, 390000): found there; a point in central London is outside the region.
    found = client.get("/api/search?x_m=390000&y_m=390005", headers=police).json()
    assert "SK004" in {c["camera_id"] for c in found["cameras"]}
    london = client.get("/api/search?x_m=529577&y_m=180898", headers=police)
    assert london.status_code == 422
    assert "outside the estate's region" in london.text


def test_report_on_a_region_without_crime_or_costs(cli, tmp_path: Path):
    bare_estate(cli, tmp_path)

    out = tmp_path / "guide"
    cli("report", "--estate", "bare", "--out", str(out), "--mode", "interim")
    text = _text((out / "guide.html").read_text(encoding="utf-8"))
    assert "CCTV in Heatons: a technical and strategic guide" in text
    assert (
        "The joint coverage analysis is not shown for Heatons, for lack of: "
        "no crime layer for Heatons: "
        "cctvscope region create NAME --boundaries FILE --crime FILE"
    ) in text
    assert (
        "The technology scenario model is not shown for Heatons, for lack of: "
        "no cost profile (cost "
        "items) for Heatons: cctvscope template return --out return.xlsx, then cctvscope "
        "import cost_items return.xlsx --estate bare"
    ) in text
    assert "London" not in text.replace("london-cctv", "")
