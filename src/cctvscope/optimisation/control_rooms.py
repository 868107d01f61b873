r"""Shared control-room consolidation: which rooms monitor which boroughs' council cameras.

A single-source capacitated facility-location model (the SSCFLP of
:mod:`cctvscope.optimisation.facility`): each borough's monitored council
estate, in operator positions, is assigned to exactly one control room chosen
from the existing rooms (council, shared, police, TfL) and candidate sites.
Data and cost equations are in :mod:`cctvscope.optimisation.control_rooms_data`.

Objective. With annual assignment cost :math:`c_{ij}`, open-room cost
:math:`F`, one-off migration :math:`M_{ij}`, set-up :math:`S_i` and closure
:math:`C_i`, and the annuity divisor of the horizon
:math:`A = \sum_{t=1}^{H} D(t)` (Green Book discount factors :math:`D`), the
solver minimises the equivalent annual cost

.. math::

    \sum_i \left(F + \frac{S_i - C_i}{A}\right) y_i
    + \sum_{ij} \left(c_{ij} + \frac{M_{ij}}{A}\right) x_{ij}
    \; (+ \text{const.})

which is the same as maximising the option's net present value against the
status quo, :math:`\mathrm{NPV} = -K + A\,(\mathrm{annual}_{sq} - \mathrm{annual})`,
with one-off cost :math:`K = \sum M x + \sum S y + \sum C (1 - y)`.

Options (:class:`ControlRoomOptions`): locked rooms (kept open), a maximum
distance from a room to a borough's camera-weighted centre, police co-location
(every open room within ``police_colocation_km`` of an MPS site: a police room
or a station the 2017 plan keeps; 0 means at an MPS site), bounds on the number
of open rooms, and resilience (each borough also gets a distinct backup room
with spare capacity for it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from cctvscope.economics.costs import green_book_discount_factors, payback_year
from cctvscope.errors import InfeasibleError
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.estate import Estate
from cctvscope.optimisation.control_rooms_data import (
    ConsolidationData,
    ControlRoomParams,
    Sites,
    prepare,
)
from cctvscope.optimisation.facility import FacilityProblem
from cctvscope.optimisation.facility_solve import solve_facility
from cctvscope.optimisation.solve import SolveOptions

__all__ = [
    "ConsolidationOption",
    "ControlRoomOptions",
    "OptionsResult",
    "StatusQuo",
    "build_problem",
    "consolidation_options",
    "evaluate",
    "prepare",
    "solve_option",
    "status_quo",
]

#: Core option keys (in the facility model's infeasibility messages) and our names.
_CONSTRAINT_NAMES: tuple[tuple[str, str], ...] = (
    ("max_open", "number of rooms"),
    ("min_open", "number of rooms"),
    ("must_open", "locked sites"),
    ("must_close", "police co-location"),
    ("allowed", "max distance"),
    ("resilience", "resilience"),
    ("capacity", "capacity"),
)


@dataclass(frozen=True, slots=True)
class ControlRoomOptions:
    """Settings of one consolidation request.

    ``locked_rooms``: room ids that must stay open. ``max_distance_km``: a borough
    may only be monitored from a room within this straight-line distance of its
    camera-weighted centre. ``police_colocation_km``: every open room must lie
    within this distance of an MPS site (0: at one). ``min_rooms`` / ``max_rooms``:
    bounds on the number of open rooms (:func:`consolidation_options` fixes both
    to each k). ``resilience``: each borough also gets a backup room, distinct
    from its own, with capacity reserved for it. ``solver``: HiGHS settings.
    """

    locked_rooms: tuple[str, ...] = ()
    max_distance_km: float | None = None
    police_colocation_km: float | None = None
    min_rooms: int | None = None
    max_rooms: int | None = None
    resilience: bool = False
    solver: SolveOptions = field(default_factory=lambda: SolveOptions(time_limit_s=60.0))


@dataclass(frozen=True)
class StatusQuo:
    """Today's arrangement costed with the model's equations.

    ``annual_cost_gbp_per_year`` = :math:`\\sum_{\\text{rooms}} F + \\sum_j c_{r(j) j}`.
    """

    rooms: tuple[str, ...]
    assignment: Mapping[str, str]
    annual_cost_gbp_per_year: float


@dataclass(frozen=True)
class ConsolidationOption:
    """One solved option (or an infeasible one, with ``reason`` and no rooms).

    Money in base-year pounds; ``npv_gbp`` against the status quo over the
    horizon; ``payback_year`` the first year the cumulative undiscounted saving
    covers the one-off cost (``None``: not within the horizon).
    """

    room_count: int
    status: str
    open_rooms: tuple[str, ...]
    assignment: Mapping[str, str]
    backup: Mapping[str, str]
    annual_cost_gbp_per_year: float
    one_off_gbp: float
    annual_saving_gbp_per_year: float
    npv_gbp: float
    payback_year: int | None
    gap: float | None
    seconds: float
    solver: str
    room_xy_m: Mapping[str, tuple[float, float]]
    room_names: Mapping[str, str]
    reason: str = ""

    @property
    def feasible(self) -> bool:
        """Whether the option has a solution."""
        return bool(self.open_rooms)


@dataclass(frozen=True)
class OptionsResult:
    """The status quo and one option per requested number of rooms."""

    status_quo: StatusQuo
    options: tuple[ConsolidationOption, ...]
    horizon_years: int

    def table(self) -> pd.DataFrame:
        """One row per option: rooms, costs, saving, NPV, payback, solver report, reason."""
        rows = [
            {
                "rooms": o.room_count,
                "status": o.status,
                "open_rooms": ";".join(o.open_rooms),
                "annual_cost_gbp_per_year": o.annual_cost_gbp_per_year,
                "one_off_gbp": o.one_off_gbp,
                "annual_saving_gbp_per_year": o.annual_saving_gbp_per_year,
                "npv_gbp": o.npv_gbp,
                "payback_year": o.payback_year,
                "gap": o.gap,
                "solve_seconds": o.seconds,
                "reason": o.reason,
            }
            for o in self.options
        ]
        return pd.DataFrame(rows)


def _annuity_divisor(params: ControlRoomParams) -> float:
    years = np.arange(1, params.horizon_years + 1)
    return float(np.sum(green_book_discount_factors(years, params.discount_bands)))


def status_quo(data: ConsolidationData) -> StatusQuo:
    """Each borough in its present room, costed with the model's annual cost equations."""
    rows = data.current_assignment()
    open_rows = sorted(set(rows))
    annual = float(data.fixed_gbp_per_year[open_rows].sum()) + float(
        data.annual_gbp_per_year[list(rows), np.arange(len(rows))].sum()
    )
    return StatusQuo(
        rooms=tuple(data.room_ids[i] for i in open_rows),
        assignment=dict(zip(data.borough_codes, data.current_room, strict=True)),
        annual_cost_gbp_per_year=annual,
    )


def evaluate(
    data: ConsolidationData, open_rows: Iterable[int], assignment: Iterable[int]
) -> tuple[float, float]:
    """Annual cost [GBP/yr] and one-off cost [GBP] of an arrangement.

    annual = :math:`\\sum_{i \\in open} F + \\sum_j c_{a(j) j}`;
    one-off = :math:`\\sum_j M_{a(j) j} + \\sum_{i \\in open} S_i + \\sum_{i \\notin open} C_i`.
    """
    opened = sorted(set(open_rows))
    cols = np.arange(len(data.borough_codes))
    rows = np.asarray(list(assignment), dtype=int)
    closed = np.ones(len(data.room_ids), dtype=bool)
    closed[opened] = False
    annual = float(
        data.fixed_gbp_per_year[opened].sum() + data.annual_gbp_per_year[rows, cols].sum()
    )
    one_off = float(
        data.migration_gbp[rows, cols].sum()
        + data.setup_gbp[opened].sum()
        + data.closure_gbp[closed].sum()
    )
    return annual, one_off


def _eligible(data: ConsolidationData, settings: ControlRoomOptions) -> np.ndarray:
    if settings.police_colocation_km is None:
        return np.ones(len(data.room_ids), dtype=bool)
    return np.asarray(data.police_distance_km <= settings.police_colocation_km + 1e-9)


def _precheck(data: ConsolidationData, settings: ControlRoomOptions, locked: list[int]) -> None:
    """Raise :class:`InfeasibleError` naming an option that cannot be met on its own."""
    eligible = _eligible(data, settings)
    need = 2 if settings.resilience else 1
    km = settings.police_colocation_km
    if not eligible.any():
        raise InfeasibleError(f"police co-location: no room lies within {km:g} km of an MPS site")
    bad = [data.room_ids[i] for i in locked if not eligible[i]]
    if bad:
        raise InfeasibleError(
            f"police co-location: locked sites {bad} are more than {km:g} km from an MPS site"
        )
    lower = settings.min_rooms
    if km is not None and lower is not None and lower > int(eligible.sum()):
        raise InfeasibleError(
            f"police co-location: only {int(eligible.sum())} rooms lie within {km:g} km of "
            f"an MPS site but {lower} must open"
        )
    upper = settings.max_rooms
    if upper is not None and len(locked) > upper:
        raise InfeasibleError(
            f"number of rooms: {len(locked)} locked sites but at most {upper} rooms may open"
        )
    if settings.resilience and upper is not None and upper < 2:
        raise InfeasibleError("resilience: a backup room needs at least 2 open rooms")
    if settings.max_distance_km is not None:
        near = (data.distance_km <= settings.max_distance_km) & eligible[:, np.newaxis]
        short = [data.borough_names[j] for j in np.flatnonzero(near.sum(axis=0) < need)]
        if short:
            raise InfeasibleError(
                f"max distance: {', '.join(short)} ha{'s' if len(short) == 1 else 've'} "
                f"fewer than {need} eligible room(s) within {settings.max_distance_km:g} km"
            )


def _name_constraint(message: str) -> str:
    for key, name in _CONSTRAINT_NAMES:
        if f"({key})" in message or key in message:
            return name
    return "capacity"


def build_problem(data: ConsolidationData, settings: ControlRoomOptions) -> FacilityProblem:
    """The facility-location instance of a request (rooms are facilities, boroughs customers).

    Raises :class:`InfeasibleError` naming the option when a setting cannot be met
    on its own (police co-location, locked sites, max distance, number of rooms).
    """
    locked = [data.room_index(r) for r in settings.locked_rooms]
    _precheck(data, settings, locked)
    divisor = _annuity_divisor(data.params)
    fixed = data.fixed_gbp_per_year + (data.setup_gbp - data.closure_gbp) / divisor
    costs = data.annual_gbp_per_year + data.migration_gbp / divisor
    allowed = None
    if settings.max_distance_km is not None:
        allowed = (data.distance_km <= settings.max_distance_km).T
    return FacilityProblem(
        capacities=data.capacity_positions,
        fixed_costs=fixed,
        demands=data.positions,
        costs=costs.T,
        facility_names=data.room_ids,
        customer_names=data.borough_names,
        must_open=frozenset(locked),
        must_close=frozenset(int(i) for i in np.flatnonzero(~_eligible(data, settings))),
        allowed=allowed,
        min_open=settings.min_rooms,
        max_open=settings.max_rooms,
        resilience=settings.resilience,
    )


def solve_option(
    data: ConsolidationData, settings: ControlRoomOptions, *, room_count: int | None = None
) -> ConsolidationOption:
    """Solve one request; ``room_count`` fixes the number of open rooms.

    Raises
    ------
    InfeasibleError
        Naming the constraint that cannot be met (``max distance``, ``police
        co-location``, ``locked sites``, ``number of rooms``, ``resilience``,
        ``capacity``).
    """
    if room_count is not None:
        settings = _with_count(settings, room_count)
    problem = build_problem(data, settings)
    try:
        solution = solve_facility(problem, settings.solver)
    except InfeasibleError as exc:
        message = str(exc)
        name = _name_constraint(message)
        if name == "number of rooms" and settings.max_distance_km is not None:
            name = f"max distance ({settings.max_distance_km:g} km) with this number of rooms"
        raise InfeasibleError(f"{name}: {message}") from exc
    rows = solution.assignment.tolist()
    annual, one_off = evaluate(data, solution.open_facilities, rows)
    saving = status_quo(data).annual_cost_gbp_per_year - annual
    npv, payback = _appraise(data.params, one_off, saving)
    codes = data.borough_codes
    backup = (
        {}
        if solution.backup is None
        else {c: data.room_ids[int(b)] for c, b in zip(codes, solution.backup, strict=True)}
    )
    opened = tuple(data.room_ids[i] for i in solution.open_facilities)
    return ConsolidationOption(
        room_count=len(opened),
        status=solution.status,
        open_rooms=opened,
        assignment={c: data.room_ids[r] for c, r in zip(codes, rows, strict=True)},
        backup=backup,
        annual_cost_gbp_per_year=annual,
        one_off_gbp=one_off,
        annual_saving_gbp_per_year=saving,
        npv_gbp=npv,
        payback_year=payback,
        gap=solution.outcome.gap,
        seconds=solution.outcome.seconds,
        solver=solution.outcome.solver,
        room_xy_m=_room_xy(data),
        room_names=dict(zip(data.room_ids, data.room_names, strict=True)),
    )


def _with_count(settings: ControlRoomOptions, k: int) -> ControlRoomOptions:
    return replace(settings, min_rooms=k, max_rooms=k)


def _room_xy(data: ConsolidationData) -> dict[str, tuple[float, float]]:
    return {
        r: (float(x), float(y)) for r, (x, y) in zip(data.room_ids, data.room_xy_m, strict=True)
    }


def _appraise(
    params: ControlRoomParams, one_off_gbp: float, saving: float
) -> tuple[float, int | None]:
    """NPV and payback year of flows [−one-off, saving × H] (years 0..H).

    .. math:: \\mathrm{NPV} = -K + \\sum_{t=1}^{H} D(t)\\,(\\mathrm{annual}_{sq} - \\mathrm{annual})
    """
    horizon = params.horizon_years
    flows = np.concatenate([[-one_off_gbp], np.full(horizon, saving)])
    factors = green_book_discount_factors(np.arange(horizon + 1), params.discount_bands)
    npv = float(np.sum(flows * factors))
    year = float(payback_year(flows))
    return npv, None if np.isnan(year) else int(year)


def consolidation_options(
    estate: Estate,
    assumptions: Assumptions,
    *,
    room_counts: Iterable[int] | None = None,
    settings: ControlRoomOptions | None = None,
    sites: Sites | None = None,
    stations: gpd.GeoDataFrame | None = None,
    params: ControlRoomParams | None = None,
) -> OptionsResult:
    """The status quo and the best arrangement with exactly k open rooms, for each k.

    Parameters
    ----------
    estate, assumptions
        Estate and assumptions file.
    room_counts
        Numbers of rooms to solve (default 1 to the number of rooms open today).
    settings
        Other options (its ``min_rooms`` / ``max_rooms`` are replaced by each k).
    sites, params
        Override the candidate/MPS sites and unit costs (default: from the data).
    stations
        Police stations the default sites come from (e.g.
        ``london.read_police_stations()``); needed unless ``sites`` is given.

    Returns
    -------
    OptionsResult
        An infeasible k is kept in the table with status ``infeasible`` and the
        reason, instead of raising.
    """
    data = prepare(estate, assumptions, params=params, sites=sites, stations=stations)
    base = settings if settings is not None else ControlRoomOptions()
    quo = status_quo(data)
    counts = list(room_counts) if room_counts is not None else range(1, len(quo.rooms) + 1)
    options: list[ConsolidationOption] = []
    for k in counts:
        try:
            options.append(solve_option(data, base, room_count=int(k)))
        except InfeasibleError as exc:
            options.append(_infeasible(data, int(k), str(exc)))
    return OptionsResult(
        status_quo=quo, options=tuple(options), horizon_years=data.params.horizon_years
    )


def _infeasible(data: ConsolidationData, k: int, reason: str) -> ConsolidationOption:
    nan = float("nan")
    return ConsolidationOption(
        room_count=k,
        status="infeasible",
        open_rooms=(),
        assignment={},
        backup={},
        annual_cost_gbp_per_year=nan,
        one_off_gbp=nan,
        annual_saving_gbp_per_year=nan,
        npv_gbp=nan,
        payback_year=None,
        gap=None,
        seconds=0.0,
        solver="",
        room_xy_m=_room_xy(data),
        room_names=dict(zip(data.room_ids, data.room_names, strict=True)),
        reason=reason,
    )
