"""``cctvscope place``: find a postcode, place, street or coordinates in an estate's region."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cctvscope.cli.common import DbOption, fail, store_url
from cctvscope.cli.render import console, err_console
from cctvscope.errors import CctvscopeError


def place(
    query: Annotated[
        str,
        typer.Argument(
            help="A postcode (SW1A 2AA, SW1A), a place, street or area name, or coordinates "
            "(530268 179644 easting northing, or 51.5007,-0.1246 latitude, longitude)."
        ),
    ],
    estate: Annotated[str, typer.Option("--estate", help="Estate whose region is searched.")],
    database_url: DbOption = None,
) -> None:
    """Find a place in an estate's region, with its British National Grid point."""
    from cctvscope.store import init_store, load_estate
    from cctvscope.workflows.places import find_place

    try:
        engine = init_store(store_url(database_url))
        loaded = load_estate(engine, estate)
        found = find_place(engine, loaded, query)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    if not found:
        err_console.print(f"no place in {loaded.region.name} matches {query!r}")
        raise typer.Exit(code=1)
    names = dict(
        zip(
            loaded.boroughs["gss_code"].astype(str),
            loaded.boroughs["name"].astype(str),
            strict=True,
        )
    )
    table = Table(title=f"Places matching {query!r} in {loaded.region.name}")
    for col in ("place", "kind", "easting m", "northing m", "area"):
        table.add_column(col, justify="right" if col.endswith(" m") else "left")
    for p in found:
        table.add_row(
            p.label, p.kind.value, f"{p.x_m:.0f}", f"{p.y_m:.0f}", names.get(p.area_code, "")
        )
    console.print(table)
