"""Synthetic control rooms and the links that carry camera video to them.

Council rooms sit at each borough's top town-centre seed (one per borough,
except stated shared arrangements); the MPS rooms named in PCD 81 and TfL's
traffic control centre are at stated approximate locations. Staffing follows
from the cameras a room monitors by the ratios in ``synthetic_control_rooms``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cctvscope.crs import wgs84_to_bng
from cctvscope.ingest.synthetic_params import (
    ParamReader,
    band_index,
    draw_by_band,
    draw_categorical,
)
from cctvscope.ingest.synthetic_placement import BoroughSampler
from cctvscope.model.enums import LinkType, RoomOperator, Signal

ROOMS = "synthetic_control_rooms"
LINKS = "synthetic_links"
TFL_ROOM_ID = "room-tfl"


def council_operator(borough_name: str) -> str:
    """The local authority's name as operator (the City's is the City of London Corporation)."""
    if borough_name == "City of London":
        return "City of London Corporation"
    return f"{borough_name} Council"


def council_room_id(gss_code: str) -> str:
    """Id of a borough's own council control room."""
    return f"room-{gss_code}"


def mps_room_id(key: str) -> str:
    """Id of an MPS room (``lambeth``, ``hendon``)."""
    return f"room-mps-{key}"


@dataclass(frozen=True)
class RoomPlan:
    """Rooms before staffing, and the room monitoring each borough's council cameras."""

    rooms: pd.DataFrame
    room_of_borough: Mapping[str, str]


def plan_council_rooms(
    boroughs: pd.DataFrame,
    samplers: Mapping[str, BoroughSampler],
    source: str,
    shared: Mapping[str, list[str]],
) -> RoomPlan:
    """One council room per borough at its top town-centre seed, or one shared by ``shared``.

    ``shared`` maps a host borough to the boroughs its room serves (host included).
    """
    names = dict(zip(boroughs["gss_code"], boroughs["name"], strict=True))
    member_of = {str(m): str(h) for h, members in shared.items() for m in members}
    rows: list[dict[str, object]] = []
    room_of: dict[str, str] = {}
    for code in boroughs["gss_code"]:
        host = member_of.get(code)
        if host is not None and host != code:
            continue
        x, y = samplers[code].seeds_xy[0]
        if host is None:
            rid = council_room_id(code)
            served: tuple[str, ...] = (code,)
            kind, operator = RoomOperator.COUNCIL, council_operator(names[code])
            name = f"{names[code]} CCTV control room"
        else:
            served = tuple(str(m) for m in shared[host])
            rid = f"room-shared-{code}"
            kind = RoomOperator.SHARED
            operator = " and ".join(council_operator(names[m]) for m in served)
            name = "Shared CCTV control room (" + " / ".join(names[m] for m in served) + ")"
        for m in served:
            room_of[m] = rid
        rows.append(_room_row(rid, name, kind, operator, code, served, x, y, source))
    return RoomPlan(rooms=pd.DataFrame(rows), room_of_borough=room_of)


def plan_rooms(
    reader: ParamReader,
    boroughs: pd.DataFrame,
    samplers: Mapping[str, BoroughSampler],
    source: str,
) -> RoomPlan:
    """London's rooms: the council rooms, the MPS rooms of PCD 81 and TfL's centre."""
    council = plan_council_rooms(boroughs, samplers, source, reader.value(f"{ROOMS}.shared_rooms"))
    rows: list[dict[str, object]] = [
        {str(k): v for k, v in row.items()} for row in council.rooms.to_dict("records")
    ]
    for key, spec in reader.value(f"{ROOMS}.mps_rooms").items():
        x, y = wgs84_to_bng(spec["lon_deg"], spec["lat_deg"])
        rows.append(
            _room_row(
                mps_room_id(str(key)),
                str(spec["name"]),
                RoomOperator.POLICE,
                "Metropolitan Police Service",
                str(spec["borough_code"]),
                (),
                float(x),
                float(y),
                source + "; room named in MOPAC PCD 81, site approximate",
            )
        )
    tfl = reader.value(f"{ROOMS}.tfl_room")
    x, y = wgs84_to_bng(tfl["lon_deg"], tfl["lat_deg"])
    rows.append(
        _room_row(
            TFL_ROOM_ID,
            str(tfl["name"]),
            RoomOperator.TFL,
            "Transport for London",
            str(tfl["borough_code"]),
            (),
            float(x),
            float(y),
            source + "; site approximate",
        )
    )
    return RoomPlan(rooms=pd.DataFrame(rows), room_of_borough=council.room_of_borough)


def _room_row(
    room_id: str,
    name: str,
    kind: RoomOperator,
    operator: str,
    borough_code: str,
    served: tuple[str, ...],
    x_m: float,
    y_m: float,
    source: str,
) -> dict[str, object]:
    return {
        "room_id": room_id,
        "name": name,
        "operator_kind": kind.value,
        "operator": operator,
        "borough_code": borough_code,
        "served_boroughs": ";".join(served),
        "x_m": float(x_m),
        "y_m": float(y_m),
        "provenance": "synthetic",
        "source": source,
    }


def staff_rooms(reader: ParamReader, rooms: pd.DataFrame, cameras: pd.DataFrame) -> pd.DataFrame:
    """Operator positions, hours, FTE and screens from the cameras each room monitors.

    positions = max(min_positions, ceil(cameras / cameras_per_position));
    FTE = positions × hours/day × days/week / fte_hours_per_week / (1 − abstraction_share).
    """
    per_position = reader.number(f"{ROOMS}.cameras_per_position")
    min_positions = reader.integer(f"{ROOMS}.min_positions")
    hours = reader.number(f"{ROOMS}.hours_per_day")
    days = reader.number(f"{ROOMS}.days_per_week")
    fte_hours = reader.number(f"{ROOMS}.fte_hours_per_week")
    abstraction = reader.number(f"{ROOMS}.abstraction_share")
    monitored = cameras["control_room_id"].value_counts()
    n = rooms["room_id"].map(monitored).fillna(0).to_numpy(float)
    positions = np.maximum(min_positions, np.ceil(n / per_position)).astype(np.int64)
    out = rooms.copy()
    out["operator_positions"] = positions
    out["hours_per_day"] = hours
    out["days_per_week"] = days
    out["staff_fte"] = np.round(positions * hours * days / fte_hours / (1.0 - abstraction), 2)
    out["screens_per_operator"] = reader.integer(f"{ROOMS}.screens_per_operator")
    return out


def bandwidth_mbps(
    reader: ParamReader, h_px: np.ndarray, v_px: np.ndarray, fps: np.ndarray, codec: np.ndarray
) -> np.ndarray:
    """Provisioned link bandwidth: pixels × fps × bits per pixel (by codec) × headroom."""
    bpp_table = {
        str(k): float(v) for k, v in reader.value(f"{LINKS}.bits_per_pixel_by_codec").items()
    }
    bpp = np.array([bpp_table[str(c)] for c in codec], dtype=float)
    headroom = reader.number(f"{LINKS}.bandwidth_headroom")
    floor = reader.number(f"{LINKS}.min_bandwidth_mbps")
    rate = h_px.astype(float) * v_px.astype(float) * fps.astype(float) * bpp * headroom / 1e6
    return np.asarray(np.maximum(floor, np.round(rate, 3)), dtype=float)


def build_links(
    rng: np.random.Generator,
    reader: ParamReader,
    cameras: pd.DataFrame,
    rooms: pd.DataFrame,
    band_labels: list[str],
) -> pd.DataFrame:
    """One link per monitored camera to its room; type by signal and install year."""
    cams = cameras[cameras["control_room_id"].notna()].reset_index(drop=True)
    n = len(cams)
    analogue = cams["signal"].to_numpy() == Signal.ANALOGUE.value
    link_type = draw_by_band(
        rng,
        band_index(cams["install_year"], band_labels),
        band_labels,
        reader.by_band(f"{LINKS}.ip_link_type_shares_by_band"),
        f"{LINKS}.ip_link_type_shares_by_band",
    )
    link_type[analogue] = draw_categorical(
        rng, reader.shares(f"{LINKS}.analogue_link_type_shares"), int(analogue.sum())
    )
    link_type = np.array([LinkType(str(t)).value for t in link_type], dtype=object)
    room_xy = rooms.set_index("room_id")[["x_m", "y_m"]]
    rx = cams["control_room_id"].map(room_xy["x_m"]).to_numpy(float)
    ry = cams["control_room_id"].map(room_xy["y_m"]).to_numpy(float)
    length_km = (
        np.hypot(cams["x_m"].to_numpy(float) - rx, cams["y_m"].to_numpy(float) - ry) / 1000.0
    )
    fixed = {str(k): float(v) for k, v in reader.value(f"{LINKS}.annual_cost_gbp_by_type").items()}
    per_km = {
        str(k): float(v) for k, v in reader.value(f"{LINKS}.annual_cost_gbp_per_km_by_type").items()
    }
    cost = (
        np.array([fixed[t] for t in link_type])
        + np.array([per_km[t] for t in link_type]) * length_km
    )
    return pd.DataFrame(
        {
            "link_id": "link-" + cams["camera_id"].astype(str),
            "camera_id": cams["camera_id"].to_numpy(),
            "control_room_id": cams["control_room_id"].to_numpy(),
            "link_type": link_type,
            "bandwidth_mbps": bandwidth_mbps(
                reader,
                cams["resolution_h_px"].to_numpy(),
                cams["resolution_v_px"].to_numpy(),
                cams["fps"].to_numpy(),
                cams["codec"].to_numpy(),
            )
            if n
            else np.zeros(0),
            "length_km": length_km,
            "annual_cost_gbp": np.round(cost, 2),
            "provenance": "synthetic",
        }
    )


def ceil_positions(cameras: int, per_position: float, minimum: int) -> int:
    """Scalar form of the operator-position rule (for tests and docs)."""
    return max(minimum, math.ceil(cameras / per_position))
