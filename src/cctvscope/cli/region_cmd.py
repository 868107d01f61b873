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
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from cctvscope.cli.common import EXIT_INPUT_ERROR, DbOption, NewDbOption, fail, store_url
from cctvscope.cli.render import console, err_console, findings_table, steps
from cctvscope.cli.validate import new_name, non_negative
from cctvscope.errors import CctvscopeError, InputError

region_app = typer.Typer(
    help="Regions: the area an estate covers (London is bundled; any other from your files).",
    no_args_is_help=True,
)
estate_app = typer.Typer(help="Estates: create an empty estate of a region.", no_args_is_help=True)

Step = Callable[[str], None]
T = TypeVar("T")

#: Areas listed by ``region show`` before it summarises the rest.
SHOWN_AREAS = 50


def _input_error(exc: InputError, title: str) -> typer.Exit:
    """Print every finding (errors first) and return the input-error exit."""
    ordered = [*exc.errors, *(f for f in exc.findings if f.severity != "error")]
    err_console.print(findings_table(ordered, title=title))
    err_console.print(f"[red]{exc}[/red]")
    return typer.Exit(code=EXIT_INPUT_ERROR)


def _with_progress(label: str, problems_title: str, work: Callable[[Step], T]) -> T:
    """Run ``work`` with a progress line it updates; findings or errors end the command."""
    try:
        with steps(label) as progress:
            task = progress.add_task("Opening the store", total=None)
            done = work(lambda message: progress.update(task, description=message))
            progress.update(task, description="Done")
    except InputError as exc:
        raise _input_error(exc, problems_title) from exc
    except CctvscopeError as exc:
        raise fail(exc) from exc
    return done


@region_app.command("create")
def create_cmd(
    name: Annotated[
        str, typer.Argument(help="Region name (letters, digits, _.-).", callback=new_name)
    ],
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
    database_url: NewDbOption = None,
) -> None:
    """Read a region's files and store it (any error: nothing stored, exit 2)."""
    from cctvscope.store import init_store
    from cctvscope.workflows.regions import create_region

    info = _with_progress(
        "region",
        f"Problems in the files of region {name!r}",
        lambda on_step: create_region(
            init_store(store_url(database_url)),
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
            on_step=on_step,
        ),
    )
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
    name: Annotated[str, typer.Argument(help="Estate name.", callback=new_name)],
    region: Annotated[str, typer.Option("--region", help="Region whose areas it covers.")],
    synthetic: Annotated[
        bool,
        typer.Option(
            "--synthetic",
            help="Fill it with a calibrated synthetic estate (every record marked synthetic).",
        ),
    ] = False,
    council_counts: Annotated[
        Path | None,
        typer.Option(
            "--council-counts",
            exists=True,
            dir_okay=False,
            help="With --synthetic: CSV area_code,council_cameras (published counts).",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="With --synthetic: the random seed.", callback=non_negative),
    ] = None,
    standard: Annotated[
        str | None,
        typer.Option(
            "--standard",
            help="Bundled standard its compliance is checked against (default london-v1).",
        ),
    ] = None,
    database_url: NewDbOption = None,
) -> None:
    """Create an estate whose boroughs are the region's areas (version 1): empty, or synthetic."""
    from cctvscope.store import init_store
    from cctvscope.workflows.regions import create_estate

    if synthetic or council_counts is not None or seed is not None:
        if not synthetic or council_counts is None:
            err_console.print(
                "[red]error:[/red] a synthetic estate needs both --synthetic and "
                "--council-counts FILE (--seed is optional)"
            )
            raise typer.Exit(code=EXIT_INPUT_ERROR)
        _synthetic_estate(name, region, council_counts, seed, standard, database_url)
        return
    try:
        engine = init_store(store_url(database_url))
        estate = create_estate(engine, name, region, standard=standard)
    except InputError as exc:
        raise _input_error(exc, f"Cannot create estate {name!r}") from exc
    except CctvscopeError as exc:
        raise fail(exc) from exc
    console.print(
        f"estate {estate.name!r} version {estate.version}: {len(estate.boroughs)} areas of "
        f"{estate.region.name}, no cameras yet; import them with "
        f"`cctvscope import cameras FILE --estate {estate.name}`"
    )


def _synthetic_estate(
    name: str,
    region: str,
    counts: Path,
    seed: int | None,
    standard: str | None,
    database_url: str | None,
) -> None:
    """``estate create --synthetic``: build, store and describe the region's synthetic fill."""
    from cctvscope.store import init_store
    from cctvscope.workflows.synthetic_region import create_synthetic_estate

    made = _with_progress(
        "estate",
        f"Cannot create estate {name!r}",
        lambda on_step: create_synthetic_estate(
            init_store(store_url(database_url)),
            name,
            region,
            counts,
            seed=seed,
            standard=standard,
            on_step=on_step,
        ),
    )
    estate = made.estate
    by_owner = Counter(str(o) for o in estate.cameras["owner_type"])
    owners = ", ".join(f"{owner} {count:,}" for owner, count in sorted(by_owner.items()))
    if made.areas_without_counts:
        err_console.print(
            f"[yellow]{len(made.areas_without_counts)} area(s) not in {counts.name} get no "
            f"council cameras: {', '.join(made.areas_without_counts)}[/yellow]",
            markup=True,
            highlight=False,
        )
    console.print(
        f"estate {estate.name!r} version {estate.version}: {len(estate.boroughs)} areas of "
        f"{estate.region.name}, {len(estate.cameras):,} synthetic cameras ({owners}), "
        f"{len(estate.control_rooms)} control rooms, seed {estate.metadata['seed']}, "
        f"input hash {estate.input_hash()[:12]}"
    )
    console.print(
        "[yellow]Note:[/yellow] every record is synthetic (calibrated to the published council "
        "counts, placed by the region's crime); they describe no real camera. Replace them with "
        f"`cctvscope import cameras FILE --estate {estate.name} --mode replace`."
    )
