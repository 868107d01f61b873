"""Coverage on a square grid: how many cameras see each cell, at which detail level, and whose.

Vector unions of tens of thousands of visibility polygons are slow and answer
only "covered or not". Painting each camera's fan onto a grid (1 m cells by
default) gives, per cell and detail level, the number of cameras that see it
and whether public or private cameras do; areas per borough, LSOA or grid
square are then sums of cells. A cell counts when its centre lies inside the
camera's fan polygon and within the level's reach, so area errors at region
edges have no sign bias.

Levels are indexed coarse to fine (0 = Monitor … 5 = Inspect); a cell seen at a
fine level is also seen at every coarser one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt
import shapely

from cctvscope.coverage.fan_kernels import fast_atan2 as _atan2
from cctvscope.coverage.raycast import FloatArray, IntArray, RayFans

#: Metrics per zone and level, in this order, as cell counts.
ZONE_METRICS = ("covered", "overlap", "public_only", "private_only", "joint")


@dataclass(frozen=True)
class TileGrid:
    """A square-celled grid: lower-left corner, cell size and shape (rows = northings)."""

    x0_m: float
    y0_m: float
    cell_m: float
    nx: int
    ny: int

    @property
    def cell_area_m2(self) -> float:
        """Area of one cell [m²]."""
        return self.cell_m * self.cell_m

    def centres(self, ix: npt.ArrayLike, iy: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Cell-centre coordinates [m] of column/row indices."""
        x = self.x0_m + (np.asarray(ix, dtype=np.float64) + 0.5) * self.cell_m
        y = self.y0_m + (np.asarray(iy, dtype=np.float64) + 0.5) * self.cell_m
        return x, y

    def cell_of(self, x_m: npt.ArrayLike, y_m: npt.ArrayLike) -> tuple[IntArray, IntArray]:
        """Column and row of points (may fall outside the grid)."""
        ix = np.floor((np.asarray(x_m, dtype=np.float64) - self.x0_m) / self.cell_m)
        iy = np.floor((np.asarray(y_m, dtype=np.float64) - self.y0_m) / self.cell_m)
        return ix.astype(np.int64), iy.astype(np.int64)


@dataclass(frozen=True)
class CoverageRaster:
    """Cameras seeing each cell per level, and which owner kinds see it (bit ``l`` = level l)."""

    grid: TileGrid
    count: npt.NDArray[np.uint16]
    public_bits: npt.NDArray[np.uint8]
    private_bits: npt.NDArray[np.uint8]

    def best_level_at(self, ix: npt.ArrayLike, iy: npt.ArrayLike) -> npt.NDArray[np.int8]:
        """Finest level index seen at cells (column, row); −1 where no camera sees it."""
        seen = self.count[:, np.asarray(iy, dtype=np.int64), np.asarray(ix, dtype=np.int64)] > 0
        n_levels = seen.shape[0]
        level = np.where(seen, np.arange(n_levels)[:, None], -1).max(axis=0, initial=-1)
        out: npt.NDArray[np.int8] = np.asarray(level, dtype=np.int8)
        return out


def paint_coverage(
    fans: RayFans,
    reach_m: npt.ArrayLike,
    private: npt.ArrayLike,
    grid: TileGrid,
) -> CoverageRaster:
    """Paint every camera's visible fan onto ``grid``, level by level.

    Parameters
    ----------
    fans
        Ray fans from :func:`cctvscope.coverage.raycast.cast_ray_fans`.
    reach_m
        Reach per camera and level, shape (n, L), coarse to fine [m].
    private
        True for privately owned cameras.
    grid
        The grid painted; cameras outside it only paint the cells they reach inside.
    """
    reach = np.ascontiguousarray(reach_m, dtype=np.float64)
    if reach.ndim != 2 or reach.shape[0] != len(fans):
        raise ValueError("reach_m must have shape (cameras, levels)")
    if reach.shape[1] > 8:
        raise ValueError("at most 8 levels")
    count = np.zeros((reach.shape[1], grid.ny, grid.nx), np.uint16)
    pub = np.zeros((grid.ny, grid.nx), np.uint8)
    priv = np.zeros((grid.ny, grid.nx), np.uint8)
    _paint(
        fans.x_m,
        fans.y_m,
        fans.start_rad,
        fans.step_rad,
        fans.n_rays,
        fans.full,
        fans.offset,
        fans.distance_m,
        reach,
        np.ascontiguousarray(private, dtype=np.bool_),
        grid.x0_m,
        grid.y0_m,
        grid.cell_m,
        count,
        pub,
        priv,
    )
    return CoverageRaster(grid, count, pub, priv)


@numba.njit(cache=True, nogil=True)
def _paint(
    cx_all: FloatArray,
    cy_all: FloatArray,
    start: FloatArray,
    step: FloatArray,
    n_rays: IntArray,
    full: npt.NDArray[np.bool_],
    offset: IntArray,
    dist: FloatArray,
    reach: FloatArray,
    private: npt.NDArray[np.bool_],
    x0: float,
    y0: float,
    cell: float,
    count: npt.NDArray[np.uint16],
    pub: npt.NDArray[np.uint8],
    priv: npt.NDArray[np.uint8],
) -> None:  # pragma: no cover - compiled
    two_pi = 2.0 * math.pi
    n_levels = reach.shape[1]
    ny = count.shape[1]
    nx = count.shape[2]
    max_rays = 1
    for i in range(n_rays.shape[0]):
        max_rays = max(max_rays, n_rays[i])
    end_x = np.empty(max_rays)
    end_y = np.empty(max_rays)
    for i in range(cx_all.shape[0]):
        o = offset[i]
        nr = n_rays[i]
        cx = cx_all[i]
        cy = cy_all[i]
        r = 0.0
        for k in range(nr):
            r = max(r, dist[o + k])
        if r <= 0.0:
            continue
        a0 = start[i]
        da = step[i]
        span = da * nr if full[i] else da * (nr - 1)
        for k in range(nr):
            end_x[k] = dist[o + k] * math.sin(a0 + k * da)
            end_y[k] = dist[o + k] * math.cos(a0 + k * da)
        # Bounding box of the sector: apex, arc ends and the compass points inside the arc.
        bx0 = cx
        bx1 = cx
        by0 = cy
        by1 = cy
        if full[i]:
            bx0, bx1, by0, by1 = cx - r, cx + r, cy - r, cy + r
        else:
            for j in range(6):
                if j == 0:
                    th = a0
                elif j == 1:
                    th = a0 + span
                else:
                    th = (j - 2) * 0.5 * math.pi
                    if (th - a0) % two_pi > span:
                        continue
                px = cx + r * math.sin(th)
                py = cy + r * math.cos(th)
                bx0 = min(bx0, px)
                bx1 = max(bx1, px)
                by0 = min(by0, py)
                by1 = max(by1, py)
        ix0 = max(math.floor((bx0 - x0) / cell), 0)
        ix1 = min(math.floor((bx1 - x0) / cell), nx - 1)
        iy0 = max(math.floor((by0 - y0) / cell), 0)
        iy1 = min(math.floor((by1 - y0) / cell), ny - 1)
        r2 = r * r
        for iy in range(iy0, iy1 + 1):
            dy = y0 + (iy + 0.5) * cell - cy
            for ix in range(ix0, ix1 + 1):
                dx = x0 + (ix + 0.5) * cell - cx
                rho2 = dx * dx + dy * dy
                if rho2 > r2:
                    continue
                rel = _atan2(dx, dy) - a0
                while rel < 0.0:
                    rel += two_pi
                if full[i]:
                    k = int(rel / da)
                    if k >= nr:
                        k = nr - 1
                    k1 = (k + 1) % nr
                else:
                    if rel > span:
                        continue
                    k = int(rel / da)
                    if k >= nr - 1:
                        k = nr - 2
                    k1 = k + 1
                # Inside the triangle (camera, ray k end, ray k+1 end)?
                p0x = end_x[k]
                p0y = end_y[k]
                p1x = end_x[k1]
                p1y = end_y[k1]
                ex = p1x - p0x
                ey = p1y - p0y
                s_point = ex * (dy - p0y) - ey * (dx - p0x)
                s_apex = ex * (-p0y) - ey * (-p0x)
                if s_point * s_apex < 0.0 or (s_apex == 0.0 and rho2 > 0.0):
                    continue
                rho = math.sqrt(rho2)
                bits = 0
                for lv in range(n_levels):
                    if rho <= reach[i, lv]:
                        count[lv, iy, ix] += 1
                        bits |= 1 << lv
                if bits == 0:
                    continue
                if private[i]:
                    priv[iy, ix] |= bits
                else:
                    pub[iy, ix] |= bits


def zone_metrics(raster: CoverageRaster, zones: npt.NDArray[np.int32], n_zones: int) -> IntArray:
    """Cell counts per zone, level and metric (:data:`ZONE_METRICS`), shape (n_zones, L, 5).

    ``zones`` gives each cell's zone index (−1 for none), shape (ny, nx).
    """
    out = np.zeros((n_zones, raster.count.shape[0], len(ZONE_METRICS)), np.int64)
    _zone_metrics(raster.count, raster.public_bits, raster.private_bits, zones, 0, out)
    return out


def square_metrics(raster: CoverageRaster, cells_per_square: int) -> IntArray:
    """As :func:`zone_metrics` over squares of ``cells_per_square``² cells, row-major.

    The grid's sides must be multiples of ``cells_per_square``.
    """
    ny, nx = raster.count.shape[1:]
    if ny % cells_per_square or nx % cells_per_square:
        raise ValueError("grid sides must be multiples of cells_per_square")
    n_sq = (ny // cells_per_square) * (nx // cells_per_square)
    out = np.zeros((n_sq, raster.count.shape[0], len(ZONE_METRICS)), np.int64)
    # Square mode computes each cell's zone from its row and column; no zone raster is read.
    unused_zones = np.zeros((1, 1), np.int32)
    _zone_metrics(
        raster.count, raster.public_bits, raster.private_bits, unused_zones, cells_per_square, out
    )
    return out


@numba.njit(cache=True, nogil=True)
def _zone_metrics(
    count: npt.NDArray[np.uint16],
    pub: npt.NDArray[np.uint8],
    priv: npt.NDArray[np.uint8],
    zones: npt.NDArray[np.int32],
    per: int,
    out: IntArray,
) -> None:  # pragma: no cover - compiled
    n_levels = count.shape[0]
    n_sq_x = count.shape[2] // per if per > 0 else 0
    for iy in range(count.shape[1]):
        for ix in range(count.shape[2]):
            if count[0, iy, ix] == 0:
                continue
            z = (iy // per) * n_sq_x + ix // per if per > 0 else zones[iy, ix]
            if z < 0:
                continue
            for lv in range(n_levels):
                c = count[lv, iy, ix]
                if c == 0:
                    break
                out[z, lv, 0] += 1
                if c >= 2:
                    out[z, lv, 1] += 1
                bit = 1 << lv
                has_pub = (pub[iy, ix] & bit) != 0
                has_priv = (priv[iy, ix] & bit) != 0
                if has_pub and not has_priv:
                    out[z, lv, 2] += 1
                elif has_priv and not has_pub:
                    out[z, lv, 3] += 1
                elif has_pub and has_priv:
                    out[z, lv, 4] += 1


def rasterise_polygons(
    polygons: npt.ArrayLike, grid: TileGrid, *, fill: int = -1
) -> npt.NDArray[np.int32]:
    """Index of the polygon containing each cell centre (``fill`` where none), shape (ny, nx).

    Even–odd scanline fill of every ring, so holes stay empty. Polygons are
    assumed not to overlap (LSOAs, boroughs); where they do, the later one wins.
    """
    geoms = np.asarray(polygons, dtype=object)
    out = np.full((grid.ny, grid.nx), fill, np.int32)
    if geoms.size == 0:
        return out
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_idx = shapely.get_coordinates(rings, return_index=True)
    poly_of_ring = part_of[ring_part].astype(np.int64)
    same = ring_idx[1:] == ring_idx[:-1]
    start = coords[:-1][same]
    end = coords[1:][same]
    edge_poly = poly_of_ring[ring_idx[:-1][same]]
    order = np.argsort(edge_poly, kind="stable")
    edge_poly = edge_poly[order]
    bounds = np.searchsorted(edge_poly, np.arange(geoms.size + 1))
    _scanline_fill(
        np.ascontiguousarray(start[order]),
        np.ascontiguousarray(end[order]),
        bounds.astype(np.int64),
        grid.x0_m,
        grid.y0_m,
        grid.cell_m,
        out,
    )
    return out


@numba.njit(cache=True, nogil=True)
def _scanline_fill(
    start: FloatArray,
    end: FloatArray,
    bounds: IntArray,
    x0: float,
    y0: float,
    cell: float,
    out: npt.NDArray[np.int32],
) -> None:  # pragma: no cover - compiled
    ny = out.shape[0]
    nx = out.shape[1]
    for p in range(bounds.shape[0] - 1):
        lo = bounds[p]
        hi = bounds[p + 1]
        if hi == lo:
            continue
        n_cross = 0
        for e in range(lo, hi):
            ya = start[e, 1]
            yb = end[e, 1]
            if ya == yb:
                continue
            r0 = max(math.ceil((min(ya, yb) - y0) / cell - 0.5), 0)
            r1 = min(math.ceil((max(ya, yb) - y0) / cell - 0.5) - 1, ny - 1)
            if r1 >= r0:
                n_cross += r1 - r0 + 1
        if n_cross == 0:
            continue
        rows = np.empty(n_cross, np.int64)
        xs = np.empty(n_cross, np.float64)
        j = 0
        for e in range(lo, hi):
            xa = start[e, 0]
            ya = start[e, 1]
            xb = end[e, 0]
            yb = end[e, 1]
            if ya == yb:
                continue
            r0 = max(math.ceil((min(ya, yb) - y0) / cell - 0.5), 0)
            r1 = min(math.ceil((max(ya, yb) - y0) / cell - 0.5) - 1, ny - 1)
            for r in range(r0, r1 + 1):
                yc = y0 + (r + 0.5) * cell
                rows[j] = r
                x = xa + (yc - ya) * (xb - xa) / (yb - ya)
                # Clamping just outside the grid keeps the fill and bounds the sort key.
                xs[j] = min(max(x, x0 - cell), x0 + (nx + 1) * cell)
                j += 1
        key = np.argsort(rows * (nx + 3) * cell + (xs - x0 + cell))
        k = 0
        while k + 1 < n_cross:
            r = rows[key[k]]
            if rows[key[k + 1]] != r:
                k += 1
                continue
            xa = xs[key[k]]
            xb = xs[key[k + 1]]
            c0 = max(math.ceil((xa - x0) / cell - 0.5), 0)
            c1 = min(math.ceil((xb - x0) / cell - 0.5) - 1, nx - 1)
            for c in range(c0, c1 + 1):
                out[r, c] = p
            k += 2


@numba.njit(cache=True, nogil=True)
def _block_levels(
    count: npt.NDArray[np.uint16], factor: int, r0: int, c0: int, rows: int, cols: int
) -> FloatArray:  # pragma: no cover - compiled
    """Per factor×factor block of ``count[:, r0:r0+rows, c0:c0+cols]``: how many levels
    cover at least half its cells, padded by one empty block on every side.

    Cells past the grid's edge count as uncovered. Levels are nested (a cell seen at a
    fine level is seen at every coarser one), so a block is covered at level ``l``
    exactly when the value is above ``l``.
    """
    n_levels = count.shape[0]
    nb_r = rows // factor
    nb_c = cols // factor
    hits = np.zeros((n_levels, nb_r, nb_c), np.int64)
    r_end = min(r0 + rows, count.shape[1])
    c_end = min(c0 + cols, count.shape[2])
    for r in range(r0, r_end):
        br = (r - r0) // factor
        for c in range(c0, c_end):
            if count[0, r, c] == 0:
                continue
            bc = (c - c0) // factor
            for lv in range(n_levels):
                if count[lv, r, c] == 0:
                    break
                hits[lv, br, bc] += 1
    out = np.zeros((nb_r + 2, nb_c + 2), np.float64)
    half = 0.5 * factor * factor
    for br in range(nb_r):
        for bc in range(nb_c):
            k = 0
            while k < n_levels and hits[k, br, bc] >= half:
                k += 1
            out[br + 1, bc + 1] = k
    return out


def raster_polygons(
    mask: npt.NDArray[np.bool_], grid: TileGrid, factor: int = 1
) -> shapely.Geometry:
    """Polygons of the covered cells of ``mask`` (ny, nx), outlined along cell edges.

    ``factor`` > 1 first merges factor×factor blocks (a block is covered when at
    least half its cells are), which keeps the outline's area unbiased while
    cutting vertices. The outline is the 0.5 contour between cell centres (marching
    squares), which runs along cell edges and cuts each corner by 1/8 of a cell.
    """
    count = np.ascontiguousarray(mask[None, :, :], dtype=np.uint16)
    return raster_outlines(count, grid, factor)[0]


def raster_outlines(
    count: npt.NDArray[np.uint16], grid: TileGrid, factor: int = 1
) -> list[shapely.Geometry]:
    """:func:`raster_polygons` of every level of ``count`` (L, ny, nx), the same outlines.

    One pass over the cells gives every level's blocks (:func:`_block_levels`); one
    crop (the coarsest level's: the finer ones lie inside it) and one coordinate mesh
    serve every level, and each level's 0/1 blocks are contoured by contourpy's serial
    generator directly (its factory's checks and copies were half the tracing time).
    Contouring the level counts once instead would be cheaper still but biased: where
    outlines of several levels coincide (a fan's sides) the crossing would not fall
    half way between blocks.
    """
    import contourpy

    n_levels = count.shape[0]
    seen = count[0] > 0
    rows = np.flatnonzero(seen.any(axis=1))
    if rows.size == 0:
        return [shapely.Polygon() for _ in range(n_levels)]
    cols = np.flatnonzero(seen.any(axis=0))
    r0 = (rows[0] // factor) * factor
    c0 = (cols[0] // factor) * factor
    n_r = -(-(rows[-1] + 1 - r0) // factor) * factor
    n_c = -(-(cols[-1] + 1 - c0) // factor) * factor
    padded = _block_levels(np.ascontiguousarray(count), factor, r0, c0, n_r, n_c)
    size = grid.cell_m * factor
    # The padding of one empty block closes every outline inside the array.
    x = grid.x0_m + c0 * grid.cell_m + (np.arange(padded.shape[1]) - 0.5) * size
    y = grid.y0_m + r0 * grid.cell_m + (np.arange(padded.shape[0]) - 0.5) * size
    mesh_x, mesh_y = np.meshgrid(x, y)
    out = []
    for lv in range(n_levels):
        z = (padded > lv + 0.5).astype(np.float64)
        gen = contourpy.SerialContourGenerator(
            mesh_x,
            mesh_y,
            z,
            None,  # type: ignore[arg-type]  # no mask, as contour_generator passes it
            corner_mask=True,
            line_type=contourpy.LineType.Separate,
            fill_type=contourpy.FillType.OuterOffset,
            quad_as_tri=False,
            z_interp=contourpy.ZInterp.Linear,
            x_chunk_size=0,
            y_chunk_size=0,
        )
        out.append(_filled_polygons(gen.filled(0.5, 2.0)))
    return out


def _filled_polygons(filled: object) -> shapely.Geometry:
    """contourpy's OuterOffset filled contours as one (Multi)Polygon."""
    points: list[FloatArray] = list(filled[0])  # type: ignore[index]
    offsets: list[IntArray] = list(filled[1])  # type: ignore[index]
    polys = []
    for pts, off in zip(points, offsets, strict=True):
        rings = [pts[off[j] : off[j + 1]] for j in range(len(off) - 1)]
        polys.append(shapely.Polygon(rings[0], holes=rings[1:]))
    # Filled-contour outers never overlap, so they form a valid MultiPolygon as they are.
    if not polys:
        return shapely.Polygon()
    return shapely.MultiPolygon(polys) if len(polys) > 1 else polys[0]
