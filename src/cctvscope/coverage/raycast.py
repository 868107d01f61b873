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

from cctvscope.coverage.fan_kernels import Grid, cast_kernel, fan_areas_kernel

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
    cast_kernel(
        x, y, start, step, n, full, offset, rng, inside, _grid(edges), no_levels, no_levels, dist
    )
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
    """Visible area of each camera's fan within each radius [m²].

    ``radius_m`` is one radius per camera, shape (n,), or one per camera and level,
    shape (n, L); the result has the same shape.

    The same numbers as ``fan_areas_m2(cast_ray_fans(..., range_m=radius_m.max(1)),
    radius_m)`` in one compiled pass: each fan is cast into a scratch buffer and
    measured at every radius while it is in cache, and no rays are kept. For
    callers that need only areas (the six detail levels of a camera estate).
    """
    x = np.ascontiguousarray(x_m, dtype=np.float64)
    r, two_d = _radii(radius_m, x.shape[0])
    x, y, rng, start, step, n, full, inside = _fan_inputs(
        x, y_m, heading_deg, fov_deg, r.max(axis=1, initial=0.0), in_building, step_deg
    )
    offset = np.zeros(x.shape[0] + 1, np.int64)
    np.cumsum(n, out=offset[1:])
    areas = np.zeros_like(r)
    cast_kernel(
        x, y, start, step, n, full, offset, rng, inside, _grid(edges), r, areas, np.empty(0)
    )
    return areas if two_d else areas[:, 0]


def _radii(radius_m: npt.ArrayLike, n: int) -> tuple[FloatArray, bool]:
    """Radii as a contiguous (n, L) array, and whether they came as (n, L) (else (n,))."""
    r = np.atleast_1d(np.asarray(radius_m, dtype=np.float64))
    if r.size == 1 and n != 1:
        r = np.full(n, float(r[0]))
    two_d = r.ndim == 2
    r2 = r if two_d else r[:, None]
    return np.ascontiguousarray(np.broadcast_to(r2, (n, r2.shape[1]))), two_d


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


def _grid(edges: EdgeGrid) -> Grid:
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


def fan_areas_m2(fans: RayFans, radius_m: npt.ArrayLike) -> FloatArray:
    """Area of each camera's fan polygon clipped at radius [m²].

    ``radius_m`` is one radius per camera, shape (n,), or one per camera and level,
    shape (n, L); the result has the same shape.
    """
    r2, two_d = _radii(radius_m, len(fans))
    out = np.zeros_like(r2)
    fan_areas_kernel(fans.step_rad, fans.n_rays, fans.full, fans.offset, fans.distance_m, r2, out)
    return out if two_d else out[:, 0]


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
