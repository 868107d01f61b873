"""Economics workflow: value for money, the framework agreement, evidence retrieval, scenarios."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from cctvscope.coverage.aggregate import coverage_unions, covered_km2_table, crimes_in_coverage
from cctvscope.coverage.detail import DetailLevel
from cctvscope.economics.evidence_ops import (
    EvidenceOpsSavings,
    evidence_ops_savings,
    evidence_ops_table,
)
from cctvscope.economics.procurement import FrameworkResult, framework_analysis
from cctvscope.economics.scenarios import ScenarioResult, run_scenarios
from cctvscope.economics.vfm import (
    CRIME_COVERAGE_LEVEL,
    london_metric,
    one_at_a_time,
    sensitivity_parameters,
    vfm_inputs,
    vfm_table,
)
from cctvscope.economics.vfm import (
    LONDON as LONDON_ROW,
)
from cctvscope.ingest.london import read_lsoa_crime, read_police_stations
from cctvscope.model.assumptions import Assumptions, read_assumptions
from cctvscope.model.enums import OwnerType
from cctvscope.model.estate import Estate
from cctvscope.workflows.confidence import record_basis

Step = Callable[[str], None]

#: Metrics of the sensitivity analysis: (name in tables and charts, VFM column, unit).
SENSITIVITY_METRICS = (
    ("cost per evidential export", "cost_per_evidential_export_gbp", "£"),
    ("annual estate cost", "annual_cost_gbp", "£/yr"),
)


@dataclass(frozen=True)
class EconomicsResult:
    """Every economics output for one estate (money in base-year pounds)."""

    vfm: pd.DataFrame
    sensitivity: pd.DataFrame
    coverage: gpd.GeoDataFrame
    evidence_ops: pd.DataFrame
    evidence_savings: EvidenceOpsSavings
    framework: FrameworkResult
    scenarios: ScenarioResult
    price_base_year: int


def run_economics(
    estate: Estate,
    *,
    assumptions: Assumptions | None = None,
    usable_range_m: float | None = None,
    detected_incidents: pd.Series | None = None,
    on_step: Step | None = None,
) -> EconomicsResult:
    """Run every economics analysis on an estate (the estate is not modified).

    Coverage for VFM is the union of council cameras' view wedges per borough and
    detail level, without building occlusion (footprints exist only for two central
    areas); crime in coverage is at Recognise, the street evidential level.
    ``detected_incidents`` (per borough, from the monitoring model) gives the cost per
    detected incident; without it that column stays empty.
    """
    assumptions = assumptions or read_assumptions()
    step = on_step or (lambda _message: None)
    if usable_range_m is None:
        usable_range_m = float(assumptions.value("coverage.usable_range_m"))
    codes = estate.boroughs["gss_code"]

    step("Coverage of council cameras by detail level")
    council = estate.cameras[estate.cameras["owner_type"] == OwnerType.COUNCIL.value]
    unions = coverage_unions(
        council, estate.boroughs, tuple(DetailLevel), usable_range_m=usable_range_m
    )
    covered = covered_km2_table(unions, codes)
    crimes = crimes_in_coverage(unions, read_lsoa_crime(), CRIME_COVERAGE_LEVEL)

    step("Value for money and sensitivity")
    inputs = vfm_inputs(estate, assumptions)
    vfm = vfm_table(
        estate,
        inputs,
        coverage_km2=covered,
        crimes_in_coverage=crimes,
        detected_incidents=detected_incidents,
    )
    # Each borough's VFM row says how much of what it rests on is real (cameras, costs).
    basis = record_basis(estate, LONDON_ROW)
    keep = ["gss_code", "share_real_cameras", "share_real_camera_values", "share_real_cost_items"]
    vfm = vfm.merge(basis[keep], on="gss_code", how="left")
    low, high = assumptions.value("economics_vfm.price_uplift_range")
    sensitivity = one_at_a_time(
        estate,
        inputs,
        sensitivity_parameters(inputs, assumptions),
        {name: london_metric(column) for name, column, _unit in SENSITIVITY_METRICS},
        extra_inputs={
            "price uplift to base year|low": vfm_inputs(
                estate, assumptions, price_uplift_rate=float(low)
            ),
            "price uplift to base year|high": vfm_inputs(
                estate, assumptions, price_uplift_rate=float(high)
            ),
        },
    )

    uplift = sensitivity["parameter"] == "price uplift to base year"
    sensitivity.loc[uplift, ["low_value", "high_value"]] = [float(low), float(high)]
    sensitivity.loc[uplift, "unit"] = "fraction/yr"

    step("Police evidence retrieval by operating model")
    ops = evidence_ops_table(estate, assumptions, stations=read_police_stations())
    savings = evidence_ops_savings(ops)

    step("Framework agreement")
    framework = framework_analysis(
        estate.contracts, pd.DataFrame(estate.boroughs.drop(columns="geometry")), assumptions
    )

    step("Technology scenarios")
    scenarios = run_scenarios(estate, assumptions)
    return EconomicsResult(
        vfm=vfm,
        sensitivity=sensitivity,
        coverage=unions,
        evidence_ops=ops,
        evidence_savings=savings,
        framework=framework,
        scenarios=scenarios,
        price_base_year=int(assumptions.value("economics.price_base_year")),
    )
