"""Compliance workflow: check an estate against a standard, cost the fixes, plan the upgrade."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from cctvscope.errors import Finding, InputError
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.enums import OwnerType
from cctvscope.model.estate import Estate
from cctvscope.standards import ComplianceResult, assess_compliance, read_standard
from cctvscope.standards.remediation import (
    PlanSummary,
    camera_crime_density,
    fix_options,
    plan_within_budget,
    upgrade_plan,
)
from cctvscope.standards.spec import DEFAULT_STANDARD, list_standards
from cctvscope.workflows.dates import current_assumptions
from cctvscope.workflows.readiness import PLACEMENT_ITEMS, cost_profile_choice, lacking_items
from cctvscope.workflows.region_inputs import RegionInputs, london_or_given

Step = Callable[[str], None]

#: Budget of the "first tranche" summary reported with every plan [£].
FIRST_TRANCHE_GBP = 1_000_000.0


@dataclass(frozen=True)
class ComplianceOutcome:
    """Compliance of an estate, the fix options and the ranked upgrade plan."""

    result: ComplianceResult
    options: pd.DataFrame
    plan: pd.DataFrame
    first_tranche: PlanSummary
    boroughs: pd.DataFrame
    region_title: str = "London"
    crime_weighted: bool = True

    @property
    def standard_label(self) -> str:
        """Which standard and version the outcome used (reports must say)."""
        return self.result.standard_label


#: Where an estate's metadata names the standard its compliance is checked against.
STANDARD_METADATA_KEY = "standard"


def estate_standard(estate: Estate) -> str:
    """The bundled standard an estate is checked against: its own, else ``london-v1``."""
    return str(estate.metadata.get(STANDARD_METADATA_KEY) or DEFAULT_STANDARD)


def standard_metadata(standard: str | None) -> dict[str, str]:
    """The metadata naming an estate's standard (empty for the default).

    Raises
    ------
    InputError
        When ``standard`` is not a bundled standard's name.
    """
    if standard is None:
        return {}
    known = list_standards()
    if standard not in known:
        reason = f"not a bundled standard: one of {', '.join(known)}"
        raise InputError(
            f"unknown standard {standard!r}", [Finding("error", None, "standard", standard, reason)]
        )
    return {STANDARD_METADATA_KEY: standard}


def run_compliance(
    estate: Estate,
    *,
    standard: str = "london-v1",
    cop_scores: Mapping[str, float] | None = None,
    assumptions: Assumptions | None = None,
    strict: bool = False,
    assume_defaults: bool = False,
    region: RegionInputs | None = None,
    on_step: Step | None = None,
) -> ComplianceOutcome:
    """Assess ``estate`` against ``standard``, then cost and rank the fixes.

    The upgrade plan is ranked by crime-weighted compliance gained per £: each fix
    bundle's severity-weighted rules fixed times the recorded-crime density of the
    camera's LSOA (coverage-based weighting follows when the coverage engine computes
    per-camera coverage). The plan covers public cameras (council, TfL, police): private
    owners pay for their own, so their fix options are listed but not ranked. ``strict``
    raises on any failure instead of returning. ``assume_defaults`` scores attributes
    filled from the assumptions-file defaults as if measured (planning only); by default
    a rule whose inputs were defaulted answers ``unknown`` for that camera.
    ``region``: the estate's region (:func:`~cctvscope.workflows.region_inputs.region_inputs`;
    London's bundled data when omitted for a London estate). Without small-area crime
    the plan ranks by compliance gained per £ alone (``crime_weighted`` is False).
    """
    assumptions = assumptions or current_assumptions()
    step = on_step or (lambda _message: None)
    spec = read_standard(standard)
    step(f"Checking {len(estate.cameras):,} cameras against {spec.label}")
    result = assess_compliance(
        estate, spec, cop_scores=cop_scores, strict=strict, assume_defaults=assume_defaults
    )
    step("Costing fixes")
    # A new camera costs the estate's own camera_installation item when its cost profile
    # holds one; else the assumptions file's default (never another region's profile).
    profile = cost_profile_choice(estate).profile
    own = profile is not None and not lacking_items(estate, profile, PLACEMENT_ITEMS)
    options = fix_options(
        result.findings,
        estate.cameras,
        assumptions,
        standard=spec,
        cost_items=estate.cost_items if own else None,
        profile=profile if own else None,
    )
    step("Ranking the upgrade plan")
    region = london_or_given(estate, region)
    lsoas = region.lsoa_crime()
    density = None if lsoas is None else camera_crime_density(estate.cameras, lsoas)
    public = options[options["owner_type"] != OwnerType.PRIVATE.value]
    plan = upgrade_plan(public, result.findings, crime_density=density)
    return ComplianceOutcome(
        result=result,
        options=options,
        plan=plan,
        first_tranche=plan_within_budget(plan, FIRST_TRANCHE_GBP),
        boroughs=borough_compliance(result, estate, cop_scores),
        region_title=region.title,
        crime_weighted=lsoas is not None,
    )


def borough_compliance(
    result: ComplianceResult, estate: Estate, cop_scores: Mapping[str, float] | None
) -> pd.DataFrame:
    """Per borough: cameras, share fully compliant, and the Code of Practice score beside it.

    ``cop_share`` is the borough's latest self-assessment score (NaN where none is
    stored); ``meets_cop`` applies the standard's CoP pass mark.
    """
    cams = result.cameras
    grouped = cams.groupby("borough_code")["compliant"]
    table = pd.DataFrame(
        {
            "cameras": grouped.size(),
            "compliant_cameras": grouped.sum(),
        }
    )
    codes = estate.boroughs["gss_code"]
    table = table.reindex(codes, fill_value=0)
    table["share_compliant"] = table["compliant_cameras"] / table["cameras"].where(
        table["cameras"] > 0
    )
    names = estate.boroughs.set_index("gss_code")["name"]
    table.insert(0, "name", names.reindex(codes).to_numpy())
    scores = pd.Series(dict(cop_scores or {}), dtype=float)
    table["cop_share"] = scores.reindex(codes).to_numpy()
    pass_mark = float(result.standard.rule("CoP").thresholds["min_score_share"])
    table["meets_cop"] = table["cop_share"].map(
        lambda s: None if pd.isna(s) else bool(s >= pass_mark)
    )
    return table.reset_index(names="gss_code")
