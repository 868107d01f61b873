"""Options and helpers shared by the CLI commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from cctvscope.cli.render import err_console
from cctvscope.cli.validate import (
    at_least_one,
    easting,
    existing_store,
    latitude,
    longitude,
    new_store,
    northing,
    out_dir,
    reachable_scheduler,
)
from cctvscope.cli.validate import store_url as store_url  # the commands import it from here
from cctvscope.errors import CctvscopeError, UnknownEstateError, UnknownRegionError


def _db_option(callback: Callable[[str | None], str]) -> object:
    return typer.Option(
        "--database-url",
        envvar="CCTVSCOPE_DATABASE_URL",
        help="Store URL (default sqlite:///./cctvscope.db).",
        show_default=False,
        callback=callback,
    )


DbOption = Annotated[str | None, _db_option(existing_store)]
"""The store of a command that reads or adds to one: a SQLite store must already exist."""
NewDbOption = Annotated[str | None, _db_option(new_store)]
"""The store of a command that may create it (init, demo, region/estate create, import)."""

OutDirOption = Annotated[Path, typer.Option("--out", help="Output folder.", callback=out_dir)]
"""An output folder, checked writable before the work (not after minutes of it)."""
VisibilityPolygonsOption = Annotated[
    bool,
    typer.Option(
        "--visibility-polygons",
        help="Also write each camera's visibility polygon to coverage.gpkg (slow, large).",
    ),
]
"""Per-camera visibility polygons in the pipeline's coverage.gpkg (off: figures use the grid)."""
VersionOption = Annotated[
    int | None, typer.Option(help="Estate version (default latest).", callback=at_least_one)
]

# Where tiles run: the options of `coverage` and `coverage-partitioned`.
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        help="Dask scheduler address; a LocalCluster if omitted.", callback=reachable_scheduler
    ),
]
WorkersOption = Annotated[
    int, typer.Option(help="LocalCluster worker processes.", callback=at_least_one)
]
ThreadsOption = Annotated[int, typer.Option(help="In-process threads.", callback=at_least_one)]
MaxInFlightOption = Annotated[
    int | None,
    typer.Option(
        help="Tiles submitted and unfinished at most (default 4 per worker thread).",
        callback=at_least_one,
    ),
]

# A place, as WGS84 or as British National Grid; each name the commands used before still works.
LonOption = Annotated[
    float | None, typer.Option("--lon", help="WGS84 longitude [°].", callback=longitude)
]
LatOption = Annotated[
    float | None, typer.Option("--lat", help="WGS84 latitude [°].", callback=latitude)
]
EastingOption = Annotated[
    float | None,
    typer.Option("--x", "--easting", help="British National Grid easting [m].", callback=easting),
]
NorthingOption = Annotated[
    float | None,
    typer.Option(
        "--y", "--northing", help="British National Grid northing [m].", callback=northing
    ),
]

EXIT_INPUT_ERROR = 2


def fail(exc: CctvscopeError) -> typer.Exit:
    """Print a one-line error and return the exit to raise: 2 when the command named an
    estate or region the store does not hold (a usage error, like any bad argument),
    else 1."""
    err_console.print(f"[red]error:[/red] {exc}")
    unknown = isinstance(exc, UnknownEstateError | UnknownRegionError)
    return typer.Exit(code=EXIT_INPUT_ERROR if unknown else 1)
