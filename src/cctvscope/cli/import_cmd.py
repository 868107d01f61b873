"""``cctvscope import TABLE FILE``: every estate table, previewed before anything is written."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cctvscope.cli.common import EXIT_INPUT_ERROR, NewDbOption, fail, store_url
from cctvscope.cli.mirrors import ImportModeName
from cctvscope.cli.render import (
    console,
    err_console,
    findings_table,
    steps,
    warning_summary,
)
from cctvscope.cli.validate import new_name, out_file, store_exists
from cctvscope.errors import CctvscopeError, Finding, InputError

if TYPE_CHECKING:  # heavy (pandas): imported by the commands that run, not by --help
    import pandas as pd

import_app = typer.Typer(
    help=(
        "Import a table (cameras, control_rooms, links, contracts, evidence_stats, cost_items, "
        "monitoring). A borough return replaces the records of its scope (--mode replace)."
    ),
    no_args_is_help=True,
)

TABLE_HELP = {
    "cameras": "Cameras: CSV, GeoJSON, OSM XML or the return workbook (sheet cameras).",
    "control_rooms": "Control rooms: location, operator, positions, hours, staffing, VMS.",
    "links": "Transmission links from cameras to control rooms.",
    "contracts": "Contracts a borough holds (the framework chapter's register).",
    "evidence_stats": "Police evidence requests per borough and year, retrieval model, turnaround.",
    "cost_items": "Unit costs of a named cost profile.",
    "monitoring": "Which control room watches which camera (camera_id, control_room_id).",
}


NOUNS = {
    "cameras": "cameras",
    "control_rooms": "control rooms",
    "links": "links",
    "contracts": "contracts",
    "evidence_stats": "evidence statistics rows",
    "cost_items": "cost items",
    "monitoring": "monitoring assignments",
}


def _preview_table(frame: pd.DataFrame, title: str) -> Table:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), justify="left" if column == "borough_code" else "right")
    for row in frame.itertuples(index=False):
        table.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in row))
    return table


def _system_arrow_memory() -> None:
    """Arrow (pandas' text columns) allocates from the system allocator in this process.

    Its own allocator (mimalloc) keeps what an import's column chunks free for reuse
    rather than handing it back, and that adds to the peak: some 70 MB at 200,000 rows
    (benchmarks/import_scale.py), for no difference in time. One command runs per
    process, so the choice is the command's to make.
    """
    import pyarrow as pa  # type: ignore[import-untyped]

    pa.set_memory_pool(pa.system_memory_pool())


def _run_import(
    table: str,
    file: Path,
    estate: str,
    mode: ImportModeName,
    scope_borough: list[str] | None,
    scope_owner: list[str] | None,
    whole_table: bool,
    dry_run: bool,
    map_: list[str] | None,
    set_: list[str] | None,
    value_map: list[str] | None,
    id_from: str | None,
    fmt: str | None,
    encoding: str | None,
    sheet: str | None,
    database_url: str | None,
    findings_out: Path | None,
) -> None:
    from cctvscope.ingest.cameras import parse_assignments
    from cctvscope.ingest.values import parse_value_maps
    from cctvscope.model.enums import ImportMode
    from cctvscope.store import init_store
    from cctvscope.workflows.imports import ImportRequest, import_file, resolve_scope

    _system_arrow_memory()
    try:
        camera_table = table == "cameras"
        field_map = parse_assignments(map_ or [], option="--map") if camera_table else {}
        constants = parse_assignments(set_ or []) if camera_table else {}
        if not camera_table:
            field_map = _pairs(map_ or [], "--map")
            constants = _pairs(set_ or [], "--set")
        url = store_url(database_url)
        # A dry run writes nothing, not even a new store: it previews against an empty
        # one in memory when the store is not there yet.
        engine = init_store(url if not dry_run or store_exists(url) else "sqlite://")
        scope = resolve_scope(
            engine, estate, table, scope_borough or [], scope_owner or [], whole_table
        )
        request = ImportRequest(
            table=table,
            path=file,
            mode=ImportMode(mode),
            scope=scope,
            field_map=field_map,
            constants=constants,
            value_maps=parse_value_maps(value_map or []),
            id_from=tuple(c.strip() for c in (id_from or "").split(",") if c.strip()),
            fmt=fmt,
            encoding=encoding,
            sheet=sheet,
            dry_run=dry_run,
        )
        with steps("import") as progress:
            task = progress.add_task(f"Validating {file.name}", total=None)
            outcome = import_file(
                engine,
                estate,
                request,
                on_step=lambda m: progress.update(task, description=m),
            )
            progress.update(task, description=f"Read {file.name}")
    except InputError as exc:
        _write_findings(findings_out, exc.findings)
        err_console.print(
            findings_table(
                exc.errors,
                title=f"Errors in {file.name}",
                more_hint=" (--findings-out FILE.csv writes every finding)",
            )
        )
        warnings = [f for f in exc.findings if f.severity == "warning"]
        if warnings:
            err_console.print(warning_summary(warnings))
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=EXIT_INPUT_ERROR) from exc
    except CctvscopeError as exc:
        raise fail(exc) from exc
    _write_findings(findings_out, outcome.findings)
    if outcome.warnings:
        console.print(warning_summary(outcome.warnings))
    plan = outcome.plan
    if not plan.by_borough.empty:
        console.print(_preview_table(plan.by_borough, f"Preview: {table} by borough"))
    console.print(plan.summary())
    if not outcome.written:
        reason = "dry run" if dry_run else "nothing changed"
        console.print(f"{reason}: estate {estate!r} left at version {outcome.estate.version}")
        return
    created = " (new estate)" if outcome.created else ""
    console.print(
        f"imported {outcome.records:,} {NOUNS[table]} into estate {outcome.estate.name!r} "
        f"version {outcome.estate.version}{created}; {len(outcome.warnings):,} warnings stored"
    )


def _write_findings(path: Path | None, findings: Sequence[Finding]) -> None:
    """Every finding (errors, then warnings) as CSV: the screen shows only the first ones."""
    if path is None:
        return
    import pandas as pd

    from cctvscope.reporting.safe_csv import write_csv

    ordered = sorted(findings, key=lambda f: (f.severity != "error", f.row or 0))
    frame = pd.DataFrame(
        [(f.severity, f.row, f.field, f.value, f.reason, f.count) for f in ordered],
        columns=["severity", "row", "field", "value", "reason", "rows"],
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(frame, path)
    err_console.print(f"wrote {len(frame):,} findings to {path}")


def _pairs(items: list[str], option: str) -> dict[str, str]:
    """``FIELD=VALUE`` items for non-camera tables (names checked by the table reader)."""
    out: dict[str, str] = {}
    bad: list[Finding] = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            reason = f"{option} expects FIELD=VALUE with both sides given"
            bad.append(Finding("error", None, name or None, item, reason))
        else:
            out[name.strip()] = value.strip()
    if bad:
        raise InputError(f"{option}: {len(bad)} bad item(s)", bad)
    return out


def _register(table: str) -> None:
    def command(
        file: Annotated[Path, typer.Argument(help="The file to import.")],
        estate: Annotated[
            str, typer.Option("--estate", help="Estate to import into.", callback=new_name)
        ],
        mode: Annotated[
            ImportModeName,
            typer.Option(help="replace the scope's records, append, or upsert by id."),
        ] = "replace",
        scope_borough: Annotated[
            list[str] | None,
            typer.Option(
                "--scope-borough",
                help="Borough (code or name) the return speaks for; repeat for more. "
                "Default: the boroughs of the file's records.",
            ),
        ] = None,
        scope_owner: Annotated[
            list[str] | None,
            typer.Option(
                "--scope-owner",
                help="Camera owner type(s) the return speaks for (default: those in the file).",
            ),
        ] = None,
        whole_table: Annotated[
            bool, typer.Option("--whole-table", help="The file replaces the whole table.")
        ] = False,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Show the preview only; write nothing.")
        ] = False,
        map_: Annotated[
            list[str] | None,
            typer.Option("--map", help="FIELD=COLUMN: read FIELD from the source's COLUMN."),
        ] = None,
        set_: Annotated[
            list[str] | None,
            typer.Option("--set", help="FIELD=VALUE: set FIELD to VALUE on every row."),
        ] = None,
        value_map: Annotated[
            list[str] | None,
            typer.Option("--value-map", help="FIELD:FROM=TO: read the cell text FROM as TO."),
        ] = None,
        id_from: Annotated[
            str | None,
            typer.Option("--id-from", help="COL1,COL2: ids joined from these columns."),
        ] = None,
        fmt: Annotated[
            str | None,
            typer.Option("--format", help="csv, geojson, osm or xlsx (default: by extension)."),
        ] = None,
        encoding: Annotated[
            str | None, typer.Option(help="Text encoding of a CSV file (default UTF-8).")
        ] = None,
        sheet: Annotated[
            str | None, typer.Option(help="Workbook sheet (default: the table's name).")
        ] = None,
        findings_out: Annotated[
            Path | None,
            typer.Option(
                "--findings-out",
                help="Write every finding (errors and warnings) to this CSV file.",
                callback=out_file,
            ),
        ] = None,
        database_url: NewDbOption = None,
    ) -> None:
        _run_import(
            table, file, estate, mode, scope_borough, scope_owner, whole_table, dry_run,
            map_, set_, value_map, id_from, fmt, encoding, sheet, database_url, findings_out,
        )  # fmt: skip

    command.__doc__ = (
        f"{TABLE_HELP[table]} Every row and field is checked; any error changes nothing "
        "(exit 2); the preview shows what is added, changed, removed and replaced."
    )
    import_app.command(table)(command)


for _table in TABLE_HELP:
    _register(_table)
