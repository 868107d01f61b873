"""The pipeline's writers: every file an assessment produces, and the guide.

:data:`WRITERS` is what the CLI and the web pass to
:func:`cctvscope.workflows.pipeline.run_pipeline`; the file names are those of
:mod:`cctvscope.workflows.results`, through which the web reads them back.
"""

from __future__ import annotations

from pathlib import Path

from cctvscope.coverage.engine import CoverageResult
from cctvscope.model.estate import Estate
from cctvscope.reporting.charts.coverage import coverage_maps
from cctvscope.reporting.compliance import write_compliance
from cctvscope.reporting.coverage import write_coverage_files
from cctvscope.reporting.economics import write_economics
from cctvscope.reporting.evidence import write_joint_coverage, write_worked_example
from cctvscope.reporting.files import write_borough_summary_csv, write_estate_gpkg
from cctvscope.reporting.guide import render_guide
from cctvscope.reporting.options import (
    write_control_room_options,
    write_monitoring,
    write_placement,
)
from cctvscope.workflows.guide import GuideInputs
from cctvscope.workflows.pipeline import Assessment, GuideMode, GuideOutput, Writers
from cctvscope.workflows.region_inputs import RegionInputs
from cctvscope.workflows.results import OutputFile


def region_source(region: RegionInputs) -> str:
    """The map footnote of a region other than London: its stored layers."""
    held = [
        name
        for name, frame in (
            ("police.uk street crime", region.crime_points),
            ("OSM footprints", region.buildings),
        )
        if frame is not None
    ]
    layers = "; ".join(["region boundaries", *held])
    return f"{layers} (cctvscope region {region.name}); coverage by cctvscope (BS EN 62676-4)"


def write_coverage_outputs(
    result: CoverageResult,
    estate: Estate,
    region: RegionInputs | None,
    out: Path,
    *,
    maps: bool = True,
) -> list[Path]:
    """``coverage.gpkg``, its CSVs and (``maps``) the region and per-area coverage maps."""
    paths = list(write_coverage_files(result, estate.cameras, out).values())
    if not maps:
        return paths
    if region is None or region.is_london:
        return paths + coverage_maps(result, estate.boroughs, out)
    return paths + coverage_maps(
        result,
        estate.boroughs,
        out,
        region_title=region.title,
        source=region_source(region),
        crime_label="crime",
    )


def write_pipeline_coverage(
    result: CoverageResult, estate: Estate, region: RegionInputs, out: Path
) -> list[Path]:
    """The pipeline's coverage writer (maps included); runs in the coverage process."""
    return write_coverage_outputs(result, estate, region, out)


def write_results(assessment: Assessment, out: Path) -> list[Path]:
    """Every table, chart and map of the analyses computed (none for one not computed)."""
    guide = assessment.guide
    estate = assessment.estate
    paths = [write_estate_gpkg(estate, out / OutputFile.ESTATE_GPKG)]
    if guide.summary is not None:
        paths.append(write_borough_summary_csv(guide.summary, out / OutputFile.BOROUGH_SUMMARY))
    if guide.options is not None:
        paths += write_control_room_options(guide.options, estate, out)
    if guide.monitoring is not None:
        paths += write_monitoring(guide.monitoring, out)
    if guide.placement is not None:
        paths += write_placement(dict(guide.placement), out)
    paths += write_economics(assessment.economics, out)
    if guide.compliance is not None:
        paths += write_compliance(guide.compliance, out)
    if guide.joint is not None:
        paths += write_joint_coverage(guide.joint, estate.boroughs, out)
    if guide.example is not None:
        paths += write_worked_example(guide.example, out)
    return paths


def write_guide(inputs: GuideInputs, out: Path, mode: GuideMode) -> GuideOutput:
    """The guide as ``guide.html`` and ``guide.pdf``."""
    return render_guide(inputs, out, mode=mode)


#: The writers of every pipeline run.
WRITERS = Writers(
    coverage=write_pipeline_coverage,
    results=write_results,
    guide=write_guide,
    joint=write_joint_coverage,
)
