"""``cctvscope`` command line.

Commands are thin: they parse options, call :mod:`cctvscope.workflows`, and render
results. This is the only place that configures logging.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table
from sqlalchemy import Engine

from cctvscope import __version__
from cctvscope.cli.audit_cmd import audit_footage
from cctvscope.cli.cop_cmd import cop_app
from cctvscope.cli.evidence_cmd import evidence_app
from cctvscope.cli.optimise_cmd import solve_sscflp
from cctvscope.cli.registry_cmd import registry_app
from cctvscope.cli.render import (
    console,
    err_console,
    findings_table,
    frame_table,
    steps,
    warning_summary,
)
from cctvscope.config import get_settings
from cctvscope.errors import CctvscopeError, InputError
from cctvscope.model.estate import Estate
from cctvscope.model.schema import schema_markdown
from cctvscope.optimisation.control_rooms import ConsolidationOption, OptionsResult
from cctvscope.workflows.compliance import ComplianceOutcome

app = typer.Typer(
    name="cctvscope",
    help="Assess and plan a city's CCTV estate.",
    no_args_is_help=True,
    add_completion=False,
)
import_app = typer.Typer(help="Import data into an estate.", no_args_is_help=True)
template_app = typer.Typer(help="Write blank templates for data collection.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(template_app, name="template")
app.add_typer(cop_app, name="cop")
app.add_typer(evidence_app, name="evidence")
app.add_typer(registry_app, name="registry")
app.command("audit-footage")(audit_footage)
app.command("solve-sscflp")(solve_sscflp)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="CCTVSCOPE_DATABASE_URL",
        help="Store URL (default sqlite:///./cctvscope.db).",
        show_default=False,
    ),
]

EXIT_INPUT_ERROR = 2


def _database_url(option: str | None) -> str:
    return option or get_settings().database_url


def _fail(exc: CctvscopeError) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {exc}")
    return typer.Exit(code=1)


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
def init(database_url: DbOption = None) -> None:
    """Create or upgrade the store's schema."""
    from cctvscope.store import init_store

    url = _database_url(database_url)
    try:
        init_store(url)
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    console.print(f"store ready: {url}")


@app.command()
def estates(database_url: DbOption = None) -> None:
    """List the estates in the store with their versions."""
    from cctvscope.store import init_store, list_estates

    try:
        engine = init_store(_database_url(database_url))
        infos = list_estates(engine)
    except CctvscopeError as exc:
        raise _fail(exc) from exc
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
    out: Annotated[Path | None, typer.Option(help="Write the table to this file.")] = None,
) -> None:
    """Print the estate schema table: every attribute with its type and unit."""
    text = schema_markdown()
    if out:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {out}")
    else:
        console.print(text, markup=False, highlight=False)


@import_app.command("cameras")
def import_cameras_cmd(
    file: Annotated[Path, typer.Argument(help="CSV, GeoJSON, OSM XML or survey .xlsx file.")],
    estate: Annotated[str, typer.Option("--estate", help="Estate to import into.")],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN: read FIELD from the source's COLUMN."),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="FIELD=VALUE: set FIELD to VALUE on every row."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="csv, geojson, osm or xlsx (default: by extension)."),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Text encoding of a CSV file (default UTF-8).")
    ] = None,
    database_url: DbOption = None,
) -> None:
    """Import cameras, validating every row and field; any error changes nothing (exit 2)."""
    from cctvscope.ingest.cameras import parse_assignments
    from cctvscope.store import init_store
    from cctvscope.workflows import import_cameras

    try:
        field_map = parse_assignments(map_ or [])
        constants = parse_assignments(set_ or [])
        engine = init_store(_database_url(database_url))
        with steps("import") as progress:
            task = progress.add_task(f"Validating {file.name}", total=None)
            outcome = import_cameras(
                engine,
                estate,
                file,
                field_map=field_map,
                constants=constants,
                fmt=fmt,
                encoding=encoding,
            )
            progress.update(task, description=f"Imported {file.name}")
    except InputError as exc:
        err_console.print(findings_table(exc.errors, title=f"Errors in {file.name}"))
        warnings = [f for f in exc.findings if f.severity == "warning"]
        if warnings:
            err_console.print(warning_summary(warnings))
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=EXIT_INPUT_ERROR) from exc
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    imported = outcome.imported
    if imported.warnings:
        console.print(warning_summary(imported.warnings))
    created = " (new estate)" if outcome.created else ""
    console.print(
        f"imported {len(imported.cameras):,} cameras into estate {outcome.estate.name!r} "
        f"version {outcome.estate.version}{created}; {len(imported.warnings):,} warnings stored"
    )


@template_app.command("survey")
def template_survey(
    out: Annotated[Path, typer.Option("--out", help="Output file: .xlsx or .csv.")],
) -> None:
    """Write the borough camera survey template (Excel workbook or CSV header)."""
    from cctvscope.ingest.survey import write_survey_template

    try:
        write_survey_template(out)
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    console.print(f"wrote {out}")


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    seed: Annotated[int | None, typer.Option(help="Seed of the synthetic estate.")] = None,
    database_url: DbOption = None,
) -> None:
    """Build the London estate (real + synthetic), store it, write the GeoPackage and summary."""
    from cctvscope.reporting.files import write_borough_summary_csv, write_estate_gpkg
    from cctvscope.store import init_store
    from cctvscope.workflows import build_demo

    try:
        with steps("demo") as progress:
            task = progress.add_task("Opening the store", total=None)

            def on_step(message: str) -> None:
                progress.update(task, description=message)

            engine = init_store(_database_url(database_url))
            result = build_demo(engine, seed=seed, on_step=on_step)
            on_step("Writing the GeoPackage")
            gpkg = write_estate_gpkg(result.estate, out / "estate.gpkg")
            csv = write_borough_summary_csv(result.summary, out / "borough_summary.csv")
            options, monitoring, _paths = _options(engine, result.estate, out, on_step)
            headlines, _paths = _economics(engine, result.estate, out, on_step, monitoring)
            compliance, _paths = _compliance(engine, result.estate, out, "london-v1", on_step)
            on_step("Done")
    except CctvscopeError as exc:
        raise _fail(exc) from exc
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
    console.print(_headline_table(headlines))
    console.print(_options_table(options))
    console.print(_compliance_table(compliance))
    console.print(f"wrote {gpkg}, {csv} and the economics and compliance files in {out}")


def _economics(
    engine: Engine,
    estate: Estate,
    out: Path,
    on_step: Callable[[str], None],
    monitoring: pd.DataFrame | None = None,
) -> tuple[dict[str, float], list[Path]]:
    """Run the economics workflow, write its files, record the run; return headlines and paths.

    The monitoring model (run here unless given) supplies detected incidents per borough.
    """
    from cctvscope.reporting.economics import economics_headlines, write_economics
    from cctvscope.store import record_run
    from cctvscope.workflows.economics import run_economics
    from cctvscope.workflows.options import detected_incidents_by_borough, run_monitoring

    if monitoring is None:
        on_step("Monitoring model (for cost per detected incident)")
        monitoring = run_monitoring(estate)
    detections = detected_incidents_by_borough(estate, monitoring)
    result = run_economics(estate, detected_incidents=detections, on_step=on_step)
    on_step("Writing the economics tables and charts")
    paths = write_economics(result, out)
    headlines = economics_headlines(result)
    assert estate.version is not None
    record_run(
        engine,
        estate.name,
        estate.version,
        "economics",
        {"price_base_year": result.price_base_year},
        estate.input_hash(),
        headlines,
    )
    return headlines, paths


PLACEMENT_BUDGET_GBP = 100_000.0
"""Budget of the demo's camera-placement example [£] (a demonstration figure, not advice)."""


def _options(
    engine: Engine, estate: Estate, out: Path, on_step: Callable[[str], None]
) -> tuple[OptionsResult, pd.DataFrame, list[Path]]:
    """Control-room options, monitoring and a placement example; files written, runs recorded."""
    from cctvscope.reporting.options import (
        write_control_room_options,
        write_monitoring,
        write_placement,
    )
    from cctvscope.store import record_run
    from cctvscope.workflows.options import run_control_room_options, run_monitoring, run_placement

    on_step("Control-room consolidation options (HiGHS)")
    rooms = run_control_room_options(estate)
    on_step("Monitoring allocation per control room")
    monitoring = run_monitoring(estate)
    on_step("Camera placement example (Covent Garden)")
    placement = run_placement(estate, budget_gbp=PLACEMENT_BUDGET_GBP)
    on_step("Writing the options tables and maps")
    paths = write_control_room_options(rooms, estate, out)
    paths += write_monitoring(monitoring, out)
    paths += write_placement(placement, out)
    assert estate.version is not None
    best = _best_option(rooms)
    record_run(
        engine,
        estate.name,
        estate.version,
        "options",
        {"placement_budget_gbp": PLACEMENT_BUDGET_GBP},
        estate.input_hash(),
        {
            "status_quo_annual_gbp": rooms.status_quo.annual_cost_gbp_per_year,
            "best_rooms": best.room_count if best else None,
            "best_npv_gbp": best.npv_gbp if best else None,
            "detections_optimised": float(monitoring["detections_per_year_optimised"].sum()),
            "detections_status_quo": float(monitoring["detections_per_year_status_quo"].sum()),
        },
    )
    return rooms, monitoring, paths


def _best_option(result: OptionsResult) -> ConsolidationOption | None:
    feasible = [o for o in result.options if o.status == "optimal"]
    return max(feasible, key=lambda o: o.npv_gbp) if feasible else None


def _options_table(result: OptionsResult) -> Table:
    table = Table(
        title="Shared control-room options (synthetic estate; annual £, 10-year NPV vs status quo)",
        caption=f"Status quo: {len(result.status_quo.rooms)} rooms, "
        f"£{result.status_quo.annual_cost_gbp_per_year:,.0f} a year.",
    )
    for col in ("rooms", "annual cost", "one-off", "NPV", "payback year", "status"):
        table.add_column(col, justify="left" if col == "status" else "right")
    for o in result.options:
        if o.status != "optimal":
            table.add_row(str(o.room_count), "-", "-", "-", "-", o.reason or o.status)
            continue
        table.add_row(
            str(o.room_count),
            f"£{o.annual_cost_gbp_per_year:,.0f}",
            f"£{o.one_off_gbp:,.0f}",
            f"£{o.npv_gbp:,.0f}",
            "-" if o.payback_year is None or pd.isna(o.payback_year) else f"{o.payback_year:.0f}",
            ";".join(o.open_rooms)[:60],
        )
    return table


options_app = typer.Typer(help="Optimised options: control rooms, monitoring, placement.")
app.add_typer(options_app, name="options")


def _options_run(
    estate: str, version: int | None, database_url: str | None
) -> tuple[Engine, Estate]:
    from cctvscope.store import init_store, load_estate

    engine = init_store(_database_url(database_url))
    return engine, load_estate(engine, estate, version)


@options_app.command("control-rooms")
def options_control_rooms(
    estate: Annotated[str, typer.Option("--estate", help="Estate to plan.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    rooms: Annotated[
        list[int] | None, typer.Option("--rooms", help="Numbers of rooms to try (default 1..N).")
    ] = None,
    max_distance_km: Annotated[
        float | None, typer.Option(help="Longest borough-to-room distance allowed [km].")
    ] = None,
    police_colocation_km: Annotated[
        float | None, typer.Option(help="Every open room within this distance of an MPS site [km].")
    ] = None,
    lock: Annotated[list[str] | None, typer.Option(help="Room ids that must stay open.")] = None,
    resilience: Annotated[bool, typer.Option(help="Require a backup room per borough.")] = False,
    version: Annotated[int | None, typer.Option(help="Estate version (default latest).")] = None,
    database_url: DbOption = None,
) -> None:
    """Shared control-room options: the status quo and the best plan for each number of rooms."""
    from cctvscope.optimisation.control_rooms import ControlRoomOptions
    from cctvscope.reporting.options import write_control_room_options
    from cctvscope.workflows.options import run_control_room_options

    try:
        with steps("options") as progress:
            task = progress.add_task("Loading the estate", total=None)
            _engine, loaded = _options_run(estate, version, database_url)
            progress.update(task, description="Solving the options (HiGHS)")
            settings = ControlRoomOptions(
                locked_rooms=tuple(lock or ()),
                max_distance_km=max_distance_km,
                police_colocation_km=police_colocation_km,
                resilience=resilience,
            )
            result = run_control_room_options(loaded, room_counts=rooms, settings=settings)
            progress.update(task, description="Writing the options and maps")
            paths = write_control_room_options(result, loaded, out)
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    console.print(_options_table(result))
    console.print(f"wrote {len(paths)} files in {out}")


@options_app.command("monitoring")
def options_monitoring(
    estate: Annotated[str, typer.Option("--estate", help="Estate to plan.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    version: Annotated[int | None, typer.Option(help="Estate version (default latest).")] = None,
    database_url: DbOption = None,
) -> None:
    """Which cameras operators should watch live, hour by hour, in each council control room."""
    from cctvscope.reporting.options import write_monitoring
    from cctvscope.workflows.options import run_monitoring

    try:
        with steps("monitoring") as progress:
            task = progress.add_task("Loading the estate", total=None)
            _engine, loaded = _options_run(estate, version, database_url)
            progress.update(task, description="Optimising the monitoring rota per room")
            monitoring = run_monitoring(loaded)
            paths = write_monitoring(monitoring, out)
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    shown = monitoring[
        [
            "name",
            "detections_per_year_optimised",
            "detections_per_year_random",
            "detections_per_year_status_quo",
            "cost_per_detection_gbp_optimised",
        ]
    ]
    console.print(frame_table(shown, title="Monitoring: expected detections per year"))
    console.print(f"wrote {paths[0]}")


@options_app.command("placement")
def options_placement(
    estate: Annotated[str, typer.Option("--estate", help="Estate with the existing cameras.")],
    area: Annotated[str, typer.Option(help="covent_garden or clerkenwell.")] = "covent_garden",
    budget: Annotated[float, typer.Option(help="Budget for new cameras [£].")] = 100_000.0,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    version: Annotated[int | None, typer.Option(help="Estate version (default latest).")] = None,
    database_url: DbOption = None,
) -> None:
    """New camera sites maximising crime-weighted Recognise coverage within a budget."""
    from cctvscope.reporting.options import write_placement
    from cctvscope.workflows.options import run_placement

    try:
        with steps("placement") as progress:
            task = progress.add_task("Loading the estate", total=None)
            _engine, loaded = _options_run(estate, version, database_url)
            progress.update(task, description=f"Placing cameras in {area}")
            results = run_placement(loaded, areas=[area], budget_gbp=budget)
            paths = write_placement(results, out)
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    r = results[area]
    console.print(
        f"{area}: {len(r.sites)} new cameras for £{r.cost_gbp:,.0f}; crime-weighted coverage "
        f"{r.share_before:.1%} -> {r.share_after:.1%} (greedy: {r.greedy_share_after:.1%}); "
        f"solver {r.outcome.status}, gap {r.outcome.gap:.2g}"
    )
    console.print("wrote " + ", ".join(str(p) for p in paths))


HEADLINE_LABELS = {
    "annual_estate_cost_gbp": ("Annual cost of council CCTV (revenue + capital)", "£/yr"),
    "cost_per_camera_gbp_per_year": ("Cost per council camera", "£/yr"),
    "cost_per_evidential_export_gbp": ("Cost per evidential export", "£"),
    "cost_per_crime_in_recognise_coverage_gbp": ("Cost per crime in Recognise coverage", "£"),
    "framework_savings_gbp_per_year": ("Framework agreement savings", "£/yr"),
    "framework_tenders_avoided_per_year": ("Separate tenders avoided", "tenders/yr"),
    "evidence_officer_hours_saved_per_year": ("Officer hours saved, cheapest model", "h/yr"),
    "evidence_saving_gbp_per_year": ("Saving, cheapest retrieval model", "£/yr"),
}


def _headline_table(headlines: Mapping[str, float]) -> Table:
    table = Table(title="London economics (base-year £; built on the synthetic estate)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("unit")
    for key, value in headlines.items():
        if key.startswith("npv_"):
            scenario = key.removeprefix("npv_").removesuffix("_gbp").replace("_", " ")
            label, unit = f"NPV vs baseline, 10 years: {scenario}", "£"
        else:
            label, unit = HEADLINE_LABELS.get(key, (key.replace("_", " "), "£"))
        table.add_row(label, f"{value:,.0f}", unit)
    return table


@app.command()
def economics(
    estate: Annotated[str, typer.Option("--estate", help="Estate to appraise.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    version: Annotated[int | None, typer.Option(help="Estate version (default latest).")] = None,
    database_url: DbOption = None,
) -> None:
    """Value for money, framework agreement, evidence retrieval and technology scenarios."""
    from cctvscope.store import init_store, load_estate

    try:
        with steps("economics") as progress:
            task = progress.add_task("Loading the estate", total=None)

            def on_step(message: str) -> None:
                progress.update(task, description=message)

            engine = init_store(_database_url(database_url))
            loaded = load_estate(engine, estate, version)
            headlines, paths = _economics(engine, loaded, out, on_step)
            on_step("Done")
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    console.print(_headline_table(headlines))
    console.print(f"wrote {len(paths)} files in {out}: " + ", ".join(p.name for p in paths))


def _compliance(
    engine: Engine,
    estate: Estate,
    out: Path,
    standard: str,
    on_step: Callable[[str], None],
    *,
    strict: bool = False,
) -> tuple[ComplianceOutcome, list[Path]]:
    """Run the compliance workflow (with stored CoP scores), write its files, record the run."""
    from cctvscope.reporting.compliance import write_compliance
    from cctvscope.store import cop_scores, record_run
    from cctvscope.workflows.compliance import run_compliance

    outcome = run_compliance(
        estate,
        standard=standard,
        cop_scores=cop_scores(engine, estate.name),
        strict=strict,
        on_step=on_step,
    )
    on_step("Writing the compliance tables")
    paths = write_compliance(outcome, out)
    assert estate.version is not None
    tranche = outcome.first_tranche
    record_run(
        engine,
        estate.name,
        estate.version,
        "compliance",
        {"standard": outcome.standard_label, "strict": strict},
        estate.input_hash(),
        {
            "share_compliant": outcome.result.share_compliant,
            "first_tranche_cost_gbp": tranche.cost_gbp,
            "first_tranche_cameras_made_compliant": tranche.cameras_made_compliant,
        },
    )
    return outcome, paths


def _compliance_table(outcome: ComplianceOutcome) -> Table:
    by_rule = outcome.result.london_by_rule
    tranche = outcome.first_tranche
    table = Table(
        title=f"London compliance with {outcome.standard_label} (synthetic estate)",
        caption=f"{outcome.result.share_compliant:.1%} of cameras meet every camera rule. "
        f"The first £{tranche.budget_gbp:,.0f} of the upgrade plan (£{tranche.cost_gbp:,.0f}) "
        f"makes {tranche.cameras_made_compliant:,} public cameras fully compliant.",
    )
    for col in ("rule", "title", "severity", "passing", "unknown"):
        table.add_column(col, justify="right" if col in ("passing", "unknown") else "left")
    for rule_id, title, severity, share, unknown in zip(
        by_rule["rule_id"],
        by_rule["title"],
        by_rule["severity"],
        by_rule["share_passed"].astype(float),
        by_rule["unknown"].astype(int),
        strict=True,
    ):
        table.add_row(
            str(rule_id),
            str(title),
            str(severity),
            "not assessed" if pd.isna(share) else f"{share:.0%}",
            f"{unknown:,}",
        )
    return table


@app.command()
def comply(
    estate: Annotated[str, typer.Option("--estate", help="Estate to check.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    standard: Annotated[
        str, typer.Option(help="Bundled standard name (london-v1, national-minimum-v1) or a file.")
    ] = "london-v1",
    strict: Annotated[bool, typer.Option(help="Fail (exit 1) on any non-compliance.")] = False,
    version: Annotated[int | None, typer.Option(help="Estate version (default latest).")] = None,
    database_url: DbOption = None,
) -> None:
    """Check every camera against the evidential standard; cost the fixes; rank the upgrade plan."""
    from cctvscope.store import init_store, load_estate

    try:
        with steps("comply") as progress:
            task = progress.add_task("Loading the estate", total=None)

            def on_step(message: str) -> None:
                progress.update(task, description=message)

            engine = init_store(_database_url(database_url))
            loaded = load_estate(engine, estate, version)
            outcome, paths = _compliance(engine, loaded, out, standard, on_step, strict=strict)
            on_step("Done")
    except CctvscopeError as exc:
        raise _fail(exc) from exc
    console.print(_compliance_table(outcome))
    console.print(f"wrote {len(paths)} files in {out}: " + ", ".join(p.name for p in paths))


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


if __name__ == "__main__":  # pragma: no cover
    app()
