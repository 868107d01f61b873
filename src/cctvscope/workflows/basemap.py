"""The street map of an estate's region, as one layer frame for the app's own map tiles.

London draws its bundled open basemap (inner-London streets, TfL Red Routes, rail and
stations, water, parks, place names: ``data/real/basemap``); every region draws its areas
as land, and the streets of its own OSM extract (``cctvscope region create --osm``) on top,
so an area without a street layer still shows what exists and never an empty square.
London's layers are never drawn for another region.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from cctvscope.crs import BNG
from cctvscope.ingest import london
from cctvscope.model.estate import Estate
from cctvscope.workflows.region_inputs import RegionInputs

#: Columns of :func:`region_basemap`.
BASEMAP_COLUMNS = ["layer", "kind", "name", "geometry"]
#: Attribution of a region's own OSM streets.
OSM_ATTRIBUTION = london.BASEMAP_ATTRIBUTIONS[0]


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


def region_basemap(estate: Estate, region: RegionInputs) -> gpd.GeoDataFrame:
    """The map layers of the estate's region: ``layer``, ``kind``, ``name``, geometry
    (EPSG:27700). Layers: ``land`` (the estate's areas), London's bundled layers for London,
    and ``street`` from the region's OSM streets."""
    areas = estate.boroughs.to_crs(BNG)
    parts = [_layer(areas, "land", "area", _names(areas))]
    if region.is_london:
        parts.append(london.read_basemap()[BASEMAP_COLUMNS])
    if region.streets is not None and len(region.streets):
        streets = region.streets.to_crs(BNG)
        parts.append(_layer(streets, "street", "osm", _names(streets)))
    frame = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(frame[BASEMAP_COLUMNS], geometry="geometry", crs=BNG)


def basemap_attribution(region: RegionInputs) -> tuple[str, ...]:
    """The attribution lines the region's map carries (ODbL, OGL, TfL for London)."""
    if region.is_london:
        return london.BASEMAP_ATTRIBUTIONS
    return (OSM_ATTRIBUTION,) if region.streets is not None else ()


__all__ = ["BASEMAP_COLUMNS", "basemap_attribution", "region_basemap"]
