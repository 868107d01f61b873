"""Solve step shared by every optimisation model: run HiGHS, record what it reported.

Models are built, solved and read back in separate steps (build → solve → extract).
This module owns the middle step. :func:`solve` takes a :class:`highspy.Highs`
holding a built model, applies :class:`SolveOptions`, runs it and returns a frozen
:class:`SolveOutcome` with the solver's status, objective, dual bound, gap and wall
time. It never reads the solution vector: extracting that is the model's job.

HiGHS prints a banner to the process's standard output the first time a solver
object is created and logs progress unless told not to. :func:`new_highs` creates
a solver object with both silenced, so command-line output stays machine-readable.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import highspy

__all__ = [
    "DEFAULT_MIP_ABS_GAP",
    "DEFAULT_MIP_REL_GAP",
    "SolveOptions",
    "SolveOutcome",
    "SolveStatus",
    "new_highs",
    "solve",
    "solver_name",
]

SolveStatus = Literal["optimal", "infeasible", "time_limit", "unbounded", "error"]

#: Relative MIP gap at which HiGHS may stop. HiGHS's own default (1e-4) stops at
#: "good enough"; ours is tight enough that a reported ``optimal`` is a proof of
#: optimality up to floating-point tolerance.
DEFAULT_MIP_REL_GAP = 1e-9
#: Absolute MIP gap (objective units) at which HiGHS may stop.
DEFAULT_MIP_ABS_GAP = 1e-6


@dataclass(frozen=True, slots=True)
class SolveOptions:
    """How to run the solver.

    ``time_limit_s``: wall-clock limit in seconds (``None``: no limit).
    ``mip_rel_gap`` / ``mip_abs_gap``: HiGHS stops when (primal − dual bound) is
    below either; the defaults make ``optimal`` mean proven optimal.
    ``threads``: HiGHS worker threads (``None``: HiGHS decides).
    ``presolve``: run HiGHS presolve (``"on"``, ``"off"`` or ``"choose"``).
    ``mip_heuristic_effort``: share of effort on primal heuristics (``None``: HiGHS default).
    ``random_seed``: HiGHS random seed, for reproducible runs.
    ``log_to_console``: let HiGHS print its log (off by default).
    """

    time_limit_s: float | None = None
    mip_rel_gap: float = DEFAULT_MIP_REL_GAP
    mip_abs_gap: float = DEFAULT_MIP_ABS_GAP
    threads: int | None = None
    presolve: Literal["on", "off", "choose"] = "choose"
    mip_heuristic_effort: float | None = None
    random_seed: int = 0
    log_to_console: bool = False

    def __post_init__(self) -> None:
        if self.time_limit_s is not None and not self.time_limit_s > 0:
            raise ValueError(f"time_limit_s must be positive, got {self.time_limit_s}")
        if self.mip_rel_gap < 0 or self.mip_abs_gap < 0:
            raise ValueError("MIP gaps must be non-negative")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be at least 1, got {self.threads}")
        if self.mip_heuristic_effort is not None and not 0 <= self.mip_heuristic_effort <= 1:
            raise ValueError("mip_heuristic_effort must lie in [0, 1]")


@dataclass(frozen=True, slots=True)
class SolveOutcome:
    """What the solver reported, independent of any model.

    ``status``: ``optimal`` (proven within the gap tolerances), ``infeasible``,
    ``time_limit`` (stopped by the limit, possibly with an incumbent), ``unbounded``
    or ``error`` (anything else; see ``highs_status``).
    ``objective``: objective of the best solution found (``None`` if there is none).
    ``bound``: best proven bound on the objective (``None`` if unknown).
    ``gap``: relative gap (primal − bound)/|primal| as a fraction (``0.0`` when
    optimal; ``None`` when no solution was found).
    ``seconds``: wall time of the solve call. ``solver``: e.g. ``"HiGHS 1.16.0"``.
    ``highs_status``: HiGHS's model status text. ``nodes``: branch-and-bound nodes.
    """

    status: SolveStatus
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    solver: str
    highs_status: str = ""
    nodes: int = 0

    @property
    def has_solution(self) -> bool:
        """Whether a primal solution is available to extract."""
        return self.objective is not None

    @property
    def is_optimal(self) -> bool:
        """Whether the solution was proven optimal."""
        return self.status == "optimal"


@contextlib.contextmanager
def _silenced_stdout() -> Iterator[None]:
    """Redirect file descriptor 1 to /dev/null (HiGHS prints its banner from C++)."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no usable fd 1: nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            try:
                yield
            finally:
                os.dup2(saved, 1)
    finally:
        os.close(saved)


_BANNER_SHOWN = False


def new_highs() -> highspy.Highs:
    """A fresh, silent HiGHS solver object."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
    else:
        with _silenced_stdout():
            highs = highspy.Highs()  # type: ignore[no-untyped-call]
        _BANNER_SHOWN = True
    highs.setOptionValue("output_flag", False)
    return highs


def solver_name() -> str:
    """``"HiGHS <major>.<minor>.<patch>"`` for the installed highspy."""
    highs = new_highs()
    return f"HiGHS {highs.versionMajor()}.{highs.versionMinor()}.{highs.versionPatch()}"


def _apply(highs: highspy.Highs, options: SolveOptions) -> None:
    highs.setOptionValue("output_flag", options.log_to_console)
    highs.setOptionValue("log_to_console", options.log_to_console)
    highs.setOptionValue("mip_rel_gap", float(options.mip_rel_gap))
    highs.setOptionValue("mip_abs_gap", float(options.mip_abs_gap))
    highs.setOptionValue("presolve", options.presolve)
    highs.setOptionValue("random_seed", int(options.random_seed))
    if options.time_limit_s is not None:
        highs.setOptionValue("time_limit", float(options.time_limit_s))
    if options.threads is not None:
        highs.setOptionValue("threads", int(options.threads))
    if options.mip_heuristic_effort is not None:
        highs.setOptionValue("mip_heuristic_effort", float(options.mip_heuristic_effort))


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) and abs(value) < 1e50 else None


def _relative_gap(objective: float, bound: float) -> float:
    diff = max(objective - bound, 0.0)
    if diff == 0.0:
        return 0.0
    return diff / max(abs(objective), 1e-9)


_SCHEDULER_THREADS: list[int | None] = []
"""Thread count the process-wide HiGHS scheduler was last started with (empty: not yet)."""


def _match_scheduler(threads: int | None) -> None:
    """Restart HiGHS's process-wide thread scheduler when the thread count changes.

    HiGHS starts one global scheduler per process on the first run; a later run
    asking for a different ``threads`` value fails at once with status "Not Set"
    unless the scheduler is reset first.
    """
    if _SCHEDULER_THREADS and _SCHEDULER_THREADS[-1] != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _SCHEDULER_THREADS[:] = [threads]


def solve(model: highspy.Highs, options: SolveOptions | None = None) -> SolveOutcome:
    """Run HiGHS on a built model and report status, objective, bound, gap and time.

    The model must be a minimisation. ``options`` defaults to :class:`SolveOptions()`.
    """
    opts = options if options is not None else SolveOptions()
    _apply(model, opts)
    _match_scheduler(opts.threads)
    start = time.perf_counter()
    run_status = model.run()
    seconds = time.perf_counter() - start
    model_status = model.getModelStatus()
    info = model.getInfo()
    is_mip = int(info.mip_node_count) >= 0  # HiGHS reports -1 for LPs
    text = model.modelStatusToString(model_status)
    name = f"HiGHS {model.versionMajor()}.{model.versionMinor()}.{model.versionPatch()}"

    has_primal = int(info.primal_solution_status) == 2  # kSolutionStatusFeasible
    objective = _finite(info.objective_function_value) if has_primal else None
    if is_mip:
        bound = _finite(info.mip_dual_bound)
        nodes = int(info.mip_node_count)
    else:
        bound = objective if model_status == highspy.HighsModelStatus.kOptimal else None
        nodes = 0

    status: SolveStatus
    ms = highspy.HighsModelStatus
    if run_status == highspy.HighsStatus.kError:
        status = "error"
    elif model_status == ms.kOptimal:
        status = "optimal"
    elif model_status == ms.kInfeasible:
        status = "infeasible"
    elif model_status in (ms.kUnbounded, ms.kUnboundedOrInfeasible):
        status = "unbounded"
    elif model_status == ms.kTimeLimit:
        status = "time_limit"
    else:
        status = "error"

    if status == "optimal" and objective is not None:
        if bound is None:
            bound = objective
        gap: float | None = _relative_gap(objective, bound)
    elif objective is not None and bound is not None:
        gap = _relative_gap(objective, bound)
    else:
        gap = None
    if status != "optimal" and objective is None:
        gap = None
    return SolveOutcome(
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        seconds=seconds,
        solver=name,
        highs_status=text,
        nodes=nodes,
    )
