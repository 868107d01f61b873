"""Coverage outputs: ``coverage.gpkg`` (wedges, visibility, unions, grid, gaps) and CSVs."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from cctvscope.coverage.engine import CoverageResult
from cctvscope.coverage.wedges import wedges_by_level
from cctvscope.model.provenance import COVERAGE_ATTRIBUTES, real_value_shares
from cctvscope.reporting.safe_csv import write_csv
from cctvscope.workflows.results import OutputFile

#: Vertices per arc of the wedges written (display; areas come from the engine).
WEDGE_ARC_VERTICES = 12
#: Simplification tolerance of the visibility polygons written [m].
VISIBILITY_TOLERANCE_M = 0.5


def _real_input_shares(summary: pd.DataFrame, cameras: pd.DataFrame) -> pd.Series:
    """Per summary row: share of the coverage inputs of its cameras that are real.

    Borough rows take their cameras, the region row all cameras; small-area rows are
    left empty (cameras are not placed in small areas here).
    """
    cams = pd.DataFrame(cameras)
    by_borough = real_value_shares(cams, cams["borough_code"], COVERAGE_ATTRIBUTES)
    overall = real_value_shares(cams, pd.Series("all", index=cams.index), COVERAGE_ATTRIBUTES)
    region = float(overall.iloc[0]) if len(overall) else float("nan")
    return real_input_share_column(summary, by_borough, region)


def real_input_share_column(
    summary: pd.DataFrame, by_borough: pd.Series, region: float
) -> pd.Series:
    """Per summary row: its borough's share of real inputs (``by_borough``, by code), the
    region rows ``region``, small-area rows empty."""
    shares = summary["area_code"].map(by_borough).astype(float)
    is_region = summary["area_type"].astype(str).isin(["london", "region"])
    return shares.where(~is_region, region).round(4)


def write_coverage_files(
    result: CoverageResult, cameras: pd.DataFrame, out: Path
) -> dict[str, Path]:
    """Write ``coverage.gpkg`` and ``coverage_summary.csv`` (+ gaps, cameras, crime-type CSVs)."""
    out.mkdir(parents=True, exist_ok=True)
    gpkg = out / "coverage.gpkg"
    if gpkg.exists():
        gpkg.unlink()
    levels = list(result.options.levels)
    wedges = wedges_by_level(
        cameras, levels, result.cameras["reach_m"].max(), arc_vertices=WEDGE_ARC_VERTICES
    )
    reach = result.cameras.set_index(["camera_id", "level"])["reach_m"]
    wedges["reach_m"] = reach.reindex(
        pd.MultiIndex.from_arrays([wedges["camera_id"], wedges["level"]])
    ).to_numpy()
    _write(wedges, gpkg, "wedges")
    if not result.visibility.empty:
        vis = result.visibility.copy()
        vis["geometry"] = shapely.simplify(vis.geometry.to_numpy(), VISIBILITY_TOLERANCE_M)
        _write(vis, gpkg, "visibility")
    _write(result.unions, gpkg, "coverage_union")
    _write(result.grid, gpkg, "grid")
    _write(result.gaps, gpkg, "gaps")
    summary = out / "coverage_summary.csv"
    frame = result.summary.copy()
    frame["synthetic_share_of_cameras"] = round(result.synthetic_share, 4)
    frame["share_real_inputs"] = _real_input_shares(frame, cameras)
    write_csv(frame, summary, float_format="%.6g")
    gaps_csv = out / "coverage_gaps.csv"
    write_csv(result.gaps.drop(columns="geometry"), gaps_csv)
    cams_csv = out / "coverage_cameras.csv"
    write_csv(result.cameras, cams_csv, float_format="%.4g")
    paths = {"gpkg": gpkg, "summary": summary, "gaps": gaps_csv, "cameras": cams_csv}
    if not result.crime_by_type.empty:
        # Crime in coverage by police.uk type: which types each area's figure counts.
        paths["crime_types"] = out / OutputFile.COVERAGE_CRIME_TYPES
        write_csv(result.crime_by_type, paths["crime_types"], float_format="%.6g")
    if not result.lsoa_crime_by_category.empty:
        # Small-area recorded crime in coverage by category (London: MPS major categories).
        paths["crime_categories"] = out / OutputFile.COVERAGE_CRIME_CATEGORIES
        write_csv(result.lsoa_crime_by_category, paths["crime_categories"], float_format="%.6g")
    return paths


def _write(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
