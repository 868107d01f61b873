"""``cctvscope coverage``: what the cameras see, at which detail, and the crime they miss."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cctvscope.cli.common import (
    DbOption,
    MaxInFlightOption,
    OutDirOption,
    SchedulerOption,
    ThreadsOption,
    VersionOption,
    WorkersOption,
    fail,
    store_url,
)
from cctvscope.cli.render import console
from cctvscope.cli.validate import one_of, positive
from cctvscope.errors import CctvscopeError

if TYPE_CHECKING:  # heavy (numba, pandas): imported by the command that runs, not by --help
    import pandas as pd

    from cctvscope.coverage.engine import CoverageOptions, CoverageResult
    from cctvscope.model.estate import Estate
    from cctvscope.workflows.region_inputs import RegionInputs

#: Borough rows shown after a run (most crime points covered at Recognise first).
TOP_BOROUGHS = 8


def coverage_step(
    estate: Estate,
    out: Path,
    options: CoverageOptions,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    maps: bool = True,
    region: RegionInputs | None = None,
) -> tuple[CoverageResult, list[Path]]:
    """Run coverage on ``estate`` and write ``coverage.gpkg``, CSVs and maps to ``out``.

    ``region``: the estate's region layers (London's bundled data when omitted).
    """
    from cctvscope.reporting.outputs import write_coverage_outputs
    from cctvscope.workflows.coverage import run_coverage

    result = run_coverage(estate, options, region=region, on_progress=on_progress)
    return result, write_coverage_outputs(result, estate, region, out, maps=maps)


def coverage_table(result: CoverageResult) -> Table:
    """The region by level, then the areas with the most crime covered at Recognise.

    Crime columns the region cannot give (no crime layer) are left out of the table.
    """
    return summary_view(result.summary)


def summary_view(s: pd.DataFrame) -> Table:
    """:func:`coverage_table` of a coverage summary frame."""
    region_rows = s[s["area_type"] == "london"]
    title = str(region_rows["area_name"].iloc[0]) if len(region_rows) else "Region"
    table = Table(title=f"{title} coverage (area and crime inside coverage)")
    shares = [
        (column, label)
        for column, label in (
            ("crime_points_share", "crime points %"),
            ("lsoa_crime_share", "small-area crime %"),
        )
        if column in s.columns
    ]
    for col in ("area", "level", "covered km²", "joint km²", *(label for _c, label in shares)):
        table.add_column(col, justify="left" if col in ("area", "level") else "right")
    rec = s[(s["area_type"] == "borough") & (s["level"] == "recognise")]
    order = "crime_points_share" if "crime_points_share" in s.columns else "covered_km2"
    top = rec.sort_values(order, ascending=False).head(TOP_BOROUGHS)
    rows = [(title, r) for r in region_rows.to_dict("records")]
    rows += [(str(r["area_name"]), r) for r in top.to_dict("records")]
    for name, r in rows:
        table.add_row(
            name,
            str(r["level"]),
            f"{float(r['covered_km2']):.3f}",
            f"{float(r['joint_km2']):.3f}",
            *(f"{100 * float(r[column]):.1f}" for column, _label in shares),
        )
    return table


def coverage(
    estate_name: Annotated[str, typer.Option("--estate", help="Estate name.")] = "london",
    version: VersionOption = None,
    out: OutDirOption = Path("out"),
    executor: Annotated[
        str,
        typer.Option(
            help="inprocess (default) or dask: tile by tile from per-tile files, any size "
            "(the summary CSV and per-tile results; no GeoPackage or maps).",
            callback=one_of("inprocess", "dask"),
        ),
    ] = "inprocess",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = 2,
    threads: ThreadsOption = 1,
    max_in_flight: MaxInFlightOption = None,
    cell_m: Annotated[float, typer.Option(help="Grid cell size [m].", callback=positive)] = 1.0,
    tile_m: Annotated[float, typer.Option(help="BNG tile size [m].", callback=positive)] = 1000.0,
    polygons: Annotated[
        bool, typer.Option(help="Write per-camera visibility polygons (large).")
    ] = True,
    maps: Annotated[bool, typer.Option(help="Draw the London and borough maps.")] = True,
    database_url: DbOption = None,
) -> None:
    """Coverage by BS EN 62676-4 detail level, occluded by buildings, weighted by crime."""
    from cctvscope.coverage.engine import CoverageOptions
    from cctvscope.reporting.guide_crime import crime_type_notes
    from cctvscope.store import init_store, load_estate
    from cctvscope.workflows.coverage import coverage_lacks
    from cctvscope.workflows.region_inputs import region_inputs

    try:
        options = CoverageOptions(
            executor=executor,
            scheduler=scheduler,
            n_workers=workers,
            threads=threads,
            cell_m=cell_m,
            tile_m=tile_m,
            polygons=polygons,
        )
        engine = init_store(store_url(database_url))
        if executor == "dask":
            # Any size: the estate is streamed into per-tile files and covered tile by tile.
            dask_coverage(engine, estate_name, version, out, options, max_in_flight)
            return
        estate = load_estate(engine, estate_name, version)
        region = region_inputs(engine, estate)
        with Progress(
            TextColumn("[bold]coverage[/bold] tiles"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("tiles", total=None)

            def on_progress(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            result, paths = coverage_step(
                estate, out, options, on_progress, maps=maps, region=region
            )
    except CctvscopeError as exc:
        raise fail(exc) from exc
    except ValueError as exc:
        raise fail(CctvscopeError(str(exc))) from exc
    console.print(coverage_table(result))
    # Which police.uk crime types the crime figures count (burglary alone where that is all).
    for note in crime_type_notes(result, region.title):
        console.print(note)
    for message in coverage_lacks(region):
        console.print(message)
    console.print(
        f"{result.n_tiles:,} tiles of {options.tile_m:g} m (halo {result.halo_m:.0f} m); "
        f"{len(result.gaps)} gaps; wrote {', '.join(p.name for p in paths[:4])} "
        f"and {max(0, len(paths) - 4)} maps in {out}"
    )
    if result.synthetic_share > 0:
        console.print(
            f"[yellow]Note:[/yellow] {100 * result.synthetic_share:.0f} % of cameras are "
            "synthetic; coverage figures are illustrative."
        )


def dask_coverage(
    engine: Any,
    name: str,
    version: int | None,
    out: Path,
    options: CoverageOptions,
    max_in_flight: int | None,
) -> None:
    """``coverage --executor dask``: tile by tile from partitioned files, bounded in flight;
    writes per-tile results and ``coverage_summary.csv`` and prints the summary."""
    from cctvscope.reporting.coverage import real_input_share_column
    from cctvscope.reporting.safe_csv import write_csv
    from cctvscope.workflows.national import dask_executor
    from cctvscope.workflows.national_store import cover_stored_estate

    with (
        Progress(
            TextColumn("[bold]coverage[/bold] {task.description} tiles {task.completed}"),
            TimeElapsedColumn(),
            console=console,
        ) as progress,
        dask_executor(options.scheduler, options.n_workers) as dask,
    ):
        steps = {step: progress.add_task(step, total=None) for step in ("halo", "cover")}
        result = cover_stored_estate(
            engine,
            name,
            out,
            dask,
            version=version,
            options=options,
            max_in_flight=max_in_flight or 4 * max(1, dask.threads),
            on_progress=lambda step, n: progress.advance(steps[step], n),
        )
    frame = result.summary.copy()
    frame["synthetic_share_of_cameras"] = round(result.synthetic_share, 4)
    frame["share_real_inputs"] = real_input_share_column(frame, *result.real_input_shares)
    write_csv(frame, out / "coverage_summary.csv", float_format="%.6g")
    console.print(summary_view(result.summary))
    for message in result.missing:
        console.print(message)
    cov = result.coverage
    console.print(
        f"{result.name}: {cov.cameras:,} cameras on {cov.tiles_run:,} tiles of "
        f"{options.tile_m:g} m (halo {cov.halo_m:.0f} m); wrote coverage_summary.csv, "
        f"coverage_totals.csv and per-tile grid/ and cameras/ in {out}"
    )
    if result.synthetic_share > 0:
        console.print(
            f"[yellow]Note:[/yellow] {100 * result.synthetic_share:.0f} % of cameras are "
            "synthetic; coverage figures are illustrative."
        )
