"""The map's own tiles: the region's street map (public data) and coverage with gaps (not).

The street map is built once per region at first use (:func:`build_basemap`, kept by
:class:`~cctvscope.web.data.EstateData`); coverage tiles are built from the coverage
GeoPackage of ``cctvscope coverage`` per detail level and rebuilt when it is rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from cctvscope.crs import BNG
from cctvscope.web.tiles import BASEMAP_RULES, COVERAGE_RULES, PLACE_MIN_ZOOM, TileIndex
from cctvscope.workflows.basemap import estate_basemap

if TYPE_CHECKING:
    from cctvscope.web.data import EstateData, Loaded

#: Browsers may keep a street-map tile this long (the same for every user of the region) [s].
BASEMAP_MAX_AGE_S = 3600


@dataclass(frozen=True)
class BasemapTiles:
    """A region's street-map tiles and the attribution lines its map carries."""

    region: str
    index: TileIndex
    attribution: tuple[str, ...]

    def meta(self) -> dict[str, Any]:
        """What the browser needs to draw the street map (tile URL, extent, attribution)."""
        return {
            "region": self.region,
            "url": "/tiles/basemap/{z}/{x}/{y}.geojson",
            "bounds_deg": self.index.bounds_deg(),
            "attribution": list(self.attribution),
            "features": len(self.index),
            "layers": sorted(set(self.index.layer.tolist())),
        }


def build_basemap(engine: Any, loaded: Loaded) -> BasemapTiles:
    """The region's street-map tile index (see :mod:`cctvscope.workflows.basemap`)."""
    drawn = estate_basemap(engine, loaded.estate)
    index = TileIndex(drawn.frame, BASEMAP_RULES, PLACE_MIN_ZOOM)
    return BasemapTiles(drawn.region, index, drawn.attribution)


def _coverage_frame(data: EstateData, level: str) -> gpd.GeoDataFrame:
    parts = []
    union = data.outputs.coverage_layer("coverage_union", level)
    if union is not None and len(union):
        kinds = union["level"].astype(str).str.lower() if "level" in union else level
        parts.append(_frame(union, "coverage", kinds, [""] * len(union)))
    gaps = data.outputs.coverage_layer("gaps")
    if gaps is not None and len(gaps):
        names = [
            f"gap rank {int(r)}: {float(c):,.0f} crimes"
            for r, c in zip(gaps["rank"], gaps["crimes"], strict=True)
        ]
        parts.append(_frame(gaps, "gap", "gap", names))
    if not parts:
        return gpd.GeoDataFrame({"layer": [], "kind": [], "name": []}, geometry=[], crs=BNG)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=BNG)


def _frame(
    frame: gpd.GeoDataFrame, layer: str, kinds: object, names: list[str]
) -> gpd.GeoDataFrame:
    if frame.crs is None:
        frame = frame.set_crs(BNG)
    frame = frame.to_crs(BNG)
    kind = kinds.to_numpy() if isinstance(kinds, pd.Series) else kinds
    return gpd.GeoDataFrame(
        {"layer": layer, "kind": kind, "name": names},
        geometry=frame.geometry.to_numpy(),
        crs=BNG,
        index=range(len(frame)),
    )


def build_coverage(data: EstateData, level: str) -> TileIndex:
    """Tiles of the covered area at ``level`` and the ranked gaps of the coverage GeoPackage."""
    return TileIndex(_coverage_frame(data, level), COVERAGE_RULES, explode=False)


__all__ = ["BASEMAP_MAX_AGE_S", "BasemapTiles", "build_basemap", "build_coverage"]
