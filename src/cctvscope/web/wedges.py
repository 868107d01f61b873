"""Camera view wedges for the maps: each camera's reach at each detail level, in WGS84.

A camera's page draws its own wedges; the overview map draws those in view once zoomed
in to street scale. The wedges are the coverage model's (:func:`wedges_by_level`: the
reach where BS EN 62676-4:2015's density is met, capped at the usable range) without
buildings, so they show what the camera could see on open ground.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from fastapi import Request

from cctvscope.coverage.detail import DetailLevel
from cctvscope.coverage.wedges import wedges_by_level
from cctvscope.crs import WGS84, bng_to_wgs84, wgs84_to_bng
from cctvscope.model.assumptions import read_assumptions
from cctvscope.web.accounts import User
from cctvscope.web.deps import AppState, WebError
from cctvscope.web.views import audit_private_view, visible_camera, visible_cameras

#: Levels a map draws, coarse to fine (monitor and inspect add nothing at street scale).
MAP_LEVELS = (DetailLevel.DETECT, DetailLevel.OBSERVE, DetailLevel.RECOGNISE, DetailLevel.IDENTIFY)
#: Most cameras one map request draws wedges for: zoom in for more.
MAX_WEDGE_CAMERAS = 1_500
#: Vertices along each arc of a map wedge (fewer than the coverage model's: a drawing).
MAP_ARC_VERTICES = 9
WEDGE_COLUMNS = ["camera_id", "x_m", "y_m", "heading_deg", "hfov_deg", "resolution_h_px",
                 "ptz", "ptz_max_zoom"]  # fmt: skip


def _geojson(cams: pd.DataFrame) -> dict[str, Any]:
    usable = float(read_assumptions().value("coverage.usable_range_m"))
    wedges = wedges_by_level(
        cams[WEDGE_COLUMNS], MAP_LEVELS, usable_range_m=usable, arc_vertices=MAP_ARC_VERTICES
    )
    shown = gpd.GeoDataFrame(wedges, geometry="geometry", crs=wedges.crs).to_crs(WGS84)
    features = [
        {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(geom),
            "properties": {
                "camera_id": str(cid),
                "level": str(level),
                "reach_m": round(float(r), 1),
            },
        }
        for cid, level, r, geom in zip(
            shown["camera_id"],
            shown["level"],
            shown["reach_m"].astype(float),
            shown.geometry,
            strict=True,
        )
        if not geom.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}


def camera_wedges(state: AppState, request: Request, user: User, camera_id: str) -> dict[str, Any]:
    """One camera's wedges, if the user may see it (404 otherwise)."""
    return _geojson(visible_camera(state, request, user, camera_id, f"camera {camera_id} wedges"))


def _inside_wgs84_box(cams: pd.DataFrame, bbox: tuple[float, float, float, float]) -> pd.DataFrame:
    """Cameras whose position lies in the WGS84 box. The grid is turned against the
    meridians (about 1° in London), so a box from two corners in BNG misses metres
    along the edges: pick candidates in the BNG box around all four corners, then
    keep those inside the box in WGS84."""
    west, south, east, north = bbox
    x, y = wgs84_to_bng(np.array([west, east, east, west]), np.array([south, south, north, north]))
    near = cams[cams["x_m"].between(x.min(), x.max()) & cams["y_m"].between(y.min(), y.max())]
    lon, lat = bng_to_wgs84(near["x_m"].to_numpy(), near["y_m"].to_numpy())
    keep = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    return near[keep]


def wedges_in_view(
    state: AppState, request: Request, user: User, bbox: tuple[float, float, float, float]
) -> dict[str, Any]:
    """Wedges of the cameras the user may see inside ``bbox`` (west, south, east, north
    [° WGS84]); more than :data:`MAX_WEDGE_CAMERAS` is refused (413): zoom in."""
    west, south, east, north = bbox
    if not (west < east and south < north):
        raise WebError(422, "bbox is west,south,east,north with west < east and south < north")
    cams = visible_cameras(state.data, user, state.data.current())
    inside = _inside_wgs84_box(cams, bbox)
    if len(inside) > MAX_WEDGE_CAMERAS:
        raise WebError(
            413, f"{len(inside):,} cameras in view: zoom in (wedges for at most "
            f"{MAX_WEDGE_CAMERAS:,} at a time)"
        )  # fmt: skip
    audit_private_view(state, request, user, inside, "camera wedges in view")
    return _geojson(inside)


__all__ = ["MAX_WEDGE_CAMERAS", "camera_wedges", "wedges_in_view"]
