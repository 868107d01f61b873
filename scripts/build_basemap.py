"""Build the bundled London basemap (``data/real/basemap/london_basemap.geojson.gz``).

Run once from the repository root with the shared open data folder (``SOURCES.md``,
section "Addendum", "1. basemap/")::

    python scripts/build_basemap.py /work/shared/data/basemap

Every layer is simplified in British National Grid metres (tolerances below), small areas
are dropped, coordinates are rounded to 5 decimals (about 1 m) and the file is gzipped, so
the whole region's streets, water, parks, rail and stations ship in a few MB.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

OUT = Path("src/cctvscope/data/real/basemap/london_basemap.geojson.gz")
#: Simplification tolerance per layer [m]: below a pixel at zoom 17 (1.2 m at London).
TOLERANCE_M = {"street": 1.0, "main_road": 1.5, "rail": 3.0, "water": 3.0, "waterway": 3.0,
               "park": 3.0}  # fmt: skip
#: Smallest polygon kept [m²].
MIN_AREA_M2 = 400.0
RAIL_KINDS = {"rail", "light_rail", "tram", "narrow_gauge", "monorail", "funicular", "subway"}
STATION_KINDS = {"railway_station", "tram_stop", "ferry_terminal"}
WATER_KINDS = {"water", "reservoir", "dock", "river"}


def _layer(frame: gpd.GeoDataFrame, layer: str, kind: object, name: object) -> gpd.GeoDataFrame:
    frame = frame.to_crs("EPSG:27700")
    out = gpd.GeoDataFrame(
        {
            "layer": layer,
            "kind": kind if isinstance(kind, str) else pd.Series(kind, index=frame.index),
            "name": name if isinstance(name, str) else pd.Series(name, index=frame.index),
        },
        geometry=frame.geometry,
        crs=frame.crs,
        index=frame.index,
    )
    tolerance = TOLERANCE_M.get(layer)
    if tolerance:
        out["geometry"] = out.geometry.simplify(tolerance, preserve_topology=True)
    out = out.explode(index_parts=False)
    polygonal = out.geom_type == "Polygon"
    out = out[~polygonal | (out.geometry.area >= MIN_AREA_M2)]
    return out[~out.geometry.is_empty]


def build(src: Path) -> gpd.GeoDataFrame:
    def read(name: str) -> gpd.GeoDataFrame:
        return gpd.read_file(src / name)

    roads = read("inner_london_osm_roads_z12.geojson")
    red = read("tfl_road_network_tlrn_red_routes_2017.geojson")
    rail = read("greater_london_osm_railways_2019.geojson")
    rail = rail[rail["fclass"].isin(RAIL_KINDS)]
    stations = read("greater_london_osm_stations_2019.geojson")
    stations = stations[stations["fclass"].isin(STATION_KINDS)]
    water = read("greater_london_osm_water_polygons_2019.geojson")
    water = water[water["fclass"].isin(WATER_KINDS)]
    thames = read("river_thames_os_opendata_simplified.geojson")
    ways = read("greater_london_osm_waterways_2019.geojson")
    parks = read("london_os_open_greenspace_parks.geojson")
    parts = [
        _layer(roads, "street", "street", ""),
        _layer(red, "main_road", "red_route", ""),
        _layer(rail, "rail", rail["fclass"], rail["name"].fillna("")),
        _layer(stations, "station", stations["fclass"], stations["name"].fillna("")),
        _layer(water, "water", water["fclass"], water["name"].fillna("")),
        _layer(thames, "water", "river", "River Thames"),
        _layer(ways, "waterway", ways["fclass"], ways["name"].fillna("")),
        _layer(parks, "park", "park", parks["name"].fillna("")),
    ]
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs="EPSG:27700")


def write(frame: gpd.GeoDataFrame, out: Path) -> None:
    wgs = frame.to_crs("EPSG:4326")
    wgs["geometry"] = shapely.set_precision(wgs.geometry.values, 1e-5)
    wgs = wgs[~wgs.geometry.is_empty & wgs.geometry.notna()]
    text = wgs.to_json(drop_id=True, to_wgs84=False)
    data = json.loads(text)
    for feature in data["features"]:
        props = feature["properties"]
        if not props.get("name"):
            props.pop("name", None)
    out.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(data, separators=(",", ":")).encode()
    out.write_bytes(gzip.compress(body, compresslevel=9, mtime=0))
    counts = wgs["layer"].value_counts().to_dict()
    print(f"{out}: {len(wgs):,} features {counts}, {len(body):,} B raw, {out.stat().st_size:,} B")


if __name__ == "__main__":
    write(build(Path(sys.argv[1])), OUT)
