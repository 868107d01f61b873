"""SSCFLP core: optima checked against brute-force enumeration on small instances."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from cctvscope.cli.optimise_cmd import format_number, solve_sscflp
from cctvscope.errors import InfeasibleError, InputError
from cctvscope.optimisation.facility import (
    FacilityProblem,
    build_sscflp,
    check_feasibility,
    extract,
)
from cctvscope.optimisation.facility_solve import solve_facility
from cctvscope.optimisation.solve import SolveOptions, SolveOutcome, new_highs, solve
from cctvscope.optimisation.sscflp_io import write_sscflp

OPTS = SolveOptions(threads=1, time_limit_s=60)


def random_problem(n: int, m: int, seed: int, ratio: float = 1.4, **kw: object) -> FacilityProblem:
    rng = np.random.default_rng(seed)
    demands = rng.integers(1, 11, m).astype(float)
    share = rng.uniform(0.5, 1.5, n)
    capacities = np.ceil(share / share.sum() * ratio * demands.sum())
    capacities = np.maximum(capacities, demands.max())
    fixed = rng.integers(5, 40, n).astype(float)
    costs = rng.integers(1, 30, (m, n)).astype(float)
    return FacilityProblem(capacities, fixed, demands, costs, **kw)  # type: ignore[arg-type]


def _assignments(n: int, m: int) -> np.ndarray:
    return np.indices((n,) * m).reshape(m, -1).T


def brute_force(p: FacilityProblem) -> float:
    """Optimum by enumerating every open set and every (primary, backup) assignment."""
    n, m = p.n_facilities, p.n_customers
    a = _assignments(n, m)
    rows = np.arange(m)
    loads = np.stack([(a == j) @ p.demands for j in range(n)], axis=1)
    allowed = np.ones((m, n), bool) if p.allowed is None else p.allowed
    ok_allowed = allowed[rows, a].all(axis=1)
    used = np.bitwise_or.reduce(1 << a, axis=1)
    cost = p.costs[rows, a].sum(axis=1)
    best = np.inf
    for s in range(1, 1 << n):
        members = [j for j in range(n) if s >> j & 1]
        if set(p.must_open) - set(members) or set(p.must_close) & set(members):
            continue
        if p.min_open is not None and len(members) < p.min_open:
            continue
        if p.max_open is not None and len(members) > p.max_open:
            continue
        fixed = p.fixed_costs[members].sum()
        sel = ok_allowed & ((used & ~s) == 0)
        if not p.resilience:
            ok = sel & (loads <= p.capacities + 1e-9).all(axis=1)
            if ok.any():
                best = min(best, fixed + cost[ok].min())
            continue
        idx = np.flatnonzero(sel)
        if idx.size == 0:
            continue
        distinct = (a[idx][:, None, :] != a[idx][None, :, :]).all(axis=2)
        fits = (loads[idx][:, None, :] + loads[idx][None, :, :] <= p.capacities + 1e-9).all(2)
        total = cost[idx][:, None] + p.backup_cost_weight * cost[idx][None, :]
        ok2 = distinct & fits
        if ok2.any():
            best = min(best, fixed + total[ok2].min())
    return float(best)


@pytest.mark.parametrize(
    ("n", "m", "seed"), [(4, 8, 0), (4, 8, 1), (4, 8, 2), (5, 7, 3), (5, 7, 4)]
)
def test_matches_enumeration(n: int, m: int, seed: int) -> None:
    p = random_problem(n, m, seed)
    sol = solve_facility(p, OPTS)
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(brute_force(p))
    assert sol.outcome.objective == pytest.approx(sol.objective)
    assert sol.outcome.gap == pytest.approx(0.0, abs=1e-9)
    # solution is consistent: loads fit, customers only at open facilities
    assert (sol.loads <= p.capacities + 1e-9).all()
    assert set(sol.assignment.tolist()) <= set(sol.open_facilities)
    assert sol.fixed_cost + sol.assignment_cost == pytest.approx(sol.objective)


@pytest.mark.parametrize(
    "options",
    [
        {"must_open": frozenset({0, 3})},
        {"must_close": frozenset({1})},
        {"max_open": 2},
        {"min_open": 3},
    ],
)
def test_options_match_enumeration(options: dict[str, object]) -> None:
    base = random_problem(4, 7, 11, ratio=1.8)
    p = dataclasses.replace(base, **options)  # type: ignore[arg-type]
    sol = solve_facility(p, OPTS)
    assert sol.objective == pytest.approx(brute_force(p))
    if "must_open" in options:
        assert {0, 3} <= set(sol.open_facilities)
    if "must_close" in options:
        assert 1 not in sol.open_facilities
    if "max_open" in options:
        assert len(sol.open_facilities) <= 2


def test_allowed_mask_matches_enumeration() -> None:
    base = random_problem(4, 7, 5, ratio=2.0)
    rng = np.random.default_rng(9)
    mask = rng.random((7, 4)) < 0.6
    mask[np.arange(7), rng.integers(0, 4, 7)] = True
    p = dataclasses.replace(base, allowed=mask)
    sol = solve_facility(p, OPTS)
    assert sol.objective == pytest.approx(brute_force(p))
    assert mask[np.arange(7), sol.assignment].all()


@pytest.mark.parametrize(("seed", "weight"), [(21, 0.0), (22, 0.5), (23, 1.0)])
def test_resilience_matches_enumeration(seed: int, weight: float) -> None:
    p = random_problem(4, 5, seed, ratio=2.6, resilience=True, backup_cost_weight=weight)
    sol = solve_facility(p, OPTS)
    assert sol.objective == pytest.approx(brute_force(p))
    assert sol.backup is not None and sol.backup_loads is not None
    assert (sol.backup != sol.assignment).all()
    assert set(sol.backup.tolist()) <= set(sol.open_facilities)
    assert (sol.loads + sol.backup_loads <= p.capacities + 1e-9).all()


def test_build_solve_extract_steps_are_separate() -> None:
    p = random_problem(3, 5, 7, ratio=2.0)
    built = build_sscflp(p)
    assert set(built.rows) >= {"assign", "capacity", "link", "aggregate"}
    outcome = solve(built.highs, OPTS)
    assert isinstance(outcome, SolveOutcome)
    assert outcome.status == "optimal" and outcome.solver.startswith("HiGHS ")
    assert outcome.bound == pytest.approx(outcome.objective)
    sol = extract(built, outcome)
    assert sol.objective == pytest.approx(brute_force(p))


def test_solve_on_lp_and_time_limit_options() -> None:
    h = new_highs()
    h.addVars(1, np.array([0.0]), np.array([4.0]))
    h.changeColCost(0, 1.0)
    out = solve(h, SolveOptions(time_limit_s=5))
    assert out.status == "optimal" and out.objective == 0.0 and out.nodes == 0
    with pytest.raises(ValueError, match="time_limit_s"):
        SolveOptions(time_limit_s=0)


# --- infeasibility -------------------------------------------------------------------


def _tiny(caps: list[float], demands: list[float], **kw: object) -> FacilityProblem:
    n, m = len(caps), len(demands)
    costs = np.arange(m * n, dtype=float).reshape(m, n)
    return FacilityProblem(caps, [10.0] * n, demands, costs, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("problem", "fragment"),
    [
        (_tiny([5, 5], [4, 4, 4]), "total capacity"),
        (_tiny([10, 10], [4, 4], must_close=frozenset({0, 1})), "total capacity"),
        (_tiny([10, 10], [4, 12]), "customer 1 demand 12 exceeds"),
        (_tiny([10, 10, 10], [4, 4], must_open=frozenset({0, 1}), max_open=1), "must_open"),
        (_tiny([10, 10], [4, 4], must_open=frozenset({0}), must_close=frozenset({0})), "both"),
        (_tiny([10, 10], [4], min_open=3), "min_open"),
        (_tiny([10, 10], [4, 4], resilience=True, max_open=1), "resilience"),
        (_tiny([10, 10, 10], [9, 9, 9], max_open=2), "largest possible capacity"),
    ],
)
def test_obvious_infeasibility_is_reported(problem: FacilityProblem, fragment: str) -> None:
    assert any(fragment in r for r in check_feasibility(problem))
    with pytest.raises(InfeasibleError, match=fragment):
        solve_facility(problem, OPTS)


def test_customer_without_allowed_facility() -> None:
    mask = np.array([[True, False], [False, False]])
    p = _tiny([10, 10], [4, 4], allowed=mask)
    with pytest.raises(InfeasibleError, match="customer 1 has no allowed facility"):
        solve_facility(p, OPTS)


def test_packing_infeasibility_found_by_solver() -> None:
    p = _tiny([10, 10], [6, 6, 6])
    assert check_feasibility(p) == []
    with pytest.raises(InfeasibleError, match="single-source"):
        solve_facility(p, OPTS)


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        ({"max_open": 2}, "max_open"),
        ({"must_close": frozenset({2})}, "must_close"),
        ({"allowed": np.array([[True, True, False]] * 3)}, "allowed"),
        ({"resilience": True}, "resilience"),
    ],
)
def test_solver_infeasibility_names_the_constraint(kw: dict[str, object], name: str) -> None:
    # three rooms of 10; without resilience three 6s fit, with it four 6s (2 backups) do not
    demands = [6.0, 6.0] if name == "resilience" else [6.0, 6.0, 6.0]
    p = _tiny([10.0, 10.0, 10.0], demands, **kw)
    assert check_feasibility(p) == []
    with pytest.raises(InfeasibleError, match=name):
        solve_facility(p, OPTS)


def test_invalid_problem_data() -> None:
    with pytest.raises(InputError, match="costs has shape"):
        FacilityProblem([1.0, 2.0], [1.0, 1.0], [1.0], [[1.0]])
    with pytest.raises(InputError, match="out of range"):
        FacilityProblem([1.0], [1.0], [1.0], [[1.0]], must_open=frozenset({3}))


# --- CLI -------------------------------------------------------------------------------


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("solve-sscflp")(solve_sscflp)

    @app.command()
    def other() -> None:  # a second command so "solve-sscflp" must be named
        """Unused."""

    return app


LINE = re.compile(r"^objective=(\S+) status=(\S+) gap=(\S+) seconds=\d+\.\d\d$")


def test_cli_prints_result_line(tmp_path: Path) -> None:
    p = random_problem(4, 8, 0)
    path = tmp_path / "inst.txt"
    write_sscflp(p, path)
    result = CliRunner().invoke(_app(), ["solve-sscflp", str(path), "--time-limit", "60"])
    assert result.exit_code == 0, result.output
    match = LINE.match(result.stdout.strip())
    assert match, result.stdout
    assert float(match.group(1)) == pytest.approx(brute_force(p))
    assert match.group(1) == str(int(brute_force(p)))
    assert match.group(2) == "optimal"
    assert float(match.group(3)) == pytest.approx(0.0, abs=1e-9)


def test_cli_exit_codes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("2 2\n1 x\n")
    result = CliRunner().invoke(_app(), ["solve-sscflp", str(bad)])
    assert result.exit_code == 2
    infeasible = tmp_path / "inf.txt"
    write_sscflp(_tiny([10, 10], [6, 6, 6]), infeasible)
    result = CliRunner().invoke(_app(), ["solve-sscflp", str(infeasible)])
    assert result.exit_code == 1
    assert "status=infeasible" in result.stdout


@pytest.mark.parametrize(
    ("value", "text"),
    [(1234.0, "1234"), (1234.0000000001, "1234"), (12.5, "12.5"), (0.1234567, "0.123457")],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text
