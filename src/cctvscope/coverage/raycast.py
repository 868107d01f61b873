"""Compiled visibility: ray fans cast against building edges, and coverage painted on a grid.

The exact polygon method of :mod:`cctvscope.coverage.occlusion` builds a shadow
polygon per building edge and subtracts their union from the wedge; it is the
reference, but it runs at hundreds of cameras a second. Here every camera casts a
fan of rays at a fixed angular step (0.5° by default) and each ray stops at the
nearest building edge it meets or at the camera's reach. The visible region is
the fan polygon (camera, then the ray ends in angular order); its area is
Σ ½·dₖ·dₖ₊₁·sin Δθ, and clipping it at a level's reach is min(dₖ, r).

Edges are bucketed on a uniform grid, only front faces within reach are kept,
and each edge updates only the rays inside its angular span, so the work per
camera is proportional to the edges near it and the rays they shadow. When only
areas are wanted, :func:`visible_areas_m2` casts each fan into scratch space and
sums its area at every level at once, keeping no rays; it is the same arithmetic
as :func:`cast_ray_fans` then :func:`fan_areas_m2`. Building
rings are oriented (exteriors anticlockwise, holes clockwise) so the building
always lies to the left of an edge: a face is seen from its right side only.

Area error against the exact polygon comes from shadow boundaries falling
between two rays: the chord from a short ray to a long one cuts the corner, so
the fan slightly understates visible area (about Δθ·(R−d)²/4 per boundary; in
``benchmarks/coverage.py`` −0.3 % to −0.5 % in total, under 1 % per camera on
average). The fan polygon, its area and the painted grid all use the same
chords, so every output agrees with every other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt
import shapely

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Default angular step between rays [°].
RAY_STEP_DEG = 0.5
#: Default edge-bucket size [m].
EDGE_CELL_M = 16.0
_TWO_PI = 2.0 * math.pi
#: Rays this close to an edge's angular span [rad] are tried: five times the error of
#: the polynomial atan2 (:func:`fast_atan2`).
_BEARING_TOL_RAD = 1e-4


@dataclass(frozen=True)
class EdgeGrid:
    """Building edges (start → end, building on the left) bucketed on a uniform grid."""

    x0_m: float
    y0_m: float
    cell_m: float
    nx: int
    ny: int
    start_xy: FloatArray
    end_xy: FloatArray
    cell_ptr: IntArray
    cell_edges: IntArray
    # Per listing (bucket order), so a fan reads its buckets' edges in one stream:
    # start x, y, direction x, y and 1/|direction|² (0 for a point) ...
    cell_seg: FloatArray
    # ... and the first bucket (gx, gy) of the edge's box, where a fan whose box
    # holds several of the edge's buckets takes it, once.
    cell_first: IntArray

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return int(self.start_xy.shape[0])


def polygon_edges(polygons: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Start and end points of every ring edge, oriented with the polygon on the left."""
    geoms = np.asarray(polygons, dtype=object)
    parts = shapely.get_parts(shapely.make_valid(geoms)) if geoms.size else geoms
    if parts.size:
        parts = parts[shapely.get_type_id(parts) == 3]
        parts = parts[~shapely.is_empty(parts)]
    if parts.size == 0:
        empty = np.zeros((0, 2))
        return empty, empty.copy()
    oriented = shapely.orient_polygons(parts, exterior_cw=False)
    rings = shapely.get_rings(oriented)
    coords, ring_idx = shapely.get_coordinates(rings, return_index=True)
    same = ring_idx[1:] == ring_idx[:-1]
    return coords[:-1][same].copy(), coords[1:][same].copy()


def edge_grid(
    polygons: npt.ArrayLike, *, cell_m: float = EDGE_CELL_M, pad_m: float = 0.0
) -> EdgeGrid:
    """Bucket the edges of building footprints on a grid of ``cell_m`` squares.

    An edge is listed in every bucket its bounding box touches. ``pad_m`` widens
    the grid beyond the edges so that cameras near the scene still index into it.
    """
    start, end = polygon_edges(polygons)
    if start.shape[0] == 0:
        none = np.zeros(0, np.int64)
        return EdgeGrid(
            0.0,
            0.0,
            cell_m,
            1,
            1,
            start,
            end,
            np.zeros(2, np.int64),
            none,
            np.zeros((0, 5)),
            np.zeros((0, 2), np.int64),
        )
    lo = np.minimum(start, end).min(axis=0) - pad_m
    hi = np.maximum(start, end).max(axis=0) + pad_m
    nx = int(np.ceil((hi[0] - lo[0]) / cell_m)) + 1
    ny = int(np.ceil((hi[1] - lo[1]) / cell_m)) + 1
    ptr, edges, seg, first = _bucket_edges(
        start, end, float(lo[0]), float(lo[1]), float(cell_m), nx, ny
    )
    return EdgeGrid(
        float(lo[0]), float(lo[1]), float(cell_m), nx, ny, start, end, ptr, edges, seg, first
    )


@numba.njit(cache=True, nogil=True)
def _bucket_edges(
    start: FloatArray, end: FloatArray, x0: float, y0: float, cell: float, nx: int, ny: int
) -> tuple[IntArray, IntArray, FloatArray, IntArray]:  # pragma: no cover - compiled
    """Bucket pointers, then per listing: edge, segment row and first bucket (EdgeGrid)."""
    n = start.shape[0]
    counts = np.zeros(nx * ny + 1, np.int64)
    for pass_ in range(2):
        if pass_ == 1:
            ptr = np.zeros(nx * ny + 1, np.int64)
            for c in range(nx * ny):
                ptr[c + 1] = ptr[c] + counts[c]
            fill = ptr[:-1].copy()
            out = np.empty(ptr[-1], np.int64)
            seg = np.empty((ptr[-1], 5))
            first = np.empty((ptr[-1], 2), np.int64)
        for e in range(n):
            ax0 = int((min(start[e, 0], end[e, 0]) - x0) // cell)
            ax1 = int((max(start[e, 0], end[e, 0]) - x0) // cell)
            ay0 = int((min(start[e, 1], end[e, 1]) - y0) // cell)
            ay1 = int((max(start[e, 1], end[e, 1]) - y0) // cell)
            ex = end[e, 0] - start[e, 0]
            ey = end[e, 1] - start[e, 1]
            ee = ex * ex + ey * ey
            for gy in range(max(ay0, 0), min(ay1, ny - 1) + 1):
                for gx in range(max(ax0, 0), min(ax1, nx - 1) + 1):
                    c = gy * nx + gx
                    if pass_ == 0:
                        counts[c] += 1
                        continue
                    p = fill[c]
                    out[p] = e
                    seg[p, 0] = start[e, 0]
                    seg[p, 1] = start[e, 1]
                    seg[p, 2] = ex
                    seg[p, 3] = ey
                    seg[p, 4] = 1.0 / ee if ee > 0.0 else 0.0
                    first[p, 0] = max(ax0, 0)
                    first[p, 1] = max(ay0, 0)
                    fill[c] += 1
    return ptr, out, seg, first


@dataclass(frozen=True)
class RayFans:
    """One fan of rays per camera, stored flat.

    Camera i has ``n_rays[i]`` rays at compass bearings ``start_rad[i] + k·step_rad[i]``;
    their visible lengths are ``distance_m[offset[i]:offset[i + 1]]``. A full-circle
    fan (PTZ) closes on itself; a sector fan has its apex at the camera.
    """

    x_m: FloatArray
    y_m: FloatArray
    start_rad: FloatArray
    step_rad: FloatArray
    n_rays: IntArray
    full: npt.NDArray[np.bool_]
    offset: IntArray
    distance_m: FloatArray
    in_building: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.x_m.shape[0])


def fan_layout(
    heading_deg: npt.ArrayLike, fov_deg: npt.ArrayLike, step_deg: float = RAY_STEP_DEG
) -> tuple[FloatArray, FloatArray, IntArray, npt.NDArray[np.bool_]]:
    """Start bearing, step [rad], ray count and full-circle flag of each camera's fan."""
    if step_deg <= 0:
        raise ValueError("step_deg must be positive")
    fov = np.asarray(fov_deg, dtype=np.float64)
    heading = np.asarray(heading_deg, dtype=np.float64)
    full = fov >= 360.0
    n_sector = np.maximum(2, np.ceil(np.minimum(fov, 360.0) / step_deg).astype(np.int64) + 1)
    n_full = np.ceil(360.0 / step_deg).astype(np.int64)
    n = np.where(full, n_full, n_sector).astype(np.int64)
    step = np.where(full, _TWO_PI / n, np.radians(np.minimum(fov, 360.0)) / (n - 1))
    start = np.where(full, 0.0, np.radians(heading - fov / 2.0))
    return np.mod(start, _TWO_PI), step, n, full


def cast_ray_fans(
    x_m: npt.ArrayLike,
    y_m: npt.ArrayLike,
    heading_deg: npt.ArrayLike,
    fov_deg: npt.ArrayLike,
    range_m: npt.ArrayLike,
    edges: EdgeGrid,
    *,
    in_building: npt.ArrayLike | None = None,
    step_deg: float = RAY_STEP_DEG,
) -> RayFans:
    """Cast each camera's fan against the building edges; rays stop at the first face.

    Parameters
    ----------
    x_m, y_m
        Camera position [m], EPSG:27700.
    heading_deg, fov_deg
        Compass bearing of the view axis and opening [°]; an opening of 360° or
        more is a full circle (PTZ at its widest angle).
    range_m
        Reach [m]: rays that meet no face end here.
    edges
        Building edges from :func:`edge_grid`.
    in_building
        Cameras strictly inside a footprint; they see nothing (all rays 0).
    step_deg
        Angular step between rays [°].
    """
    x, y, rng, start, step, n, full, inside = _fan_inputs(
        x_m, y_m, heading_deg, fov_deg, range_m, in_building, step_deg
    )
    offset = np.zeros(x.shape[0] + 1, np.int64)
    np.cumsum(n, out=offset[1:])
    dist = np.empty(int(offset[-1]), np.float64)
    no_levels = np.zeros((x.shape[0], 0))
    _cast(x, y, start, step, n, full, offset, rng, inside, _grid(edges), no_levels, no_levels, dist)
    return RayFans(x, y, start, step, n, full, offset, dist, inside)


def visible_areas_m2(
    x_m: npt.ArrayLike,
    y_m: npt.ArrayLike,
    heading_deg: npt.ArrayLike,
    fov_deg: npt.ArrayLike,
    radius_m: npt.ArrayLike,
    edges: EdgeGrid,
    *,
    in_building: npt.ArrayLike | None = None,
    step_deg: float = RAY_STEP_DEG,
) -> FloatArray:
    """Visible area of each camera's fan within each radius [m²], shape (n, L).

    The same numbers as ``fan_areas_m2(cast_ray_fans(..., range_m=radius_m.max(1)),
    radius_m)`` in one compiled pass: each fan is cast into a scratch buffer and
    measured at every radius while it is in cache, and no rays are kept. For
    callers that need only areas (the six detail levels of a camera estate).
    """
    x = np.ascontiguousarray(x_m, dtype=np.float64)
    r = np.ascontiguousarray(np.broadcast_to(radius_m, (x.shape[0], np.shape(radius_m)[-1])))
    r = r.astype(np.float64, copy=False)
    x, y, rng, start, step, n, full, inside = _fan_inputs(
        x, y_m, heading_deg, fov_deg, r.max(axis=1, initial=0.0), in_building, step_deg
    )
    offset = np.zeros(x.shape[0] + 1, np.int64)
    np.cumsum(n, out=offset[1:])
    areas = np.zeros_like(r)
    _cast(x, y, start, step, n, full, offset, rng, inside, _grid(edges), r, areas, np.empty(0))
    return areas


_FanInputs = tuple[
    FloatArray,
    FloatArray,
    FloatArray,
    FloatArray,
    FloatArray,
    IntArray,
    npt.NDArray[np.bool_],
    npt.NDArray[np.bool_],
]
_Grid = tuple[float, float, float, int, int, IntArray, FloatArray, IntArray]


def _fan_inputs(
    x_m: npt.ArrayLike,
    y_m: npt.ArrayLike,
    heading_deg: npt.ArrayLike,
    fov_deg: npt.ArrayLike,
    range_m: npt.ArrayLike,
    in_building: npt.ArrayLike | None,
    step_deg: float,
) -> _FanInputs:
    """Contiguous float64 positions and reach, fan layout and in-building flags."""
    x = np.ascontiguousarray(x_m, dtype=np.float64)
    y = np.ascontiguousarray(y_m, dtype=np.float64)
    rng = np.ascontiguousarray(np.broadcast_to(range_m, x.shape), dtype=np.float64)
    start, step, n, full = fan_layout(
        np.broadcast_to(heading_deg, x.shape), np.broadcast_to(fov_deg, x.shape), step_deg
    )
    inside = (
        np.zeros(x.shape[0], np.bool_)
        if in_building is None
        else np.ascontiguousarray(in_building, dtype=np.bool_)
    )
    return x, y, rng, start, step, n, full, inside


def _grid(edges: EdgeGrid) -> _Grid:
    return (
        edges.x0_m,
        edges.y0_m,
        edges.cell_m,
        edges.nx,
        edges.ny,
        edges.cell_ptr,
        edges.cell_seg,
        edges.cell_first,
    )


@numba.njit(cache=True, nogil=True)
def _cast(
    cx_all: FloatArray,
    cy_all: FloatArray,
    start: FloatArray,
    step: FloatArray,
    n_rays: IntArray,
    full: npt.NDArray[np.bool_],
    offset: IntArray,
    rng: FloatArray,
    inside: npt.NDArray[np.bool_],
    grid: _Grid,
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
    grid: _Grid,
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
                # Bearings to the ends from a polynomial (error < _BEARING_TOL_RAD): the
                # rays within the tolerance of the span are tried and each checks
                # exactly that it meets the segment (0 ≤ u ≤ 1).
                ra = _wrap(fast_atan2(ax, ay) - a0)
                rb = _wrap(fast_atan2(ax + ex, ay + ey) - a0)
                w = _wrap(rb - ra)
                lo = ra
                if w > math.pi:
                    lo = rb
                    w = two_pi - w
                lo -= _BEARING_TOL_RAD
                w += 2.0 * _BEARING_TOL_RAD
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


def fan_areas_m2(fans: RayFans, radius_m: npt.ArrayLike) -> FloatArray:
    """Area of each camera's fan polygon clipped at radius [m²].

    ``radius_m`` is one radius per camera, shape (n,), or one per camera and level,
    shape (n, L); the result has the same shape.
    """
    r = np.atleast_1d(np.asarray(radius_m, dtype=np.float64))
    if r.size == 1 and len(fans) != 1:
        r = np.full(len(fans), float(r[0]))
    two_d = r.ndim == 2
    r2 = r if two_d else r[:, None]
    r2 = np.ascontiguousarray(np.broadcast_to(r2, (len(fans), r2.shape[1])))
    out = np.zeros_like(r2)
    _fan_areas(fans.step_rad, fans.n_rays, fans.full, fans.offset, fans.distance_m, r2, out)
    return out if two_d else out[:, 0]


@numba.njit(cache=True, nogil=True)
def _fan_areas(
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


def fan_polygons(fans: RayFans, radius_m: npt.ArrayLike | None = None) -> npt.NDArray[np.object_]:
    """Fan polygons (EPSG:27700), optionally clipped at a radius per camera [m].

    A camera that sees nothing gives an empty polygon.
    """
    n = len(fans)
    r = (
        np.full(n, np.inf)
        if radius_m is None
        else np.broadcast_to(np.asarray(radius_m, dtype=np.float64), (n,))
    )
    out = np.empty(n, dtype=object)
    for i in range(n):
        o, k = int(fans.offset[i]), int(fans.n_rays[i])
        d = np.minimum(fans.distance_m[o : o + k], r[i])
        if not np.any(d > 0):
            out[i] = shapely.Polygon()
            continue
        th = fans.start_rad[i] + np.arange(k) * fans.step_rad[i]
        px = fans.x_m[i] + d * np.sin(th)
        py = fans.y_m[i] + d * np.cos(th)
        if not fans.full[i]:
            px = np.concatenate([[fans.x_m[i]], px])
            py = np.concatenate([[fans.y_m[i]], py])
        out[i] = shapely.make_valid(shapely.Polygon(np.column_stack([px, py])))
    return out
