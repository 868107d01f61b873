"""Coverage of an estate against its region's areas, crime and building footprints.

London's inputs are the bundled ones (LSOA crime, the MPS burglary points and the City
of London Police's points of every type, footprints of two central areas); another
region's are its stored layers. Where the region has no crime layer the crime columns
are left out of the results (never zeros).
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cctvscope.coverage.detail import assumed_ptz_tasked_hfov_deg, assumed_usable_range_m
from cctvscope.coverage.engine import (
    CoverageInputs,
    CoverageOptions,
    CoverageResult,
    compute_coverage,
)
from cctvscope.coverage.tiles import ProgressFn
from cctvscope.errors import DataError
from cctvscope.ingest.london import (
    MPS_MAJOR_CATEGORIES,
    OSM_AREAS,
    read_boroughs,
    read_lsoa_crime,
    read_osm_buildings,
    read_street_crime,
)
from cctvscope.model.assumptions import Assumptions, read_assumptions
from cctvscope.model.estate import Estate
from cctvscope.workflows.region_inputs import (
    Layer,
    RegionInputs,
    london_or_given,
    missing_layer_message,
)

#: Summary and grid columns computed from crime points, and from small-area crime.
POINT_CRIME_COLUMNS = ("crime_points", "crime_points_covered", "crime_points_share")
AREA_CRIME_COLUMNS = ("lsoa_crime", "lsoa_crime_covered", "lsoa_crime_share")


def london_coverage_inputs(*, buildings: bool = True) -> CoverageInputs:
    """LSOAs with recorded crime, boroughs, street crime points and OSM footprints.

    Footprints are bundled for two central-London areas only (Covent Garden and
    Clerkenwell): cameras elsewhere are not occluded, which overstates what they see.
    """
    footprints = None
    if buildings:
        parts = [read_osm_buildings(area) for area in OSM_AREAS]
        footprints = gpd.GeoSeries(
            pd.concat([p.geometry for p in parts], ignore_index=True), crs=parts[0].crs
        )
    points = read_street_crime()
    return CoverageInputs(
        lsoas=read_lsoa_crime(),
        boroughs=read_boroughs(),
        crime_points=points.geometry,
        buildings=footprints,
        crime_types=points["crime_type"],
        crime_categories=MPS_MAJOR_CATEGORIES,
    )


def region_coverage_inputs(
    region: RegionInputs, boroughs: gpd.GeoDataFrame, *, buildings: bool = True
) -> CoverageInputs:
    """Coverage inputs of a region: its small areas (or ``boroughs``), crime and footprints.

    London gives :func:`london_coverage_inputs`' data (bundled boroughs included).
    Elsewhere the zones are the small areas (each in its area), or the estate's
    ``boroughs`` themselves when the region has none; without a crime layer there
    are no crime points and no small-area crime.
    """
    lsoas = region.lsoa_crime()
    if lsoas is None and region.small_areas is not None:
        lsoas = region.small_areas.rename(
            columns={"code": "lsoa_code", "name": "lsoa_name", "area_code": "borough_code"}
        ).drop(columns=["crimes"])
    if lsoas is None:
        lsoas = gpd.GeoDataFrame(
            {
                "lsoa_code": boroughs["gss_code"].astype(str).to_numpy(),
                "lsoa_name": boroughs["name"].astype(str).to_numpy(),
                "borough_code": boroughs["gss_code"].astype(str).to_numpy(),
            },
            geometry=boroughs.geometry.to_numpy(),
            crs=boroughs.crs,
        )
    points = region.crime_geometry()
    footprints = None
    if buildings and region.buildings is not None:
        footprints = gpd.GeoSeries(region.buildings.geometry.to_numpy(), crs=region.buildings.crs)
    return CoverageInputs(
        lsoas=lsoas,
        boroughs=read_boroughs() if region.is_london else boroughs,
        crime_points=(
            gpd.GeoSeries(points.geometry.to_numpy(), crs=points.crs)
            if points is not None
            else gpd.GeoSeries(shapely.points(np.empty((0, 2))), crs=boroughs.crs)
        ),
        buildings=footprints,
        region_name=region.title,
        crime_types=points["crime_type"] if points is not None else None,
        # London's LSOA crime is by MPS category; a region's small areas hold totals only.
        crime_categories=MPS_MAJOR_CATEGORIES if region.is_london else {},
    )


def unknown_crime_columns(region: RegionInputs) -> list[str]:
    """Summary columns the region's layers cannot give: crime points', small-area crime's."""
    drop: list[str] = []
    if region.crime_points is None:
        drop += POINT_CRIME_COLUMNS
    if region.lsoa_crime() is None:
        drop += AREA_CRIME_COLUMNS
    return drop


def with_assumed_reach(
    options: CoverageOptions, assumptions: Assumptions | None
) -> CoverageOptions:
    """``options`` with the assumptions' usable range and PTZ tasked angle where not set."""
    if options.usable_range_m is not None and options.ptz_tasked_hfov_deg is not None:
        return options
    a = assumptions or read_assumptions()
    return replace(
        options,
        usable_range_m=options.usable_range_m or assumed_usable_range_m(a),
        ptz_tasked_hfov_deg=options.ptz_tasked_hfov_deg or assumed_ptz_tasked_hfov_deg(a),
    )


def without_unknown_crime(result: CoverageResult, region: RegionInputs) -> CoverageResult:
    """``result`` with the crime columns the region cannot give dropped (not left as zeros).

    No crime points: the point counts and shares go, and there are no gaps (a gap is
    a square of high crime); no small-area crime: the LSOA crime columns go.
    """
    drop = unknown_crime_columns(region)
    if not drop:
        return result
    grid_drop = [c for c in result.grid.columns if c.startswith("crime_points")]
    gaps = result.gaps.iloc[0:0] if region.crime_points is None else result.gaps
    return replace(
        result,
        crime_by_type=result.crime_by_type.iloc[0:0]
        if region.crime_points is None
        else result.crime_by_type,
        summary=result.summary.drop(columns=[c for c in drop if c in result.summary]),
        grid=result.grid.drop(columns=grid_drop if region.crime_points is None else []),
        gaps=gaps.drop(columns=[c for c in (*grid_drop, "crimes") if c in gaps.columns])
        if region.crime_points is None
        else gaps,
    )


def run_coverage(
    estate: Estate,
    options: CoverageOptions | None = None,
    *,
    inputs: CoverageInputs | None = None,
    region: RegionInputs | None = None,
    assumptions: Assumptions | None = None,
    on_progress: ProgressFn | None = None,
) -> CoverageResult:
    """Coverage of every camera of ``estate`` (active or not: the estate as recorded).

    Without an explicit ``options.usable_range_m`` reach is capped at the assumptions'
    ``coverage.usable_range_m`` (default: the bundled assumptions file), and without
    ``options.ptz_tasked_hfov_deg`` PTZ cameras are credited at the assumptions'
    ``coverage.ptz_tasked_hfov_deg``. The areas,
    crime and footprints are ``inputs`` when given, else the estate's ``region``
    (:func:`~cctvscope.workflows.region_inputs.region_inputs`; London's bundled data
    for a London estate when omitted).

    Raises
    ------
    DataError
        When the estate has no cameras.
    """
    if estate.cameras.empty:
        raise DataError(
            f"estate {estate.name!r} has no cameras: import them with "
            f"`cctvscope import cameras FILE --estate {estate.name}`"
        )
    options = with_assumed_reach(options or CoverageOptions(), assumptions)
    if inputs is not None:
        return compute_coverage(estate.cameras, inputs, options, on_progress=on_progress)
    region = london_or_given(estate, region)
    result = compute_coverage(
        estate.cameras,
        region_coverage_inputs(region, estate.boroughs),
        options,
        on_progress=on_progress,
    )
    return without_unknown_crime(result, region)


def coverage_lacks(region: RegionInputs) -> tuple[str, ...]:
    """The missing-layer sentences of coverage on ``region``, each with what it means."""
    effects = {
        Layer.CRIME: " (crime in coverage and gaps are not computed)",
        Layer.BUILDINGS: " (cameras are not occluded by buildings, which overstates what they see)",
    }
    return tuple(
        missing_layer_message(region.title, layer) + effect
        for layer, effect in effects.items()
        if layer.value in region.missing
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
