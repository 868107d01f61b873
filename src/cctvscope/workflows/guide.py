"""Guide workflow: gather every analysis result the guide presents.

:class:`GuideInputs` holds the estate and one result per analysis; each result is
optional, and the guide says "not available yet" for a missing one rather than
showing anything invented. ``cctvscope report`` runs every analysis through
:func:`collect_guide_inputs`; ``cctvscope demo`` builds :class:`GuideInputs` from the
results it has already computed, so nothing is computed twice.

The data confidence (how far each finding rests on real records) is cheap and
depends only on the estate and the assumptions, so a caller that does not pass one
gets it computed on first use: :attr:`GuideInputs.data_confidence`.

On an estate of any region the analyses get the region's layers
(:func:`~cctvscope.workflows.region_inputs.region_inputs`); an analysis whose
inputs are missing is left out and :attr:`GuideInputs.gaps` holds, per chapter, the
named-missing sentences (what is missing and the command that supplies it), so the
chapter says why rather than showing zeros or London's figures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd
from sqlalchemy import Engine

from cctvscope.coverage.engine import CoverageResult
from cctvscope.model.assumptions import Assumptions, read_assumptions
from cctvscope.model.estate import Estate
from cctvscope.optimisation.control_rooms import OptionsResult
from cctvscope.optimisation.placement import PlacementResult
from cctvscope.workflows.compliance import ComplianceOutcome
from cctvscope.workflows.confidence import DataConfidence, data_confidence
from cctvscope.workflows.economics import EconomicsResult
from cctvscope.workflows.evidence import JointCoverage, WorkedExample
from cctvscope.workflows.region_inputs import RegionInputs

Step = Callable[[str], None]

#: Budget of the guide's camera-placement example [£] (a demonstration figure, not advice).
PLACEMENT_BUDGET_GBP = 100_000.0


@dataclass(frozen=True)
class GuideInputs:
    """The estate and every analysis result the guide presents (None: not available).

    ``summary`` is :func:`~cctvscope.workflows.assess.summarise_boroughs`; ``monitoring``
    is :func:`~cctvscope.workflows.options.run_monitoring`; ``placement`` maps an area
    to its :class:`~cctvscope.optimisation.placement.PlacementResult`; ``coverage`` is the
    coverage engine's result (occluded coverage by level, crime in coverage and gaps).
    ``confidence`` is :func:`~cctvscope.workflows.confidence.data_confidence` of the
    estate; None computes it on first use of :attr:`data_confidence`.
    ``region_title`` names the estate's area in every heading and text ("London",
    "Stockport"); ``gaps`` maps a chapter key (see ``guide_content.CHAPTER_KEYS``) to
    the named-missing sentences of the analyses left out of it.
    """

    estate: Estate
    assumptions: Assumptions = field(default_factory=read_assumptions)
    summary: pd.DataFrame | None = None
    economics: EconomicsResult | None = None
    compliance: ComplianceOutcome | None = None
    options: OptionsResult | None = None
    monitoring: pd.DataFrame | None = None
    placement: Mapping[str, PlacementResult] | None = None
    joint: JointCoverage | None = None
    example: WorkedExample | None = None
    coverage: CoverageResult | None = None
    confidence: DataConfidence | None = None
    region_title: str = "London"
    gaps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def is_london(self) -> bool:
        """True for a London estate (the guide's London-only texts and sources apply)."""
        return self.region_title == "London"

    @cached_property
    def data_confidence(self) -> DataConfidence:
        """The estate's data confidence: ``confidence`` or computed once from the estate."""
        # cached_property writes the instance __dict__ directly, so it works on a frozen
        # dataclass and the demo (which builds GuideInputs itself) need not compute it.
        if self.confidence is not None:
            return self.confidence
        return data_confidence(self.estate, assumptions=self.assumptions)


def collect_guide_inputs(
    engine: Engine | None,
    estate: Estate,
    *,
    standard: str = "london-v1",
    assumptions: Assumptions | None = None,
    on_step: Step | None = None,
    region: RegionInputs | None = None,
) -> GuideInputs:
    """Run every analysis on ``estate`` for the guide (the estate is not modified).

    With an ``engine``, the Code of Practice self-assessment scores stored for the
    estate go into the compliance chapter; without one they are left out. The worked
    evidence request writes to the store and a vault, so it is not run here: the demo
    passes its own. ``region``: the estate's region layers (read with
    :func:`~cctvscope.workflows.region_inputs.region_inputs` when omitted). Each
    analysis runs only when its inputs are there; what it lacks goes into
    :attr:`GuideInputs.gaps` under its chapters.
    """
    from cctvscope.workflows.assess import summarise_boroughs
    from cctvscope.workflows.compliance import run_compliance
    from cctvscope.workflows.economics import economics_parts
    from cctvscope.workflows.evidence import run_joint_coverage
    from cctvscope.workflows.options import (
        control_room_gaps,
        detected_incidents_by_borough,
        monitoring_gaps,
        run_control_room_options,
        run_monitoring,
        run_placement,
    )
    from cctvscope.workflows.region_inputs import (
        Layer,
        london_or_given,
        missing_layer_message,
        missing_message,
        region_inputs,
    )

    a = assumptions or read_assumptions()
    step = on_step or (lambda _message: None)
    if region is None:
        region = region_inputs(engine, estate) if engine is not None else None
    region = london_or_given(estate, region)
    gaps: dict[str, tuple[str, ...]] = {}
    step("Summarising boroughs")
    summary = summarise_boroughs(estate)
    step("Control-room consolidation options")
    options = None
    missing = control_room_gaps(estate, region)
    if missing:
        gaps["control_rooms"] = missing
    else:
        options = run_control_room_options(estate, assumptions=a, region=region)
    step("Monitoring allocation per control room")
    monitoring = None
    missing = monitoring_gaps(estate, region)
    if missing:
        gaps["vfm"] = tuple(f"{m} (monitoring not computed)" for m in missing)
    else:
        monitoring = run_monitoring(estate, assumptions=a, region=region)
    placement = None
    if region.is_london:
        # The guide's placement example is London's named bundled area; another region's
        # study area is a file the user gives (cctvscope options placement --area FILE).
        step("Camera placement example")
        placement = run_placement(estate, budget_gbp=PLACEMENT_BUDGET_GBP, assumptions=a)
    detections = None if monitoring is None else detected_incidents_by_borough(estate, monitoring)
    parts = economics_parts(
        estate, assumptions=a, detected_incidents=detections, region=region, on_step=step
    )
    economics = parts.complete() if not parts.skipped else None
    if economics is None and parts.skipped:
        # The guide's economics chapters read one complete result: each says what stops it.
        for key in ("framework", "vfm", "technology"):
            gaps[key] = (*gaps.get(key, ()), *parts.skipped)
    cop: Mapping[str, float] | None = None
    if engine is not None:
        from cctvscope.store import cop_scores

        cop = cop_scores(engine, estate.name)
    compliance = run_compliance(
        estate, standard=standard, cop_scores=cop, assumptions=a, region=region, on_step=step
    )
    joint = None
    lsoas = region.lsoa_crime()
    lacking: list[str] = []
    if lsoas is None:
        lacking.append(missing_layer_message(region.title, Layer.CRIME))
    private = (estate.cameras["owner_type"].astype(str) == "private").any()
    if not region.is_london and not private:
        # Without a private camera the joint coverage equals the public: all its gains are
        # zeros, which the guide must not print as findings.
        how = f"cctvscope import cameras FILE --estate {estate.name} with owner_type private"
        lacking.append(missing_message(region.title, "registered private cameras", how))
    if lacking:
        gaps["integration"] = tuple(f"{m} (joint coverage not computed)" for m in lacking)
    else:
        step("Joint public/private coverage")
        # London keeps the bundled LSOA crime exactly as before (its figures do not move).
        joint = run_joint_coverage(estate, crime=None if region.is_london else lsoas)
    step("Data confidence per borough and table")
    confidence = data_confidence(estate, assumptions=a)
    return GuideInputs(
        estate=estate,
        assumptions=a,
        summary=summary,
        economics=economics,
        compliance=compliance,
        options=options,
        monitoring=monitoring,
        placement=placement,
        joint=joint,
        confidence=confidence,
        region_title=region.title,
        gaps=gaps,
    )
