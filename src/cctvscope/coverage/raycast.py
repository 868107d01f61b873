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
camera is proportional to the edges near it and the rays they shadow. Building
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
        return EdgeGrid(
            0.0, 0.0, cell_m, 1, 1, start, end, np.zeros(2, np.int64), np.zeros(0, np.int64)
        )
    lo = np.minimum(start, end).min(axis=0) - pad_m
    hi = np.maximum(start, end).max(axis=0) + pad_m
    nx = int(np.ceil((hi[0] - lo[0]) / cell_m)) + 1
    ny = int(np.ceil((hi[1] - lo[1]) / cell_m)) + 1
    ptr, edges = _bucket_edges(start, end, float(lo[0]), float(lo[1]), float(cell_m), nx, ny)
    return EdgeGrid(float(lo[0]), float(lo[1]), float(cell_m), nx, ny, start, end, ptr, edges)


@numba.njit(cache=True, nogil=True)
def _bucket_edges(
    start: FloatArray, end: FloatArray, x0: float, y0: float, cell: float, nx: int, ny: int
) -> tuple[IntArray, IntArray]:  # pragma: no cover - compiled
    n = start.shape[0]
    counts = np.zeros(nx * ny + 1, np.int64)
    for pass_ in range(2):
        if pass_ == 1:
            ptr = np.zeros(nx * ny + 1, np.int64)
            for c in range(nx * ny):
                ptr[c + 1] = ptr[c] + counts[c]
            fill = ptr[:-1].copy()
            out = np.empty(ptr[-1], np.int64)
        for e in range(n):
            ax0 = int((min(start[e, 0], end[e, 0]) - x0) // cell)
            ax1 = int((max(start[e, 0], end[e, 0]) - x0) // cell)
            ay0 = int((min(start[e, 1], end[e, 1]) - y0) // cell)
            ay1 = int((max(start[e, 1], end[e, 1]) - y0) // cell)
            for gy in range(max(ay0, 0), min(ay1, ny - 1) + 1):
                for gx in range(max(ax0, 0), min(ax1, nx - 1) + 1):
                    c = gy * nx + gx
                    if pass_ == 0:
                        counts[c] += 1
                    else:
                        out[fill[c]] = e
                        fill[c] += 1
    return ptr, out


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
    x = np.ascontiguousarray(x_m, dtype=np.float64)
    y = np.ascontiguousarray(y_m, dtype=np.float64)
    rng = np.ascontiguousarray(np.broadcast_to(range_m, x.shape), dtype=np.float64)
    start, step, n, full = fan_layout(
        np.broadcast_to(heading_deg, x.shape), np.broadcast_to(fov_deg, x.shape), step_deg
    )
    offset = np.zeros(x.shape[0] + 1, np.int64)
    np.cumsum(n, out=offset[1:])
    inside = (
        np.zeros(x.shape[0], np.bool_)
        if in_building is None
        else np.ascontiguousarray(in_building, dtype=np.bool_)
    )
    dist = np.empty(int(offset[-1]), np.float64)
    _cast(
        x,
        y,
        start,
        step,
        n,
        offset,
        rng,
        inside,
        edges.start_xy,
        edges.end_xy,
        edges.x0_m,
        edges.y0_m,
        edges.cell_m,
        edges.nx,
        edges.ny,
        edges.cell_ptr,
        edges.cell_edges,
        dist,
    )
    return RayFans(x, y, start, step, n, full, offset, dist, inside)


@numba.njit(cache=True, nogil=True)
def _cast(
    cx_all: FloatArray,
    cy_all: FloatArray,
    start: FloatArray,
    step: FloatArray,
    n_rays: IntArray,
    offset: IntArray,
    rng: FloatArray,
    inside: npt.NDArray[np.bool_],
    e0: FloatArray,
    e1: FloatArray,
    gx0: float,
    gy0: float,
    cell: float,
    nx: int,
    ny: int,
    cell_ptr: IntArray,
    cell_edges: IntArray,
    out: FloatArray,
) -> None:  # pragma: no cover - compiled
    stamp = np.full(e0.shape[0], -1, np.int64)
    max_rays = 1
    for i in range(n_rays.shape[0]):
        max_rays = max(max_rays, n_rays[i])
    sin_k = np.empty(max_rays)
    cos_k = np.empty(max_rays)
    two_pi = 2.0 * math.pi
    for i in range(cx_all.shape[0]):
        o = offset[i]
        nr = n_rays[i]
        r = rng[i]
        if inside[i] or r <= 0.0:
            for k in range(nr):
                out[o + k] = 0.0
            continue
        for k in range(nr):
            out[o + k] = r
        if e0.shape[0] == 0:
            continue
        cx = cx_all[i]
        cy = cy_all[i]
        a0 = start[i]
        da = step[i]
        for k in range(nr):
            th = a0 + k * da
            sin_k[k] = math.sin(th)
            cos_k[k] = math.cos(th)
        ix0 = max(int((cx - r - gx0) // cell), 0)
        ix1 = min(int((cx + r - gx0) // cell), nx - 1)
        iy0 = max(int((cy - r - gy0) // cell), 0)
        iy1 = min(int((cy + r - gy0) // cell), ny - 1)
        r2 = r * r
        for gy in range(iy0, iy1 + 1):
            for gx in range(ix0, ix1 + 1):
                c = gy * nx + gx
                for p in range(cell_ptr[c], cell_ptr[c + 1]):
                    e = cell_edges[p]
                    if stamp[e] == i:
                        continue
                    stamp[e] = i
                    ax = e0[e, 0] - cx
                    ay = e0[e, 1] - cy
                    ex = e1[e, 0] - e0[e, 0]
                    ey = e1[e, 1] - e0[e, 1]
                    # Front face only: the camera must lie to the right of the edge.
                    if ex * (-ay) - ey * (-ax) >= 0.0:
                        continue
                    ee = ex * ex + ey * ey
                    t = -(ax * ex + ay * ey) / ee if ee > 0.0 else 0.0
                    t = min(max(t, 0.0), 1.0)
                    px = ax + t * ex
                    py = ay + t * ey
                    if px * px + py * py >= r2:
                        continue
                    ra = (math.atan2(ax, ay) - a0) % two_pi
                    rb = (math.atan2(ax + ex, ay + ey) - a0) % two_pi
                    w = (rb - ra) % two_pi
                    lo = ra
                    if w > math.pi:
                        lo = rb
                        w = two_pi - w
                    for shift in (0.0, two_pi):
                        kmin = max(math.ceil((lo - shift) / da), 0)
                        kmax = min(math.floor((lo + w - shift) / da), nr - 1)
                        for k in range(kmin, kmax + 1):
                            den = sin_k[k] * ey - cos_k[k] * ex
                            if den == 0.0:
                                continue
                            tt = (ax * ey - ay * ex) / den
                            if 0.0 <= tt < out[o + k]:
                                out[o + k] = tt


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
        o = offset[i]
        nr = n_rays[i]
        s = math.sin(step[i])
        for lv in range(radius.shape[1]):
            rr = radius[i, lv]
            acc = 0.0
            for k in range(nr - 1):
                acc += min(dist[o + k], rr) * min(dist[o + k + 1], rr)
            if full[i]:
                acc += min(dist[o + nr - 1], rr) * min(dist[o], rr)
            out[i, lv] = 0.5 * s * acc


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
