"""Economics workflow: value for money, the framework agreement, evidence retrieval, scenarios."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

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
from cctvscope.errors import DataError
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.enums import OwnerType
from cctvscope.model.estate import Estate
from cctvscope.workflows.confidence import record_basis
from cctvscope.workflows.dates import current_assumptions
from cctvscope.workflows.readiness import (
    COSTED_ITEMS,
    Need,
    cost_profile_choice,
    items_message,
    lacking_items,
    missing_tables,
    need_message,
    with_cost_profile,
)
from cctvscope.workflows.region_inputs import (
    Layer,
    RegionInputs,
    london_or_given,
    missing_layer_message,
)

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
    region_title: str = "London"


class EconomicsPart(StrEnum):
    """The economics outputs a missing input can stop (a chapter reads its own)."""

    VFM = "vfm"
    SCENARIOS = "scenarios"
    FRAMEWORK = "framework"
    EVIDENCE_OPS = "evidence_ops"
    CRIME_IN_COVERAGE = "crime_in_coverage"


#: The parts each missing table stops.
NEED_STOPS: dict[Need, tuple[EconomicsPart, ...]] = {
    Need.COST_ITEMS: (EconomicsPart.VFM, EconomicsPart.SCENARIOS),
    Need.CONTRACTS: (EconomicsPart.FRAMEWORK,),
    Need.EVIDENCE_STATS: (EconomicsPart.EVIDENCE_OPS,),
}


@dataclass(frozen=True)
class EconomicsParts:
    """The economics outputs an estate's data allows; each missing part says why.

    ``vfm`` and ``sensitivity`` and ``scenarios`` need a cost profile, ``framework``
    the contracts, ``evidence_ops`` the evidence statistics and police stations;
    ``skipped`` holds one missing-input sentence per part not computed and ``stops``,
    beside each, the parts it stopped. ``cost_profile`` is the profile used and
    ``cost_profile_note`` says why.
    """

    vfm: pd.DataFrame | None
    sensitivity: pd.DataFrame | None
    coverage: gpd.GeoDataFrame
    evidence_ops: pd.DataFrame | None
    evidence_savings: EvidenceOpsSavings | None
    framework: FrameworkResult | None
    scenarios: ScenarioResult | None
    price_base_year: int
    region_title: str = "London"
    cost_profile: str | None = None
    cost_profile_note: str = ""
    skipped: tuple[str, ...] = ()
    stops: tuple[tuple[EconomicsPart, ...], ...] = ()

    def missing_for(self, *parts: EconomicsPart) -> tuple[str, ...]:
        """The missing-input sentences that stopped any of ``parts``."""
        return tuple(
            message
            for message, stopped in zip(self.skipped, self.stops, strict=True)
            if set(stopped) & set(parts)
        )

    def complete(self) -> EconomicsResult:
        """The full result (the guide needs every part).

        Raises
        ------
        DataError
            Naming what is missing, when any part was skipped.
        """
        if (
            self.vfm is None
            or self.sensitivity is None
            or self.evidence_ops is None
            or self.evidence_savings is None
            or self.framework is None
            or self.scenarios is None
        ):
            raise DataError("economics incomplete: " + "; ".join(self.skipped))
        return EconomicsResult(
            vfm=self.vfm,
            sensitivity=self.sensitivity,
            coverage=self.coverage,
            evidence_ops=self.evidence_ops,
            evidence_savings=self.evidence_savings,
            framework=self.framework,
            scenarios=self.scenarios,
            price_base_year=self.price_base_year,
            region_title=self.region_title,
        )


def run_economics(
    estate: Estate,
    *,
    assumptions: Assumptions | None = None,
    usable_range_m: float | None = None,
    detected_incidents: pd.Series | None = None,
    region: RegionInputs | None = None,
    on_step: Step | None = None,
) -> EconomicsResult:
    """Every economics analysis on an estate with all their inputs (see :func:`economics_parts`).

    Raises
    ------
    DataError
        When an input is missing (:meth:`EconomicsParts.complete`).
    """
    return economics_parts(
        estate,
        assumptions=assumptions,
        usable_range_m=usable_range_m,
        detected_incidents=detected_incidents,
        region=region,
        on_step=on_step,
    ).complete()


def economics_parts(
    estate: Estate,
    *,
    assumptions: Assumptions | None = None,
    usable_range_m: float | None = None,
    detected_incidents: pd.Series | None = None,
    region: RegionInputs | None = None,
    on_step: Step | None = None,
) -> EconomicsParts:
    """Run every economics analysis the estate's data allows (the estate is not modified).

    Coverage for VFM is the union of council cameras' view wedges per borough and
    detail level, without building occlusion (footprints exist only for two central
    areas); crime in coverage is at Recognise, the street evidential level, from the
    region's small-area crime (left empty without it). ``detected_incidents`` (per
    borough, from the monitoring model) gives the cost per detected incident; without
    it that column stays empty. ``region``: the estate's region
    (:func:`~cctvscope.workflows.region_inputs.region_inputs`; London's bundled data
    for a London estate when omitted). A part whose inputs are missing is skipped
    with a message in ``skipped``.
    """
    assumptions = assumptions or current_assumptions()
    region = london_or_given(estate, region)
    step = on_step or (lambda _message: None)
    if usable_range_m is None:
        usable_range_m = float(assumptions.value("coverage.usable_range_m"))
    codes = estate.boroughs["gss_code"]
    skipped: list[str] = []
    stops: list[tuple[EconomicsPart, ...]] = []

    def skip(message: str, *parts: EconomicsPart) -> None:
        skipped.append(message)
        stops.append(parts)

    missing = missing_tables(estate, (Need.COST_ITEMS, Need.CONTRACTS, Need.EVIDENCE_STATS))
    for need in missing:
        skip(need_message(region.title, need, estate.name) + SKIPS[need], *NEED_STOPS[need])
    choice = cost_profile_choice(estate)

    step("Coverage of council cameras by detail level")
    council = estate.cameras[estate.cameras["owner_type"] == OwnerType.COUNCIL.value]
    unions = coverage_unions(
        council, estate.boroughs, tuple(DetailLevel), usable_range_m=usable_range_m
    )
    covered = covered_km2_table(unions, codes)
    lsoas = region.lsoa_crime()
    crimes = None if lsoas is None else crimes_in_coverage(unions, lsoas, CRIME_COVERAGE_LEVEL)
    if lsoas is None:
        skip(
            missing_layer_message(region.title, Layer.CRIME)
            + " (cost per crime in coverage not computed)",
            EconomicsPart.CRIME_IN_COVERAGE,
        )

    vfm = sensitivity = None
    scenarios = None
    lacking = () if choice.profile is None else lacking_items(estate, choice.profile, COSTED_ITEMS)
    if choice.profile is not None and lacking:
        skip(
            items_message(region.title, choice.profile, lacking, estate.name)
            + SKIPS[Need.COST_ITEMS],
            *NEED_STOPS[Need.COST_ITEMS],
        )
    elif choice.profile is not None:
        costed = with_cost_profile(estate, choice.profile)
        step("Value for money and sensitivity")
        vfm, sensitivity = _vfm(
            costed, assumptions, covered, crimes, detected_incidents, region.title
        )
        step("Technology scenarios")
        scenarios = run_scenarios(costed, assumptions)

    ops = savings = None
    if Need.EVIDENCE_STATS not in missing:
        if estate.control_rooms.empty:
            # Footage is fetched from a borough's control room: without rooms no trip to cost.
            skip(
                need_message(region.title, Need.CONTROL_ROOMS, estate.name)
                + SKIPS[Need.EVIDENCE_STATS],
                EconomicsPart.EVIDENCE_OPS,
            )
        elif region.police_stations is None:
            skip(
                missing_layer_message(region.title, Layer.POLICE_STATIONS)
                + " (evidence retrieval by operating model not computed)",
                EconomicsPart.EVIDENCE_OPS,
            )
        else:
            step("Police evidence retrieval by operating model")
            ops = evidence_ops_table(estate, assumptions, stations=region.police_stations)
            savings = evidence_ops_savings(ops)

    framework = None
    if Need.CONTRACTS not in missing:
        step("Framework agreement")
        framework = framework_analysis(
            estate.contracts, pd.DataFrame(estate.boroughs.drop(columns="geometry")), assumptions
        )
    return EconomicsParts(
        vfm=vfm,
        sensitivity=sensitivity,
        coverage=unions,
        evidence_ops=ops,
        evidence_savings=savings,
        framework=framework,
        scenarios=scenarios,
        price_base_year=int(assumptions.value("economics.price_base_year")),
        region_title=region.title,
        cost_profile=choice.profile,
        cost_profile_note=choice.note,
        skipped=tuple(skipped),
        stops=tuple(stops),
    )


#: What each missing table stops (after the missing-input sentence).
SKIPS = {
    Need.COST_ITEMS: " (value for money, sensitivity and technology scenarios not computed)",
    Need.CONTRACTS: " (framework agreement not computed)",
    Need.EVIDENCE_STATS: " (evidence retrieval by operating model not computed)",
}


def _vfm(
    estate: Estate,
    assumptions: Assumptions,
    covered: pd.DataFrame,
    crimes: pd.Series | None,
    detected_incidents: pd.Series | None,
    region_title: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Value for money per borough (with its record basis) and the sensitivity table."""
    inputs = vfm_inputs(estate, assumptions)
    vfm = vfm_table(
        estate,
        inputs,
        coverage_km2=covered,
        crimes_in_coverage=crimes,
        detected_incidents=detected_incidents,
        region_name=region_title,
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
    return vfm, sensitivity
