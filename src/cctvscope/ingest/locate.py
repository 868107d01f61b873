"""Locate imported cameras: coordinates to British National Grid, point to borough.

Vectorised over the whole table: one pyproj call, one STRtree query.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import shapely

from cctvscope.crs import looks_like_wgs84, wgs84_to_bng
from cctvscope.errors import Finding
from cctvscope.ingest.camera_fields import parse_number

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

#: Points within this distance of a borough are snapped to it [m]: boundaries are
#: generalised to 20 m and clipped to mean high water at the Thames.
SNAP_DISTANCE_M = 25.0
#: Gaps in the region narrower than twice this [m] (the Thames, with its bridges and
#: piers) are closed: a point there goes to the nearest borough with a warning.
GAP_CLOSING_M = 400.0
#: Points placed in their boroughs at a time [points].
POINT_CHUNK_ROWS = 100_000
#: Lon/lat and easting/northing given together must agree to within this [m].
AGREE_DISTANCE_M = 50.0
#: Key of ``boroughs.attrs`` holding the title of the region the boroughs are areas of.
REGION_ATTR = "region_title"

#: Councils whose name is not "<borough> Council".
SPECIAL_OPERATORS = {
    "E09000001": "City of London Corporation",
    "E09000033": "Westminster City Council",
}

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Located:
    """Coordinates [m, EPSG:27700] and borough code of each row (NaN / None where not known)."""

    x_m: Floats
    y_m: Floats
    borough: list[str | None]
    findings: list[Finding]


def _numbers(frame: pd.DataFrame, column: str | None, field: str, out: list[Finding]) -> Floats:
    """Parse a coordinate column; unreadable cells give an error Finding and NaN."""
    values = np.full(len(frame), np.nan)
    if column is None:
        return values
    for i, (row, text) in enumerate(zip(frame.index, frame[column], strict=True)):
        if not text:
            continue
        number = parse_number(str(text).replace("°", ""))
        if number is None:
            out.append(Finding("error", int(row), field, str(text), "not a number"))
        else:
            values[i] = number
    return values


def locate(
    frame: pd.DataFrame,
    columns: Mapping[str, str],
    boroughs: gpd.GeoDataFrame,
    *,
    warn_generic: bool = True,
) -> Located:
    """BNG coordinates and containing borough of every row.

    Parameters
    ----------
    frame
        Raw text cells indexed by row number.
    columns
        Import field -> source column for ``lon``, ``lat``, ``easting``, ``northing``,
        ``x``, ``y`` (those present).
    boroughs
        Borough polygons (``gss_code``, geometry) in EPSG:27700.
    warn_generic
        Add a file-level warning saying how generic ``x``/``y`` columns were read.
    """
    out: list[Finding] = []
    rows = [int(r) for r in frame.index]
    get = {
        f: _numbers(frame, columns.get(f), f, out)
        for f in ("lon", "lat", "easting", "northing", "x", "y")
    }
    lon, lat, east, north = get["lon"], get["lat"], get["easting"], get["northing"]
    if "x" in columns and "y" in columns:
        gx, gy = get["x"], get["y"]
        if looks_like_wgs84(gx, gy):
            lon, lat = np.where(np.isnan(lon), gx, lon), np.where(np.isnan(lat), gy, lat)
            how = "WGS84 longitude/latitude"
        else:
            east, north = np.where(np.isnan(east), gx, east), np.where(np.isnan(north), gy, north)
            how = "British National Grid easting/northing"
        if warn_generic:
            cols = f"{columns['x']!r}/{columns['y']!r}"
            out.append(Finding("warning", None, "x", None, f"columns {cols} read as {how}"))
    x_m = np.full(len(frame), np.nan)
    y_m = np.full(len(frame), np.nan)
    has_ll = ~np.isnan(lon) & ~np.isnan(lat)
    has_en = ~np.isnan(east) & ~np.isnan(north)
    bad_ll = has_ll & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
    for i in np.flatnonzero(bad_ll):
        hint = (
            "; these look like British National Grid metres: name the columns easting/northing"
            if lon[i] >= 0 and lat[i] >= 0
            else ""
        )
        out.append(
            Finding(
                "error",
                rows[i],
                "lon" if abs(lon[i]) > 180 else "lat",
                f"{lon[i]:g}, {lat[i]:g}",
                f"not a WGS84 longitude/latitude{hint}",
            )
        )
    use_ll = has_ll & ~bad_ll
    if use_ll.any():
        bx, by = wgs84_to_bng(lon[use_ll], lat[use_ll])
        x_m[use_ll], y_m[use_ll] = bx, by
    both = use_ll & has_en
    if both.any():
        gap = np.hypot(x_m - east, y_m - north)
        for i in np.flatnonzero(both & (gap > AGREE_DISTANCE_M)):
            out.append(
                Finding(
                    "warning",
                    rows[i],
                    "easting",
                    f"{east[i]:g}, {north[i]:g}",
                    f"easting/northing are {gap[i]:.0f} m from lon/lat; easting/northing used",
                )
            )
    x_m = np.where(has_en, east, x_m)
    y_m = np.where(has_en, north, y_m)
    unreadable = {f.row for f in out if f.severity == "error"}
    for i in np.flatnonzero(~has_ll & ~has_en & ~bad_ll):
        if rows[i] not in unreadable:
            out.append(_missing_location(rows[i], get, int(i)))
    codes, gaps = point_boroughs(x_m, y_m, boroughs)
    names = dict(zip(boroughs["gss_code"], boroughs["name"], strict=True))
    for k, dist in gaps.items():
        reason = (
            f"point lies {dist:.0f} m outside every borough boundary (the Thames or a gap "
            f"between boundaries); assigned to the nearest borough, {names[codes[k]]}"
        )
        value = f"{lon[k]:g}, {lat[k]:g}" if use_ll[k] else f"{x_m[k]:g}, {y_m[k]:g}"
        out.append(Finding("warning", rows[k], "coordinates", value, reason))
    for i in np.flatnonzero(~np.isnan(x_m) & np.array([c is None for c in codes], dtype=bool)):
        out.append(_outside(rows[i], x_m[i], y_m[i], lon[i], lat[i], use_ll[i], boroughs))
    return Located(x_m, y_m, codes, out)


def _missing_location(row: int, values: Mapping[str, Floats], i: int) -> Finding:
    given = [
        f for f in ("lon", "lat", "easting", "northing", "x", "y") if not np.isnan(values[f][i])
    ]
    if given:
        missing = {"lon": "lat", "lat": "lon", "easting": "northing", "northing": "easting"}
        need = ", ".join(missing.get(f, "y" if f == "x" else "x") for f in given)
        return Finding("error", row, need, None, f"coordinate {need} is missing")
    return Finding(
        "error", row, "coordinates", None, "no location: give lon/lat or easting/northing"
    )


def _outside(
    row: int,
    x: float,
    y: float,
    lon: float,
    lat: float,
    wgs: bool,
    boroughs: gpd.GeoDataFrame,
) -> Finding:
    where = f"lon {lon:g}, lat {lat:g} = " if wgs else ""
    # An estate made from a stored region names it (REGION_ATTR); London's estates
    # keep the wording their users and the web intake know.
    title = boroughs.attrs.get(REGION_ATTR)
    reason = (
        f"outside the region{f' {title}' if title else ''}: {where}easting {x:.0f}, "
        f"northing {y:.0f} is more than {SNAP_DISTANCE_M:g} m from every "
        f"{f'area of {title}' if title else 'borough'}"
    )
    if wgs and np.isfinite(lat) and np.isfinite(lon):
        sx, sy = wgs84_to_bng([lat], [lon])
        if point_boroughs(sx, sy, boroughs)[0][0] is not None:
            reason += "; longitude and latitude look swapped"
    value = f"{lon:g}, {lat:g}" if wgs else f"{x:g}, {y:g}"
    return Finding("error", row, "coordinates", value, reason)


def point_boroughs(
    x_m: Floats, y_m: Floats, boroughs: gpd.GeoDataFrame
) -> tuple[list[str | None], dict[int, float]]:
    """GSS code of the borough containing each point, or None.

    A point within :data:`SNAP_DISTANCE_M` of a borough is snapped to it; a point in
    a gap of the region (the Thames) goes to the nearest borough and is listed in
    the returned {position: distance [m]}.
    """
    codes: list[str | None] = [None] * len(x_m)
    gaps: dict[int, float] = {}
    ok = np.flatnonzero(np.isfinite(x_m) & np.isfinite(y_m))
    if not len(ok):
        return codes, gaps
    gss = boroughs["gss_code"].to_numpy()
    polygons = np.asarray(boroughs.geometry.values)
    tree = shapely.STRtree(polygons)
    # Points are made a chunk at a time: a million at once would hold some 200 MB.
    for start in range(0, len(ok), POINT_CHUNK_ROWS):
        part = ok[start : start + POINT_CHUNK_ROWS]
        hit_pt, hit_poly = tree.query(shapely.points(x_m[part], y_m[part]), predicate="intersects")
        for p, b in zip(hit_pt[::-1], hit_poly[::-1], strict=True):  # first match wins
            codes[part[p]] = str(gss[b])
    miss = np.array([i for i in ok if codes[i] is None], dtype=int)
    if len(miss):
        near_pt, near_poly = tree.query_nearest(
            shapely.points(x_m[miss], y_m[miss]), max_distance=SNAP_DISTANCE_M, all_matches=False
        )
        for p, b in zip(near_pt, near_poly, strict=True):
            codes[miss[p]] = str(gss[b])
    miss = np.array([i for i in ok if codes[i] is None], dtype=int)
    if len(miss):
        region = shapely.union_all(polygons)
        closed = region.buffer(GAP_CLOSING_M, quad_segs=4).buffer(-GAP_CLOSING_M, quad_segs=4)
        pts = shapely.points(x_m[miss], y_m[miss])
        inside = shapely.contains_xy(closed, x_m[miss], y_m[miss])
        if inside.any():
            near_pt, near_poly = tree.query_nearest(pts[inside], return_distance=False)
            sel = miss[inside]
            for p, b in zip(near_pt, near_poly, strict=True):
                codes[sel[p]] = str(gss[b])
                gaps[int(sel[p])] = float(shapely.distance(pts[inside][p], polygons[b]))
    return codes, gaps


def _name_key(name: str) -> str:
    text = name.lower().replace("&", " and ")
    text = re.sub(r"\bcity of westminster\b", "westminster", text)
    text = re.sub(r"\b(london borough of|royal borough of)\b", " ", text)
    text = re.sub(r"\b(council|borough|lb|rb)\b", " ", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip() or name.lower()


@dataclass(frozen=True)
class BoroughIndex:
    """Borough lookup by GSS code or name (case-insensitive, 'London Borough of' etc. dropped)."""

    names: Mapping[str, str]  # code -> name
    keys: Mapping[str, str]  # code or name key -> code

    @classmethod
    def of(cls, boroughs: pd.DataFrame) -> BoroughIndex:
        """Index a borough table with ``gss_code`` and ``name`` columns."""
        names = dict(
            zip(boroughs["gss_code"].astype(str), boroughs["name"].astype(str), strict=True)
        )
        keys = {code.lower(): code for code in names}
        keys.update({_name_key(name): code for code, name in names.items()})
        if "E09000033" in names:
            keys["westminster"] = "E09000033"
        return cls(names, keys)

    def resolve(self, text: str) -> str | None:
        """The GSS code for a code or name, or None."""
        return self.keys.get(text.strip().lower()) or self.keys.get(_name_key(text))

    def suggest(self, text: str) -> str:
        """Nearest borough names to an unknown one."""
        choices = {_name_key(n): n for n in self.names.values()}
        key = _name_key(text)
        near = [k for k in choices if key and k.startswith(key)][:3]
        near = near or difflib.get_close_matches(key, list(choices), n=3, cutoff=0.5)
        return ", ".join(choices[k] for k in near) or "none close"

    def operator(self, code: str) -> str:
        """Default operator of a council camera in borough ``code``."""
        name = self.names[code]
        special = {
            "E09000001": "City of London Corporation",
            "E09000033": "Westminster City Council",
        }
        return special.get(code, f"{name} Council")
