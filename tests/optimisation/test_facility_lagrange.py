"""SSCFLP Lagrangian phase: exact subproblems, valid bounds, safe fixings, same optima."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from cctvscope.optimisation.facility import FacilityProblem
from cctvscope.optimisation.facility_kernels import cover_dp, cover_flip_values, knapsacks
from cctvscope.optimisation.facility_lagrange import applicable, lagrangian_fixing
from cctvscope.optimisation.facility_solve import solve_facility
from cctvscope.optimisation.solve import SolveOptions

OPTS = SolveOptions(threads=1, time_limit_s=120)


def holmberg_style(n: int, m: int, seed: int, ratio: float) -> FacilityProblem:
    """Points in a square, costs ∝ distance, integer demands, capacity = ratio × demand."""
    rng = np.random.default_rng(seed)
    fac, cus = rng.uniform(0, 100, (n, 2)), rng.uniform(0, 100, (m, 2))
    dist = np.sqrt(((cus[:, None, :] - fac[None, :, :]) ** 2).sum(axis=2))
    demands = rng.integers(10, 51, m).astype(float)
    share = rng.uniform(0.6, 1.4, n)
    capacities = np.round(share / share.sum() * ratio * demands.sum())
    fixed = np.round(rng.integers(300, 701, n) * capacities / capacities.mean())
    return FacilityProblem(capacities, fixed, demands, np.round(6.0 * dist))


def _brute_knapsack(profit: np.ndarray, weight: np.ndarray, cap: int) -> float:
    best = 0.0
    for pick in itertools.product((0, 1), repeat=profit.size):
        chosen = np.array(pick, dtype=bool)
        if weight[chosen].sum() <= cap:
            best = max(best, float(profit[chosen].sum()))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_knapsacks_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = 9, 3
    profit = rng.uniform(-5, 10, (m, n))
    weight = rng.integers(1, 8, m)
    capacity = rng.integers(5, 25, n)
    usable = rng.random((m, n)) < 0.8
    best, take, table = knapsacks(profit, weight, capacity, usable)
    for j in range(n):
        p = np.where(usable[:, j], profit[:, j], -1.0)
        assert best[j] == pytest.approx(_brute_knapsack(p, weight, int(capacity[j])))
        # the chosen items realise the optimum within capacity, only usable ones
        assert weight[take[:, j]].sum() <= capacity[j]
        assert usable[take[:, j], j].all()
        assert profit[take[:, j], j].sum() == pytest.approx(best[j])
        for c in (0, 3, int(capacity[j]) // 2):
            assert table[j, c] == pytest.approx(_brute_knapsack(p, weight, c))


def _brute_cover(value: np.ndarray, cap: np.ndarray, need: int, state: np.ndarray) -> float:
    best = np.inf
    for pick in itertools.product((0, 1), repeat=value.size):
        y = np.array(pick, dtype=bool)
        if np.any(y & (state == 0)) or np.any(~y & (state == 1)) or cap[y].sum() < need:
            continue
        best = min(best, float(value[y].sum()))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_cover_and_flips_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n = 7
    value = rng.uniform(-20, 30, n)
    cap = rng.integers(3, 15, n)
    need = int(cap.sum() * 0.5)
    state = rng.choice(np.array([-1, -1, -1, 0, 1], dtype=np.int8), n)
    opt, y = cover_dp(value, cap, need, state)
    assert opt == pytest.approx(_brute_cover(value, cap, need, state))
    assert cap[y].sum() >= need and value[y].sum() == pytest.approx(opt)
    flips = cover_flip_values(value, cap, need, state, y)
    for j in np.flatnonzero(state == -1):
        forced = state.copy()
        forced[j] = 0 if y[j] else 1
        assert flips[j] == pytest.approx(_brute_cover(value, cap, need, forced))


CASES = [(10, 40, 1, 2.5), (10, 40, 2, 1.6), (15, 60, 3, 2.0), (20, 80, 4, 1.8)]


@pytest.mark.parametrize(("n", "m", "seed", "ratio"), CASES)
def test_bound_optimum_incumbent_and_fixings(n: int, m: int, seed: int, ratio: float) -> None:
    p = holmberg_style(n, m, seed, ratio)
    assert applicable(p)
    plain = solve_facility(p, OPTS, method="plain")
    assert plain.status == "optimal"
    lag = lagrangian_fixing(p)
    # bound ≤ optimum ≤ incumbent, and the incumbent's value is its recomputed cost
    assert lag.bound <= plain.objective + 1e-6
    assert plain.objective <= lag.upper + 1e-6
    assert lag.assignment is not None and lag.is_open is not None
    rows = np.arange(m)
    recomputed = p.fixed_costs[lag.is_open].sum() + p.costs[rows, lag.assignment].sum()
    assert lag.upper == pytest.approx(recomputed)
    assert lag.is_open[lag.assignment].all()
    loads = np.bincount(lag.assignment, weights=p.demands, minlength=n)
    assert (loads <= p.capacities + 1e-9).all()
    # no fixing cuts the optimum HiGHS found on the full model
    opened = set(plain.open_facilities)
    assert not (lag.fix_closed & opened) and lag.fix_open <= opened
    assert not lag.fix_pairs[rows, plain.assignment].any()
    # the incumbent survives the fixings too (it is HiGHS's start)
    assert not lag.fix_pairs[rows, lag.assignment].any()
    auto = solve_facility(p, OPTS)
    assert auto.status == "optimal"
    assert auto.objective == pytest.approx(plain.objective)


def test_fixings_are_not_vacuous() -> None:
    # A roomy instance: the bound is within ~1 % and most pairs are fixed.
    p = holmberg_style(20, 80, 4, 2.5)
    lag = lagrangian_fixing(p)
    assert (lag.upper - lag.bound) / lag.upper < 0.02
    assert lag.fix_pairs.sum() > 0.5 * lag.fix_pairs.size


@pytest.mark.parametrize(
    "change",
    [
        {"must_open": frozenset({0, 5})},
        {"must_close": frozenset({1, 2})},
        {"allowed": "near"},
    ],
)
def test_options_give_the_plain_optimum(change: dict[str, object]) -> None:
    p = holmberg_style(12, 50, 7, 2.0)
    if change.get("allowed") == "near":
        rank = np.argsort(np.argsort(p.costs, axis=1), axis=1)
        change = {"allowed": rank < 6}
    q = dataclasses.replace(p, **change)  # type: ignore[arg-type]
    assert applicable(q)
    plain = solve_facility(q, OPTS, method="plain")
    auto = solve_facility(q, OPTS)
    assert auto.status == plain.status == "optimal"
    assert auto.objective == pytest.approx(plain.objective)
    assert set(auto.open_facilities) >= set(q.must_open)
    assert not set(auto.open_facilities) & set(q.must_close)
    if q.allowed is not None:
        assert q.allowed[np.arange(50), auto.assignment].all()


def test_not_applicable_falls_back() -> None:
    p = holmberg_style(6, 20, 1, 2.0)
    assert not applicable(dataclasses.replace(p, demands=p.demands + 0.5))
    assert not applicable(dataclasses.replace(p, max_open=3))
    assert not applicable(dataclasses.replace(p, resilience=True))
