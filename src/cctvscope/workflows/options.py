"""Options workflows: shared control rooms, monitoring allocation, camera placement."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from cctvscope.crs import BNG
from cctvscope.errors import DataError, Finding, InputError
from cctvscope.ingest import london
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.enums import OwnerType
from cctvscope.model.estate import Estate
from cctvscope.optimisation.control_rooms import (
    ControlRoomOptions,
    OptionsResult,
    consolidation_options,
)
from cctvscope.optimisation.monitoring_estate import monitoring_london
from cctvscope.optimisation.placement import PlacementResult, place_cameras
from cctvscope.optimisation.placement_inputs import DemandMethod
from cctvscope.workflows.dates import current_assumptions
from cctvscope.workflows.readiness import (
    PLACEMENT_ITEMS,
    Need,
    cost_profile_choice,
    items_message,
    lacking_items,
    missing_tables,
    need_message,
    with_cost_profile,
)
from cctvscope.workflows.region_inputs import (
    Layer,
    RegionInputs,
    london_or_given,
    missing_layer_message,
)

#: Estate tables each options analysis needs.
CONTROL_ROOM_NEEDS = (Need.COST_ITEMS, Need.CONTROL_ROOMS, Need.MONITORED_CAMERAS)
MONITORING_NEEDS = CONTROL_ROOM_NEEDS
PLACEMENT_NEEDS = (Need.COST_ITEMS,)


def options_gaps(
    estate: Estate,
    region: RegionInputs,
    needs: tuple[Need, ...],
    layers: tuple[Layer, ...],
) -> tuple[str, ...]:
    """The missing-input sentences for an options analysis (empty when it can run)."""
    out = [need_message(region.title, n, estate.name) for n in missing_tables(estate, needs)]
    out += [missing_layer_message(region.title, lay) for lay in layers if lay in region.missing]
    return tuple(out)


def control_room_gaps(estate: Estate, region: RegionInputs) -> tuple[str, ...]:
    """What control-room options lack: cost items, rooms, monitored cameras, police stations."""
    return options_gaps(estate, region, CONTROL_ROOM_NEEDS, (Layer.POLICE_STATIONS,))


def monitoring_gaps(estate: Estate, region: RegionInputs) -> tuple[str, ...]:
    """What monitoring lacks: cost items, rooms, monitored cameras, small-area crime."""
    gaps = options_gaps(estate, region, MONITORING_NEEDS, ())
    if region.lsoa_crime() is None:
        gaps += (missing_layer_message(region.title, Layer.CRIME),)
    return gaps


def placement_gaps(estate: Estate, region: RegionInputs) -> tuple[str, ...]:
    """What placement lacks: a cost profile, the crime layer, the streets (candidate sites)."""
    gaps = options_gaps(estate, region, PLACEMENT_NEEDS, (Layer.CRIME, Layer.STREETS))
    profile = cost_profile_choice(estate).profile
    lacking = () if profile is None else lacking_items(estate, profile, PLACEMENT_ITEMS)
    if profile is not None and lacking:
        gaps += (items_message(region.title, profile, lacking, estate.name),)
    return gaps


def _costed(estate: Estate) -> Estate:
    """The estate on its chosen cost profile (see :func:`cost_profile_choice`)."""
    profile = cost_profile_choice(estate).profile
    if profile is None:
        raise DataError(f"estate {estate.name!r} holds no cost profile")
    return with_cost_profile(estate, profile)


def run_control_room_options(
    estate: Estate,
    *,
    assumptions: Assumptions | None = None,
    room_counts: Iterable[int] | None = None,
    settings: ControlRoomOptions | None = None,
    region: RegionInputs | None = None,
) -> OptionsResult:
    """The status quo and one consolidation option per number of rooms (default 1..N).

    Candidate hub sites come from the region's police stations (London: the bundled
    MOPAC list). Check :func:`control_room_gaps` first.
    """
    region = london_or_given(estate, region)
    if region.police_stations is None:
        raise DataError(missing_layer_message(region.title, Layer.POLICE_STATIONS))
    return consolidation_options(
        _costed(estate),
        assumptions or current_assumptions(),
        stations=region.police_stations,
        room_counts=None if room_counts is None else list(room_counts),
        settings=settings,
    )


def run_monitoring(
    estate: Estate,
    *,
    assumptions: Assumptions | None = None,
    region: RegionInputs | None = None,
) -> pd.DataFrame:
    """Per council control room: optimised monitoring vs random cameras vs the status quo.

    Camera risk is the region's small-area crime each camera's coverage sees (London:
    the bundled LSOA crime, latest year). Check :func:`monitoring_gaps` first.
    """
    region = london_or_given(estate, region)
    lsoas = region.lsoa_crime()
    if lsoas is None:
        raise DataError(missing_layer_message(region.title, Layer.CRIME))
    return monitoring_london(estate, assumptions or current_assumptions(), lsoa_crime=lsoas)


def run_placement(
    estate: Estate,
    *,
    areas: Iterable[str] = ("covent_garden",),
    budget_gbp: float,
    assumptions: Assumptions | None = None,
) -> dict[str, PlacementResult]:
    """New camera sites in each bundled London OSM area, maximising crime-weighted coverage.

    Each area's streets and building footprints are the bundled OSM extracts; demand
    is the bundled burglary points. For any other area use :func:`run_area_placement`.
    """
    a = assumptions or current_assumptions()
    burglary = london.read_burglary_points()
    return {
        area: place_cameras(
            estate,
            area,
            streets=london.read_osm_streets(area),
            crime=burglary,
            buildings=london.read_osm_buildings(area),
            budget_gbp=budget_gbp,
            assumptions=a,
            cost_profile=london.DEFAULT_COST_PROFILE,
            demand_method=DemandMethod.BURGLARY_POINTS,
        )
        for area in areas
    }


def read_area(path: Path) -> shapely.Geometry:
    """The study area of a placement: the union of a polygon file's features (any CRS).

    Raises
    ------
    InputError
        When the file cannot be read or holds no polygon.
    """
    try:
        frame = gpd.read_file(path)
    except Exception as exc:
        reason = f"cannot read {path.name}: {exc}"
        raise InputError(reason, [Finding("error", None, "area", path.name, reason)]) from exc
    polygons = frame[frame.geometry.notna() & frame.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polygons.empty or frame.crs is None:
        reason = f"{path.name} holds no polygon with a CRS"
        raise InputError(reason, [Finding("error", None, "area", path.name, reason)])
    return shapely.union_all(polygons.to_crs(BNG).geometry.to_numpy())


def run_area_placement(
    estate: Estate,
    area: shapely.Geometry,
    *,
    name: str,
    budget_gbp: float,
    region: RegionInputs,
    assumptions: Assumptions | None = None,
) -> PlacementResult:
    """New camera sites inside ``area`` (EPSG:27700) of any region, within a budget.

    Candidates lie on the region's streets inside the area; demand is the region's
    crime points; its building footprints block sight lines (none: no occlusion).
    Check :func:`placement_gaps` first.
    """
    crime = region.crime_geometry()
    if crime is None or region.streets is None:
        gaps = [lay for lay in (Layer.CRIME, Layer.STREETS) if lay.value in region.missing]
        raise DataError("; ".join(missing_layer_message(region.title, g) for g in gaps))
    streets = region.streets.clip(area)
    streets = streets[~streets.geometry.is_empty]
    if streets.empty:
        raise DataError(f"no {region.title} streets inside the area {name!r}")
    buildings = None
    if region.buildings is not None:
        buildings = region.buildings.clip(area)
    costed = _costed(estate)
    return place_cameras(
        costed,
        name,
        streets=streets,
        crime=crime.clip(area),
        buildings=buildings if buildings is not None and len(buildings) else None,
        budget_gbp=budget_gbp,
        assumptions=assumptions or current_assumptions(),
        cost_profile=str(costed.boroughs["cost_profile"].iloc[0]),
        demand_method=DemandMethod.BURGLARY_POINTS,
    )


def detected_incidents_by_borough(estate: Estate, monitoring: pd.DataFrame) -> pd.Series | None:
    """Expected incidents detected per year by each borough's monitored cameras (status quo).

    A room's status-quo detections are shared among the boroughs it serves in proportion
    to the council cameras each has in the room (the monitoring model does not split a
    room's rota by borough). Value for money describes today's estate, hence the status
    quo rather than the optimised rota. None when no room was modelled.
    """
    if monitoring.empty:
        return None
    cams = estate.cameras[
        (estate.cameras["owner_type"] == OwnerType.COUNCIL.value)
        & estate.cameras["control_room_id"].notna()
    ]
    counts = cams.groupby(["control_room_id", "borough_code"]).size()
    shares = counts / counts.groupby(level=0).transform("sum")
    detections: Mapping[str, float] = dict(
        zip(monitoring["room_id"], monitoring["detections_per_year_status_quo"], strict=True)
    )
    per_borough = shares.mul(
        pd.Series(detections).reindex(shares.index.get_level_values(0)).to_numpy()
    )
    codes = estate.boroughs["gss_code"]
    out: pd.Series = per_borough.groupby(level=1).sum().reindex(codes, fill_value=0.0)
    return out.astype(float)
