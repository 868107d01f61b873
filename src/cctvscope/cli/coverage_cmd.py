"""``cctvscope coverage``: what the cameras see, at which detail, and the crime they miss."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cctvscope.cli.common import DbOption, fail, store_url
from cctvscope.cli.render import console
from cctvscope.coverage.engine import CoverageOptions, CoverageResult
from cctvscope.errors import CctvscopeError
from cctvscope.model.estate import Estate

#: Borough rows shown after a run (most crime points covered at Recognise first).
TOP_BOROUGHS = 8


def coverage_step(
    estate: Estate,
    out: Path,
    options: CoverageOptions,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    maps: bool = True,
) -> tuple[CoverageResult, list[Path]]:
    """Run coverage on ``estate`` and write ``coverage.gpkg``, CSVs and maps to ``out``."""
    from cctvscope.reporting.charts.coverage import coverage_maps
    from cctvscope.reporting.coverage import write_coverage_files
    from cctvscope.workflows.coverage import run_coverage

    result = run_coverage(estate, options, on_progress=on_progress)
    paths = list(write_coverage_files(result, estate.cameras, out).values())
    if maps:
        paths += coverage_maps(result, estate.boroughs, out)
    return result, paths


def demo_coverage(estate: Estate, out: Path) -> CoverageResult:
    """The demo's coverage run, made to run in a separate process beside the other steps.

    Returns the result without its polygon layers (they are in ``coverage.gpkg``), which
    keeps the hand-back between processes small.
    """
    import dataclasses

    result, _paths = coverage_step(estate, out, CoverageOptions(polygons=True))
    return dataclasses.replace(
        result, unions=result.unions.iloc[0:0], visibility=result.visibility.iloc[0:0]
    )


def coverage_table(result: CoverageResult) -> Table:
    """London by level, then the boroughs with the most crime covered at Recognise."""
    s = result.summary
    table = Table(title="Coverage (area and crime inside coverage)")
    for col in ("area", "level", "covered km²", "joint km²", "crime points %", "LSOA crime %"):
        table.add_column(col, justify="left" if col in ("area", "level") else "right")
    rec = s[(s["area_type"] == "borough") & (s["level"] == "recognise")]
    top = rec.sort_values("crime_points_share", ascending=False).head(TOP_BOROUGHS)
    rows = [("London", r) for r in s[s["area_type"] == "london"].to_dict("records")]
    rows += [(str(r["area_name"]), r) for r in top.to_dict("records")]
    for name, r in rows:
        table.add_row(
            name,
            str(r["level"]),
            f"{float(r['covered_km2']):.3f}",
            f"{float(r['joint_km2']):.3f}",
            f"{100 * float(r['crime_points_share']):.1f}",
            f"{100 * float(r['lsoa_crime_share']):.1f}",
        )
    return table


def coverage(
    estate_name: Annotated[str, typer.Option("--estate", help="Estate name.")] = "london",
    version: Annotated[int | None, typer.Option(help="Estate version (latest if omitted).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    executor: Annotated[str, typer.Option(help="inprocess (default) or dask.")] = "inprocess",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address; a LocalCluster if omitted.")
    ] = None,
    workers: Annotated[int, typer.Option(help="LocalCluster worker processes.")] = 2,
    threads: Annotated[int, typer.Option(help="In-process threads.")] = 1,
    cell_m: Annotated[float, typer.Option(help="Grid cell size [m].")] = 1.0,
    tile_m: Annotated[float, typer.Option(help="BNG tile size [m].")] = 1000.0,
    polygons: Annotated[
        bool, typer.Option(help="Write per-camera visibility polygons (large).")
    ] = True,
    maps: Annotated[bool, typer.Option(help="Draw the London and borough maps.")] = True,
    database_url: DbOption = None,
) -> None:
    """Coverage by BS EN 62676-4 detail level, occluded by buildings, weighted by crime."""
    from cctvscope.store import load_estate

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
        estate = load_estate(store_url(database_url), estate_name, version)
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

            result, paths = coverage_step(estate, out, options, on_progress, maps=maps)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    except ValueError as exc:
        raise fail(CctvscopeError(str(exc))) from exc
    console.print(coverage_table(result))
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
