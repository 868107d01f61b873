"""View wedges: the ground area a camera credits at each image-detail level.

A fixed camera sees a circular sector (apex at the camera, bisected by its
heading, opening its HFOV, radius its reach). A PTZ camera can pan to any
bearing, so at its widest angle it is credited a full circle; its zoomed reach
is a single-bearing claim and is reported as a number, not drawn. Arcs are
polygonised with a chosen number of vertices, all on the true arc, so the
polygon lies inside the exact sector and its area error is known
(:func:`polygonised_sector_area_m2`).
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from cctvscope.coverage.detail import DetailLevel, FloatArray, ptz_reach_m
from cctvscope.crs import BNG

#: Default number of vertices along an arc.
ARC_VERTICES = 64

WEDGE_COLUMNS = ("camera_id", "level", "reach_m", "zoomed_reach_m", "geometry")


def polygonised_sector_area_m2(
    radius_m: npt.ArrayLike, angle_deg: npt.ArrayLike, arc_vertices: int = ARC_VERTICES
) -> FloatArray:
    """Area of a sector whose arc is polygonised as in :func:`sector_polygons`.

    ``arc_vertices - 1`` chords each spanning θ/(k-1) give ½·r²·(k-1)·sin(θ/(k-1));
    the exact sector is θ/2·r². A full circle uses ``arc_vertices`` chords.
    """
    r = np.asarray(radius_m, dtype=np.float64)
    theta = np.radians(np.asarray(angle_deg, dtype=np.float64))
    chords = np.where(theta >= 2 * np.pi, arc_vertices, arc_vertices - 1)
    return 0.5 * r**2 * chords * np.sin(np.minimum(theta, 2 * np.pi) / chords)


def sector_polygons(
    x_m: npt.ArrayLike,
    y_m: npt.ArrayLike,
    heading_deg: npt.ArrayLike,
    angle_deg: npt.ArrayLike,
    radius_m: npt.ArrayLike,
    arc_vertices: int = ARC_VERTICES,
) -> npt.NDArray[np.object_]:
    """Sector polygons, one per camera, built in one vectorised pass.

    Bearings are compass bearings (clockwise from grid north), so a bearing b
    points along (sin b, cos b). An opening of 360° or more gives a full circle
    (no apex). A non-positive radius gives an empty polygon.

    Parameters
    ----------
    x_m, y_m
        Apex (camera) easting and northing [m].
    heading_deg
        Bearing of the bisector [°].
    angle_deg
        Opening angle [°].
    radius_m
        Radius [m].
    arc_vertices
        Vertices along each arc (at least 3), including both ends.

    Returns
    -------
    numpy.ndarray
        shapely Polygons (object array, shape of the broadcast inputs, flattened).
    """
    if arc_vertices < 3:
        raise ValueError("arc_vertices must be at least 3")
    x, y, h, a, r = (
        np.ravel(v)
        for v in np.broadcast_arrays(
            *(np.asarray(v, dtype=np.float64) for v in (x_m, y_m, heading_deg, angle_deg, radius_m))
        )
    )
    out = np.empty(x.size, dtype=object)
    out[:] = shapely.Polygon()
    full = a >= 360.0
    for mask, is_full in ((full & (r > 0), True), (~full & (r > 0), False)):
        if not mask.any():
            continue
        if is_full:
            steps = np.arange(arc_vertices) / arc_vertices * 2 * np.pi
            bearing = np.radians(h[mask])[:, None] + steps[None, :]
        else:
            frac = np.linspace(-0.5, 0.5, arc_vertices)
            bearing = np.radians(h[mask])[:, None] + np.radians(a[mask])[:, None] * frac[None, :]
        rr = r[mask][:, None]
        px = x[mask][:, None] + rr * np.sin(bearing)
        py = y[mask][:, None] + rr * np.cos(bearing)
        if not is_full:
            px = np.concatenate([x[mask][:, None], px], axis=1)
            py = np.concatenate([y[mask][:, None], py], axis=1)
        out[mask] = shapely.polygons(np.stack([px, py], axis=-1))
    return out


def wedges_by_level(
    cameras_frame: pd.DataFrame,
    levels: Iterable[DetailLevel] = tuple(DetailLevel),
    usable_range_m: float | None = None,
    arc_vertices: int = ARC_VERTICES,
) -> gpd.GeoDataFrame:
    """View wedges of every camera at every requested detail level.

    Each row is one (camera, level): the wedge at the reach where the level's
    density (BS EN 62676-4:2015) is met, capped at ``usable_range_m``
    (pass :func:`cctvscope.coverage.detail.assumed_usable_range_m` of the
    assumptions for their default). PTZ cameras get a full circle at their widest
    angle; ``zoomed_reach_m`` records their fully-zoomed reach (equal to
    ``reach_m`` for fixed cameras).

    Parameters
    ----------
    cameras_frame
        Columns ``camera_id, x_m, y_m, heading_deg, hfov_deg, resolution_h_px``,
        and optionally ``ptz`` and ``ptz_max_zoom`` (fixed, zoom 1, if absent).
    levels
        Levels to draw.
    usable_range_m
        Distance cap [m]; ``None`` for none.
    arc_vertices
        Vertices along each arc.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``camera_id, level, reach_m, zoomed_reach_m, geometry``, EPSG:27700,
        ordered by level (coarse to fine) then by camera as given.
    """
    levels = tuple(levels)
    n = len(cameras_frame)
    if not levels or n == 0:
        return gpd.GeoDataFrame(
            {c: pd.Series(dtype=object) for c in WEDGE_COLUMNS[:-1]},
            geometry=gpd.GeoSeries([], crs=BNG),
            crs=BNG,
        )
    ptz = (
        cameras_frame["ptz"].to_numpy(dtype=bool)
        if "ptz" in cameras_frame
        else np.zeros(n, dtype=bool)
    )
    zoom = (
        cameras_frame["ptz_max_zoom"].to_numpy(dtype=np.float64)
        if "ptz_max_zoom" in cameras_frame
        else np.ones(n)
    )
    ppm = np.repeat([lv.px_per_m for lv in levels], n)
    tile = np.tile
    hfov = tile(cameras_frame["hfov_deg"].to_numpy(dtype=np.float64), len(levels))
    reach = ptz_reach_m(
        tile(cameras_frame["resolution_h_px"].to_numpy(dtype=np.float64), len(levels)),
        hfov,
        tile(zoom, len(levels)),
        ppm,
        usable_range_m,
    )
    geoms = sector_polygons(
        tile(cameras_frame["x_m"].to_numpy(dtype=np.float64), len(levels)),
        tile(cameras_frame["y_m"].to_numpy(dtype=np.float64), len(levels)),
        tile(cameras_frame["heading_deg"].to_numpy(dtype=np.float64), len(levels)),
        np.where(tile(ptz, len(levels)), 360.0, hfov),
        reach.wide_m,
        arc_vertices,
    )
    return gpd.GeoDataFrame(
        {
            "camera_id": tile(cameras_frame["camera_id"].to_numpy(), len(levels)),
            "level": np.repeat([lv.label for lv in levels], n),
            "reach_m": reach.wide_m,
            "zoomed_reach_m": reach.zoomed_m,
        },
        geometry=gpd.GeoSeries(geoms, crs=BNG),
        crs=BNG,
    )
