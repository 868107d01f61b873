"""Compiled kernels for the SSCFLP Lagrangian: knapsacks, the covering problem, repair.

Relaxing the assignment rows ``Σ_j x_ij = 1`` with multipliers ``λ_i`` leaves one
0-1 knapsack per facility (profit ``λ_i − c_ij``, weight ``d_i``, capacity
``Q_j``) and a covering knapsack over the facilities (``Σ_j Q_j y_j ≥ Σ_i d_i``).
Both are solved exactly by dynamic programming over integer weights, which is why
the Lagrangian path needs integer demands and capacities. The primal side
(:func:`greedy_assign`, :func:`local_search`) turns a set of open facilities into
a feasible single-source assignment.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = [
    "cover_dp",
    "cover_flip_values",
    "greedy_assign",
    "knapsacks",
    "local_search",
]

_EPS = 1e-9


@numba.njit(cache=True, nogil=True)
def knapsacks(
    profit: NDArray[np.float64],
    weight: NDArray[np.int64],
    capacity: NDArray[np.int64],
    usable: NDArray[np.bool_],
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]]:
    """Exact 0-1 knapsack per facility ``j``: max Σ_i profit_ij x_i, Σ_i w_i x_i ≤ Q_j.

    Returns (best (n,), take (m, n) chosen items, table (n, max Q + 1)) where
    ``table[j, c]`` is the best profit within capacity ``c`` (used to bound the
    profit when one item is forced in).
    """
    m, n = profit.shape
    qmax = 0
    for j in range(n):
        qmax = max(qmax, capacity[j])
    best = np.zeros(n)
    take = np.zeros((m, n), dtype=np.bool_)
    table = np.zeros((n, qmax + 1))
    items = np.empty(m, dtype=np.int64)
    for j in range(n):
        q = capacity[j]
        count = 0
        for i in range(m):
            if usable[i, j] and profit[i, j] > 0.0 and weight[i] <= q:
                items[count] = i
                count += 1
        dp = np.zeros(q + 1)
        keep = np.zeros((count, q + 1), dtype=np.bool_)
        for k in range(count):
            i = items[k]
            w = weight[i]
            p = profit[i, j]
            for c in range(q, w - 1, -1):
                v = dp[c - w] + p
                if v > dp[c]:
                    dp[c] = v
                    keep[k, c] = True
        best[j] = dp[q]
        table[j, : q + 1] = dp
        table[j, q + 1 :] = dp[q]
        c = q
        for k in range(count - 1, -1, -1):
            if keep[k, c]:
                take[items[k], j] = True
                c -= weight[items[k]]
    return best, take, table


@numba.njit(cache=True, nogil=True)
def cover_dp(
    value: NDArray[np.float64],
    capacity: NDArray[np.int64],
    need: int,
    state: NDArray[np.int8],
) -> tuple[float, NDArray[np.bool_]]:
    """min Σ_j v_j y_j s.t. Σ_j Q_j y_j ≥ need, y_j forced where ``state`` is 0 or 1.

    ``state[j]``: −1 free, 0 closed, 1 open. Returns (optimum, y); the optimum is
    ``inf`` when no choice covers ``need``.
    """
    n = value.shape[0]
    inf = np.inf
    g = np.full(need + 1, inf)
    g[0] = 0.0
    keep = np.zeros((n, need + 1), dtype=np.bool_)
    for j in range(n):
        if state[j] == 0:
            continue
        q = capacity[j]
        v = value[j]
        forced = state[j] == 1
        for c in range(need, -1, -1):
            prev = g[max(c - q, 0)] + v
            if forced or prev < g[c]:
                g[c] = prev
                keep[j, c] = True
    y = np.zeros(n, dtype=np.bool_)
    if not g[need] < inf:
        return inf, y
    c = need
    for j in range(n - 1, -1, -1):
        if keep[j, c]:
            y[j] = True
            c = max(c - capacity[j], 0)
    return g[need], y


@numba.njit(cache=True, nogil=True)
def cover_flip_values(
    value: NDArray[np.float64],
    capacity: NDArray[np.int64],
    need: int,
    state: NDArray[np.int8],
    y: NDArray[np.bool_],
) -> NDArray[np.float64]:
    """For each free facility ``j``, the covering optimum with ``y_j`` forced to ``1 − y_j``.

    Forced facilities get the unchanged optimum at index ``j`` (nothing to flip).
    """
    n = value.shape[0]
    out = np.empty(n)
    base, _ = cover_dp(value, capacity, need, state)
    trial = state.copy()
    for j in range(n):
        if state[j] != -1:
            out[j] = base
            continue
        trial[j] = 0 if y[j] else 1
        out[j], _ = cover_dp(value, capacity, need, trial)
        trial[j] = -1
    return out


@numba.njit(cache=True, nogil=True)
def _cheapest_fit(
    costs: NDArray[np.float64],
    demand: NDArray[np.float64],
    usable: NDArray[np.bool_],
    is_open: NDArray[np.bool_],
    residual: NDArray[np.float64],
    i: int,
) -> int:
    """The cheapest open facility with room for customer ``i`` (−1: none)."""
    best = -1
    best_cost = np.inf
    for j in range(costs.shape[1]):
        fits = is_open[j] and usable[i, j] and residual[j] >= demand[i] - _EPS
        if fits and costs[i, j] < best_cost:
            best_cost = costs[i, j]
            best = j
    return best


@numba.njit(cache=True, nogil=True)
def greedy_assign(
    costs: NDArray[np.float64],
    demand: NDArray[np.float64],
    capacity: NDArray[np.float64],
    is_open: NDArray[np.bool_],
    usable: NDArray[np.bool_],
    start: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Complete ``start`` (−1: unassigned) customer by customer, largest regret first.

    Each unassigned customer goes to the cheapest open facility with room; regret
    is the gap between its two cheapest open facilities. Returns the assignment,
    with −1 for customers that found no room.
    """
    m, n = costs.shape
    regret = np.zeros(m)
    for i in range(m):
        first = np.inf
        second = np.inf
        for j in range(n):
            if is_open[j] and usable[i, j]:
                c = costs[i, j]
                if c < first:
                    second = first
                    first = c
                elif c < second:
                    second = c
        regret[i] = (second - first if second < np.inf else 1e18) + demand[i] * 1e-6
    order = np.argsort(-regret)
    residual = capacity.copy()
    assign = start.copy()
    for i in range(m):
        if assign[i] >= 0:
            residual[assign[i]] -= demand[i]
    for i in order:
        if assign[i] >= 0:
            continue
        best = _cheapest_fit(costs, demand, usable, is_open, residual, i)
        if best >= 0:
            assign[i] = best
            residual[best] -= demand[i]
    return assign


@numba.njit(cache=True, nogil=True)
def local_search(
    costs: NDArray[np.float64],
    demand: NDArray[np.float64],
    capacity: NDArray[np.float64],
    usable: NDArray[np.bool_],
    assign: NDArray[np.int64],
    is_open: NDArray[np.bool_],
) -> None:
    """Improve a full assignment in place by shift and swap moves among open facilities."""
    m, n = costs.shape
    residual = capacity * is_open
    for i in range(m):
        residual[assign[i]] -= demand[i]
    improved = True
    while improved:
        improved = False
        for i in range(m):
            a = assign[i]
            for j in range(n):
                fits = j != a and is_open[j] and usable[i, j] and residual[j] >= demand[i] - _EPS
                if fits and costs[i, j] < costs[i, a] - _EPS:
                    residual[a] += demand[i]
                    residual[j] -= demand[i]
                    assign[i] = j
                    a = j
                    improved = True
        for i in range(m):
            for k in range(i + 1, m):
                a = assign[i]
                b = assign[k]
                if a == b or not usable[i, b] or not usable[k, a]:
                    continue
                delta = costs[i, b] + costs[k, a] - costs[i, a] - costs[k, b]
                if delta >= -_EPS:
                    continue
                shift = demand[i] - demand[k]
                if residual[b] >= shift - _EPS and residual[a] >= -shift - _EPS:
                    residual[b] -= shift
                    residual[a] += shift
                    assign[i] = b
                    assign[k] = a
                    improved = True
        if not improved:
            improved = _ejection_pass(costs, demand, usable, assign, is_open, residual)


@numba.njit(cache=True, nogil=True)
def _ejection_pass(
    costs: NDArray[np.float64],
    demand: NDArray[np.float64],
    usable: NDArray[np.bool_],
    assign: NDArray[np.int64],
    is_open: NDArray[np.bool_],
    residual: NDArray[np.float64],
) -> bool:
    """Chains of two shifts: ``i`` a→b where it does not fit, after ``k`` b→c makes room.

    Tight capacities leave single shifts and swaps stuck; these chains free them.
    Applies the first improving chain found per customer; True if any was applied.
    """
    m, n = costs.shape
    improved = False
    for i in range(m):
        a = assign[i]
        for b in range(n):
            if b == a or not is_open[b] or not usable[i, b]:
                continue
            gain_i = costs[i, b] - costs[i, a]
            if gain_i >= -_EPS or residual[b] >= demand[i] - _EPS:
                continue  # no gain, or a plain shift (handled elsewhere)
            done = False
            for k in range(m):
                if assign[k] != b or residual[b] + demand[k] < demand[i] - _EPS:
                    continue
                for c in range(n):
                    if c == b or not is_open[c] or not usable[k, c]:
                        continue
                    room = residual[c] + (demand[i] if c == a else 0.0)
                    if room < demand[k] - _EPS:
                        continue
                    if gain_i + costs[k, c] - costs[k, b] < -_EPS:
                        residual[a] += demand[i]
                        residual[b] += demand[k] - demand[i]
                        residual[c] -= demand[k]
                        assign[i] = b
                        assign[k] = c
                        improved = done = True
                        break
                if done:
                    break
            if done:
                break
    return improved


@numba.njit(cache=True, nogil=True)
def _move_out(
    costs: NDArray[np.float64],
    demand: NDArray[np.float64],
    usable: NDArray[np.bool_],
    assign: NDArray[np.int64],
    is_open: NDArray[np.bool_],
    residual: NDArray[np.float64],
    j: int,
) -> float:
    """Reassign every customer of ``j`` (largest first) to the cheapest open facility with room.

    ``is_open[j]`` must already be False. Changes ``assign`` and ``residual`` and
    returns the cost change, or ``inf`` (with the caller expected to restore the
    arrays) when some customer fits nowhere.
    """
    members = np.flatnonzero(assign == j)
    order = members[np.argsort(-demand[members])]
    delta = 0.0
    for i in order:
        best = _cheapest_fit(costs, demand, usable, is_open, residual, i)
        if best < 0:
            return np.inf
        delta += costs[i, best] - costs[i, j]
        assign[i] = best
        residual[best] -= demand[i]
    return delta


@numba.njit(cache=True, nogil=True)
def facility_search(
    costs: NDArray[np.float64],
    fixed: NDArray[np.float64],
    demand: NDArray[np.float64],
    capacity: NDArray[np.float64],
    usable: NDArray[np.bool_],
    state: NDArray[np.int8],
    assign: NDArray[np.int64],
    is_open: NDArray[np.bool_],
    max_rounds: int,
) -> None:
    """Improve in place by closing, opening and swapping facilities (first improvement).

    ``state``: −1 free, 0 must stay closed, 1 must stay open. After each accepted
    move the assignment is polished by :func:`local_search`.
    """
    m, n = costs.shape
    for _ in range(max_rounds):
        improved = False
        for j in range(n):
            if not is_open[j] or state[j] == 1:
                continue
            # close j, or swap it for a closed k (k = -1: plain close)
            for k in range(-1, n):
                if k >= 0 and (is_open[k] or state[k] == 0):
                    continue
                saved_assign = assign.copy()
                residual = capacity * is_open
                for i in range(m):
                    residual[assign[i]] -= demand[i]
                is_open[j] = False
                delta = -fixed[j]
                if k >= 0:
                    is_open[k] = True
                    residual[k] = capacity[k]
                    delta += fixed[k]
                delta += _move_out(costs, demand, usable, assign, is_open, residual, j)
                if delta < -_EPS:
                    improved = True
                    local_search(costs, demand, capacity, usable, assign, is_open)
                    break
                assign[:] = saved_assign
                is_open[j] = True
                if k >= 0:
                    is_open[k] = False
        for k in range(n):
            if is_open[k] or state[k] == 0:
                continue
            # open k and move to it every customer that saves by it, while it has room
            gain = np.zeros(m)
            for i in range(m):
                gain[i] = costs[i, assign[i]] - costs[i, k] if usable[i, k] else 0.0
            room = capacity[k]
            delta = fixed[k]
            moved = np.zeros(m, dtype=np.bool_)
            for i in np.argsort(-gain):
                if gain[i] <= 0.0:
                    break
                if demand[i] <= room + _EPS:
                    room -= demand[i]
                    delta -= gain[i]
                    moved[i] = True
            load = np.zeros(n)
            for i in range(m):
                if not moved[i]:
                    load[assign[i]] += demand[i]
            for j in range(n):
                if is_open[j] and state[j] != 1 and load[j] <= 0.0:
                    delta -= fixed[j]
            if delta < -_EPS:
                for i in range(m):
                    if moved[i]:
                        assign[i] = k
                is_open[k] = True
                for j in range(n):
                    if is_open[j] and state[j] != 1 and j != k and load[j] <= 0.0:
                        is_open[j] = False
                improved = True
                local_search(costs, demand, capacity, usable, assign, is_open)
        if not improved:
            return
