"""``cctvscope`` command line.

Commands are thin: they parse options, call :mod:`cctvscope.workflows`, and render
results. This is the only place that configures logging.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cctvscope import __version__
from cctvscope.cli.analyses_cmd import compliance_table, comply, economics, headline_table
from cctvscope.cli.audit_cmd import audit_footage
from cctvscope.cli.audit_log_cmd import audit_app
from cctvscope.cli.common import (
    DbOption,
    NewDbOption,
    OutDirOption,
    VisibilityPolygonsOption,
    fail,
    store_url,
)
from cctvscope.cli.cop_cmd import cop_app
from cctvscope.cli.coverage_cmd import coverage, coverage_table
from cctvscope.cli.data_cmd import export, status
from cctvscope.cli.evidence_cmd import evidence_app, integration_summary
from cctvscope.cli.import_cmd import import_app
from cctvscope.cli.live_audit_cmd import audit_live
from cctvscope.cli.national_cmd import bench_estate, coverage_partitioned
from cctvscope.cli.optimise_cmd import solve_sscflp
from cctvscope.cli.options_cmd import options_app, options_table
from cctvscope.cli.place_cmd import place
from cctvscope.cli.region_cmd import estate_app, region_app
from cctvscope.cli.registry_cmd import registry_app
from cctvscope.cli.render import (
    console,
    err_console,
    frame_table,
    steps,
)
from cctvscope.cli.report_cmd import report
from cctvscope.cli.validate import non_negative, out_file
from cctvscope.cli.web_cmd import serve, user_app
from cctvscope.errors import CctvscopeError

# Start-up cost: every module above imports only Typer, Rich and the standard library at
# module level (tests/cli/test_startup.py checks it), so `cctvscope --help` stays fast. The
# analyses' libraries (pandas, NumPy, Numba, SQLAlchemy, ...) are imported inside commands.
if TYPE_CHECKING:
    import pandas as pd

    from cctvscope.workflows.pipeline import PipelineResult

app = typer.Typer(
    name="cctvscope",
    help="Assess and plan a city's CCTV estate.",
    no_args_is_help=True,
    add_completion=False,
)
OutFileOption = Annotated[
    Path, typer.Option("--out", help="Output file: .xlsx or .csv.", callback=out_file)
]

template_app = typer.Typer(help="Write blank templates for data collection.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(template_app, name="template")
app.add_typer(cop_app, name="cop")
app.add_typer(evidence_app, name="evidence")
app.add_typer(registry_app, name="registry")
app.add_typer(region_app, name="region")
app.add_typer(estate_app, name="estate")
app.command("audit-footage")(audit_footage)
app.command("audit-live")(audit_live)
app.command("solve-sscflp")(solve_sscflp)
app.command("coverage")(coverage)
app.command("coverage-partitioned")(coverage_partitioned)
app.command("bench-estate")(bench_estate)
app.command()(place)
app.add_typer(options_app, name="options")
app.command()(economics)
app.command()(export)
app.command()(status)
app.command()(comply)
app.command()(report)
app.command()(serve)
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False,
) -> None:
    """cctvscope: assess and plan a city's CCTV estate."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)


@app.command()
def version() -> None:
    """Print the cctvscope version."""
    console.print(__version__)


@app.command()
def init(database_url: NewDbOption = None) -> None:
    """Create or upgrade the store's schema."""
    from cctvscope.store import init_store

    url = store_url(database_url)
    try:
        init_store(url)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    console.print(f"store ready: {url}")


@app.command()
def estates(database_url: DbOption = None) -> None:
    """List the estates in the store with their versions."""
    from cctvscope.store import init_store, list_estates

    try:
        engine = init_store(store_url(database_url))
        infos = list_estates(engine)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    table = Table(title="Estates")
    for col in ("name", "version", "created", "cameras", "description", "input hash"):
        table.add_column(col)
    for info in infos:
        table.add_row(
            info.name,
            str(info.version),
            info.created_at.strftime("%Y-%m-%d %H:%M"),
            f"{info.cameras:,}",
            info.description,
            info.input_hash[:12],
        )
    console.print(table)


@app.command()
def schema(
    out: Annotated[
        Path | None, typer.Option(help="Write the table to this file.", callback=out_file)
    ] = None,
) -> None:
    """Print the estate schema table: every attribute with its type and unit."""
    from cctvscope.model.schema import schema_markdown

    text = schema_markdown()
    if out:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {out}")
    else:
        console.print(text, markup=False, highlight=False)


@template_app.command("survey")
def template_survey(
    out: OutFileOption,
) -> None:
    """Write the borough camera survey template (Excel workbook or CSV header)."""
    from cctvscope.ingest.survey import write_survey_template

    try:
        write_survey_template(out)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    console.print(f"wrote {out}")


def _template_command(table: str) -> None:
    def command(
        out: OutFileOption,
    ) -> None:
        from cctvscope.ingest.templates import write_return_template

        tables = None if table == "return" else [table]
        try:
            write_return_template(out, tables=tables)
        except CctvscopeError as exc:
            raise fail(exc) from exc
        except OSError as exc:
            err_console.print(f"[red]error:[/red] cannot write {out}: {exc.strerror or exc}")
            raise typer.Exit(code=1) from exc
        console.print(f"wrote {out}")

    what = "the borough return: one sheet per table" if table == "return" else f"table {table}"
    command.__doc__ = f"Write the template of {what} (.xlsx, or .csv for one table)."
    template_app.command(table)(command)


for _table in ("return", "cameras", "control_rooms", "links", "contracts", "evidence_stats",
               "cost_items", "monitoring"):  # fmt: skip
    _template_command(_table)


@app.command()
def demo(
    out: OutDirOption = Path("out"),
    seed: Annotated[
        int | None, typer.Option(help="Seed of the synthetic estate.", callback=non_negative)
    ] = None,
    database_url: NewDbOption = None,
    visibility_polygons: VisibilityPolygonsOption = False,
) -> None:
    """Build the London estate (real + synthetic), then run the whole assessment on it."""
    from cctvscope.reporting.outputs import WRITERS
    from cctvscope.store import init_store
    from cctvscope.workflows import build_demo
    from cctvscope.workflows.pipeline import run_pipeline

    try:
        with steps("demo") as progress:
            task = progress.add_task("Opening the store", total=None)

            def on_step(message: str) -> None:
                progress.update(task, description=message)

            engine = init_store(store_url(database_url))
            result = build_demo(engine, seed=seed, on_step=on_step)
            run = run_pipeline(
                engine,
                result.estate,
                out,
                WRITERS,
                worked_example=True,
                summary=result.summary,
                on_step=on_step,
                visibility_polygons=visibility_polygons,
            )
            on_step("Done")
    except CctvscopeError as exc:
        raise fail(exc) from exc
    estate = result.estate
    console.print(borough_summary_table(result.summary))
    synthetic = (estate.cameras["provenance"] == "synthetic").sum()
    console.print(
        f"estate {estate.name!r} version {estate.version}: {len(estate.cameras):,} cameras "
        f"({synthetic:,} synthetic), {len(estate.control_rooms)} control rooms, "
        f"input hash {estate.input_hash()[:12]}"
    )
    console.print(
        "[yellow]Note:[/yellow] figures rest partly on the calibrated synthetic estate "
        "(council inventories are not public); see docs/synthetic-estate.md."
    )
    print_assessment(run)
    console.print(f"wrote {len(run.files)} files in {out}, among them estate.gpkg and "
                  "borough_summary.csv")  # fmt: skip


def print_assessment(run: PipelineResult) -> None:
    """The pipeline's findings for a terminal: each analysis computed, or why not."""
    from cctvscope.workflows.confidence import real_share_text

    guide = run.assessment.guide
    basis = real_share_text(guide.estate)
    title = guide.region_title
    if run.assessment.headlines:
        console.print(headline_table(run.assessment.headlines, title, basis))
    if guide.options is not None:
        console.print(options_table(guide.options, title, basis))
    if guide.compliance is not None:
        console.print(compliance_table(guide.compliance, basis))
    if guide.example is not None and guide.joint is not None:
        console.print(integration_summary(guide.example, guide.joint))
    if guide.coverage is not None:
        console.print(coverage_table(guide.coverage))
    for message in dict.fromkeys(m for gaps in guide.gaps.values() for m in gaps):
        console.print(message)
    console.print(f"guide: {run.guide.pdf} ({run.guide.pages} pages) and {run.guide.html}")


SUMMARY_HEADERS = {
    "name": "borough",
    "cameras": "all",
    "council_cameras": "council",
    "tfl_cameras": "TfL",
    "police_cameras": "police",
    "private_cameras": "private",
    "cameras_per_km2": "per km²",
    "cameras_per_1000_residents": "per 1k res.",
    "crimes_per_camera": "crimes/cam",
    "share_analogue": "analogue",
    "median_install_year": "median year",
    "share_real": "real",
    "share_synthetic": "synthetic",
    "share_imported": "imported",
}


def borough_summary_table(summary: pd.DataFrame) -> Table:
    """The per-borough summary, formatted for a terminal."""
    shown = summary.drop(columns="gss_code")
    formats = {
        "cameras_per_km2": ",.1f",
        "cameras_per_1000_residents": ",.2f",
        "crimes_per_camera": ",.1f",
        "median_install_year": ".0f",
        "share_analogue": ".0%",
        "share_real": ".0%",
        "share_synthetic": ".0%",
        "share_imported": ".0%",
    }
    return frame_table(
        shown,
        title="London estate: cameras per borough",
        formats=formats,
        headers=SUMMARY_HEADERS,
        caption="Council, police and private cameras are synthetic (calibrated); TfL cameras "
        "are real. Crime: MPS 2021; population: ONS mid-2020.",
    )


def run() -> None:
    """The console entry point: the app, and never a traceback for the user.

    Expected failures are handled by each command (findings, exit 2; errors, exit
    1). Anything else is a bug: the user gets one line and the path of a file with
    the details to report, and exit code 1.
    """
    import os
    import tempfile
    import traceback

    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted")
        raise SystemExit(130) from None
    except Exception as exc:
        path = Path(tempfile.gettempdir()) / f"cctvscope-error-{os.getpid()}.txt"
        path.write_text(traceback.format_exc(), encoding="utf-8")
        err_console.print(
            f"[red]internal error:[/red] {type(exc).__name__}: {exc}. This is a bug in "
            f"cctvscope; the details for a report are in {path}"
        )
        raise SystemExit(1) from None


if __name__ == "__main__":  # pragma: no cover
    run()
