"""Headline figures' ranges on small inputs, every bound worked out by hand."""

from __future__ import annotations

import math
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from cctvscope.economics.costs import green_book_discount_factors
from cctvscope.economics.evidence_ops import (
    MODELS,
    TABLE_COLUMNS,
    evidence_ops_at_share,
    evidence_ops_savings,
)
from cctvscope.model.assumptions import read_assumptions
from cctvscope.model.estate import Estate
from cctvscope.optimisation.control_rooms import ConsolidationOption
from cctvscope.workflows.economics import EconomicsParts
from cctvscope.workflows.guide import GuideInputs
from cctvscope.workflows.headline_figures import headline_figures
from cctvscope.workflows.headline_ranges import (
    DETECTION_FORMS,
    combine,
    detection_factors,
    npv_at,
)


def test_combine_adds_each_sides_deviations_in_quadrature() -> None:
    got = combine(100.0, [("a", 90.0, 120.0), ("b", 105.0, 95.0), ("c", 100.0, 100.0)], "w")
    assert got.low == pytest.approx(100 - math.sqrt(10**2 + 5**2))  # 88.82
    assert got.high == pytest.approx(100 + math.sqrt(20**2 + 5**2))  # 120.62
    assert got.drivers == "a, b (w; one at a time, combined in quadrature)"  # c does not move
    still = combine(7.0, [("c", 7.0, 7.0)], "w")
    assert (still.low, still.high) == (7.0, 7.0)
    assert still.drivers == "its assumptions' ranges (w) do not move it"


def _option(one_off: float, saving: float, npv: float) -> ConsolidationOption:
    return ConsolidationOption(
        room_count=2,
        status="optimal",
        open_rooms=("r1", "r2"),
        assignment={},
        backup={},
        annual_cost_gbp_per_year=0.0,
        one_off_gbp=one_off,
        annual_saving_gbp_per_year=saving,
        npv_gbp=npv,
        payback_year=None,
        gap=None,
        seconds=0.0,
        solver="test",
        room_xy_m={},
        room_names={},
    )


def test_npv_at_a_flat_rate() -> None:
    option = _option(1000.0, 200.0, 0.0)
    # -1000 + 200 (1/1.05 + 1/1.05² + 1/1.05³) = -1000 + 200 × 2.7232480 = -455.3504
    assert npv_at(option, 3, 0.05) == pytest.approx(-455.3504, abs=1e-4)
    # At 3.5 % it is the Green Book NPV (one band to year 30), computed a second way.
    factors = green_book_discount_factors(np.arange(11), [(30.0, 0.035)])
    flows = np.array([-1000.0] + [200.0] * 10)
    assert npv_at(option, 10, 0.035) == pytest.approx(float(np.sum(flows * factors)))


def _monitoring(today: float, low: float, high: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "room_id": ["r1", "r2"],
            "detections_per_year_status_quo": [today / 2, today / 2],
            "detections_per_year_status_quo_low": [low / 2, low / 2],
            "detections_per_year_status_quo_high": [high / 2, high / 2],
            "screens_per_operator": [16.0, 16.0],
            "detection_extrapolated": [True, True],
        }
    )


def test_detection_factors_sum_over_rooms() -> None:
    assert detection_factors(_monitoring(10.0, 5.84, 13.04)) == pytest.approx((0.584, 1.304))
    assert detection_factors(None) is None
    assert detection_factors(pd.DataFrame({"detections_per_year_status_quo": [1.0]})) is None


def _economics(sensitivity: pd.DataFrame) -> EconomicsParts:
    vfm = pd.DataFrame(
        {
            "gss_code": ["LONDON"],
            "annual_cost_gbp": [1000.0],
            "cost_per_detected_incident_gbp": [100.0],  # 1,000 / 10 detections
        }
    )
    return EconomicsParts(
        vfm=vfm,
        sensitivity=sensitivity,
        coverage=gpd.GeoDataFrame(),
        evidence_ops=None,
        evidence_savings=None,
        framework=None,
        scenarios=None,
        price_base_year=2026,
    )


def test_registry_cost_and_per_detection_ranges(tiny_estate: Estate) -> None:
    """Annual cost 1,000 (contract values 900 to 1,100, installation 950 to 1,050 one at a
    time); 10 detections today, ×0.584 to ×1.304 under the other detection curve forms."""
    sens = pd.DataFrame(
        {
            "parameter": ["contract values", "installation cost", "contract values"],
            "metric": ["annual estate cost", "annual estate cost", "cost per evidential export"],
            "base": [1000.0, 1000.0, 5.0],
            "at_low": [900.0, 950.0, 4.0],
            "at_high": [1100.0, 1050.0, 6.0],
        }
    )
    inputs = GuideInputs(
        estate=tiny_estate,
        economics=_economics(sens),
        monitoring=_monitoring(10.0, 5.84, 13.04),
    )
    figures = headline_figures(inputs)
    cost = figures["council_cctv_annual_cost_gbp"]
    assert cost.low == pytest.approx(1000 - math.sqrt(100**2 + 50**2))  # 888.20
    assert cost.high == pytest.approx(1000 + math.sqrt(100**2 + 50**2))  # 1,111.80
    assert cost.drivers.startswith("contract values, installation cost (economics_vfm ranges")
    per = figures["cost_per_detection_gbp"]
    # Per detection: the cost's cases / 10, and 100 / 1.304 = 76.69, 100 / 0.584 = 171.23.
    down = math.sqrt(10**2 + 5**2 + (100 - 100 / 1.304) ** 2)
    up = math.sqrt(10**2 + 5**2 + (100 / 0.584 - 100) ** 2)
    assert per.low == pytest.approx(100 - down)  # 74.09
    assert per.high == pytest.approx(100 + up)  # 172.11
    assert per.drivers.startswith(f"{DETECTION_FORMS}, contract values, installation cost")
    # The rooms' counts are exact.
    rooms = figures["control_rooms_in_estate"]
    assert rooms.low == rooms.high == rooms.value == 0.0


def test_officer_hours_range_recosts_at_the_useful_share_ends(tiny_estate: Estate) -> None:
    """One borough, 1,000 requests, a 20 km round trip (1 h at 20 km/h), officers attend
    today. With the assumptions' times (check 0.1 h, wait 0.25 h, export 0.3 h, digital
    0.15 h) and costs the cheapest model is digital transfer at every share a here, saving
    1,000 × (1.55 a − 0.15 a) = 1,400 a hours: 910 at the recorded 0.65, 901.6 at 29/45
    (0.644) and 1,400 at 1.0."""
    skeleton = pd.DataFrame(
        {
            "borough_code": "E09000001",
            "name": "Alpha",
            "model": list(MODELS),
            "current": [m == "officer_attends" for m in MODELS],
            "room_id": "r1",
            "station_name": "S1",
            "road_trip_km": 20.0,
            "requests_per_year": 1000,
            **dict.fromkeys(TABLE_COLUMNS[8:], 0.0),
        }
    )
    assumptions = read_assumptions()
    table = evidence_ops_at_share(skeleton, assumptions, 0.65)
    savings = evidence_ops_savings(table)
    assert savings.officer_hours_saved_per_year == pytest.approx(910.0)
    eco = replace(_economics(pd.DataFrame()), evidence_ops=table, evidence_savings=savings)
    figure = headline_figures(GuideInputs(estate=tiny_estate, economics=eco))[
        "officer_hours_saved_per_year"
    ]
    assert (figure.low, figure.high) == pytest.approx((901.6, 1400.0))
    assert figure.drivers.startswith("useful footage share (economics_vfm ranges")
