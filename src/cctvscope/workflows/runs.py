"""Run records: what each analysis stores about a run on an estate version.

One function per analysis, so the pipeline and the single-analysis commands
(``economics``, ``comply``, ``options``) record the same figures under the same names.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
from sqlalchemy import Engine

from cctvscope.model.estate import Estate
from cctvscope.optimisation.control_rooms import ConsolidationOption, OptionsResult
from cctvscope.store import record_run
from cctvscope.workflows.compliance import ComplianceOutcome
from cctvscope.workflows.economics import EconomicsParts, EconomicsResult

#: Budget of the guide's camera-placement example [£] (a demonstration figure, not advice).
PLACEMENT_BUDGET_GBP = 100_000.0


def economics_headlines(result: EconomicsResult | EconomicsParts) -> dict[str, float]:
    """The region-wide headline figures (base-year £) computed, for the CLI and the run record.

    Figures whose inputs are missing (NaN, or a part not computed) are left out.
    """
    headlines: dict[str, float] = {}
    if result.vfm is not None:
        row = result.vfm[result.vfm["gss_code"] == "LONDON"]
        for key, column in (
            ("annual_estate_cost_gbp", "annual_cost_gbp"),
            ("cost_per_camera_gbp_per_year", "cost_per_camera_gbp_per_year"),
            ("cost_per_evidential_export_gbp", "cost_per_evidential_export_gbp"),
            ("cost_per_crime_in_recognise_coverage_gbp", "cost_per_crime_in_coverage_gbp"),
        ):
            headlines[key] = float(row[column].astype(float).iloc[0])
    if result.framework is not None:
        headlines["framework_savings_gbp_per_year"] = result.framework.annual_savings_gbp
        headlines["framework_tenders_avoided_per_year"] = result.framework.tenders_avoided_per_year
    savings = result.evidence_savings
    if savings is not None:
        headlines["evidence_officer_hours_saved_per_year"] = savings.officer_hours_saved_per_year
        headlines["evidence_saving_gbp_per_year"] = savings.saving_gbp_per_year
    if result.scenarios is not None:
        for scenario, npv in result.scenarios.npv_vs_baseline_gbp.items():
            headlines[f"npv_{scenario}_gbp"] = float(npv)
    return {key: value for key, value in headlines.items() if math.isfinite(value)}


def _version(estate: Estate) -> int:
    if estate.version is None:
        raise ValueError(f"estate {estate.name!r} is not stored: runs are recorded on versions")
    return estate.version


def record_economics(engine: Engine, estate: Estate, result: EconomicsParts) -> dict[str, float]:
    """Record an economics run; returns its headline figures."""
    headlines = economics_headlines(result)
    record_run(
        engine,
        estate.name,
        _version(estate),
        "economics",
        {
            "price_base_year": result.price_base_year,
            "cost_profile": result.cost_profile,
            "skipped": list(result.skipped),
        },
        estate.input_hash(),
        headlines,
    )
    return headlines


def record_compliance(
    engine: Engine,
    estate: Estate,
    outcome: ComplianceOutcome,
    *,
    strict: bool = False,
    assume_defaults: bool = False,
) -> None:
    """Record a compliance run: the share compliant and the first upgrade tranche."""
    tranche = outcome.first_tranche
    record_run(
        engine,
        estate.name,
        _version(estate),
        "compliance",
        {"standard": outcome.standard_label, "strict": strict, "assume_defaults": assume_defaults},
        estate.input_hash(),
        {
            "share_compliant": outcome.result.share_compliant,
            "first_tranche_cost_gbp": tranche.cost_gbp,
            "first_tranche_cameras_made_compliant": tranche.cameras_made_compliant,
        },
    )


def best_option(result: OptionsResult) -> ConsolidationOption | None:
    """The feasible consolidation option of highest NPV, or None."""
    feasible = [o for o in result.options if o.status == "optimal"]
    return max(feasible, key=lambda o: o.npv_gbp) if feasible else None


def record_options(
    engine: Engine,
    estate: Estate,
    rooms: OptionsResult,
    monitoring: pd.DataFrame,
    extra: Mapping[str, object] | None = None,
) -> None:
    """Record a control-room options run (with its monitoring allocation)."""
    best = best_option(rooms)
    record_run(
        engine,
        estate.name,
        _version(estate),
        "options",
        {"placement_budget_gbp": PLACEMENT_BUDGET_GBP, **(extra or {})},
        estate.input_hash(),
        {
            "status_quo_annual_gbp": rooms.status_quo.annual_cost_gbp_per_year,
            "best_rooms": best.room_count if best else None,
            "best_npv_gbp": best.npv_gbp if best else None,
            "detections_optimised": float(monitoring["detections_per_year_optimised"].sum()),
            "detections_status_quo": float(monitoring["detections_per_year_status_quo"].sum()),
        },
    )
