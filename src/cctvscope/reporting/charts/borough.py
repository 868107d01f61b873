"""London and borough maps: borough outlines, cameras by owner, control rooms, coverage.

Cameras are drawn as small dots coloured by owner type. The dots are rasterized
(embedded in the SVG as one PNG image) so a 28,000-camera London map stays small,
while outlines, legend and text stay vector (and searchable) in the SVG.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from cctvscope.model.estate import Estate
from cctvscope.reporting.charts.maps import scale_bar_and_north
from cctvscope.reporting.charts.style import PALETTE, add_source, new_figure, save_svg

#: Owner types in drawing order (numerous, faint ones first; rarest on top).
OWNER_ORDER: tuple[str, ...] = ("council", "private", "tfl", "police")

OWNER_STYLE: dict[str, tuple[str, str, float]] = {
    # owner_type: (label, colour, dot alpha)
    "council": ("Council", PALETTE[0], 0.35),
    "private": ("Private", PALETTE[6], 0.35),
    "tfl": ("TfL", PALETTE[1], 0.9),
    "police": ("Police", PALETTE[3], 1.0),
}

ROOM_COLOUR = "#111111"
DETECT_COLOUR = "#f4d58d"
RECOGNISE_COLOUR = "#d1495b"
RASTER_DPI = 200.0
LONDON_SCALE_M = 10_000.0

SOURCE_LONDON = (
    "ONS borough boundaries; TfL JamCams (real camera positions); council, police and "
    "private cameras and control rooms from the cctvscope synthetic estate"
)
SOURCE_BOROUGH = (
    "ONS borough boundaries; TfL JamCams (real); other cameras and control rooms synthetic; "
    "coverage = union of camera view wedges (BS EN 62676-4 pixel density, no occlusion)"
)
#: Widest map drawn with the 10 km scale bar [m] (narrower regions get a borough's bar).
WIDE_MAP_M = 30_000.0


def region_sources(title: str) -> tuple[str, str]:
    """The overview and area-map source lines of a region other than London.

    A region's boundaries and cameras are what ``cctvscope region create`` and the
    estate's imports hold: no ONS borough layer or TfL camera is involved.
    """
    overview = f"{title} area boundaries (cctvscope region create); cameras and control rooms"
    overview += " from the estate's records"
    area = (
        f"{title} area boundaries; cameras and control rooms from the estate's records; "
        "coverage = union of camera view wedges (BS EN 62676-4 pixel density, no occlusion)"
    )
    return overview, area


def _owner_types(cameras: pd.DataFrame) -> list[str]:
    """Owner types present, known ones in :data:`OWNER_ORDER` then any others sorted."""
    present = {str(v) for v in cameras["owner_type"].dropna().unique()}
    known = [o for o in OWNER_ORDER if o in present]
    return known + sorted(present - set(OWNER_ORDER))


def _xy(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Eastings and northings [m] of a point table (geometry if present, else x_m/y_m)."""
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        geom = frame.geometry
        ok = ~(geom.isna() | geom.is_empty)
        if bool(ok.all()):
            return np.asarray(geom.x, dtype=float), np.asarray(geom.y, dtype=float)
    return (
        frame["x_m"].to_numpy(dtype=float),
        frame["y_m"].to_numpy(dtype=float),
    )


def _draw_cameras(ax: Axes, cameras: pd.DataFrame, size: float) -> list[Artist]:
    """Scatter cameras by owner type (rasterized); return legend handles with counts."""
    handles: list[Artist] = []
    for i, owner in enumerate(_owner_types(cameras)):
        subset = cameras[cameras["owner_type"] == owner]
        label, colour, alpha = OWNER_STYLE.get(
            owner, (owner.title(), PALETTE[(4 + i) % len(PALETTE)], 0.8)
        )
        x, y = _xy(subset)
        ax.scatter(
            x,
            y,
            s=size * (2.0 if owner in ("tfl", "police") else 1.0),
            c=colour,
            alpha=alpha,
            linewidths=0,
            rasterized=True,
            zorder=3 + i * 0.1,
        )
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=5,
                color=colour,
                label=f"{label} cameras ({len(subset):,})",
            )
        )
    return handles


def _served(value: object) -> set[str]:
    """GSS codes in a ``served_boroughs`` cell (``;``-joined text or a sequence)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return set()
    if isinstance(value, str):
        return {c.strip() for c in value.split(";") if c.strip()}
    if isinstance(value, Iterable):
        return {str(c) for c in value}
    return set()


def _draw_rooms(ax: Axes, rooms: pd.DataFrame, markersize: float) -> Artist | None:
    """Control rooms as black-edged squares; the legend handle, or None when there are none."""
    if rooms.empty:
        return None
    x, y = _xy(rooms)
    ax.plot(
        x,
        y,
        linestyle="none",
        marker="s",
        markersize=markersize,
        color="white",
        markeredgecolor=ROOM_COLOUR,
        markeredgewidth=1.2,
        zorder=6,
    )
    return Line2D(
        [],
        [],
        linestyle="none",
        marker="s",
        markersize=6,
        color="white",
        markeredgecolor=ROOM_COLOUR,
        label=f"Control room{'s' if len(rooms) != 1 else ''} ({len(rooms)})",
    )


def london_overview_map(
    estate: Estate,
    path: Path,
    *,
    coverage: gpd.GeoDataFrame | None = None,
    region_title: str = "London",
    source: str = SOURCE_LONDON,
    synthetic: bool = True,
) -> Path:
    """SVG map of the whole estate: borough outlines, cameras by owner, control rooms.

    Cameras are tiny dots coloured by owner type (legend gives counts), control rooms
    white squares; a 10 km scale bar and a north arrow are drawn (British National
    Grid, metres). ``coverage`` (from :func:`~cctvscope.coverage.aggregate.coverage_unions`)
    is optional: when given, the Detect-level union is shaded under the dots.
    ``region_title`` names the estate's region in the title; ``source`` and
    ``synthetic`` make the footnote (London's by default). Returns ``path``.
    """
    boroughs = gpd.GeoDataFrame(estate.boroughs)
    cameras = estate.cameras
    rooms = estate.control_rooms
    fig = new_figure(8.0, 7.0)
    fig.set_dpi(RASTER_DPI)
    ax = fig.add_subplot()
    boroughs.plot(ax=ax, color="#f7f7f7", edgecolor="none", zorder=0)
    handles: list[Artist] = []
    if coverage is not None and not coverage.empty:
        detect = coverage[coverage["level"] == "detect"]
        if not detect.empty:
            gpd.GeoDataFrame(detect).plot(
                ax=ax, color=DETECT_COLOUR, edgecolor="none", rasterized=True, zorder=1
            )
            handles.append(Patch(color=DETECT_COLOUR, label="Covered at Detect"))
    boroughs.boundary.plot(ax=ax, color="#666666", linewidth=0.5, zorder=2)
    handles = _draw_cameras(ax, cameras, 0.6) + handles
    room = _draw_rooms(ax, rooms, 5.0)
    if room is not None:
        handles.append(room)
    bounds = boroughs.total_bounds
    width = float(bounds[2] - bounds[0])
    # London keeps its 10 km bar; a 10 km bar is wider than a small region, whose map
    # gets a borough map's bar.
    wide = region_title == "London" or width >= WIDE_MAP_M
    scale = LONDON_SCALE_M if wide else borough_scale_m(width)
    scale_bar_and_north(ax, bounds, scale)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"{region_title} CCTV estate", fontsize=11)
    if handles:
        ax.legend(handles=handles, loc="lower right", fontsize=7, frameon=True, framealpha=0.9)
    add_source(fig, source, synthetic=synthetic)
    return save_svg(fig, path)


def borough_scale_m(width_m: float) -> float:
    """Scale-bar length for a map ``width_m`` wide: 2 km, 1 km, or 500 m for tiny areas."""
    if width_m >= 8_000.0:
        return 2_000.0
    if width_m >= 2_000.0:
        return 1_000.0
    return 500.0


def borough_map(
    estate: Estate,
    gss_code: str,
    path: Path,
    *,
    coverage: gpd.GeoDataFrame | None = None,
    source: str = SOURCE_BOROUGH,
    synthetic: bool = True,
) -> Path:
    """SVG map of one borough: outline (neighbours faint), cameras, control rooms, coverage.

    Cameras are those whose ``borough_code`` is ``gss_code``; control rooms are those in
    the borough or serving it (rooms serving it from outside the map are named in the
    legend). With ``coverage`` (from :func:`~cctvscope.coverage.aggregate.coverage_unions`)
    the borough's Detect (light) and Recognise (dark) unions are drawn as filled areas.
    A 1 km or 2 km scale bar (500 m for areas under 2 km across) and a north arrow are
    drawn. ``source`` and ``synthetic`` make the footnote (a London borough's by default).
    Raises ``KeyError`` naming the valid codes if ``gss_code`` is unknown.
    Returns ``path``.
    """
    boroughs = gpd.GeoDataFrame(estate.boroughs)
    codes = boroughs["gss_code"].astype(str)
    match = boroughs[codes == gss_code]
    if match.empty:
        raise KeyError(f"unknown borough {gss_code!r}; valid codes are {', '.join(sorted(codes))}")
    name = str(match["name"].iloc[0])
    minx, miny, maxx, maxy = (float(v) for v in match.total_bounds)
    pad = 0.06 * max(maxx - minx, maxy - miny, 1.0)
    view = (minx - pad, miny - pad, maxx + pad, maxy + pad)

    fig = new_figure(6.0, 5.0)
    fig.set_dpi(RASTER_DPI)
    ax = fig.add_subplot()
    neighbours = boroughs.cx[view[0] : view[2], view[1] : view[3]]
    neighbours = neighbours[neighbours["gss_code"].astype(str) != gss_code]
    if not neighbours.empty:
        neighbours.boundary.plot(ax=ax, color="#bbbbbb", linewidth=0.5, zorder=1)
    match.plot(ax=ax, color="#f7f7f7", edgecolor="none", zorder=0)

    handles: list[Artist] = []
    if coverage is not None and not coverage.empty:
        mine = coverage[coverage["gss_code"].astype(str) == gss_code]
        for level, colour, label in (
            ("detect", DETECT_COLOUR, "Detect"),
            ("recognise", RECOGNISE_COLOUR, "Recognise"),
        ):
            rows = gpd.GeoDataFrame(mine[mine["level"] == level])
            if rows.empty or bool(rows.geometry.is_empty.all()):
                continue
            km2 = float(rows["covered_km2"].sum()) if "covered_km2" in rows else 0.0
            rows.plot(
                ax=ax,
                color=colour,
                edgecolor="none",
                alpha=0.85,
                rasterized=True,
                zorder=2,
            )
            handles.append(Patch(color=colour, label=f"Covered at {label} ({km2:,.2f} km²)"))
    match.boundary.plot(ax=ax, color="#333333", linewidth=1.2, zorder=2.5)

    cameras = estate.cameras
    mine_cams = cameras[cameras["borough_code"].astype(str) == gss_code]
    handles = _draw_cameras(ax, mine_cams, 3.0) + handles

    rooms = estate.control_rooms
    if not rooms.empty:
        in_borough = rooms["borough_code"].astype(str) == gss_code
        serving = rooms["served_boroughs"].map(lambda v: gss_code in _served(v))
        related = rooms[in_borough | serving.astype(bool)]
        rx, ry = _xy(related) if not related.empty else (np.empty(0), np.empty(0))
        inside = (rx >= view[0]) & (rx <= view[2]) & (ry >= view[1]) & (ry <= view[3])
        room = _draw_rooms(ax, related[inside], 7.0)
        if room is not None:
            handles.append(room)
        for room_name in related[~inside]["name"].astype(str):
            handles.append(
                Line2D([], [], linestyle="none", label=f"Served from {room_name} (off map)")
            )

    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])
    scale_bar_and_north(ax, view, borough_scale_m(maxx - minx))
    ax.set_aspect("equal")
    ax.set_axis_off()
    # From the map's left edge: centred over a narrow (tall) borough the title ran off the
    # figure's left side and was clipped in the guide (seen on its page image).
    ax.set_title(f"{name}: cameras and coverage", fontsize=11, loc="left")
    if handles:
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            fontsize=7,
            frameon=False,
        )
    add_source(fig, source, synthetic=synthetic)
    return save_svg(fig, path)
