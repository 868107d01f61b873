"""The region an estate lies in, as the analyses' inputs: title, small areas, crime, OSM layers.

An estate's metadata names its region (``REGION_METADATA_KEY``). For a stored
region other than London, the layers come from the store (:func:`load_region`);
for London (no region named, or ``london``) they come from the bundled loaders,
exactly as the workflows read them before regions existed, so London's figures
do not change. A layer the region lacks is ``None`` and named in ``missing``:
the workflows skip what needs it and say so with :func:`missing_message`, and
never substitute London's data.

This module is where the region's data is read: the analyses below
``workflows`` take the frames as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from cctvscope.crs import BNG
from cctvscope.errors import DataError
from cctvscope.ingest import london
from cctvscope.model.estate import REGION_METADATA_KEY, Estate
from cctvscope.store.regions import LayerInfo
from cctvscope.workflows.regions import LONDON, load_region

#: Columns of :attr:`RegionInputs.crime_points`.
CRIME_POINT_COLUMNS = ("x_m", "y_m", "crime_type", "month")


class Layer(StrEnum):
    """The region layers an analysis may need (named in missing-input messages)."""

    SMALL_AREAS = "small areas"
    CRIME = "crime"
    BUILDINGS = "buildings"
    STREETS = "streets"
    POLICE_STATIONS = "police stations"


#: How each layer is supplied: the option of ``cctvscope region create`` that reads it.
LAYER_HOW: dict[Layer, str] = {
    Layer.SMALL_AREAS: "cctvscope region create NAME --boundaries FILE --small-areas FILE",
    Layer.CRIME: "cctvscope region create NAME --boundaries FILE --crime FILE",
    Layer.BUILDINGS: "cctvscope region create NAME --boundaries FILE --osm FILE",
    Layer.STREETS: "cctvscope region create NAME --boundaries FILE --osm FILE",
    Layer.POLICE_STATIONS: (
        "cctvscope region create NAME --boundaries FILE --police-stations FILE (or --osm FILE)"
    ),
}


@dataclass(frozen=True)
class RegionInputs:
    """What the analyses know of an estate's region.

    Attributes
    ----------
    name
        The region's key (``london`` for London).
    title
        The name outputs use ("London", "Stockport").
    small_areas
        Columns ``code``, ``name``, ``area_code``, ``population``, ``crimes`` (recorded
        crimes per year), geometry (EPSG:27700); None without small areas.
    crime_points
        Columns ``x_m``, ``y_m`` (EPSG:27700), ``crime_type``, ``month``; None without
        a crime layer.
    buildings, streets, police_stations
        OSM building footprints, street lines, police stations (``name`` column),
        or None.
    missing
        The layers that are None, by :class:`Layer` value.
    layers
        A stored region's layers as ``region create`` recorded them (source file names,
        SHA-256, feature counts, load time); empty for London (its sources are the
        bundled files).
    """

    name: str
    title: str
    small_areas: gpd.GeoDataFrame | None
    crime_points: pd.DataFrame | None
    buildings: gpd.GeoDataFrame | None
    streets: gpd.GeoDataFrame | None
    police_stations: gpd.GeoDataFrame | None
    missing: tuple[str, ...]
    layers: tuple[LayerInfo, ...] = ()

    @property
    def is_london(self) -> bool:
        """True for the bundled London region (its named placement areas apply)."""
        return self.name == LONDON

    @property
    def has_crime(self) -> bool:
        """True when crime points and small-area crime counts are both known."""
        return self.crime_points is not None and self.lsoa_crime() is not None

    def missing_message(self, what: str, how: str) -> str:
        """See :func:`missing_message`."""
        return missing_message(self.title, what, how)

    def lsoa_crime(self) -> gpd.GeoDataFrame | None:
        """Small areas in the analyses' LSOA shape, or None without small-area crime.

        Columns ``lsoa_code``, ``lsoa_name``, ``borough_code``, ``area_km2``, ``total``
        (crimes per year) and any others the source had (London's crime groups).
        """
        small = self.small_areas
        if small is None or not small["crimes"].notna().any():
            return None
        frame = small.rename(
            columns={
                "code": "lsoa_code",
                "name": "lsoa_name",
                "area_code": "borough_code",
                "crimes": "total",
            }
        )
        if "area_km2" not in frame.columns:
            frame["area_km2"] = frame.geometry.area.to_numpy() / 1e6
        frame["total"] = frame["total"].astype(float)
        return gpd.GeoDataFrame(frame, geometry="geometry", crs=small.crs)

    def crime_geometry(self) -> gpd.GeoDataFrame | None:
        """Crime points as a point GeoDataFrame (EPSG:27700), or None without crime."""
        points = self.crime_points
        if points is None:
            return None
        return gpd.GeoDataFrame(
            points.reset_index(drop=True),
            geometry=gpd.points_from_xy(points["x_m"], points["y_m"]),
            crs=BNG,
        )


def missing_message(title: str, what: str, how: str) -> str:
    """The standard sentence for an input a region or estate lacks.

    >>> missing_message("Stockport", "crime layer", "cctvscope region create ... --crime FILE")
    'no crime layer for Stockport: cctvscope region create ... --crime FILE'
    """
    return f"no {what} for {title}: {how}"


def missing_layer_message(title: str, layer: Layer) -> str:
    """The standard sentence for a region layer that is missing (see :data:`LAYER_HOW`)."""
    return missing_message(title, f"{layer.value} layer", LAYER_HOW[layer])


def estate_region(estate: Estate) -> str:
    """The region an estate names in its metadata (London when it names none)."""
    return str(estate.metadata.get(REGION_METADATA_KEY) or LONDON)


def _london_inputs() -> RegionInputs:
    """The bundled London layers, read as the workflows always read them."""
    lsoas = london.read_lsoa_crime()
    small = lsoas.rename(
        columns={
            "lsoa_code": "code",
            "lsoa_name": "name",
            "borough_code": "area_code",
            "total": "crimes",
        }
    )
    small["population"] = pd.array([pd.NA] * len(small), dtype="Int64")
    points = london.read_street_crime()
    crime = pd.DataFrame(
        {
            "x_m": points.geometry.x.to_numpy(),
            "y_m": points.geometry.y.to_numpy(),
            "crime_type": points["crime_type"].astype(str).to_numpy(),
            "month": points["month"].astype(str).to_numpy(),
        }
    )
    buildings = [london.read_osm_buildings(area) for area in london.OSM_AREAS]
    streets = [london.read_osm_streets(area) for area in london.OSM_AREAS]
    return RegionInputs(
        name=LONDON,
        title="London",
        small_areas=gpd.GeoDataFrame(small, geometry="geometry", crs=lsoas.crs),
        crime_points=crime,
        buildings=gpd.GeoDataFrame(pd.concat(buildings, ignore_index=True), crs=BNG),
        streets=gpd.GeoDataFrame(pd.concat(streets, ignore_index=True), crs=BNG),
        police_stations=london.read_police_stations(),
        missing=(),
    )


def _kind(features: gpd.GeoDataFrame, kind: str) -> gpd.GeoDataFrame | None:
    """The features of one OSM kind, or None when there are none."""
    rows = features.loc[features["kind"] == kind]
    return None if rows.empty else gpd.GeoDataFrame(rows.reset_index(drop=True), crs=BNG)


def _stored_inputs(engine: Any, name: str) -> RegionInputs:
    """A stored region's layers (held in British National Grid, as its estates are)."""
    data = load_region(engine, name)
    missing: list[str] = []
    small: gpd.GeoDataFrame | None = data.small_areas.copy()
    crime: pd.DataFrame | None = None
    if len(data.crime):
        months = max(len(set(data.crime["month"].astype(str))), 1)
        crime = pd.DataFrame(
            {
                "x_m": data.crime["x_m"].to_numpy(float),
                "y_m": data.crime["y_m"].to_numpy(float),
                "crime_type": data.crime["crime_type"].astype(str).to_numpy(),
                "month": data.crime["month"].astype(str).to_numpy(),
            }
        )
    else:
        missing.append(Layer.CRIME.value)
    if small is None or small.empty:
        small = None
        missing.append(Layer.SMALL_AREAS.value)
    elif crime is not None:
        # Counts of the crime points per small area, scaled from the months held to a year.
        counts = small["crimes"].astype("Float64") * 12 / months
        small["crimes"] = np.round(counts.astype(float))
    else:
        small["crimes"] = pd.array([pd.NA] * len(small), dtype="Int64")
    buildings = _kind(data.features, "building")
    streets = _kind(data.features, "street")
    stations = _kind(data.features, "police_station")
    if stations is not None:
        # Every station of a region is a candidate site; London's list marks the ones kept.
        stations = stations.assign(status_2017_plan="keep")
    for frame, layer in (
        (buildings, Layer.BUILDINGS),
        (streets, Layer.STREETS),
        (stations, Layer.POLICE_STATIONS),
    ):
        if frame is None:
            missing.append(layer.value)
    return RegionInputs(
        name=data.info.name,
        title=data.info.title,
        small_areas=small,
        crime_points=crime,
        buildings=buildings,
        streets=streets,
        police_stations=stations,
        missing=tuple(missing),
        layers=data.info.layers,
    )


def region_inputs(engine: Any, estate: Estate) -> RegionInputs:
    """The layers of the region ``estate`` names (London's bundled data for London).

    ``engine`` is only used for a stored region other than London.
    """
    name = estate_region(estate)
    if name == LONDON:
        return _london_inputs()
    return _stored_inputs(engine, name)


__all__ = [
    "CRIME_POINT_COLUMNS",
    "LAYER_HOW",
    "Layer",
    "RegionInputs",
    "estate_region",
    "london_or_given",
    "missing_layer_message",
    "missing_message",
    "region_inputs",
]


def london_or_given(estate: Estate, region: RegionInputs | None) -> RegionInputs:
    """``region`` when given; London's bundled layers for a London estate.

    Raises
    ------
    DataError
        When ``region`` is omitted for an estate of another region: its layers are
        read with :func:`region_inputs` (London's are never substituted).
    """
    if region is not None:
        return region
    name = estate_region(estate)
    if name != LONDON:
        raise DataError(
            f"estate {estate.name!r} lies in the region {name!r}: pass its layers "
            "(cctvscope.workflows.region_inputs.region_inputs)"
        )
    return _london_inputs()
