"""The compiled kernels of :mod:`cctvscope.coverage.raycast`: casting fans, measuring them.

Plain ``njit`` (one core): the coverage benchmark's cameras per CPU-second are those of
a single thread. A fan's box picks the edge buckets; each bucket lists its edges'
coordinates in one stream, and an edge in several buckets is taken in the first the
box holds. Bearings to an edge's ends come from a polynomial; the rays within its
tolerance of the edge's span are tried, and each checks exactly that it meets the
segment, so the polynomial decides only which rays are tried, never a length. The rays'
sin and cos are rotated from an exact value every 32 rays, and full circles (one
layout) share one table.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
#: An edge grid as the kernels take it: origin x, y, bucket size, nx, ny, bucket
#: pointers, per-listing segment rows and first buckets (see ``EdgeGrid``).
Grid = tuple[float, float, float, int, int, IntArray, FloatArray, IntArray]

#: Rays this close to an edge's angular span [rad] are tried: five times the error of
#: the polynomial atan2 (:func:`fast_atan2`).
BEARING_TOL_RAD = 1e-4


@numba.njit(cache=True, nogil=True)
def cast_kernel(
    cx_all: FloatArray,
    cy_all: FloatArray,
    start: FloatArray,
    step: FloatArray,
    n_rays: IntArray,
    full: npt.NDArray[np.bool_],
    offset: IntArray,
    rng: FloatArray,
    inside: npt.NDArray[np.bool_],
    grid: Grid,
    radius: FloatArray,
    areas: FloatArray,
    out: FloatArray,
) -> None:  # pragma: no cover - compiled
    """Cast every fan; rays go to ``out`` (or, when it is empty, a scratch fan) and
    the fan's area within each ``radius[i, :]`` to ``areas[i, :]``."""
    keep = out.shape[0] > 0
    max_rays = 1
    for i in range(n_rays.shape[0]):
        max_rays = max(max_rays, n_rays[i])
    scratch = np.empty(0 if keep else max_rays)
    sin_k = np.empty(max_rays)
    cos_k = np.empty(max_rays)
    table = (-1.0, -1.0, 0)  # (start, step, rays) the trig table holds
    for i in range(cx_all.shape[0]):
        nr = n_rays[i]
        d = out[offset[i] : offset[i] + nr] if keep else scratch[:nr]
        r = rng[i]
        if inside[i] or r <= 0.0:
            d[:] = 0.0
            areas[i, :] = 0.0
            continue
        d[:] = r
        if grid[6].shape[0] > 0:
            # Full circles share one layout: their table is filled once per call.
            if table[0] != start[i] or table[1] != step[i] or table[2] < nr:
                _ray_table(start[i], step[i], nr, sin_k, cos_k)
                table = (start[i], step[i], nr)
            _trace(cx_all[i], cy_all[i], start[i], step[i], full[i], r, grid, sin_k, cos_k, d)
        for lv in range(radius.shape[1]):
            areas[i, lv] = _clipped_area(d, step[i], full[i], radius[i, lv])


@numba.njit(cache=True, nogil=True)
def _ray_table(
    a0: float, da: float, nr: int, sin_k: FloatArray, cos_k: FloatArray
) -> None:  # pragma: no cover - compiled
    """sin and cos of every ray's bearing: an exact value every 32 rays, rotated between
    (a few ulp of drift instead of two library calls per ray)."""
    sd = math.sin(da)
    cd = math.cos(da)
    for k in range(nr):
        if k % 32 == 0:
            s = math.sin(a0 + k * da)
            c = math.cos(a0 + k * da)
        else:
            s, c = s * cd + c * sd, c * cd - s * sd
        sin_k[k] = s
        cos_k[k] = c


@numba.njit(cache=True, nogil=True)
def _trace(
    cx: float,
    cy: float,
    a0: float,
    da: float,
    full: bool,
    r: float,
    grid: Grid,
    sin_k: FloatArray,
    cos_k: FloatArray,
    d: FloatArray,
) -> None:  # pragma: no cover - compiled
    """Shorten the rays ``d`` of one fan at every front face within reach."""
    gx0, gy0, cell, nx, ny, cell_ptr, seg, first = grid
    nr = d.shape[0]
    two_pi = 2.0 * math.pi
    xmin, xmax, ymin, ymax = _fan_box(cx, cy, a0, da * (nr - 1), r, full)
    ix0 = max(int((xmin - gx0) // cell), 0)
    ix1 = min(int((xmax - gx0) // cell), nx - 1)
    iy0 = max(int((ymin - gy0) // cell), 0)
    iy1 = min(int((ymax - gy0) // cell), ny - 1)
    r2 = r * r
    inv_da = 1.0 / da
    for gy in range(iy0, iy1 + 1):
        for gx in range(ix0, ix1 + 1):
            c = gy * nx + gx
            for p in range(cell_ptr[c], cell_ptr[c + 1]):
                # an edge in several of the box's buckets is taken in the first
                if max(first[p, 0], ix0) != gx or max(first[p, 1], iy0) != gy:
                    continue
                ax = seg[p, 0] - cx
                ay = seg[p, 1] - cy
                ex = seg[p, 2]
                ey = seg[p, 3]
                # Front face only: the camera must lie to the right of the edge.
                if ex * (-ay) - ey * (-ax) >= 0.0:
                    continue
                t = -(ax * ex + ay * ey) * seg[p, 4]
                t = min(max(t, 0.0), 1.0)
                px = ax + t * ex
                py = ay + t * ey
                if px * px + py * py >= r2:
                    continue
                # Bearings to the ends from a polynomial (error < BEARING_TOL_RAD): the
                # rays within the tolerance of the span are tried and each checks
                # exactly that it meets the segment (0 ≤ u ≤ 1).
                ra = _wrap(fast_atan2(ax, ay) - a0)
                rb = _wrap(fast_atan2(ax + ex, ay + ey) - a0)
                w = _wrap(rb - ra)
                lo = ra
                if w > math.pi:
                    lo = rb
                    w = two_pi - w
                lo -= BEARING_TOL_RAD
                w += 2.0 * BEARING_TOL_RAD
                num = ax * ey - ay * ex  # < 0 for a front face
                # The span [lo, lo + w] may run past 2π (or below 0 by the tolerance).
                for shift in (-two_pi, 0.0, two_pi):
                    if (shift < 0.0 and lo >= 0.0) or (shift > 0.0 and lo + w <= two_pi):
                        continue
                    kmin = max(math.ceil((lo - shift) * inv_da), 0)
                    kmax = min(math.floor((lo + w - shift) * inv_da), nr - 1)
                    for k in range(kmin, kmax + 1):
                        # ray t·(sin, cos) meets a + u·e at t = num/den, u = cross/den
                        den = sin_k[k] * ey - cos_k[k] * ex
                        cross = ax * cos_k[k] - ay * sin_k[k]
                        # den < 0: hit from the front; then t < d ⟺ num > d·den
                        if den < 0.0 and den <= cross <= 0.0 and num > d[k] * den:
                            d[k] = num / den


@numba.njit(cache=True, nogil=True)
def _wrap(a: float) -> float:  # pragma: no cover - compiled
    """An angle in (-4π, 4π) brought into [0, 2π) without a library call."""
    two_pi = 2.0 * math.pi
    while a < 0.0:
        a += two_pi
    while a >= two_pi:
        a -= two_pi
    return a


@numba.njit(cache=True, nogil=True)
def fast_atan2(y: float, x: float) -> float:  # pragma: no cover - compiled
    """atan2 by an odd minimax polynomial on [0, 1] and octant folding (|error| < 2e-5 rad).

    Painting evaluates one angle per grid cell and a fan two per edge it meets;
    libm's atan2 dominated both.
    """
    ax = abs(x)
    ay = abs(y)
    if ax == 0.0 and ay == 0.0:
        return 0.0
    swap = ay > ax
    z = ax / ay if swap else ay / ax
    z2 = z * z
    a = z * (
        0.99997726
        + z2
        * (
            -0.33262347
            + z2 * (0.19354346 + z2 * (-0.11643287 + z2 * (0.05265332 - z2 * 0.0117212)))
        )
    )
    if swap:
        a = 0.5 * math.pi - a
    if x < 0.0:
        a = math.pi - a
    return -a if y < 0.0 else a


@numba.njit(cache=True, nogil=True)
def _fan_box(
    cx: float, cy: float, a0: float, span: float, r: float, full: bool
) -> tuple[float, float, float, float]:  # pragma: no cover - compiled
    """Bounding box of a fan of reach ``r``: the camera, the arc's ends and the compass
    points (bearing 0, 90°, 180°, 270°) the arc passes."""
    if full or span >= 2.0 * math.pi:
        return cx - r, cx + r, cy - r, cy + r
    xmin = xmax = cx
    ymin = ymax = cy
    for th in (a0, a0 + span):
        xmin = min(xmin, cx + r * math.sin(th))
        xmax = max(xmax, cx + r * math.sin(th))
        ymin = min(ymin, cy + r * math.cos(th))
        ymax = max(ymax, cy + r * math.cos(th))
    for q in range(4):
        th = q * 0.5 * math.pi
        if (th - a0) % (2.0 * math.pi) <= span:
            xmin = min(xmin, cx + r * math.sin(th))
            xmax = max(xmax, cx + r * math.sin(th))
            ymin = min(ymin, cy + r * math.cos(th))
            ymax = max(ymax, cy + r * math.cos(th))
    return xmin, xmax, ymin, ymax


@numba.njit(cache=True, nogil=True)
def _clipped_area(
    d: FloatArray, step: float, full: bool, rr: float
) -> float:  # pragma: no cover - compiled
    """Area of a fan with its rays clipped at ``rr``: ½·sin Δθ·Σ min(dₖ, rr)·min(dₖ₊₁, rr),
    summed in four interleaved parts so the additions pipeline."""
    nr = d.shape[0]
    acc0 = acc1 = acc2 = acc3 = 0.0
    prev = min(d[0], rr)
    k = 1
    while k + 3 < nr:
        a = min(d[k], rr)
        b = min(d[k + 1], rr)
        c = min(d[k + 2], rr)
        e = min(d[k + 3], rr)
        acc0 += prev * a
        acc1 += a * b
        acc2 += b * c
        acc3 += c * e
        prev = e
        k += 4
    while k < nr:
        a = min(d[k], rr)
        acc0 += prev * a
        prev = a
        k += 1
    if full:
        acc0 += prev * min(d[0], rr)
    return 0.5 * math.sin(step) * ((acc0 + acc1) + (acc2 + acc3))


@numba.njit(cache=True, nogil=True)
def fan_areas_kernel(
    step: FloatArray,
    n_rays: IntArray,
    full: npt.NDArray[np.bool_],
    offset: IntArray,
    dist: FloatArray,
    radius: FloatArray,
    out: FloatArray,
) -> None:  # pragma: no cover - compiled
    for i in range(n_rays.shape[0]):
        d = dist[offset[i] : offset[i + 1]]
        for lv in range(radius.shape[1]):
            out[i, lv] = _clipped_area(d, step[i], full[i], radius[i, lv])
