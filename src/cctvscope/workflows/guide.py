"""Guide workflow: gather every analysis result the guide presents.

:class:`GuideInputs` holds the estate and one result per analysis; each result is
optional, and the guide says "not available yet" for a missing one rather than
showing anything invented. The pipeline
(:func:`cctvscope.workflows.pipeline.run_pipeline`, behind ``cctvscope demo`` and
``cctvscope report``) fills it; :func:`cctvscope.workflows.pipeline.assess` runs every
analysis but coverage and the worked request.

The data confidence (how far each finding rests on real records) is cheap and
depends only on the estate and the assumptions, so a caller that does not pass one
gets it computed on first use: :attr:`GuideInputs.data_confidence`.

An analysis whose inputs are missing is left out and :attr:`GuideInputs.gaps` holds,
per chapter, the named-missing sentences (what is missing and the command that
supplies it), so the chapter says why rather than showing zeros or London's figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import pandas as pd
import shapely

from cctvscope.coverage.engine import CoverageResult
from cctvscope.model.assumptions import Assumptions, read_assumptions
from cctvscope.model.estate import Estate
from cctvscope.optimisation.control_rooms import OptionsResult
from cctvscope.optimisation.placement import PlacementResult
from cctvscope.store.regions import LayerInfo
from cctvscope.workflows.compliance import ComplianceOutcome
from cctvscope.workflows.confidence import DataConfidence, data_confidence
from cctvscope.workflows.economics import EconomicsParts
from cctvscope.workflows.evidence import JointCoverage, WorkedExample

#: Footprints closer than this are counted as one occluded area [m].
OCCLUSION_AREA_GAP_M = 100.0


@dataclass(frozen=True)
class Occlusion:
    """Whether the coverage engine's run occluded sight lines by building footprints.

    ``footprints`` counted; ``areas`` the separate clusters they form and ``area_km2``
    the ground those clusters cover (footprints buffered by
    :data:`OCCLUSION_AREA_GAP_M`): outside them cameras see through buildings.
    """

    applied: bool
    footprints: int
    areas: int
    area_km2: float


NO_OCCLUSION = Occlusion(False, 0, 0, 0.0)


def occlusion_of(buildings: gpd.GeoDataFrame | None) -> Occlusion:
    """The occlusion a coverage run with these footprints applies (None or empty: none).

    The pipeline passes the same building layer its coverage run receives
    (:func:`~cctvscope.workflows.coverage.region_coverage_inputs`), so the guide's
    methodology and captions describe the occlusion that was computed.
    """
    if buildings is None or buildings.empty:
        return NO_OCCLUSION
    grown = shapely.union_all(
        shapely.buffer(buildings.geometry.to_numpy(), OCCLUSION_AREA_GAP_M / 2)
    )
    parts = len(getattr(grown, "geoms", [grown]))
    return Occlusion(True, len(buildings), parts, float(grown.area) / 1e6)


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
    "Stockport"); ``gaps`` maps a chapter key (``control_rooms``, ``framework``,
    ``vfm``, ``technology``, ``integration``, ``assessment``) or a part shown inside a
    chapter (``coverage``, ``evidence_ops``) to the named-missing sentences of the
    analyses left out. ``economics`` holds every economics part computed: each chapter
    shows its own part or names what stopped it. ``run_date`` is the date the guide is
    dated and its price base, framework start and scenario years follow
    (:mod:`cctvscope.workflows.dates`). ``occlusion`` is the building occlusion the
    coverage run applies (:func:`occlusion_of` its footprints; None: not known).
    ``region_layers`` are a stored region's layers as loaded (Appendix B lists them
    for a region other than London; London's sources are the bundled files).
    """

    estate: Estate
    assumptions: Assumptions = field(default_factory=read_assumptions)
    summary: pd.DataFrame | None = None
    economics: EconomicsParts | None = None
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
    run_date: dt.date = field(default_factory=dt.date.today)
    occlusion: Occlusion | None = None
    region_layers: tuple[LayerInfo, ...] = ()

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
