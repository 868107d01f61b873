"""Options workflows: shared control rooms, monitoring allocation, camera placement."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from cctvscope.ingest import london
from cctvscope.model.assumptions import Assumptions, read_assumptions
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


def run_control_room_options(
    estate: Estate,
    *,
    assumptions: Assumptions | None = None,
    room_counts: Iterable[int] | None = None,
    settings: ControlRoomOptions | None = None,
) -> OptionsResult:
    """The status quo and one consolidation option per number of rooms (default 1..N).

    Candidate hub sites and MPS sites come from the bundled MOPAC police-station list.
    """
    return consolidation_options(
        estate,
        assumptions or read_assumptions(),
        stations=london.read_police_stations(),
        room_counts=None if room_counts is None else list(room_counts),
        settings=settings,
    )


def run_monitoring(estate: Estate, *, assumptions: Assumptions | None = None) -> pd.DataFrame:
    """Per council control room: optimised monitoring vs random cameras vs the status quo.

    Camera risk is the bundled LSOA crime (latest year) each camera's coverage sees.
    """
    return monitoring_london(
        estate, assumptions or read_assumptions(), lsoa_crime=london.read_lsoa_crime()
    )


def run_placement(
    estate: Estate,
    *,
    areas: Iterable[str] = ("covent_garden",),
    budget_gbp: float,
    assumptions: Assumptions | None = None,
) -> dict[str, PlacementResult]:
    """New camera sites in each bundled OSM area, maximising crime-weighted Recognise coverage.

    Each area's streets and building footprints are the bundled OSM extracts; demand
    is the bundled burglary points.
    """
    a = assumptions or read_assumptions()
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


def detected_incidents_by_borough(estate: Estate, monitoring: pd.DataFrame) -> pd.Series:
    """Expected incidents detected per year by each borough's monitored cameras (status quo).

    A room's status-quo detections are shared among the boroughs it serves in proportion
    to the council cameras each has in the room (the monitoring model does not split a
    room's rota by borough). Value for money describes today's estate, hence the status
    quo rather than the optimised rota.
    """
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
