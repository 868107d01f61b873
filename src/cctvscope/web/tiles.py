"""Map tiles served by the app itself: Web Mercator tile math and a bounded GeoJSON tile index.

A :class:`TileIndex` holds a layer frame (``layer``, ``kind``, ``name``, geometry in
EPSG:3857) split into pieces no bigger than a zoom-:data:`CHOP_ZOOM` tile, with an STRtree.
A tile (z, x, y) is the pieces that touch it, cut to the tile plus a margin of a few
pixels, simplified to half a pixel, with coordinates rounded to a quarter pixel, as a WGS84
GeoJSON FeatureCollection. What a tile may carry is bounded: each layer has a first zoom,
pieces smaller than a pixel are left out, and each layer keeps at most its cap of pieces per
tile (largest first; what was left out is counted in ``capped``).
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

#: Half the width of the Web Mercator world (EPSG:3857) [m].
ORIGIN_M = 20037508.342789244
#: Tile edge [px].
TILE_PX = 256
#: Deepest zoom served (a tile 95 m wide at London's latitude; the browser scales it beyond).
MAX_ZOOM = 18
#: Pieces with more vertices than this are cut along this zoom's tile grid when indexed.
CHOP_ZOOM = 13
CHOP_VERTICES = 256
#: Margin around a tile [px]: cut edges and line ends fall outside what is drawn.
MARGIN_PX = 4
#: Margin for points [px]: a label near the edge is drawn by both tiles it crosses.
POINT_MARGIN_PX = 96
#: Caps hold in full from this zoom; each zoom out halves them, to an eighth at most.
FULL_CAP_ZOOM = 13
#: Rendered tiles kept per index, most recent first, up to this many bytes in all.
CACHE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class LayerRule:
    """How a layer is tiled: first zoom, most pieces per tile, drawn before (lower) or after,
    the smallest piece kept [px], and whether pieces are simplified (a speck under half a
    pixel then goes)."""

    min_zoom: int
    cap: int
    order: int
    min_px: float = 2.0
    simplify: bool = True


#: The basemap's layers, bottom to top (the browser draws them in this order).
BASEMAP_RULES: dict[str, LayerRule] = {
    "land": LayerRule(0, 200, 0),
    "park": LayerRule(9, 800, 1),
    "water": LayerRule(0, 800, 2),
    "waterway": LayerRule(11, 600, 3),
    "main_road": LayerRule(9, 600, 4),
    "street": LayerRule(12, 3000, 5),
    "rail": LayerRule(9, 1500, 6),
    "station": LayerRule(13, 150, 7),
    "place": LayerRule(8, 40, 8),
}
#: Place kinds by importance, and the first zoom each is labelled at.
PLACE_MIN_ZOOM = {"national_capital": 8, "city": 8, "town": 10, "suburb": 12, "village": 12,
                  "locality": 14, "hamlet": 14, "island": 13}  # fmt: skip
#: Coverage tiles: the covered area of one detail level (whole per grid cell, so a city-wide
#: tile draws all of it) and the gaps (every one, however small: the browser outlines them).
COVERAGE_RULES: dict[str, LayerRule] = {
    "coverage": LayerRule(0, 4000, 0, min_px=0.0),
    "gap": LayerRule(0, 1000, 1, min_px=0.0, simplify=False),
}


# --- tile math ------------------------------------------------------------------------------


def tiles_per_side(z: int) -> int:
    """Tiles along each side of the world at zoom ``z``."""
    return int(2**z)


def pixel_m(z: int) -> float:
    """Width of one pixel at zoom ``z`` in Web Mercator metres (at the equator; on the ground
    it is this times the cosine of the latitude)."""
    return 2 * ORIGIN_M / (TILE_PX * tiles_per_side(z))


def check_tile(z: int, x: int, y: int) -> None:
    """Raise ValueError unless (z, x, y) is a tile of zooms 0..:data:`MAX_ZOOM`."""
    if not 0 <= z <= MAX_ZOOM:
        raise ValueError(f"zoom {z} is outside 0..{MAX_ZOOM}")
    n = tiles_per_side(z)
    if not (0 <= x < n and 0 <= y < n):
        raise ValueError(f"tile {x}/{y} is outside 0..{n - 1} at zoom {z}")


def tile_bounds_m(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of tile (z, x, y) in EPSG:3857 metres (y counts down from
    the north, as slippy-map tiles do)."""
    size = 2 * ORIGIN_M / tiles_per_side(z)
    west = -ORIGIN_M + x * size
    north = ORIGIN_M - y * size
    return west, north - size, west + size, north


def tile_bounds_deg(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of tile (z, x, y) in degrees WGS84."""
    n = tiles_per_side(z)

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def tile_of(lon_deg: float, lat_deg: float, z: int) -> tuple[int, int]:
    """The (x, y) of the zoom-``z`` tile holding a WGS84 point."""
    n = tiles_per_side(z)
    lat = math.radians(lat_deg)
    x = int((lon_deg + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(lat)) / math.pi) / 2 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def mercator_to_lonlat(x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:3857 metres to WGS84 degrees (the spherical formulas, as the browser uses)."""
    lon = np.degrees(x_m / ORIGIN_M * math.pi)
    lat = np.degrees(2 * np.arctan(np.exp(y_m / ORIGIN_M * math.pi)) - math.pi / 2)
    return lon, lat


def cap_at(rule: LayerRule, z: int) -> int:
    """A layer's cap at zoom ``z``: in full from :data:`FULL_CAP_ZOOM`, halved each zoom out,
    never below an eighth (a city-wide tile must stay small)."""
    return max(1, int(rule.cap * max(0.125, 2.0 ** min(0, z - FULL_CAP_ZOOM))))


def _decimals(z: int) -> int:
    """Decimal places of a degree that resolve a quarter pixel at zoom ``z``."""
    degrees_per_px = 360 / (TILE_PX * tiles_per_side(z))
    return max(0, math.ceil(-math.log10(degrees_per_px / 4)))


# --- the index ------------------------------------------------------------------------------


def _grid_cells(bounds: tuple[float, float, float, float], size: float) -> np.ndarray:
    """The squares of a grid of ``size`` metres from the Web Mercator origin that cover
    ``bounds`` (west, south, east, north)."""
    west, south, east, north = bounds

    def span(low: float, high: float) -> np.ndarray:
        first, last = math.floor((low + ORIGIN_M) / size), math.floor((high + ORIGIN_M) / size)
        return np.arange(first, last + 1) * size - ORIGIN_M

    gx, gy = np.meshgrid(span(west, east), span(south, north))
    x, y = gx.ravel(), gy.ravel()
    cells: np.ndarray = shapely.box(x, y, x + size, y + size)
    return cells


def _chop(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` (single parts) with every part of more than :data:`CHOP_VERTICES` vertices
    cut on the zoom-:data:`CHOP_ZOOM` tile grid (so cutting a tile never walks a whole river)."""
    big = shapely.get_num_coordinates(frame.geometry.values) > CHOP_VERTICES
    if not big.any():
        return frame
    size = 2 * ORIGIN_M / tiles_per_side(CHOP_ZOOM)
    rows: list[int] = []
    pieces: list[object] = []
    for i in np.flatnonzero(big):
        geom = frame.geometry.values[i]
        cells = _grid_cells(geom.bounds, size)
        cut = shapely.get_parts(shapely.intersection(geom, cells))
        # a cut may leave points and lines on a polygon's edge: keep the geometry's own kind
        parts = cut[
            ~shapely.is_empty(cut) & (shapely.get_dimensions(cut) == shapely.get_dimensions(geom))
        ]
        rows.extend([int(i)] * len(parts))
        pieces.extend(parts)
    chopped = frame.iloc[rows].copy()
    chopped["geometry"] = pieces
    kept = pd.concat([frame.loc[~big], chopped], ignore_index=True)
    return gpd.GeoDataFrame(kept, geometry="geometry", crs=frame.crs)


def _regroup(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One multi-part piece per feature (``feature`` column) and zoom-:data:`CHOP_ZOOM` cell:
    a layer of many specks (coverage) is then a few pieces per tile, all drawn at any zoom."""
    size = 2 * ORIGIN_M / tiles_per_side(CHOP_ZOOM)
    centre = shapely.centroid(frame.geometry.values)
    col = np.floor((shapely.get_x(centre) + ORIGIN_M) / size).astype(np.int64)
    row = np.floor((shapely.get_y(centre) + ORIGIN_M) / size).astype(np.int64)
    keys = pd.MultiIndex.from_arrays([frame["feature"].to_numpy(), col, row])
    codes = pd.factorize(keys)[0]
    order = np.argsort(codes, kind="stable")
    first = np.unique(codes[order], return_index=True)[1]
    parts = frame.geometry.to_numpy()[order]
    multi = shapely.multipolygons if (shapely.get_dimensions(parts) == 2).all() else None
    out = frame.iloc[order[first]].copy()
    out["geometry"] = (multi or shapely.multilinestrings)(parts, indices=codes[order])
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry="geometry", crs=frame.crs)


def _size_m(geoms: np.ndarray) -> np.ndarray:
    """A piece's size for ranking [m]: length of a line, square root of the area of a polygon,
    0 for a point (points rank by their kind)."""
    dims = shapely.get_dimensions(geoms)
    size = np.zeros(len(geoms))
    size[dims == 1] = shapely.length(geoms[dims == 1])
    size[dims == 2] = np.sqrt(shapely.area(geoms[dims == 2]))
    return size


class TileIndex:
    """Tiles of a layer frame (see the module docstring); thread-safe, rendered tiles cached."""

    def __init__(
        self,
        frame: gpd.GeoDataFrame,
        rules: Mapping[str, LayerRule],
        point_min_zoom: Mapping[str, int] | None = None,
        *,
        explode: bool = True,
    ) -> None:
        frame = frame.loc[frame["layer"].isin(list(rules))].to_crs("EPSG:3857")
        frame = frame.loc[~frame.geometry.is_empty & frame.geometry.notna()]
        frame = frame.reset_index(drop=True)
        frame["feature"] = np.arange(len(frame))
        if not explode:
            # Ranked on whole features, before cutting: a cap keeps the same ones in every tile.
            frame["size_m"] = _size_m(frame.geometry.values)
        frame = gpd.GeoDataFrame(frame.explode(index_parts=False), crs=frame.crs)
        frame = frame.reset_index(drop=True)
        if explode:
            frame["size_m"] = _size_m(frame.geometry.values)  # each part ranks on its own
        frame = _chop(frame)
        if not explode and len(frame):
            frame = _regroup(frame)
        self.rules = dict(rules)
        self.layer = frame["layer"].to_numpy(str)
        self.kind = frame["kind"].fillna("").to_numpy(str)
        self.name = frame["name"].fillna("").to_numpy(str)
        self.geoms = frame.geometry.to_numpy()
        self.dims = shapely.get_dimensions(self.geoms)
        kinds = point_min_zoom or {}
        self.min_zoom = np.array(
            [
                max(self.rules[lay].min_zoom, kinds.get(kind, 0) if dim == 0 else 0)
                for lay, kind, dim in zip(self.layer, self.kind, self.dims, strict=True)
            ],
            dtype=int,
        )
        importance = [-list(kinds).index(k) if k in kinds else -len(kinds) for k in self.kind]
        self.size_m = np.where(self.dims == 0, np.array(importance, float), frame["size_m"])
        self.order = np.array([self.rules[lay].order for lay in self.layer], dtype=int)
        self.min_px = np.array([self.rules[lay].min_px for lay in self.layer], dtype=float)
        self.simplify = np.array([self.rules[lay].simplify for lay in self.layer], dtype=bool)
        self.tree = shapely.STRtree(self.geoms)
        self.bounds_m = tuple(shapely.total_bounds(self.geoms)) if len(self.geoms) else None
        self._lock = threading.Lock()
        self._rendered: OrderedDict[tuple[int, int, int], bytes] = OrderedDict()
        self._rendered_bytes = 0

    def __len__(self) -> int:
        return len(self.geoms)

    def bounds_deg(self) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) of everything indexed, degrees WGS84 (None when empty)."""
        if self.bounds_m is None:
            return None
        west, south, east, north = self.bounds_m
        lon, lat = mercator_to_lonlat(np.array([west, east]), np.array([south, north]))
        return float(lon[0]), float(lat[0]), float(lon[1]), float(lat[1])

    def tile_bytes(self, z: int, x: int, y: int) -> bytes:
        """Tile (z, x, y) as compact GeoJSON bytes (cached)."""
        key = (z, x, y)
        with self._lock:
            hit = self._rendered.get(key)
            if hit is not None:
                self._rendered.move_to_end(key)
                return hit
        body = json.dumps(self.tile(z, x, y), separators=(",", ":")).encode()
        with self._lock:
            if key not in self._rendered:
                self._rendered[key] = body
                self._rendered_bytes += len(body)
            while self._rendered_bytes > CACHE_BYTES:
                self._rendered_bytes -= len(self._rendered.popitem(last=False)[1])
        return body

    def _pick(self, z: int, x: int, y: int) -> tuple[np.ndarray, dict[str, int]]:
        """Indices of the pieces tile (z, x, y) draws, bottom layer first, and what each
        layer's cap left out."""
        check_tile(z, x, y)
        px = pixel_m(z)
        west, south, east, north = tile_bounds_m(z, x, y)
        pad = POINT_MARGIN_PX * px
        found = self.tree.query(shapely.box(west - pad, south - pad, east + pad, north + pad))
        big = (self.dims[found] == 0) | (self.size_m[found] >= self.min_px[found] * px)
        found = found[(self.min_zoom[found] <= z) & big]
        inner = shapely.box(west, south, east, north).buffer(MARGIN_PX * px, join_style="mitre")
        lines = found[self.dims[found] > 0]
        found = np.concatenate(
            [found[self.dims[found] == 0], lines[shapely.intersects(self.geoms[lines], inner)]]
        )
        picked: list[np.ndarray] = []
        capped: dict[str, int] = {}
        for lay in sorted(set(self.layer[found]), key=lambda name: self.rules[name].order):
            mine = found[self.layer[found] == lay]
            cap = cap_at(self.rules[lay], z)
            if len(mine) > cap:
                capped[str(lay)] = len(mine) - cap
                mine = mine[np.argsort(-self.size_m[mine], kind="stable")[:cap]]
            picked.append(np.sort(mine))
        return (np.concatenate(picked) if picked else np.array([], dtype=int)), capped

    def tile(self, z: int, x: int, y: int) -> dict[str, object]:
        """Tile (z, x, y) as a GeoJSON FeatureCollection (WGS84) with ``capped`` counts."""
        picked, capped = self._pick(z, x, y)
        px = pixel_m(z)
        west, south, east, north = tile_bounds_m(z, x, y)
        inner = shapely.box(west, south, east, north).buffer(MARGIN_PX * px, join_style="mitre")
        geoms = self.geoms[picked]
        shaped = self.dims[picked] > 0
        cut = geoms.copy()
        cut[shaped] = shapely.intersection(geoms[shaped], inner)
        simple = shaped & self.simplify[picked]
        # Not topology-preserving: a speck under half a pixel goes, which keeps a tile small.
        cut[simple] = shapely.simplify(cut[simple], px / 2, preserve_topology=False)
        digits = _decimals(z)

        def to_lonlat(coords: np.ndarray) -> np.ndarray:
            lon, lat = mercator_to_lonlat(coords[:, 0], coords[:, 1])
            return np.round(np.column_stack([lon, lat]), digits)

        shown = shapely.transform(cut, to_lonlat)
        features = []
        for i, geom in zip(picked, shown, strict=True):
            if geom is None or geom.is_empty:
                continue
            props = {"layer": str(self.layer[i]), "kind": str(self.kind[i])}
            if self.name[i]:
                props["name"] = str(self.name[i])
            features.append(
                {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": props}
            )
        return {"type": "FeatureCollection", "features": features, "capped": capped}


__all__ = [
    "BASEMAP_RULES",
    "COVERAGE_RULES",
    "MAX_ZOOM",
    "PLACE_MIN_ZOOM",
    "LayerRule",
    "TileIndex",
    "check_tile",
    "mercator_to_lonlat",
    "pixel_m",
    "tile_bounds_deg",
    "tile_bounds_m",
    "tile_of",
]
