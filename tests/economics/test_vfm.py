"""Value for money on a tiny estate whose every figure is worked out by hand below."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from cctvscope.economics.vfm import (
    LONDON,
    SensitivityParameter,
    VfmInputs,
    london_metric,
    one_at_a_time,
    sensitivity_parameters,
    vfm_inputs,
    vfm_table,
)
from cctvscope.model import Contract, CostItem, EvidenceStats
from cctvscope.model.assumptions import read_assumptions
from cctvscope.model.frames import records_to_frame, with_points
from tests.conftest import make_camera

AF = 0.035 / (1 - 1.035**-10)  # annuity factor, 3.5 %, 10 years = 0.120241368


@pytest.fixture
def estate(tiny_estate):
    """Borough A: 2 council cameras (a1, a2; a3 is private), contracts £3,000 + £1,000,
    100 requests at 45 % available. Borough B: 1 council camera (b2; b1 is TfL), no
    contracts (falls back to £500 per camera-year), 20 requests at 50 %."""
    cams = pd.concat(
        [
            tiny_estate.cameras,
            with_points(
                records_to_frame(
                    type(make_camera("x")), [make_camera("b2", "E09000002", 501_600, 180_600)]
                )
            ),
        ],
        ignore_index=True,
    )
    contracts = [
        Contract(
            contract_id=f"k{i}",
            borough_code="E09000001",
            category=cat,
            supplier="S",
            annual_value_gbp=v,
            start_date=dt.date(2023, 1, 1),
            end_date=dt.date(2027, 1, 1),
            provenance="synthetic",
        )
        for i, (cat, v) in enumerate([("maintenance", 3000.0), ("transmission", 1000.0)])
    ]
    evidence = [
        EvidenceStats(
            borough_code="E09000001",
            year=2021,
            requests_per_year=100,
            footage_available_share=0.45,
            retrieval_model="officer_attends",
            provenance="synthetic",
        ),
        EvidenceStats(
            borough_code="E09000002",
            year=2021,
            requests_per_year=20,
            footage_available_share=0.5,
            retrieval_model="digital_transfer",
            provenance="synthetic",
        ),
    ]
    costs = [
        CostItem(
            profile="test",
            item="camera_installation",
            value_gbp=5000.0,
            per="camera",
            price_base_year=2024,
            source="t",
        ),
        CostItem(
            profile="test",
            item="camera_running",
            value_gbp=500.0,
            per="camera-year",
            price_base_year=2024,
            source="t",
        ),
    ]
    return tiny_estate.replace_tables(
        cameras=cams,
        contracts=records_to_frame(Contract, contracts),
        evidence_stats=records_to_frame(EvidenceStats, evidence),
        cost_items=records_to_frame(CostItem, costs),
    )


def test_inputs_from_estate_and_assumptions(estate):
    inputs = vfm_inputs(estate, read_assumptions())
    assert inputs.installation_gbp_per_camera == 5000.0  # already at the 2024 price base
    assert inputs.running_gbp_per_camera_year == 500.0
    assert inputs.camera_lifetime_years == 10
    assert inputs.discount_rate == 0.035
    uplifted = vfm_inputs(
        estate.replace_tables(cost_items=estate.cost_items.assign(price_base_year=2023)),
        read_assumptions(),
    )
    assert uplifted.installation_gbp_per_camera == pytest.approx(5100.0)  # 2 % uplift, one year


def test_hand_worked_table(estate):
    inputs = VfmInputs(5000.0, 500.0, 10, 0.035)
    t = vfm_table(estate, inputs).set_index("gss_code")
    a, b, london = t.loc["E09000001"], t.loc["E09000002"], t.loc[LONDON]
    assert a["revenue_basis"] == "contracts"
    assert b["revenue_basis"] == "unit cost"
    assert a["annual_cost_gbp"] == pytest.approx(4000 + 2 * 5000 * AF)  # 5,202.41
    assert a["cost_per_camera_gbp_per_year"] == pytest.approx((4000 + 2 * 5000 * AF) / 2)
    assert b["annual_cost_gbp"] == pytest.approx(500 + 5000 * AF)  # 1,101.21
    assert a["evidential_exports_per_year"] == pytest.approx(45)
    assert b["cost_per_evidential_export_gbp"] == pytest.approx((500 + 5000 * AF) / 10)
    total = 4500 + 3 * 5000 * AF
    assert london["annual_cost_gbp"] == pytest.approx(total)
    assert london["cost_per_evidential_export_gbp"] == pytest.approx(total / 55)
    # Without the coverage engine's inputs the dependent ratios are missing, not invented.
    assert math.isnan(london["cost_per_crime_in_coverage_gbp"])
    assert math.isnan(london["cost_per_detected_incident_gbp"])


def test_coverage_ratios(estate):
    cover = pd.DataFrame(
        {"detect": [0.5, 0.25], "recognise": [0.1, 0.0]}, index=["E09000001", "E09000002"]
    )
    crimes = pd.Series({"E09000001": 10.0, "E09000002": 0.0})
    t = vfm_table(
        estate, VfmInputs(5000.0, 500.0, 10, 0.035), coverage_km2=cover, crimes_in_coverage=crimes
    )
    t = t.set_index("gss_code")
    a_cost = 4000 + 2 * 5000 * AF
    assert t.loc["E09000001", "cost_per_km2_detect_gbp_per_year"] == pytest.approx(a_cost / 0.5)
    assert math.isnan(t.loc["E09000002", "cost_per_km2_recognise_gbp_per_year"])  # nothing covered
    assert t.loc[LONDON, "covered_km2_detect"] == pytest.approx(0.75)
    assert t.loc["E09000001", "cost_per_crime_in_coverage_gbp"] == pytest.approx(a_cost / 10)


def test_one_at_a_time(estate):
    inputs = VfmInputs(5000.0, 500.0, 10, 0.035)
    params = [
        SensitivityParameter("contract values", "contract_value_factor", 0.8, 1.2, "×"),
        SensitivityParameter("installation cost", "installation_gbp_per_camera", 4000, 6000, "£"),
    ]
    out = one_at_a_time(estate, inputs, params, {"cost": london_metric("annual_cost_gbp")})
    base = 4500 + 3 * 5000 * AF
    row = out.set_index("parameter").loc["contract values"]
    assert row["base"] == pytest.approx(base)
    assert row["at_low"] == pytest.approx(base - 0.2 * 4000)  # only A's contracts scale
    assert row["swing"] == pytest.approx(0.4 * 4000)  # 1,600
    inst = out.set_index("parameter").loc["installation cost"]
    assert inst["swing"] == pytest.approx(3 * 2000 * AF)  # 721.45
    assert out["parameter"].tolist() == [
        "contract values",
        "installation cost",
    ]  # largest swing first
    with pytest.raises(KeyError, match="not a VFM input"):
        one_at_a_time(
            estate,
            inputs,
            [SensitivityParameter("x", "nope", 0, 1, "")],
            {"c": london_metric("annual_cost_gbp")},
        )


def test_useful_footage_low_case_replaces_the_recorded_share(estate):
    """The synthetic estate records Ashby's useful share (0.65 ≈ 29/45) as each borough's
    footage_available_share; the tornado's low case (29/45 = 0.644) must replace it, not
    multiply it. The old code path gave 120 × 0.65 × 0.644 = 50.23 exports a year at the
    low case (the same ratio counted twice); each ratio once gives 120 × 0.644 = 77.28."""
    ashby = estate.replace_tables(
        evidence_stats=estate.evidence_stats.assign(footage_available_share=0.65)
    )
    inputs = VfmInputs(5000.0, 500.0, 10, 0.035)
    params = sensitivity_parameters(inputs, read_assumptions())
    useful = next(p for p in params if p.name == "useful footage share")
    assert (useful.field, useful.low, useful.high) == ("footage_useful_share", 0.644, 1.0)
    exports = london_metric("evidential_exports_per_year")
    out = one_at_a_time(ashby, inputs, [useful], {"exports": exports}).iloc[0]
    assert out["base"] == pytest.approx(120 * 0.65)  # 78: the recorded share, once
    assert out["at_low"] == pytest.approx(120 * 0.644)  # 77.28, not 50.23
    assert out["at_low"] != pytest.approx(120 * 0.65 * 0.644)
    assert out["at_high"] == pytest.approx(120.0)
    # Base case: each borough's own recorded share (100 × 0.45 + 20 × 0.5 = 55 in the fixture).
    assert exports(vfm_table(estate, inputs)) == pytest.approx(55.0)
