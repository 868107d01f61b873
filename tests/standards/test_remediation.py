"""Remediation: fix bundles and the upgrade plan, every number worked out by hand.

Unit costs (price base 2024, uplift 2 %/yr): re_aim 150, change_lens 600,
add_time_sync 50, add_export_capability 120, replace_recorder 350 (our 2024
assumptions, unchanged) and replace_camera = 5,000 x 1.02^(2024-2010) = 6,597.39.
Severity weights: critical 3, major 2, minor 1.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cctvscope.coverage.detail import detail_distance_m
from cctvscope.crs import BNG
from cctvscope.model import Camera
from cctvscope.model.assumptions import read_assumptions
from cctvscope.model.frames import records_to_frame, with_points
from cctvscope.standards import remediation as rem
from tests.conftest import make_camera

STANDARD = yaml.safe_load(
    (
        Path(rem.__file__).parent / "data" / "london-v1.yaml"  # the bundled standard
    ).read_text(encoding="utf-8")
)
A = read_assumptions()
CAMERA_GBP = 5000.0 * 1.02**14  # 6,597.39
SEVERITY = {
    "IQ-01": "major",
    "IQ-02": "major",
    "IQ-03": "major",
    "IQ-04": "minor",
    "TS-01": "major",
    "RT-01": "critical",
    "EX-01": "critical",
    "EX-02": "major",
    "EX-03": "major",
    "IO-01": "minor",
    "IO-02": "major",
    "IO-03": "minor",
    "ZZ-01": "minor",
}


def cameras_frame(*cameras: Camera) -> gpd.GeoDataFrame:
    return with_points(records_to_frame(Camera, cameras))


def findings_frame(rows: list[tuple[str, str, str]], cameras: pd.DataFrame) -> pd.DataFrame:
    """Findings from (entity_id, rule_id, outcome) with the interface's columns."""
    boroughs = dict(zip(cameras["camera_id"], cameras["borough_code"], strict=True))
    return pd.DataFrame(
        {
            "entity_id": [r[0] for r in rows],
            "entity_type": [
                "recording_system"
                if r[1] == "EX-03"
                else "control_room"
                if r[1] == "OP-01"
                else "camera"
                for r in rows
            ],
            "borough_code": [boroughs.get(r[0], "E09000001") for r in rows],
            "owner_type": "council",
            "control_room_id": "room-1",
            "rule_id": [r[1] for r in rows],
            "severity": [SEVERITY.get(r[1], "major") for r in rows],
            "outcome": [r[2] for r in rows],
            "message": "",
            "clause": "",
        }
    )


@pytest.fixture
def case() -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Six failing cameras and one compliant one (council: street, 125 px/m at 10 m).

    c1 1920 px at 81.2°: reach 1920/(250·tan 40.6°) = 8.96 m ≥ 0.8 x 10 → re_aim.
    c2 1920 px at 100°: reach 6.44 m < 8 m; needed HFOV 2·atan(1920/2500) = 75.05° ≥ 30 → lens.
    c3 analogue 704 px at 60°, fails 9 rules → replace_camera + replace_recorder.
    c4 TS-01 only → add_time_sync (50) beats replace_recorder (350).
    c5 TS-01 + EX-01 (IP) → add_time_sync + add_export_capability (170).
    c7 EX-03 (recording system) + ZZ-01 (no fix) → add_export_capability, partial.
    """
    cams = cameras_frame(
        make_camera("c1", hfov_deg=81.2),
        make_camera("c2", hfov_deg=100.0),
        make_camera(
            "c3",
            signal="analogue",
            resolution_h_px=704,
            resolution_v_px=576,
            fps=5.0,
            codec="mpeg4",
            time_sync="manual",
            retention_days=14,
        ),
        make_camera("c4", time_sync="manual"),
        make_camera("c5", time_sync="none"),
        make_camera("c6"),
        make_camera("c7"),
    )
    c3_rules = ["IQ-01", "IQ-02", "IQ-04", "TS-01", "RT-01", "EX-01", "IO-01", "IO-02", "IO-03"]
    rows = [
        ("c1", "IQ-01", "fail"),
        ("c1", "TS-01", "pass"),
        ("c2", "IQ-01", "fail"),
        *[("c3", r, "fail") for r in c3_rules],
        ("c4", "TS-01", "fail"),
        ("c4", "EX-02", "unknown"),
        ("c5", "TS-01", "fail"),
        ("c5", "EX-01", "fail"),
        ("c6", "IQ-01", "pass"),
        ("c7", "EX-03", "fail"),
        ("c7", "ZZ-01", "fail"),
        ("room-1", "OP-01", "fail"),
    ]
    return findings_frame(rows, cams), cams


def test_costs_use_the_cost_profile_at_the_price_base() -> None:
    costs = rem.fix_costs_gbp(A)
    assert costs["replace_camera"] == pytest.approx(CAMERA_GBP)
    assert costs["replace_camera"] == pytest.approx(6597.39, abs=0.01)
    assert costs[["re_aim", "change_lens", "add_time_sync"]].tolist() == [150.0, 600.0, 50.0]
    assert costs[["add_export_capability", "replace_recorder"]].tolist() == [120.0, 350.0]


def test_iq01_geometry_by_hand(case: tuple[pd.DataFrame, gpd.GeoDataFrame]) -> None:
    _, cams = case
    geo = rem.iq01_geometry(cams, STANDARD)
    assert geo["purpose"].iloc[0] == "street"
    assert geo["reach_wide_m"].iloc[0] == pytest.approx(1920 / (250 * np.tan(np.radians(40.6))))
    assert geo["reach_wide_m"].iloc[0] == pytest.approx(8.96, abs=0.01)
    assert geo["reach_wide_m"].iloc[1] == pytest.approx(6.44, abs=0.01)
    assert geo["needed_hfov_deg"].iloc[1] == pytest.approx(75.05, abs=0.01)
    app = rem.fix_applicability(cams, A, standard=STANDARD)
    assert app.loc[0, "re_aim"] and not app.loc[1, "re_aim"]
    assert app.loc[1, "change_lens"]
    assert not app.loc[2, ["re_aim", "change_lens", "add_export_capability"]].any()


def test_cheapest_bundles_by_hand(case: tuple[pd.DataFrame, gpd.GeoDataFrame]) -> None:
    findings, cams = case
    opts = rem.fix_options(findings, cams, A, standard=STANDARD)
    assert list(opts.columns) == list(rem.OPTION_COLUMNS)
    best = opts[opts["cheapest"]].set_index("camera_id")
    assert sorted(best.index) == ["c1", "c2", "c3", "c4", "c5", "c7"]  # c6 passes
    assert best["fixes"].to_dict() == {
        "c1": "re_aim",
        "c2": "change_lens",
        "c3": "replace_recorder+replace_camera",
        "c4": "add_time_sync",
        "c5": "add_time_sync+add_export_capability",
        "c7": "add_export_capability",
    }
    assert best["cost_gbp"].to_dict() == pytest.approx(
        {"c1": 150, "c2": 600, "c3": 350 + CAMERA_GBP, "c4": 50, "c5": 170, "c7": 120}
    )
    assert best.loc["c3", "weighted_rules_fixed"] == 2 + 2 + 1 + 2 + 3 + 3 + 1 + 2 + 1
    assert best.loc["c3", "rules_left"] == ""
    assert best.loc["c7", "rules_left"] == "ZZ-01"
    assert not best.loc["c7", "complete"]
    assert best.loc[["c1", "c2", "c3", "c4", "c5"], "complete"].all()
    # c4: replace_recorder fixes no more than add_time_sync at higher cost: dominated.
    assert opts[opts["camera_id"] == "c4"]["fixes"].tolist() == ["add_time_sync"]
    # c5: the two cheaper partial fixes stay listed as candidates.
    assert opts[opts["camera_id"] == "c5"]["fixes"].tolist() == [
        "add_time_sync",
        "add_export_capability",
        "add_time_sync+add_export_capability",
    ]
    # c1: re_aim (150), change_lens (600) and replace_camera all fix IQ-01; only re_aim stays.
    assert opts[opts["camera_id"] == "c1"]["fixes"].tolist() == ["re_aim"]


def test_plan_ranking_and_budget_by_hand(case: tuple[pd.DataFrame, gpd.GeoDataFrame]) -> None:
    findings, cams = case
    opts = rem.fix_options(findings, cams, A, standard=STANDARD)
    plan = rem.upgrade_plan(opts, findings)
    assert list(plan.columns) == list(rem.PLAN_COLUMNS)
    # benefit/£: c4 2/50 = .04, c5 5/170 = .0294, c7 2/120 = .0167, c1 2/150 = .0133,
    # c2 2/600 = .0033, c3 17/6947.39 = .0024.
    assert plan["camera_id"].tolist() == ["c4", "c5", "c7", "c1", "c2", "c3"]
    assert plan["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    assert plan["cumulative_cost_gbp"].tolist() == pytest.approx(
        [50, 220, 340, 490, 1090, 1090 + 350 + CAMERA_GBP]
    )
    assert plan["benefit_per_gbp"].iloc[1] == pytest.approx(5 / 170)
    assert plan["compliant_after"].tolist() == [True, True, False, True, True, True]

    summary = rem.plan_within_budget(plan, 1000.0)
    assert summary.cameras_fixed == 4
    assert summary.cost_gbp == pytest.approx(490.0)
    assert summary.cameras_made_compliant == 3
    assert dict(summary.rules_fixed_by_rule) == {"EX-01": 1, "EX-03": 1, "IQ-01": 1, "TS-01": 2}
    assert summary.benefit == pytest.approx(2 + 5 + 2 + 2)
    assert rem.plan_within_budget(plan, 1090.0).cameras_fixed == 5
    assert rem.plan_within_budget(plan, 49.99).cameras_fixed == 0
    assert rem.plan_within_budget(plan, 1e9).cameras_fixed == 6


def test_crime_weighting_reorders(case: tuple[pd.DataFrame, gpd.GeoDataFrame]) -> None:
    findings, cams = case
    opts = rem.fix_options(findings, cams, A, standard=STANDARD)
    density = pd.Series({"c1": 100.0, "c2": 1000.0, "c3": 10.0, "c4": 1.0, "c5": 1.0})
    plan = rem.upgrade_plan(opts, findings, crime_density=density)
    # c2 2000/600 = 3.33, c1 200/150 = 1.33, c4 .04, c5 .0294, c3 170/6947 = .0245, c7 0.
    assert plan["camera_id"].tolist() == ["c2", "c1", "c4", "c5", "c3", "c7"]
    assert plan["benefit"].iloc[0] == pytest.approx(2000.0)


def test_camera_crime_density() -> None:
    lsoas = gpd.GeoDataFrame(
        {"lsoa_code": ["L1", "L2"], "total": [100, 50]},
        geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 500)],
        crs=BNG,
    )
    cams = cameras_frame(
        make_camera("a", x_m=500.0, y_m=500.0),
        make_camera("b", x_m=1500.0, y_m=250.0),
        make_camera("c", x_m=5000.0, y_m=5000.0),
    )
    got = rem.camera_crime_density(cams, lsoas)
    assert got.to_dict() == pytest.approx({"a": 100.0, "b": 100.0, "c": 0.0})  # 50 / 0.5 km²
    lsoas["area_km2"] = [2.0, 1.0]
    plain = pd.DataFrame(cams.drop(columns="geometry"))
    assert rem.camera_crime_density(plain, lsoas).tolist() == [50.0, 50.0, 0.0]


def test_bad_findings_are_rejected(case: tuple[pd.DataFrame, gpd.GeoDataFrame]) -> None:
    findings, cams = case
    with pytest.raises(ValueError, match="lack columns"):
        rem.fix_options(findings.drop(columns="severity"), cams, A, standard=STANDARD)
    none_failed = findings.assign(outcome="pass")
    empty = rem.fix_options(none_failed, cams, A, standard=STANDARD)
    assert empty.empty and list(empty.columns) == list(rem.OPTION_COLUMNS)


RULES = [r for r in SEVERITY if r != "ZZ-01"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ip", "analogue"]),
            st.booleans(),
            st.sampled_from([704, 1280, 1920, 3840]),
            st.floats(20.0, 120.0),
            st.sampled_from(["council", "tfl", "private", "police"]),
            st.sets(st.sampled_from(RULES), min_size=1),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_properties(specs: list[tuple[str, bool, int, float, str, set[str]]]) -> None:
    cams = cameras_frame(
        *[
            make_camera(
                f"p{i}",
                signal=sig,
                ptz=ptz,
                ptz_max_zoom=20.0 if ptz else 1.0,
                resolution_h_px=n,
                hfov_deg=hfov,
                owner_type=owner,
            )
            for i, (sig, ptz, n, hfov, owner, _) in enumerate(specs)
        ]
    )
    rows = [(f"p{i}", r, "fail") for i, spec in enumerate(specs) for r in sorted(spec[5])]
    findings = findings_frame(rows, cams)
    opts = rem.fix_options(findings, cams, A, standard=STANDARD)
    best = opts[opts["cheapest"]].set_index("camera_id")
    assert len(best) == len(specs) and best["complete"].all()
    replace_only = {"IQ-01", "IQ-02", "IQ-03", "IQ-04", "IO-01", "IO-03"}
    for i, spec in enumerate(specs):
        if spec[5] <= replace_only:
            assert best.loc[f"p{i}", "cost_gbp"] <= CAMERA_GBP + 1e-9
        complete = opts[(opts["camera_id"] == f"p{i}") & opts["complete"]]
        assert best.loc[f"p{i}", "cost_gbp"] == pytest.approx(complete["cost_gbp"].min())
    plan = rem.upgrade_plan(opts, findings)
    assert np.all(np.diff(plan["cumulative_cost_gbp"].to_numpy()) > 0)
    assert np.all(np.diff(plan["benefit_per_gbp"].to_numpy()) <= 0)


def stand_in_findings(cams: pd.DataFrame) -> pd.DataFrame:
    """A simple stand-in for the compliance module: camera rules, fail or pass."""
    purposes = {"council": (125.0, 10.0), "police": (125.0, 10.0), "tfl": (25.0, 30.0)}
    ppm = cams["owner_type"].map(lambda o: purposes.get(o, (250.0, 5.0))[0])
    dist = cams["owner_type"].map(lambda o: purposes.get(o, (250.0, 5.0))[1])
    reach = detail_distance_m(cams["resolution_h_px"], cams["hfov_deg"], ppm)
    profiles = cams["onvif_profiles"].str.split(";")
    exports = cams["export_formats"].str.split(";")
    fails = {
        "IQ-01": reach < dist.to_numpy(),
        "IQ-02": cams["fps"] < 6,
        "IQ-03": cams["resolution_h_px"] < 704,
        "IQ-04": ~cams["codec"].isin(["h264", "h265"]),
        "TS-01": ~cams["time_sync"].isin(["ntp", "gps"]),
        "RT-01": cams["retention_days"] < 31,
        "EX-01": ~exports.map(lambda e: "mp4" in e or "onvif_export" in e),
        "IO-01": ~profiles.map(lambda p: "S" in p),
        "IO-02": ~profiles.map(lambda p: "G" in p),
        "IO-03": ~profiles.map(lambda p: "T" in p),
    }
    parts = [
        pd.DataFrame(
            {
                "entity_id": cams["camera_id"].to_numpy(),
                "entity_type": "camera",
                "borough_code": cams["borough_code"].to_numpy(),
                "owner_type": cams["owner_type"].to_numpy(),
                "control_room_id": cams["control_room_id"].to_numpy(),
                "rule_id": rule,
                "severity": SEVERITY[rule],
                "outcome": np.where(np.asarray(failed), "fail", "pass"),
                "message": "",
                "clause": "",
            }
        )
        for rule, failed in fails.items()
    ]
    return pd.concat(parts, ignore_index=True)


def test_london_smoke() -> None:
    from cctvscope.ingest.london import read_lsoa_crime
    from cctvscope.ingest.synthetic import build_london_estate

    estate = build_london_estate("london")
    cams = estate.cameras
    findings = stand_in_findings(cams)
    opts = rem.fix_options(findings, cams, A, standard=STANDARD, cost_items=estate.cost_items)
    assert opts.groupby("camera_id")["cheapest"].sum().eq(1).all()
    density = rem.camera_crime_density(cams, read_lsoa_crime())
    assert (density > 0).mean() > 0.95
    plan = rem.upgrade_plan(opts, findings, crime_density=density)
    assert len(plan) > 1000
    assert np.isfinite(plan[["cost_gbp", "benefit", "benefit_per_gbp"]].to_numpy()).all()
    assert np.all(np.diff(plan["benefit_per_gbp"].to_numpy()) <= 0)
    assert np.all(np.diff(plan["cumulative_cost_gbp"].to_numpy()) > 0)
    first = rem.plan_within_budget(plan, 1_000_000.0)
    assert 0 < first.cost_gbp <= 1_000_000.0
    assert first.cameras_fixed > 0 and sum(first.rules_fixed_by_rule.values()) > 0
