"""Compliance summaries on a tiny estate worked out by hand, strict mode, London smoke."""

from __future__ import annotations

import math

import pytest

from cctvscope.model import Estate
from cctvscope.standards import (
    REGION_ROW,
    ComplianceError,
    ComplianceResult,
    assess_compliance,
    read_standard,
)
from cctvscope.standards.compliance import FINDING_COLUMNS, UNMONITORED
from tests.conftest import make_camera
from tests.standards.test_checks import estate_with, room

GOOD = {"hfov_deg": 30.0, "onvif_profiles": ("S", "G", "T"), "control_room_id": "R1"}


@pytest.fixture
def hand_estate(tiny_estate: Estate) -> Estate:
    """Four in-service cameras, every rule passing except where noted, plus one decommissioned.

    a1 (A): exports not declared → EX-01, EX-02 unknown; otherwise passes → compliant.
    a2 (A): retention 7 → RT-01 fail (critical).
    a3 (A, private): exports native only → EX-01 fail (critical).
    b1 (B, tfl): retention 10 → RT-01 fail; no control room → OP-01 unknown.
    d1 (A): decommissioned, fails everything, excluded.
    """
    cams = [
        make_camera("a1", "E09000001", **GOOD),
        make_camera("a2", "E09000001", retention_days=7, export_formats=("native", "mp4"), **GOOD),
        make_camera("a3", "E09000001", owner_type="private", export_formats=("native",), **GOOD),
        make_camera(
            "b1",
            "E09000002",
            owner_type="tfl",
            retention_days=10,
            export_formats=("native", "mp4"),
            hfov_deg=30.0,
            onvif_profiles=("S", "G", "T"),
        ),
        make_camera(
            "d1", "E09000001", status="decommissioned", retention_days=0, fps=1.0, time_sync="none"
        ),
    ]
    return estate_with(tiny_estate, cams, [room("R1", 24, 2)])


@pytest.fixture
def result(hand_estate: Estate) -> ComplianceResult:
    return assess_compliance(hand_estate, read_standard(), cop_scores={"E09000001": 0.9})


def row(result: ComplianceResult, borough: str, rule_id: str) -> dict[str, object]:
    table = result.by_borough_rule
    match = table.loc[(table["borough_code"] == borough) & (table["rule_id"] == rule_id)]
    assert len(match) == 1
    return match.iloc[0].to_dict()


def test_label_and_findings_columns(result: ComplianceResult) -> None:
    assert result.standard_label == "london-cctv v1.0"
    assert tuple(result.findings.columns) == FINDING_COLUMNS
    # 4 cameras x 13 camera-assessed rules + 2 boroughs for CoP
    assert len(result.findings) == 4 * 13 + 2
    assert "d1" not in set(result.findings["entity_id"])
    rt = result.findings.loc[result.findings["rule_id"] == "RT-01"].set_index("camera_id")
    assert rt.loc["a2", "clause"].startswith("HO/ACPO")
    assert rt.loc["a2", "severity"] == "critical"
    assert rt.loc["a2", "control_room_id"] == "R1"


def test_per_camera_table(result: ComplianceResult) -> None:
    cams = result.cameras.set_index("camera_id")
    assert list(cams.index) == ["a1", "a2", "a3", "b1"]
    assert "CoP" not in cams.columns
    assert cams.loc["a1", "EX-01"] == "unknown"
    assert cams["rules_failed"].to_dict() == {"a1": 0, "a2": 1, "a3": 1, "b1": 1}
    assert cams["critical_failed"].to_dict() == {"a1": 0, "a2": 1, "a3": 1, "b1": 1}
    # a1: EX-01, EX-02 (no export formats declared) and EX-03 unknown; b1: EX-03 and OP-01
    assert cams.loc["a1", "rules_unknown"] == 3
    assert cams.loc["b1", "rules_unknown"] == 2
    assert cams["compliant"].to_dict() == {"a1": True, "a2": False, "a3": False, "b1": False}
    assert result.share_compliant == pytest.approx(1 / 4)


def test_shares_by_borough_and_region(result: ComplianceResult) -> None:
    # RT-01: A passes a1, a3, fails a2 → 2/3; B fails b1 → 0; London 2/4
    assert row(result, "E09000001", "RT-01") == {
        "borough_code": "E09000001",
        "rule_id": "RT-01",
        "severity": "critical",
        "applies_to": "camera",
        "assessed": 3,
        "passed": 2,
        "failed": 1,
        "unknown": 0,
        "share_passed": pytest.approx(2 / 3),
    }
    assert row(result, "E09000002", "RT-01")["share_passed"] == 0.0
    assert row(result, REGION_ROW, "RT-01")["share_passed"] == pytest.approx(0.5)
    # EX-01: A: a1 unknown, a2 pass, a3 fail → 1/2; London: b1 pass → 2/3, one unknown
    ex_a = row(result, "E09000001", "EX-01")
    assert (ex_a["passed"], ex_a["failed"], ex_a["unknown"]) == (1, 1, 1)
    assert ex_a["share_passed"] == pytest.approx(0.5)
    assert row(result, REGION_ROW, "EX-01")["share_passed"] == pytest.approx(2 / 3)
    # EX-03 all unknown → NaN share
    assert math.isnan(float(row(result, REGION_ROW, "EX-03")["share_passed"]))  # type: ignore[arg-type]
    # CoP: A scored 0.9 ≥ 0.75, B has no score
    cop = row(result, REGION_ROW, "CoP")
    assert (cop["assessed"], cop["passed"], cop["unknown"]) == (2, 1, 1)
    assert cop["share_passed"] == 1.0
    # region rows come last, one per rule
    table = result.by_borough_rule
    assert (table.tail(14)["borough_code"] == REGION_ROW).all()
    london = result.london_by_rule.set_index("rule_id")
    assert list(london.index) == list(read_standard().rule_ids)
    assert london.loc["RT-01", "share_passed"] == pytest.approx(0.5)
    assert london.loc["OP-01", "unknown"] == 1


def test_by_room(result: ComplianceResult) -> None:
    rooms = result.by_room.set_index("control_room_id")
    assert rooms.loc["R1", "cameras"] == 3
    assert rooms.loc["R1", "compliant"] == 1
    assert rooms.loc["R1", "share_compliant"] == pytest.approx(1 / 3)
    assert rooms.loc["R1", "RT-01"] == pytest.approx(2 / 3)
    assert rooms.loc[UNMONITORED, "cameras"] == 1
    assert math.isnan(rooms.loc[UNMONITORED, "OP-01"])


def test_another_standard_gives_other_results(hand_estate: Estate) -> None:
    national = assess_compliance(hand_estate, read_standard("national-minimum-v1"))
    assert national.standard_label == "national-minimum v1.0"
    # retention 7 and 10 days meet the 7-day minimum
    assert national.london_by_rule.set_index("rule_id").loc["RT-01", "share_passed"] == 1.0


def test_strict_raises_listing_failures(hand_estate: Estate) -> None:
    with pytest.raises(ComplianceError) as info:
        assess_compliance(hand_estate, read_standard(), strict=True)
    err = info.value
    assert err.counts == {"RT-01": 2, "EX-01": 1}
    assert "RT-01: 2 failed (a2, b1)" in str(err)
    assert "EX-01: 1 failed (a3)" in str(err)
    assert str(err).startswith("london-cctv v1.0: 3 failures")


def test_strict_passes_with_only_unknowns(tiny_estate: Estate) -> None:
    estate = estate_with(tiny_estate, [make_camera("a1", **GOOD)], [room("R1", 24, 1)])
    result = assess_compliance(estate, read_standard(), strict=True)
    assert result.cameras["compliant"].all()


def test_cop_scores_must_be_shares(hand_estate: Estate) -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        assess_compliance(hand_estate, read_standard(), cop_scores={"E09000001": 75})


@pytest.mark.slow
def test_london_demo_estate_smoke() -> None:
    from cctvscope.ingest.synthetic import build_london_estate

    estate = build_london_estate()
    # Speed is measured in benchmarks/, never asserted here (it flakes on a loaded machine).
    result = assess_compliance(estate, read_standard())
    assert (
        len(result.cameras) == (~estate.cameras["status"].isin(["decommissioned", "planned"])).sum()
    )
    shares = result.by_borough_rule["share_passed"].dropna()
    assert ((shares >= 0) & (shares <= 1)).all()
    assert set(result.by_borough_rule["borough_code"]) >= {REGION_ROW}
    assert 0 <= result.share_compliant <= 1
    counts = result.london_by_rule
    assert (counts["assessed"] == counts["passed"] + counts["failed"] + counts["unknown"]).all()
