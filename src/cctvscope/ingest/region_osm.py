"""Read OpenStreetMap features of a region: buildings, streets and police stations.

OSM files (``.osm`` XML, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf``) are read with
pyosmium (libosmium builds the polygons of buildings drawn as closed ways or
multipolygon relations); GeoJSON extracts (Overpass, QGIS) with pyogrio. Kept:

================== ======================================= ================
``building``       areas tagged ``building=*``             polygons
``street``         ways tagged ``highway=*``               lines
``police_station`` nodes or areas tagged ``amenity=police`` points (an area
                                                           becomes a point
                                                           inside it)
================== ======================================= ================

Everything else is skipped. Files with more than :data:`MAX_OSM_FEATURES` kept
features are refused with a finding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import osmium
import osmium.filter
import pandas as pd
import shapely
from osmium.geom import WKBFactory

from cctvscope.crs import BNG, WGS84
from cctvscope.errors import Finding
from cctvscope.ingest.region import Findings, file_finding, read_layer

#: Most kept features an OSM file may give (bounded memory; cut the extract to the region).
MAX_OSM_FEATURES = 500_000
OSM_SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".osm.pbf", ".pbf")
FEATURE_COLUMNS = ["kind", "osm_id", "name", "geometry"]
FEATURE_KINDS = ("building", "street", "police_station")


def _kind(tags: Any, areal: bool) -> str | None:
    """The feature kind of an OSM object's tags, or None when it is not kept."""
    if tags.get("amenity") == "police":
        return "police_station"
    if areal and tags.get("building", "no") != "no":
        return "building"
    if not areal and tags.get("highway"):
        return "street"
    return None


def _empty(crs: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in FEATURE_COLUMNS[:-1]}, geometry=[], crs=crs)


def read_osm_features(path: Path, *, crs: str = BNG) -> tuple[gpd.GeoDataFrame, Findings]:
    """Buildings, streets and police stations of an OSM file or GeoJSON extract, in ``crs``.

    Returns (``kind``, ``osm_id`` like ``way/123`` or None, ``name``, geometry) and
    the findings.
    """
    name = path.name.lower()
    if name.endswith(OSM_SUFFIXES):
        rows, findings = _read_osm(path)
    elif name.endswith((".geojson", ".json", ".gpkg")):
        rows, findings = _read_extract(path)
    else:
        reason = "an OSM file is .osm, .osm.gz, .osm.bz2, .osm.pbf, .geojson or .gpkg"
        return _empty(crs), (file_finding(reason, path.name),)
    if any(f.severity == "error" for f in findings):
        return _empty(crs), findings
    frame = gpd.GeoDataFrame(
        {
            "kind": [r[0] for r in rows],
            "osm_id": [r[1] for r in rows],
            "name": [r[2] for r in rows],
        },
        geometry=[r[3] for r in rows],
        crs=WGS84,
    )
    out = list(findings)
    if not len(frame):
        reason = "no buildings, streets or police stations in the file"
        out.append(Finding("warning", None, None, path.name, reason))
    return frame.to_crs(crs), tuple(out)


Row = tuple[str, str | None, str, Any]


def _too_many() -> Finding:
    reason = f"more than {MAX_OSM_FEATURES:,} features; cut the extract to the region"
    return file_finding(reason, str(MAX_OSM_FEATURES))


def _read_osm(path: Path) -> tuple[list[Row], Findings]:
    """Kept features of an OSM file via pyosmium (node locations kept for the geometry)."""
    factory = WKBFactory()
    rows: list[Row] = []
    broken = 0
    try:
        objects = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_areas()
            .with_filter(osmium.filter.KeyFilter("building", "highway", "amenity"))
        )
        for obj in objects:
            try:
                row = _osm_row(obj, factory)
            except (RuntimeError, ValueError):  # a way with missing nodes (cut at the edge)
                broken += 1
                continue
            if row is not None:
                rows.append(row)
                if len(rows) > MAX_OSM_FEATURES:
                    return [], (_too_many(),)
    except (RuntimeError, OSError, ValueError) as exc:
        return [], (file_finding(f"cannot read {path.name} as OSM: {exc}", path.name),)
    findings: list[Finding] = []
    if broken:
        reason = f"{broken} feature(s) with missing nodes left out (cut at the extract's edge)"
        findings.append(Finding("warning", None, None, str(broken), reason))
    return rows, tuple(findings)


def _osm_row(obj: Any, factory: WKBFactory) -> Row | None:
    if obj.is_area():
        kind = _kind(obj.tags, areal=True)
        if kind is None:
            return None
        geom = shapely.from_wkb(factory.create_multipolygon(obj))
        osm_id = f"{'way' if obj.from_way() else 'relation'}/{obj.orig_id()}"
        if kind == "police_station":
            geom = geom.representative_point()
        return kind, osm_id, obj.tags.get("name", ""), geom
    if obj.is_way():
        if _kind(obj.tags, areal=False) != "street":
            return None
        geom = shapely.from_wkb(factory.create_linestring(obj))
        return "street", f"way/{obj.id}", obj.tags.get("name", ""), geom
    if obj.is_node() and _kind(obj.tags, areal=False) == "police_station":
        geom = shapely.from_wkb(factory.create_point(obj))
        return "police_station", f"node/{obj.id}", obj.tags.get("name", ""), geom
    return None


def _read_extract(path: Path) -> tuple[list[Row], Findings]:
    """Kept features of a GeoJSON/GeoPackage extract, by its building/highway/amenity tags."""
    frame, findings = read_layer(path, limit=MAX_OSM_FEATURES)
    if frame is None:
        return [], findings
    frame = frame.to_crs(WGS84)
    columns = set(frame.columns)
    rows: list[Row] = []
    for record, geom in zip(
        frame.drop(columns=frame.geometry.name).to_dict("records"), frame.geometry, strict=True
    ):
        if geom is None or geom.is_empty:
            continue
        tags = {k: str(v) for k, v in record.items() if k in columns and _present(v)}
        areal = geom.geom_type in ("Polygon", "MultiPolygon")
        kind = _kind(tags, areal=areal)
        if kind == "street" and "Line" not in geom.geom_type:
            kind = None
        if kind is None:
            continue
        if kind == "police_station":
            geom = geom.representative_point()
        osm_id = tags.get("@id") or tags.get("id") or tags.get("osm_id")
        rows.append((kind, osm_id, tags.get("name", ""), geom))
    return rows, findings


def _present(value: Any) -> bool:
    """True for a real tag value (not None, NaN or empty)."""
    if value is None:
        return False
    if isinstance(value, float) and np.isnan(value):
        return False
    return str(value) != ""


LON_ALIASES = ("longitude", "lon", "lng", "x")
LAT_ALIASES = ("latitude", "lat", "y")
STATION_NAME_ALIASES = ("name", "station", "station_name")


def read_police_stations(path: Path, *, crs: str = BNG) -> tuple[gpd.GeoDataFrame, Findings]:
    """Police stations as points (kind ``police_station``), from OSM, GeoJSON/GeoPackage or CSV.

    A CSV gives WGS84 longitude/latitude columns (``longitude``/``latitude``,
    ``lon``/``lat``) and a ``name``; spatial files give points or polygons (a
    polygon becomes a point inside it); OSM files give ``amenity=police``.
    """
    name = path.name.lower()
    if name.endswith(OSM_SUFFIXES):
        features, findings = read_osm_features(path, crs=crs)
        return features.loc[features["kind"] == "police_station"].reset_index(drop=True), findings
    if name.endswith((".csv", ".txt")):
        return _stations_csv(path, crs)
    frame, findings = read_layer(path)
    if frame is None:
        return _empty(crs), findings
    out = list(findings)
    lower = {str(c).lower(): str(c) for c in frame.columns}
    name_col = next((lower[a] for a in STATION_NAME_ALIASES if a in lower), None)
    names: list[str] = []
    points: list[Any] = []
    for row, (geom, label) in enumerate(
        zip(frame.geometry, frame[name_col] if name_col else [""] * len(frame), strict=True),
        start=1,
    ):
        if geom is None or geom.is_empty:
            out.append(Finding("error", row, "geometry", None, "empty geometry"))
            continue
        points.append(geom if geom.geom_type == "Point" else geom.representative_point())
        names.append("" if not _present(label) else str(label))
    if any(f.severity == "error" for f in out):
        return _empty(crs), tuple(out)
    stations = gpd.GeoDataFrame(
        {"kind": "police_station", "osm_id": None, "name": names},
        geometry=points,
        crs=frame.crs,
    )
    return stations.to_crs(crs), tuple(out)


def _stations_csv(path: Path, crs: str) -> tuple[gpd.GeoDataFrame, Findings]:
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, nrows=MAX_OSM_FEATURES + 1)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return _empty(crs), (file_finding(f"cannot read {path.name}: {exc}", path.name),)
    if len(raw) > MAX_OSM_FEATURES:
        return _empty(crs), (_too_many(),)
    lower = {str(c).lower(): str(c) for c in raw.columns}
    lon_col = next((lower[a] for a in LON_ALIASES if a in lower), None)
    lat_col = next((lower[a] for a in LAT_ALIASES if a in lower), None)
    if lon_col is None or lat_col is None:
        reason = f"no longitude/latitude columns (columns: {', '.join(raw.columns)})"
        return _empty(crs), (file_finding(reason, None, "longitude"),)
    name_col = next((lower[a] for a in STATION_NAME_ALIASES if a in lower), None)
    lon = pd.to_numeric(raw[lon_col], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(raw[lat_col], errors="coerce").to_numpy(float)
    out = [
        Finding(
            "error", int(i) + 1, "longitude", f"{raw[lon_col][i]}, {raw[lat_col][i]}", "no location"
        )
        for i in np.flatnonzero(~(np.isfinite(lon) & np.isfinite(lat)))
        for lon_text, lat_text in [(raw[lon_col].iloc[i], raw[lat_col].iloc[i])]
    ]
    if out:
        return _empty(crs), tuple(out)
    stations = gpd.GeoDataFrame(
        {
            "kind": "police_station",
            "osm_id": None,
            "name": list(raw[name_col]) if name_col else [""] * len(raw),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    )
    return stations.to_crs(crs), ()
