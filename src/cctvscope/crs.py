"""Coordinate reference systems: WGS84 <-> British National Grid (EPSG:27700).

All geometry in cctvscope is computed in metres on the British National Grid.
pyproj here has no OSTN15 grid, so it uses the Helmert "OSGB36 to WGS 84 (6)"
transformation, good to about 2 m over London. pyproj's network access is never
enabled: with no network it silently returns infinities.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from pyproj import Transformer

WGS84 = "EPSG:4326"
BNG = "EPSG:27700"

#: Bounding box of Great Britain on the British National Grid [m] (OS grid extent).
BNG_BOUNDS_M = (0.0, 0.0, 700_000.0, 1_300_000.0)


@cache
def _transformer(src: str, dst: str) -> Transformer:
    from pyproj import Transformer  # on first use: a cached police search never needs it

    return Transformer.from_crs(src, dst, always_xy=True)


def wgs84_to_bng(
    lon_deg: npt.ArrayLike, lat_deg: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Transform WGS84 longitude/latitude [°] to BNG easting/northing [m]."""
    x, y = _transformer(WGS84, BNG).transform(
        np.asarray(lon_deg, dtype=float), np.asarray(lat_deg, dtype=float)
    )
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def bng_to_wgs84(
    x_m: npt.ArrayLike, y_m: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Transform BNG easting/northing [m] to WGS84 longitude/latitude [°]."""
    lon, lat = _transformer(BNG, WGS84).transform(
        np.asarray(x_m, dtype=float), np.asarray(y_m, dtype=float)
    )
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def looks_like_wgs84(a: npt.ArrayLike, b: npt.ArrayLike) -> bool:
    """True when every (a, b) pair is a plausible longitude/latitude pair [°].

    Used to tell WGS84 from British National Grid input: BNG eastings and
    northings are never both inside the ranges of longitude and latitude.
    """
    aa = np.asarray(a, dtype=float)
    bb = np.asarray(b, dtype=float)
    ok = np.isfinite(aa) & np.isfinite(bb)
    if not ok.any():
        return False
    return bool(np.all((np.abs(aa[ok]) <= 180.0) & (np.abs(bb[ok]) <= 90.0)))
