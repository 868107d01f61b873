"""Files of the compliance analysis: per camera, per borough and rule, per room, the plan."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cctvscope.reporting.charts.compliance import rule_share_chart
from cctvscope.reporting.safe_csv import write_csv
from cctvscope.workflows.compliance import ComplianceOutcome


def _csv(frame: pd.DataFrame, path: Path, standard_label: str) -> Path:
    """Write a table with the standard's label as its first column (reports say the version)."""
    out = frame.copy()
    out.insert(0, "standard", standard_label)
    write_csv(out, path, float_format="%.6g")
    return path


def write_compliance(outcome: ComplianceOutcome, out_dir: Path) -> list[Path]:
    """Write ``compliance.csv`` (one row per camera), ``compliance_summary.csv`` (per borough
    and rule, with a LONDON row per rule), ``compliance_boroughs.csv`` (share compliant with
    the Code of Practice self-assessment beside it), ``compliance_rooms.csv``,
    ``compliance_input_basis.csv`` (per borough and LONDON: records by provenance, cameras
    decided or unknown, share of real inputs), ``fix_options.csv``, ``upgrade_plan.csv``
    and ``compliance_rules.svg``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    label = outcome.standard_label
    result = outcome.result
    return [
        _csv(result.cameras, out_dir / "compliance.csv", label),
        _csv(result.by_borough_rule, out_dir / "compliance_summary.csv", label),
        _csv(outcome.boroughs, out_dir / "compliance_boroughs.csv", label),
        _csv(result.by_room, out_dir / "compliance_rooms.csv", label),
        _csv(result.input_basis, out_dir / "compliance_input_basis.csv", label),
        _csv(outcome.options, out_dir / "fix_options.csv", label),
        _csv(outcome.plan, out_dir / "upgrade_plan.csv", label),
        rule_share_chart(
            result.london_by_rule,
            label,
            out_dir / "compliance_rules.svg",
            region_title=outcome.region_title,
        ),
    ]
