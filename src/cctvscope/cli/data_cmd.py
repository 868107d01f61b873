"""``cctvscope export`` and ``cctvscope status``: an estate version out, and how real it is."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cctvscope.cli.common import EXIT_INPUT_ERROR, DbOption, fail, store_url
from cctvscope.cli.render import console, err_console, steps
from cctvscope.cli.validate import at_least_one, out_path
from cctvscope.errors import CctvscopeError, InputError


def export(
    estate: Annotated[str, typer.Option("--estate", help="Estate to export.")],
    out: Annotated[
        Path,
        typer.Option("--out", help="A .gpkg file, or a folder with --format.", callback=out_path),
    ],
    version: Annotated[
        int | None,
        typer.Option(
            "--version", help="Estate version (default: the latest).", callback=at_least_one
        ),
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="gpkg, parquet (GeoParquet) or csv.")
    ] = None,
    database_url: DbOption = None,
) -> None:
    """Write every table of an estate version, with each camera attribute's provenance."""
    from cctvscope.reporting.export import export_format_for, write_estate_export
    from cctvscope.store import init_store, load_estate

    try:
        chosen = export_format_for(out, fmt)
        engine = init_store(store_url(database_url))
        with steps("export") as progress:
            task = progress.add_task(f"Loading estate {estate!r}", total=None)
            loaded = load_estate(engine, estate, version)
            progress.update(task, description=f"Writing {chosen.value}")
            written = write_estate_export(loaded, out, chosen)
    except InputError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=EXIT_INPUT_ERROR) from exc
    except CctvscopeError as exc:
        raise fail(exc) from exc
    except OSError as exc:
        err_console.print(f"[red]error:[/red] cannot write {out}: {exc.strerror or exc}")
        raise typer.Exit(code=1) from exc
    console.print(
        f"exported estate {loaded.name!r} version {loaded.version} ({chosen.value}): "
        f"{len(written)} file(s) under {out}"
    )


def _share(value: float) -> str:
    return "–" if value != value else f"{value:.0%}"


def status(
    estate: Annotated[str, typer.Option("--estate", help="Estate to report on.")],
    borough: Annotated[
        str | None, typer.Option("--borough", help="One borough (code or name): every table.")
    ] = None,
    database_url: DbOption = None,
) -> None:
    """Data confidence: per table (and borough), the share of real records and the last return."""
    from cctvscope.ingest.locate import BoroughIndex
    from cctvscope.store import init_store, load_estate
    from cctvscope.workflows.confidence import data_confidence, data_request_text

    try:
        loaded = load_estate(init_store(store_url(database_url)), estate)
        confidence = data_confidence(loaded)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    title = f"Data confidence: {loaded.region.name}, estate {loaded.name!r} v{loaded.version}"
    rows = confidence.by_table
    code = None
    if borough:
        code = BoroughIndex.of(loaded.boroughs).resolve(borough)
        if code is None:
            err_console.print(f"[red]error:[/red] unknown borough {borough!r}")
            raise typer.Exit(code=EXIT_INPUT_ERROR)
        rows = confidence.borough(code)
        title += f", {rows['borough'].iloc[0]}"
    table = Table(title=title)
    for column in ("table", "records", "real", "share real", "real values", "last return", "label"):
        table.add_column(column, justify="left" if column in ("table", "label") else "right")
    for r in rows.to_dict("records"):
        table.add_row(
            str(r["table"]),
            f"{int(r['records']):,}",
            f"{int(r['real_records']):,}",
            _share(float(r["share_real"])),
            _share(float(r["share_real_values"])),
            str(r["last_returned"])[:10] or "never",
            str(r["label"]),
        )
    console.print(table)
    synthetic = int((loaded.cameras["provenance"] == "synthetic").sum())
    if synthetic:
        # The shares above count real records only; say plainly what the rest are.
        generator = loaded.metadata.get("generator_source") or "a synthetic generator"
        console.print(
            f"[yellow]Synthetic:[/yellow] {synthetic:,} of {len(loaded.cameras):,} cameras are "
            f"synthetic ({generator}); they describe no real camera."
        )
    if code is None:
        by = confidence.table
        cams = by.loc[by["table"] == "cameras"]
        returned = cams.loc[cams["real_records"] > 0, "borough"].tolist()
        console.print(
            f"boroughs with real camera records: {len(returned)} of {len(cams)}"
            + (f" ({', '.join(returned)})" if returned else "")
        )
    else:
        console.print(data_request_text(code, confidence))
