"""Find a place by what people call it: a postcode, a place or street name, or coordinates.

A police officer has an address or a postcode, not an easting and northing. A
:class:`Gazetteer` holds the names a region knows (postcode units, named places,
named streets, its areas) with British National Grid points; :func:`find_places`
answers a typed query with the matching places, best first:

- coordinates: ``530268 179644`` (easting, northing [m]) or ``51.5007, -0.1246``
  (WGS84 latitude, longitude; longitude first is recognised in Great Britain);
- a postcode unit (``SW1A 2AA``, any case or spacing), or a postcode district or
  sector (``SW1A``, ``SW1A 2``) answered at the mean point of its units;
- a name: exact matches first, then names starting with the query, then names
  containing it.

The bundled London gazetteer (:func:`read_london_gazetteer`) has OS Code-Point Open
postcodes (May 2018) and OpenStreetMap place names (2019); London has no open street-
name gazetteer bundled, so streets come from a region's own OSM layer.
"""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from cctvscope.crs import BNG, WGS84, wgs84_to_bng
from cctvscope.ingest.london import data_path

#: Bundled gazetteer files (see ``data/real/SOURCES.md``).
POSTCODES_FILE = "gazetteer/london_postcodes_codepoint_2018.csv.gz"
PLACES_FILE = "gazetteer/london_places_osm_2019.geojson"

#: British National Grid extent [m]: a pair of numbers inside it is an easting and northing.
BNG_EXTENT_M = ((0.0, 700_000.0), (0.0, 1_300_000.0))
#: Latitudes of Great Britain [°]: which of two WGS84 numbers is the latitude.
GB_LATITUDE_DEG = (49.0, 61.0)
#: Most places one query answers.
MAX_MATCHES = 10
#: Longest query read [characters].
MAX_QUERY_CHARS = 200

_POSTCODE_UNIT = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")
_POSTCODE_PART = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(?:\s+(\d))?$")
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_PAIR = re.compile(rf"^\s*({_NUMBER})\s*[,;\s]\s*({_NUMBER})\s*$")


class PlaceKind(StrEnum):
    """What a found place is."""

    COORDINATES = "coordinates"
    POSTCODE = "postcode"
    POSTCODE_AREA = "postcode district or sector"
    AREA = "area"
    PLACE = "place"
    STREET = "street"
    POLICE_STATION = "police station"


#: Among equally good name matches, areas first, then places, streets, stations.
_KIND_ORDER = {
    kind.value: i
    for i, kind in enumerate(
        (PlaceKind.AREA, PlaceKind.PLACE, PlaceKind.STREET, PlaceKind.POLICE_STATION)
    )
}


@dataclass(frozen=True)
class Place:
    """One answer to a query: what it is, where (EPSG:27700 [m]) and in which area."""

    label: str
    kind: PlaceKind
    x_m: float
    y_m: float
    area_code: str = ""


@dataclass(frozen=True)
class Gazetteer:
    """Postcode units (``postcode`` without spaces, ``x_m``, ``y_m``, ``area_code``) and named
    places (``name``, ``kind``, ``x_m``, ``y_m``, ``area_code``), all in EPSG:27700."""

    postcodes: pd.DataFrame = field(default_factory=lambda: _empty_postcodes())
    names: pd.DataFrame = field(default_factory=lambda: _empty_names())

    def with_names(self, names: pd.DataFrame) -> Gazetteer:
        """This gazetteer with more named places (a region's streets, areas, stations)."""
        return Gazetteer(self.postcodes, pd.concat([self.names, names], ignore_index=True))


def _empty_postcodes() -> pd.DataFrame:
    return pd.DataFrame({"postcode": [], "x_m": [], "y_m": [], "area_code": []})


def _empty_names() -> pd.DataFrame:
    return pd.DataFrame({"name": [], "kind": [], "x_m": [], "y_m": [], "area_code": []})


def named_places(frame: gpd.GeoDataFrame, kind: PlaceKind, area_column: str = "") -> pd.DataFrame:
    """Named features as gazetteer names: one point per distinct name and area.

    A street drawn as many segments is one place at the segment nearest the middle
    of them all (a point on the street, not beside it); unnamed features are dropped.
    """
    if frame.empty or "name" not in frame.columns:
        return _empty_names()
    named = frame.loc[frame["name"].fillna("").astype(str).str.strip() != ""]
    if named.empty:
        return _empty_names()
    points = _on_feature(named.geometry)
    table = pd.DataFrame(
        {
            "name": named["name"].astype(str).str.strip().to_numpy(),
            "x_m": points.x.to_numpy(),
            "y_m": points.y.to_numpy(),
            "area_code": named[area_column].fillna("").astype(str).to_numpy()
            if area_column
            else "",
        }
    )
    rows = []
    for (name, area), group in table.groupby(["name", "area_code"], sort=True):
        mid_x, mid_y = group["x_m"].mean(), group["y_m"].mean()
        nearest = int(np.argmin((group["x_m"] - mid_x) ** 2 + (group["y_m"] - mid_y) ** 2))
        rows.append(
            (name, kind.value, group["x_m"].iloc[nearest], group["y_m"].iloc[nearest], area)
        )
    return pd.DataFrame(rows, columns=["name", "kind", "x_m", "y_m", "area_code"])


def _on_feature(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """A point on each feature: half-way along a line (a street's middle, where GEOS's
    interior point would be an end), a point inside an area, a point as it is."""
    lines = geometry.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
    points = geometry.representative_point()
    if lines.any():
        middle = shapely.line_interpolate_point(geometry.array[lines], 0.5, normalized=True)
        points = points.copy()
        points.iloc[np.flatnonzero(lines)] = middle
    return points


def parse_postcodes(table: pd.DataFrame) -> pd.DataFrame:
    """Code-Point style rows (``postcode``, ``easting``, ``northing``, ``borough_gss_code``)
    as gazetteer postcodes (keys without spaces, upper case)."""
    return pd.DataFrame(
        {
            "postcode": table["postcode"].astype(str).str.replace(" ", "").str.upper(),
            "x_m": table["easting"].astype(float),
            "y_m": table["northing"].astype(float),
            "area_code": table["borough_gss_code"].fillna("").astype(str),
        }
    )


@cache
def read_london_gazetteer() -> Gazetteer:
    """London's bundled postcodes and OSM place names."""
    raw = gzip.decompress(data_path(POSTCODES_FILE).read_bytes())
    postcodes = parse_postcodes(pd.read_csv(io.BytesIO(raw), dtype={"borough_gss_code": str}))
    places = pyogrio.read_dataframe(data_path(PLACES_FILE)).set_crs(WGS84, allow_override=True)
    names = named_places(places.to_crs(BNG), PlaceKind.PLACE, "borough_gss_code")
    return Gazetteer(postcodes, names)


def _coordinates(query: str) -> Place | None:
    """Two numbers: BNG easting/northing, or WGS84 latitude/longitude in either order."""
    match = _PAIR.match(query)
    if match is None:
        return None
    a, b = float(match.group(1)), float(match.group(2))
    (x0, x1), (y0, y1) = BNG_EXTENT_M
    if x0 <= a <= x1 and y0 <= b <= y1 and max(a, b) > 1_000:
        return Place(f"{a:.0f} {b:.0f}", PlaceKind.COORDINATES, a, b)
    lat0, lat1 = GB_LATITUDE_DEG
    if lat0 <= a <= lat1 and -180 <= b <= 180:
        lat, lon = a, b
    elif lat0 <= b <= lat1 and -180 <= a <= 180:
        lon, lat = a, b
    else:
        return None
    x, y = wgs84_to_bng(np.array([lon]), np.array([lat]))
    return Place(f"{lat:.5f}, {lon:.5f}", PlaceKind.COORDINATES, float(x[0]), float(y[0]))


def _postcodes(gazetteer: Gazetteer, query: str) -> list[Place]:
    """A postcode unit, or a district or sector at the mean point of its units."""
    units = gazetteer.postcodes
    unit = _POSTCODE_UNIT.match(re.sub(r"\s+", "", query.upper()))
    if unit:
        hit = units.loc[units["postcode"] == unit.group(0)]
        if hit.empty:
            return []
        first = hit.iloc[0]
        label = f"{unit.group(1)} {unit.group(2)}"
        x_m, y_m, area = float(first["x_m"]), float(first["y_m"]), str(first["area_code"])
        return [Place(label, PlaceKind.POSTCODE, x_m, y_m, area)]
    part = _POSTCODE_PART.match(query.strip().upper())
    if part is None:
        return []
    outward, sector = part.group(1), part.group(2) or ""
    # The inward code is a digit and two letters, so "E1" never takes E14's units.
    pattern = re.escape(outward) + (sector or r"\d") + "[A-Z]{2}$"
    hit = units.loc[units["postcode"].str.match(pattern)]
    if hit.empty:
        return []
    areas = hit["area_code"].loc[hit["area_code"] != ""]
    area = str(areas.mode().iloc[0]) if len(areas) else ""
    label = f"{outward} {sector}".strip() + f" ({len(hit):,} postcodes)"
    x_m, y_m = float(hit["x_m"].mean()), float(hit["y_m"].mean())
    return [Place(label, PlaceKind.POSTCODE_AREA, x_m, y_m, area)]


def _names(gazetteer: Gazetteer, query: str) -> list[Place]:
    names = gazetteer.names
    if names.empty:
        return []
    wanted = " ".join(query.split()).casefold()
    folded = names["name"].astype(str).str.casefold()
    rank = np.select(
        [folded == wanted, folded.str.startswith(wanted), folded.str.contains(wanted, regex=False)],
        [0, 1, 2],
        default=3,
    )
    kinds = names["kind"].map(_KIND_ORDER).fillna(len(_KIND_ORDER)).to_numpy()
    order = np.lexsort((names["name"].astype(str).to_numpy(), kinds, rank))
    hits = names.iloc[[i for i in order if rank[i] < 3]]
    return [
        Place(name, PlaceKind(kind), x_m, y_m, area)
        for name, kind, x_m, y_m, area in zip(
            hits["name"].astype(str),
            hits["kind"].astype(str),
            hits["x_m"].astype(float),
            hits["y_m"].astype(float),
            hits["area_code"].astype(str),
            strict=True,
        )
    ]


def find_places(gazetteer: Gazetteer, query: str, limit: int = MAX_MATCHES) -> list[Place]:
    """The places ``query`` may mean, best first (at most ``limit``); [] when none.

    Coordinates are answered as given, a postcode before a name that happens to
    contain the same letters.
    """
    text = query.strip()[:MAX_QUERY_CHARS]
    if not text:
        return []
    point = _coordinates(text)
    if point is not None:
        return [point]
    return [*_postcodes(gazetteer, text), *_names(gazetteer, text)][:limit]


__all__ = [
    "Gazetteer",
    "Place",
    "PlaceKind",
    "find_places",
    "named_places",
    "parse_postcodes",
    "read_london_gazetteer",
]
