r"""Evidence-based monitoring allocation: which cameras to watch live, when, with whom.

Build → solve → extract, as every model here. Inputs are each camera's risk by
hour of day, :math:`r_{c,h}` [incidents per hour-slot per day], the operators a
room can seat, the screens an operator can be given, and a staffing budget in
operator-hours per day. The decision per hour :math:`h` is the number of
operators on duty :math:`o_h`, their screen load :math:`k_h` (screens per
operator) and the cameras watched :math:`x_{c,h}\in\{0,1\}`:

.. math::

    \max \sum_h \sum_c r_{c,h}\, x_{c,h}\, p(k_h)
    \quad\text{s.t.}\quad \sum_c x_{c,h} \le k_h\, o_h,\;
    0 \le o_h \le P,\; 1 \le k_h \le S,\; \sum_h o_h \le B.

The detection probability :math:`p(k)` falls as one operator watches more
screens (:func:`detection_probability`); all operators on duty in one hour carry
the same load. The product :math:`x\,p(k)` makes the model non-linear, but it
separates exactly:

1. For a fixed hour, operators and load, the best selection is the
   :math:`\min(k o, N)` cameras of highest :math:`r_{c,h}` (every watched camera
   gains the same factor :math:`p(k)`), so with :math:`T_h(n)` the sum of the
   hour's :math:`n` largest risks the hour's value is
   :math:`V_h(o) = \max_{1\le k\le S} p(k)\, T_h(\min(k o, N))`, :math:`V_h(0) = 0`.
2. Across hours only the budget couples the choices: a multiple-choice knapsack,
   :math:`\max \sum_{h,o} V_h(o)\, y_{h,o}` with :math:`\sum_o y_{h,o} = 1` and
   :math:`\sum_{h,o} o\, y_{h,o} \le B`, :math:`y` binary. It is solved as a MILP
   with HiGHS (:func:`build_allocation_model`); :func:`allocate_by_dp` solves it
   by dynamic programming over the budget as an independent check.

Baselines use the same formula with untargeted cameras: a camera chosen
uniformly at random among :math:`N` is watched with probability
:math:`\min(k o, N)/N`, so the expected detections of an hour are
:math:`p(k)\,\min(k o, N)\,\bar r_h` with :math:`\bar r_h` the hour's mean risk.

References
----------
PSDB (J. Aldridge) laboratory experiment reported by C. Donald, securitysa.com
article 3313: detection accuracy 85 %, 74 %, 58 %, 53 % on 1, 4, 6 and 9 monitors
(``docs/domain-research.md`` §1.7, verified secondary). Piza et al. (2019),
*Criminology & Public Policy* 18(1):135-159: active monitoring gives larger
effects than passive (verified qualitatively).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
import pandas as pd

from cctvscope.model.assumptions import Assumptions
from cctvscope.optimisation.model_builder import ModelBuilder
from cctvscope.optimisation.solve import SolveOptions, SolveOutcome, solve

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SECTION = "optimisation_monitoring"
HOURS_PER_DAY = 24
DAYS_PER_YEAR = 365.0


# --------------------------------------------------------------------------- curve


@dataclass(frozen=True, slots=True)
class DetectionCurve:
    r"""Detection probability against screens per operator, :math:`p(s) = c + a e^{-b(s-1)}`.

    ``a`` [fraction] is the drop from one screen to the floor, ``b`` [1/screen]
    the decay rate and ``c`` [fraction] the floor. ``residuals`` are fitted minus
    observed at the data points (empty when the parameters were not fitted here).
    """

    a: float
    b: float
    c: float
    screens: tuple[float, ...] = ()
    residuals: tuple[float, ...] = ()

    def __call__(self, screens: npt.ArrayLike) -> FloatArray:
        """Detection probability at ``screens`` (≥ 1) monitors per operator."""
        s = np.asarray(screens, dtype=np.float64)
        if np.any(s < 1):
            raise ValueError("screens per operator must be at least 1")
        return np.asarray(self.c + self.a * np.exp(-self.b * (s - 1.0)), dtype=np.float64)

    @property
    def form(self) -> str:
        """The curve's functional form, by name (beside the other fits' names)."""
        return "exponential to a floor"

    @property
    def rmse(self) -> float:
        """Root-mean-square residual at the data points [fraction] (nan if none)."""
        if not self.residuals:
            return math.nan
        return float(np.sqrt(np.mean(np.square(self.residuals))))


def _linear_fit(s: FloatArray, p: FloatArray, b: float) -> tuple[float, float, float]:
    """For fixed ``b``: least-squares (a, c) in closed form and the sum of squares."""
    design = np.column_stack([np.exp(-b * (s - 1.0)), np.ones_like(s)])
    (a, c), *_ = np.linalg.lstsq(design, p, rcond=None)
    resid = design @ np.array([a, c]) - p
    return float(a), float(c), float(resid @ resid)


def fit_detection_curve(
    screens: Sequence[float], accuracy: Sequence[float], *, b_max: float = 5.0
) -> DetectionCurve:
    r"""Least-squares fit of :math:`p(s) = c + a e^{-b(s-1)}` to detection data.

    Variable projection: for a fixed rate :math:`b` the model is linear in
    :math:`(a, c)`, solved in closed form by linear least squares; the sum of
    squares is then minimised over :math:`b \in (0, b_{max}]` by a grid of 2,000
    points refined by golden-section search. No third-party optimiser is used.

    Parameters
    ----------
    screens
        Monitors per operator of each observation [screens].
    accuracy
        Observed detection accuracy [fraction].
    b_max
        Upper end of the rate search [1/screen].

    Returns
    -------
    DetectionCurve
        Fitted parameters and residuals. On the PSDB points (1, 4, 6, 9 monitors:
        0.85, 0.74, 0.58, 0.53) the fit is a ≈ 0.707, b ≈ 0.0818, c ≈ 0.151, with
        residuals within ±0.041 and RMSE ≈ 0.028.
    """
    s = np.asarray(screens, dtype=np.float64)
    p = np.asarray(accuracy, dtype=np.float64)
    if s.shape != p.shape or s.size < 3:
        raise ValueError("need at least three (screens, accuracy) pairs of equal length")
    grid = np.linspace(b_max / 2000.0, b_max, 2000)
    sse = np.array([_linear_fit(s, p, float(b))[2] for b in grid])
    i = int(np.argmin(sse))
    lo, hi = float(grid[max(i - 1, 0)]), float(grid[min(i + 1, grid.size - 1)])
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(100):
        m1, m2 = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if _linear_fit(s, p, m1)[2] <= _linear_fit(s, p, m2)[2]:
            hi = m2
        else:
            lo = m1
    b = (lo + hi) / 2.0
    a, c, _ = _linear_fit(s, p, b)
    fitted = c + a * np.exp(-b * (s - 1.0))
    return DetectionCurve(
        a=a, b=b, c=c, screens=tuple(s.tolist()), residuals=tuple((fitted - p).tolist())
    )


def curve_from_assumptions(assumptions: Assumptions) -> DetectionCurve:
    """The detection curve whose parameters the assumptions file records."""
    v = assumptions.value(f"{SECTION}.detection_curve")
    return DetectionCurve(a=float(v["a"]), b=float(v["b"]), c=float(v["c"]))


def psdb_points(assumptions: Assumptions) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The PSDB data points (screens, accuracy) of the assumptions file."""
    v: Mapping[object, object] = assumptions.value(f"{SECTION}.psdb_detection_accuracy")
    pairs = sorted((float(str(k)), float(str(x))) for k, x in v.items())
    return tuple(k for k, _ in pairs), tuple(x for _, x in pairs)


def detection_probability(screens: npt.ArrayLike, curve: DetectionCurve) -> FloatArray:
    r"""Probability an operator detects an incident on one of ``screens`` monitors.

    :math:`p(s) = c + a\,e^{-b(s-1)}`, fitted to the PSDB laboratory figures
    (85 %, 74 %, 58 %, 53 % on 1, 4, 6, 9 monitors; :func:`fit_detection_curve`).
    Beyond 9 screens it is an extrapolation (assumption): other forms fitted to the
    same points disagree there (:mod:`cctvscope.optimisation.detection_fits`); it is
    decreasing in ``screens`` because a, b > 0.

    ``curve``: the fit, e.g. :func:`curve_from_assumptions` of the assumptions file.

    >>> from cctvscope.model.assumptions import read_assumptions
    >>> round(float(detection_probability(1, curve_from_assumptions(read_assumptions()))), 3)
    0.858
    """
    return curve(screens)


def crime_share_by_hour(assumptions: Assumptions) -> FloatArray:
    """The 24 crime shares by hour of day (00:00-01:00 first), checked to sum to 1."""
    shares = np.asarray(assumptions.value(f"{SECTION}.crime_share_by_hour"), dtype=np.float64)
    if shares.shape != (HOURS_PER_DAY,) or np.any(shares < 0):
        raise ValueError("crime_share_by_hour needs 24 non-negative shares")
    if abs(float(shares.sum()) - 1.0) > 1e-6:
        raise ValueError(f"crime_share_by_hour sums to {shares.sum():.6f}, not 1")
    return shares


def hourly_risk(crimes_per_year: npt.ArrayLike, shares: npt.ArrayLike) -> FloatArray:
    r"""Risk by camera and hour, :math:`r_{c,h} = C_c\, s_h / 365` [incidents per hour-slot/day].

    ``crimes_per_year`` is the crime each camera's coverage sees [crimes/yr],
    ``shares`` the crime share of each hour of day (summing to 1).
    """
    crimes = np.asarray(crimes_per_year, dtype=np.float64)
    share = np.asarray(shares, dtype=np.float64)
    return np.asarray(np.outer(crimes, share) / DAYS_PER_YEAR, dtype=np.float64)


# --------------------------------------------------------------------------- build


@dataclass(frozen=True, slots=True)
class HourValues:
    """Best value of each (hour, operators) pair: ``value[h, o]`` and its load ``load[h, o]``.

    ``value`` [expected detections per day in that hour-slot]; ``load`` [screens per
    operator], 0 where no operator is on duty.
    """

    value: FloatArray
    load: IntArray


def hour_values(
    risk: FloatArray, max_operators: int, max_screens: int, curve: DetectionCurve
) -> HourValues:
    r"""Step 1 of the decomposition: :math:`V_h(o) = \max_k p(k)\,T_h(\min(k o, N))`.

    Ties go to the smallest load (a load whose screens cannot all be filled is
    never preferred to the load that just fills them).
    """
    if max_operators < 0 or max_screens < 1:
        raise ValueError("need max_operators ≥ 0 and max_screens ≥ 1")
    n_cams, n_hours = risk.shape
    ordered = -np.sort(-risk, axis=0)
    top = np.vstack([np.zeros((1, n_hours)), np.cumsum(ordered, axis=0)])  # (N+1, H)
    ops = np.arange(max_operators + 1)
    loads = np.arange(1, max_screens + 1)
    watched = np.minimum(np.outer(ops, loads), n_cams)  # (O, K)
    p = detection_probability(loads, curve)
    values = top[watched, :] * p[None, :, None]  # (O, K, H)
    best = np.argmax(values, axis=1)  # first maximum: smallest load
    value = np.take_along_axis(values, best[:, None, :], axis=1)[:, 0, :].T
    load = (best + 1).T.astype(np.int64)
    load[:, 0] = 0
    value[:, 0] = 0.0
    return HourValues(value=np.asarray(value, dtype=np.float64), load=load)


def build_allocation_model(values: FloatArray, budget_operator_hours: int) -> highspy.Highs:
    r"""Step 2 as a MILP: the multiple-choice knapsack over hours (minimisation form).

    Binary :math:`y_{h,o}` (column :math:`h(P+1)+o`) picks :math:`o` operators in
    hour :math:`h`; rows: :math:`\sum_o y_{h,o} = 1` per hour and
    :math:`\sum_{h,o} o\,y_{h,o} \le B`. Objective :math:`-\sum V_h(o)\,y_{h,o}`.
    """
    n_hours, n_ops = values.shape
    mb = ModelBuilder()
    y = mb.add_variables("y", n_hours * n_ops, cost=-values.ravel(), integer=True)
    hour, ops = np.divmod(np.arange(n_hours * n_ops), n_ops)
    mb.add_constraints("one_level_per_hour", n_hours, hour, y.all(), 1.0, lower=1.0, upper=1.0)
    staffed = ops > 0
    mb.add_constraints("budget", 1, np.zeros(int(staffed.sum())), y.all()[staffed],
                       ops[staffed], upper=float(budget_operator_hours))  # fmt: skip
    return mb.build().highs


def extract_operators(model: highspy.Highs, n_hours: int, n_ops: int) -> IntArray:
    """Operators on duty per hour from a solved allocation model."""
    y = np.asarray(model.getSolution().col_value, dtype=np.float64).reshape(n_hours, n_ops)
    return np.asarray(np.argmax(y, axis=1), dtype=np.int64)


def allocate_by_dp(values: FloatArray, budget_operator_hours: int) -> tuple[IntArray, float]:
    r"""Exact dynamic programme for step 2: :math:`F_h(b) = \max_o V_h(o) + F_{h-1}(b-o)`.

    Returns operators per hour and the optimal value; an independent check of
    the MILP (O(H·B·P) time).
    """
    n_hours, n_ops = values.shape
    budget = max(int(budget_operator_hours), 0)
    best = np.zeros(budget + 1)
    choice = np.zeros((n_hours, budget + 1), dtype=np.int64)
    for h in range(n_hours):
        new = np.full(budget + 1, -np.inf)
        for o in range(min(n_ops - 1, budget) + 1):
            cand = np.full(budget + 1, -np.inf)
            cand[o:] = best[: budget + 1 - o] + values[h, o]
            better = cand > new + 1e-15
            new[better] = cand[better]
            choice[h, better] = o
        best = new
    ops = np.zeros(n_hours, dtype=np.int64)
    b = int(np.argmax(best))
    total = float(best[b])
    for h in range(n_hours - 1, -1, -1):
        ops[h] = choice[h, b]
        b -= int(ops[h])
    return ops, total


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True, slots=True)
class Staffing:
    """Money side of a rota: operator cost and the FTE arithmetic of the assumptions file.

    An FTE works ``fte_hours_per_week × (1 − abstraction_share)`` hours on the rota
    per week, so operator-hours per day ``u`` need ``7u / (fte_hours_per_week ×
    (1 − abstraction_share))`` FTE, costing ``operator_fte_gbp`` each per year.
    """

    operator_fte_gbp: float
    fte_hours_per_week: float
    abstraction_share: float

    @property
    def rota_hours_per_fte_day(self) -> float:
        """Operator-hours per day one FTE covers [h/day/FTE]."""
        return self.fte_hours_per_week * (1.0 - self.abstraction_share) / 7.0

    def fte(self, operator_hours_per_day: float) -> float:
        """FTE needed to cover the operator-hours per day [FTE]."""
        return operator_hours_per_day / self.rota_hours_per_fte_day

    def cost_gbp_per_year(self, operator_hours_per_day: float) -> float:
        """Staffing cost of the operator-hours per day [£/yr]."""
        return self.fte(operator_hours_per_day) * self.operator_fte_gbp

    def budget_operator_hours(self, budget_fte: float) -> int:
        """Whole operator-hours per day an FTE budget buys (0.05 h tolerance for rounding)."""
        return max(math.floor(budget_fte * self.rota_hours_per_fte_day + 0.05), 0)


@dataclass(frozen=True, slots=True)
class Baseline:
    """A comparison rota: detections by hour and per year, staffing cost, cost per detection."""

    name: str
    detections_by_hour: FloatArray
    operator_hours_per_day: float
    expected_detections_per_year: float
    staffing_cost_gbp_per_year: float

    @property
    def cost_per_expected_detection_gbp(self) -> float:
        """Staffing cost per expected detection [£] (inf when nothing is detected)."""
        if self.expected_detections_per_year <= 0:
            return math.inf
        return self.staffing_cost_gbp_per_year / self.expected_detections_per_year


@dataclass(frozen=True, slots=True)
class MonitoringPlan:
    """An optimised monitoring rota and its comparison with random and status-quo watching.

    ``rota`` has one row per hour of day (index ``hour``): ``operators``,
    ``screens_per_operator``, ``cameras_watched``, ``detection_probability``,
    ``expected_detections`` [per day in that hour-slot], ``random_detections`` and
    ``status_quo_detections`` (same units). ``camera_watched_hours`` gives each
    camera's live-watched hours per day [h/day].
    """

    room_id: str
    rota: pd.DataFrame
    camera_watched_hours: pd.Series
    expected_detections_per_day: float
    expected_detections_per_year: float
    operator_hours_per_day: int
    budget_operator_hours_per_day: int
    staffing_fte: float
    staffing_cost_gbp_per_year: float
    random: Baseline
    status_quo: Baseline
    outcome: SolveOutcome

    @property
    def cost_per_expected_detection_gbp(self) -> float:
        """Staffing cost per expected detection [£] (inf when nothing is detected)."""
        if self.expected_detections_per_year <= 0:
            return math.inf
        return self.staffing_cost_gbp_per_year / self.expected_detections_per_year


def random_baseline(
    risk: FloatArray,
    operators: npt.ArrayLike,
    screens: npt.ArrayLike,
    curve: DetectionCurve,
) -> FloatArray:
    r"""Expected detections per hour-slot when watched cameras are drawn uniformly at random.

    :math:`E_h = p(k_h)\,\min(k_h o_h, N)\,\bar r_h`, with :math:`\bar r_h` the
    mean risk of the hour over all :math:`N` cameras (each camera is watched with
    probability :math:`\min(k_h o_h, N)/N`). Hours with no operator give 0.
    """
    ops = np.asarray(operators, dtype=np.float64)
    load = np.asarray(screens, dtype=np.float64)
    n_cams = risk.shape[0]
    if n_cams == 0:
        return np.zeros(risk.shape[1])
    watched = np.minimum(ops * load, n_cams)
    p = np.where(load >= 1, detection_probability(np.maximum(load, 1.0), curve), 0.0)
    return np.asarray(p * watched * risk.mean(axis=0), dtype=np.float64)


def status_quo_staffed_hours(shares: FloatArray, hours_per_day: float) -> npt.NDArray[np.bool_]:
    """Hours a room staffed ``hours_per_day`` covers: all, or the highest-crime hours."""
    n = min(max(round(hours_per_day), 0), HOURS_PER_DAY)
    staffed = np.zeros(HOURS_PER_DAY, dtype=bool)
    staffed[np.argsort(-shares, kind="stable")[:n]] = True
    return staffed


def status_quo(
    risk: FloatArray,
    positions: int,
    screens_per_operator: int,
    staffed: npt.NDArray[np.bool_],
    curve: DetectionCurve,
) -> FloatArray:
    r"""Expected detections per hour-slot of the room's current arrangement.

    Definition: every position is staffed in every staffed hour, each operator
    has the room's ``screens_per_operator`` monitors, and the monitors cycle
    through all the room's cameras in turn (each camera gets an equal share of
    screen time, not targeted by risk). That is :func:`random_baseline` with
    :math:`o_h = P` (staffed hours), :math:`k_h = S`.
    """
    ops = np.where(staffed, positions, 0)
    load = np.full(HOURS_PER_DAY, max(screens_per_operator, 1))
    return random_baseline(risk, ops, load, curve)


def plan_monitoring(
    risk: FloatArray,
    camera_ids: Sequence[str],
    *,
    max_operators: int,
    max_screens: int,
    budget_operator_hours: int,
    staffing: Staffing,
    status_quo_detections: FloatArray,
    status_quo_operator_hours: float,
    curve: DetectionCurve,
    room_id: str = "",
    options: SolveOptions | None = None,
) -> MonitoringPlan:
    """Build, solve and extract the monitoring allocation for one room.

    Parameters
    ----------
    risk
        :math:`r_{c,h}`, shape (cameras, 24) [incidents per hour-slot per day].
    camera_ids
        Camera ids in the order of ``risk``'s rows.
    max_operators, max_screens
        Operators the room can seat per hour (P) and screens per operator (S).
    budget_operator_hours
        Staffing budget B [operator-hours per day].
    staffing
        FTE and cost arithmetic.
    status_quo_detections, status_quo_operator_hours
        The current arrangement (:func:`status_quo`) for comparison.
    curve
        Detection probability by screens watched (:func:`curve_from_assumptions`).
    """
    if risk.shape != (len(camera_ids), HOURS_PER_DAY):
        raise ValueError(f"risk must have shape ({len(camera_ids)}, 24), got {risk.shape}")
    best = hour_values(risk, max_operators, max_screens, curve)
    model = build_allocation_model(best.value, budget_operator_hours)
    outcome = solve(model, options)
    if not outcome.has_solution:
        raise RuntimeError(f"monitoring allocation for {room_id!r}: solver {outcome.status}")
    ops = extract_operators(model, HOURS_PER_DAY, max_operators + 1)
    hours = np.arange(HOURS_PER_DAY)
    load = best.load[hours, ops]
    n_cams = risk.shape[0]
    watched = np.minimum(ops * load, n_cams)
    detections = best.value[hours, ops]
    watched_hours = np.zeros(n_cams)
    for h in hours:
        if watched[h]:
            top = np.argsort(-risk[:, h], kind="stable")[: watched[h]]
            watched_hours[top] += 1.0
    p = np.where(load >= 1, detection_probability(np.maximum(load, 1), curve), 0.0)
    rand = random_baseline(risk, ops, load, curve)
    rota = pd.DataFrame(
        {
            "operators": ops,
            "screens_per_operator": load,
            "cameras_watched": watched,
            "detection_probability": p,
            "expected_detections": detections,
            "random_detections": rand,
            "status_quo_detections": np.asarray(status_quo_detections, dtype=np.float64),
        },
        index=pd.Index(hours, name="hour"),
    )
    used = int(ops.sum())
    per_day = float(detections.sum())
    cost = staffing.cost_gbp_per_year(used)
    return MonitoringPlan(
        room_id=room_id,
        rota=rota,
        camera_watched_hours=pd.Series(
            watched_hours, index=pd.Index(list(camera_ids), name="camera_id"), name="watched_h"
        ),
        expected_detections_per_day=per_day,
        expected_detections_per_year=per_day * DAYS_PER_YEAR,
        operator_hours_per_day=used,
        budget_operator_hours_per_day=int(budget_operator_hours),
        staffing_fte=staffing.fte(used),
        staffing_cost_gbp_per_year=cost,
        random=Baseline(
            name="random",
            detections_by_hour=rand,
            operator_hours_per_day=float(used),
            expected_detections_per_year=float(rand.sum()) * DAYS_PER_YEAR,
            staffing_cost_gbp_per_year=cost,
        ),
        status_quo=Baseline(
            name="status quo",
            detections_by_hour=np.asarray(status_quo_detections, dtype=np.float64),
            operator_hours_per_day=float(status_quo_operator_hours),
            expected_detections_per_year=float(np.sum(status_quo_detections)) * DAYS_PER_YEAR,
            staffing_cost_gbp_per_year=staffing.cost_gbp_per_year(status_quo_operator_hours),
        ),
        outcome=outcome,
    )
