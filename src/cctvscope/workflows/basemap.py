"""The street map of an estate's region, as one layer frame for the app's own map tiles.

London draws its bundled open basemap (inner-London streets, TfL Red Routes, rail and
stations, water, parks, place names: ``data/real/basemap``); every region draws its areas
as land, and the streets of its own OSM extract (``cctvscope region create --osm``; London's
are the bundled Covent Garden and Clerkenwell extracts) on top, so an area without a street
layer still shows what exists and never an empty square. London's layers are never drawn
for another region.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from cctvscope.crs import BNG
from cctvscope.ingest import london
from cctvscope.model.estate import Estate
from cctvscope.workflows.region_inputs import estate_region
from cctvscope.workflows.regions import LONDON, load_region

#: Columns of :func:`region_basemap`.
BASEMAP_COLUMNS = ["layer", "kind", "name", "geometry"]
#: Attribution of a region's own OSM streets.
OSM_ATTRIBUTION = london.BASEMAP_ATTRIBUTIONS[0]


@dataclass(frozen=True)
class RegionMap:
    """A region's map layers (see :func:`region_basemap`) and the attribution they carry."""

    region: str
    frame: gpd.GeoDataFrame
    attribution: tuple[str, ...]


def _layer(frame: gpd.GeoDataFrame, layer: str, kind: str, names: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"layer": layer, "kind": kind, "name": names},
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
        index=range(len(frame)),
    )


def _names(frame: pd.DataFrame) -> list[str]:
    if "name" not in frame.columns:
        return [""] * len(frame)
    return ["" if pd.isna(v) else str(v) for v in frame["name"]]


def region_basemap(
    areas: gpd.GeoDataFrame, streets: gpd.GeoDataFrame | None, *, is_london: bool
) -> gpd.GeoDataFrame:
    """The map layers of a region: ``layer``, ``kind``, ``name``, geometry (EPSG:27700).
    Layers: ``land`` (``areas``, an estate's boroughs), London's bundled layers when
    ``is_london``, and ``street`` from the region's OSM ``streets``."""
    areas = areas.to_crs(BNG)
    parts = [_layer(areas, "land", "area", _names(areas))]
    if is_london:
        parts.append(london.read_basemap()[BASEMAP_COLUMNS])
    if streets is not None and len(streets):
        streets = streets.to_crs(BNG)
        parts.append(_layer(streets, "street", "osm", _names(streets)))
    frame = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(frame[BASEMAP_COLUMNS], geometry="geometry", crs=BNG)


def basemap_attribution(has_streets: bool, *, is_london: bool) -> tuple[str, ...]:
    """The attribution lines a region's map carries (ODbL, OGL, TfL for London)."""
    if is_london:
        return london.BASEMAP_ATTRIBUTIONS
    return (OSM_ATTRIBUTION,) if has_streets else ()


def _region_streets(engine: Any, region: str) -> gpd.GeoDataFrame | None:
    """The OSM streets of a region (London's bundled extracts), or None."""
    if region == LONDON:
        frames = [london.read_osm_streets(area) for area in london.OSM_AREAS]
        return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=BNG)
    features = load_region(engine, region).features
    streets = features.loc[features["kind"] == "street"]
    return None if streets.empty else gpd.GeoDataFrame(streets, crs=features.crs)


def estate_basemap(engine: Any, estate: Estate) -> RegionMap:
    """The map of the region ``estate`` names (``engine`` is read for a stored region only)."""
    region = estate_region(estate)
    streets = _region_streets(engine, region)
    is_london = region == LONDON
    frame = region_basemap(estate.boroughs, streets, is_london=is_london)
    return RegionMap(region, frame, basemap_attribution(streets is not None, is_london=is_london))


__all__ = [
    "BASEMAP_COLUMNS",
    "RegionMap",
    "basemap_attribution",
    "estate_basemap",
    "region_basemap",
]
