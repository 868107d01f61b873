"""Solving an SSCFLP: plain HiGHS, or a Lagrangian phase and HiGHS on a reduced model.

:func:`solve_facility` is the entry point. Where
:func:`cctvscope.optimisation.facility_lagrange.applicable` holds it first runs
the Lagrangian phase (bound, incumbent, fixings), then gives HiGHS the model with
the fixed facilities and pairs removed and the incumbent as its start. Every
fixing removes only solutions worse than the incumbent, which stays feasible, so
the reduced model's optimum is the problem's optimum; HiGHS's proof on it is the
proof of optimality.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Literal

import highspy
import numpy as np

from cctvscope.errors import InfeasibleError
from cctvscope.optimisation import facility_lagrange
from cctvscope.optimisation.facility import (
    BoolArray,
    BuiltModel,
    FacilityProblem,
    FacilitySolution,
    IntArray,
    build_sscflp,
    diagnose_infeasibility,
    extract,
    raise_if_obvious,
    solution_from_assignment,
)
from cctvscope.optimisation.solve import SolveOptions, SolveOutcome, solve, solver_name

__all__ = ["FacilityMethod", "solve_facility"]

#: How :func:`solve_facility` proceeds: ``auto`` (Lagrangian phase where it
#: applies, then HiGHS on the reduced model) or ``plain`` (HiGHS on the full model).
FacilityMethod = Literal["auto", "plain"]


def solve_facility(
    problem: FacilityProblem,
    options: SolveOptions | None = None,
    *,
    method: FacilityMethod = "auto",
) -> FacilitySolution:
    """Check, build, solve and extract. Raises :class:`InfeasibleError` naming the cause.

    ``method="auto"`` runs the Lagrangian phase first where it applies (see
    :mod:`cctvscope.optimisation.facility_lagrange`: bound, incumbent, fixings)
    and HiGHS on the reduced model; ``"plain"`` hands the full model to HiGHS.
    Both prove the same optimum. Raises :class:`NoSolutionError` when the solver
    stops without any solution (e.g. a time limit before the first incumbent). A
    solution found before a time limit is returned with ``status == "time_limit"``.
    """
    opts = options if options is not None else SolveOptions()
    raise_if_obvious(problem)
    if method == "auto" and facility_lagrange.applicable(problem):
        found = _solve_with_bounds(problem, opts)
        if found is not None:
            return found
    built = build_sscflp(problem)
    outcome = solve(built.highs, opts)
    if outcome.status == "infeasible":
        raise InfeasibleError(diagnose_infeasibility(problem, opts))
    return extract(built, outcome)


def _integral_objective(problem: FacilityProblem) -> bool:
    return bool(
        np.all(problem.costs == np.round(problem.costs))
        and np.all(problem.fixed_costs == np.round(problem.fixed_costs))
    )


def _solve_with_bounds(problem: FacilityProblem, opts: SolveOptions) -> FacilitySolution | None:
    """Lagrangian bound + incumbent + fixings, then HiGHS on the reduced model.

    Returns ``None`` when the heuristic found no incumbent (the caller then solves
    the full model). Every fixing removes only solutions worse than the incumbent,
    which stays feasible in the reduced model, so its optimum is the optimum.
    """
    start = time.perf_counter()
    integral = _integral_objective(problem)
    # With integer costs an incumbent less than 1 above the bound is optimal.
    stop_gap = 1.0 - 1e-6 if integral else opts.mip_abs_gap
    lag = facility_lagrange.lagrangian_fixing(problem, stop_gap=stop_gap)
    if lag.assignment is None or lag.is_open is None:
        return None
    gap = lag.upper - lag.bound
    if gap <= stop_gap or gap <= opts.mip_rel_gap * abs(lag.upper):
        outcome = SolveOutcome(
            status="optimal", objective=lag.upper, bound=lag.upper if integral else lag.bound,
            gap=0.0, seconds=time.perf_counter() - start, solver=solver_name(),
            highs_status="Optimal (Lagrangian bound)",
        )  # fmt: skip
        return solution_from_assignment(problem, lag.assignment, lag.is_open, None, outcome)
    if gap > _POLISH_GAP * abs(lag.upper):
        lag = _polish(problem, lag, lag.assignment, lag.is_open, opts)
    assignment, is_open = lag.assignment, lag.is_open
    if assignment is None or is_open is None:
        return None
    reduced = dataclasses.replace(
        problem,
        allowed=problem.usable() & ~lag.fix_pairs,
        must_open=problem.must_open | lag.fix_open,
        must_close=problem.must_close | lag.fix_closed,
    )
    built = build_sscflp(reduced)
    _set_start(built, assignment, is_open)
    left = opts.time_limit_s
    if left is not None:
        left = max(left - (time.perf_counter() - start), 1e-3)
    outcome = solve(built.highs, dataclasses.replace(opts, time_limit_s=left))
    seconds = time.perf_counter() - start
    if not outcome.has_solution or (outcome.objective or 0.0) > lag.upper:
        # Defensive: the incumbent is feasible for the reduced model, so HiGHS
        # should never end without it; if it does, the incumbent is the answer.
        status = "optimal" if outcome.status in ("optimal", "infeasible") else outcome.status
        kept = dataclasses.replace(outcome, status=status, objective=lag.upper, seconds=seconds)
        return solution_from_assignment(problem, assignment, is_open, None, kept)
    bound = outcome.bound if outcome.bound is None else max(outcome.bound, lag.bound)
    outcome = dataclasses.replace(outcome, seconds=seconds, bound=bound)
    return dataclasses.replace(extract(built, outcome), problem=problem)


#: Relative gap between incumbent and bound above which the incumbent is polished.
_POLISH_GAP = 3e-3
#: Branch-and-bound nodes the polishing solve may use (it is a heuristic, not a proof).
_POLISH_NODES = 30


def _polish(
    problem: FacilityProblem,
    lag: facility_lagrange.LagrangianResult,
    assignment: IntArray,
    is_open: BoolArray,
    opts: SolveOptions,
) -> facility_lagrange.LagrangianResult:
    """Best assignment for the incumbent's open set (a short HiGHS run), then refix.

    On tight capacities the greedy repair leaves the incumbent well above the
    optimum; a better incumbent fixes far more variables.
    """
    open_set = frozenset(int(j) for j in np.flatnonzero(is_open))
    closed = frozenset(range(problem.n_facilities)) - open_set
    restricted = dataclasses.replace(problem, allowed=problem.usable() & ~lag.fix_pairs,
                                     must_open=open_set, must_close=closed)  # fmt: skip
    built = build_sscflp(restricted)
    _set_start(built, assignment, is_open)
    built.highs.setOptionValue("mip_max_nodes", _POLISH_NODES)
    outcome = solve(built.highs, opts)
    if not outcome.has_solution or (outcome.objective or np.inf) >= lag.upper - 1e-9:
        return lag
    found = extract(built, outcome)
    now_open = np.zeros(problem.n_facilities, dtype=np.bool_)
    now_open[list(found.open_facilities)] = True
    return facility_lagrange.refix(problem, lag, found.objective, found.assignment, now_open)


def _set_start(built: BuiltModel, assignment: IntArray, is_open: BoolArray) -> None:
    """Give HiGHS the incumbent as its starting solution (column layout of build_sscflp)."""
    n, m = built.problem.n_facilities, built.problem.n_customers
    col = np.zeros(built.highs.getNumCol())
    col[np.arange(m) * n + assignment] = 1.0
    col[built.y_start : built.y_start + n] = is_open
    start = highspy.HighsSolution()
    start.col_value = col.tolist()
    start.value_valid = True
    built.highs.setSolution(start)
