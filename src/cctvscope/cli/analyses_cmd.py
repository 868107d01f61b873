"""Analysis commands: economics and compliance, each on its own."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cctvscope.cli.common import DbOption, OutDirOption, VersionOption, fail, store_url
from cctvscope.cli.render import console, steps
from cctvscope.errors import CctvscopeError

if TYPE_CHECKING:  # heavy (pandas, SQLAlchemy): imported by the commands that run, not by --help
    import pandas as pd
    from sqlalchemy import Engine

    from cctvscope.model.estate import Estate
    from cctvscope.workflows.compliance import ComplianceOutcome
    from cctvscope.workflows.economics import EconomicsParts
    from cctvscope.workflows.region_inputs import RegionInputs


def economics_step(
    engine: Engine,
    estate: Estate,
    out: Path,
    on_step: Callable[[str], None],
    monitoring: pd.DataFrame | None = None,
    region: RegionInputs | None = None,
) -> tuple[dict[str, float], list[Path], EconomicsParts]:
    """Run the economics workflow, write its files, record the run.

    Returns the headline figures, the files written and the result (for the guide;
    parts whose inputs are missing are None, named in ``skipped``).

    The monitoring model (run here unless given, and only where the estate has
    monitored rooms and its region crime) supplies detected incidents per borough.
    ``region``: the estate's region layers (read here when omitted).
    """
    from cctvscope.reporting.economics import write_economics
    from cctvscope.workflows.economics import economics_parts
    from cctvscope.workflows.options import (
        detected_incidents_by_borough,
        monitoring_gaps,
        run_monitoring,
    )
    from cctvscope.workflows.region_inputs import region_inputs
    from cctvscope.workflows.runs import record_economics

    if region is None:
        on_step("Reading the region's layers")
        region = region_inputs(engine, estate)
    if monitoring is None and not monitoring_gaps(estate, region):
        on_step("Monitoring model (for cost per detected incident)")
        monitoring = run_monitoring(estate, region=region)
    detections = None if monitoring is None else detected_incidents_by_borough(estate, monitoring)
    result = economics_parts(estate, detected_incidents=detections, region=region, on_step=on_step)
    on_step("Writing the economics tables and charts")
    paths = write_economics(result, out)
    headlines = record_economics(engine, estate, result)
    return headlines, paths, result


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


def headline_table(
    headlines: Mapping[str, float], title: str = "London", basis: str = "synthetic estate"
) -> Table:
    """The headline figures; ``title`` names the region, ``basis`` the real share."""
    table = Table(title=f"{title} economics (base-year £; {basis})")
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


def economics(
    estate: Annotated[str, typer.Option("--estate", help="Estate to appraise.")],
    out: OutDirOption = Path("out"),
    version: VersionOption = None,
    database_url: DbOption = None,
) -> None:
    """Value for money, framework agreement, evidence retrieval and technology scenarios."""
    from cctvscope.store import init_store, load_estate

    try:
        with steps("economics") as progress:
            task = progress.add_task("Loading the estate", total=None)

            def on_step(message: str) -> None:
                progress.update(task, description=message)

            engine = init_store(store_url(database_url))
            loaded = load_estate(engine, estate, version)
            headlines, paths, result = economics_step(engine, loaded, out, on_step)
            on_step("Done")
    except CctvscopeError as exc:
        raise fail(exc) from exc
    from cctvscope.workflows.confidence import real_share_text

    if headlines:
        console.print(headline_table(headlines, result.region_title, real_share_text(loaded)))
    else:
        console.print(f"{result.region_title} economics: no figure could be computed")
    if result.cost_profile is not None:
        console.print(f"costs from the {result.cost_profile_note}")
    for message in result.skipped:
        console.print(message)
    console.print(f"wrote {len(paths)} files in {out}: " + ", ".join(p.name for p in paths))


def compliance_step(
    engine: Engine,
    estate: Estate,
    out: Path,
    standard: str,
    on_step: Callable[[str], None],
    *,
    strict: bool = False,
    assume_defaults: bool = False,
    region: RegionInputs | None = None,
) -> tuple[ComplianceOutcome, list[Path]]:
    """Run the compliance workflow (with stored CoP scores), write its files, record the run.

    ``assume_defaults`` scores defaulted attributes as if measured (planning only).
    """
    from cctvscope.reporting.compliance import write_compliance
    from cctvscope.store import cop_scores
    from cctvscope.workflows.compliance import run_compliance
    from cctvscope.workflows.region_inputs import region_inputs
    from cctvscope.workflows.runs import record_compliance

    if region is None:
        on_step("Reading the region's layers")
        region = region_inputs(engine, estate)
    outcome = run_compliance(
        estate,
        standard=standard,
        region=region,
        cop_scores=cop_scores(engine, estate.name),
        strict=strict,
        assume_defaults=assume_defaults,
        on_step=on_step,
    )
    on_step("Writing the compliance tables")
    paths = write_compliance(outcome, out)
    record_compliance(engine, estate, outcome, strict=strict, assume_defaults=assume_defaults)
    return outcome, paths


def _compliant_text(outcome: ComplianceOutcome) -> str:
    """The share compliant among cameras whose every rule is decided; never a share of none."""
    result = outcome.result
    decided = int(result.cameras["decided"].sum())
    if decided == 0:
        return (
            f"No camera has every rule decided ({len(result.cameras):,} have a rule left unknown "
            "because an attribute was defaulted), so no share compliant is given."
        )
    return (
        f"{result.share_compliant_decided:.1%} of the {decided:,} cameras with every rule "
        "decided meet every camera rule."
    )


def compliance_table(outcome: ComplianceOutcome, basis: str) -> Table:
    """Compliance by rule; ``basis`` says how much of the estate is real ("3 % real records")."""
    by_rule = outcome.result.london_by_rule
    tranche = outcome.first_tranche
    if tranche.cost_gbp > 0:
        plan = (
            f"The first £{tranche.budget_gbp:,.0f} of the upgrade plan (£{tranche.cost_gbp:,.0f}) "
            f"makes {tranche.cameras_made_compliant:,} public cameras fully compliant."
        )
    else:
        # Nothing bought: say so, as the guide does, rather than print "£0 ... 0" as a result.
        plan = (
            f"The first £{tranche.budget_gbp:,.0f} of the upgrade plan buys no fix, so it makes "
            "no public camera fully compliant."
        )
    table = Table(
        title=f"{outcome.region_title} compliance with {outcome.standard_label} ({basis})",
        caption=f"{_compliant_text(outcome)} {plan}",
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
            "not assessed" if math.isnan(share) else f"{share:.0%}",
            f"{unknown:,}",
        )
    return table


def input_basis_line(outcome: ComplianceOutcome) -> str:
    """One line: cameras assessed, decided and unknown, share of real inputs (region)."""
    basis = outcome.result.region_basis
    share = basis.share_real_inputs
    real = "n/a" if math.isnan(share) else f"{share:.0%}"
    decided = outcome.result.share_compliant_decided
    among = "n/a" if math.isnan(decided) else f"{decided:.1%}"
    scoring = (
        "defaulted attributes scored as if measured (--assume-defaults)"
        if outcome.result.assume_defaults
        else "rules on defaulted attributes answer unknown"
    )
    return (
        f"assessed {basis.cameras:,} cameras: {basis.cameras_decided:,} decided, "
        f"{basis.cameras_unknown:,} with an unknown rule; {among} of decided cameras compliant; "
        f"real inputs {real} ({scoring})"
    )


def comply(
    estate: Annotated[str, typer.Option("--estate", help="Estate to check.")],
    out: OutDirOption = Path("out"),
    standard: Annotated[
        str | None,
        typer.Option(
            help="Bundled standard name (london-v1, national-minimum-v1) or a file; "
            "default: the estate's own (estate create --standard), else london-v1."
        ),
    ] = None,
    strict: Annotated[bool, typer.Option(help="Fail (exit 1) on any non-compliance.")] = False,
    assume_defaults: Annotated[
        bool,
        typer.Option(
            "--assume-defaults",
            help="score defaulted attributes as if measured (planning only); "
            "default: they answer unknown",
        ),
    ] = False,
    version: VersionOption = None,
    database_url: DbOption = None,
) -> None:
    """Check every camera against the evidential standard; cost the fixes; rank the upgrade plan."""
    from cctvscope.store import init_store, load_estate
    from cctvscope.workflows.compliance import estate_standard

    try:
        with steps("comply") as progress:
            task = progress.add_task("Loading the estate", total=None)

            def on_step(message: str) -> None:
                progress.update(task, description=message)

            engine = init_store(store_url(database_url))
            loaded = load_estate(engine, estate, version)
            outcome, paths = compliance_step(
                engine,
                loaded,
                out,
                standard or estate_standard(loaded),
                on_step,
                strict=strict,
                assume_defaults=assume_defaults,
            )
            on_step("Done")
    except CctvscopeError as exc:
        raise fail(exc) from exc
    from cctvscope.workflows.confidence import real_share_text
    from cctvscope.workflows.region_inputs import Layer, missing_layer_message

    console.print(compliance_table(outcome, real_share_text(loaded)))
    if not outcome.crime_weighted:
        console.print(
            missing_layer_message(outcome.region_title, Layer.CRIME)
            + " (the upgrade plan is ranked by compliance gained per £ alone)"
        )
    console.print(input_basis_line(outcome))
    console.print(f"wrote {len(paths)} files in {out}: " + ", ".join(p.name for p in paths))
