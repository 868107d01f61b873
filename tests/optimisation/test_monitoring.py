"""Monitoring allocation: curve fit, exactness against brute force, baselines, London smoke."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from cctvscope.model.assumptions import read_assumptions
from cctvscope.optimisation.monitoring import (
    HOURS_PER_DAY,
    DetectionCurve,
    Staffing,
    allocate_by_dp,
    build_allocation_model,
    crime_share_by_hour,
    curve_from_assumptions,
    detection_probability,
    extract_operators,
    fit_detection_curve,
    hour_values,
    hourly_risk,
    plan_monitoring,
    psdb_points,
    random_baseline,
    status_quo,
)
from cctvscope.optimisation.solve import solve

ASSUMPTIONS = read_assumptions()
CURVE = curve_from_assumptions(ASSUMPTIONS)
STAFF = Staffing(operator_fte_gbp=38000.0, fte_hours_per_week=37.0, abstraction_share=0.15)


def test_curve_fit_reproduces_assumptions_and_passes_near_points():
    screens, accuracy = psdb_points(ASSUMPTIONS)
    assert screens == (1.0, 4.0, 6.0, 9.0)
    fitted = fit_detection_curve(screens, accuracy)
    assert fitted.a == pytest.approx(CURVE.a, abs=1e-4)
    assert fitted.b == pytest.approx(CURVE.b, abs=1e-4)
    assert fitted.c == pytest.approx(CURVE.c, abs=1e-4)
    assert max(abs(r) for r in fitted.residuals) < 0.041
    assert fitted.rmse == pytest.approx(0.028, abs=0.001)
    p = detection_probability(np.array(screens), CURVE)
    np.testing.assert_allclose(p, accuracy, atol=0.041)


def test_curve_decreasing_and_bounded():
    p = detection_probability(np.arange(1, 33), CURVE)
    assert np.all(np.diff(p) < 0)
    assert np.all((p > 0) & (p < 1))
    with pytest.raises(ValueError, match="at least 1"):
        detection_probability(0, CURVE)


def test_fit_recovers_known_curve():
    truth = DetectionCurve(a=0.6, b=0.2, c=0.25)
    s = [1.0, 2.0, 4.0, 7.0, 10.0]
    fitted = fit_detection_curve(s, truth(s).tolist())
    assert (fitted.a, fitted.b, fitted.c) == pytest.approx((0.6, 0.2, 0.25), abs=1e-6)


def test_crime_profile_sums_to_one_and_risk_formula():
    shares = crime_share_by_hour(ASSUMPTIONS)
    assert shares.shape == (24,)
    assert shares.sum() == pytest.approx(1.0)
    risk = hourly_risk([365.0, 730.0], shares)
    np.testing.assert_allclose(risk.sum(axis=1), [1.0, 2.0])
    assert risk[1, 5] == pytest.approx(2 * shares[5])


def _brute_force(risk, max_ops, max_screens, budget, curve):
    """Enumerate operators per hour, load per hour and every camera subset."""
    n_cams, n_hours = risk.shape
    subsets = [
        np.array(c, dtype=int)
        for size in range(n_cams + 1)
        for c in itertools.combinations(range(n_cams), size)
    ]
    p = {k: float(detection_probability(k, curve)) for k in range(1, max_screens + 1)}
    best_hour = np.zeros((n_hours, max_ops + 1))
    for h, o in itertools.product(range(n_hours), range(1, max_ops + 1)):
        best_hour[h, o] = max(
            p[k] * risk[sub, h].sum()
            for k in range(1, max_screens + 1)
            for sub in subsets
            if len(sub) <= k * o
        )
    best = -math.inf
    for ops in itertools.product(range(max_ops + 1), repeat=n_hours):
        if sum(ops) <= budget:
            best = max(best, sum(best_hour[h, o] for h, o in enumerate(ops)))
    return best


@pytest.mark.parametrize(
    ("n_cams", "n_hours", "max_ops", "max_screens", "budget", "seed"),
    [
        (3, 2, 2, 3, 2, 0),
        (4, 3, 2, 3, 3, 1),
        (5, 4, 2, 4, 4, 2),
        (6, 3, 3, 4, 5, 3),
        (6, 4, 1, 6, 2, 4),
    ],
)
def test_tiny_cases_match_brute_force(n_cams, n_hours, max_ops, max_screens, budget, seed):
    rng = np.random.default_rng(seed)
    risk = rng.gamma(0.7, 1.0, size=(n_cams, n_hours)) * rng.uniform(0.2, 1.0, n_hours)
    values = hour_values(risk, max_ops, max_screens, CURVE)
    model = build_allocation_model(values.value, budget)
    outcome = solve(model)
    assert outcome.is_optimal
    ops = extract_operators(model, n_hours, max_ops + 1)
    milp = float(values.value[np.arange(n_hours), ops].sum())
    dp_ops, dp = allocate_by_dp(values.value, budget)
    expected = _brute_force(risk, max_ops, max_screens, budget, CURVE)
    assert milp == pytest.approx(expected, rel=1e-9)
    assert dp == pytest.approx(expected, rel=1e-9)
    assert -outcome.objective == pytest.approx(expected, rel=1e-9)
    assert ops.sum() <= budget and dp_ops.sum() <= budget


def test_random_baseline_by_hand():
    risk = np.array([[4.0, 0.0], [2.0, 1.0], [0.0, 5.0], [2.0, 2.0]])
    # hour 0: 1 operator × 2 screens of 4 cameras, mean risk 2 → p(2)·2·2
    # hour 1: 2 operators × 3 screens capped at 4 cameras, mean 2 → p(3)·4·2
    got = random_baseline(risk, [1, 2], [2, 3], CURVE)
    p2, p3 = (float(detection_probability(k, CURVE)) for k in (2, 3))
    np.testing.assert_allclose(got, [p2 * 2 * 2, p3 * 4 * 2])
    assert random_baseline(risk, [0, 0], [0, 0], CURVE).tolist() == [0.0, 0.0]


def _plan(risk, budget, max_ops=2, max_screens=4):
    staffed = np.ones(HOURS_PER_DAY, dtype=bool)
    sq = status_quo(risk, max_ops, max_screens, staffed, CURVE)
    return plan_monitoring(
        risk,
        [f"c{i}" for i in range(risk.shape[0])],
        max_operators=max_ops,
        max_screens=max_screens,
        budget_operator_hours=budget,
        staffing=STAFF,
        status_quo_detections=sq,
        status_quo_operator_hours=max_ops * 24.0,
        curve=CURVE,
    )


@pytest.mark.parametrize("budget", [0, 5, 20, 48])
def test_budget_respected_and_outputs_consistent(budget):
    rng = np.random.default_rng(7)
    risk = hourly_risk(rng.gamma(0.5, 20.0, 30), crime_share_by_hour(ASSUMPTIONS))
    plan = _plan(risk, budget)
    rota = plan.rota
    assert rota["operators"].sum() == plan.operator_hours_per_day <= budget
    assert (rota["operators"] <= 2).all() and (rota["screens_per_operator"] <= 4).all()
    assert (rota["cameras_watched"] <= rota["operators"] * rota["screens_per_operator"]).all()
    assert plan.camera_watched_hours.sum() == rota["cameras_watched"].sum()
    assert plan.expected_detections_per_year == pytest.approx(
        rota["expected_detections"].sum() * 365
    )
    assert plan.staffing_fte == pytest.approx(budget and plan.operator_hours_per_day * 7 / 31.45)
    assert (rota["expected_detections"] >= rota["random_detections"] - 1e-12).all()
    if budget == 48:
        assert plan.expected_detections_per_year >= plan.status_quo.expected_detections_per_year
        cost = plan.staffing_cost_gbp_per_year / plan.expected_detections_per_year
        assert plan.cost_per_expected_detection_gbp == pytest.approx(cost)
    if budget == 0:
        assert math.isinf(plan.cost_per_expected_detection_gbp)


def test_budget_fte_conversion():
    # 2 positions, 24/7: 48 operator-hours/day = 10.68 FTE (rounded as in the estate)
    assert STAFF.budget_operator_hours(10.68) == 48
    assert STAFF.fte(48) == pytest.approx(10.68, abs=0.005)


@pytest.mark.slow
def test_london_smoke():
    from cctvscope.ingest.london import read_lsoa_crime
    from cctvscope.ingest.synthetic import build_london_estate
    from cctvscope.optimisation.monitoring_estate import (
        estate_crimes_seen,
        monitoring_for_room,
        monitoring_london,
    )

    estate = build_london_estate()
    lsoa_crime = read_lsoa_crime()
    table = monitoring_london(estate, ASSUMPTIONS, lsoa_crime=lsoa_crime)
    assert len(table) == 32
    numeric = table.drop(columns=["room_id", "name"]).to_numpy(dtype=float)
    assert np.isfinite(numeric).all()
    opt = table["detections_per_year_optimised"]
    assert (opt >= table["detections_per_year_random"] - 1e-9).all()
    assert (opt >= table["detections_per_year_status_quo"] - 1e-9).all()
    seen = estate_crimes_seen(estate, ASSUMPTIONS, lsoa_crime)
    half = monitoring_for_room(
        estate, "room-E09000007", ASSUMPTIONS, crimes_seen=seen, budget_fte=10.68
    )
    assert half.operator_hours_per_day <= 48


def test_rota_chart_writes_svg(tmp_path):
    from cctvscope.reporting.charts.monitoring import rota_chart

    rng = np.random.default_rng(3)
    risk = hourly_risk(rng.gamma(0.5, 20.0, 30), crime_share_by_hour(ASSUMPTIONS))
    path = rota_chart(_plan(risk, 30), tmp_path / "rota.svg", room_name="Test room")
    text = path.read_text()
    assert "Optimised live-monitoring rota" in text and "Source:" in text
