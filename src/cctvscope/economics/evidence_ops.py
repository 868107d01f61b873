"""Police evidence-retrieval operating models: officer hours and £ per borough per year.

MOPAC PCD 167 para 1.2 describes two ways the MPS obtain council CCTV footage:
police staff embedded in the borough control room, or officers attending to
collect evidence as required. A third, newer way is digital transfer to a
police digital evidence management system (DEMS). For every borough this
module costs all three on the borough's own request volume, marks the model
it uses now, and finds the cheapest.

Models (per request; ``a`` = ``footage_available_share``, ``t_check`` =
``request_check_h``):

* ``embedded_police``: officer time ``t_check``; the embedded post is charged
  pro rata to the requests it handles, ``N / requests_per_post × post £``.
* ``officer_attends``: ``t_check + a · (t_trip + t_wait + t_export)``, with
  ``t_trip = 2 · d · c / v`` the round trip from the nearest kept police
  station to the borough's control room (straight-line ``d`` × circuity ``c``
  at road speed ``v``).
* ``digital_transfer``: ``t_check + a · t_digital``; DEMS cost
  ``£/borough-year + a · N · £/item``.

Every request costs the check, including those where no footage exists; only
the share ``a`` with footage goes on to collection, transfer or export. All
times and costs come from the ``economics_evidence`` section of the
assumptions file; money is at the price base year
(:class:`~cctvscope.economics.prices.PriceBase`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from cctvscope.crs import BNG
from cctvscope.economics.prices import PriceBase
from cctvscope.errors import DataError
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.enums import RetrievalModel
from cctvscope.model.estate import Estate
from cctvscope.model.frames import LIST_SEPARATOR

SECTION = "economics_evidence"
"""Section of the assumptions file holding the evidence-retrieval inputs."""

MODELS: tuple[str, ...] = tuple(m.value for m in RetrievalModel)
"""The operating models, in table and chart order."""

KEPT_STATION_STATUS = "keep"
"""Stations an officer may set out from: those the 2017 MOPAC estate plan keeps.

Stations the plan cuts are left out, as they are (or will be) closed.
"""

TABLE_COLUMNS: tuple[str, ...] = (
    "borough_code",
    "name",
    "model",
    "current",
    "room_id",
    "station_name",
    "road_trip_km",
    "requests_per_year",
    "footage_available_share",
    "officer_hours_per_request",
    "officer_hours_per_item_with_footage",
    "officer_hours_per_year",
    "staff_cost_gbp_per_year",
    "fixed_cost_gbp_per_year",
    "total_cost_gbp_per_year",
)
"""Columns of :func:`evidence_ops_table`, in order."""


@dataclass(frozen=True, slots=True)
class EvidenceOpsParams:
    """Times and unit costs of the three models, money at the price base year."""

    officer_cost_gbp_per_hour: float
    travel_speed_km_per_h: float
    road_circuity_factor: float
    waiting_time_h: float
    export_time_h: float
    request_check_h: float
    digital_transfer_officer_h: float
    embedded_post_gbp_per_year: float
    embedded_requests_per_post_per_year: float
    dems_gbp_per_item: float
    dems_gbp_per_borough_year: float

    @classmethod
    def from_assumptions(cls, assumptions: Assumptions) -> EvidenceOpsParams:
        """Read the ``economics_evidence`` section; £ entries move to the price base year.

        Money entries hold ``{value_gbp, price_base_year}`` and are uplifted with
        :meth:`PriceBase.to_base_gbp`.
        """
        price_base = PriceBase.from_assumptions(assumptions)

        def number(name: str) -> float:
            return float(assumptions.value(f"{SECTION}.{name}"))

        def money(name: str) -> float:
            entry = assumptions.value(f"{SECTION}.{name}")
            try:
                value, year = float(entry["value_gbp"]), int(entry["price_base_year"])
            except (TypeError, KeyError, ValueError) as exc:
                raise DataError(
                    f"assumption {SECTION}.{name} needs value_gbp and price_base_year"
                ) from exc
            return float(price_base.to_base_gbp(value, year))

        params = cls(
            officer_cost_gbp_per_hour=money("officer_cost_gbp_per_hour"),
            travel_speed_km_per_h=number("travel_speed_km_per_h"),
            road_circuity_factor=number("road_circuity_factor"),
            waiting_time_h=number("waiting_time_h"),
            export_time_h=number("export_time_h"),
            request_check_h=number("request_check_h"),
            digital_transfer_officer_h=number("digital_transfer_officer_h"),
            embedded_post_gbp_per_year=money("embedded_post_gbp_per_year"),
            embedded_requests_per_post_per_year=number("embedded_requests_per_post_per_year"),
            dems_gbp_per_item=money("dems_gbp_per_item"),
            dems_gbp_per_borough_year=money("dems_gbp_per_borough_year"),
        )
        if params.travel_speed_km_per_h <= 0 or params.embedded_requests_per_post_per_year <= 0:
            raise DataError(
                f"{SECTION}.travel_speed_km_per_h and "
                f"{SECTION}.embedded_requests_per_post_per_year must be positive"
            )
        return params


def kept_stations(stations: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Police stations the 2017 MOPAC plan keeps (``status_2017_plan == 'keep'``), in BNG.

    Raises :class:`~cctvscope.errors.DataError` when none is left.
    """
    if "status_2017_plan" not in stations.columns:
        raise DataError("police stations need a status_2017_plan column (keep/cut)")
    kept = stations[stations["status_2017_plan"] == KEPT_STATION_STATUS]
    if kept.empty:
        raise DataError("no police station has status_2017_plan 'keep'")
    out = gpd.GeoDataFrame(kept)
    return out.to_crs(BNG) if out.crs is not None and out.crs != BNG else out


def nearest_station_distance_m(rooms: pd.DataFrame, stations: gpd.GeoDataFrame) -> pd.DataFrame:
    """Straight-line distance from each control room to its nearest kept police station.

    ``d = min_s sqrt((x_room − x_s)² + (y_room − y_s)²)`` over the stations whose
    2017 MOPAC plan status is ``keep`` (:func:`kept_stations`), in British
    National Grid metres.

    Parameters
    ----------
    rooms
        Control rooms with ``room_id``, ``x_m`` and ``y_m`` (EPSG:27700).
    stations
        Police stations (:func:`cctvscope.ingest.london.read_police_stations`):
        point geometry, ``name`` and ``status_2017_plan``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``room_id``: ``station_name`` and ``straight_line_m``.
    """
    kept = kept_stations(stations)
    station_xy = np.column_stack([kept.geometry.x.to_numpy(float), kept.geometry.y.to_numpy(float)])
    room_xy = np.column_stack([rooms["x_m"].to_numpy(float), rooms["y_m"].to_numpy(float)])
    dist = np.hypot(
        room_xy[:, None, 0] - station_xy[None, :, 0], room_xy[:, None, 1] - station_xy[None, :, 1]
    )
    nearest = dist.argmin(axis=1) if len(room_xy) else np.zeros(0, dtype=int)
    names = kept["name"].to_numpy(object) if "name" in kept.columns else np.arange(len(kept))
    return pd.DataFrame(
        {
            "station_name": names[nearest],
            "straight_line_m": dist[np.arange(len(room_xy)), nearest],
        },
        index=pd.Index(rooms["room_id"].to_numpy(object), name="room_id"),
    )


def round_trip_travel_h(
    straight_line_m: npt.ArrayLike, circuity: float, speed_km_per_h: float
) -> npt.NDArray[np.float64]:
    """Officer travel time, station → control room → station: ``2 · d · c / (1000 · v)``.

    ``d`` straight-line metres, ``c`` road-circuity factor (an assumption),
    ``v`` road speed in km/h.

    >>> round_trip_travel_h(2000.0, 1.5, 20.0).item()
    0.3
    """
    d_m = np.asarray(straight_line_m, dtype=float)
    return np.asarray(2.0 * d_m * circuity / (1000.0 * speed_km_per_h), dtype=float)


def borough_control_rooms(estate: Estate, borough_codes: npt.ArrayLike) -> pd.Series:
    """The control room that handles each borough's evidence requests.

    A room handles a borough when the borough is in its ``served_boroughs``;
    where several do, the one monitoring most of the borough's council cameras
    (``control_room_id``) wins, ties going to the lower ``room_id``.

    Raises :class:`~cctvscope.errors.DataError` naming every borough that no
    room serves.
    """
    codes = pd.Index(pd.unique(np.asarray(borough_codes, dtype=object)), name="borough_code")
    rooms = estate.control_rooms
    pairs = pd.DataFrame(
        {
            "room_id": rooms["room_id"].to_numpy(object),
            "borough_code": rooms["served_boroughs"]
            .fillna("")
            .astype(str)
            .str.split(LIST_SEPARATOR),
        }
    ).explode("borough_code")
    pairs = pairs[pairs["borough_code"].isin(codes)]
    cams = estate.cameras
    council = cams[(cams["owner_type"] == "council") & cams["control_room_id"].notna()]
    counts = (
        council.groupby(["borough_code", "control_room_id"]).size().rename("cameras").reset_index()
    )
    ranked = pairs.merge(
        counts.rename(columns={"control_room_id": "room_id"}),
        on=["borough_code", "room_id"],
        how="left",
    ).fillna({"cameras": 0})
    ranked = ranked.sort_values(
        ["borough_code", "cameras", "room_id"], ascending=[True, False, True]
    )
    chosen = ranked.drop_duplicates("borough_code").set_index("borough_code")["room_id"]
    missing = [c for c in codes if c not in chosen.index]
    if missing:
        raise DataError(f"no control room serves borough(s) {', '.join(map(str, missing))}")
    return chosen.reindex(codes).rename("room_id")


def latest_evidence_stats(evidence_stats: pd.DataFrame) -> pd.DataFrame:
    """One row per borough: the latest year of its evidence statistics."""
    if evidence_stats.empty:
        raise DataError("the estate has no evidence statistics")
    latest = evidence_stats.sort_values(["borough_code", "year"]).drop_duplicates(
        "borough_code", keep="last"
    )
    return latest.reset_index(drop=True)


def model_hours_and_fixed_costs(
    requests_per_year: npt.ArrayLike,
    footage_available_share: npt.ArrayLike,
    trip_h: npt.ArrayLike,
    params: EvidenceOpsParams,
) -> dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
    """Officer hours per request, per item with footage, and fixed £/yr of each model.

    With ``N`` requests a year, share ``a`` with footage and round trip ``t_trip``:

    * embedded_police: ``h = t_check``; fixed ``N / n_post · £_post``
    * officer_attends: ``h = t_check + a · (t_trip + t_wait + t_export)``; fixed 0
    * digital_transfer: ``h = t_check + a · t_digital``; fixed ``£_DEMS,yr + a · N · £_item``

    The hours per item with footage are the same expressions with ``a = 1``.

    Returns
    -------
    dict
        ``model → (hours_per_request, hours_per_item_with_footage, fixed_gbp_per_year)``.
    """
    n = np.asarray(requests_per_year, dtype=float)
    a = np.asarray(footage_available_share, dtype=float)
    trip = np.asarray(trip_h, dtype=float)
    p = params
    check = np.full_like(n, p.request_check_h)
    attend_item = trip + p.waiting_time_h + p.export_time_h
    return {
        RetrievalModel.EMBEDDED_POLICE.value: (
            check,
            check.copy(),
            n / p.embedded_requests_per_post_per_year * p.embedded_post_gbp_per_year,
        ),
        RetrievalModel.OFFICER_ATTENDS.value: (
            check + a * attend_item,
            check + attend_item,
            np.zeros_like(n),
        ),
        RetrievalModel.DIGITAL_TRANSFER.value: (
            check + a * p.digital_transfer_officer_h,
            check + p.digital_transfer_officer_h,
            p.dems_gbp_per_borough_year + a * n * p.dems_gbp_per_item,
        ),
    }


def evidence_ops_table(
    estate: Estate,
    assumptions: Assumptions,
    *,
    stations: gpd.GeoDataFrame,
) -> pd.DataFrame:
    """Officer hours and £ per year to obtain footage, per borough and operating model.

    For each borough with evidence statistics (its latest year) and each model
    ``m``: ``officer_hours_per_year = N · h_m``, ``staff_cost = hours · £/h``,
    ``total = staff_cost + fixed_m`` (see :func:`model_hours_and_fixed_costs`).
    The borough's control room comes from :func:`borough_control_rooms`; its
    trip is from the nearest kept police station (:func:`nearest_station_distance_m`)
    with road distance ``2 · d · c`` (``road_trip_km``).

    Parameters
    ----------
    estate
        Estate with boroughs, control rooms, council cameras and evidence statistics.
    assumptions
        Assumptions file with the ``economics_evidence`` and price-base entries.
    stations
        Police stations (e.g. :func:`cctvscope.ingest.london.read_police_stations`):
        point geometry, ``name`` and ``status_2017_plan``.

    Returns
    -------
    pandas.DataFrame
        One row per borough × model with :data:`TABLE_COLUMNS`; ``current`` marks
        the model the borough uses now.

    Notes
    -----
    Model list: MOPAC PCD 167 para 1.2; request volumes: the estate's evidence
    statistics; times and costs: ``economics_evidence`` (mostly assumptions; the
    Hampshire 1 h per item figure is a calibration anchor, not an input).
    """
    params = EvidenceOpsParams.from_assumptions(assumptions)
    stats = latest_evidence_stats(estate.evidence_stats)
    codes = stats["borough_code"].to_numpy(object)
    room_of = borough_control_rooms(estate, codes)
    room_ids = room_of.reindex(codes).to_numpy(object)
    rooms = estate.control_rooms.set_index("room_id", drop=False).loc[room_ids]
    nearest = nearest_station_distance_m(rooms, stations)
    straight_m = nearest["straight_line_m"].to_numpy(float)
    trip_h = round_trip_travel_h(
        straight_m, params.road_circuity_factor, params.travel_speed_km_per_h
    )
    names = estate.boroughs.set_index("gss_code")["name"].reindex(codes)
    n = stats["requests_per_year"].to_numpy(float)
    a = stats["footage_available_share"].to_numpy(float)
    current_model = stats["retrieval_model"].astype(str).to_numpy(object)
    per_model = model_hours_and_fixed_costs(n, a, trip_h, params)
    frames = []
    for model in MODELS:
        hours_req, hours_item, fixed = per_model[model]
        hours_year = n * hours_req
        staff = hours_year * params.officer_cost_gbp_per_hour
        frames.append(
            pd.DataFrame(
                {
                    "borough_code": codes,
                    "name": names.fillna("").to_numpy(object),
                    "model": model,
                    "current": current_model == model,
                    "room_id": room_ids,
                    "station_name": nearest["station_name"].to_numpy(object),
                    "road_trip_km": 2.0 * straight_m * params.road_circuity_factor / 1000.0,
                    "requests_per_year": stats["requests_per_year"].to_numpy(np.int64),
                    "footage_available_share": a,
                    "officer_hours_per_request": hours_req,
                    "officer_hours_per_item_with_footage": hours_item,
                    "officer_hours_per_year": hours_year,
                    "staff_cost_gbp_per_year": staff,
                    "fixed_cost_gbp_per_year": fixed,
                    "total_cost_gbp_per_year": staff + fixed,
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    order = {m: i for i, m in enumerate(MODELS)}
    table = table.sort_values(
        ["borough_code", "model"], key=lambda s: s.map(order) if s.name == "model" else s
    )
    return table.reset_index(drop=True)[list(TABLE_COLUMNS)]


def evidence_ops_at_share(
    table: pd.DataFrame, assumptions: Assumptions, share: float
) -> pd.DataFrame:
    """``table`` (:func:`evidence_ops_table`) re-costed with every borough's footage share
    replaced by ``share``: same boroughs, trips and current models.

    A replacement, never a multiplier of the recorded share (which may already be the
    useful share). Hours and costs follow :func:`model_hours_and_fixed_costs` with each
    row's trip ``road_trip_km / v``; for the range of the officer hours saved.
    """
    params = EvidenceOpsParams.from_assumptions(assumptions)
    n = table["requests_per_year"].to_numpy(float)
    a = np.full(len(table), float(share))
    trip_h = table["road_trip_km"].to_numpy(float) / params.travel_speed_km_per_h
    per_model = model_hours_and_fixed_costs(n, a, trip_h, params)
    is_model = [(table["model"] == m).to_numpy() for m in MODELS]
    hours_req = np.select(is_model, [per_model[m][0] for m in MODELS], np.nan)
    fixed = np.select(is_model, [per_model[m][2] for m in MODELS], np.nan)
    hours_year = n * hours_req
    staff = hours_year * params.officer_cost_gbp_per_hour
    return table.assign(
        footage_available_share=a,
        officer_hours_per_request=hours_req,
        officer_hours_per_year=hours_year,
        staff_cost_gbp_per_year=staff,
        fixed_cost_gbp_per_year=fixed,
        total_cost_gbp_per_year=staff + fixed,
    )


def evidence_ops_choices(table: pd.DataFrame) -> pd.DataFrame:
    """Per borough: current and cheapest model, their hours and £, and the differences.

    The cheapest model minimises ``total_cost_gbp_per_year``; a tie keeps the
    current model, then follows :data:`MODELS` order.

    Raises :class:`~cctvscope.errors.DataError` unless every borough has
    exactly one current model.
    """
    current_counts = table.groupby("borough_code")["current"].sum()
    bad = current_counts[current_counts != 1]
    if not bad.empty:
        raise DataError(
            f"borough(s) without exactly one current model: {', '.join(map(str, bad.index))}"
        )
    order = table["model"].map({m: i for i, m in enumerate(MODELS)}).fillna(len(MODELS))
    ranked = table.assign(_not_current=~table["current"].astype(bool), _order=order).sort_values(
        ["borough_code", "total_cost_gbp_per_year", "_not_current", "_order"]
    )
    cheapest = ranked.drop_duplicates("borough_code").set_index("borough_code")
    current = table[table["current"].astype(bool)].set_index("borough_code")
    out = pd.DataFrame(
        {
            "name": current["name"],
            "current_model": current["model"],
            "cheapest_model": cheapest["model"].reindex(current.index),
            "current_hours_per_year": current["officer_hours_per_year"],
            "cheapest_hours_per_year": cheapest["officer_hours_per_year"].reindex(current.index),
            "current_cost_gbp_per_year": current["total_cost_gbp_per_year"],
            "cheapest_cost_gbp_per_year": cheapest["total_cost_gbp_per_year"].reindex(
                current.index
            ),
        }
    )
    out["hours_saved_per_year"] = out["current_hours_per_year"] - out["cheapest_hours_per_year"]
    out["saving_gbp_per_year"] = (
        out["current_cost_gbp_per_year"] - out["cheapest_cost_gbp_per_year"]
    )
    return out.sort_index()


@dataclass(frozen=True)
class EvidenceOpsSavings:
    """London-wide totals now and with every borough on its cheapest model.

    ``officer_hours_saved_per_year`` may be negative where the cheapest model
    by £ uses more officer time (e.g. leaving embedded posts for attendance).
    """

    boroughs: int
    boroughs_switching: int
    current_officer_hours_per_year: float
    cheapest_officer_hours_per_year: float
    officer_hours_saved_per_year: float
    current_cost_gbp_per_year: float
    cheapest_cost_gbp_per_year: float
    saving_gbp_per_year: float
    chosen_model: Mapping[str, str] = field(default_factory=dict)
    """Borough GSS code → cheapest model."""


def evidence_ops_savings(table: pd.DataFrame) -> EvidenceOpsSavings:
    """Sum :func:`evidence_ops_choices` over boroughs: current vs cheapest hours and £ per year.

    ``saving = Σ_b (total_current,b − min_m total_m,b) ≥ 0``; hours likewise
    with the hours of the model chosen by £.
    """
    choices = evidence_ops_choices(table)
    current_h = float(choices["current_hours_per_year"].sum())
    cheapest_h = float(choices["cheapest_hours_per_year"].sum())
    current_gbp = float(choices["current_cost_gbp_per_year"].sum())
    cheapest_gbp = float(choices["cheapest_cost_gbp_per_year"].sum())
    chosen = {str(k): str(v) for k, v in choices["cheapest_model"].items()}
    return EvidenceOpsSavings(
        boroughs=len(choices),
        boroughs_switching=int((choices["current_model"] != choices["cheapest_model"]).sum()),
        current_officer_hours_per_year=current_h,
        cheapest_officer_hours_per_year=cheapest_h,
        officer_hours_saved_per_year=current_h - cheapest_h,
        current_cost_gbp_per_year=current_gbp,
        cheapest_cost_gbp_per_year=cheapest_gbp,
        saving_gbp_per_year=current_gbp - cheapest_gbp,
        chosen_model=MappingProxyType(chosen),
    )
