"""Image-detail levels and how far a camera reaches each one.

The levels and their pixel densities are those of BS EN 62676-4:2015; the
distances follow the camera-calculator geometry that design tools share
(``docs/domain-research.md`` §1.1 and §1.3). Every function is numpy-vectorised:
scalars and arrays go through one code path, and a scalar input gives a 0-d
array back (``float()`` it if a Python number is wanted).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cctvscope.model.assumptions import Assumptions

FloatArray = npt.NDArray[np.float64]

#: Assumptions-file key of the default cap on credited distance.
USABLE_RANGE_KEY = "coverage.usable_range_m"
#: Assumptions-file key of the field of view PTZ cameras are credited at.
PTZ_TASKED_HFOV_KEY = "coverage.ptz_tasked_hfov_deg"


class DetailLevel(enum.Enum):
    """Image-detail levels of BS EN 62676-4:2015, valued in px/m at the object.

    Ordered coarse to fine; iteration follows that order. The standard's table
    gives pixel density on the object plane; 1 px/m = one pixel per metre.
    """

    MONITOR = 12.5
    DETECT = 25.0
    OBSERVE = 62.5
    RECOGNISE = 125.0
    IDENTIFY = 250.0
    INSPECT = 1000.0

    @property
    def px_per_m(self) -> float:
        """Required pixel density at the object [px/m]."""
        return float(self.value)

    @property
    def label(self) -> str:
        """Lower-case name used in frames and reports (``"detect"``)."""
        return self.name.lower()


def _f64(x: npt.ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def _scene_width_per_distance(hfov_deg: npt.ArrayLike) -> FloatArray:
    """Scene width per metre of distance: 2·tan(HFOV/2) (rectilinear lens).

    Fields of view of 180° or more cannot come from a rectilinear lens; those
    cameras are fisheye (panoramic) and are modelled as equidistant, whose
    image spreads its pixels along the arc: width per metre = HFOV in radians.
    """
    h = _f64(hfov_deg)
    if np.any((h <= 0) | (h > 360) | ~np.isfinite(h)):
        raise ValueError("hfov_deg must lie in (0, 360]")
    half = np.radians(np.minimum(h, 179.0)) / 2.0
    return np.where(h < 180.0, 2.0 * np.tan(half), np.radians(h))


def hfov_from_lens_deg(
    sensor_width_mm: npt.ArrayLike, focal_length_mm: npt.ArrayLike
) -> FloatArray:
    """Horizontal field of view of a rectilinear lens, HFOV = 2·atan(w / 2f).

    Camera-calculator formula (``domain-research.md`` §1.3, as in the
    PanoptiCity README): a 1/3" sensor (4.8 mm) behind a 2.8 mm lens gives 81.2°.

    Parameters
    ----------
    sensor_width_mm, focal_length_mm
        Sensor width and focal length [mm], both positive.

    Returns
    -------
    numpy.ndarray
        HFOV [°].
    """
    w = _f64(sensor_width_mm)
    f = _f64(focal_length_mm)
    if np.any(w <= 0) or np.any(f <= 0):
        raise ValueError("sensor width and focal length must be positive")
    return np.degrees(2.0 * np.arctan(w / (2.0 * f)))


def pixel_density_px_per_m(
    resolution_h_px: npt.ArrayLike, hfov_deg: npt.ArrayLike, distance_m: npt.ArrayLike
) -> FloatArray:
    """Pixel density at a distance, PPM = N / (2·D·tan(HFOV/2)).

    The horizontal pixels spread over the scene width at distance D; the
    density is what BS EN 62676-4:2015 (Annex on image-detail levels) grades.
    Distance 0 gives infinity.

    Parameters
    ----------
    resolution_h_px
        Horizontal resolution N [px].
    hfov_deg
        Horizontal field of view [°].
    distance_m
        Distance D from the camera to the object plane [m], non-negative.

    Returns
    -------
    numpy.ndarray
        Pixel density [px/m].
    """
    n = _f64(resolution_h_px)
    d = _f64(distance_m)
    if np.any(d < 0):
        raise ValueError("distance_m must be non-negative")
    with np.errstate(divide="ignore"):
        return n / (d * _scene_width_per_distance(hfov_deg))


def detail_distance_m(
    resolution_h_px: npt.ArrayLike,
    hfov_deg: npt.ArrayLike,
    px_per_m: npt.ArrayLike,
    usable_range_m: npt.ArrayLike | None = None,
) -> FloatArray:
    """Furthest distance a required pixel density is met, D = N / (2·PPM·tan(HFOV/2)).

    The DORI-distance formula of camera calculators (``domain-research.md``
    §1.3) applied to the BS EN 62676-4:2015 levels. Optical reach alone
    overstates what a camera credits at night or in poor light, so an optional
    ``usable_range_m`` caps it (see :func:`assumed_usable_range_m`).

    Parameters
    ----------
    resolution_h_px
        Horizontal resolution N [px].
    hfov_deg
        Horizontal field of view [°].
    px_per_m
        Required pixel density [px/m], e.g. ``DetailLevel.DETECT.px_per_m``.
    usable_range_m
        Cap on the distance [m]; ``None`` for no cap.

    Returns
    -------
    numpy.ndarray
        Distance [m].
    """
    ppm = _f64(px_per_m)
    if np.any(ppm <= 0):
        raise ValueError("px_per_m must be positive")
    d = _f64(resolution_h_px) / (ppm * _scene_width_per_distance(hfov_deg))
    if usable_range_m is not None:
        d = np.minimum(d, _f64(usable_range_m))
    return d


def zoomed_hfov_deg(hfov_deg: npt.ArrayLike, zoom: npt.ArrayLike) -> FloatArray:
    """HFOV of a zoom lens at a zoom ratio: tan(HFOV_z/2) = tan(HFOV/2) / zoom.

    Optical zoom multiplies the focal length, so the half-angle tangent shrinks
    by the ratio (HFOV = 2·atan(w / 2f), ``domain-research.md`` §1.3).
    """
    z = _f64(zoom)
    if np.any(z < 1):
        raise ValueError("zoom must be at least 1")
    return np.degrees(2.0 * np.arctan(_scene_width_per_distance(hfov_deg) / (2.0 * z)))


def tasked_hfov_deg(
    hfov_deg: npt.ArrayLike, zoom: npt.ArrayLike, tasked_deg: npt.ArrayLike
) -> FloatArray:
    """HFOV a PTZ camera is credited at: the tasked field of view, within what its lens
    can do (no wider than its widest angle, no narrower than fully zoomed).

    >>> round(float(tasked_hfov_deg(60.0, 30.0, 30.0)), 6)
    30.0
    >>> round(float(tasked_hfov_deg(60.0, 1.0, 30.0)), 6)  # no zoom: its widest angle
    60.0
    """
    h = _f64(hfov_deg)
    return np.clip(_f64(tasked_deg), zoomed_hfov_deg(h, zoom), h)


@dataclass(frozen=True, slots=True)
class PtzReach:
    """Reach of a PTZ camera for one required density.

    ``wide_m`` is the reach at the widest angle, which the camera holds while
    it sweeps; ``zoomed_m`` is the reach fully zoomed in, along one bearing at
    a time only. They are reported apart because they are different claims.
    """

    wide_m: FloatArray
    zoomed_m: FloatArray


def ptz_reach_m(
    resolution_h_px: npt.ArrayLike,
    hfov_deg: npt.ArrayLike,
    zoom: npt.ArrayLike,
    px_per_m: npt.ArrayLike,
    usable_range_m: npt.ArrayLike | None = None,
) -> PtzReach:
    """Reach at the widest angle and fully zoomed (see :class:`PtzReach`).

    Both use :func:`detail_distance_m`; the zoomed one with the HFOV narrowed
    by :func:`zoomed_hfov_deg`. A fixed camera (zoom 1) gets equal values.
    Both arrays have the broadcast shape of all inputs.
    """
    wide = detail_distance_m(resolution_h_px, hfov_deg, px_per_m, usable_range_m)
    zoomed = detail_distance_m(
        resolution_h_px, zoomed_hfov_deg(hfov_deg, zoom), px_per_m, usable_range_m
    )
    wide, zoomed = (np.array(a) for a in np.broadcast_arrays(wide, zoomed))
    return PtzReach(wide_m=wide, zoomed_m=zoomed)


def assumed_usable_range_m(assumptions: Assumptions) -> float:
    """Cap on credited distance [m]: the ``coverage.usable_range_m`` entry of ``assumptions``."""
    return float(assumptions.value(USABLE_RANGE_KEY))


def assumed_ptz_tasked_hfov_deg(assumptions: Assumptions) -> float:
    """Tasked PTZ field of view [°]: the ``coverage.ptz_tasked_hfov_deg`` entry."""
    return float(assumptions.value(PTZ_TASKED_HFOV_KEY))
