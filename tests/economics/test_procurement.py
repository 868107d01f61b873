from __future__ import annotations

import datetime as dt
import doctest
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cctvscope.economics.procurement as procurement_module
from cctvscope.economics.procurement import (
    CATEGORIES,
    FrameworkParameters,
    VolumeDiscountCurve,
    aggregation_savings,
    borough_join_dates,
    call_off_timeline,
    framework_analysis,
    months_between,
    propose_lots,
    tendering_profile,
)
from cctvscope.errors import DataError
from cctvscope.ingest.synthetic import build_london_estate
from cctvscope.model.assumptions import read_assumptions
from cctvscope.model.entities import Contract
from cctvscope.model.frames import records_to_frame
from cctvscope.reporting.charts.framework import (
    SAVINGS_TITLE,
    TIMELINE_TITLE,
    framework_savings_chart,
    framework_timeline_chart,
)

A, B, C = "E09000001", "E09000002", "E09000003"
D = dt.date

# Curve: (0, 0) (100k, 0.02) (300k, 0.06) (1m, 0.10), capped at 0.09.
CURVE = VolumeDiscountCurve((0.0, 100e3, 300e3, 1e6), (0.0, 0.02, 0.06, 0.10), cap=0.09)
PARAMS = FrameworkParameters(
    cost_per_tender_gbp=20_000.0,
    cost_per_call_off_gbp=4_000.0,
    framework_procurement_cost_gbp=100_000.0,
    framework_term_years=4.0,
    curve=CURVE,
    lot_split_threshold_gbp=250_000.0,
    framework_start=D(2025, 4, 1),
    window_months=6,
)


def contract(cid, borough, category, supplier, value, start, end):
    return Contract(
        contract_id=cid,
        borough_code=borough,
        category=category,
        supplier=supplier,
        annual_value_gbp=value,
        start_date=start,
        end_date=end,
        provenance="synthetic",
    )


@pytest.fixture
def register() -> pd.DataFrame:
    """Three boroughs; A Inner, B and C Outer London.

    maintenance: A 100k (4 y, ends 2025-04-01), B 50k (3 y, ends 2025-12-15),
    C 150k (5 y, ends 2024-10-01, before the framework starts);
    equipment_supply: A 400k (4 y, ends 2026-04-01), B 800k (4 y, ends 2026-07-01),
    both Supplier S3; vms_software: A only, 30k (5 y, ends 2028-04-01).
    Nobody buys transmission or monitoring staff.
    """
    records = [
        contract("m-A", A, "maintenance", "S1", 100e3, D(2021, 4, 1), D(2025, 4, 1)),
        contract("m-B", B, "maintenance", "S1", 50e3, D(2022, 12, 15), D(2025, 12, 15)),
        contract("m-C", C, "maintenance", "S2", 150e3, D(2019, 10, 1), D(2024, 10, 1)),
        contract("e-A", A, "equipment_supply", "S3", 400e3, D(2022, 4, 1), D(2026, 4, 1)),
        contract("e-B", B, "equipment_supply", "S3", 800e3, D(2022, 7, 1), D(2026, 7, 1)),
        contract("v-A", A, "vms_software", "S4", 30e3, D(2023, 4, 1), D(2028, 4, 1)),
    ]
    return records_to_frame(Contract, records)


@pytest.fixture
def boroughs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gss_code": [A, B, C],
            "name": ["Alpha", "Beta", "Gamma"],
            "inner_outer": ["Inner", "Outer", "Outer"],
        }
    )


def test_doctests_pass():
    result = doctest.testmod(procurement_module, raise_on_error=False)
    assert result.attempted >= 3
    assert result.failed == 0


# --- curve -----------------------------------------------------------------------------


def test_curve_interpolates_and_caps():
    # d(50k) = 0.01; d(150k) = 0.02 + 50/200·0.04 = 0.03; d(400k) = 0.06 + 100/700·0.04;
    # d(1.2m) = 0.10 flat beyond the last point, capped at 0.09.
    got = CURVE.discount([0.0, 50e3, 150e3, 400e3, 1.2e6])
    np.testing.assert_allclose(got, [0.0, 0.01, 0.03, 0.06 + 0.04 / 7, 0.09])
    assert CURVE.is_monotone


@pytest.mark.parametrize(
    ("xs", "ys", "cap"),
    [((0.0,), (0.0,), 0.1), ((0.0, 0.0), (0.0, 0.1), 0.1), ((0.0, 1.0), (0.0, 1.5), 0.1)],
)
def test_curve_rejects_bad_tables(xs, ys, cap):
    with pytest.raises(DataError):
        VolumeDiscountCurve(xs, ys, cap)


def test_parameters_from_bundled_file():
    params = FrameworkParameters.from_assumptions(read_assumptions())
    section = read_assumptions().section("economics_framework")
    assert all(a.status == "assumption" and a.source == "assumption" for a in section.values())
    # money entries are in 2024 prices, the price base year, so no uplift
    assert params.cost_per_tender_gbp == 25_000.0
    assert params.cost_per_call_off_gbp == 5_000.0
    assert params.framework_start == D(2025, 4, 1)
    assert params.window_months == 6
    assert params.curve.is_monotone
    assert params.curve.discount(1e9).item() <= params.curve.cap


# --- tendering profile -------------------------------------------------------------------


def test_months_between_counts_whole_months():
    # 2025-12-15 -> 2026-04-01: 12·1 + (4 − 12) − 1 (day 1 < 15) = 3
    got = months_between(pd.Series([D(2025, 12, 15)]), pd.Series([D(2026, 4, 1)]))
    assert got.tolist() == [3]


def test_tendering_profile_hand_numbers(register):
    p = tendering_profile(register, PARAMS)
    assert list(p.index) == list(CATEGORIES)
    m = p.loc["maintenance"]
    # 3 boroughs, 3 contracts, suppliers S1 and S2; 100k + 50k + 150k = 300k
    assert (m["boroughs"], m["contracts"], m["suppliers"]) == (3, 3, 2)
    assert m["annual_value_gbp"] == 300e3
    # terms 4, 3, 5 years -> mean 4; 3 contracts / 4 years = 0.75 tenders a year × £20k
    assert m["mean_term_years"] == pytest.approx(4.0)
    assert m["tenders_per_year"] == pytest.approx(0.75)
    assert m["procurement_cost_gbp_per_year"] == pytest.approx(15_000.0)
    e = p.loc["equipment_supply"]
    assert (e["boroughs"], e["contracts"], e["suppliers"]) == (2, 2, 1)
    assert e["tenders_per_year"] == pytest.approx(0.5)  # 2 / 4
    assert p.loc["vms_software", "tenders_per_year"] == pytest.approx(0.2)  # 1 / 5
    nobody = p.loc[["transmission", "monitoring_staff"]]
    assert (nobody[["boroughs", "contracts", "tenders_per_year"]] == 0).all().all()


def test_tendering_profile_reports_missing_columns(register):
    with pytest.raises(DataError, match="end_date"):
        tendering_profile(register.drop(columns=["end_date"]), PARAMS)


# --- savings -------------------------------------------------------------------------------


def test_aggregation_savings_hand_numbers(register):
    s = aggregation_savings(register, PARAMS)
    m = s.loc["maintenance"]
    # own: (100k·0.02 + 50k·0.01 + 150k·0.03) / 300k = 7,000 / 300k
    assert m["own_discount"] == pytest.approx(7_000 / 300e3)
    assert m["pooled_discount"] == pytest.approx(0.06)  # d(300k)
    assert m["price_saving_gbp_per_year"] == pytest.approx(300e3 * 0.06 - 7_000)  # 11,000
    # 0.75·20k − (100k/4 + 0.75·4k) = 15,000 − 28,000
    assert m["tender_saving_gbp_per_year"] == pytest.approx(-13_000.0)
    assert m["tenders_avoided_per_year"] == pytest.approx(0.5)  # 0.75 − 1/4
    assert m["annual_saving_gbp"] == pytest.approx(-2_000.0)
    e = s.loc["equipment_supply"]
    # own: 400k·(0.06 + 0.04/7) + 800k·(0.06 + 0.2/7) = 97,142.86; pooled d(1.2m) = cap 0.09
    own_gbp = 400e3 * (0.06 + 0.04 / 7) + 800e3 * (0.06 + 0.2 / 7)
    assert e["price_saving_gbp_per_year"] == pytest.approx(108_000 - own_gbp)  # 10,857.14
    assert e["tender_saving_gbp_per_year"] == pytest.approx(10_000 - 27_000)


def test_single_borough_category_saves_nothing(register):
    v = aggregation_savings(register, PARAMS).loc["vms_software"]
    assert not v["pooled"]
    assert v["price_saving_gbp_per_year"] == 0.0
    assert v["tender_saving_gbp_per_year"] == 0.0
    assert v["tenders_avoided_per_year"] == 0.0


def test_savings_with_lots_use_lot_volumes(register, boroughs):
    lots = propose_lots(register, boroughs, PARAMS)
    s = aggregation_savings(register, PARAMS, lots=lots)
    # maintenance split: Inner A 100k (d 0.02), Outer B+C 200k (d 0.04):
    # pooled = (2,000 + 8,000) / 300k; saving = 10,000 − 7,000
    assert s.loc["maintenance", "price_saving_gbp_per_year"] == pytest.approx(3_000.0)
    # equipment split into one-borough lots: no volume is pooled, no price saving
    assert s.loc["equipment_supply", "price_saving_gbp_per_year"] == pytest.approx(0.0)


# --- lots ----------------------------------------------------------------------------------


def test_propose_lots(register, boroughs):
    lots = propose_lots(register, boroughs, PARAMS)
    # maintenance 300k and equipment 1.2m exceed the 250k threshold: Inner/Outer each;
    # vms_software (one borough) gets no lot
    assert lots["lot_id"].tolist() == ["L1", "L2", "L3", "L4"]
    assert lots["category"].tolist() == ["maintenance"] * 2 + ["equipment_supply"] * 2
    assert lots["area"].tolist() == ["Inner London", "Outer London"] * 2
    assert lots["borough_codes"].tolist() == [A, f"{B};{C}", A, B]
    assert lots["annual_value_gbp"].tolist() == [100e3, 200e3, 400e3, 800e3]
    np.testing.assert_allclose(lots["lot_discount"], [0.02, 0.04, 0.06 + 0.04 / 7, 0.06 + 0.2 / 7])
    assert lots["pcd218_lot"].tolist() == ["none", "none", "Lot 3", "Lot 3"]


def test_lots_below_threshold_are_london_wide(register, boroughs):
    params = replace(PARAMS, lot_split_threshold_gbp=5e6)
    lots = propose_lots(register, boroughs, params)
    assert lots["area"].tolist() == ["London-wide", "London-wide"]
    assert lots["boroughs"].tolist() == [3, 2]


def test_lots_reject_unknown_borough(register, boroughs):
    with pytest.raises(DataError, match="E09000003"):
        propose_lots(register, boroughs[boroughs["gss_code"] != C], PARAMS)


# --- timeline ------------------------------------------------------------------------------


def test_call_off_timeline_hand_windows(register):
    t = call_off_timeline(register, framework_start=D(2025, 4, 1), window_months=6).set_index(
        "contract_id"
    )
    # windows: k0 2025-04-01, k1 2025-10-01, k2 2026-04-01, k3 2026-10-01, ... k6 2028-04-01
    expected = {
        "m-A": (0, D(2025, 4, 1), 0),  # ends on the first window
        "m-B": (2, D(2026, 4, 1), 3),  # 2025-12-15 -> next window, 3 whole months
        "m-C": (0, D(2025, 4, 1), 6),  # ended before the start: first window, 6 months' gap
        "e-A": (2, D(2026, 4, 1), 0),
        "e-B": (3, D(2026, 10, 1), 3),
        "v-A": (6, D(2028, 4, 1), 0),
    }
    for cid, (k, join, wait) in expected.items():
        row = t.loc[cid]
        assert (row["window_index"], row["join_date"], row["waiting_months"]) == (k, join, wait)
    joined = t.groupby("borough_code")["borough_joined_date"].first()
    assert joined.to_dict() == {A: D(2028, 4, 1), B: D(2026, 10, 1), C: D(2025, 4, 1)}
    per_borough = borough_join_dates(t.reset_index())
    assert per_borough["borough_code"].tolist() == [C, B, A]


def test_call_off_timeline_rejects_zero_window(register):
    with pytest.raises(DataError):
        call_off_timeline(register, framework_start=D(2025, 4, 1), window_months=0)


# --- properties ----------------------------------------------------------------------------

volumes = st.lists(st.floats(min_value=0.0, max_value=5e6), min_size=1, max_size=8)


@st.composite
def monotone_curves(draw: st.DrawFn) -> VolumeDiscountCurve:
    steps = draw(st.lists(st.floats(min_value=1e3, max_value=2e6), min_size=1, max_size=5))
    rises = draw(st.lists(st.floats(0.0, 0.05), min_size=len(steps), max_size=len(steps)))
    xs = np.concatenate([[0.0], np.cumsum(steps)])
    ys = np.concatenate([[0.0], np.cumsum(rises)])
    return VolumeDiscountCurve(tuple(xs), tuple(ys), cap=draw(st.floats(0.0, 0.3)))


def _register(values: list[float]) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame(
        {
            "contract_id": [f"c{i}" for i in range(n)],
            "borough_code": [f"E090000{i + 1:02d}" for i in range(n)],
            "category": "maintenance",
            "supplier": "S",
            "annual_value_gbp": values,
            "start_date": D(2022, 4, 1),
            "end_date": D(2026, 4, 1),
        }
    )


@settings(max_examples=60, deadline=None)
@given(curve=monotone_curves(), values=volumes, extra=st.floats(0.0, 5e6))
def test_price_savings_non_negative_and_monotone_in_volume(curve, values, extra):
    before = aggregation_savings(_register(values), PARAMS, curve=curve)
    after = aggregation_savings(_register([*values, extra]), PARAMS, curve=curve)
    saving = before.loc["maintenance", "price_saving_gbp_per_year"]
    assert saving >= -1e-6
    # another borough joining adds volume: d(V + w) ≥ d(V) and ≥ d(w)
    assert after.loc["maintenance", "price_saving_gbp_per_year"] >= saving - 1e-6
    assert (after["pooled_discount"] >= after["own_discount"] - 1e-12).all()


# --- London demo estate -----------------------------------------------------------------


@pytest.fixture(scope="module")
def london() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    estate = build_london_estate("london")
    return estate.boroughs, estate.contracts


def test_london_framework(london, tmp_path):
    boroughs, contracts = london
    result = framework_analysis(contracts, boroughs, read_assumptions())
    assert len(result.profile) == 5
    assert (result.profile["boroughs"] == 33).all()
    assert result.timeline["borough_code"].nunique() == 33
    assert len(borough_join_dates(result.timeline)) == 33
    assert (result.timeline["join_date"] >= D(2025, 4, 1)).all()
    assert (result.timeline["waiting_months"] >= 0).all()
    assert (result.savings["price_saving_gbp_per_year"] >= 0).all()
    assert result.annual_savings_gbp == pytest.approx(result.savings["annual_saving_gbp"].sum())
    assert result.tenders_avoided_per_year > 0
    table = result.table()
    assert len(table) == 5
    assert table["lots"].sum() == len(result.lots)
    svg = framework_timeline_chart(
        result.timeline, tmp_path / "framework_timeline.svg", framework_start=result.framework_start
    ).read_text(encoding="utf-8")
    assert TIMELINE_TITLE in svg
    assert "Westminster" in svg
    assert "Source:" in svg
    bars = framework_savings_chart(result.savings, tmp_path / "framework_savings.svg")
    assert SAVINGS_TITLE in bars.read_text(encoding="utf-8")
