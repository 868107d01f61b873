"""Files of the public/private integration and the demo's worked evidence request."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from cctvscope.reporting.charts.joint import joint_coverage_map, joint_source
from cctvscope.reporting.safe_csv import write_csv
from cctvscope.workflows.evidence import JointCoverage, WorkedExample


def write_joint_coverage(
    joint: JointCoverage, boroughs: gpd.GeoDataFrame, out_dir: Path
) -> list[Path]:
    """``joint_coverage.csv`` (per borough and level), ``joint_coverage_london.csv``,
    ``private_recruitment.csv`` (top cells) and ``joint_coverage.svg`` (map)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [
        out_dir / n
        for n in ("joint_coverage.csv", "joint_coverage_london.csv", "private_recruitment.csv")
    ]
    write_csv(
        pd.DataFrame(joint.by_borough.drop(columns="geometry")), paths[0], float_format="%.6g"
    )
    write_csv(joint.london, paths[1], float_format="%.6g")
    cells = pd.DataFrame(joint.candidates.drop(columns="geometry"))
    cells["x_m"] = joint.candidates.geometry.centroid.x.to_numpy()
    cells["y_m"] = joint.candidates.geometry.centroid.y.to_numpy()
    write_csv(cells, paths[2], float_format="%.6g")
    paths.append(
        joint_coverage_map(
            boroughs,
            joint.by_borough,
            joint.candidates,
            out_dir / "joint_coverage.svg",
            source=joint_source(joint.from_grid),
        )
    )
    return paths


def write_worked_example(example: WorkedExample, out_dir: Path) -> list[Path]:
    """``evidence_example.csv``: one row per request of the worked example (synthetic)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "request_id": r.id,
            "holder": r.holder,
            "owner_type": r.owner_type,
            "borough_code": r.borough_code,
            "cameras": ";".join(c.camera_id for c in r.cameras),
            "state": r.state,
            "outside_retention": r.outside_retention,
            "requested_at": r.requested_at.isoformat(),
            "supplied_at": r.supplied_at.isoformat() if r.supplied_at else "",
            "time_to_evidence_h": r.time_to_evidence_h,
            "provenance": "synthetic worked example",
        }
        for r in example.requests
    ]
    path = out_dir / "evidence_example.csv"
    write_csv(pd.DataFrame(rows), path)
    return [path] + ([example.package] if example.package else [])
