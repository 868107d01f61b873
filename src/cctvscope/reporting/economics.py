"""Files of the economics analyses: CSV tables and SVG charts, one call."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cctvscope.reporting.charts.evidence_ops import evidence_ops_chart
from cctvscope.reporting.charts.framework import framework_savings_chart, framework_timeline_chart
from cctvscope.reporting.charts.scenarios import scenarios_chart
from cctvscope.reporting.charts.vfm import tornado_chart
from cctvscope.reporting.safe_csv import write_csv
from cctvscope.workflows.economics import SENSITIVITY_METRICS, EconomicsParts, EconomicsResult


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    write_csv(frame, path, float_format="%.6g")
    return path


def write_economics(result: EconomicsResult | EconomicsParts, out_dir: Path) -> list[Path]:
    """Write every economics table and chart computed into ``out_dir``; return the paths.

    Files: ``vfm.csv``, ``vfm_sensitivity.csv``, ``vfm_tornado.svg`` (with a cost
    profile), ``framework.csv``, ``framework_timeline.csv``, ``framework_timeline.svg``,
    ``framework_savings.svg`` (with contracts), ``evidence_ops.csv``, ``evidence_ops.svg``
    (with evidence statistics), ``scenarios.csv``, ``scenarios_npv.csv``,
    ``scenarios.svg`` (with a cost profile). A part not computed writes no file.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    name, _column, unit = SENSITIVITY_METRICS[0]
    paths: list[Path] = []
    if result.vfm is not None:
        paths.append(_csv(result.vfm, out_dir / "vfm.csv"))
    if result.sensitivity is not None:
        paths += [
            _csv(result.sensitivity, out_dir / "vfm_sensitivity.csv"),
            tornado_chart(
                result.sensitivity,
                name,
                out_dir / "vfm_tornado.svg",
                unit=unit,
                region_title=result.region_title,
            ),
        ]
    framework = result.framework
    if framework is not None:
        paths += [
            _csv(framework.table(), out_dir / "framework.csv"),
            _csv(framework.timeline, out_dir / "framework_timeline.csv"),
            framework_timeline_chart(
                framework.timeline,
                out_dir / "framework_timeline.svg",
                framework_start=framework.framework_start,
            ),
            framework_savings_chart(framework.savings, out_dir / "framework_savings.svg"),
        ]
    if result.evidence_ops is not None:
        paths += [
            _csv(result.evidence_ops, out_dir / "evidence_ops.csv"),
            evidence_ops_chart(result.evidence_ops, out_dir / "evidence_ops.svg"),
        ]
    if result.scenarios is not None:
        npv = pd.DataFrame(
            {
                "scenario": list(result.scenarios.npv_vs_baseline_gbp),
                "npv_vs_baseline_gbp": list(result.scenarios.npv_vs_baseline_gbp.values()),
            }
        )
        paths += [
            _csv(result.scenarios.table, out_dir / "scenarios.csv"),
            _csv(npv, out_dir / "scenarios_npv.csv"),
            scenarios_chart(result.scenarios, out_dir / "scenarios.svg"),
        ]
    return paths
