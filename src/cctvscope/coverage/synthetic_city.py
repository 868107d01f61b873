"""A seeded synthetic city of building footprints, for coverage tests and benchmarks at scale.

**Synthetic.** These footprints describe no real place. cctvscope bundles real
OSM footprints for two central-London areas only (Covent Garden and
Clerkenwell, :func:`cctvscope.ingest.london.read_osm_buildings`), each about
1.5 km across; scale tests of the coverage engine (10⁵–10⁶ cameras, a lookup over
10⁶ polygons) need a larger scene that is cheap to rebuild, identical for a seed
and free of licensing questions. The layout imitates a dense street grid: blocks
separated by streets, each block cut into lots, one building per lot, set back
from the lot line so buildings never touch or overlap, turned by a few degrees,
some L-shaped and some with a courtyard (a polygon hole), so that every edge case
of the occlusion code (concave corners, inner rings) occurs. Coordinates are on
the British National Grid (EPSG:27700) south of the river by default, so numbers
have realistic magnitudes.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from shapely import STRtree

from cctvscope.crs import BNG

FloatArray = npt.NDArray[np.float64]

#: Building kinds, in the ``kind`` column.
KINDS = ("rectangle", "l_shape", "courtyard")
#: A courtyard building needs both sides at least this long [m].
_COURTYARD_MIN_SIDE_M = 24.0
#: Wall thickness around a courtyard, at least [m].
_COURTYARD_WALL_M = 6.0


def _cuts(
    rng: np.random.Generator,
    extent_m: float,
    block_m: tuple[float, float],
    street_m: tuple[float, float],
) -> list[tuple[float, float]]:
    """Block intervals along one axis: street, block, street, block, … up to ``extent_m``."""
    out: list[tuple[float, float]] = []
    pos = rng.uniform(*street_m) / 2.0
    while True:
        length = rng.uniform(*block_m)
        end = min(pos + length, extent_m)
        if end - pos >= block_m[0] / 2.0:
            out.append((pos, end))
        pos = end + rng.uniform(*street_m)
        if pos >= extent_m - block_m[0] / 2.0:
            return out


def _split(
    rng: np.random.Generator, lo: float, hi: float, lot_m: tuple[float, float]
) -> FloatArray:
    """Cut [lo, hi] into lots of roughly ``lot_m`` length; returns the k + 1 cut positions."""
    k = max(1, round((hi - lo) / rng.uniform(*lot_m)))
    share = rng.uniform(0.75, 1.25, k)
    return np.asarray(lo + (hi - lo) * np.concatenate([[0.0], np.cumsum(share) / share.sum()]))


def synthetic_city(
    *,
    seed: int,
    width_m: float,
    height_m: float,
    x0_m: float = 530_000.0,
    y0_m: float = 176_000.0,
    block_m: tuple[float, float] = (40.0, 120.0),
    street_m: tuple[float, float] = (10.0, 25.0),
    lot_m: tuple[float, float] = (18.0, 45.0),
    gap_m: tuple[float, float] = (1.0, 4.0),
    max_rotation_deg: float = 3.0,
    l_shape_share: float = 0.3,
    courtyard_share: float = 0.3,
) -> gpd.GeoDataFrame:
    """Building footprints of a seeded synthetic city (EPSG:27700); see the module docstring.

    Parameters
    ----------
    seed
        Random seed; the same arguments give the same city.
    width_m, height_m
        Extent of the street grid [m], from (``x0_m``, ``y0_m``).
    block_m, street_m
        Ranges of block side and street width [m], drawn uniformly per grid line.
    lot_m
        Typical lot length [m]; each block is cut into about side / lot lots per axis.
    gap_m
        Range of the setback between a building and its neighbours [m]; each lot is
        inset by half a draw, so two buildings are at least ``gap_m[0]`` apart.
    max_rotation_deg
        Buildings are turned by up to this angle about their lot centre (and shrunk
        to stay inside the inset lot).
    l_shape_share, courtyard_share
        Shares of lots given an L-shape or a courtyard (courtyards only on lots
        with both sides at least 24 m).

    Returns
    -------
    geopandas.GeoDataFrame
        ``building_id`` (0…n-1), ``kind`` (one of :data:`KINDS`), ``geometry``
        (Polygon, exteriors anticlockwise, courtyards as holes).
    """
    if width_m <= 0 or height_m <= 0:
        raise ValueError("width_m and height_m must be positive")
    rng = np.random.default_rng(seed)
    cols = _cuts(rng, width_m, block_m, street_m)
    rows = _cuts(rng, height_m, block_m, street_m)
    lots: list[tuple[float, float, float, float]] = []
    for bx0, bx1 in cols:
        for by0, by1 in rows:
            xs = _split(rng, bx0, bx1, lot_m)
            ys = _split(rng, by0, by1, lot_m)
            lots.extend(
                (xs[i], ys[j], xs[i + 1], ys[j + 1])
                for i in range(xs.size - 1)
                for j in range(ys.size - 1)
            )
    origin = np.array([x0_m, y0_m, x0_m, y0_m])
    lot: FloatArray = np.asarray(lots, dtype=np.float64).reshape(-1, 4) + origin
    n: int = lot.shape[0]
    inset = rng.uniform(*gap_m, size=n) / 2.0
    cx = (lot[:, 0] + lot[:, 2]) / 2.0
    cy = (lot[:, 1] + lot[:, 3]) / 2.0
    hx = (lot[:, 2] - lot[:, 0]) / 2.0 - inset  # half extents of the inset lot
    hy = (lot[:, 3] - lot[:, 1]) / 2.0 - inset
    theta = np.radians(rng.uniform(-max_rotation_deg, max_rotation_deg, size=n))
    c, s = np.cos(theta), np.sin(theta)
    # Shrink so the turned rectangle's bounding box stays inside the inset lot.
    scale = np.minimum(
        1.0, np.minimum(hx / (hx * c + hy * np.abs(s)), hy / (hx * np.abs(s) + hy * c))
    )
    ax, ay = hx * scale, hy * scale
    draw = rng.uniform(size=n)
    big = (2 * ax >= _COURTYARD_MIN_SIDE_M) & (2 * ay >= _COURTYARD_MIN_SIDE_M)
    kind = np.where(
        draw < l_shape_share,
        1,
        np.where(big & (draw < l_shape_share + courtyard_share), 2, 0),
    )
    # Local shapes in units of the half extents, anticlockwise: rectangle, L (a corner
    # notch cut away, which corner drawn per building), courtyard (hole clockwise).
    fx = rng.uniform(0.3, 0.6, size=n)  # notch / courtyard share of each side
    fy = rng.uniform(0.3, 0.6, size=n)
    corner = rng.integers(0, 4, size=n)
    out = np.empty(n, dtype=object)

    def place(idx: npt.NDArray[np.int64], u: FloatArray, v: FloatArray) -> FloatArray:
        """Local (u, v) in [-1, 1]² → turned, scaled world coordinates, shape (k, m, 2)."""
        px = u * ax[idx, None]
        py = v * ay[idx, None]
        return np.stack(
            [
                cx[idx, None] + px * c[idx, None] - py * s[idx, None],
                cy[idx, None] + px * s[idx, None] + py * c[idx, None],
            ],
            axis=-1,
        )

    one = np.ones(1)
    rect = np.flatnonzero(kind == 0)
    out[rect] = shapely.polygons(
        place(rect, np.array([-1.0, 1.0, 1.0, -1.0]) * one, np.array([-1.0, -1.0, 1.0, 1.0]) * one)
    )
    ell = np.flatnonzero(kind == 1)
    # Notch in the (+u, +v) corner, then the shape is turned by 90°·corner (in local units).
    nu = 1.0 - 2.0 * fx[ell, None]
    nv = 1.0 - 2.0 * fy[ell, None]
    ones = np.ones((ell.size, 1))
    u = np.concatenate([-ones, ones, ones, nu, nu, -ones], axis=1)
    v = np.concatenate([-ones, -ones, nv, nv, ones, ones], axis=1)
    q = corner[ell, None]
    u, v = (
        np.where(q == 0, u, np.where(q == 1, -v, np.where(q == 2, -u, v))),
        np.where(q == 0, v, np.where(q == 1, u, np.where(q == 2, -v, -u))),
    )
    out[ell] = shapely.polygons(place(ell, u, v))
    yard = np.flatnonzero(kind == 2)
    shell = place(
        yard, np.array([-1.0, 1.0, 1.0, -1.0]) * one, np.array([-1.0, -1.0, 1.0, 1.0]) * one
    )
    # Hole half extents: a share of the building, leaving walls of at least 6 m.
    iu = np.minimum(fx[yard], 1.0 - _COURTYARD_WALL_M / ax[yard])[:, None]
    iv = np.minimum(fy[yard], 1.0 - _COURTYARD_WALL_M / ay[yard])[:, None]
    hole = place(
        yard,
        np.array([-1.0, -1.0, 1.0, 1.0]) * iu,
        np.array([-1.0, 1.0, 1.0, -1.0]) * iv,
    )
    out[yard] = [shapely.Polygon(sh, [ho]) for sh, ho in zip(shell, hole, strict=True)]
    return gpd.GeoDataFrame(
        {"building_id": np.arange(n, dtype=np.int64), "kind": np.asarray(KINDS)[kind]},
        geometry=gpd.GeoSeries(out, crs=BNG),
        crs=BNG,
    )


def street_points(
    city: gpd.GeoDataFrame,
    n: int,
    seed: int,
    *,
    min_offset_m: float = 0.5,
    max_offset_m: float = 3.0,
) -> tuple[FloatArray, FloatArray]:
    """``n`` camera positions beside façades: outside every building, near a wall.

    A point is drawn uniformly along all exterior walls (a wall is picked with
    probability proportional to its length) and moved outwards, perpendicular to
    the wall, by a distance drawn in [``min_offset_m``, ``max_offset_m``]; points
    that land inside, or closer than ``min_offset_m / 2`` to, any building are
    drawn again. That is where street cameras are mounted (on or beside a façade)
    and keeps every camera strictly outside the footprints. Deterministic for a seed.

    Returns
    -------
    tuple of numpy.ndarray
        Easting and northing [m], EPSG:27700, each of shape (n,).
    """
    if n < 0:
        raise ValueError("n must be non-negative")
    geoms = shapely.orient_polygons(np.asarray(city.geometry.to_numpy(), dtype=object))
    coords, ring = shapely.get_coordinates(shapely.get_exterior_ring(geoms), return_index=True)
    same = ring[1:] == ring[:-1]
    start = coords[:-1][same]
    edge = (coords[1:] - coords[:-1])[same]
    length = np.hypot(edge[:, 0], edge[:, 1])
    keep = length > 0
    start, edge, length = start[keep], edge[keep], length[keep]
    if length.size == 0:
        raise ValueError("the city has no buildings")
    cumulative = np.cumsum(length)
    tree = STRtree(geoms)
    rng = np.random.default_rng(seed)
    xs: list[FloatArray] = []
    ys: list[FloatArray] = []
    have = 0
    while have < n:
        m = int((n - have) * 1.2) + 16
        pick = np.searchsorted(cumulative, rng.uniform(0.0, cumulative[-1], m), side="right")
        pick = np.minimum(pick, length.size - 1)
        t = rng.uniform(0.0, 1.0, m)
        d = rng.uniform(min_offset_m, max_offset_m, m)
        unit = edge[pick] / length[pick, None]
        # Exteriors run anticlockwise (building on the left): outwards is to the right.
        px = start[pick, 0] + t * edge[pick, 0] + d * unit[:, 1]
        py = start[pick, 1] + t * edge[pick, 1] - d * unit[:, 0]
        near = tree.query(shapely.points(px, py), predicate="dwithin", distance=min_offset_m / 2)
        ok = np.ones(m, dtype=bool)
        ok[near[0]] = False
        take = np.flatnonzero(ok)[: n - have]
        xs.append(px[take])
        ys.append(py[take])
        have += take.size
    return np.concatenate([np.zeros(0), *xs]), np.concatenate([np.zeros(0), *ys])
