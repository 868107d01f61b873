"""Coverage of an estate against London's areas, crime and the bundled building footprints."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pandas as pd

from cctvscope.coverage.detail import assumed_usable_range_m
from cctvscope.coverage.engine import (
    CoverageInputs,
    CoverageOptions,
    CoverageResult,
    compute_coverage,
)
from cctvscope.coverage.tiles import ProgressFn
from cctvscope.ingest.london import (
    OSM_AREAS,
    read_boroughs,
    read_burglary_points,
    read_lsoa_crime,
    read_osm_buildings,
)
from cctvscope.model.assumptions import Assumptions, read_assumptions
from cctvscope.model.estate import Estate


def london_coverage_inputs(*, buildings: bool = True) -> CoverageInputs:
    """LSOAs with recorded crime, boroughs, burglary street points and OSM footprints.

    Footprints are bundled for two central-London areas only (Covent Garden and
    Clerkenwell): cameras elsewhere are not occluded, which overstates what they see.
    """
    footprints = None
    if buildings:
        parts = [read_osm_buildings(area) for area in OSM_AREAS]
        footprints = gpd.GeoSeries(
            pd.concat([p.geometry for p in parts], ignore_index=True), crs=parts[0].crs
        )
    return CoverageInputs(
        lsoas=read_lsoa_crime(),
        boroughs=read_boroughs(),
        crime_points=read_burglary_points().geometry,
        buildings=footprints,
    )


def run_coverage(
    estate: Estate,
    options: CoverageOptions | None = None,
    *,
    inputs: CoverageInputs | None = None,
    assumptions: Assumptions | None = None,
    on_progress: ProgressFn | None = None,
) -> CoverageResult:
    """Coverage of every camera of ``estate`` (active or not: the estate as recorded).

    Without an explicit ``options.usable_range_m`` reach is capped at the assumptions'
    ``coverage.usable_range_m`` (default: the bundled assumptions file).
    """
    options = options or CoverageOptions()
    if options.usable_range_m is None:
        cap = assumed_usable_range_m(assumptions or read_assumptions())
        options = replace(options, usable_range_m=cap)
    return compute_coverage(
        estate.cameras,
        inputs if inputs is not None else london_coverage_inputs(),
        options,
        on_progress=on_progress,
    )


def crime_weighted_table(result: CoverageResult, level: str = "recognise") -> pd.DataFrame:
    """Per borough at one level: covered km², crime-point and LSOA-crime shares in coverage."""
    s = result.summary
    rows = s[(s["area_type"] == "borough") & (s["level"] == level)]
    return rows.set_index("area_code")[
        [
            "area_name",
            "covered_km2",
            "joint_km2",
            "crime_points",
            "crime_points_share",
            "lsoa_crime_share",
        ]
    ].sort_values("crime_points_share", ascending=False)
