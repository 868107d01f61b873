"""``cctvscope bench-estate`` and ``cctvscope coverage-partitioned``: coverage at national scale.

``bench-estate`` writes a synthetic national estate as partitioned files (one Parquet
of cameras and one GeoParquet of buildings per BNG tile); ``coverage-partitioned``
covers such a folder tile by tile, in process or on Dask, with a bounded number of
tiles in flight, the workers reading their tiles' files and writing their results,
so the client's memory does not grow with the estate.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cctvscope.cli.common import (
    MaxInFlightOption,
    SchedulerOption,
    ThreadsOption,
    WorkersOption,
    fail,
    store_url,
)
from cctvscope.cli.render import console, err_console
from cctvscope.errors import CctvscopeError

if TYPE_CHECKING:
    from cctvscope.coverage.bounded import BoundedExecutor
    from cctvscope.workflows.national import PartitionedCoverage, PartitionedEstate
from cctvscope.cli.validate import (
    at_least_one,
    non_negative,
    one_of,
    out_dir,
    positive,
)


def bench_estate(
    cameras: Annotated[int, typer.Option("--cameras", help="Cameras.", callback=at_least_one)],
    buildings: Annotated[
        int, typer.Option("--buildings", help="Building footprints.", callback=non_negative)
    ],
    out: Annotated[
        Path, typer.Option("--out", help="New folder for the partitioned estate.", callback=out_dir)
    ],
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same estate).")] = 0,
    cameras_per_tile: Annotated[
        int, typer.Option(help="Cameras per 1 km tile (sets the area).", callback=at_least_one)
    ] = 100,
) -> None:
    """A synthetic national estate (cameras and buildings, spread evenly over 1 km tiles)."""
    from cctvscope.coverage.national import NationalScenario
    from cctvscope.workflows.national import write_scenario

    scenario = NationalScenario(cameras, buildings, seed=seed, cameras_per_tile=cameras_per_tile)
    try:
        with _progress() as progress:
            task = progress.add_task("write", total=scenario.tiles)
            estate = write_scenario(
                scenario, out, on_progress=lambda _s, n: progress.advance(task, n)
            )
    except ValueError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=2) from exc
    console.print(
        f"wrote {estate.name}: {estate.cameras:,} cameras and {estate.buildings:,} buildings "
        f"on {scenario.tiles:,} tiles of {scenario.tile_m:g} m in {out}"
    )


def coverage_partitioned(
    estate_dir: Annotated[
        Path | None, typer.Argument(help="A partitioned estate (bench-estate).")
    ] = None,
    estate_name: Annotated[
        str | None,
        typer.Option(
            "--estate",
            help="A stored estate instead: partitioned into OUT/partitions first.",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="CCTVSCOPE_DATABASE_URL",
            help="Store URL, with --estate (default sqlite:///./cctvscope.db).",
            callback=store_url,
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Output folder (per-tile results).", callback=out_dir)
    ] = Path("out-national"),
    executor: Annotated[
        str, typer.Option(help="inprocess or dask (default).", callback=one_of("inprocess", "dask"))
    ] = "dask",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = 2,
    threads: ThreadsOption = 1,
    max_in_flight: MaxInFlightOption = None,
    cell_m: Annotated[float, typer.Option(help="Grid cell size [m].", callback=positive)] = 1.0,
) -> None:
    """Coverage of a partitioned estate, tile by tile: totals here, squares per tile in OUT."""
    from cctvscope.coverage.detail import assumed_usable_range_m
    from cctvscope.model.assumptions import read_assumptions
    from cctvscope.workflows.national import (
        PartitionedEstate,
        cover_partitioned,
        dask_executor,
        in_process_executor,
    )

    if (estate_dir is None) == (estate_name is None):
        err_console.print("[red]error:[/red] give a partitioned estate's folder or --estate NAME")
        raise typer.Exit(code=2)
    try:
        if estate_name is not None:
            estate = _partition_stored(estate_name, database_url, out / "partitions")
        else:
            assert estate_dir is not None
            estate = PartitionedEstate.open(estate_dir)
        with _progress() as progress:
            halo = progress.add_task("halo", total=len(estate.camera_tiles))
            cover = progress.add_task("cover", total=None)

            def on_progress(step: str, n: int) -> None:
                progress.advance(halo if step == "halo" else cover, n)

            def run(executor_: BoundedExecutor, in_flight: int) -> PartitionedCoverage:
                return cover_partitioned(
                    estate,
                    executor_,
                    out=out,
                    usable_range_m=assumed_usable_range_m(read_assumptions()),
                    cell_m=cell_m,
                    max_in_flight=in_flight,
                    on_progress=on_progress,
                )

            if executor == "dask":
                with dask_executor(scheduler, workers) as dask:
                    result = run(dask, max_in_flight or 4 * max(1, dask.threads))
            else:
                pool = in_process_executor(threads)
                try:
                    result = run(pool, max_in_flight or 4 * threads)
                finally:
                    pool.close()
    except ValueError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=2) from exc
    except CctvscopeError as exc:
        raise fail(exc) from exc
    console.print(_totals_table(result, estate.name))


def _partition_stored(name: str, database_url: str | None, root: Path) -> PartitionedEstate:
    from cctvscope.cli.validate import existing_store
    from cctvscope.store import init_store
    from cctvscope.workflows.national_store import partition_stored_estate

    engine = init_store(existing_store(database_url))
    return partition_stored_estate(engine, name, root)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}[/bold] tiles {task.completed}"),
        TimeElapsedColumn(),
        console=console,
    )


def _totals_table(result: PartitionedCoverage, name: str) -> Table:
    table = Table(
        title=f"{name}: {result.cameras:,} cameras, {result.tiles_run:,} tiles "
        f"(halo {result.halo_m:.0f} m)"
    )
    frame = result.table()
    for column in ("level", "covered_km2", "joint_km2", "camera_visible_km2"):
        table.add_column(column, justify="left" if column == "level" else "right")
    for row in frame.to_dict("records"):
        table.add_row(
            str(row["level"]),
            f"{row['covered_km2']:.3f}",
            f"{row['joint_km2']:.3f}",
            f"{row['camera_visible_km2']:.3f}",
        )
    return table
