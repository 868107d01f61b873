"""Lagrangian bound, primal heuristic and reduced-cost fixing for the plain SSCFLP.

Relaxing the assignment rows ``Σ_j x_ij = 1`` with multipliers ``λ`` gives

    L(λ) = Σ_i λ_i + min { Σ_j v_j y_j : Σ_j Q_j y_j ≥ Σ_i d_i, y fixed as asked }
    v_j  = f_j − max { Σ_i (λ_i − c_ij) x_ij : Σ_i d_i x_ij ≤ Q_j }   (a 0-1 knapsack)

a lower bound on the optimum for every ``λ`` that is stronger than the LP bound
(the knapsacks have no integrality property). Subgradient steps raise it; every
few steps the open set of the relaxed solution is repaired into a feasible
assignment (greedy by regret, then shift/swap local search) for an incumbent.
With the best ``λ`` and the incumbent value ``U`` a facility or pair whose
Lagrangian bound, with that variable flipped, exceeds ``U`` cannot be in a
solution better than the incumbent, so it is fixed. HiGHS then proves optimality
on the reduced model (see :func:`cctvscope.optimisation.facility_solve.solve_facility`).

The path needs integer demands and capacities (the knapsacks are solved by exact
dynamic programming) and no resilience or open-count option; :func:`applicable`
says whether a problem qualifies.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cctvscope.optimisation.facility import FacilityProblem
from cctvscope.optimisation.facility_kernels import (
    cover_dp,
    cover_flip_values,
    facility_search,
    greedy_assign,
    knapsacks,
    local_search,
)

__all__ = ["LagrangianResult", "applicable", "lagrangian_fixing", "refix", "repair"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: Largest knapsack table (customers × summed capacities) the exact DP is used for.
_MAX_DP_CELLS = 40_000_000


@dataclass(frozen=True, eq=False)
class LagrangianResult:
    """What the Lagrangian phase proved and found.

    ``bound``: best Lagrangian lower bound. ``upper``: incumbent objective
    (``inf`` when the heuristic found none) with ``assignment`` (m,) and
    ``is_open`` (n,). ``fix_open`` / ``fix_closed``: facilities fixed by the
    bound; ``fix_pairs`` (m, n): pairs ``x_ij`` fixed to 0. ``iterations``:
    subgradient steps taken; ``multipliers``: the best ``λ``.
    """

    bound: float
    upper: float
    assignment: IntArray | None
    is_open: BoolArray | None
    fix_open: frozenset[int]
    fix_closed: frozenset[int]
    fix_pairs: BoolArray
    iterations: int
    multipliers: FloatArray


def _is_integral(values: FloatArray) -> bool:
    return bool(np.all(values == np.round(values)))


def applicable(problem: FacilityProblem) -> bool:
    """Whether the Lagrangian path applies (integer data sizes, plain options)."""
    if problem.resilience or problem.min_open is not None or problem.max_open is not None:
        return False
    if not (_is_integral(problem.demands) and _is_integral(problem.capacities)):
        return False
    cells = problem.n_customers * float(problem.capacities.sum()) + float(problem.demands.sum())
    return cells <= _MAX_DP_CELLS


@dataclass(frozen=True, eq=False)
class _Data:
    costs: FloatArray
    fixed: FloatArray
    demand: FloatArray
    capacity: FloatArray
    weight: IntArray
    cap_int: IntArray
    need: int
    usable: BoolArray
    state: NDArray[np.int8]


def _data(problem: FacilityProblem) -> _Data:
    state = np.full(problem.n_facilities, -1, dtype=np.int8)
    state[sorted(problem.must_open)] = 1
    state[sorted(problem.must_close)] = 0
    return _Data(
        costs=np.ascontiguousarray(problem.costs),
        fixed=np.ascontiguousarray(problem.fixed_costs),
        demand=np.ascontiguousarray(problem.demands),
        capacity=np.ascontiguousarray(problem.capacities),
        weight=problem.demands.astype(np.int64),
        cap_int=problem.capacities.astype(np.int64),
        need=int(problem.demands.sum()),
        usable=np.ascontiguousarray(problem.usable()),
        state=state,
    )


@dataclass(frozen=True, eq=False)
class _Relaxed:
    value: float
    facility_value: FloatArray  # v_j
    best: FloatArray  # knapsack optimum per facility
    take: BoolArray
    table: FloatArray
    y: BoolArray
    subgradient: FloatArray


def _relax(data: _Data, lam: FloatArray) -> _Relaxed:
    profit = lam[:, None] - data.costs
    best, take, table = knapsacks(profit, data.weight, data.cap_int, data.usable)
    facility_value = data.fixed - best
    cover, y = cover_dp(facility_value, data.cap_int, data.need, data.state)
    served = (take & y[None, :]).sum(axis=1)
    return _Relaxed(
        value=float(lam.sum()) + float(cover),
        facility_value=facility_value,
        best=best,
        take=take,
        table=table,
        y=y,
        subgradient=1.0 - served,
    )


def _objective(data: _Data, assignment: IntArray, is_open: BoolArray) -> float:
    rows = np.arange(assignment.size)
    return float(data.fixed[is_open].sum() + data.costs[rows, assignment].sum())


def repair(
    data: _Data, is_open: BoolArray, ranking: FloatArray, start: IntArray
) -> tuple[IntArray, BoolArray] | None:
    """A feasible assignment completing ``start`` with ``is_open`` (more in ``ranking`` order).

    ``start`` (−1: unassigned) must respect capacities of facilities in ``is_open``.
    """
    is_open = is_open.copy()
    is_open[data.state == 1] = True
    is_open[data.state == 0] = False
    for _ in range(is_open.size + 1):
        assignment = greedy_assign(data.costs, data.demand, data.capacity, is_open,
                                   data.usable, start)  # fmt: skip
        if np.all(assignment >= 0):
            local_search(data.costs, data.demand, data.capacity, data.usable, assignment, is_open)
            return assignment, _drop_empty(data, assignment, is_open)
        closed = np.flatnonzero(~is_open & (data.state != 0))
        if closed.size == 0:
            return None
        is_open[closed[np.argmin(ranking[closed])]] = True
    return None


def _drop_empty(data: _Data, assignment: IntArray, is_open: BoolArray) -> BoolArray:
    used = np.zeros_like(is_open)
    used[assignment] = True
    return np.asarray(used | (data.state == 1), dtype=np.bool_)


def improve(data: _Data, assignment: IntArray, is_open: BoolArray) -> float:
    """Facility close/open/swap search on a feasible solution, in place; its new objective."""
    facility_search(data.costs, data.fixed, data.demand, data.capacity, data.usable,
                    data.state, assignment, is_open, 50)  # fmt: skip
    is_open[:] = _drop_empty(data, assignment, is_open)
    return _objective(data, assignment, is_open)


class _Incumbent:
    """Best feasible solution seen so far, with the open sets already tried."""

    def __init__(self) -> None:
        self.value = np.inf
        self.assignment: IntArray | None = None
        self.is_open: BoolArray | None = None
        self.seen: set[bytes] = set()

    def offer(self, data: _Data, relaxed: _Relaxed) -> None:
        """Repair the relaxed solution: customers it serves once keep their facility."""
        chosen = relaxed.take & relaxed.y[None, :]
        once = chosen.sum(axis=1) == 1
        key = chosen.tobytes()
        if key in self.seen:
            return
        self.seen.add(key)
        start = np.where(once, np.argmax(chosen, axis=1), -1).astype(np.int64)
        found = repair(data, relaxed.y, relaxed.facility_value, start)
        if found is not None:
            value = improve(data, *found)
            if value < self.value:
                self.value, self.assignment, self.is_open = value, found[0], found[1]


def _initial_multipliers(data: _Data) -> FloatArray:
    # Cost of serving i plus its share of a facility's fixed cost per unit capacity.
    share = data.costs + data.demand[:, None] * (data.fixed / np.maximum(data.capacity, 1.0))
    return np.asarray(np.where(data.usable, share, np.inf).min(axis=1), dtype=np.float64)


def _subgradient(
    data: _Data, incumbent: _Incumbent, max_iterations: int, stop_gap: float
) -> tuple[FloatArray, int]:
    """Held-Karp subgradient ascent; returns the best multipliers and steps taken."""
    lam = _initial_multipliers(data)
    best_lam, best_value = lam.copy(), -np.inf
    step_scale, stall = 2.0, 0
    it = 0
    for it in range(1, max_iterations + 1):
        relaxed = _relax(data, lam)
        if it == 1 or relaxed.value > best_value + 1e-9 * max(1.0, abs(best_value)):
            best_lam, best_value, stall = lam.copy(), relaxed.value, 0
        else:
            stall += 1
            if stall >= 12:
                step_scale, stall = step_scale / 2.0, 0
        if it == 1 or it % 2 == 0:
            incumbent.offer(data, relaxed)
        g = relaxed.subgradient
        norm = float(g @ g)
        target = incumbent.value if np.isfinite(incumbent.value) else 1.05 * abs(relaxed.value)
        if norm == 0.0 or target - best_value <= stop_gap or step_scale < 5e-3:
            break
        lam = lam + step_scale * max(target - relaxed.value, 1e-9) / norm * g
    return best_lam, it


def lagrangian_fixing(
    problem: FacilityProblem, *, max_iterations: int = 150, stop_gap: float = 0.0
) -> LagrangianResult:
    """Bound, incumbent and fixings for ``problem`` (which must be :func:`applicable`).

    ``stop_gap``: stop the ascent once the incumbent is within this absolute gap
    of the bound (e.g. just under 1 for integer costs).
    """
    data = _data(problem)
    incumbent = _Incumbent()
    lam, iterations = _subgradient(data, incumbent, max_iterations, stop_gap)
    relaxed = _relax(data, lam)
    incumbent.offer(data, relaxed)
    if incumbent.assignment is not None and incumbent.is_open is not None:
        incumbent.value = improve(data, incumbent.assignment, incumbent.is_open)
    fix_open, fix_closed, fix_pairs = _fixings(data, lam, relaxed, incumbent.value)
    return LagrangianResult(
        bound=relaxed.value,
        upper=incumbent.value,
        assignment=incumbent.assignment,
        is_open=incumbent.is_open,
        fix_open=fix_open,
        fix_closed=fix_closed,
        fix_pairs=fix_pairs,
        iterations=iterations,
        multipliers=lam,
    )


def refix(
    problem: FacilityProblem,
    result: LagrangianResult,
    upper: float,
    assignment: IntArray,
    is_open: BoolArray,
) -> LagrangianResult:
    """``result`` with a better incumbent (value ``upper``) and the fixings it allows."""
    data = _data(problem)
    relaxed = _relax(data, result.multipliers)
    fix_open, fix_closed, fix_pairs = _fixings(data, result.multipliers, relaxed, upper)
    return dataclasses.replace(
        result, upper=upper, assignment=assignment, is_open=is_open, fix_open=fix_open,
        fix_closed=fix_closed, fix_pairs=fix_pairs,
    )  # fmt: skip


def _fixings(
    data: _Data, lam: FloatArray, relaxed: _Relaxed, upper: float
) -> tuple[frozenset[int], frozenset[int], BoolArray]:
    """Facilities fixed open / closed and pairs fixed to 0 by the bound and ``upper``."""
    m, n = data.costs.shape
    if not np.isfinite(upper):
        return frozenset(), frozenset(), np.zeros((m, n), dtype=np.bool_)
    limit = upper + 1e-7 * max(1.0, abs(upper))
    flipped = float(lam.sum()) + cover_flip_values(
        relaxed.facility_value, data.cap_int, data.need, data.state, relaxed.y
    )
    free = data.state == -1
    fix_open = frozenset(int(j) for j in np.flatnonzero(free & relaxed.y & (flipped > limit)))
    fix_closed = frozenset(int(j) for j in np.flatnonzero(free & ~relaxed.y & (flipped > limit)))
    with_open = np.where(relaxed.y, relaxed.value, flipped)
    return fix_open, fix_closed, _pair_fixings(data, lam, relaxed, with_open, limit)


def _pair_fixings(
    data: _Data, lam: FloatArray, relaxed: _Relaxed, with_open: FloatArray, limit: float
) -> BoolArray:
    """Pairs whose bound with ``x_ij = 1`` forced exceeds ``limit``.

    Forcing ``i`` into facility ``j``'s knapsack costs at least ``best_j −
    (profit_ij + table_j[Q_j − d_i])`` (the table holds the best profit within a
    capacity, an upper bound on the rest once ``i`` is in); ``j`` must then be
    open, whose bound is ``with_open[j]``.
    """
    profit = lam[:, None] - data.costs
    room = data.cap_int[None, :] - data.weight[:, None]
    fits = data.usable & (room >= 0)
    rest = np.take_along_axis(relaxed.table.T, np.clip(room, 0, None), axis=0)
    loss = np.where(relaxed.take, 0.0, relaxed.best[None, :] - (profit + rest))
    bound = with_open[None, :] + np.maximum(loss, 0.0)
    return np.asarray(fits & (bound > limit), dtype=np.bool_)
