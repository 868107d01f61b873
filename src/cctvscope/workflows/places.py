"""Search an estate's region by place: postcodes, place and street names, areas, coordinates.

The gazetteer of an estate is its region's: for London the bundled postcodes and
OSM place names, its boroughs and police stations; for a stored region its areas,
and the named streets and police stations of its OSM layer. A search by a place
the region does not know answers nothing rather than a point in another region.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from cctvscope.ingest import london
from cctvscope.ingest.gazetteer import (
    Gazetteer,
    Place,
    PlaceKind,
    find_places,
    named_places,
    read_london_gazetteer,
)
from cctvscope.model.estate import Estate
from cctvscope.workflows.region_inputs import estate_region, region_inputs
from cctvscope.workflows.regions import LONDON


def estate_gazetteer(engine: Any, estate: Estate) -> Gazetteer:
    """The places of ``estate``'s region (``engine``: only read for a stored region)."""
    boroughs = estate.boroughs
    areas = named_places(
        gpd.GeoDataFrame(boroughs.assign(area=boroughs["gss_code"]), crs=boroughs.crs),
        PlaceKind.AREA,
        "area",
    )
    if estate_region(estate) == LONDON:
        stations = named_places(london.read_police_stations(), PlaceKind.POLICE_STATION)
        return read_london_gazetteer().with_names(pd.concat([areas, stations]))
    region = region_inputs(engine, estate)
    names = [areas]
    if region.streets is not None:
        names.append(named_places(region.streets, PlaceKind.STREET))
    if region.police_stations is not None:
        names.append(named_places(region.police_stations, PlaceKind.POLICE_STATION))
    return Gazetteer().with_names(pd.concat(names, ignore_index=True))


def find_place(engine: Any, estate: Estate, query: str) -> list[Place]:
    """The places of ``estate``'s region that ``query`` may mean, best first."""
    return find_places(estate_gazetteer(engine, estate), query)


__all__ = ["estate_gazetteer", "find_place"]
