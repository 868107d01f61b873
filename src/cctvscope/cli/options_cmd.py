"""``cctvscope options``: control-room consolidation, monitoring allocation, camera placement."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cctvscope.cli.common import DbOption, OutDirOption, VersionOption, fail, store_url
from cctvscope.cli.render import console, frame_table, steps
from cctvscope.cli.validate import at_least_one, non_negative, positive
from cctvscope.errors import CctvscopeError, InputError

if TYPE_CHECKING:  # heavy (pandas, SQLAlchemy, HiGHS): imported by the commands, not by --help
    from sqlalchemy import Engine

    from cctvscope.model.estate import Estate
    from cctvscope.optimisation.control_rooms import OptionsResult

LONDON_AREAS = ("covent_garden", "clerkenwell")
"""London's named placement areas (the bundled OSM extracts)."""


def print_skipped(what: str, gaps: tuple[str, ...]) -> None:
    """Say that nothing was computed, and why (one missing-input sentence a line)."""
    console.print(f"{what}: nothing computed, nothing written")
    for message in gaps:
        console.print(message)


def options_table(
    result: OptionsResult, title: str = "London", basis: str = "synthetic estate"
) -> Table:
    """The options by number of rooms; ``title`` names the region, ``basis`` the real share."""
    table = Table(
        title=f"Shared control-room options, {title} "
        f"({basis}; annual £, 10-year NPV vs status quo)",
        caption=f"Status quo: {len(result.status_quo.rooms)} rooms, "
        f"£{result.status_quo.annual_cost_gbp_per_year:,.0f} a year.",
    )
    for col in ("rooms", "annual cost", "one-off", "NPV", "payback year", "status"):
        table.add_column(col, justify="left" if col == "status" else "right")
    for o in result.options:
        payback = o.payback_year
        if o.status != "optimal":
            table.add_row(str(o.room_count), "-", "-", "-", "-", o.reason or o.status)
            continue
        table.add_row(
            str(o.room_count),
            f"£{o.annual_cost_gbp_per_year:,.0f}",
            f"£{o.one_off_gbp:,.0f}",
            f"£{o.npv_gbp:,.0f}",
            "-" if payback is None or math.isnan(payback) else f"{payback:.0f}",
            ";".join(o.open_rooms)[:60],
        )
    return table


def _area(value: str) -> str:
    """A named area or an existing file; whether a name fits the estate's region is known later."""
    if value not in LONDON_AREAS and not Path(value).is_file():
        raise typer.BadParameter(
            f"{value!r} is neither a polygon file nor a named area ({', '.join(LONDON_AREAS)})"
        )
    return value


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
    out: OutDirOption = Path("out"),
    rooms: Annotated[
        list[int] | None,
        typer.Option(
            "--rooms", help="Numbers of rooms to try (default 1..N).", callback=at_least_one
        ),
    ] = None,
    max_distance_km: Annotated[
        float | None,
        typer.Option(help="Longest borough-to-room distance allowed [km].", callback=positive),
    ] = None,
    police_colocation_km: Annotated[
        float | None,
        typer.Option(
            help="Every open room within this distance of an MPS site [km].", callback=positive
        ),
    ] = None,
    lock: Annotated[list[str] | None, typer.Option(help="Room ids that must stay open.")] = None,
    resilience: Annotated[bool, typer.Option(help="Require a backup room per borough.")] = False,
    version: VersionOption = None,
    database_url: DbOption = None,
) -> None:
    """Shared control-room options: the status quo and the best plan for each number of rooms."""
    from cctvscope.optimisation.control_rooms import ControlRoomOptions
    from cctvscope.reporting.options import write_control_room_options
    from cctvscope.workflows.confidence import real_share_text
    from cctvscope.workflows.options import control_room_gaps, run_control_room_options
    from cctvscope.workflows.region_inputs import region_inputs

    try:
        with steps("options") as progress:
            task = progress.add_task("Loading the estate", total=None)
            engine, loaded = load_for_command(estate, version, database_url)
            region = region_inputs(engine, loaded)
            gaps = control_room_gaps(loaded, region)
            if gaps:
                progress.stop()
                print_skipped(f"{region.title} control-room options", gaps)
                return
            progress.update(task, description="Solving the options (HiGHS)")
            settings = ControlRoomOptions(
                locked_rooms=tuple(lock or ()),
                max_distance_km=max_distance_km,
                police_colocation_km=police_colocation_km,
                resilience=resilience,
            )
            result = run_control_room_options(
                loaded, room_counts=rooms, settings=settings, region=region
            )
            progress.update(task, description="Writing the options and maps")
            paths = write_control_room_options(result, loaded, out)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    console.print(options_table(result, region.title, real_share_text(loaded)))
    console.print(f"wrote {len(paths)} files in {out}")


@options_app.command("monitoring")
def options_monitoring(
    estate: Annotated[str, typer.Option("--estate", help="Estate to plan.")],
    out: OutDirOption = Path("out"),
    version: VersionOption = None,
    database_url: DbOption = None,
) -> None:
    """Which cameras operators should watch live, hour by hour, in each council control room."""
    from cctvscope.reporting.options import write_monitoring
    from cctvscope.workflows.options import monitoring_gaps, run_monitoring
    from cctvscope.workflows.region_inputs import region_inputs

    try:
        with steps("monitoring") as progress:
            task = progress.add_task("Loading the estate", total=None)
            engine, loaded = load_for_command(estate, version, database_url)
            region = region_inputs(engine, loaded)
            gaps = monitoring_gaps(loaded, region)
            if gaps:
                progress.stop()
                print_skipped(f"{region.title} monitoring", gaps)
                return
            progress.update(task, description="Optimising the monitoring rota per room")
            monitoring = run_monitoring(loaded, region=region)
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
    title = f"{region.title} monitoring: expected detections per year"
    console.print(frame_table(shown, title=title))
    console.print(f"wrote {paths[0]}")


@options_app.command("placement")
def options_placement(
    estate: Annotated[str, typer.Option("--estate", help="Estate with the existing cameras.")],
    area: Annotated[
        str,
        typer.Option(
            help="A polygon file (GeoJSON, GeoPackage; any CRS) of the study area, or for "
            "London covent_garden or clerkenwell.",
            callback=_area,
        ),
    ] = "covent_garden",
    budget: Annotated[
        float, typer.Option(help="Budget for new cameras [£].", callback=non_negative)
    ] = 100_000.0,
    out: OutDirOption = Path("out"),
    version: VersionOption = None,
    database_url: DbOption = None,
) -> None:
    """New camera sites maximising crime-weighted Recognise coverage within a budget."""
    from cctvscope.reporting.options import write_placement
    from cctvscope.workflows.options import (
        placement_gaps,
        read_area,
        run_area_placement,
        run_placement,
    )
    from cctvscope.workflows.region_inputs import region_inputs

    try:
        with steps("placement") as progress:
            task = progress.add_task("Loading the estate", total=None)
            engine, loaded = load_for_command(estate, version, database_url)
            region = region_inputs(engine, loaded)
            named = region.is_london and area in LONDON_AREAS
            if not named and not Path(area).is_file():
                known = " or ".join(LONDON_AREAS) if region.is_london else "none"
                raise InputError(
                    f"--area {area!r}: not a polygon file (named areas of {region.title}: {known})"
                )
            gaps = () if named else placement_gaps(loaded, region)
            if gaps:
                progress.stop()
                print_skipped(f"{region.title} placement", gaps)
                return
            progress.update(task, description=f"Placing cameras in {area}")
            if named:
                results = run_placement(loaded, areas=[area], budget_gbp=budget)
                key = area
            else:
                key = Path(area).stem
                results = {
                    key: run_area_placement(
                        loaded, read_area(Path(area)), name=key, budget_gbp=budget, region=region
                    )
                }
            paths = write_placement(results, out)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    r = results[key]
    console.print(
        f"{region.title} placement in {key}: {len(r.sites)} new cameras for £{r.cost_gbp:,.0f}; "
        f"crime-weighted coverage {r.share_before:.1%} -> {r.share_after:.1%} "
        f"(greedy: {r.greedy_share_after:.1%}); solver {r.outcome.status}, gap {r.outcome.gap:.2g}"
    )
    console.print("wrote " + ", ".join(str(p) for p in paths))
