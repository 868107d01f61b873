from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cctvscope.economics.costs as costs_module
from cctvscope.economics import (
    annuity_factor,
    discounted_payback_year,
    equivalent_annual_cost_gbp,
    green_book_bands,
    green_book_discount_factors,
    npv,
    payback_year,
    present_value_factor,
    whole_life_cost_gbp,
)
from cctvscope.model.assumptions import parse_assumptions, read_assumptions

rates = st.floats(min_value=0.0, max_value=0.5, allow_nan=False)
lifetimes = st.integers(min_value=1, max_value=100)
flows = st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=30)
GREEN_BOOK = [(30, 0.035), (75, 0.03)]


def test_doctests_pass():
    result = doctest.testmod(costs_module, raise_on_error=False)
    assert result.attempted > 10
    assert result.failed == 0


# --- hand-worked numbers -------------------------------------------------------------


def test_annuity_factor_hand_value():
    # 0.035 / (1 - 1.035**-10) = 0.035 / 0.2910812 = 0.1202414
    assert annuity_factor(0.035, 10) == pytest.approx(0.120241368, rel=1e-8)
    assert annuity_factor(0.07, 25) == pytest.approx(0.0858105, rel=1e-6)  # PyPSA doctest


def test_annuity_factor_zero_rate_is_straight_line_without_warnings():
    with np.errstate(all="raise"):
        assert annuity_factor(0.0, 20) == 0.05
        got = annuity_factor([0.0, 0.0, 0.035], [4, 10, 10])
    np.testing.assert_allclose(got, [0.25, 0.1, 0.120241368], rtol=1e-8)


def test_annuity_factor_tiny_rate_is_continuous():
    assert annuity_factor(1e-12, 10) == pytest.approx(0.1, rel=1e-9)


def test_present_value_factor_hand_values():
    assert present_value_factor(0.1, 1) == pytest.approx(1 / 1.1)
    assert present_value_factor(0.035, 30) == pytest.approx(0.356278, rel=1e-5)
    assert present_value_factor(0.05, 0) == 1.0


def test_npv_hand_value():
    # -100 + 60/1.1 + 60/1.21 = -100 + 54.5455 + 49.5868 = 4.1322
    assert npv([-100.0, 60.0, 60.0], 0.10) == pytest.approx(4.1322314, rel=1e-7)


def test_npv_start_year_shifts_discounting():
    assert npv([110.0], 0.10, start_year=1) == pytest.approx(100.0)
    assert npv([-100.0, 60.0, 60.0], 0.10, start_year=1) == pytest.approx(4.1322314 / 1.1)


def test_npv_two_dimensional_scenarios_and_rates():
    cash = np.array([[-100.0, 60.0, 60.0], [-100.0, 50.0, 50.0]])
    np.testing.assert_allclose(npv(cash, 0.0), [20.0, 0.0])
    np.testing.assert_allclose(npv(cash, [0.10, 0.0]), [4.1322314, 0.0], rtol=1e-7)
    # one row of flows, several rates: one NPV per rate
    np.testing.assert_allclose(npv(cash[0], [0.0, 0.10]), [20.0, 4.1322314], rtol=1e-7)


def test_equivalent_annual_cost():
    assert equivalent_annual_cost_gbp(5000.0, 10, 0.0, 494.0) == pytest.approx(994.0)
    assert equivalent_annual_cost_gbp(100_000.0, 10, 0.035) == pytest.approx(12024.1368)


def test_whole_life_cost_undiscounted_counts_replacements():
    # bought at 0, 7, 14 within 20 years: 3 x 5000 + 20 x 494
    assert whole_life_cost_gbp(5000.0, 494.0, 7, 0.0, 20) == pytest.approx(24_880.0)
    # a replacement due exactly at the horizon is not bought
    assert whole_life_cost_gbp(5000.0, 0.0, 10, 0.0, 20) == pytest.approx(10_000.0)
    assert whole_life_cost_gbp(5000.0, 0.0, 10, 0.0, 21) == pytest.approx(15_000.0)


def test_whole_life_cost_discounted_hand_value():
    # 100 + 100/1.1**10 + 10 * (1 - 1.1**-20) / 0.1
    expected = 100 + 100 / 1.1**10 + 10 * (1 - 1.1**-20) / 0.1
    assert whole_life_cost_gbp(100.0, 10.0, 10, 0.10, 20) == pytest.approx(expected)


def test_whole_life_cost_over_one_life_matches_equivalent_annual_cost():
    capex, opex, life, r = 120_000.0, 8_000.0, 12, 0.035
    wlc = whole_life_cost_gbp(capex, opex, life, r, life)
    eac = equivalent_annual_cost_gbp(capex, life, r, opex)
    assert wlc * annuity_factor(r, life) == pytest.approx(eac)


def test_payback_year_simple_and_never():
    assert payback_year([-100.0, 60.0, 60.0]) == 2.0
    assert payback_year([0.0, 1.0]) == 0.0
    assert payback_year([-100.0, 60.0, 60.0], start_year=2024) == 2026.0
    assert math.isnan(payback_year([-100.0, 10.0, 10.0]))
    got = payback_year([[-100.0, 60.0, 60.0], [-100.0, 10.0, 10.0]])
    np.testing.assert_array_equal(got, [2.0, np.nan])


def test_discounted_payback_is_never_earlier():
    cash = [-100.0, 30.0, 30.0, 30.0, 30.0, 30.0]
    assert payback_year(cash) == 4.0  # -100, -70, -40, -10, +20
    assert discounted_payback_year(cash, 0.10) == 5.0  # PV sum to 4 = 95.1, to 5 = 113.7
    assert math.isnan(discounted_payback_year([-100.0, 55.0, 55.0], 0.10))


def test_vale_of_glamorgan_payback_matches_published_range():
    # domain-research 1.7: capital GBP 100k, net saving GBP 48k a year, payback 3-5 years
    cash = np.array([-100_000.0] + [48_000.0] * 10)
    simple = payback_year(cash)  # cumulative -100k, -52k, -4k, +44k
    discounted = discounted_payback_year(cash, 0.035)  # 48k x 2.8016 = 134.5k by year 3
    assert simple == 3.0
    assert discounted == 3.0
    assert 3.0 <= simple <= 5.0


# --- Green Book declining schedule ---------------------------------------------------


def test_green_book_factors_hand_values():
    years = [0, 1, 30, 31, 75]
    expected = [
        1.0,
        1.035**-1,
        1.035**-30,
        1.035**-30 * 1.03**-1,
        1.035**-30 * 1.03**-45,
    ]
    np.testing.assert_allclose(green_book_discount_factors(years, GREEN_BOOK), expected)
    assert green_book_discount_factors(30, GREEN_BOOK) == pytest.approx(0.356278, rel=1e-5)


def test_green_book_single_band_equals_present_value_factor():
    years = np.arange(0, 41)
    np.testing.assert_allclose(
        green_book_discount_factors(years, [(40, 0.05)]), present_value_factor(0.05, years)
    )


def test_green_book_factors_decrease_and_switch_rate_at_31():
    f = np.asarray(green_book_discount_factors(np.arange(76), GREEN_BOOK))
    assert np.all(np.diff(f) < 0)
    ratios = f[1:] / f[:-1]
    np.testing.assert_allclose(ratios[:30], 1 / 1.035)
    np.testing.assert_allclose(ratios[30:], 1 / 1.03)


def test_green_book_bands_from_assumptions():
    assert green_book_bands(read_assumptions()) == ((30.0, 0.035), (75.0, 0.03))
    entry = read_assumptions().get("economics.green_book_discount_rate")
    assert entry.status == "unverified"
    assert "Green Book" in entry.source
    assert read_assumptions().get("economics.price_base_year").status == "assumption"
    custom = parse_assumptions(
        "economics:\n  green_book_discount_rate:\n"
        "    value: [{from_year: 0, to_year: 10, rate: 0.05}]\n"
        "    unit: '-'\n    source: x\n    note: y\n    status: unverified\n"
    )
    assert green_book_bands(custom) == ((10.0, 0.05),)


@pytest.mark.parametrize(
    ("years", "bands"),
    [
        (76, GREEN_BOOK),
        (-1, GREEN_BOOK),
        (5, []),
        (5, [(30, 0.035), (20, 0.03)]),
        (5, [(30, -1.0)]),
    ],
)
def test_green_book_invalid_inputs(years, bands):
    with pytest.raises(ValueError):
        green_book_discount_factors(years, bands)


# --- validation ----------------------------------------------------------------------


def test_invalid_inputs_raise():
    with pytest.raises(ValueError, match="lifetime_years"):
        annuity_factor(0.035, 0)
    with pytest.raises(ValueError, match="discount_rate"):
        annuity_factor(-1.0, 10)
    with pytest.raises(ValueError, match="discount_rate"):
        present_value_factor(float("nan"), 1)
    with pytest.raises(ValueError, match="years axis"):
        npv(5.0, 0.1)
    with pytest.raises(ValueError, match="years axis"):
        payback_year(5.0)
    with pytest.raises(ValueError, match="years axis"):
        discounted_payback_year(5.0, 0.1)
    with pytest.raises(ValueError, match="horizon_years"):
        whole_life_cost_gbp(1.0, 1.0, 10, 0.035, 0)


# --- scalar / array equivalence ------------------------------------------------------


def test_scalar_in_scalar_out_array_in_array_out():
    assert isinstance(annuity_factor(0.035, 10), np.floating)
    assert isinstance(npv([-1.0, 2.0], 0.1), np.floating)
    assert annuity_factor([0.035], [10]).shape == (1,)
    assert annuity_factor(np.zeros((2, 3)), 5).shape == (2, 3)


@given(
    r=st.lists(rates, min_size=1, max_size=8),
    n=lifetimes,
    capex=st.floats(min_value=0.0, max_value=1e7),
    opex=st.floats(min_value=0.0, max_value=1e6),
    horizon=st.integers(min_value=1, max_value=80),
)
def test_vectorised_equals_elementwise(r, n, capex, opex, horizon):
    rr = np.array(r)
    np.testing.assert_allclose(annuity_factor(rr, n), [annuity_factor(x, n) for x in r])
    np.testing.assert_allclose(present_value_factor(rr, n), [present_value_factor(x, n) for x in r])
    np.testing.assert_allclose(
        equivalent_annual_cost_gbp(capex, n, rr, opex),
        [equivalent_annual_cost_gbp(capex, n, x, opex) for x in r],
    )
    np.testing.assert_allclose(
        whole_life_cost_gbp(capex, opex, n, rr, horizon),
        [whole_life_cost_gbp(capex, opex, n, x, horizon) for x in r],
    )
    cash = np.outer(np.ones(len(r)), [-capex, opex, opex])
    np.testing.assert_allclose(npv(cash, rr), [npv(cash[0], x) for x in r])


# --- properties ----------------------------------------------------------------------


@given(r=rates, n=lifetimes)
def test_annuity_times_lifetime_at_least_one(r, n):
    assert annuity_factor(r, n) * n >= 1.0 - 1e-12


@given(r=rates, n=lifetimes)
def test_annuity_repays_capital_at_present_value(r, n):
    # PV of n annuity payments equals the capital
    payments = np.full(n, float(annuity_factor(r, n)))
    assert npv(payments, r, start_year=1) == pytest.approx(1.0, rel=1e-9)


@given(
    x=flows,
    a=st.floats(min_value=-10.0, max_value=10.0),
    b=st.floats(min_value=-10.0, max_value=10.0),
    r=rates,
)
def test_npv_is_linear_in_cash_flows(x, a, b, r):
    x_arr = np.array(x)
    y_arr = x_arr[::-1].copy()
    lhs = npv(a * x_arr + b * y_arr, r)
    rhs = a * npv(x_arr, r) + b * npv(y_arr, r)
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-3)


@given(
    x=st.lists(st.floats(min_value=0.0, max_value=1e6), min_size=1, max_size=30),
    r1=rates,
    r2=rates,
)
def test_higher_rate_never_increases_pv_of_positive_flows(x, r1, r2):
    low, high = sorted((r1, r2))
    assert npv(x, high, start_year=1) <= npv(x, low, start_year=1) * (1 + 1e-12) + 1e-9


@given(x=flows, r=rates)
def test_discounted_payback_never_before_simple_for_single_outlay(x, r):
    cash = np.array([-1e6, *np.abs(x)])
    simple = payback_year(cash)
    disc = discounted_payback_year(cash, r)
    assert np.isnan(disc) or disc >= simple


@given(capex=st.floats(min_value=0.0, max_value=1e6), n=lifetimes, h=st.integers(1, 100))
def test_whole_life_cost_undiscounted_is_purchases_times_capex(capex, n, h):
    expected = math.ceil(h / n) * capex
    assert whole_life_cost_gbp(capex, 0.0, n, 0.0, h) == pytest.approx(expected)
