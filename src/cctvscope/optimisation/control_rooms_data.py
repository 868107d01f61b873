"""Data of the control-room consolidation model: demand, rooms, costs, one-off costs.

Customers are the boroughs whose council cameras are monitored (owner ``council``
with a ``control_room_id``). The TfL and MPS camera estates stay in their own
rooms in every option, so they are not customers: their rooms are facilities
that may *host* council monitoring, and their own running costs, the same in
every option, are left out of the comparison.

Facilities are every existing room of the estate plus candidate sites (police
stations the 2017 MOPAC plan keeps open 24 hours, nearest the camera-weighted
centre of the council estate; count from ``optimisation_control_rooms.candidate_sites``).

Everything is in pounds at the price base year (``economics.price_base_year``).
The equations are in :class:`ControlRoomParams` and :func:`prepare`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from cctvscope.economics.costs import green_book_bands
from cctvscope.errors import DataError
from cctvscope.ingest.synthetic_network import bandwidth_mbps
from cctvscope.ingest.synthetic_params import ParamReader
from cctvscope.model.assumptions import Assumptions
from cctvscope.model.estate import Estate
from cctvscope.model.prices import PriceBase, unit_costs_gbp

__all__ = [
    "SECTION",
    "ConsolidationData",
    "ControlRoomParams",
    "Sites",
    "default_sites",
    "prepare",
]

SECTION = "optimisation_control_rooms"
ROOMS = "synthetic_control_rooms"

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class ControlRoomParams:
    r"""Unit costs and ratios of the consolidation model (base-year pounds).

    Demand of borough :math:`j` with :math:`N_j` monitored council cameras, in
    continuous operator positions (no rounding):

    .. math:: p_j = N_j / c, \qquad f = \frac{h \, d}{H (1 - a)}

    with :math:`c` = ``cameras_per_position``, and :math:`f` =
    ``fte_per_position`` the full-time equivalents one position needs when staffed
    :math:`h` hours a day, :math:`d` days a week, :math:`H` contracted hours per FTE
    and abstraction share :math:`a` (all from ``synthetic_control_rooms``).

    Attributes
    ----------
    cameras_per_position
        Cameras one operator position monitors [cameras/position].
    fte_per_position
        FTE per staffed position [FTE/position].
    operator_fte_gbp_per_year
        Loaded cost of one operator FTE [GBP/FTE-year].
    room_fixed_gbp_per_year
        Premises, video wall, VMS licences and recording of a room [GBP/room-year].
    supervisor_positions_per_room
        Management positions of an open room [positions/room].
    expansion_factor
        Capacity of an existing council room over its present positions [-].
    hub_capacity_positions
        Capacity a police or TfL room or a candidate site offers [positions].
    transmission_gbp_per_mbps_km_year
        Distance-and-bandwidth link cost [GBP/(Mbit/s·km·year)].
    link_fixed_gbp_per_year
        Fixed annual cost of a camera link by link type [GBP/link-year].
    migration_gbp_per_camera
        One-off cost of moving a camera to another room [GBP/camera].
    closure_gbp_per_room
        One-off cost of closing a council room [GBP/room].
    setup_gbp_per_room
        One-off set-up of a room new to council monitoring [GBP/room].
    horizon_years
        Appraisal horizon [years].
    discount_bands
        Green Book ``(last_year, rate)`` bands.
    """

    cameras_per_position: float
    fte_per_position: float
    operator_fte_gbp_per_year: float
    room_fixed_gbp_per_year: float
    supervisor_positions_per_room: float
    expansion_factor: float
    hub_capacity_positions: float
    transmission_gbp_per_mbps_km_year: float
    link_fixed_gbp_per_year: Mapping[str, float]
    migration_gbp_per_camera: float
    closure_gbp_per_room: float
    setup_gbp_per_room: float
    horizon_years: int
    discount_bands: tuple[tuple[float, float], ...]
    default_link_type: str = "fibre"
    candidate_sites: int = 0

    @property
    def position_gbp_per_year(self) -> float:
        """Staffing cost of one position around the clock: f × operator FTE cost [GBP/yr]."""
        return self.fte_per_position * self.operator_fte_gbp_per_year

    @property
    def open_room_gbp_per_year(self) -> float:
        r"""Fixed annual cost of an open room: :math:`F = F_0 + s \, f \, w` [GBP/yr]."""
        return (
            self.room_fixed_gbp_per_year
            + self.supervisor_positions_per_room * self.position_gbp_per_year
        )

    @classmethod
    def from_estate(cls, estate: Estate, assumptions: Assumptions) -> ControlRoomParams:
        """Parameters from the assumptions file and the estate's cost profile.

        The cost profile is the one the estate's boroughs carry (``cost_profile``);
        its items ``control_room_fixed``, ``operator_fte``,
        ``control_room_refurbishment`` and ``link_<type>`` are moved to the price
        base year with :func:`~cctvscope.model.prices.unit_costs_gbp`.
        """
        profiles = sorted(set(estate.boroughs["cost_profile"].astype(str)))
        if len(profiles) != 1:
            raise DataError(f"the boroughs must share one cost profile, found {profiles}")
        costs = unit_costs_gbp(
            estate.cost_items, profiles[0], PriceBase.from_assumptions(assumptions)
        )
        needed = ("control_room_fixed", "operator_fte", "control_room_refurbishment")
        missing = [k for k in needed if k not in costs.index]
        if missing:
            raise DataError(f"cost profile {profiles[0]!r} lacks {', '.join(missing)}")
        reader = ParamReader(assumptions)
        hours = reader.number(f"{ROOMS}.hours_per_day") * reader.number(f"{ROOMS}.days_per_week")
        fte = hours / reader.number(f"{ROOMS}.fte_hours_per_week")
        fte /= 1.0 - reader.number(f"{ROOMS}.abstraction_share")
        links = {
            str(k)[len("link_") :]: float(v) for k, v in costs.items() if str(k).startswith("link_")
        }
        return cls(
            cameras_per_position=reader.number(f"{ROOMS}.cameras_per_position"),
            fte_per_position=fte,
            operator_fte_gbp_per_year=float(costs["operator_fte"]),
            room_fixed_gbp_per_year=float(costs["control_room_fixed"]),
            supervisor_positions_per_room=reader.number(f"{SECTION}.supervisor_positions_per_room"),
            expansion_factor=reader.number(f"{SECTION}.expansion_factor"),
            hub_capacity_positions=reader.number(f"{SECTION}.hub_capacity_positions"),
            transmission_gbp_per_mbps_km_year=reader.number(
                f"{SECTION}.transmission_gbp_per_mbps_km_year"
            ),
            link_fixed_gbp_per_year=links,
            migration_gbp_per_camera=reader.number(f"{SECTION}.migration_gbp_per_camera"),
            closure_gbp_per_room=reader.number(f"{SECTION}.closure_gbp_per_room"),
            setup_gbp_per_room=float(costs["control_room_refurbishment"]),
            horizon_years=reader.integer(f"{SECTION}.horizon_years"),
            discount_bands=green_book_bands(assumptions),
            default_link_type=str(reader.value(f"{SECTION}.default_link_type")),
            candidate_sites=reader.integer(f"{SECTION}.candidate_sites"),
        )


@dataclass(frozen=True)
class Sites:
    """Candidate hub sites and MPS sites (BNG metres).

    ``candidates``: new sites, columns ``site_id``, ``name``, ``x_m``, ``y_m``.
    ``police_xy_m``: (k × 2) MPS sites for the police co-location option, besides
    the estate's police rooms (which always count).
    """

    candidates: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["site_id", "name", "x_m", "y_m"])
    )
    police_xy_m: FloatArray = field(default_factory=lambda: np.zeros((0, 2)))


def default_sites(estate: Estate, stations: gpd.GeoDataFrame, count: int) -> Sites:
    """Sites from a police-station list (e.g. ``london.read_police_stations``).

    Candidates: the ``count`` stations the 2017 plan keeps open 24 hours that lie
    nearest the camera-weighted centre of the council estate. MPS sites: every
    station the plan keeps (any opening hours). ``stations``: point geometry (BNG)
    with ``name``, ``status_2017_plan`` and ``proposed_opening``.
    """
    kept = stations[stations["status_2017_plan"] == "keep"]
    xy = np.column_stack([kept.geometry.x, kept.geometry.y]).astype(float)
    cams = _council_cameras(estate)
    centre = cams[["x_m", "y_m"]].to_numpy(float).mean(axis=0) if len(cams) else xy.mean(axis=0)
    all_day = (kept["proposed_opening"] == "24HR").to_numpy()
    order = np.argsort(np.hypot(*(xy - centre).T) + np.where(all_day, 0.0, np.inf), kind="stable")
    chosen = [int(i) for i in order[:count] if all_day[i]]
    names = kept["name"].astype(str).to_numpy()
    candidates = pd.DataFrame(
        {
            "site_id": [f"site-{_slug(names[i])}" for i in chosen],
            "name": [f"{names[i].title()} (candidate hub)" for i in chosen],
            "x_m": xy[chosen, 0],
            "y_m": xy[chosen, 1],
        }
    )
    return Sites(candidates=candidates, police_xy_m=xy)


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _council_cameras(estate: Estate) -> pd.DataFrame:
    cams = pd.DataFrame(estate.cameras)
    mask = (cams["owner_type"].astype(str) == "council") & cams["control_room_id"].notna()
    return cams[mask].reset_index(drop=True)


@dataclass(frozen=True)
class ConsolidationData:
    r"""Arrays of one consolidation problem: m rooms (rows) × n boroughs (columns).

    Annual cost of borough :math:`j` monitored from room :math:`i` [GBP/yr]:

    .. math::

        c_{ij} = p_j \, f \, w
               + \sum_{k \in j} \left(L_{t_k} + \tau \, b_k \, d_{ik}\right)

    staffing (positions × FTE per position × FTE cost :math:`w`) plus transmission
    per camera :math:`k`: the fixed link cost of its type :math:`L_{t_k}` and
    :math:`\tau` [GBP/(Mbit/s·km·yr)] × bandwidth :math:`b_k` [Mbit/s] × straight-line
    distance :math:`d_{ik}` [km]. One-off costs: migration :math:`M N_j` when
    :math:`i` is not borough :math:`j`'s present room; set-up :math:`S_i` for a
    room new to council work; closure :math:`C_i` for a present council room
    left with no borough.
    """

    borough_codes: tuple[str, ...]
    borough_names: tuple[str, ...]
    cameras: FloatArray
    positions: FloatArray
    borough_xy_m: FloatArray
    current_room: tuple[str, ...]
    room_ids: tuple[str, ...]
    room_names: tuple[str, ...]
    room_kinds: tuple[str, ...]
    room_xy_m: FloatArray
    capacity_positions: FloatArray
    fixed_gbp_per_year: FloatArray
    setup_gbp: FloatArray
    closure_gbp: FloatArray
    is_current: BoolArray
    police_distance_km: FloatArray
    staffing_gbp_per_year: FloatArray
    transmission_gbp_per_year: FloatArray
    migration_gbp: FloatArray
    distance_km: FloatArray
    params: ControlRoomParams

    @property
    def annual_gbp_per_year(self) -> FloatArray:
        """Assignment cost :math:`c_{ij}` (staffing + transmission), (m × n) [GBP/yr]."""
        return self.staffing_gbp_per_year + self.transmission_gbp_per_year

    def room_index(self, room_id: str) -> int:
        """Row of a room id; a clear error names an unknown one."""
        try:
            return self.room_ids.index(room_id)
        except ValueError:
            raise DataError(f"unknown control room {room_id!r}") from None

    def current_assignment(self) -> tuple[int, ...]:
        """Row of each borough's present room."""
        return tuple(self.room_index(r) for r in self.current_room)


def _room_table(estate: Estate, sites: Sites, params: ControlRoomParams) -> pd.DataFrame:
    rooms = pd.DataFrame(estate.control_rooms)
    kinds = rooms["operator_kind"].astype(str)
    council = kinds.isin(["council", "shared"]).to_numpy()
    existing = pd.DataFrame(
        {
            "room_id": rooms["room_id"].astype(str),
            "name": rooms["name"].astype(str),
            "kind": kinds,
            "x_m": rooms["x_m"].astype(float),
            "y_m": rooms["y_m"].astype(float),
            "capacity": np.where(
                council,
                rooms["operator_positions"].to_numpy(float) * params.expansion_factor,
                params.hub_capacity_positions,
            ),
        }
    )
    new = pd.DataFrame(
        {
            "room_id": sites.candidates["site_id"].astype(str),
            "name": sites.candidates["name"].astype(str),
            "kind": "candidate",
            "x_m": sites.candidates["x_m"].astype(float),
            "y_m": sites.candidates["y_m"].astype(float),
            "capacity": params.hub_capacity_positions,
        }
    )
    return pd.concat([existing, new], ignore_index=True) if len(new) else existing


def _camera_links(
    cams: pd.DataFrame, estate: Estate, params: ControlRoomParams, assumptions: Assumptions
) -> tuple[FloatArray, FloatArray]:
    """Fixed link cost [GBP/yr] and bandwidth [Mbit/s] of each camera."""
    links = pd.DataFrame(estate.links).drop_duplicates("camera_id").set_index("camera_id")
    link_type = cams["camera_id"].map(links["link_type"].astype(str)) if len(links) else None
    types = (
        link_type.fillna(params.default_link_type).astype(str)
        if link_type is not None
        else pd.Series(params.default_link_type, index=cams.index)
    )
    unknown = sorted(set(types) - set(params.link_fixed_gbp_per_year))
    if unknown:
        raise DataError(f"no link_<type> cost item for link types {unknown}")
    fixed = np.asarray(types.map(params.link_fixed_gbp_per_year).to_numpy(float), dtype=np.float64)
    modelled = bandwidth_mbps(
        ParamReader(assumptions),
        cams["resolution_h_px"].to_numpy(),
        cams["resolution_v_px"].to_numpy(),
        cams["fps"].to_numpy(),
        cams["codec"].astype(str).to_numpy(),
    )
    given = (
        cams["camera_id"].map(links["bandwidth_mbps"]).to_numpy(float)
        if len(links)
        else np.full(len(cams), np.nan)
    )
    return fixed, np.asarray(np.where(np.isnan(given), modelled, given), dtype=np.float64)


def prepare(
    estate: Estate,
    assumptions: Assumptions,
    *,
    params: ControlRoomParams | None = None,
    sites: Sites | None = None,
    stations: gpd.GeoDataFrame | None = None,
) -> ConsolidationData:
    """Demand, rooms and the cost arrays of an estate (equations in :class:`ConsolidationData`).

    Parameters
    ----------
    estate
        Estate with council cameras assigned to rooms.
    assumptions
        Assumptions file (the estate's bandwidth model for cameras with no link).
    params
        Unit costs; default :meth:`ControlRoomParams.from_estate`.
    sites
        Candidate and MPS sites; default :func:`default_sites` of ``stations``.
    stations
        Police stations the default sites come from (the MOPAC list); needed
        unless ``sites`` is given.

    Returns
    -------
    ConsolidationData
        Boroughs in GSS order; rooms in estate order, then candidate sites.

    Raises
    ------
    DataError
        If no council camera is monitored, or a camera's room is unknown.
    """
    p = params if params is not None else ControlRoomParams.from_estate(estate, assumptions)
    if sites is not None:
        s = sites
    elif stations is not None:
        s = default_sites(estate, stations, p.candidate_sites)
    else:
        raise ValueError("prepare needs the candidate sites or the police stations they come from")
    cams = _council_cameras(estate)
    if cams.empty:
        raise DataError(f"estate {estate.name!r} has no monitored council cameras")
    rooms = _room_table(estate, s, p)
    room_ids = tuple(rooms["room_id"])
    unknown = sorted(set(cams["control_room_id"].astype(str)) - set(room_ids))
    if unknown:
        raise DataError(f"council cameras point to unknown control rooms {unknown}")
    codes = tuple(sorted(set(cams["borough_code"].astype(str))))
    col = cams["borough_code"].map({c: j for j, c in enumerate(codes)}).to_numpy(int)
    n, m = len(codes), len(rooms)
    counts = np.bincount(col, minlength=n).astype(float)
    cam_xy = cams[["x_m", "y_m"]].to_numpy(float)
    centre = np.column_stack(
        [np.bincount(col, cam_xy[:, k], minlength=n) / counts for k in range(2)]
    )
    room_xy = rooms[["x_m", "y_m"]].to_numpy(float)
    fixed_link, mbps = _camera_links(cams, estate, p, assumptions)
    transmission = np.empty((m, n))
    for i in range(m):
        d_km = np.hypot(*(cam_xy - room_xy[i]).T) / 1000.0
        per_cam = fixed_link + p.transmission_gbp_per_mbps_km_year * mbps * d_km
        transmission[i] = np.bincount(col, per_cam, minlength=n)
    current = (
        cams.groupby("borough_code")["control_room_id"]
        .agg(lambda s: s.astype(str).value_counts().index[0])
        .reindex(codes)
    )
    current_rows = np.array([room_ids.index(str(r)) for r in current], dtype=int)
    is_current = np.zeros(m, dtype=bool)
    is_current[current_rows] = True
    kinds = rooms["kind"].astype(str).to_numpy()
    council = np.isin(kinds, ["council", "shared"])
    migration = np.repeat((p.migration_gbp_per_camera * counts)[np.newaxis, :], m, axis=0)
    migration[current_rows, np.arange(n)] = 0.0
    police_xy = np.vstack([s.police_xy_m.reshape(-1, 2), room_xy[kinds == "police"]])
    if len(police_xy):
        police_km = np.min(
            np.hypot(
                room_xy[:, np.newaxis, 0] - police_xy[np.newaxis, :, 0],
                room_xy[:, np.newaxis, 1] - police_xy[np.newaxis, :, 1],
            ),
            axis=1,
        )
    else:
        police_km = np.full(m, np.inf)
    names = pd.DataFrame(estate.boroughs).set_index("gss_code")["name"].astype(str)
    positions = counts / p.cameras_per_position
    return ConsolidationData(
        borough_codes=codes,
        borough_names=tuple(str(names.get(c, c)) for c in codes),
        cameras=counts,
        positions=positions,
        borough_xy_m=centre,
        current_room=tuple(str(r) for r in current),
        room_ids=room_ids,
        room_names=tuple(rooms["name"].astype(str)),
        room_kinds=tuple(kinds),
        room_xy_m=room_xy,
        capacity_positions=rooms["capacity"].to_numpy(float),
        fixed_gbp_per_year=np.full(m, p.open_room_gbp_per_year),
        setup_gbp=np.where(is_current, 0.0, p.setup_gbp_per_room),
        closure_gbp=np.where(is_current & council, p.closure_gbp_per_room, 0.0),
        is_current=is_current,
        police_distance_km=police_km / 1000.0,
        staffing_gbp_per_year=np.repeat(
            (positions * p.position_gbp_per_year)[np.newaxis, :], m, axis=0
        ),
        transmission_gbp_per_year=transmission,
        migration_gbp=migration,
        distance_km=np.hypot(
            room_xy[:, np.newaxis, 0] - centre[np.newaxis, :, 0],
            room_xy[:, np.newaxis, 1] - centre[np.newaxis, :, 1],
        )
        / 1000.0,
        params=p,
    )
