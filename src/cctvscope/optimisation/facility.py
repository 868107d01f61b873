"""Single-source capacitated facility location (SSCFLP), built → solved → extracted.

Facilities ``j = 0..n-1`` (e.g. control rooms) have capacity ``Q_j`` and fixed
opening cost ``f_j``; customers ``i = 0..m-1`` (e.g. camera clusters) have demand
``d_i`` and cost ``c_ij`` of being served by ``j``. Variables: ``y_j ∈ {0,1}``
(open), ``x_ij ∈ {0,1}`` (``i`` served by ``j``) and, with ``resilience``,
``z_ij ∈ {0,1}`` (``j`` is ``i``'s backup). The model (see ``docs/optimisation.md``)::

    min  Σ_j f_j y_j + Σ_ij c_ij x_ij + w Σ_ij c_ij z_ij
    s.t. Σ_j x_ij = 1                       ∀i            (assign)
         Σ_i d_i (x_ij + z_ij) ≤ Q_j y_j     ∀j            (capacity)
         x_ij + z_ij ≤ y_j                   ∀i,j allowed  (link, strong)
         Σ_j Q_j y_j ≥ k Σ_i d_i             k = 2 with resilience, else 1 (aggregate)
         min_open ≤ Σ_j y_j ≤ max_open                      (count)
         Σ_j z_ij = 1                        ∀i            (backup, resilience only)
         y_j = 1 (must_open), y_j = 0 (must_close), x_ij = z_ij = 0 where not allowed

Without resilience the ``z`` terms are absent.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
from numpy.typing import NDArray

from cctvscope.errors import CctvscopeError, InfeasibleError, InputError
from cctvscope.optimisation.model_builder import ModelBuilder
from cctvscope.optimisation.solve import SolveOptions, SolveOutcome, solve

__all__ = [
    "BuiltModel",
    "FacilityProblem",
    "FacilitySolution",
    "NoSolutionError",
    "build_sscflp",
    "check_feasibility",
    "diagnose_infeasibility",
    "extract",
    "raise_if_obvious",
    "solution_from_assignment",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

_INF = highspy.kHighsInf


class NoSolutionError(CctvscopeError):
    """The solver stopped (time limit, error) without any feasible solution to extract."""


def _frozen_array(value: Any, dtype: type, name: str, ndim: int) -> NDArray[Any]:
    try:
        arr: NDArray[Any] = np.array(value, dtype=dtype, copy=True)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: not a numeric array ({exc})") from exc
    if arr.ndim != ndim:
        raise InputError(f"{name}: expected a {ndim}-d array, got shape {arr.shape}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class FacilityProblem:
    """A single-source capacitated facility-location instance plus planning options.

    ``capacities`` (n,), ``fixed_costs`` (n,), ``demands`` (m,) and ``costs`` (m, n)
    (cost of serving customer ``i`` from facility ``j``) are copied into read-only
    float arrays. Options: ``must_open`` / ``must_close`` (facility indices),
    ``allowed`` (m×n bool mask of permitted pairs, e.g. within a maximum distance;
    ``None``: all), ``min_open`` / ``max_open`` (bounds on the number open),
    ``resilience`` (every customer also gets a distinct open backup facility; see
    :func:`build_sscflp`) and ``backup_cost_weight`` (weight ``w`` of backup
    assignment costs in the objective; 0 by default, i.e. backups cost nothing).
    """

    capacities: FloatArray
    fixed_costs: FloatArray
    demands: FloatArray
    costs: FloatArray
    facility_names: tuple[str, ...] | None = None
    customer_names: tuple[str, ...] | None = None
    must_open: frozenset[int] = field(default_factory=frozenset)
    must_close: frozenset[int] = field(default_factory=frozenset)
    allowed: BoolArray | None = None
    min_open: int | None = None
    max_open: int | None = None
    resilience: bool = False
    backup_cost_weight: float = 0.0

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "capacities", _frozen_array(self.capacities, np.float64, "capacities", 1))
        put(self, "fixed_costs", _frozen_array(self.fixed_costs, np.float64, "fixed_costs", 1))
        put(self, "demands", _frozen_array(self.demands, np.float64, "demands", 1))
        put(self, "costs", _frozen_array(self.costs, np.float64, "costs", 2))
        n, m = self.capacities.shape[0], self.demands.shape[0]
        problems: list[str] = []
        if n == 0 or m == 0:
            problems.append(f"need at least one facility and one customer (got n={n}, m={m})")
        if self.fixed_costs.shape != (n,):
            problems.append(f"fixed_costs has {self.fixed_costs.shape[0]} values, expected {n}")
        if self.costs.shape != (m, n):
            problems.append(f"costs has shape {self.costs.shape}, expected ({m}, {n})")
        for name in ("capacities", "fixed_costs", "demands", "costs"):
            arr: FloatArray = getattr(self, name)
            if not np.all(np.isfinite(arr)):
                problems.append(f"{name} contains non-finite values")
        for name in ("capacities", "demands"):
            if np.any(getattr(self, name) < 0):
                problems.append(f"{name} must be non-negative")
        if self.allowed is not None:
            mask = _frozen_array(self.allowed, np.bool_, "allowed", 2)
            if mask.shape != (m, n):
                problems.append(f"allowed has shape {mask.shape}, expected ({m}, {n})")
            put(self, "allowed", mask)
        for name in ("must_open", "must_close"):
            idx = frozenset(int(j) for j in getattr(self, name))
            bad = sorted(j for j in idx if not 0 <= j < n)
            if bad:
                problems.append(f"{name} has facility indices out of range 0..{n - 1}: {bad}")
            put(self, name, idx)
        for name in ("min_open", "max_open"):
            value = getattr(self, name)
            if value is not None and int(value) < 0:
                problems.append(f"{name} must be non-negative, got {value}")
        if self.facility_names is not None:
            put(self, "facility_names", tuple(str(s) for s in self.facility_names))
            if len(self.facility_names) != n:
                problems.append(f"facility_names has {len(self.facility_names)} names, need {n}")
        if self.customer_names is not None:
            put(self, "customer_names", tuple(str(s) for s in self.customer_names))
            if len(self.customer_names) != m:
                problems.append(f"customer_names has {len(self.customer_names)} names, need {m}")
        if self.backup_cost_weight < 0:
            problems.append("backup_cost_weight must be non-negative")
        if problems:
            raise InputError("invalid facility problem: " + "; ".join(problems))

    @property
    def n_facilities(self) -> int:
        """Number of candidate facilities ``n``."""
        return int(self.capacities.shape[0])

    @property
    def n_customers(self) -> int:
        """Number of customers ``m``."""
        return int(self.demands.shape[0])

    def facility_label(self, j: int) -> str:
        """Name of facility ``j`` (or ``"facility <j>"``)."""
        return self.facility_names[j] if self.facility_names else f"facility {j}"

    def customer_label(self, i: int) -> str:
        """Name of customer ``i`` (or ``"customer <i>"``)."""
        return self.customer_names[i] if self.customer_names else f"customer {i}"

    def usable(self) -> BoolArray:
        """(m, n) mask of pairs that may be used: allowed, facility not closed, fits."""
        n, m = self.n_facilities, self.n_customers
        mask = np.ones((m, n), dtype=np.bool_) if self.allowed is None else self.allowed.copy()
        if self.must_close:
            mask[:, sorted(self.must_close)] = False
        mask &= self.demands[:, None] <= self.capacities[None, :] * (1 + 1e-12)
        return mask


@dataclass(frozen=True, eq=False)
class BuiltModel:
    """A built SSCFLP: the HiGHS object plus the column layout needed to read it back.

    Columns: ``x_ij`` at ``i * n + j``; ``y_j`` at ``y_start + j``; with resilience
    ``z_ij`` at ``z_start + i * n + j``. ``rows`` maps each constraint family to its
    (first, stop) row range.
    """

    highs: highspy.Highs
    problem: FacilityProblem
    y_start: int
    z_start: int | None
    rows: dict[str, tuple[int, int]]


@dataclass(frozen=True, eq=False)
class FacilitySolution:
    """A solution read back from a solved model.

    ``open_facilities``: sorted indices of open facilities. ``assignment`` (m,):
    facility serving each customer. ``backup`` (m,): backup facility per customer
    (``None`` without resilience). ``loads`` (n,): primary demand served by each
    facility; ``backup_loads`` (n,): demand backed up onto each facility.
    ``objective`` = ``fixed_cost + assignment_cost + backup_cost`` (recomputed from
    the integer solution); ``outcome``: the solver's report.
    """

    problem: FacilityProblem
    open_facilities: tuple[int, ...]
    assignment: IntArray
    backup: IntArray | None
    fixed_cost: float
    assignment_cost: float
    backup_cost: float
    objective: float
    loads: FloatArray
    backup_loads: FloatArray | None
    outcome: SolveOutcome

    @property
    def status(self) -> str:
        """The solver status (``optimal``, ``time_limit``, ...)."""
        return self.outcome.status

    def open_names(self) -> list[str]:
        """Labels of the open facilities."""
        return [self.problem.facility_label(j) for j in self.open_facilities]


def build_sscflp(problem: FacilityProblem) -> BuiltModel:
    """Build the strong SSCFLP formulation from named blocks (vectorised)."""
    n, m = problem.n_facilities, problem.n_customers
    d, q = problem.demands, problem.capacities
    usable = problem.usable()
    res = problem.resilience
    y_lower, y_upper = np.zeros(n), np.ones(n)
    y_upper[sorted(problem.must_close)] = 0.0
    y_lower[sorted(problem.must_open)] = 1.0

    mb = ModelBuilder()
    x = mb.add_variables("x", m * n, cost=problem.costs.ravel(), upper=usable.ravel(), integer=True)
    y = mb.add_variables("y", n, cost=problem.fixed_costs, lower=y_lower, upper=y_upper,
                         integer=True)  # fmt: skip
    z = None
    if res:
        z = mb.add_variables("z", m * n, cost=problem.backup_cost_weight * problem.costs.ravel(),
                             upper=usable.ravel(), integer=True)  # fmt: skip

    ii, jj = np.nonzero(usable)  # usable pairs in row-major order
    x_of = x.at(ii * n + jj)
    ones = np.ones(ii.size)
    # assign: Σ_j x_ij = 1
    mb.add_constraints("assign", m, ii, x_of, ones, lower=1.0, upper=1.0)
    # capacity: Σ_i d_i (x_ij + z_ij) − Q_j y_j ≤ 0
    cap_r, cap_c, cap_v = [jj, np.arange(n)], [x_of, y.all()], [d[ii], -q]
    # link (strong): x_ij (+ z_ij) − y_j ≤ 0 for every usable pair
    k = np.arange(ii.size)
    link_r, link_c, link_v = [k, k], [x_of, y.at(jj)], [ones, -ones]
    if z is not None:
        cap_r.append(jj)
        cap_c.append(z.at(ii * n + jj))
        cap_v.append(d[ii])
        link_r.append(k)
        link_c.append(z.at(ii * n + jj))
        link_v.append(ones)
    mb.add_constraints("capacity", n, np.concatenate(cap_r), np.concatenate(cap_c),
                       np.concatenate(cap_v), upper=0.0)  # fmt: skip
    mb.add_constraints("link", ii.size, np.concatenate(link_r), np.concatenate(link_c),
                       np.concatenate(link_v), upper=0.0)  # fmt: skip
    # aggregate capacity cut: Σ_j Q_j y_j ≥ k Σ_i d_i
    factor = 2.0 if res else 1.0
    mb.add_constraints("aggregate", 1, np.zeros(n), y.all(), q, lower=factor * float(d.sum()))
    # count of open facilities
    lo_open = max(problem.min_open or 0, 2 if res else 0)
    hi_open = problem.max_open
    if lo_open > 0 or hi_open is not None:
        mb.add_constraints("count", 1, np.zeros(n), y.all(), 1.0, lower=float(lo_open),
                           upper=_INF if hi_open is None else float(hi_open))  # fmt: skip
    if z is not None:
        mb.add_constraints("backup", m, ii, z.at(ii * n + jj), ones, lower=1.0, upper=1.0)
    built = mb.build()
    rows = {name: (b.start, b.stop) for name, b in built.rows.items()}
    return BuiltModel(highs=built.highs, problem=problem, y_start=y.start,
                      z_start=None if z is None else z.start, rows=rows)  # fmt: skip


def extract(built: BuiltModel, outcome: SolveOutcome) -> FacilitySolution:
    """Read the open facilities, assignments, costs and loads back from a solved model."""
    problem = built.problem
    if not outcome.has_solution:
        if outcome.status == "infeasible":
            raise InfeasibleError("the facility model is infeasible")
        raise NoSolutionError(f"no feasible solution found (status {outcome.status})")
    n, m = problem.n_facilities, problem.n_customers
    values = np.asarray(built.highs.getSolution().col_value, dtype=np.float64)
    x = values[: m * n].reshape(m, n)
    y = values[built.y_start : built.y_start + n]
    backup: IntArray | None = None
    if built.z_start is not None:
        z = values[built.z_start : built.z_start + m * n].reshape(m, n)
        backup = np.argmax(z, axis=1).astype(np.int64)
    return solution_from_assignment(
        problem, np.argmax(x, axis=1).astype(np.int64), y > 0.5, backup, outcome
    )


def solution_from_assignment(
    problem: FacilityProblem,
    assignment: IntArray,
    open_mask: BoolArray,
    backup: IntArray | None,
    outcome: SolveOutcome,
) -> FacilitySolution:
    """Costs and loads of an integer solution (the objective is recomputed from it)."""
    n = problem.n_facilities
    rows = np.arange(problem.n_customers)
    loads = np.bincount(assignment, weights=problem.demands, minlength=n).astype(np.float64)
    fixed_cost = float(problem.fixed_costs[open_mask].sum())
    assignment_cost = float(problem.costs[rows, assignment].sum())
    backup_loads: FloatArray | None = None
    backup_cost = 0.0
    if backup is not None:
        backup_loads = np.bincount(backup, weights=problem.demands, minlength=n).astype(np.float64)
        backup_cost = problem.backup_cost_weight * float(problem.costs[rows, backup].sum())
    return FacilitySolution(
        problem=problem,
        open_facilities=tuple(int(j) for j in np.flatnonzero(open_mask)),
        assignment=assignment,
        backup=backup,
        fixed_cost=fixed_cost,
        assignment_cost=assignment_cost,
        backup_cost=backup_cost,
        objective=fixed_cost + assignment_cost + backup_cost,
        loads=loads,
        backup_loads=backup_loads,
        outcome=outcome,
    )


def check_feasibility(problem: FacilityProblem) -> list[str]:
    """Reasons why ``problem`` is obviously infeasible (empty list: none found).

    These are necessary conditions only; a problem passing them may still be
    infeasible (e.g. bin-packing of single-sourced demands), which the solver finds.
    """
    reasons: list[str] = []
    n = problem.n_facilities
    d, q = problem.demands, problem.capacities
    res = problem.resilience
    need = 2 if res else 1
    both = problem.must_open & problem.must_close
    if both:
        reasons.append(f"must_open and must_close both contain facilities {sorted(both)}")
    available = n - len(problem.must_close)
    if problem.max_open is not None:
        if len(problem.must_open) > problem.max_open:
            reasons.append(
                f"must_open lists {len(problem.must_open)} facilities but max_open is "
                f"{problem.max_open}"
            )
        if res and problem.max_open < 2:
            reasons.append(f"resilience needs at least 2 open facilities, max_open is "
                           f"{problem.max_open}")  # fmt: skip
        if problem.min_open is not None and problem.min_open > problem.max_open:
            reasons.append(f"min_open ({problem.min_open}) exceeds max_open ({problem.max_open})")
    if problem.min_open is not None and problem.min_open > available:
        reasons.append(
            f"min_open is {problem.min_open} but only {available} facilities are not closed"
        )
    usable = problem.usable()
    allowed = (
        np.ones_like(usable) if problem.allowed is None else problem.allowed.copy()
    ) & ~np.isin(np.arange(n), sorted(problem.must_close))[None, :]
    for i in np.flatnonzero(allowed.sum(axis=1) < need):
        count = int(allowed[i].sum())
        what = "no allowed facility" if count == 0 else "only one allowed facility (needs a backup)"
        reasons.append(f"{problem.customer_label(int(i))} has {what}")
    for i in np.flatnonzero((usable.sum(axis=1) < need) & (allowed.sum(axis=1) >= need)):
        reasons.append(
            f"{problem.customer_label(int(i))} demand {d[i]:g} exceeds the capacity of "
            + ("every" if need == 1 else "all but one")
            + " allowed facility"
        )
    open_cap = q.copy()
    if problem.must_close:
        open_cap[sorted(problem.must_close)] = 0.0
    total_need = need * float(d.sum())
    if float(open_cap.sum()) < total_need * (1 - 1e-12):
        reasons.append(
            f"total capacity of facilities not closed ({open_cap.sum():g}) is below total "
            + ("demand" if need == 1 else "demand plus backup demand")
            + f" ({total_need:g})"
        )
    elif problem.max_open is not None and len(problem.must_open) <= problem.max_open:
        forced = sorted(problem.must_open)
        rest = np.delete(open_cap, forced)
        extra = np.sort(rest)[::-1][: problem.max_open - len(forced)]
        best = float(open_cap[forced].sum() + extra.sum())
        if best < total_need * (1 - 1e-12):
            reasons.append(
                f"with at most {problem.max_open} open facilities the largest possible "
                f"capacity ({best:g}) is below the required {total_need:g}"
            )
    return reasons


# Families of constraints dropped one at a time to explain an infeasible problem.
_RELAXATIONS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("max_open", "the limit max_open", {"max_open": None}),
    ("min_open", "the minimum min_open", {"min_open": None}),
    ("must_open", "the must_open facilities", {"must_open": frozenset()}),
    ("must_close", "the must_close facilities", {"must_close": frozenset()}),
    ("allowed", "the allowed-pairs mask (e.g. maximum distance)", {"allowed": None}),
    ("resilience", "the resilience (backup facility) requirement", {"resilience": False}),
)


def _relevant(problem: FacilityProblem, key: str) -> bool:
    value = getattr(problem, key)
    return bool(value) if not isinstance(value, np.ndarray) else bool(np.any(~value))


def _is_feasible(problem: FacilityProblem, options: SolveOptions) -> bool | None:
    if check_feasibility(problem):
        return False
    quick = dataclasses.replace(options, mip_rel_gap=1e30, mip_abs_gap=1e30)
    outcome = solve(build_sscflp(problem).highs, quick)
    if outcome.has_solution:
        return True
    return False if outcome.status == "infeasible" else None


def diagnose_infeasibility(problem: FacilityProblem, options: SolveOptions | None = None) -> str:
    """Name the constraint family whose removal makes ``problem`` feasible.

    Tries, in order, dropping max_open, min_open, must_open, must_close, the
    allowed mask and resilience; reports the first that restores feasibility.
    """
    opts = options if options is not None else SolveOptions()
    obvious = check_feasibility(problem)
    if obvious:
        return "; ".join(obvious)
    for key, label, change in _RELAXATIONS:
        if not _relevant(problem, key):
            continue
        if _is_feasible(dataclasses.replace(problem, **change), opts):
            return f"infeasible because of {label} ({key}): dropping it makes the problem feasible"
    return (
        "infeasible: the single-source assignment cannot fit customer demands into facility "
        "capacities (no single option family explains it)"
    )


def raise_if_obvious(problem: FacilityProblem) -> None:
    """Raise :class:`InfeasibleError` listing every obvious reason for infeasibility."""
    reasons = check_feasibility(problem)
    if reasons:
        raise InfeasibleError("facility problem is infeasible: " + "; ".join(reasons))
