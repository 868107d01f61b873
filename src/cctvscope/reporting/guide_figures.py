"""Figures of the guide: the chart functions' SVG files, cleaned for inlining into HTML.

Every chart is drawn by the existing functions of :mod:`cctvscope.reporting.charts`
into a temporary folder, then read back and inlined: the XML prolog, DOCTYPE and
metadata are dropped, element ids are prefixed per figure (so two figures never
share an id) and the size is scaled to fit the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from cctvscope.model.estate import Estate
from cctvscope.reporting.charts.borough import (
    WIDE_MAP_M,
    borough_map,
    borough_scale_m,
    london_overview_map,
    region_sources,
)
from cctvscope.reporting.charts.compliance import rule_share_chart
from cctvscope.reporting.charts.control_rooms import option_map
from cctvscope.reporting.charts.evidence_ops import evidence_ops_chart
from cctvscope.reporting.charts.framework import framework_savings_chart, framework_timeline_chart
from cctvscope.reporting.charts.joint import joint_coverage_map, joint_source
from cctvscope.reporting.charts.placement import placement_map
from cctvscope.reporting.charts.scenarios import scenarios_chart
from cctvscope.reporting.charts.style import print_size
from cctvscope.reporting.charts.vfm import tornado_chart
from cctvscope.reporting.guide_registry import map_coverage_note
from cctvscope.reporting.guide_text import plural
from cctvscope.workflows.economics import SENSITIVITY_METRICS
from cctvscope.workflows.evidence import JointCoverage
from cctvscope.workflows.guide import GuideInputs
from cctvscope.workflows.runs import best_option

#: Widest figure on an A4 page with the guide's margins [pt].
PAGE_WIDTH_PT = 480.0
PAGE_HEIGHT_PT = 600.0
#: Largest borough map on a profile page [pt].
PROFILE_MAP_PT = (360.0, 190.0)

_PROLOG = re.compile(r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^")]+)')
_SIZE = re.compile(r'<svg\b[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"', re.S)


@dataclass(frozen=True)
class GuideFigure:
    """One inlined figure: the SVG markup and its caption (the chart's own title is inside)."""

    key: str
    caption: str
    svg: str


def inline_svg(text: str, *, prefix: str, max_width_pt: float, max_height_pt: float) -> str:
    """SVG file text → markup for inlining: no prolog, unique ids, scaled to fit."""
    text = _METADATA.sub("", _PROLOG.sub("", text))
    text = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = _REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text)
    size = _SIZE.search(text)
    if size:
        width, height = float(size.group(1)), float(size.group(2))
        scale = min(1.0, max_width_pt / width, max_height_pt / height)
        head = size.group(0)
        new = head.replace(f'width="{size.group(1)}pt"', f'width="{width * scale:.1f}pt"')
        new = new.replace(f'height="{size.group(2)}pt"', f'height="{height * scale:.1f}pt"')
        text = text.replace(head, new, 1)
    return text.strip()


_VIEWBOX = re.compile(r'<svg\b[^>]*?width="([\d.]+)pt"[^>]*?viewBox="[\d.]+ [\d.]+ ([\d.]+) ', re.S)
_FONT = re.compile(r"font-size:\s*([\d.]+)px")


def print_font_sizes_pt(svg: str) -> list[float]:
    """The size each text of an inlined SVG prints at [pt]: its font size times the
    figure's scale (printed width over drawn width)."""
    size = _VIEWBOX.search(svg)
    scale = float(size.group(1)) / float(size.group(2)) if size else 1.0
    return [float(m.group(1)) * scale for m in _FONT.finditer(svg)]


class FigureMaker:
    """Draws charts into ``folder`` and returns them inlined, numbered in order."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def make(
        self,
        key: str,
        caption: str,
        draw: Callable[[Path], Path],
        *,
        size_pt: tuple[float, float] = (PAGE_WIDTH_PT, PAGE_HEIGHT_PT),
    ) -> GuideFigure:
        self.count += 1
        # Drawn at its printed size, so no text prints smaller than it was set.
        with print_size(*size_pt):
            path = draw(self.folder / f"{self.count:03d}_{key}.svg")
        svg = inline_svg(
            path.read_text(encoding="utf-8"),
            prefix=f"f{self.count}",
            max_width_pt=size_pt[0],
            max_height_pt=size_pt[1],
        )
        return GuideFigure(key, caption, svg)


def chapter_figures(inputs: GuideInputs, maker: FigureMaker) -> dict[str, list[GuideFigure]]:
    """Figures per chapter id (a chapter whose analysis is missing gets none)."""
    estate = inputs.estate
    title = inputs.region_title
    out: dict[str, list[GuideFigure]] = {}
    if inputs.options is not None:
        best = best_option(inputs.options)
        if best is not None:
            chosen = best
            out["control_rooms"] = [
                maker.make(
                    "control_rooms",
                    f"The best option: {plural(best.room_count, 'control room')} and the boroughs "
                    "each serves.",
                    lambda p: option_map(estate, chosen, p),
                )
            ]
    eco = inputs.economics
    # London's charts keep their note; a region's say so only with synthetic records.
    synthetic = inputs.is_london or _synthetic(estate)
    fw = None if eco is None else eco.framework
    if fw is not None:
        out["framework"] = [
            maker.make(
                "framework_savings",
                f"Saving by service category from pooling {title}'s volume.",
                lambda p: framework_savings_chart(
                    fw.savings, p, region_title=title, synthetic=synthetic
                ),
            ),
            maker.make(
                "framework_timeline",
                "When each borough's contracts end and it can join the framework.",
                lambda p: framework_timeline_chart(
                    fw.timeline,
                    p,
                    framework_start=fw.framework_start,
                    region_title=title,
                    synthetic=synthetic,
                ),
            ),
        ]
    sensitivity = None if eco is None else eco.sensitivity
    metric = None if sensitivity is None else tornado_metric(sensitivity)
    if sensitivity is not None and metric is not None:
        name, unit = metric
        out["vfm"] = [
            maker.make(
                "vfm_tornado",
                f"Which assumptions move the {name} most.",
                lambda p: tornado_chart(
                    sensitivity, name, p, unit=unit, region_title=title, synthetic=synthetic
                ),
            )
        ]
    ops = None if eco is None else eco.evidence_ops
    if ops is not None:
        out["assessment"] = [
            maker.make(
                "evidence_ops",
                "Cost to the police of obtaining council footage, by operating model.",
                lambda p: evidence_ops_chart(ops, p),
            )
        ]
    scenarios = None if eco is None else eco.scenarios
    if scenarios is not None:
        out["technology"] = [
            maker.make(
                "scenarios",
                "Technology scenarios against the baseline.",
                lambda p: scenarios_chart(scenarios, p, synthetic=synthetic),
            )
        ]
    if inputs.compliance is not None:
        outcome = inputs.compliance
        out["compliance"] = [
            maker.make(
                "compliance_rules",
                f"Share of cameras meeting each rule of {outcome.standard_label}.",
                lambda p: rule_share_chart(
                    outcome.result.london_by_rule,
                    outcome.standard_label,
                    p,
                    region_title=title,
                    # London's chart keeps its note; a region's says so only with synthetic records.
                    synthetic=inputs.is_london or _synthetic(estate),
                ),
            )
        ]
    if inputs.joint is not None:
        joint = inputs.joint
        out["integration"] = [
            maker.make(
                "joint_coverage",
                "What registered private cameras add to public coverage, and where to "
                "recruit more.",
                partial(_joint_map, inputs, joint),
            )
        ]
    coverage = None if eco is None else eco.coverage
    out.setdefault("assessment", []).insert(
        0,
        maker.make(
            "london_overview",
            "The boroughs of the estate, their cameras and control rooms"
            + ("" if coverage is None else ", and council cameras' coverage")
            + ".",
            partial(_overview_map, inputs, coverage),
        ),
    )
    for area, result in (inputs.placement or {}).items():
        out.setdefault("assessment", []).append(
            maker.make(
                f"placement_{area}",
                f"New camera sites in {area.replace('_', ' ').title()} within a "
                f"£{result.budget_gbp:,.0f} budget (an example, not advice).",
                partial(placement_map, result),
            )
        )
    return out


def profile_maps(inputs: GuideInputs, maker: FigureMaker) -> dict[str, GuideFigure]:
    """One map per borough (GSS code), with council cameras' coverage where computed."""
    estate = inputs.estate
    coverage = None if inputs.economics is None else inputs.economics.coverage
    source = None if inputs.is_london else region_sources(inputs.region_title)[1]
    out: dict[str, GuideFigure] = {}
    for code, name in zip(estate.boroughs["gss_code"], estate.boroughs["name"], strict=True):
        gss = str(code)
        out[gss] = maker.make(
            f"borough_{gss}",
            f"{name}: boundary, cameras by owner and control rooms. {map_coverage_note(inputs)}",
            partial(_borough_map, estate, gss, coverage, source),
            size_pt=PROFILE_MAP_PT,
        )
    return out


def _joint_map(inputs: GuideInputs, joint: JointCoverage, path: Path) -> Path:
    """The joint-coverage map (its note names the method; a region's names its own crime)."""
    areas = gpd.GeoDataFrame(inputs.estate.boroughs)
    if inputs.is_london:
        source = joint_source(joint.from_grid)
        return joint_coverage_map(areas, joint.by_borough, joint.candidates, path, source=source)
    width = float(areas.total_bounds[2] - areas.total_bounds[0])
    return joint_coverage_map(
        areas,
        joint.by_borough,
        joint.candidates,
        path,
        source=joint_source(joint.from_grid, f"{inputs.region_title} small-area crime"),
        synthetic=_synthetic(inputs.estate),
        scale_m=10_000.0 if width >= WIDE_MAP_M else borough_scale_m(width),
    )


def tornado_metric(sensitivity: pd.DataFrame) -> tuple[str, str] | None:
    """The first sensitivity metric whose base case is known (name, unit), or None.

    Cost per evidential export needs evidence statistics; without them the annual
    estate cost is the figure whose drivers are shown.
    """
    for name, _column, unit in SENSITIVITY_METRICS:
        base = sensitivity.loc[sensitivity["metric"] == name, "base"].astype(float)
        if len(base) and bool(np.isfinite(base.iloc[0])):
            return name, unit
    return None


def _synthetic(estate: Estate) -> bool:
    """True when any camera record is synthetic (the maps' footnote then says so)."""
    return bool((estate.cameras["provenance"].astype(str) == "synthetic").any())


def _overview_map(inputs: GuideInputs, coverage: gpd.GeoDataFrame | None, path: Path) -> Path:
    """The overview map of the estate's areas (London's exactly as before)."""
    if inputs.is_london:
        return london_overview_map(inputs.estate, path, coverage=coverage)
    return london_overview_map(
        inputs.estate,
        path,
        coverage=coverage,
        region_title=inputs.region_title,
        source=region_sources(inputs.region_title)[0],
        synthetic=_synthetic(inputs.estate),
    )


def _borough_map(
    estate: Estate,
    gss_code: str,
    coverage: gpd.GeoDataFrame | None,
    source: str | None,
    path: Path,
) -> Path:
    if source is None:
        return borough_map(estate, gss_code, path, coverage=coverage)
    return borough_map(
        estate, gss_code, path, coverage=coverage, source=source, synthetic=_synthetic(estate)
    )
