"""Loaders of the real London data bundled in ``cctvscope/data/real``.

Every ``read_*`` returns a (Geo)DataFrame; spatial ones are in EPSG:27700
(British National Grid metres). Sources, licences and processing are in
``cctvscope/data/real/SOURCES.md``; the attribution lines are
:data:`ATTRIBUTIONS`.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from cctvscope.crs import BNG, WGS84
from cctvscope.errors import DataError
from cctvscope.model.entities import Borough, Region
from cctvscope.model.enums import Provenance
from cctvscope.model.estate import Estate, empty_estate
from cctvscope.model.frames import normalise_frame

#: Attribution that must travel with the bundled data (from SOURCES.md).
ATTRIBUTIONS: dict[str, str] = {
    "ONS/OS": "Source: Office for National Statistics licensed under the Open Government "
    "Licence v3.0. Contains OS data © Crown copyright and database right (2022/2023).",
    "GLA": "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(Greater London Authority). Contains OS data © Crown copyright and database right.",
    "Police": "Contains public sector information licensed under the Open Government Licence "
    "v3.0 (Metropolitan Police Service, City of London Police / data.police.uk).",
    "OpenStreetMap": "© OpenStreetMap contributors, data available under the Open Database "
    "License (ODbL).",
    "TfL": "Powered by TfL Open Data. Contains OS data © Crown copyright and database rights.",
}

#: Latest year of the MPS LSOA/borough annual crime series.
LATEST_CRIME_YEAR = 2021

#: The MPS major crime categories of the LSOA series (column -> name, SOURCES.md). The two
#: minor categories (bicycle and vehicle theft) lie inside majors and are left out here.
MPS_MAJOR_CATEGORIES: dict[str, str] = {
    "major-arson": "Arson and criminal damage",
    "major-burglary": "Burglary",
    "major-drugs": "Drugs",
    "major-misc": "Miscellaneous crimes against society",
    "major-public-order": "Public order offences",
    "major-robbery": "Robbery",
    "major-theft-all": "Theft (non-vehicle)",
    "major-vehicle-offences": "Vehicle offences",
    "major-violence": "Violence against the person",
    "major-weapons": "Possession of weapons",
}

OSM_AREAS = ("covent_garden", "clerkenwell")


def data_path(relative: str) -> Path:
    """Path of a bundled real-data file, e.g. ``boundaries/london_boroughs.geojson``."""
    path = Path(str(resources.files("cctvscope.data").joinpath("real", relative)))
    if not path.exists():
        raise DataError(f"bundled data file {relative!r} is missing from {path.parent}")
    return path


def bundled_sha256(relative: str) -> str:
    """SHA-256 of a bundled file as shipped (recorded with the layers made from it)."""
    return hashlib.sha256(data_path(relative).read_bytes()).hexdigest()


def _read_bytes(relative: str) -> bytes:
    path = data_path(relative)
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


def _read_geo(relative: str) -> gpd.GeoDataFrame:
    frame = pyogrio.read_dataframe(io.BytesIO(_read_bytes(relative)))
    if frame.crs is None:
        frame = frame.set_crs(WGS84)
    return frame.to_crs(BNG)


def _read_csv(relative: str, **kwargs: object) -> pd.DataFrame:
    frame: pd.DataFrame = pd.read_csv(io.BytesIO(_read_bytes(relative)), **kwargs)  # type: ignore[call-overload]
    return frame


@cache
def _boroughs() -> gpd.GeoDataFrame:
    return _read_geo("boundaries/london_boroughs.geojson")


def read_boroughs() -> gpd.GeoDataFrame:
    """The 33 London boroughs (ONS LAD22, generalised 20 m, clipped to MHW).

    Columns: ``gss_code``, ``name``, ``inner_outer``, ``area_km2``, ``geometry``.
    """
    frame = _boroughs()[["gss_code", "name", "inner_outer", "area_km2", "geometry"]]
    return frame.copy()


@cache
def _lsoas() -> gpd.GeoDataFrame:
    return _read_geo("boundaries/london_lsoa_2011.geojson.gz")


def read_lsoas() -> gpd.GeoDataFrame:
    """The 4,835 London LSOAs (2011 geography, the geography of the crime and population tables).

    Columns: ``lsoa_code``, ``lsoa_name``, ``borough_code``, ``borough_name``, ``area_km2``,
    ``geometry``.
    """
    frame = _lsoas().rename(
        columns={
            "LSOA11CD": "lsoa_code",
            "LSOA11NM": "lsoa_name",
            "LAD11CD": "borough_code",
            "LAD11NM": "borough_name",
        }
    )
    return frame[
        ["lsoa_code", "lsoa_name", "borough_code", "borough_name", "area_km2", "geometry"]
    ].copy()


@cache
def _lsoa_crime_long() -> pd.DataFrame:
    return _read_csv("crime/mps_lsoa11_annual_crime_by_category_2011_2021.csv.gz")


def read_lsoa_crime(year: int = LATEST_CRIME_YEAR) -> gpd.GeoDataFrame:
    """MPS recorded crime per LSOA for one year: one column per category plus ``total``
    (the major categories' sum: the minor ones are parts of them).

    LSOAs of the City of London (City of London Police area) have zero counts:
    the MPS does not publish them.
    """
    raw = _lsoa_crime_long()
    if str(year) not in raw.columns:
        years = [c for c in raw.columns if c.isdigit()]
        raise DataError(f"no LSOA crime for {year}; years available: {years[0]}-{years[-1]}")
    wide = raw.pivot_table(index="LSOA11CD", columns="category", values=str(year), aggfunc="sum")
    wide.columns = [str(c) for c in wide.columns]
    wide["total"] = wide[major_categories(wide.columns)].sum(axis=1)
    lsoas = read_lsoas()
    out = lsoas.merge(wide, left_on="lsoa_code", right_index=True, how="left")
    counts = [*wide.columns]
    out[counts] = out[counts].fillna(0).astype("int64")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=BNG)


#: Prefix of the MPS minor categories bundled beside the major ones. Each is part of a major
#: category (bicycle theft of ``major-theft-all``, taking a motor vehicle of
#: ``major-vehicle-offences``), so a total adds the major categories only.
MINOR_CATEGORY_PREFIX = "minor-"


def major_categories(categories: Iterable[object]) -> list[str]:
    """The categories a crime total adds: every one but the minor sub-categories."""
    return [str(c) for c in categories if not str(c).startswith(MINOR_CATEGORY_PREFIX)]


def read_borough_crime() -> pd.DataFrame:
    """MPS recorded crime per borough, category and year 2011-2021 (long format).

    Columns: ``gss_code``, ``name``, ``category``, ``year``, ``count``. No City of London.
    """
    return _read_csv("crime/mps_borough_annual_crime_by_category_2011_2021.csv")


def read_borough_crime_totals(year: int = LATEST_CRIME_YEAR) -> pd.Series:
    """Total MPS recorded crime per borough GSS code for one year (City of London: 0)."""
    crime = read_borough_crime()
    rows = crime[
        (crime["year"] == year) & crime["category"].isin(major_categories(crime["category"]))
    ]
    totals = rows.groupby("gss_code")["count"].sum()
    codes = read_boroughs()["gss_code"]
    return totals.reindex(codes, fill_value=0).astype("int64")


def read_burglary_points() -> gpd.GeoDataFrame:
    """data.police.uk burglary street points, MPS, March 2024 - February 2025.

    Points are police.uk anonymised map points (many crimes share one). Columns:
    ``crime_id``, ``month``, ``location``, ``lsoa_code`` (2021 LSOA),
    ``last_outcome_category``, ``geometry``.
    """
    raw = _read_csv("crime/police_uk_met_burglary_street_2024-03_to_2025-02.csv.gz")
    frame = gpd.GeoDataFrame(
        raw.drop(columns=["longitude", "latitude", "crime_type", "lsoa_name"]),
        geometry=gpd.points_from_xy(raw["longitude"], raw["latitude"]),
        crs=WGS84,
    )
    return frame.to_crs(BNG)


#: GSS code of the City of London (policed by the City of London Police, not the MPS).
CITY_OF_LONDON = "E09000001"
#: The type police.uk gives the Met's bundled points (the only type bundled for the MPS).
BURGLARY = "Burglary"


def read_city_street_crime() -> gpd.GeoDataFrame:
    """data.police.uk street points of every crime type, City of London Police, March 2024 -
    February 2025 (the burglary points' months), those inside the City's LSOAs.

    Columns: ``crime_id`` (blank for anti-social behaviour), ``month``, ``lsoa_code``
    (2021 LSOA), ``crime_type``, ``geometry``.
    """
    raw = _read_csv("crime/police_uk_city_of_london_street_2024-03_to_2025-02.csv.gz")
    frame = gpd.GeoDataFrame(
        raw.drop(columns=["longitude", "latitude"]),
        geometry=gpd.points_from_xy(raw["longitude"], raw["latitude"]),
        crs=WGS84,
    ).to_crs(BNG)
    # The City's outline as its LSOAs draw it (the crime analyses place points in LSOAs).
    lsoas = read_lsoas()
    city = lsoas.loc[lsoas["borough_code"] == CITY_OF_LONDON].geometry.union_all()
    return frame.loc[frame.within(city)].reset_index(drop=True)


def read_street_crime() -> gpd.GeoDataFrame:
    """London's street crime points as bundled: MPS burglary points plus the City of London
    Police's points of every type (the MPS all-crime files are not bundled).

    Columns: ``month``, ``crime_type``, ``geometry`` (EPSG:27700).
    """
    met = read_burglary_points()
    city = read_city_street_crime()
    frames = [
        gpd.GeoDataFrame(
            {"month": met["month"].astype(str), "crime_type": BURGLARY},
            geometry=met.geometry,
            crs=BNG,
        ),
        city[["month", "crime_type", "geometry"]].astype({"month": str, "crime_type": str}),
    ]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=BNG)


def read_borough_population() -> pd.DataFrame:
    """ONS mid-2020 resident population per borough (``gss_code``, ``name``, ``population``...)."""
    raw = _read_csv("population/london_borough_population_mid2020.csv")
    return raw.rename(columns={"Persons_All-Ages": "population"})


def read_lsoa_population() -> pd.DataFrame:
    """ONS mid-2020 resident population per 2011 LSOA (``lsoa_code``, ``population``)."""
    raw = _read_csv("population/london_lsoa11_population_mid2020.csv.gz")
    out = raw.rename(columns={"LSOA11CD": "lsoa_code", "Persons_All-Ages": "population"})
    return out[["lsoa_code", "population"]]


def read_tfl_cameras() -> gpd.GeoDataFrame:
    """The 900 TfL JamCam traffic cameras (real positions; no bearing, lens or height).

    ``view_direction_hint_deg`` is a heuristic parse of TfL's view label, not an
    official bearing.
    """
    frame = _read_geo("cameras/tfl_jamcam_traffic_cameras.geojson")
    return frame.drop(columns=["image_url", "video_url"])


def read_osm_surveillance_sample() -> gpd.GeoDataFrame:
    """The one OSM ``man_made=surveillance`` node found for London (a tag-format sample)."""
    return _read_geo("cameras/osm_surveillance_nodes_london_sample.geojson")


def read_police_stations() -> gpd.GeoDataFrame:
    """MPS police stations and front counters with the 2017 MOPAC keep/cut decision."""
    raw = _read_csv("cctv_provision/mopac_police_stations_london.csv")
    frame = gpd.GeoDataFrame(
        raw.drop(columns=["longitude", "latitude"]),
        geometry=gpd.points_from_xy(raw["longitude"], raw["latitude"]),
        crs=WGS84,
    )
    return frame.to_crs(BNG)


def read_provision_facts() -> pd.DataFrame:
    """Published facts on London CCTV provision, each row with its own source and URL."""
    return _read_csv("cctv_provision/london_cctv_provision_facts.csv")


def read_osm_buildings(area: str) -> gpd.GeoDataFrame:
    """OSM building footprints of a central-London area (``covent_garden`` or ``clerkenwell``)."""
    if area not in OSM_AREAS:
        raise DataError(f"unknown OSM area {area!r}; areas are {', '.join(OSM_AREAS)}")
    return _read_geo(f"osm/{area}_osm_buildings.geojson")


def read_osm_streets(area: str) -> gpd.GeoDataFrame:
    """OSM highway centrelines of a central-London area (``covent_garden`` or ``clerkenwell``)."""
    if area not in OSM_AREAS:
        raise DataError(f"unknown OSM area {area!r}; areas are {', '.join(OSM_AREAS)}")
    return _read_geo(f"osm/{area}_osm_highways.geojson")


#: The bundled street map of London (streets, Red Routes, rail, stations, water, parks).
BASEMAP_FILE = "basemap/london_basemap.geojson.gz"
#: Place names drawn as map labels (the gazetteer's OSM places).
BASEMAP_PLACES_FILE = "gazetteer/london_places_osm_2019.geojson"
#: Attribution of the bundled basemap (ODbL, OGL, TfL), shown on every map.
BASEMAP_ATTRIBUTIONS = (
    "© OpenStreetMap contributors, ODbL 1.0",
    "Contains OS data © Crown copyright and database right 2026 (OGL v3)",
    "Powered by TfL Open Data",
)


def read_basemap() -> gpd.GeoDataFrame:
    """London's bundled basemap: ``layer`` (street, main_road, rail, station, water, waterway,
    park, place), ``kind``, ``name`` and geometry, in EPSG:27700 (see SOURCES.md, "basemap/")."""
    features = _read_geo(BASEMAP_FILE)
    places = _read_geo(BASEMAP_PLACES_FILE)
    places = gpd.GeoDataFrame(
        {"layer": "place", "kind": places["fclass"], "name": places["name"]},
        geometry=places.geometry,
        crs=places.crs,
    )
    frame = pd.concat([features[["layer", "kind", "name", "geometry"]], places], ignore_index=True)
    frame["name"] = frame["name"].fillna("").astype(str)
    frame["kind"] = frame["kind"].fillna("").astype(str)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=BNG)


def osm_extract_path() -> Path:
    """The raw OSM XML extract of Clerkenwell (gzip), a sample for the OSM XML importer."""
    return data_path("osm/clerkenwell_extract.osm.gz")


LONDON_REGION_CODE = "E12000007"
DEFAULT_COST_PROFILE = "london-default"


def london_region() -> Region:
    """The London region record (ONS GSS E12000007)."""
    return Region(region_code=LONDON_REGION_CODE, name="London")


def read_borough_table(cost_profile: str = DEFAULT_COST_PROFILE) -> gpd.GeoDataFrame:
    """The 33 boroughs as an estate ``boroughs`` table (Borough fields + boundary geometry).

    Population: ONS mid-2020; recorded crime: MPS total for :data:`LATEST_CRIME_YEAR`
    (City of London: 0, as the MPS does not publish it).
    """
    boroughs = read_boroughs()
    population = read_borough_population().set_index("gss_code")["population"]
    crime = read_borough_crime_totals()
    frame = pd.DataFrame(
        {
            "gss_code": boroughs["gss_code"],
            "name": boroughs["name"],
            "inner_outer": boroughs["inner_outer"],
            "area_km2": boroughs["area_km2"].astype(float),
            "population": population.reindex(boroughs["gss_code"]).to_numpy(),
            "recorded_crimes_per_year": crime.reindex(boroughs["gss_code"]).to_numpy(),
            "cost_profile": cost_profile,
            "provenance": Provenance.REAL.value,
            "source": "ONS LAD22 boundaries; ONS mid-2020 population; "
            f"MPS recorded crime {LATEST_CRIME_YEAR}",
        }
    )
    table = normalise_frame(Borough, frame)
    return gpd.GeoDataFrame(table, geometry=boroughs["geometry"].to_numpy(), crs=BNG)


def london_empty_estate(name: str) -> Estate:
    """An estate of the 33 London boroughs with no cameras yet."""
    return empty_estate(name, london_region(), read_borough_table())
