"""``cctvscope options``: control-room consolidation, monitoring allocation, camera placement."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table
from sqlalchemy import Engine

from cctvscope.cli.common import DbOption, fail, store_url
from cctvscope.cli.render import console, frame_table, steps
from cctvscope.errors import CctvscopeError
from cctvscope.model.estate import Estate
from cctvscope.optimisation.control_rooms import ConsolidationOption, OptionsResult
from cctvscope.optimisation.placement import PlacementResult

PLACEMENT_BUDGET_GBP = 100_000.0
"""Budget of the demo's camera-placement example [£] (a demonstration figure, not advice)."""


def options_step(
    engine: Engine, estate: Estate, out: Path, on_step: Callable[[str], None]
) -> tuple[OptionsResult, pd.DataFrame, dict[str, PlacementResult], list[Path]]:
    """Control-room options, monitoring and a placement example; files written, runs recorded."""
    from cctvscope.reporting.options import (
        write_control_room_options,
        write_monitoring,
        write_placement,
    )
    from cctvscope.store import record_run
    from cctvscope.workflows.options import (
        run_control_room_options,
        run_monitoring,
        run_placement,
    )

    on_step("Control-room consolidation options (HiGHS)")
    rooms = run_control_room_options(estate)
    on_step("Monitoring allocation per control room")
    monitoring = run_monitoring(estate)
    on_step("Camera placement example (Covent Garden)")
    placement = run_placement(estate, budget_gbp=PLACEMENT_BUDGET_GBP)
    on_step("Writing the options tables and maps")
    paths = write_control_room_options(rooms, estate, out)
    paths += write_monitoring(monitoring, out)
    paths += write_placement(placement, out)
    assert estate.version is not None
    best = best_option(rooms)
    record_run(
        engine,
        estate.name,
        estate.version,
        "options",
        {"placement_budget_gbp": PLACEMENT_BUDGET_GBP},
        estate.input_hash(),
        {
            "status_quo_annual_gbp": rooms.status_quo.annual_cost_gbp_per_year,
            "best_rooms": best.room_count if best else None,
            "best_npv_gbp": best.npv_gbp if best else None,
            "detections_optimised": float(monitoring["detections_per_year_optimised"].sum()),
            "detections_status_quo": float(monitoring["detections_per_year_status_quo"].sum()),
        },
    )
    return rooms, monitoring, placement, paths


def best_option(result: OptionsResult) -> ConsolidationOption | None:
    feasible = [o for o in result.options if o.status == "optimal"]
    return max(feasible, key=lambda o: o.npv_gbp) if feasible else None


def options_table(result: OptionsResult) -> Table:
    table = Table(
        title="Shared control-room options (synthetic estate; annual £, 10-year NPV vs status quo)",
        caption=f"Status quo: {len(result.status_quo.rooms)} rooms, "
        f"£{result.status_quo.annual_cost_gbp_per_year:,.0f} a year.",
    )
    for col in ("rooms", "annual cost", "one-off", "NPV", "payback year", "status"):
        table.add_column(col, justify="left" if col == "status" else "right")
    for o in result.options:
        if o.status != "optimal":
            table.add_row(str(o.room_count), "-", "-", "-", "-", o.reason or o.status)
            continue
        table.add_row(
            str(o.room_count),
            f"£{o.annual_cost_gbp_per_year:,.0f}",
            f"£{o.one_off_gbp:,.0f}",
            f"£{o.npv_gbp:,.0f}",
            "-" if o.payback_year is None or pd.isna(o.payback_year) else f"{o.payback_year:.0f}",
            ";".join(o.open_rooms)[:60],
        )
    return table


options_app = typer.Typer(help="Optimised options: control rooms, monitoring, placement.")


def load_for_command(
    estate: str, version: int | None, database_url: str | None
) -> tuple[Engine, Estate]:
    from cctvscope.store import init_store, load_estate

    engine = init_store(store_url(database_url))
    return engine, load_estate(engine, estate, version)


@options_app.command("control-rooms")
def options_control_rooms(
    estate: Annotated[str, typer.Option("--estate", help="Estate to plan.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    rooms: Annotated[
        list[int] | None, typer.Option("--rooms", help="Numbers of rooms to try (default 1..N).")
    ] = None,
    max_distance_km: Annotated[
        float | None, typer.Option(help="Longest borough-to-room distance allowed [km].")
    ] = None,
    police_colocation_km: Annotated[
        float | None, typer.Option(help="Every open room within this distance of an MPS site [km].")
    ] = None,
    lock: Annotated[list[str] | None, typer.Option(help="Room ids that must stay open.")] = None,
    resilience: Annotated[bool, typer.Option(help="Require a backup room per borough.")] = False,
    version: Annotated[int | None, typer.Option(help="Estate version (default latest).")] = None,
    database_url: DbOption = None,
) -> None:
    """Shared control-room options: the status quo and the best plan for each number of rooms."""
    from cctvscope.optimisation.control_rooms import ControlRoomOptions
    from cctvscope.reporting.options import write_control_room_options
    from cctvscope.workflows.options import run_control_room_options

    try:
        with steps("options") as progress:
            task = progress.add_task("Loading the estate", total=None)
            _engine, loaded = load_for_command(estate, version, database_url)
            progress.update(task, description="Solving the options (HiGHS)")
            settings = ControlRoomOptions(
                locked_rooms=tuple(lock or ()),
                max_distance_km=max_distance_km,
                police_colocation_km=police_colocation_km,
                resilience=resilience,
            )
            result = run_control_room_options(loaded, room_counts=rooms, settings=settings)
            progress.update(task, description="Writing the options and maps")
            paths = write_control_room_options(result, loaded, out)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    console.print(options_table(result))
    console.print(f"wrote {len(paths)} files in {out}")


@options_app.command("monitoring")
def options_monitoring(
    estate: Annotated[str, typer.Option("--estate", help="Estate to plan.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    version: Annotated[int | None, typer.Option(help="Estate version (default latest).")] = None,
    database_url: DbOption = None,
) -> None:
    """Which cameras operators should watch live, hour by hour, in each council control room."""
    from cctvscope.reporting.options import write_monitoring
    from cctvscope.workflows.options import run_monitoring

    try:
        with steps("monitoring") as progress:
            task = progress.add_task("Loading the estate", total=None)
            _engine, loaded = load_for_command(estate, version, database_url)
            progress.update(task, description="Optimising the monitoring rota per room")
            monitoring = run_monitoring(loaded)
            paths = write_monitoring(monitoring, out)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    shown = monitoring[
        [
            "name",
            "detections_per_year_optimised",
            "detections_per_year_random",
            "detections_per_year_status_quo",
            "cost_per_detection_gbp_optimised",
        ]
    ]
    console.print(frame_table(shown, title="Monitoring: expected detections per year"))
    console.print(f"wrote {paths[0]}")


@options_app.command("placement")
def options_placement(
    estate: Annotated[str, typer.Option("--estate", help="Estate with the existing cameras.")],
    area: Annotated[str, typer.Option(help="covent_garden or clerkenwell.")] = "covent_garden",
    budget: Annotated[float, typer.Option(help="Budget for new cameras [£].")] = 100_000.0,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    version: Annotated[int | None, typer.Option(help="Estate version (default latest).")] = None,
    database_url: DbOption = None,
) -> None:
    """New camera sites maximising crime-weighted Recognise coverage within a budget."""
    from cctvscope.reporting.options import write_placement
    from cctvscope.workflows.options import run_placement

    try:
        with steps("placement") as progress:
            task = progress.add_task("Loading the estate", total=None)
            _engine, loaded = load_for_command(estate, version, database_url)
            progress.update(task, description=f"Placing cameras in {area}")
            results = run_placement(loaded, areas=[area], budget_gbp=budget)
            paths = write_placement(results, out)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    r = results[area]
    console.print(
        f"{area}: {len(r.sites)} new cameras for £{r.cost_gbp:,.0f}; crime-weighted coverage "
        f"{r.share_before:.1%} -> {r.share_after:.1%} (greedy: {r.greedy_share_after:.1%}); "
        f"solver {r.outcome.status}, gap {r.outcome.gap:.2g}"
    )
    console.print("wrote " + ", ".join(str(p) for p in paths))
