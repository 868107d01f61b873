"""The assessment pipeline: every analysis of an estate, every output file, the guide, run records.

There is one pipeline. ``cctvscope demo`` builds London's estate and runs it;
``cctvscope report`` runs it on a stored estate of any region, so both write the same
guide from the same results. The web app reads what it wrote through
:mod:`cctvscope.workflows.results`.

Writing files is the reporting layer's job, and reporting sits above workflows: the
caller passes :class:`Writers` (``cctvscope.reporting.outputs.WRITERS``), so this
module computes, records and orders, and never imports a renderer.

Coverage is the longest analysis; it runs in a second process beside the others and
writes its own large files there (its polygons never cross the process boundary).
Each analysis runs only when its inputs are there: what it lacks goes into
:attr:`GuideInputs.gaps` under its chapters, with the command that supplies it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing as mp
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine

from cctvscope.coverage.engine import CoverageOptions, CoverageResult
from cctvscope.model.assumptions import Assumptions, read_assumptions
from cctvscope.model.estate import Estate
from cctvscope.optimisation.control_rooms import OptionsResult
from cctvscope.optimisation.placement import PlacementResult
from cctvscope.workflows.economics import EconomicsPart, EconomicsParts
from cctvscope.workflows.evidence import JointCoverage, WorkedExample
from cctvscope.workflows.guide import GuideInputs, occlusion_of
from cctvscope.workflows.region_inputs import RegionInputs
from cctvscope.workflows.stages import StageClock, StageTime

Step = Callable[[str], None]
GuideMode = Literal["final", "interim"]


class CoverageWriter(Protocol):
    """Writes coverage's files (GeoPackage, CSVs, maps); runs in the coverage process.

    Must be a module-level function, so the process can receive it.
    """

    def __call__(
        self, result: CoverageResult, estate: Estate, region: RegionInputs, out: Path
    ) -> list[Path]: ...


class ResultsWriter(Protocol):
    """Writes every table, chart and map of the other analyses."""

    def __call__(self, assessment: Assessment, out: Path) -> list[Path]: ...


class JointWriter(Protocol):
    """Writes the joint public/private coverage's tables and map."""

    def __call__(
        self, joint: JointCoverage, boroughs: gpd.GeoDataFrame, out_dir: Path
    ) -> list[Path]: ...


@dataclass(frozen=True)
class GuideOutput:
    """The guide written: its HTML, its PDF and the PDF's page count."""

    html: Path
    pdf: Path
    pages: int


class GuideWriter(Protocol):
    """Renders the guide (HTML and PDF) from the analyses' results."""

    def __call__(self, inputs: GuideInputs, out: Path, mode: GuideMode) -> GuideOutput: ...


@dataclass(frozen=True)
class Writers:
    """How the pipeline's results become files (supplied by the reporting layer)."""

    coverage: CoverageWriter
    results: ResultsWriter
    guide: GuideWriter
    joint: JointWriter


@dataclass(frozen=True)
class Assessment:
    """Every analysis result of one estate version.

    ``guide`` holds what the guide presents (each result None when not computed, and
    the named-missing sentences per chapter); ``economics`` every economics part the
    estate allows (the guide shows economics only whole); ``headlines`` the economics
    headline figures; ``region`` the layers the analyses used.
    """

    guide: GuideInputs
    economics: EconomicsParts
    headlines: Mapping[str, float]
    region: RegionInputs

    @property
    def estate(self) -> Estate:
        """The estate assessed."""
        return self.guide.estate


@dataclass(frozen=True)
class PipelineResult:
    """The assessment, the files written (guide last), the guide and the coverage stages.

    ``coverage_stages`` are the timed steps of the coverage process (none without it).
    """

    assessment: Assessment
    files: tuple[Path, ...]
    guide: GuideOutput
    coverage_stages: tuple[StageTime, ...] = ()


def coverage_job(
    estate: Estate,
    region: RegionInputs,
    out: Path,
    write: CoverageWriter,
    visibility_polygons: bool = False,
) -> tuple[CoverageResult, tuple[StageTime, ...]]:
    """Coverage of ``estate``, its files written; the result without its polygon layers.

    Run in a separate process by :func:`run_pipeline`: the polygons stay in the files
    it writes, which keeps the hand-back between processes small. Per-camera
    visibility polygons are traced only with ``visibility_polygons`` (they are most of
    ``coverage.gpkg``'s size and time; every figure comes from the painted grid). The
    stages of this process are timed (:class:`~cctvscope.workflows.stages.StageClock`)
    and handed back.
    """
    from cctvscope.workflows.coverage import run_coverage

    clock = StageClock("coverage")
    clock("Coverage: ray casting, painting and sums")
    options = CoverageOptions(polygons=visibility_polygons)
    result = run_coverage(estate, options, region=region)
    clock("Coverage: writing coverage.gpkg, CSVs and maps")
    write(result, estate, region, out)
    stages = clock.finish()
    return dataclasses.replace(
        result, unions=result.unions.iloc[0:0], visibility=result.visibility.iloc[0:0]
    ), stages


def assess(
    engine: Engine | None,
    estate: Estate,
    *,
    region: RegionInputs | None = None,
    standard: str | None = None,
    assumptions: Assumptions | None = None,
    summary: pd.DataFrame | None = None,
    coverage: CoverageResult | None = None,
    example: WorkedExample | None = None,
    run_date: dt.date | None = None,
    on_step: Step | None = None,
    defer_joint: bool = False,
) -> Assessment:
    """Run every analysis but coverage and the worked request on ``estate`` (not modified).

    With an ``engine`` the Code of Practice self-assessment scores stored for the
    estate go into compliance, and ``region`` is read from the store when omitted;
    without one the estate must be London's. ``summary``, ``coverage`` and ``example``
    are results computed elsewhere (the demo's summary, the coverage process, the
    worked request), carried into the guide inputs; joint public/private coverage
    comes from ``coverage`` when given, and is left to the caller with
    ``defer_joint`` (:func:`run_pipeline` computes it when its coverage is done).
    ``run_date`` (today when omitted) sets the price base, the framework start and the
    scenario years (:func:`~cctvscope.workflows.dates.dated_assumptions`).
    """
    from cctvscope.workflows.region_inputs import london_or_given, region_inputs

    step = on_step or (lambda _message: None)
    if region is None and engine is not None:
        region = region_inputs(engine, estate)
    region = london_or_given(estate, region)
    from cctvscope.workflows.compliance import estate_standard
    from cctvscope.workflows.dates import dated_assumptions

    day = run_date or dt.date.today()
    return _analyses(
        engine,
        estate,
        region,
        standard=standard or estate_standard(estate),
        assumptions=dated_assumptions(assumptions or read_assumptions(), day),
        run_date=day,
        summary=summary,
        coverage=coverage,
        example=example,
        step=step,
        defer_joint=defer_joint,
    )


def _analyses(
    engine: Engine | None,
    estate: Estate,
    region: RegionInputs,
    *,
    standard: str,
    assumptions: Assumptions,
    summary: pd.DataFrame | None,
    coverage: CoverageResult | None,
    example: WorkedExample | None,
    run_date: dt.date,
    step: Step,
    defer_joint: bool = False,
) -> Assessment:
    from cctvscope.workflows.assess import summarise_boroughs
    from cctvscope.workflows.compliance import run_compliance
    from cctvscope.workflows.confidence import data_confidence
    from cctvscope.workflows.economics import economics_parts
    from cctvscope.workflows.options import detected_incidents_by_borough
    from cctvscope.workflows.runs import economics_headlines

    a = assumptions
    gaps: dict[str, tuple[str, ...]] = {}
    step("Summarising boroughs")
    summary = summarise_boroughs(estate) if summary is None else summary
    options, monitoring, placement = _options(estate, region, a, gaps, step)
    detections = None if monitoring is None else detected_incidents_by_borough(estate, monitoring)
    parts = economics_parts(
        estate, assumptions=a, detected_incidents=detections, region=region, on_step=step
    )
    # Each economics chapter shows the part it reads, or names what stopped that part.
    for key, part in (
        ("framework", EconomicsPart.FRAMEWORK),
        ("vfm", EconomicsPart.VFM),
        ("technology", EconomicsPart.SCENARIOS),
        ("evidence_ops", EconomicsPart.EVIDENCE_OPS),
    ):
        if parts.missing_for(part):
            gaps[key] = (*gaps.get(key, ()), *parts.missing_for(part))
    cop: Mapping[str, float] | None = None
    if engine is not None:
        from cctvscope.store import cop_scores

        cop = cop_scores(engine, estate.name)
    compliance = run_compliance(
        estate, standard=standard, cop_scores=cop, assumptions=a, region=region, on_step=step
    )
    joint = None if defer_joint else _joint(estate, region, gaps, step, coverage)
    step("Data confidence per borough and table")
    guide = GuideInputs(
        estate=estate,
        assumptions=a,
        summary=summary,
        economics=parts,
        compliance=compliance,
        options=options,
        monitoring=monitoring,
        placement=placement,
        joint=joint,
        example=example,
        coverage=coverage,
        confidence=data_confidence(estate, assumptions=a),
        region_title=region.title,
        gaps=gaps,
        run_date=run_date,
        # The footprints the coverage run receives (region_coverage_inputs, buildings on).
        occlusion=occlusion_of(region.buildings),
        region_layers=region.layers,
    )
    return Assessment(guide, parts, economics_headlines(parts), region)


def _options(
    estate: Estate,
    region: RegionInputs,
    a: Assumptions,
    gaps: dict[str, tuple[str, ...]],
    step: Step,
) -> tuple[OptionsResult | None, pd.DataFrame | None, dict[str, PlacementResult] | None]:
    """Control-room options, monitoring and (London) the placement example; gaps noted."""
    from cctvscope.workflows.options import (
        control_room_gaps,
        monitoring_gaps,
        run_control_room_options,
        run_monitoring,
        run_placement,
    )
    from cctvscope.workflows.runs import PLACEMENT_BUDGET_GBP

    step("Control-room consolidation options (HiGHS)")
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
    return options, monitoring, placement


def _joint(
    estate: Estate,
    region: RegionInputs,
    gaps: dict[str, tuple[str, ...]],
    step: Step,
    coverage: CoverageResult | None,
) -> JointCoverage | None:
    """Joint public/private coverage, or None with the reasons under ``integration``.

    From ``coverage``'s painted grid when there is one, else from wedge unions.
    """
    from cctvscope.workflows.evidence import run_joint_coverage
    from cctvscope.workflows.region_inputs import Layer, missing_layer_message, missing_message

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
        return None
    step("Joint public/private coverage")
    # London keeps the bundled LSOA crime exactly as before (its figures do not move).
    return run_joint_coverage(estate, crime=None if region.is_london else lsoas, coverage=coverage)


def run_pipeline(
    engine: Engine,
    estate: Estate,
    out: Path,
    writers: Writers,
    *,
    mode: GuideMode = "final",
    worked_example: bool = False,
    summary: pd.DataFrame | None = None,
    standard: str | None = None,
    run_date: dt.date | None = None,
    on_step: Step | None = None,
    visibility_polygons: bool = False,
) -> PipelineResult:
    """The whole assessment of a stored ``estate``: analyses, files, runs recorded, guide.

    ``worked_example`` runs the synthetic evidence request (London's demonstration: it
    writes requests to the store and a vault under ``out``); ``summary`` is the
    per-borough summary when the caller has it; ``run_date`` (today when omitted) dates
    the price base, framework and scenarios. Coverage runs in a second process
    (``visibility_polygons``: with each camera's visibility polygon in
    ``coverage.gpkg``); joint public/private coverage is read from its grid when it is
    done. An estate without cameras gets no coverage and says so in the guide.
    """
    from cctvscope.workflows.region_inputs import region_inputs
    from cctvscope.workflows.runs import record_compliance, record_economics, record_options

    step = on_step or (lambda _message: None)
    # Made here, not by whichever writer comes first: the worked request writes its clips
    # into ``out`` while the coverage process may not have made it yet.
    out.mkdir(parents=True, exist_ok=True)
    step("Reading the region's layers")
    region = region_inputs(engine, estate)
    pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"))
    try:
        future = _start_coverage(pool, estate, region, out, writers.coverage, visibility_polygons)
        assessment = assess(
            engine,
            estate,
            region=region,
            standard=standard,
            summary=summary,
            run_date=run_date,
            on_step=step,
            defer_joint=True,
        )
        guide = assessment.guide
        if worked_example:
            guide = dataclasses.replace(guide, example=_example(engine, estate, region, out, step))
            assessment = dataclasses.replace(assessment, guide=guide)
        step("Writing the tables, charts and maps")
        files = writers.results(assessment, out)
        step("Recording the runs")
        record_economics(engine, estate, assessment.economics)
        if guide.compliance is not None:
            record_compliance(engine, estate, guide.compliance)
        if guide.options is not None and guide.monitoring is not None:
            record_options(engine, estate, guide.options, guide.monitoring)
        step("Coverage by detail level, crime in coverage and gaps")
        coverage, coverage_gaps, coverage_stages = _finish_coverage(future, region)
    finally:
        pool.shutdown()
    gaps = {**guide.gaps, **coverage_gaps}
    joint = _joint(estate, region, gaps, step, coverage)
    if joint is not None:
        files = [*files, *writers.joint(joint, estate.boroughs, out)]
    guide = dataclasses.replace(guide, coverage=coverage, joint=joint, gaps=gaps)
    assessment = dataclasses.replace(assessment, guide=guide)
    step(f"Writing the {mode} guide (HTML and PDF)")
    written = writers.guide(guide, out, mode)
    return PipelineResult(assessment, (*files, written.html, written.pdf), written, coverage_stages)


CoverageFuture = Future[tuple[CoverageResult, tuple[StageTime, ...]]]


def _start_coverage(
    pool: ProcessPoolExecutor,
    estate: Estate,
    region: RegionInputs,
    out: Path,
    write: CoverageWriter,
    visibility_polygons: bool,
) -> CoverageFuture | None:
    if estate.cameras.empty:
        return None
    return pool.submit(coverage_job, estate, region, out, write, visibility_polygons)


def _finish_coverage(
    future: CoverageFuture | None, region: RegionInputs
) -> tuple[CoverageResult | None, dict[str, tuple[str, ...]], tuple[StageTime, ...]]:
    """The coverage result (or None and the reason under the assessment chapter), its stages."""
    from cctvscope.workflows.coverage import coverage_lacks

    if future is None:
        why = f"no cameras for {region.title} (coverage not computed)"
        return None, {"assessment": (why,)}, ()
    lacks = coverage_lacks(region)
    result, stages = future.result()
    return result, ({"coverage": lacks} if lacks else {}), stages


def _example(
    engine: Engine, estate: Estate, region: RegionInputs, out: Path, step: Step
) -> WorkedExample | None:
    """The worked evidence request (London's demonstration place), or None elsewhere."""
    from cctvscope.workflows.evidence import run_worked_example

    if not region.is_london:
        return None
    step("Worked evidence request: lookup, requests, package, verify")
    return run_worked_example(engine, estate, out, vault_root=out / "evidence_vault")
