"""Monitoring allocation on an estate: camera risk from coverage and crime, room and London runs.

A camera's risk is the recorded crime its coverage sees: the camera's wedge at
the ``optimisation_monitoring.risk_detail_level`` (Detect by default, capped at
``coverage.usable_range_m``) intersected with LSOA crime spread evenly over each
LSOA's area (as :func:`cctvscope.coverage.aggregate.crimes_in_coverage` does for
borough unions), then spread over the day by ``crime_share_by_hour``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cctvscope.coverage.detail import DetailLevel
from cctvscope.coverage.wedges import wedges_by_level
from cctvscope.errors import DataError
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.enums import CameraStatus, RoomOperator
from cctvscope.model.estate import Estate
from cctvscope.model.prices import PriceBase, unit_costs_gbp
from cctvscope.optimisation.detection_fits import detection_at_from_assumptions
from cctvscope.optimisation.monitoring import (
    SECTION,
    MonitoringPlan,
    Staffing,
    crime_share_by_hour,
    curve_from_assumptions,
    hourly_risk,
    plan_monitoring,
    status_quo,
    status_quo_staffed_hours,
)

ROOMS_KEY = "synthetic_control_rooms"


def camera_crimes_seen(
    cameras: pd.DataFrame,
    lsoa_crime: gpd.GeoDataFrame,
    level: DetailLevel = DetailLevel.DETECT,
    usable_range_m: float | None = None,
    arc_vertices: int = 16,
) -> pd.Series:
    r"""Recorded crime per year inside each camera's wedge at one detail level.

    :math:`C_c = \sum_l T_l \cdot |W_c \cap L_l| / |L_l|` over LSOAs :math:`l`
    with crime total :math:`T_l` [crimes/yr] and polygon :math:`L_l`; :math:`W_c`
    is the camera's wedge. Pairs are found with an STR-tree and intersected in
    one vectorised shapely call. Indexed by ``camera_id`` [crimes/yr].
    """
    wedges = wedges_by_level(cameras, (level,), usable_range_m, arc_vertices)
    geoms = wedges.geometry.to_numpy()
    lsoa_geoms = lsoa_crime.geometry.to_numpy()
    tree = shapely.STRtree(lsoa_geoms)
    i_cam, i_lsoa = tree.query(geoms, predicate="intersects")
    shares = shapely.area(shapely.intersection(geoms[i_cam], lsoa_geoms[i_lsoa])) / shapely.area(
        lsoa_geoms[i_lsoa]
    )
    totals = lsoa_crime["total"].to_numpy(dtype=np.float64)[i_lsoa]
    seen = np.bincount(i_cam, weights=totals * shares, minlength=len(geoms))
    return pd.Series(
        seen, index=pd.Index(wedges["camera_id"].to_numpy(), name="camera_id"), name="crimes_seen"
    )


def staffing_from(estate: Estate, assumptions: Assumptions) -> Staffing:
    """Operator cost (estate cost item ``operator_fte``) and FTE hours from the assumptions."""
    profiles = estate.cost_items["profile"].astype(str).unique()
    if profiles.size == 0:
        raise DataError(f"estate {estate.name!r} has no cost items")
    costs = unit_costs_gbp(
        estate.cost_items, str(profiles[0]), PriceBase.from_assumptions(assumptions)
    )
    if "operator_fte" not in costs.index:
        raise DataError(f"estate {estate.name!r}: no operator_fte cost item")
    return Staffing(
        operator_fte_gbp=float(costs["operator_fte"]),
        fte_hours_per_week=float(assumptions.value(f"{ROOMS_KEY}.fte_hours_per_week")),
        abstraction_share=float(assumptions.value(f"{ROOMS_KEY}.abstraction_share")),
    )


def _room_cameras(estate: Estate, room_id: str) -> pd.DataFrame:
    cams = estate.cameras
    mask = (cams["control_room_id"] == room_id) & (
        cams["status"].astype(str) == CameraStatus.OPERATIONAL.value
    )
    out: pd.DataFrame = cams[mask]
    return out


def _level(assumptions: Assumptions) -> DetailLevel:
    label = str(assumptions.value(f"{SECTION}.risk_detail_level")).upper()
    return DetailLevel[label]


def estate_crimes_seen(
    estate: Estate, assumptions: Assumptions, lsoa_crime: gpd.GeoDataFrame
) -> pd.Series:
    """Crime seen per year by every operational, room-monitored camera [crimes/yr].

    ``lsoa_crime``: LSOA polygons with yearly ``total`` crime (e.g.
    ``london.read_lsoa_crime()``).
    """
    cams = estate.cameras
    cams = cams[
        cams["control_room_id"].notna()
        & (cams["status"].astype(str) == CameraStatus.OPERATIONAL.value)
    ]
    usable = float(assumptions.value("coverage.usable_range_m"))
    return camera_crimes_seen(cams, lsoa_crime, _level(assumptions), usable)


def monitoring_for_room(
    estate: Estate,
    room_id: str,
    assumptions: Assumptions,
    *,
    crimes_seen: pd.Series,
    budget_fte: float | None = None,
) -> MonitoringPlan:
    """Optimised monitoring rota of one control room, with random and status-quo comparisons.

    The room seats ``operator_positions`` operators per hour with up to
    ``screens_per_operator`` screens each. The budget defaults to the status
    quo's operator-hours (every position staffed for ``hours_per_day``, averaged
    over ``days_per_week``), so the status quo is feasible and the optimum can
    only match or beat it; ``budget_fte`` sets another budget [FTE].
    ``crimes_seen``: crime seen per camera (from :func:`estate_crimes_seen`); a
    camera missing from it sees none.
    """
    rooms = estate.control_rooms.set_index("room_id")
    if room_id not in rooms.index:
        raise DataError(f"no control room {room_id!r} in estate {estate.name!r}")
    room = rooms.loc[room_id]
    cams = _room_cameras(estate, room_id)
    ids = cams["camera_id"].astype(str).tolist()
    crimes = crimes_seen.reindex(ids).fillna(0.0).to_numpy(dtype=np.float64)
    shares = crime_share_by_hour(assumptions)
    risk = hourly_risk(crimes, shares)
    curve = curve_from_assumptions(assumptions)
    staffing = staffing_from(estate, assumptions)
    positions = int(room["operator_positions"])
    screens = max(int(room["screens_per_operator"]), 1)
    staffed = status_quo_staffed_hours(shares, float(room["hours_per_day"]))
    week_share = float(room["days_per_week"]) / 7.0
    sq = status_quo(risk, positions, screens, staffed, curve) * week_share
    sq_hours = positions * int(staffed.sum()) * week_share
    if budget_fte is None:
        budget = int(np.floor(sq_hours + 1e-9))
    else:
        budget = staffing.budget_operator_hours(budget_fte)
    return plan_monitoring(
        risk,
        ids,
        max_operators=positions,
        max_screens=screens,
        budget_operator_hours=budget,
        staffing=staffing,
        status_quo_detections=sq,
        status_quo_operator_hours=sq_hours,
        room_id=room_id,
        curve=curve,
    )


COUNCIL_KINDS = (RoomOperator.COUNCIL.value, RoomOperator.SHARED.value)


def monitoring_london(
    estate: Estate, assumptions: Assumptions, *, lsoa_crime: gpd.GeoDataFrame
) -> pd.DataFrame:
    """One row per council (or shared council) control room: optimised vs random vs status quo.

    Columns: ``room_id``, ``name``, ``cameras``, ``operator_hours_per_day``,
    ``staffing_cost_gbp_per_year``, ``detections_per_year_optimised`` /
    ``_random`` / ``_status_quo`` [expected detections/yr] and
    ``cost_per_detection_gbp_optimised`` / ``_random`` / ``_status_quo`` [£].
    Every room's budget is its status quo's operator-hours. ``lsoa_crime``: see
    :func:`estate_crimes_seen`.

    Today's detections rest on p(S) at the room's ``screens_per_operator`` S; beyond
    the PSDB data (9 monitors) that is an extrapolation, so ``detection_extrapolated``
    flags it and ``detections_per_year_status_quo_low`` / ``_high`` give today's
    detections under the other fitted forms (:mod:`cctvscope.optimisation.detection_fits`;
    equal to today's within the data). Status-quo detections are p(S) times a sum
    that does not depend on p, so they scale by the forms' ratio.
    """
    seen = estate_crimes_seen(estate, assumptions, lsoa_crime)
    rooms = estate.control_rooms
    rooms = rooms[rooms["operator_kind"].astype(str).isin(COUNCIL_KINDS)]
    rows: list[dict[str, object]] = []
    for room_id, name, screens in zip(
        rooms["room_id"], rooms["name"], rooms["screens_per_operator"], strict=True
    ):
        plan = monitoring_for_room(estate, str(room_id), assumptions, crimes_seen=seen)
        today = plan.status_quo.expected_detections_per_year
        at = detection_at_from_assumptions(max(int(screens), 1), assumptions)
        low, high = at.factors()
        rows.append(
            {
                "room_id": room_id,
                "name": name,
                "cameras": len(plan.camera_watched_hours),
                "operator_hours_per_day": plan.operator_hours_per_day,
                "staffing_cost_gbp_per_year": plan.staffing_cost_gbp_per_year,
                "detections_per_year_optimised": plan.expected_detections_per_year,
                "detections_per_year_random": plan.random.expected_detections_per_year,
                "detections_per_year_status_quo": plan.status_quo.expected_detections_per_year,
                "cost_per_detection_gbp_optimised": plan.cost_per_expected_detection_gbp,
                "cost_per_detection_gbp_random": plan.random.cost_per_expected_detection_gbp,
                "cost_per_detection_gbp_status_quo": (
                    plan.status_quo.cost_per_expected_detection_gbp
                ),
                "screens_per_operator": at.screens,
                "detection_extrapolated": at.extrapolated,
                "detections_per_year_status_quo_low": today * low,
                "detections_per_year_status_quo_high": today * high,
            }
        )
    return pd.DataFrame(rows)
