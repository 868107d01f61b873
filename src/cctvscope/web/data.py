"""What the pages show: the latest estate version and its analyses, cached per version.

The estate is re-read only when the store holds a newer version (a survey import or
a registration writes one); its summary, compliance, data confidence, police lookup
and map layers are computed once per version. Outputs of `cctvscope demo` (coverage
GeoPackage and summary, value for money, stored control-room options, the guide) are
read from the output folder, keyed by file modification time.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine

from cctvscope.coverage.packed_lookup import PackedLookup, PackedLookupError
from cctvscope.crs import bng_to_wgs84
from cctvscope.ingest.gazetteer import Gazetteer
from cctvscope.model.estate import Estate
from cctvscope.store import list_estates, load_estate
from cctvscope.store.registry_tables import private_registrations
from cctvscope.web.deps import WebError
from cctvscope.web.schemas import EstateRef
from cctvscope.workflows.results import AssessmentOutputs, OutputFile

if TYPE_CHECKING:
    from cctvscope.workflows.confidence import DataConfidence
    from cctvscope.workflows.region_inputs import RegionInputs

T = TypeVar("T")

#: Tolerance of the simplified borough outlines and coverage layers [m].
SIMPLIFY_M = 25.0
COVERAGE_MISSING = "coverage not computed yet — run `cctvscope coverage`"


@dataclass(frozen=True)
class Loaded:
    """One estate version with its cameras as a plain frame (lon/lat added)."""

    estate: Estate
    ref: EstateRef
    cameras: pd.DataFrame
    summary: pd.DataFrame


class EstateData:
    """The app's read model over the store and the output folder (thread-safe caches)."""

    def __init__(self, engine: Engine, estate_name: str, output_dir: Path) -> None:
        self.engine = engine
        self.estate_name = estate_name
        self.output_dir = output_dir
        self.outputs = AssessmentOutputs(output_dir)
        self._lock = threading.RLock()
        self._cache: dict[tuple[str, object], Any] = {}

    def _cached(self, kind: str, key: object, build: Callable[[], T]) -> T:
        with self._lock:
            hit = self._cache.get((kind, key))
            if hit is None:
                for old in [k for k in self._cache if k[0] == kind]:
                    del self._cache[old]
                hit = build()
                self._cache[(kind, key)] = hit
            return hit

    # --- the estate ---------------------------------------------------------------------

    def latest_version(self) -> int | None:
        """The newest stored version of the estate, or None."""
        for info in list_estates(self.engine):
            if info.name == self.estate_name:
                return info.version
        return None

    def current(self) -> Loaded:
        """The latest version, loaded (503 when the store holds no such estate)."""
        version = self.latest_version()
        if version is None:
            raise WebError(
                503, f"no estate {self.estate_name!r} in the store yet — run `cctvscope demo`"
            )
        return self._cached("estate", version, lambda: self._load(version))

    def _load(self, version: int) -> Loaded:
        from cctvscope.workflows import summarise_boroughs

        estate = load_estate(self.engine, self.estate_name, version)
        cameras = pd.DataFrame(estate.cameras.drop(columns="geometry"))
        lon, lat = bng_to_wgs84(cameras["x_m"].to_numpy(), cameras["y_m"].to_numpy())
        cameras["lon_deg"] = np.round(lon, 6)
        cameras["lat_deg"] = np.round(lat, 6)
        ref = EstateRef(name=estate.name, version=version, input_hash=estate.input_hash())
        return Loaded(estate, ref, cameras, summarise_boroughs(estate))

    def registrations(self, loaded: Loaded) -> pd.DataFrame:
        """Every registration of the estate (camera id, business id, consents...)."""

        def build() -> pd.DataFrame:
            table = private_registrations
            query = sa.select(table).where(table.c.estate_name == self.estate_name)
            with self.engine.connect() as connection:
                frame = pd.DataFrame(connection.execute(query).mappings().all())
            if frame.empty:
                frame = pd.DataFrame(columns=[c.name for c in table.columns])
            return frame

        return self._cached("registrations", loaded.ref.version, build)

    def region(self, loaded: Loaded) -> RegionInputs:
        """The layers of the estate's region (London's bundled ones, or its stored ones)."""
        from cctvscope.workflows.region_inputs import region_inputs

        return self._cached(
            "region", loaded.ref.version, lambda: region_inputs(self.engine, loaded.estate)
        )

    def compliance(self, loaded: Loaded) -> Any:
        """The estate's compliance with its standard (a ``ComplianceOutcome``) on its region."""
        from cctvscope.store import cop_scores
        from cctvscope.workflows.compliance import estate_standard, run_compliance

        def build() -> Any:
            scores = cop_scores(self.engine, self.estate_name)
            return run_compliance(
                loaded.estate,
                standard=estate_standard(loaded.estate),
                cop_scores=scores,
                region=self.region(loaded),
            )

        return self._cached("compliance", loaded.ref.version, build)

    def confidence(self, loaded: Loaded) -> DataConfidence:
        """The estate's data confidence per borough and table (workflows.confidence)."""
        from cctvscope.workflows.confidence import data_confidence

        return self._cached(
            "confidence", loaded.ref.version, lambda: data_confidence(loaded.estate)
        )

    def lookup(self, loaded: Loaded) -> PackedLookup:
        """The police lookup: public cameras and consenting private ones.

        Read from the lookup cache beside the store (built there on the first search of
        a version by any process) and checked whole once, as it is kept for the version.
        """
        from cctvscope.workflows.police_search import default_cache_dir, police_search

        def build() -> PackedLookup:
            cache = default_cache_dir(self.engine.url)
            name, version = self.estate_name, loaded.ref.version
            found = police_search(self.engine, name, cache_dir=cache, version=version)
            try:
                found.lookup.verify()
            except PackedLookupError:
                found = police_search(
                    self.engine, name, cache_dir=cache, version=version, rebuild=True
                )
            return found.lookup

        return self._cached("lookup", loaded.ref.version, build)

    def gazetteer(self, loaded: Loaded) -> Gazetteer:
        """The places of the estate's region (postcodes, names, areas) for search by place."""
        from cctvscope.workflows.places import estate_gazetteer

        return self._cached(
            "gazetteer", loaded.ref.version, lambda: estate_gazetteer(self.engine, loaded.estate)
        )

    def boroughs_geojson(self, loaded: Loaded) -> dict[str, Any]:
        """Borough outlines in WGS84, simplified, with code, name and camera count."""

        def build() -> dict[str, Any]:
            frame = loaded.estate.boroughs[["gss_code", "name", "geometry"]].copy()
            counts = loaded.summary.set_index("gss_code")["cameras"]
            frame["cameras"] = frame["gss_code"].map(counts).fillna(0).astype(int)
            return to_geojson(frame)

        return self._cached("boroughs_geojson", loaded.ref.version, build)

    # --- the pipeline's outputs (`cctvscope demo`, `report`, `coverage`) -----------------------

    def output_csv(self, name: OutputFile) -> pd.DataFrame | None:
        """A table of the pipeline's outputs, or None when it has not been written."""
        key = self.outputs.stamp(name)
        if key is None:
            return None
        return self._cached(f"csv:{name}", key, lambda: self.outputs.table(name))

    def coverage_summary(self) -> pd.DataFrame | None:
        """The coverage summary, or None until coverage has been computed."""
        return self.output_csv(OutputFile.COVERAGE_SUMMARY)

    def coverage_layer(self, layer: str, level: str | None = None) -> dict[str, Any] | None:
        """A coverage layer (``coverage_union`` or ``gaps``) as WGS84 GeoJSON, or None."""
        key = self.outputs.stamp(OutputFile.COVERAGE_GPKG)
        if key is None:
            return None

        def build() -> dict[str, Any] | None:
            frame = self.outputs.coverage_layer(layer, level)
            return None if frame is None else to_geojson(frame)

        return self._cached(f"layer:{layer}:{level}", key, build)


def to_geojson(frame: gpd.GeoDataFrame, simplify_m: float = SIMPLIFY_M) -> dict[str, Any]:
    """A GeoDataFrame in EPSG:27700 as a simplified WGS84 GeoJSON FeatureCollection."""
    frame = frame.copy()
    if len(frame):
        frame["geometry"] = frame.geometry.simplify(simplify_m, preserve_topology=True)
    if frame.crs is None:
        frame = frame.set_crs("EPSG:27700")
    text = frame.to_crs("EPSG:4326").to_json(drop_id=True, to_wgs84=False)
    data: dict[str, Any] = json.loads(text)
    return data


def clean(value: Any) -> Any:
    """A cell as JSON-safe Python: NaN/NaT to None, numpy scalars to Python."""
    if value is None:
        return None
    if isinstance(value, float | np.floating) and not np.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NaT:
        return None
    return value


def records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows of ``frame`` as JSON-safe dicts (only ``columns`` when given)."""
    sub = frame if columns is None else frame[columns]
    return [{str(k): clean(v) for k, v in row.items()} for row in sub.to_dict(orient="records")]
