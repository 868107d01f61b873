"""Regions: any area as an input, London the bundled default.

A region is made once from the user's files (:func:`create_region`): its area
units (the boundary file: districts, wards, police neighbourhoods, the user's own
areas), and optionally small statistical areas, population, police.uk street
crime, OpenStreetMap features and police stations. Every file is read and checked
first, and every finding is reported at once; any error and nothing is stored.

An estate of the region (:func:`create_estate`) takes the region's areas as its
boroughs, so a camera or table import into it checks locations against them.
London is a region like any other (:func:`ensure_london_region`), built from the
bundled data the first time it is asked for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cctvscope.crs import BNG
from cctvscope.errors import Finding, InputError, UnknownEstateError
from cctvscope.ingest import london
from cctvscope.ingest.region import (
    crs_epsg,
    file_sha256,
    read_boundaries,
    read_police_uk_crime,
    read_population,
    read_small_areas,
)
from cctvscope.ingest.region_osm import read_osm_features, read_police_stations
from cctvscope.model.entities import Borough, Region
from cctvscope.model.enums import Provenance
from cctvscope.model.estate import REGION_METADATA_KEY, Estate, empty_estate
from cctvscope.model.frames import normalise_frame
from cctvscope.store import load_estate, save_estate
from cctvscope.store.regions import (
    CRIME_COLUMNS,
    LayerInfo,
    RegionData,
    RegionInfo,
    list_regions,
    load_region_data,
    region_info,
    save_region,
)

Step = Callable[[str], None]

LONDON = "london"
"""Name of the bundled London region."""
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
BNG_EPSG = 27700


class LayerKind(StrEnum):
    """What a region layer holds."""

    BOUNDARIES = "boundaries"
    SMALL_AREAS = "small_areas"
    POPULATION = "population"
    CRIME = "crime_points"
    OSM = "osm_features"
    POLICE_STATIONS = "police_stations"


def _tag(layer: str, path: Path, findings: Sequence[Finding]) -> list[Finding]:
    """Findings of one layer file, their reasons prefixed with the layer and file."""
    return [
        Finding(f.severity, f.row, f.field, f.value, f"{layer} ({path.name}): {f.reason}")
        for f in findings
    ]


def _empty_small(crs: str) -> gpd.GeoDataFrame:
    columns: dict[str, list[Any]] = {
        "code": [],
        "name": [],
        "area_code": [],
        "population": [],
        "crimes": [],
    }
    frame = gpd.GeoDataFrame(columns, geometry=[], crs=crs)
    return frame.astype({"population": "Int64", "crimes": "Int64"})


def _empty_features(crs: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"kind": [], "osm_id": [], "name": []}, geometry=[], crs=crs)


def _contains(areas: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray) -> list[str | None]:
    """Code of the area containing each point (first match), or None."""
    codes: list[str | None] = [None] * len(x)
    if not len(x) or not len(areas):
        return codes
    tree = shapely.STRtree(np.asarray(areas.geometry.values))
    points, polygons = tree.query(shapely.points(x, y), predicate="intersects")
    names = areas["code"].to_numpy()
    for p, a in zip(points[::-1], polygons[::-1], strict=True):  # first match wins
        codes[int(p)] = str(names[a])
    return codes


def assemble_region(
    info: RegionInfo,
    areas: gpd.GeoDataFrame,
    *,
    small_areas: gpd.GeoDataFrame | None = None,
    crime: pd.DataFrame | None = None,
    population: pd.DataFrame | None = None,
    features: Sequence[gpd.GeoDataFrame] = (),
) -> tuple[RegionData, list[Finding]]:
    """Tie a region's layers together: small areas to areas, crimes to small areas.

    Small areas take the area their representative point lies in; population rows
    go to small areas by code (or, when none match, to areas, kept in the region's
    metadata); crimes outside every area are left out (police.uk files cover a
    whole force) and counted per small area. Returns the data and the warnings.
    """
    crs = str(areas.crs)
    out: list[Finding] = []
    metadata = dict(info.metadata)
    small = _empty_small(crs) if small_areas is None else small_areas.copy()
    if small_areas is not None:
        reps = small.geometry.representative_point()
        small["area_code"] = _contains(areas, reps.x.to_numpy(), reps.y.to_numpy())
        lost = int(small["area_code"].isna().sum())
        if lost:
            reason = f"{lost} small area(s) lie outside every area: kept without an area"
            out.append(Finding("warning", None, "area_code", str(lost), reason))
        if "population" not in small.columns:
            small["population"] = pd.array([pd.NA] * len(small), dtype="Int64")
        if "crimes" not in small.columns:
            small["crimes"] = pd.array([pd.NA] * len(small), dtype="Int64")
    if population is not None and len(population):
        table = population.set_index("code")["population"]
        hits = small["code"].isin(table.index)
        if hits.any():
            small["population"] = small["code"].map(table).astype("Int64")
            unmatched = int((~population["code"].isin(small["code"])).sum())
        else:
            matched = table.reindex(areas["code"]).dropna()
            metadata["area_population"] = {str(k): int(v) for k, v in matched.items()}
            unmatched = len(table) - len(matched)
        if unmatched:
            reason = f"{unmatched} population row(s) match no small area or area: left out"
            out.append(Finding("warning", None, "population", str(unmatched), reason))
    points = pd.DataFrame(columns=CRIME_COLUMNS)
    if crime is not None and len(crime):
        x, y = crime["x_m"].to_numpy(float), crime["y_m"].to_numpy(float)
        inside = np.array([c is not None for c in _contains(areas, x, y)], dtype=bool)
        if (~inside).any():
            reason = f"{int((~inside).sum())} crime(s) outside every area left out"
            out.append(Finding("warning", None, "crime", str(int((~inside).sum())), reason))
        kept = crime.loc[inside].reset_index(drop=True)
        known = set(small["code"])
        spatial = _contains(small, kept["x_m"].to_numpy(float), kept["y_m"].to_numpy(float))
        kept["small_area_code"] = [
            code if code in known else located
            for code, located in zip(kept["lsoa_code"], spatial, strict=True)
        ]
        points = kept[CRIME_COLUMNS]
        metadata["crime_months"] = sorted({str(m) for m in kept["month"]})
        if len(small):
            counts = points["small_area_code"].value_counts()
            small["crimes"] = small["code"].map(counts).fillna(0).astype("Int64")
    feature_frames = [f.to_crs(crs) for f in features if len(f)]
    merged = (
        pd.concat(feature_frames, ignore_index=True) if feature_frames else _empty_features(crs)
    )
    data = RegionData(
        info=replace(info, areas=len(areas), metadata=metadata),
        areas=areas[["code", "name", "geometry"]].reset_index(drop=True),
        small_areas=small[["code", "name", "area_code", "population", "crimes", "geometry"]],
        crime=points.reset_index(drop=True),
        features=gpd.GeoDataFrame(merged, geometry="geometry", crs=crs),
    )
    return data, out


def _layer(
    name: str, kind: LayerKind, count: int, paths: Sequence[Path], at: dt.datetime
) -> LayerInfo:
    """A layer row: one file's name and SHA-256, or several names and the hash of their hashes."""
    hashes = [file_sha256(p) for p in paths]
    sha = hashes[0] if len(hashes) == 1 else hashlib.sha256("".join(hashes).encode()).hexdigest()
    return LayerInfo(name, str(kind), count, ", ".join(p.name for p in paths), sha, at)


def _check_name(engine: Any, name: str) -> list[Finding]:
    if not NAME_PATTERN.match(name):
        reason = "a region name is 1-64 letters, digits or _.- (no spaces)"
        return [Finding("error", None, "name", name, reason)]
    if region_info(engine, name) is not None:
        return [Finding("error", None, "name", name, "a region of that name exists")]
    return []


def create_region(
    engine: Any,
    name: str,
    boundaries: Path,
    *,
    title: str | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    small_areas: Path | None = None,
    crime: Sequence[Path] = (),
    population: Path | None = None,
    osm: Path | None = None,
    police_stations: Path | None = None,
    on_step: Step | None = None,
) -> RegionInfo:
    """Read a region's files and store it (all findings at once; any error: nothing stored).

    Parameters
    ----------
    name
        The key users type (``region show stockport``); letters, digits, ``_.-``.
    boundaries
        The area units: GeoJSON, GeoPackage or shapefile, any CRS.
    title
        The name outputs use ("Stockport"); default: ``name``.
    code_field, name_field
        Columns of the area code and name in ``boundaries`` (default: usual names).
    small_areas, crime, population, osm, police_stations
        Optional layers (see :mod:`cctvscope.ingest.region` and
        :mod:`cctvscope.ingest.region_osm`).

    Raises
    ------
    InputError
        With every finding of every file, when any has an error.
    """
    step = on_step or (lambda _message: None)
    findings = _check_name(engine, name)
    step(f"Reading {boundaries.name}")
    areas, got = read_boundaries(boundaries, code_field=code_field, name_field=name_field)
    findings += _tag("boundaries", boundaries, got)
    # Other layers go to the boundaries' CRS; when those failed, BNG keeps the reading going.
    crs = str(areas.crs) if len(areas) else BNG
    small = pop = crimes = None
    frames: list[gpd.GeoDataFrame] = []
    if small_areas is not None:
        step(f"Reading {small_areas.name}")
        small, got = read_small_areas(small_areas, crs=crs)
        findings += _tag("small areas", small_areas, got)
    if population is not None:
        pop, got = read_population(population)
        findings += _tag("population", population, got)
    if crime:
        step(f"Reading {len(crime)} crime file(s)")
        crimes, got = read_police_uk_crime(crime, crs=crs)
        findings += [
            Finding(f.severity, f.row, f.field, f.value, f"crime: {f.reason}") for f in got
        ]
    counts: dict[str, int] = {}
    for path, reader, label in (
        (osm, read_osm_features, "osm"),
        (police_stations, read_police_stations, "police stations"),
    ):
        if path is not None:
            step(f"Reading {path.name}")
            frame, got = reader(path, crs=crs)
            findings += _tag(label, path, got)
            frames.append(frame)
            counts[label] = len(frame)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise InputError(f"region {name!r}: {len(errors)} error(s); nothing was stored", findings)
    at = dt.datetime.now(dt.UTC)
    step("Tying the layers together")
    base = RegionInfo(name, title or name, crs_epsg(crs), at, len(areas), (), {})
    data, notes = assemble_region(
        base, areas, small_areas=small, crime=crimes, population=pop, features=frames
    )
    # Counts are what is stored: the crime layer counts the crimes inside the region.
    layers = [_layer("areas", LayerKind.BOUNDARIES, len(areas), [boundaries], at)]
    if small_areas is not None:
        count = len(data.small_areas)
        layers.append(_layer("small_areas", LayerKind.SMALL_AREAS, count, [small_areas], at))
    if population is not None and pop is not None:
        layers.append(_layer("population", LayerKind.POPULATION, len(pop), [population], at))
    if crime:
        layers.append(_layer("crime", LayerKind.CRIME, len(data.crime), list(crime), at))
    if osm is not None:
        layers.append(_layer("osm", LayerKind.OSM, counts["osm"], [osm], at))
    if police_stations is not None:
        count = counts["police stations"]
        layers.append(
            _layer("police_stations", LayerKind.POLICE_STATIONS, count, [police_stations], at)
        )
    metadata = {**dict(data.info.metadata), "warnings": [str(f) for f in [*findings, *notes]]}
    info = replace(data.info, layers=tuple(layers), metadata=metadata)
    step("Storing the region")
    return save_region(engine, replace(data, info=info))


def load_region(engine: Any, name: str) -> RegionData:
    """Every layer of the region ``name`` (the bundled London one is built on first use)."""
    if name == LONDON:
        ensure_london_region(engine)
    return load_region_data(engine, name)


#: London's street crime files: the MPS burglary points and the City of London Police's.
LONDON_CRIME_FILES = (
    "crime/police_uk_met_burglary_street_2024-03_to_2025-02.csv.gz",
    "crime/police_uk_city_of_london_street_2024-03_to_2025-02.csv.gz",
)


def ensure_london_region(engine: Any) -> RegionInfo:
    """The bundled London region: stored the first time, then read back (idempotent).

    33 boroughs, 4,835 LSOAs (2011) with ONS mid-2020 population and MPS recorded
    crime 2021, police.uk street crime points (March 2024 - February 2025: the MPS's
    burglary points, the City of London Police's of every type) and the MPS
    police stations, each layer with the SHA-256 of its bundled file.
    """
    existing = region_info(engine, LONDON)
    if existing is not None:
        return existing
    at = dt.datetime.now(dt.UTC)
    boroughs = london.read_boroughs().rename(columns={"gss_code": "code"})
    lsoas = london.read_lsoas()
    population = london.read_lsoa_population().set_index("lsoa_code")["population"]
    crime_2021 = london.read_lsoa_crime().set_index("lsoa_code")["total"]
    small = gpd.GeoDataFrame(
        {
            "code": lsoas["lsoa_code"],
            "name": lsoas["lsoa_name"],
            "area_code": lsoas["borough_code"],
            "population": lsoas["lsoa_code"].map(population).astype("Int64"),
            "crimes": lsoas["lsoa_code"].map(crime_2021).astype("Int64"),
        },
        geometry=lsoas.geometry,
        crs=BNG,
    )
    points = london.read_street_crime()
    crime = pd.DataFrame(
        {
            "month": points["month"].astype(str),
            "crime_type": points["crime_type"].astype(str),
            "x_m": points.geometry.x,
            "y_m": points.geometry.y,
            "small_area_code": None,  # police.uk gives 2021 LSOAs; the small areas are 2011
        }
    )
    stations = london.read_police_stations()
    features = gpd.GeoDataFrame(
        {"kind": "police_station", "osm_id": None, "name": stations["name"].astype(str)},
        geometry=stations.geometry,
        crs=BNG,
    )
    files = {
        "areas": ("boundaries/london_boroughs.geojson", LayerKind.BOUNDARIES, len(boroughs)),
        "small_areas": (
            "boundaries/london_lsoa_2011.geojson.gz",
            LayerKind.SMALL_AREAS,
            len(small),
        ),
        "population": (
            "population/london_lsoa11_population_mid2020.csv.gz",
            LayerKind.POPULATION,
            len(population),
        ),
        "police_stations": (
            "cctv_provision/mopac_police_stations_london.csv",
            LayerKind.POLICE_STATIONS,
            len(features),
        ),
    }
    layers = tuple(
        LayerInfo(name, str(kind), count, Path(rel).name, london.bundled_sha256(rel), at)
        for name, (rel, kind, count) in files.items()
    )
    # The crime layer comes from two files: its hash is that of their hashes (as _layer's).
    hashes = [london.bundled_sha256(rel) for rel in LONDON_CRIME_FILES]
    layers += (
        LayerInfo(
            "crime",
            str(LayerKind.CRIME),
            len(crime),
            ", ".join(Path(rel).name for rel in LONDON_CRIME_FILES),
            hashlib.sha256("".join(hashes).encode()).hexdigest(),
            at,
        ),
    )
    metadata = {
        "bundled": True,
        "region_code": london.LONDON_REGION_CODE,
        "small_area_crimes": f"MPS recorded crime {london.LATEST_CRIME_YEAR}",
        "crime_months": sorted(set(crime["month"])),
    }
    info = RegionInfo(LONDON, "London", BNG_EPSG, at, len(boroughs), layers, metadata)
    data = RegionData(
        info,
        boroughs[["code", "name", "geometry"]],
        small[["code", "name", "area_code", "population", "crimes", "geometry"]],
        crime,
        features,
    )
    return save_region(engine, data)


def _annual_crimes(data: RegionData) -> pd.Series:
    """Recorded crimes per area per year: crime points in the area, scaled to 12 months."""
    crime = data.crime
    if not len(crime):
        return pd.Series(0, index=data.areas["code"], dtype="int64")
    codes = _contains(data.areas, crime["x_m"].to_numpy(float), crime["y_m"].to_numpy(float))
    months = max(len(set(crime["month"])), 1)
    counts = pd.Series(codes, dtype=object).value_counts()
    annual = counts.reindex(data.areas["code"], fill_value=0) * 12 / months
    return annual.round().astype("int64")


def _area_population(data: RegionData) -> pd.Series:
    """Residents per area: the small areas' sum, else the population file's area rows, else 0."""
    small = data.small_areas
    if len(small) and small["population"].notna().any():
        sums: pd.Series = small.groupby("area_code")["population"].sum()
        return sums.reindex(data.areas["code"], fill_value=0).astype("int64")
    given = dict(data.info.metadata.get("area_population", {}))
    return pd.Series([int(given.get(c, 0)) for c in data.areas["code"]], index=data.areas["code"])


def region_borough_table(data: RegionData) -> gpd.GeoDataFrame:
    """The region's areas as an estate ``boroughs`` table (Borough fields + geometry)."""
    areas = data.areas
    source = next((layer.source for layer in data.info.layers if layer.name == "areas"), "")
    frame = pd.DataFrame(
        {
            "gss_code": areas["code"].astype(str),
            "name": areas["name"].astype(str),
            "inner_outer": "",
            "area_km2": areas.geometry.area.to_numpy() / 1e6,
            "population": _area_population(data).to_numpy(),
            "recorded_crimes_per_year": _annual_crimes(data).to_numpy(),
            # Cost profiles per estate come later: outside London no profile applies yet.
            "cost_profile": "",
            "provenance": Provenance.REAL.value,
            "source": source,
        }
    )
    table = normalise_frame(Borough, frame)
    return gpd.GeoDataFrame(table, geometry=areas.geometry.to_numpy(), crs=areas.crs)


def estate_region(engine: Any, name: str, region: str) -> RegionData:
    """The region a new estate ``name`` is to cover, once both are checked.

    Raises
    ------
    InputError
        When the estate exists, or the region is outside Great Britain (estates
        are held in British National Grid).
    """
    try:
        load_estate(engine, name)
    except UnknownEstateError:
        pass
    else:
        reason = "an estate of that name exists"
        raise InputError(f"estate {name!r} exists", [Finding("error", None, "name", name, reason)])
    data = load_region(engine, region)
    if data.info.crs_epsg != BNG_EPSG:
        reason = (
            f"region {region!r} is in EPSG:{data.info.crs_epsg}: estates are held in British "
            "National Grid, so only a region in Great Britain can have one yet"
        )
        raise InputError(reason, [Finding("error", None, "region", region, reason)])
    return data


def create_estate(engine: Any, name: str, region: str, *, standard: str | None = None) -> Estate:
    """Store an empty estate (version 1) whose boroughs are the region's areas.

    ``standard``: the bundled standard its compliance is checked against (default
    ``london-v1``), kept in the estate's metadata.

    London's bundled region gives the London estate (its borough table as
    before, cost profile ``london-default``); any other region gives its areas
    with area from the geometry, population from the small areas and crime from
    the crime points. The estate's metadata names the region.

    Raises
    ------
    InputError
        When the estate exists, or the region is outside Great Britain (estates
        are held in British National Grid).
    """
    from cctvscope.workflows.compliance import standard_metadata

    chosen = standard_metadata(standard)
    data = estate_region(engine, name, region)
    info = data.info
    if info.name == LONDON and info.metadata.get("bundled"):
        estate = london.london_empty_estate(name)
    else:
        code = str(info.metadata.get("region_code") or info.name)
        estate = empty_estate(
            name, Region(region_code=code, name=info.title), region_borough_table(data)
        )
    estate = estate.replace_tables(metadata={REGION_METADATA_KEY: info.name, **chosen})
    return save_estate(
        engine, estate, description=f"empty estate of region {info.title}", based_on=0
    )


__all__ = [
    "LONDON",
    "LayerInfo",
    "LayerKind",
    "RegionData",
    "RegionInfo",
    "assemble_region",
    "create_estate",
    "create_region",
    "ensure_london_region",
    "estate_region",
    "list_regions",
    "load_region",
    "region_borough_table",
]
