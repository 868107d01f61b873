"""``cctvscope region`` and ``cctvscope estate``: any area as an input.

``region create`` reads a region's files (boundaries, and optionally small areas,
population, police.uk crime, OpenStreetMap features, police stations) and stores
it; every finding of every file is shown at once, and any error stores nothing
(exit 2). ``region list`` and ``region show`` say what is stored; ``estate create``
makes an empty estate whose boroughs are a region's areas. Registered by the main
app as ``app.add_typer(region_app, name="region")`` and
``app.add_typer(estate_app, name="estate")``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cctvscope.cli.common import EXIT_INPUT_ERROR, DbOption, fail, store_url
from cctvscope.cli.render import console, err_console, findings_table, steps
from cctvscope.errors import CctvscopeError, InputError

region_app = typer.Typer(
    help="Regions: the area an estate covers (London is bundled; any other from your files).",
    no_args_is_help=True,
)
estate_app = typer.Typer(help="Estates: create an empty estate of a region.", no_args_is_help=True)

#: Areas listed by ``region show`` before it summarises the rest.
SHOWN_AREAS = 50


def _input_error(exc: InputError, title: str) -> typer.Exit:
    """Print every finding (errors first) and return the input-error exit."""
    ordered = [*exc.errors, *(f for f in exc.findings if f.severity != "error")]
    err_console.print(findings_table(ordered, title=title))
    err_console.print(f"[red]{exc}[/red]")
    return typer.Exit(code=EXIT_INPUT_ERROR)


@region_app.command("create")
def create_cmd(
    name: Annotated[str, typer.Argument(help="Region name (letters, digits, _.-).")],
    boundaries: Annotated[
        Path,
        typer.Option(
            "--boundaries",
            exists=True,
            dir_okay=False,
            readable=True,
            help="Area units: GeoJSON, GeoPackage or shapefile, any CRS.",
        ),
    ],
    code_field: Annotated[
        str | None, typer.Option("--code-field", help="Column of the area codes.")
    ] = None,
    name_field: Annotated[
        str | None, typer.Option("--name-field", help="Column of the area names.")
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Name outputs use (default: NAME).")
    ] = None,
    small_areas: Annotated[
        Path | None,
        typer.Option("--small-areas", exists=True, dir_okay=False, help="LSOAs or output areas."),
    ] = None,
    crime: Annotated[
        list[Path] | None,
        typer.Option(
            "--crime", exists=True, dir_okay=False, help="police.uk street CSV (repeatable)."
        ),
    ] = None,
    population: Annotated[
        Path | None,
        typer.Option("--population", exists=True, dir_okay=False, help="CSV: code, population."),
    ] = None,
    osm: Annotated[
        Path | None,
        typer.Option(
            "--osm", exists=True, dir_okay=False, help="OSM file (.osm, .osm.pbf) or GeoJSON."
        ),
    ] = None,
    police_stations: Annotated[
        Path | None,
        typer.Option(
            "--police-stations", exists=True, dir_okay=False, help="Points: GeoJSON, CSV or OSM."
        ),
    ] = None,
    database_url: DbOption = None,
) -> None:
    """Read a region's files and store it (any error: nothing stored, exit 2)."""
    from cctvscope.store import init_store
    from cctvscope.workflows.regions import create_region

    try:
        with steps("region") as progress:
            task = progress.add_task("Opening the store", total=None)
            engine = init_store(store_url(database_url))
            info = create_region(
                engine,
                name,
                boundaries,
                title=title,
                code_field=code_field,
                name_field=name_field,
                small_areas=small_areas,
                crime=tuple(crime or ()),
                population=population,
                osm=osm,
                police_stations=police_stations,
                on_step=lambda message: progress.update(task, description=message),
            )
            progress.update(task, description="Done")
    except InputError as exc:
        raise _input_error(exc, f"Problems in the files of region {name!r}") from exc
    except CctvscopeError as exc:
        raise fail(exc) from exc
    for warning in info.metadata.get("warnings", []):
        err_console.print(f"[yellow]{warning}[/yellow]", markup=True, highlight=False)
    layers = ", ".join(f"{layer.name} {layer.feature_count:,}" for layer in info.layers)
    console.print(
        f"region {info.name!r} ({info.title}) stored: {info.areas} areas in "
        f"EPSG:{info.crs_epsg}; layers: {layers}"
    )


@region_app.command("list")
def list_cmd(database_url: DbOption = None) -> None:
    """The stored regions (London, bundled, is built the first time it is used)."""
    from cctvscope.store import init_store
    from cctvscope.workflows.regions import LONDON, list_regions

    try:
        infos = list_regions(init_store(store_url(database_url)))
    except CctvscopeError as exc:
        raise fail(exc) from exc
    table = Table(title="Regions")
    for col in ("name", "title", "areas", "CRS", "layers", "created"):
        table.add_column(col)
    for info in infos:
        table.add_row(
            info.name,
            info.title,
            f"{info.areas:,}",
            info.crs,
            ", ".join(layer.name for layer in info.layers),
            info.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    if all(info.name != LONDON for info in infos):
        table.add_row(LONDON, "London", "33", "EPSG:27700", "bundled", "built on first use")
    console.print(table)


@region_app.command("show")
def show_cmd(
    name: Annotated[str, typer.Argument(help="Region name.")],
    database_url: DbOption = None,
) -> None:
    """A region's areas, layers (with counts and source files) and CRS."""
    from cctvscope.store import init_store
    from cctvscope.workflows.regions import load_region

    try:
        data = load_region(init_store(store_url(database_url)), name)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    info = data.info
    console.print(
        f"region {info.name!r} ({info.title}): {info.areas:,} areas, CRS {info.crs}, "
        f"created {info.created_at:%Y-%m-%d %H:%M} UTC"
    )
    small = data.small_areas.groupby("area_code").size() if len(data.small_areas) else None
    areas = Table(title=f"Areas of {info.title}")
    for col in ("code", "name", "km²", "small areas"):
        areas.add_column(col, justify="right" if col in ("km²", "small areas") else "left")
    km2 = data.areas.geometry.area / 1e6
    for code, label, size in list(zip(data.areas["code"], data.areas["name"], km2, strict=True))[
        :SHOWN_AREAS
    ]:
        count = "" if small is None else str(int(small.get(code, 0)))
        areas.add_row(str(code), str(label), f"{size:,.2f}", count)
    if len(data.areas) > SHOWN_AREAS:
        areas.caption = f"... and {len(data.areas) - SHOWN_AREAS:,} more"
    console.print(areas)
    layers = Table(title="Layers")
    for col in ("layer", "kind", "features", "source", "sha256"):
        layers.add_column(col, justify="right" if col == "features" else "left")
    for layer in info.layers:
        layers.add_row(
            layer.name, layer.kind, f"{layer.feature_count:,}", layer.source, layer.sha256[:12]
        )
    console.print(layers)
    kinds = Counter(str(k) for k in data.features["kind"])
    if kinds:
        console.print(
            "features: " + ", ".join(f"{kind} {count:,}" for kind, count in sorted(kinds.items()))
        )
    months = info.metadata.get("crime_months") or []
    if months:
        console.print(f"crime: {len(data.crime):,} points, {months[0]} to {months[-1]}")


@estate_app.command("create")
def estate_create_cmd(
    name: Annotated[str, typer.Argument(help="Estate name.")],
    region: Annotated[str, typer.Option("--region", help="Region whose areas it covers.")],
    database_url: DbOption = None,
) -> None:
    """Create an empty estate whose boroughs are the region's areas (version 1)."""
    from cctvscope.store import init_store
    from cctvscope.workflows.regions import create_estate

    try:
        estate = create_estate(init_store(store_url(database_url)), name, region)
    except InputError as exc:
        raise _input_error(exc, f"Cannot create estate {name!r}") from exc
    except CctvscopeError as exc:
        raise fail(exc) from exc
    console.print(
        f"estate {estate.name!r} version {estate.version}: {len(estate.boroughs)} areas of "
        f"{estate.region.name}, no cameras yet; import them with "
        f"`cctvscope import cameras FILE --estate {estate.name}`"
    )
