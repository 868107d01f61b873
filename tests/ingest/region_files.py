"""Files of a small test region around Stockport, written by the tests.

Two square areas in WGS84 (lon -2.20..-2.15 and -2.15..-2.10, lat 53.38..53.43),
two small areas splitting the west one plus one in the east, a police.uk crime
CSV (5 rows, one without coordinates, one outside the region), a population
table and a tiny OSM XML file with 2 buildings, 1 street and a police station.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

WEST = (-2.20, 53.38, -2.15, 53.43)
EAST = (-2.15, 53.38, -2.10, 53.43)


def square(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    """A GeoJSON polygon of a lon/lat box."""
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(properties: dict[str, Any], geometry: dict[str, Any] | None) -> dict[str, Any]:
    """A GeoJSON feature."""
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write_geojson(path: Path, features: list[dict[str, Any]]) -> Path:
    """Write a FeatureCollection (WGS84, as GeoJSON is)."""
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def write_boundaries(path: Path) -> Path:
    """The two areas, with ONS-style LAD columns."""
    return write_geojson(
        path,
        [
            feature({"WD22CD": "E05000780", "WD22NM": "Heatons West"}, square(*WEST)),
            feature({"WD22CD": "E05000781", "WD22NM": "Heatons East"}, square(*EAST)),
        ],
    )


def write_small_areas(path: Path) -> Path:
    """Three small areas: the west area split north/south, and the east area whole."""
    mid = (WEST[1] + WEST[3]) / 2
    return write_geojson(
        path,
        [
            feature(
                {"LSOA21CD": "E01005001", "LSOA21NM": "West south", "population": 1500},
                square(WEST[0], WEST[1], WEST[2], mid),
            ),
            feature(
                {"LSOA21CD": "E01005002", "LSOA21NM": "West north", "population": 1600},
                square(WEST[0], mid, WEST[2], WEST[3]),
            ),
            feature(
                {"LSOA21CD": "E01005003", "LSOA21NM": "East", "population": 2000},
                square(*EAST),
            ),
        ],
    )


CRIME_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context"
)
CRIME_ROWS = [
    "a1,2024-03,Greater Manchester Police,Greater Manchester Police,-2.180000,53.390000,"
    "On or near Test Street,E01005001,West south,Burglary,Under investigation,",
    "a2,2024-03,Greater Manchester Police,Greater Manchester Police,-2.170000,53.420000,"
    "On or near Test Street,E01005002,West north,Vehicle crime,Under investigation,",
    "a3,2024-04,Greater Manchester Police,Greater Manchester Police,-2.120000,53.400000,"
    "On or near Test Street,E01005003,East,Anti-social behaviour,,",
    ",2024-04,Greater Manchester Police,Greater Manchester Police,,,"
    "No Location,,,Anti-social behaviour,,",
    "a5,2024-04,Greater Manchester Police,Greater Manchester Police,-2.300000,53.480000,"
    "On or near Elsewhere,E01009999,Elsewhere,Burglary,Under investigation,",
]


def write_crime(path: Path) -> Path:
    """A police.uk street-level CSV: 5 crimes, one without coordinates, one outside."""
    path.write_text("\n".join([CRIME_HEADER, *CRIME_ROWS]) + "\n", encoding="utf-8")
    return path


OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="cctvscope tests">
  <node id="1" lat="53.4000" lon="-2.1600" version="1"/>
  <node id="2" lat="53.4000" lon="-2.1595" version="1"/>
  <node id="3" lat="53.4004" lon="-2.1595" version="1"/>
  <node id="4" lat="53.4004" lon="-2.1600" version="1"/>
  <node id="5" lat="53.4100" lon="-2.1300" version="1"/>
  <node id="6" lat="53.4100" lon="-2.1295" version="1"/>
  <node id="7" lat="53.4104" lon="-2.1295" version="1"/>
  <node id="8" lat="53.4104" lon="-2.1300" version="1"/>
  <node id="9" lat="53.3900" lon="-2.1900" version="1"/>
  <node id="10" lat="53.4200" lon="-2.1100" version="1"/>
  <node id="11" lat="53.4050" lon="-2.1550" version="1">
    <tag k="amenity" v="police"/>
    <tag k="name" v="Heatons Police Station"/>
  </node>
  <node id="12" lat="53.4060" lon="-2.1560" version="1">
    <tag k="amenity" v="bench"/>
  </node>
  <way id="100" version="1">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="building" v="yes"/><tag k="name" v="Town Hall"/>
  </way>
  <way id="101" version="1">
    <nd ref="5"/><nd ref="6"/><nd ref="7"/><nd ref="8"/><nd ref="5"/>
    <tag k="building" v="house"/>
  </way>
  <way id="102" version="1">
    <nd ref="9"/><nd ref="10"/>
    <tag k="highway" v="residential"/><tag k="name" v="Test Street"/>
  </way>
</osm>
"""


def write_osm(path: Path) -> Path:
    """The tiny OSM XML file."""
    path.write_text(OSM, encoding="utf-8")
    return path


def write_region(folder: Path) -> dict[str, Path]:
    """Every file of the test region, by layer."""
    folder.mkdir(parents=True, exist_ok=True)
    population = folder / "population.csv"
    population.write_text("code,population\nE01005001,1510\nE01005002,1610\nE01005003,2010\n")
    return {
        "boundaries": write_boundaries(folder / "areas.geojson"),
        "small_areas": write_small_areas(folder / "lsoa.geojson"),
        "crime": write_crime(folder / "2024-03-greater-manchester-street.csv"),
        "population": population,
        "osm": write_osm(folder / "heatons.osm"),
    }
