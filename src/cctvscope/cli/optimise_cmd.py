"""``cctvscope solve-sscflp FILE``: solve a standard single-source facility-location file.

The lead registers it with ``app.command("solve-sscflp")(solve_sscflp)``. It prints
one line, ``objective=<value> status=<status> gap=<gap> seconds=<time>``, and exits
0 when the optimum is proven, 1 otherwise (time limit, infeasible, solver error),
2 when the file cannot be read.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from cctvscope.cli.mirrors import DEFAULT_MIP_REL_GAP
from cctvscope.cli.validate import at_least_one, non_negative, positive
from cctvscope.errors import InfeasibleError, InputError

__all__ = ["EXIT_FAIL", "EXIT_INPUT_ERROR", "format_number", "format_result", "solve_sscflp"]

EXIT_FAIL = 1
EXIT_INPUT_ERROR = 2


def format_number(value: float | None) -> str:
    """Integers without a decimal point; otherwise up to 6 decimals, trailing zeros cut."""
    if value is None or not math.isfinite(value):
        return "nan"
    nearest = round(value)
    if abs(value - nearest) <= 1e-6 * max(1.0, abs(value)):
        return str(int(nearest))
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def format_result(objective: float | None, status: str, gap: float | None, seconds: float) -> str:
    """The single result line printed by ``solve-sscflp``."""
    gap_text = "nan" if gap is None else f"{gap:.6g}"
    return (
        f"objective={format_number(objective)} status={status} gap={gap_text} seconds={seconds:.2f}"
    )


def solve_sscflp(
    file: Annotated[Path, typer.Argument(help="Instance in the standard SSCFLP text format.")],
    time_limit: Annotated[
        float,
        typer.Option("--time-limit", help="Solver time limit in seconds.", callback=positive),
    ] = 600.0,
    threads: Annotated[
        int | None,
        typer.Option(
            "--threads", help="HiGHS threads (default: HiGHS decides).", callback=at_least_one
        ),
    ] = None,
    gap: Annotated[
        float,
        typer.Option("--gap", help="Relative MIP gap at which to stop.", callback=non_negative),
    ] = DEFAULT_MIP_REL_GAP,
) -> None:
    """Solve a single-source capacitated facility-location instance to proven optimality."""
    # HiGHS and NumPy are imported here, not at start-up, so `--help` and a bad path answer fast.
    from cctvscope.optimisation.facility import NoSolutionError
    from cctvscope.optimisation.facility_solve import solve_facility
    from cctvscope.optimisation.solve import SolveOptions
    from cctvscope.optimisation.sscflp_io import read_sscflp

    try:
        problem = read_sscflp(file)
    except InputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=EXIT_INPUT_ERROR) from None
    options = SolveOptions(time_limit_s=time_limit, threads=threads, mip_rel_gap=gap)
    try:
        solution = solve_facility(problem, options)
    except InfeasibleError as exc:
        typer.echo(format_result(None, "infeasible", None, 0.0))
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=EXIT_FAIL) from None
    except NoSolutionError as exc:
        typer.echo(format_result(None, "time_limit", None, time_limit))
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=EXIT_FAIL) from None
    outcome = solution.outcome
    typer.echo(format_result(solution.objective, outcome.status, outcome.gap, outcome.seconds))
    if not outcome.is_optimal:
        raise typer.Exit(code=EXIT_FAIL)
